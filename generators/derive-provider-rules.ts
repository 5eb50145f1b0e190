// Derives which Azure resource paths a generic azure-native resource (`azure-native:resources:Resource`)
// cannot create, because Azure creates them with their parent, or cannot delete, because the REST API
// has no DELETE for them, for the API versions @pulumi/azure-native uses, and writes
// commands/plan/provider-paths.json.
//
//   node --require ./scripts/register.js generators/derive-provider-rules.ts <specs> <azure-native> [--out <file>] [--commit <sha>]
//
// <specs> is a checkout of Azure/azure-rest-api-specs, a bare git directory of it (read at HEAD), or
// a directory of extracts laid out like one (each file naming the commit it was copied from under
// `x-extract-of`). <azure-native> is the same for pulumi/pulumi-azure-native, of which only
// provider/pkg/openapi/defaults/defaultResourcesState.go is read (an extract names its commit on an
// `// x-extract-of: <repository> <commit> <path>` line).
//
// A rule is written for every path with a PUT in the scanned spec files that
//   (a) exists as soon as its parent exists:
//       - azure-native's list of default states names it (defaultResourcesState.go,
//         `defaultResourcesStateRaw` and `skipDeleteResources`: "These resources are created
//         automatically by Azure with their parents"), matched the way azure-native matches it
//         (defaults.GetDefaultResourceState: the path normalized as by paths.NormalizePath, with a
//         `?version=` entry first); or
//       - the spec has no DELETE for it and fixes its name: a literal last segment
//         (`portalsettings/signup`) or a last parameter limited to an enum (`tenant/{accessName}`).
//         azure-native calls every path without a DELETE a singleton that "is created by Azure with
//         its parent" (provider/pkg/resources/resources.go, AzureAPIResource.Singleton;
//         provider/pkg/gen/schema.go, isSingleton); this table says so only where the spec fixes the
//         name, since a child whose name is free (`portalRevisions/{portalRevisionId}`,
//         "Creates a new developer portal's revision") is new for each new name;
//   (b) or has no DELETE in the spec.
// Each rule names the typed azure-native resource for the path, where the SDK has one at the same API
// version: azure-native names a resource after its GET operation (`Policy_Get` -> `Policy`,
// provider/pkg/resources ResourceName), and the candidate counts only if its .d.ts exists, uses the same
// API version and takes every path parameter as an input.
// What azure-native does with these facts (the existence check before a create, the DELETE on a
// delete) is read from its source and recorded, with the files and commits, under `provider`.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { openSpecs, sdkApiVersion, sdkArgNames, sdkName, takeOption, type SpecReader } from "./derive-replacements";
import type { ExistsWithParent, GenericResourceFacts, PathRule, ProviderRules } from "../commands/plan/provider-table";
export type { ExistsWithParent, GenericResourceFacts, PathRule, ProviderFact, ProviderRules } from "../commands/plan/provider-table";

interface Parameter {
    $ref?: string;
    name?: string;
    in?: string;
    enum?: string[];
    "x-ms-skip-url-encoding"?: boolean;
}

interface Operation {
    operationId?: string;
    deprecated?: boolean;
    parameters?: Parameter[];
}

type Verb = "get" | "put" | "patch" | "delete" | "head" | "post";
type PathItem = Partial<Record<Verb, Operation>> & { parameters?: Parameter[] };

interface SpecDocument {
    info?: { version?: string };
    paths?: Record<string, PathItem>;
    "x-ms-paths"?: Record<string, PathItem>;
    "x-extract-of"?: { commit?: string };
}

/** A namespace's spec files to scan, at the API version azure-native uses for `sdkToken`'s module. */
export interface ScanTarget {
    namespace: string;
    /** A type of the module, whose .d.ts gives the API version azure-native uses. */
    sdkToken: string;
    /** The version folder of the spec files. */
    specDir: string;
    files: readonly string[];
}

/**
 * The spec files scanned: API Management's service-level settings, portal and policy files at the
 * version the program's generic resources target (components/gateway/portal.ts).
 */
export const scanTargets: readonly ScanTarget[] = [
    {
        namespace: "Microsoft.ApiManagement",
        sdkToken: "azure-native:apimanagement:ApiManagementService",
        specDir: "specification/apimanagement/resource-manager/Microsoft.ApiManagement/stable/2024-05-01",
        files: [
            "apimnotifications.json",
            "apimpolicies.json",
            "apimportalconfigs.json",
            "apimportalrevisions.json",
            "apimportalsettings.json",
            "apimtenant.json",
        ],
    },
];

/** The generic resource: its type, and its PUT path in the Resources spec. */
export const genericTarget = {
    token: "azure-native:resources:Resource",
    specFile: "specification/resources/resource-manager/Microsoft.Resources/stable/2024-03-01/resources.json",
    path: "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}/providers/{resourceProviderNamespace}/{parentResourcePath}/{resourceType}/{resourceName}",
} as const;

/** The file of azure-native's list of default states. */
export const defaultStatesFile = "provider/pkg/openapi/defaults/defaultResourcesState.go";

const azureNativeRepository = "pulumi/pulumi-azure-native";

/**
 * What azure-native does, read from its source (pulumi/pulumi-azure-native, the commits named; the
 * stored versions of files, not checked against the v3.28.0 tag).
 */
const providerFacts: ProviderRules["provider"] = {
    existenceCheck: {
        message: "cannot create already existing resource '%s'",
        defaultStateMessage: "cannot create already existing subresource '%s'",
        facts: [
            {
                file: "provider/pkg/provider/provider.go",
                commit: "006a62afe453b416e5d5c98d2d91c4c7281f52f9",
                function: "azureNativeProvider.Create, defaultCreate",
                says: "every resource without a custom Create goes through defaultCreate, which calls crudClient.CanCreate(ctx, id) before the PUT and fails the create with its error",
            },
            {
                file: "provider/pkg/provider/crud/crud.go",
                commit: "0354c94d74f1042f5013cd9174b52c070cbc3b53",
                function: "resourceCrudClient.CanCreate",
                says: "reads the resource (its read method and path) and passes res.Singleton and res.DefaultBody != nil to the client's CanCreate",
            },
            {
                file: "provider/pkg/azure/client_azcore.go",
                commit: "006a62afe453b416e5d5c98d2d91c4c7281f52f9",
                function: "azCoreClient.CanCreate",
                says: "a 200 is accepted for a singleton; for a resource with a default body it is accepted only in that default state, else \"cannot create already existing subresource '%s'\"; otherwise a 200 with a non-empty JSON body fails with \"cannot create already existing resource '%s'\"; 404 passes",
            },
            {
                file: "provider/pkg/gen/schema.go",
                commit: "00b632f26caaff36280aefa60a0e2ad43a50b1f7",
                function: "genResourceVariant, isSingleton",
                says: "a resource's metadata takes DefaultBody from discovery and Singleton = the path has no DELETE (or is a custom singleton); the generic resource's path has Resources_Delete, so it is no singleton",
            },
            {
                file: "provider/pkg/openapi/discover.go",
                commit: "131070e33cbe9eb31c272d25564b01c75aba3d90",
                function: "addResourcesAndInvokes",
                says: "DefaultBody comes from defaults.GetDefaultResourceState(path, version), by the resource's own path; the generic resource's path is in no default-state list, so it has no default body",
            },
        ],
    },
    delete: {
        facts: [
            {
                file: "provider/pkg/provider/provider.go",
                commit: "006a62afe453b416e5d5c98d2d91c4c7281f52f9",
                function: "azureNativeProvider.Delete",
                says: "a resource that is neither custom nor a singleton is deleted with azureClient.Delete(ctx, id, apiVersion, ...), the API version taken from the inputs where the user gives it (getApiVersion); a singleton is instead reset to its default body",
            },
            {
                file: "provider/pkg/azure/client_azcore.go",
                commit: "006a62afe453b416e5d5c98d2d91c4c7281f52f9",
                function: "azCoreClient.Delete",
                says: "sends DELETE to the id; 200, 202 and 204 succeed, a 404 counts as already deleted, any other answer fails the delete",
            },
        ],
    },
    typedResources: {
        facts: [
            {
                file: "provider/pkg/openapi/discover.go",
                commit: "131070e33cbe9eb31c272d25564b01c75aba3d90",
                function: "addResourcesAndInvokes",
                says: "a path with a PUT and a GET becomes a typed resource only if it has a DELETE or a default state; deprecated operations are left out",
            },
            {
                file: "provider/pkg/resources/resources.go",
                commit: "1b99ef0b634254a11e6182e278313b0542176bc2",
                function: "AzureAPIResource.Singleton, AzureAPIResource.DefaultBody",
                says: '"A singleton resource is created by Azure with its parent. It can\'t be created or deleted explicitly on its own." DefaultBody is "the default state of a resource for resources that are created automatically by Azure"',
            },
            {
                file: defaultStatesFile,
                commit: "89e1a692ae96bd759f119a4288cdde930a1ea4bc",
                function: "defaultResourcesStateRaw, GetDefaultResourceState",
                says: "the list of default states; API Management's global policy (policies/{policyId}) is on it (pulumi/pulumi-azure-native#1729, #3688)",
            },
        ],
    },
};

/** Reads a text file by its path in a repository; undefined when it is absent. */
export type TextReader = (file: string) => string | undefined;

/** azure-native's paths.NormalizePath, without its legacy path mappings: lower case, no `-`, every `{param}` as `{}`. */
export function normalizePath(template: string): string {
    return template
        .replace(/\/$/, "")
        .toLowerCase()
        .replace(/-/g, "")
        .split("/")
        .map((part) => (part.startsWith("{") && part.endsWith("}") ? "{}" : part))
        .join("/");
}

/** The paths of azure-native's default-state list (`defaultResourcesStateRaw`, `skipDeleteResources`), as written. */
export function defaultStatePaths(goSource: string): string[] {
    const keys: string[] = [];
    for (const name of ["defaultResourcesStateRaw", "skipDeleteResources"]) {
        const start = goSource.indexOf(`var ${name} = `);
        if (start === -1) {
            throw new Error(`${defaultStatesFile}: no ${name}`);
        }
        const end = goSource.indexOf("\n}\n", start);
        const block = goSource.slice(start, end === -1 ? undefined : end);
        // Top-level keys only: a nested map's keys are indented further.
        keys.push(...[...block.matchAll(/^\t"([^"]+)":/gm)].map((match) => match[1]));
    }
    return keys;
}

/** Whether azure-native has a default state for a path at an API version (defaults.GetDefaultResourceState). */
export function hasDefaultState(defaults: readonly string[], template: string, apiVersion: string): boolean {
    const normalized = new Set(
        defaults.map((key) => {
            const [pathPart, args = ""] = key.split(/(?=\?)/, 2);
            return normalizePath(pathPart) + args;
        }),
    );
    const target = normalizePath(template);
    return normalized.has(`${target}?version=${apiVersion}`) || normalized.has(target);
}

/** A noun in the singular, the way azure-native's inflector treats operation groups (`SignUpSettings` -> `SignUpSetting`). */
function singular(word: string): string {
    if (/ies$/.test(word)) {
        return `${word.slice(0, -3)}y`;
    }
    if (/(ss|us|is)$/.test(word) || !word.endsWith("s")) {
        return word;
    }
    return word.slice(0, -1);
}

/** The typed resource name azure-native gives a path after its GET operation id (`Policy_Get` -> `Policy`). */
export function resourceNameOf(operationId: string): string {
    const [group, verb = ""] = operationId.replace(/-/g, "_").split("_");
    return singular(group) + verb.replace(/GetProperties|Get|getByName|get|ListByResourceName|List|list|CheckEntityExists/g, "");
}

/** Finds the typed resource for a path: the candidate's token, if the SDK has it at that API version with those path inputs. */
export type TypedLookup = (module: string, name: string, apiVersion: string, pathParameters: readonly string[]) => string | undefined;

/** A {@link TypedLookup} over the installed SDK (its `<module>/<name>.d.ts` files). */
export function sdkTypedLookup(sdkRoot: string): TypedLookup {
    return (module, name, apiVersion, pathParameters) => {
        const token = `azure-native:${module}:${name}`;
        const file = path.join(sdkRoot, module, `${name.charAt(0).toLowerCase()}${name.slice(1)}.d.ts`);
        if (!fs.existsSync(file) || sdkApiVersion(token, sdkRoot) !== apiVersion) {
            return undefined;
        }
        const args = sdkArgNames(token, sdkRoot);
        return pathParameters.every((parameter) => args.includes(sdkName(parameter))) ? token : undefined;
    };
}

/** Resolves a parameter's `$ref` (`./other.json#/parameters/X`, `#/parameters/X`) read in `file`. */
function resolveParameter(read: SpecReader, file: string, parameter: Parameter): Parameter {
    let current = parameter;
    let currentFile = file;
    for (let hops = 0; current.$ref !== undefined; hops++) {
        if (hops > 10) {
            throw new Error(`${file}: $ref loop at ${parameter.$ref}`);
        }
        const [filePart, pointer = ""] = current.$ref.split("#", 2);
        currentFile = filePart ? path.posix.normalize(path.posix.join(path.posix.dirname(currentFile), filePart)) : currentFile;
        let node: unknown = read(currentFile);
        for (const segment of pointer.split("/").filter((part) => part !== "")) {
            node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[segment] : undefined;
        }
        if (node === undefined || node === null || typeof node !== "object") {
            throw new Error(`${file}: $ref ${current.$ref} points at nothing`);
        }
        current = node as Parameter;
    }
    return current;
}

function documentAt(read: SpecReader, file: string): SpecDocument {
    const document = read(file);
    if (document === undefined || document === null || typeof document !== "object") {
        throw new Error(`${file}: not found in the specs`);
    }
    return document as SpecDocument;
}

/** The path parameters of an operation, path-level ones included, resolved. */
function pathParameters(read: SpecReader, file: string, item: PathItem, operation: Operation): Parameter[] {
    return [...(item.parameters ?? []), ...(operation.parameters ?? [])]
        .map((parameter) => resolveParameter(read, file, parameter))
        .filter((parameter) => parameter.in === "path");
}

/**
 * The rules for one spec file: every PUT path that exists with its parent or has no DELETE. Pure: it
 * reads documents only through `read`.
 */
export function derivePathRules(
    read: SpecReader,
    namespace: string,
    module: string,
    specFile: string,
    defaults: readonly string[],
    typed: TypedLookup,
): PathRule[] {
    const document = documentAt(read, specFile);
    const apiVersion = document.info?.version ?? "";
    const items = { ...(document.paths ?? {}), ...(document["x-ms-paths"] ?? {}) };
    const rules: PathRule[] = [];
    for (const [template, item] of Object.entries(items)) {
        const put = item.put;
        if (put === undefined) {
            continue;
        }
        const parameters = pathParameters(read, specFile, item, put);
        const last = template.split("/").pop() ?? "";
        const lastName = /^\{(.+)\}$/.exec(last)?.[1];
        const lastParameter = lastName === undefined ? undefined : parameters.find((parameter) => parameter.name === lastName);
        if (lastName !== undefined && lastParameter === undefined) {
            throw new Error(`${specFile}: the PUT at ${template} declares no path parameter ${lastName}`);
        }
        const deleteOperation = item.delete?.operationId ?? (item.delete ? "" : null);
        let existsWithParent: ExistsWithParent | undefined;
        if (hasDefaultState(defaults, template, apiVersion)) {
            existsWithParent = { reason: "default-state", ...(lastParameter?.enum ? { names: [...lastParameter.enum] } : {}) };
        } else if (deleteOperation === null && lastName === undefined) {
            existsWithParent = { reason: "fixed-name" };
        } else if (deleteOperation === null && lastParameter?.enum !== undefined) {
            existsWithParent = { reason: "fixed-names", names: [...lastParameter.enum] };
        }
        if (existsWithParent === undefined && deleteOperation !== null) {
            continue;
        }
        const readOperation = item.get ?? item.head;
        const names = parameters.map((parameter) => parameter.name ?? "").filter((name) => name !== "subscriptionId");
        const token =
            readOperation?.operationId === undefined
                ? undefined
                : typed(module, resourceNameOf(readOperation.operationId), apiVersion, names);
        rules.push({
            namespace,
            apiVersion,
            path: template,
            specFile,
            put: put.operationId ?? "",
            ...(put.deprecated === true ? { deprecated: true as const } : {}),
            delete: deleteOperation,
            ...(existsWithParent ? { existsWithParent } : {}),
            ...(token
                ? { typed: { token, adoptsExisting: deleteOperation === null || existsWithParent?.reason === "default-state" } }
                : {}),
        });
    }
    return rules;
}

/** The generic resource's path facts, from the Resources spec. */
export function deriveGenericResource(
    read: SpecReader,
    target: { token: string; specFile: string; path: string } = genericTarget,
): GenericResourceFacts {
    const document = documentAt(read, target.specFile);
    const item = document.paths?.[target.path] ?? document["x-ms-paths"]?.[target.path];
    if (item?.put === undefined) {
        throw new Error(`${target.specFile}: no PUT at ${target.path}`);
    }
    const parameters = pathParameters(read, target.specFile, item, item.put);
    return {
        token: target.token,
        apiVersion: document.info?.version ?? "",
        specFile: target.specFile,
        path: target.path,
        unescaped: parameters.filter((parameter) => parameter["x-ms-skip-url-encoding"] === true).map((parameter) => parameter.name ?? ""),
        put: item.put.operationId ?? "",
        delete: item.delete ? (item.delete.operationId ?? "") : null,
    };
}

/** A text reader over a checkout, an extract directory or a bare git directory, and the commit its HEAD is at. */
export function openRepository(location: string): { read: TextReader; commit: string | undefined } {
    const bare = fs.existsSync(path.join(location, "HEAD")) && fs.existsSync(path.join(location, "objects"));
    const gitDir = bare ? location : fs.existsSync(path.join(location, ".git")) ? path.join(location, ".git") : undefined;
    let commit: string | undefined;
    if (gitDir !== undefined) {
        try {
            commit = execFileSync("git", ["--git-dir", gitDir, "rev-parse", "HEAD"], {
                encoding: "utf8",
                stdio: ["ignore", "pipe", "ignore"],
            }).trim();
        } catch {
            commit = undefined;
        }
    }
    const read: TextReader = (file) => {
        if (bare) {
            try {
                return execFileSync("git", ["--git-dir", location, "show", `HEAD:${file}`], {
                    encoding: "utf8",
                    maxBuffer: 16 * 1024 * 1024,
                    stdio: ["ignore", "pipe", "ignore"],
                });
            } catch {
                return undefined;
            }
        }
        const full = path.join(location, file);
        return fs.existsSync(full) ? fs.readFileSync(full, "utf8") : undefined;
    };
    return { read, commit };
}

/** The commit an extract names on its `// x-extract-of: <repository> <commit> <path>` line. */
function extractCommit(text: string): string | undefined {
    return /^\/\/ x-extract-of: \S+ ([0-9a-f]{40}) /m.exec(text)?.[1];
}

/** Derives the whole table from the specs and azure-native at the given locations, checking each API version against the SDK. */
export function deriveAll(
    specsLocation: string,
    azureNativeLocation: string,
    sdkRoot: string,
    options: { commit?: string } = {},
): ProviderRules {
    const specs = openSpecs(specsLocation);
    const azureNative = openRepository(azureNativeLocation);
    const goSource = azureNative.read(defaultStatesFile);
    if (goSource === undefined) {
        throw new Error(`${defaultStatesFile} is not in ${azureNativeLocation}`);
    }
    const defaults = defaultStatePaths(goSource);
    const readFiles = new Set<string>();
    const read: SpecReader = (file) => {
        readFiles.add(file);
        return specs.read(file);
    };
    const typed = sdkTypedLookup(sdkRoot);

    const rules: PathRule[] = [];
    for (const target of scanTargets) {
        const apiVersion = sdkApiVersion(target.sdkToken, sdkRoot);
        if (!target.specDir.endsWith(`/${apiVersion}`)) {
            throw new Error(
                `${target.namespace}: azure-native uses API version ${apiVersion} (${target.sdkToken}), but the table scans ${target.specDir}`,
            );
        }
        const module = target.sdkToken.split(":")[1];
        for (const file of target.files) {
            rules.push(...derivePathRules(read, target.namespace, module, `${target.specDir}/${file}`, defaults, typed));
        }
    }
    rules.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

    const genericVersion = sdkApiVersion(genericTarget.token, sdkRoot);
    if (!genericTarget.specFile.includes(`/${genericVersion}/`)) {
        throw new Error(
            `${genericTarget.token}: azure-native uses API version ${genericVersion}, but the table reads ${genericTarget.specFile}`,
        );
    }
    const genericResource = deriveGenericResource(read);

    const files: Record<string, string> = {};
    for (const file of [...readFiles].sort()) {
        const extractOf = (specs.read(file) as SpecDocument | undefined)?.["x-extract-of"]?.commit;
        if (extractOf !== undefined) {
            files[file] = extractOf;
        }
    }
    const azureNativeCommit = azureNative.commit ?? extractCommit(goSource) ?? "unknown";
    const sdkVersion = (JSON.parse(fs.readFileSync(path.join(sdkRoot, "package.json"), "utf8")) as { version: string }).version;
    return {
        source: {
            specs: {
                repository: "Azure/azure-rest-api-specs",
                commit: options.commit ?? specs.commit ?? (Object.keys(files).length > 0 ? "per file, see files" : "unknown"),
                ...(Object.keys(files).length > 0 ? { files } : {}),
            },
            azureNative: {
                repository: azureNativeRepository,
                commit: azureNativeCommit,
                files: { [defaultStatesFile]: azureNativeCommit },
            },
            sdk: { package: "@pulumi/azure-native", version: sdkVersion },
            note: "derived from the REST specs' operations and path parameters and from azure-native's list of default states; provider behaviour read from azure-native's source at the commits named under provider",
        },
        provider: providerFacts,
        genericResource,
        rules,
    };
}

function main(argv: string[]): void {
    const args = [...argv];
    const option = (name: string) => takeOption(args, name);
    const repoRoot = path.resolve(__dirname, "..");
    const out = option("--out") ?? path.join(repoRoot, "commands", "plan", "provider-paths.json");
    const commit = option("--commit");
    const [specsLocation, azureNativeLocation] = args;
    if (specsLocation === undefined || azureNativeLocation === undefined) {
        process.stderr.write(
            "usage: derive-provider-rules.ts <azure-rest-api-specs> <pulumi-azure-native> [--out <file>] [--commit <sha>]\n",
        );
        process.exit(2);
    }
    const table = deriveAll(specsLocation, azureNativeLocation, path.join(repoRoot, "node_modules", "@pulumi", "azure-native"), { commit });
    fs.writeFileSync(out, `${JSON.stringify(table, null, 2)}\n`);
    process.stdout.write(`${out}: ${table.rules.length} rules\n`);
}

if (require.main === module) {
    main(process.argv.slice(2));
}
