import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument, stringify } from "yaml";
import { UserError } from "../../engine";
import { rules } from "../../policies/rules";
import type { Adoption } from "./map";

/**
 * Writes an adoption into a project: the catalog under `apis/` (which must hold no catalog yet, or
 * `replace` clears it first), the stack file's `location` and `gateway` section (the rest of the
 * stack file is kept as it is, comments included), and `serviceExists: true` in the stack's policy
 * config for the rules that read it. Returns the files written, relative to the project.
 */
export function writeAdoption(projectDir: string, project: string, stack: string, adoption: Adoption, replace: boolean): string[] {
    const stackFile = path.join(projectDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackFile)) {
        throw new UserError(
            `Pulumi.${stack}.yaml: missing (allowed: an existing stack file; make one first, for example from Pulumi.dev.yaml with this stack's own keys: adopt writes only its location and gateway section)`,
        );
    }
    const apisDir = path.join(projectDir, "apis");
    const existing = fs.existsSync(apisDir) ? fs.readdirSync(apisDir) : [];
    if (existing.length > 0 && !replace) {
        throw new UserError(
            `apis/: holds a catalog already (${existing.sort().join(", ")}) (allowed: an empty apis/, or --replace-catalog to remove it first: adopt writes the service's whole catalog, and an API left there would be created beside it)`,
        );
    }
    fs.rmSync(apisDir, { recursive: true, force: true });
    const written: string[] = [];
    const write = (relative: string, content: string) => {
        const target = path.join(projectDir, relative);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, content);
        written.push(relative);
    };
    const header = (what: string) => `# ${what}, written by npm run adopt from the export of an existing API Management service.\n`;
    for (const api of adoption.apis) {
        write(`apis/${api.folder}/api.yaml`, header(`The ${api.source} API`) + stringify(api.definition, { lineWidth: 0 }));
        for (const [file, content] of Object.entries(api.files)) {
            write(`apis/${api.folder}/${file}`, content);
        }
    }
    write(
        "apis/products.yaml",
        header("Products") + (Object.keys(adoption.products).length > 0 ? stringify(adoption.products, { lineWidth: 0 }) : "{}\n"),
    );
    for (const [file, content] of Object.entries(adoption.productFiles)) {
        write(`apis/${file}`, content);
    }
    // The stack's policy config says what its stack file now says: the service exists (the rules
    // with that fact read it from here under pulumi preview --policy-pack-config).
    const policyConfig = path.join(projectDir, "policies", "config", `${stack}.json`);
    const config = fs.existsSync(policyConfig) ? (JSON.parse(fs.readFileSync(policyConfig, "utf8")) as Record<string, unknown>) : {};
    for (const rule of rules.filter((candidate) => candidate.facts?.includes("serviceExists"))) {
        const own = config[rule.id];
        config[rule.id] = { ...(own !== null && typeof own === "object" && !Array.isArray(own) ? own : {}), serviceExists: true };
    }
    write(path.relative(projectDir, policyConfig), `${JSON.stringify(config, null, 4)}\n`);
    const doc = parseDocument(fs.readFileSync(stackFile, "utf8"));
    doc.setIn(["config", `${project}:location`], adoption.location);
    doc.setIn(["config", `${project}:gateway`], doc.createNode(adoption.gateway));
    write(`Pulumi.${stack}.yaml`, doc.toString({ lineWidth: 0 }));
    return written;
}
