import * as fs from "node:fs";
import * as path from "node:path";
import { isUserError, parseCommand, projectDirOf, runMain, userErrorExit } from "../cli";
import { planStack, runStack, type RunOptions, type StackRun } from "../../engine";
import { loadProject } from "../../engine/project";
import { adoptionDiff } from "./compare";
import { readExport } from "./export";
import { importFile, type ImportFile } from "./import-file";
import { mapExport } from "./map";
import { writeAdoption } from "./write";

const usage = `Usage: npm run adopt -- <stack> --from <dir> [--replace-catalog] [--import-file <file>] [--project-dir <dir>]

Brings an existing API Management service under this program without recreating it, offline,
from its export (npm run export-apim, or the az rest calls in docs/adopting.md):

  1. writes the catalog (apis/<api>/api.yaml, the specifications, policy.xml and
     operations/<operationId>.xml, apis/products.yaml) and the stack file's location and gateway
     section (the service's name, resource group, tier, regions, publisher, backends);
  2. says what it could not adopt, and why, with what to do;
  3. plans the stack and writes a Pulumi import file (pulumi import --file) naming every exported
     resource the program registers, under the program's names and parents;
  4. diffs the plan against the export: what the first pulumi up after the import would change,
     each update with its reason, and whether anything would be replaced (the goal: nothing).

Nothing talks to Azure; the service stays as it is until pulumi up.

  --from <dir>          the export directory
  --replace-catalog     remove what apis/ holds first (otherwise adopt needs an empty apis/)
  --import-file <file>  where to write the import file (default: import-<stack>.json in the project)
  --project-dir <dir>   the directory of Pulumi.yaml and the stack files (default: this repository)
  --help                this text

Exit codes: 0 written, planned and diffed; 1 refused (nothing written), or the written project does
not plan (said why); 2 a usage mistake.`;

const command = {
    script: "adopt",
    usage,
    verb: "adopt the service into",
    options: {
        from: { type: "string" },
        "replace-catalog": { type: "boolean" },
        "import-file": { type: "string" },
        "project-dir": { type: "string" },
        help: { type: "boolean", short: "h" },
    },
    shownAs: { from: "--from <dir>", "import-file": "--import-file <file>", "project-dir": "--project-dir <dir>" },
} as const;

/** Runs the command; returns its exit code. `run` runs one stack (tests pass one). */
export async function main(
    argv: string[],
    run: (options: RunOptions) => Promise<StackRun> = runStack,
    env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
    const parsed = parseCommand(command, argv, env);
    if (typeof parsed === "number") {
        return parsed;
    }
    const { stack, values } = parsed;
    if (!values.from) {
        process.stderr.write(`Name the export: --from <dir>.\n\n${usage}\n`);
        return 2;
    }
    const projectDir = projectDirOf(values);
    try {
        const exported = readExport(path.resolve(values.from));
        const adoption = await mapExport(exported);
        if (adoption.refusals.length > 0) {
            process.stderr.write(
                `Cannot adopt ${exported.service.name}: nothing was written.\n${adoption.refusals.map((refusal) => `  ${refusal}`).join("\n")}\n`,
            );
            return 1;
        }
        const project = loadProject(projectDir).name;
        const written = writeAdoption(projectDir, project, stack, adoption, values["replace-catalog"] === true);
        process.stdout.write(
            `Adopted ${exported.service.name} (${adoption.apis.length} APIs, ${Object.keys(adoption.products).length} products) into ${written.length} files: apis/, Pulumi.${stack}.yaml.\n`,
        );
        if (adoption.findings.length > 0) {
            process.stdout.write(
                `\nNot adopted, or adopted with a change (${adoption.findings.length}):\n${adoption.findings.map((finding) => `  - ${finding}`).join("\n")}\n`,
            );
        }
        let result: StackRun;
        try {
            result = await planStack({ stack, projectDir }, run);
        } catch (error) {
            if (isUserError(error)) {
                process.stderr.write(
                    `\nThe written project does not plan yet; fix what follows (the stack file and workflows/ are yours to set: docs/adopting.md, step 2), then run npm run adopt -- ${stack} --from ${values.from} --replace-catalog again for the import file and the diff:\n${error.message}\n`,
                );
                return 1;
            }
            throw error;
        }
        const providerVersion = (
            JSON.parse(fs.readFileSync(require.resolve("@pulumi/azure-native/package.json"), "utf8")) as { version: string }
        ).version;
        const imports = importFile(result, exported, providerVersion);
        const importPath = path.resolve(projectDir, values["import-file"] ?? `import-${stack}.json`);
        fs.writeFileSync(importPath, `${JSON.stringify(imports, null, 2)}\n`);
        const adopted = imports.resources.filter((entry) => !entry.component).length;
        process.stdout.write(
            `\nWrote ${path.relative(process.cwd(), importPath) || importPath}: ${adopted} resources to import, under the program's names.\n`,
        );
        const own = ownNamesTaken(imports);
        if (own.length > 0) {
            process.stdout.write(
                `\nIds the program uses for its own resources, taken in the service (imported, then set as the program sets them; the changes are below):\n${own.map((line) => `  - ${line}`).join("\n")}\n`,
            );
        }
        process.stdout.write("\n");
        process.stdout.write(`${adoptionDiff(result, exported).text}\n`);
        process.stdout.write(
            `\nNext: review the files and the changes above, then pulumi stack select ${stack}; pulumi import --file ${path.basename(importPath)} --protect=false; pulumi preview; pulumi up (docs/adopting.md).\n`,
        );
        return 0;
    } catch (error) {
        return userErrorExit(error);
    }
}

/** The types adopt writes from the export: the service, its group and the catalog. */
const adoptedTypes = new Set([
    "ResourceGroup",
    "ApiManagementService",
    "Api",
    "ApiPolicy",
    "ApiOperationPolicy",
    "ApiRelease",
    "ApiVersionSet",
    "Product",
    "ProductApi",
    "ProductGroup",
    "ProductPolicy",
]);

/**
 * The exported resources that have the id of one the program makes for itself (the service-wide
 * policy, the Application Insights diagnostic, the portal's Entra ID identity provider, a backend
 * key's named value...): what the import adopts that adopt did not write.
 */
export function ownNamesTaken(imports: ImportFile): string[] {
    return imports.resources
        .filter((entry) => entry.id !== undefined && !adoptedTypes.has(entry.type.split(":").pop()!))
        .map((entry) => {
            const within = entry.id!.split("/providers/Microsoft.ApiManagement/service/")[1]?.split("/").slice(1).join("/");
            return `${within ?? entry.id}: the program's ${entry.type.split(":").pop()} ${entry.logicalName ?? entry.name}`;
        });
}

if (require.main === module) {
    runMain(() => main(process.argv.slice(2)));
}
