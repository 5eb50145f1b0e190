// Derives, from the Azure REST API specs (Azure/azure-rest-api-specs), which inputs of each
// azure-native resource the program uses force a replacement instead of an update in place, for
// exactly the API versions @pulumi/azure-native uses, and writes commands/plan/replacements.json.
//
//   node --require ./scripts/register.js generators/derive-replacements.ts <specs> [--out <file>] [--commit <sha>] [--only <token>]...
//
// <specs> is a checkout of azure-rest-api-specs (or a directory laid out like one), or a bare git
// directory, read at HEAD with `git show`. A replacement is forced by:
//   1. every path parameter of the resource's PUT except subscriptionId (its name and its parents');
//   2. every body property whose `x-ms-mutability` lacks "update" (it is set on create only),
//      found through `$ref` (in the same file, relative files, common-types), `allOf`, nested
//      objects and array items; `properties` envelopes marked `x-ms-client-flatten` are flattened
//      into their parent, as azure-native does, and `x-ms-client-name` renames, as azure-native does;
//   3. the top-level `location` of the body (only tracked resources have one), where its spec
//      leaves `x-ms-mutability` out: ARM's resource provider contract (RPC-Put-V1-14, checked by
//      the specs' linter rule LocationMustHaveXmsMutability) makes a tracked resource's location
//      create-only. Such entries are listed in the type's `notes`.
// A type whose spec file the given specs lack is left out, or, with --allow-missing, listed with
// the path parameters of its PUT path as the table below gives it (plus `location` where the SDK
// declares one) and `specRead: false`, so a reader knows its body was not checked.
// With --only, just the named types are derived and put into the table already at <file>, whose
// other entries are kept as they are: a type can be added from the spec files it needs alone.
// Each spec file read is recorded with its commit: an extract's own (`x-extract-of`), else that of
// the specs (--commit, or HEAD of a git checkout), so files copied as they are from one commit can
// be added to a table that records commits per file.
// The provider may add rules of its own; this table holds only what the specs say.

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** A JSON schema object of a Swagger 2.0 document, as far as this derivation reads it. */
interface Schema {
    $ref?: string;
    type?: string;
    properties?: Record<string, Schema>;
    allOf?: Schema[];
    items?: Schema;
    additionalProperties?: Schema | boolean;
    readOnly?: boolean;
    discriminator?: string;
    "x-ms-mutability"?: string[];
    "x-ms-client-flatten"?: boolean;
    "x-ms-client-name"?: string;
    "x-ms-azure-resource"?: boolean;
}

interface Parameter {
    $ref?: string;
    name?: string;
    in?: string;
    schema?: Schema;
    "x-ms-client-name"?: string;
}

interface Operation {
    operationId?: string;
    parameters?: Parameter[];
}

/** Reads a spec document by its path in the repository (`specification/...`); undefined when it is absent. */
export type SpecReader = (file: string) => unknown;

/** Which PUT of which spec file an azure-native type is registered through. */
export interface Target {
    /** The azure-native type token, e.g. `azure-native:keyvault:Vault`. */
    token: string;
    /** The spec file, from the repository root. */
    specFile: string;
    /** The path template of the PUT, as written under `paths` (or `x-ms-paths`) in the spec file. */
    path: string;
}

/** What the specs say about one type. */
export interface Derivation {
    operation: string;
    /** SDK input paths whose change forces a replacement: dot-separated, `[*]` for the items of an array (`rules[*].name`), `*` for the values of a map (`identities.*.clientId`). */
    replaceOn: string[];
    /** Where an entry rests on a rule other than the spec's own marks. */
    notes: string[];
}

/**
 * Every azure-native type the program constructs, with the spec file and PUT path of its REST API
 * version. The version itself is read from the SDK (`Uses Azure REST API version X` in the type's
 * .d.ts), and the spec file must sit in that version's folder.
 */
export const targets: readonly Target[] = [
    ...(
        [
            ["Api", "apimapis.json", "/apis/{apiId}"],
            ["ApiManagementService", "apimdeployment.json", ""],
            ["ApiOperationPolicy", "apimapis.json", "/apis/{apiId}/operations/{operationId}/policies/{policyId}"],
            ["ApiPolicy", "apimapis.json", "/apis/{apiId}/policies/{policyId}"],
            ["ApiRelease", "apimapis.json", "/apis/{apiId}/releases/{releaseId}"],
            ["ApiVersionSet", "apimapiversionsets.json", "/apiVersionSets/{versionSetId}"],
            ["Backend", "apimbackends.json", "/backends/{backendId}"],
            ["Certificate", "apimcertificates.json", "/certificates/{certificateId}"],
            ["Diagnostic", "apimdiagnostics.json", "/diagnostics/{diagnosticId}"],
            ["IdentityProvider", "apimidentityprovider.json", "/identityProviders/{identityProviderName}"],
            ["Logger", "apimloggers.json", "/loggers/{loggerId}"],
            ["NamedValue", "apimnamedvalues.json", "/namedValues/{namedValueId}"],
            ["Policy", "apimpolicies.json", "/policies/{policyId}"],
            ["Product", "apimproducts.json", "/products/{productId}"],
            ["ProductApi", "apimproducts.json", "/products/{productId}/apis/{apiId}"],
            ["ProductGroup", "apimproducts.json", "/products/{productId}/groups/{groupId}"],
            ["ProductPolicy", "apimproducts.json", "/products/{productId}/policies/{policyId}"],
            ["Subscription", "apimsubscriptions.json", "/subscriptions/{sid}"],
        ] as const
    ).map(([name, file, sub]) => ({
        token: `azure-native:apimanagement:${name}`,
        specFile: `specification/apimanagement/resource-manager/Microsoft.ApiManagement/stable/2024-05-01/${file}`,
        path: `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ApiManagement/service/{serviceName}${sub}`,
    })),
    {
        token: "azure-native:applicationinsights:Component",
        specFile: "specification/applicationinsights/resource-manager/Microsoft.Insights/stable/2020-02-02/components_API.json",
        path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Insights/components/{resourceName}",
    },
    {
        token: "azure-native:authorization:RoleAssignment",
        specFile:
            "specification/authorization/resource-manager/Microsoft.Authorization/stable/2022-04-01/authorization-RoleAssignmentsCalls.json",
        path: "/{scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}",
    },
    {
        token: "azure-native:authorization:RoleDefinition",
        specFile:
            "specification/authorization/resource-manager/Microsoft.Authorization/preview/2022-05-01-preview/authorization-RoleDefinitionsCalls.json",
        path: "/{scope}/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}",
    },
    {
        token: "azure-native:dns:RecordSet",
        specFile: "specification/dns/resource-manager/Microsoft.Network/preview/2023-07-01-preview/dns.json",
        path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/dnsZones/{zoneName}/{recordType}/{relativeRecordSetName}",
    },
    {
        token: "azure-native:dns:Zone",
        specFile: "specification/dns/resource-manager/Microsoft.Network/preview/2023-07-01-preview/dns.json",
        path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/dnsZones/{zoneName}",
    },
    {
        token: "azure-native:keyvault:Secret",
        specFile: "specification/keyvault/resource-manager/Microsoft.KeyVault/stable/2024-11-01/secrets.json",
        path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.KeyVault/vaults/{vaultName}/secrets/{secretName}",
    },
    {
        token: "azure-native:keyvault:Vault",
        specFile: "specification/keyvault/resource-manager/Microsoft.KeyVault/stable/2024-11-01/keyvault.json",
        path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.KeyVault/vaults/{vaultName}",
    },
    {
        token: "azure-native:loadtestservice:LoadTest",
        specFile:
            "specification/loadtestservice/resource-manager/Microsoft.LoadTestService/preview/2023-12-01-preview/loadtestservice.json",
        path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.LoadTestService/loadTests/{loadTestName}",
    },
    {
        token: "azure-native:logic:Workflow",
        specFile: "specification/logic/resource-manager/Microsoft.Logic/stable/2019-05-01/logic.json",
        path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Logic/workflows/{workflowName}",
    },
    {
        token: "azure-native:managedidentity:UserAssignedIdentity",
        specFile: "specification/msi/resource-manager/Microsoft.ManagedIdentity/stable/2023-01-31/ManagedIdentity.json",
        path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}",
    },
    {
        token: "azure-native:monitor:ActionGroup",
        specFile: "specification/monitor/resource-manager/Microsoft.Insights/preview/2024-10-01-preview/actionGroups_API.json",
        path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Insights/actionGroups/{actionGroupName}",
    },
    {
        token: "azure-native:monitor:AutoscaleSetting",
        specFile: "specification/monitor/resource-manager/Microsoft.Insights/preview/2021-05-01-preview/autoscale_API.json",
        path: "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}/providers/Microsoft.Insights/autoscalesettings/{autoscaleSettingName}",
    },
    {
        token: "azure-native:monitor:DiagnosticSetting",
        specFile: "specification/monitor/resource-manager/Microsoft.Insights/preview/2021-05-01-preview/diagnosticsSettings_API.json",
        path: "/{resourceUri}/providers/Microsoft.Insights/diagnosticSettings/{name}",
    },
    {
        token: "azure-native:monitor:MetricAlert",
        specFile: "specification/monitor/resource-manager/Microsoft.Insights/stable/2018-03-01/metricAlert_API.json",
        path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Insights/metricAlerts/{ruleName}",
    },
    {
        token: "azure-native:operationalinsights:Workspace",
        specFile: "specification/operationalinsights/resource-manager/Microsoft.OperationalInsights/stable/2023-09-01/Workspaces.json",
        path: "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}/providers/Microsoft.OperationalInsights/workspaces/{workspaceName}",
    },
    {
        token: "azure-native:resources:Deployment",
        specFile: "specification/resources/resource-manager/Microsoft.Resources/stable/2024-03-01/deployments.json",
        path: "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}/providers/Microsoft.Resources/deployments/{deploymentName}",
    },
    {
        token: "azure-native:resources:Resource",
        specFile: "specification/resources/resource-manager/Microsoft.Resources/stable/2024-03-01/resources.json",
        path: "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}/providers/{resourceProviderNamespace}/{parentResourcePath}/{resourceType}/{resourceName}",
    },
    {
        token: "azure-native:resources:ResourceGroup",
        specFile: "specification/resources/resource-manager/Microsoft.Resources/stable/2024-03-01/resources.json",
        path: "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}",
    },
    {
        token: "azure-native:storage:BlobContainer",
        specFile: "specification/storage/resource-manager/Microsoft.Storage/stable/2024-01-01/blob.json",
        path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{accountName}/blobServices/default/containers/{containerName}",
    },
    {
        token: "azure-native:storage:BlobServiceProperties",
        specFile: "specification/storage/resource-manager/Microsoft.Storage/stable/2024-01-01/blob.json",
        path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{accountName}/blobServices/{BlobServicesName}",
    },
    {
        token: "azure-native:storage:ManagementPolicy",
        specFile: "specification/storage/resource-manager/Microsoft.Storage/stable/2024-01-01/storage.json",
        path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{accountName}/managementPolicies/{managementPolicyName}",
    },
    {
        token: "azure-native:storage:StorageAccount",
        specFile: "specification/storage/resource-manager/Microsoft.Storage/stable/2024-01-01/storage.json",
        path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{accountName}",
    },
    {
        token: "azure-native:web:Connection",
        specFile: "specification/web/resource-manager/Microsoft.Web/stable/2016-06-01/logicAppsManagementClient.json",
        path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Web/connections/{connectionName}",
    },
    {
        token: "azure-native:web:CustomApi",
        specFile: "specification/web/resource-manager/Microsoft.Web/stable/2016-06-01/logicAppsManagementClient.json",
        path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Web/customApis/{apiName}",
    },
];

/**
 * The SDK's name for a spec name (`x-ms-client-name` when given), camel-cased the way azure-native
 * does: a leading run of capitals is lowered, all but its last letter when a lower-case letter
 * follows (`ARecords` -> `aRecords`, `CNAMERecord` -> `cnameRecord`, `TTL` -> `ttl`), and
 * underscores join words (`Application_Type` -> `applicationType`).
 */
export function sdkName(name: string, clientName?: string): string {
    const [head, ...rest] = (clientName ?? name).split("_").filter((part) => part !== "");
    return lowerFirstWord(head ?? "") + rest.map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join("");
}

function lowerFirstWord(text: string): string {
    const run = /^[A-Z]+/.exec(text)?.[0] ?? "";
    if (run.length === 0) {
        return text;
    }
    if (run.length === text.length || run.length === 1) {
        return run.toLowerCase() + text.slice(run.length);
    }
    return run.slice(0, -1).toLowerCase() + text.slice(run.length - 1);
}

/** Resolves `$ref`s across documents; every schema is paired with the file it was read from. */
class Resolver {
    constructor(private readonly read: SpecReader) {}

    private document(file: string): Record<string, unknown> {
        const document = this.read(file);
        if (document === undefined || document === null || typeof document !== "object") {
            throw new Error(`${file}: not found in the specs`);
        }
        return document as Record<string, unknown>;
    }

    /** Follows `$ref` (repeatedly) from `node` read in `file`; returns the target and its file. */
    resolve<T extends { $ref?: string }>(node: T, file: string): { node: T; file: string } {
        let current: { node: T; file: string } = { node, file };
        for (let hops = 0; current.node.$ref !== undefined; hops++) {
            if (hops > 50) {
                throw new Error(`${file}: $ref loop at ${node.$ref}`);
            }
            current = this.target(current.node.$ref, current.file) as { node: T; file: string };
        }
        return current;
    }

    /** The node a `$ref` (`other.json#/definitions/X`, `#/parameters/Y`) points at. */
    target(ref: string, file: string): { node: unknown; file: string } {
        const [filePart, pointer = ""] = ref.split("#", 2);
        const targetFile = filePart ? path.posix.normalize(path.posix.join(path.posix.dirname(file), filePart)) : file;
        let node: unknown = this.document(targetFile);
        for (const segment of pointer.split("/").filter((part) => part !== "")) {
            const key = decodeURIComponent(segment).replace(/~1/g, "/").replace(/~0/g, "~");
            node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
            if (node === undefined) {
                throw new Error(`${file}: $ref ${ref} points at nothing`);
            }
        }
        return { node, file: targetFile };
    }

    /** The definitions of `file`, for finding the subtypes of a polymorphic schema. */
    definitions(file: string): Record<string, Schema> {
        return (this.document(file).definitions ?? {}) as Record<string, Schema>;
    }
}

interface Property {
    /** The property as written, with any sibling keys of its `$ref`. */
    schema: Schema;
    file: string;
}

/**
 * The properties of an object schema, its own and those of every `allOf` member (recursively);
 * own properties win over inherited ones of the same name.
 */
function propertiesOf(resolver: Resolver, schema: Schema, file: string, seen: Set<string> = new Set()): Map<string, Property> {
    const result = new Map<string, Property>();
    for (const member of schema.allOf ?? []) {
        const resolved = resolver.resolve(member, file);
        const key = `${resolved.file}#${JSON.stringify(member.$ref ?? "")}`;
        if (member.$ref !== undefined && seen.has(key)) {
            continue;
        }
        const inherited = propertiesOf(resolver, resolved.node, resolved.file, new Set([...seen, key]));
        for (const [name, property] of inherited) {
            result.set(name, property);
        }
    }
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
        result.set(name, { schema: property, file });
    }
    return result;
}

/** Definitions of `file` that extend `base` (its subtypes under a discriminator). */
function subtypesOf(resolver: Resolver, base: { node: Schema; file: string }): Array<{ node: Schema; file: string }> {
    const result: Array<{ node: Schema; file: string }> = [];
    for (const definition of Object.values(resolver.definitions(base.file))) {
        for (const member of definition.allOf ?? []) {
            if (member.$ref !== undefined && resolver.resolve(member, base.file).node === base.node) {
                result.push({ node: definition, file: base.file });
            }
        }
    }
    return result;
}

/** Create-only inputs under `schema`, as SDK paths starting with `prefix`. */
function createOnly(resolver: Resolver, schema: Schema, file: string, prefix: string, stack: Set<Schema>, out: Set<string>): void {
    const resolved = resolver.resolve(schema, file);
    if (stack.has(resolved.node)) {
        return;
    }
    const inner = new Set([...stack, resolved.node]);
    const target = resolved.node;
    if (target.items !== undefined) {
        createOnly(resolver, target.items, resolved.file, `${prefix.replace(/\.$/, "")}[*].`, inner, out);
        return;
    }
    if (target.additionalProperties !== undefined && typeof target.additionalProperties === "object") {
        createOnly(resolver, target.additionalProperties, resolved.file, `${prefix}*.`, inner, out);
    }
    const shapes = [resolved, ...(target.discriminator !== undefined ? subtypesOf(resolver, resolved) : [])];
    for (const shape of shapes) {
        for (const [name, property] of propertiesOf(resolver, shape.node, shape.file)) {
            const declared = resolver.resolve(property.schema, property.file);
            if (property.schema.readOnly === true || (property.schema.readOnly === undefined && declared.node.readOnly === true)) {
                continue;
            }
            const mutability = property.schema["x-ms-mutability"] ?? declared.node["x-ms-mutability"];
            const flatten = property.schema["x-ms-client-flatten"] === true;
            const sdk = `${prefix}${sdkName(name, property.schema["x-ms-client-name"])}`;
            if (mutability !== undefined && !mutability.includes("update")) {
                if (mutability.includes("create")) {
                    out.add(sdk);
                }
                continue;
            }
            createOnly(resolver, property.schema, property.file, flatten ? prefix : `${sdk}.`, inner, out);
        }
    }
}

/**
 * What the specs say about one target: its PUT's path parameters and create-only body properties.
 * Pure: it reads the documents only through `read`.
 */
export function derive(read: SpecReader, target: Pick<Target, "specFile" | "path">): Derivation {
    const resolver = new Resolver(read);
    const document = resolver.target("#", target.specFile).node as {
        paths?: Record<string, Record<string, Operation>>;
        "x-ms-paths"?: Record<string, Record<string, Operation>>;
    };
    const item = document.paths?.[target.path] ?? document["x-ms-paths"]?.[target.path];
    const put = item?.put;
    if (put === undefined) {
        throw new Error(`${target.specFile}: no PUT at ${target.path}`);
    }
    const parameters = [...((item as { parameters?: Parameter[] }).parameters ?? []), ...(put.parameters ?? [])].map((parameter) =>
        resolver.resolve(parameter, target.specFile),
    );

    const replaceOn: string[] = [];
    const notes: string[] = [];
    const templateNames = [...target.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
    for (const name of templateNames) {
        if (name === "subscriptionId") {
            continue;
        }
        const parameter = parameters.find((candidate) => candidate.node.in === "path" && candidate.node.name === name);
        if (parameter === undefined) {
            throw new Error(`${target.specFile}: the PUT at ${target.path} declares no path parameter ${name}`);
        }
        replaceOn.push(sdkName(name, parameter.node["x-ms-client-name"]));
    }

    const body = parameters.find((parameter) => parameter.node.in === "body");
    if (body?.node.schema !== undefined) {
        const found = new Set<string>();
        createOnly(resolver, body.node.schema, body.file, "", new Set(), found);
        const bodySchema = resolver.resolve(body.node.schema, body.file);
        const location = propertiesOf(resolver, bodySchema.node, bodySchema.file).get("location");
        if (location !== undefined && !found.has("location") && location.schema.readOnly !== true) {
            const mutability = location.schema["x-ms-mutability"];
            if (mutability === undefined) {
                found.add("location");
                notes.push(
                    "location: the spec gives it no x-ms-mutability; a tracked resource's location is set on create only (ARM RPC-Put-V1-14)",
                );
            }
        }
        replaceOn.push(...[...found].sort());
    }
    return { operation: put.operationId ?? "", replaceOn, notes };
}

/** The REST API version azure-native uses for a type, from its .d.ts. */
export function sdkApiVersion(token: string, sdkRoot: string): string {
    const [, module, name] = token.split(":");
    const file = path.join(sdkRoot, module, `${name.charAt(0).toLowerCase()}${name.slice(1)}.d.ts`);
    const match = /Uses Azure REST API version ([0-9A-Za-z-]+)\./.exec(fs.readFileSync(file, "utf8"));
    if (!match) {
        throw new Error(`${file}: no "Uses Azure REST API version" line`);
    }
    return match[1];
}

/** A reader over a checkout (or a directory laid out like one) or a bare git directory. */
export function openSpecs(location: string): { read: SpecReader; commit: string | undefined } {
    const cache = new Map<string, unknown>();
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
    const read: SpecReader = (file) => {
        if (!cache.has(file)) {
            let text: string | undefined;
            if (bare) {
                try {
                    text = execFileSync("git", ["--git-dir", location, "show", `HEAD:${file}`], {
                        encoding: "utf8",
                        maxBuffer: 64 * 1024 * 1024,
                        stdio: ["ignore", "pipe", "ignore"],
                    });
                } catch {
                    text = undefined;
                }
            } else {
                const full = path.join(location, file);
                text = fs.existsSync(full) ? fs.readFileSync(full, "utf8") : undefined;
            }
            cache.set(file, text === undefined ? undefined : JSON.parse(text.replace(/^\uFEFF/, "")));
        }
        return cache.get(file);
    };
    return { read, commit };
}

/** The table written to commands/plan/replacements.json. */
export interface Replacements {
    source: { repository: string; commit: string; note: string; files?: Record<string, string> };
    types: Record<
        string,
        { apiVersion: string; specFile: string; operation: string; replaceOn: string[]; notes?: string[]; specRead?: false }
    >;
}

/** The input names of a type's `<Class>Args` interface in the SDK. */
export function sdkArgNames(token: string, sdkRoot: string): string[] {
    const [, module, name] = token.split(":");
    const text = fs.readFileSync(path.join(sdkRoot, module, `${name.charAt(0).toLowerCase()}${name.slice(1)}.d.ts`), "utf8");
    const body = new RegExp(`export interface ${name}Args \\{([\\s\\S]*?)\\n\\}`).exec(text)?.[1] ?? "";
    return [...body.matchAll(/^ {4}([A-Za-z0-9_]+)\??:/gm)].map((match) => match[1]);
}

/** For a type whose spec file is not available: its PUT path's parameters, and `location` where the SDK has it. */
function fromPathOnly(target: Target, sdkRoot: string): Derivation {
    const replaceOn = [...target.path.matchAll(/\{([^}]+)\}/g)]
        .map((match) => match[1])
        .filter((name) => name !== "subscriptionId")
        .map((name) => sdkName(name));
    const notes = [
        "the spec's PUT was not available: path parameters are taken from the PUT path in the generator's table, and the body's x-ms-mutability marks were not checked",
    ];
    if (sdkArgNames(target.token, sdkRoot).includes("location")) {
        replaceOn.push("location");
        notes.push("location: the SDK declares a top-level location, which ARM makes create-only for a tracked resource (RPC-Put-V1-14)");
    }
    return { operation: "", replaceOn, notes };
}

/**
 * Derives the whole table from the specs at `location` (or, with `only`, the entries of those types
 * alone), checking each type's API version against the SDK.
 */
export function deriveAll(
    location: string,
    sdkRoot: string,
    options: { commit?: string; allowMissing?: boolean; only?: readonly string[] } = {},
): Replacements {
    const unknown = (options.only ?? []).filter((token) => !targets.some((target) => target.token === token));
    if (unknown.length > 0) {
        throw new Error(`not among the generator's targets: ${unknown.join(", ")}`);
    }
    const specs = openSpecs(location);
    const types: Replacements["types"] = {};
    const files: Record<string, string> = {};
    for (const target of targets) {
        if (options.only !== undefined && !options.only.includes(target.token)) {
            continue;
        }
        const apiVersion = sdkApiVersion(target.token, sdkRoot);
        if (!target.specFile.includes(`/${apiVersion}/`)) {
            throw new Error(`${target.token}: azure-native uses API version ${apiVersion}, but the table names ${target.specFile}`);
        }
        const document = specs.read(target.specFile) as
            { paths?: Record<string, unknown>; "x-ms-paths"?: Record<string, unknown> } | undefined;
        if (
            document === undefined ||
            (options.allowMissing && document.paths?.[target.path] === undefined && document["x-ms-paths"]?.[target.path] === undefined)
        ) {
            if (!options.allowMissing) {
                throw new Error(
                    `${target.token}: ${target.specFile} is not in ${location} (--allow-missing lists the type from its path alone)`,
                );
            }
            const derivation = fromPathOnly(target, sdkRoot);
            types[target.token] = {
                apiVersion,
                specFile: target.specFile,
                operation: derivation.operation,
                replaceOn: derivation.replaceOn,
                notes: derivation.notes,
                specRead: false,
            };
            continue;
        }
        // Every document the derivation reads (the spec file, the files its $refs lead to, common-types).
        const read = new Set<string>();
        const derivation = derive((file) => {
            read.add(file);
            return specs.read(file);
        }, target);
        types[target.token] = {
            apiVersion,
            specFile: target.specFile,
            operation: derivation.operation,
            replaceOn: derivation.replaceOn,
            ...(derivation.notes.length > 0 ? { notes: derivation.notes } : {}),
        };
        // A directory of extracts records, per file, the commit it was copied from; any other file is
        // at the commit of the specs, where that is known.
        for (const file of [target.specFile, ...[...read].sort()]) {
            const extractOf = (specs.read(file) as { "x-extract-of"?: { commit?: string } } | undefined)?.["x-extract-of"]?.commit;
            const fileCommit = extractOf ?? options.commit ?? specs.commit;
            if (fileCommit !== undefined) {
                files[file] = fileCommit;
            }
        }
    }
    const sourceCommit = options.commit ?? specs.commit ?? (Object.keys(files).length > 0 ? "per file, see files" : "unknown");
    return {
        source: {
            repository: "Azure/azure-rest-api-specs",
            commit: sourceCommit,
            note: "derived from the REST specs' path parameters and x-ms-mutability; the provider may add its own rules",
            ...(Object.keys(files).length > 0
                ? { files: Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) }
                : {}),
        },
        types,
    };
}

/**
 * `table` with the entries of `derived` put in, in the targets' order (entries of `table` no target
 * names stay, after them), and the commits of the files `derived` read added. A table that records its
 * commits per file (`files`) takes entries derived at any commit, provided the spec file of each is
 * recorded with its commit; any other must name the same source commit as `derived`, whose files at
 * that commit it implies. A file both record must be at the same commit in each.
 */
export function mergeTables(table: Replacements, derived: Replacements): Replacements {
    const perFile = table.source.files !== undefined;
    if (table.source.repository !== derived.source.repository || (!perFile && table.source.commit !== derived.source.commit)) {
        throw new Error(
            `the table was derived from ${table.source.repository} at ${table.source.commit}, the new entries from ${derived.source.repository} at ${derived.source.commit}`,
        );
    }
    if (perFile) {
        for (const [token, entry] of Object.entries(derived.types)) {
            if (derived.source.files?.[entry.specFile] === undefined) {
                throw new Error(
                    `${token}: the table records a commit for each spec file, but none is known for ${entry.specFile} (name it with --commit)`,
                );
            }
        }
    }
    const files: Record<string, string> = { ...(table.source.files ?? {}) };
    for (const [file, commit] of Object.entries(derived.source.files ?? {})) {
        if (!perFile && commit === table.source.commit) {
            continue;
        }
        if (files[file] !== undefined && files[file] !== commit) {
            throw new Error(`${file}: the table records commit ${files[file]}, the new entries were derived from ${commit}`);
        }
        files[file] = commit;
    }
    const types: Replacements["types"] = {};
    for (const { token } of targets) {
        const entry = derived.types[token] ?? table.types[token];
        if (entry !== undefined) {
            types[token] = entry;
        }
    }
    for (const [token, entry] of Object.entries(table.types)) {
        types[token] ??= entry;
    }
    return {
        source: {
            ...table.source,
            ...(Object.keys(files).length > 0
                ? { files: Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) }
                : {}),
        },
        types,
    };
}

/** Takes `name` and its value out of `args`; undefined when it is not there. The derivations' command lines share it. */
export function takeOption(args: string[], name: string): string | undefined {
    const index = args.indexOf(name);
    return index === -1 ? undefined : args.splice(index, 2)[1];
}

function main(argv: string[]): void {
    const args = [...argv];
    const option = (name: string) => takeOption(args, name);
    const repoRoot = path.resolve(__dirname, "..");
    const out = option("--out") ?? path.join(repoRoot, "commands", "plan", "replacements.json");
    const commit = option("--commit");
    const only: string[] = [];
    let missingToken = false;
    while (args.includes("--only")) {
        const token = option("--only");
        if (token === undefined || token.startsWith("--")) {
            missingToken = true;
            break;
        }
        only.push(token);
    }
    const allowMissing = args.includes("--allow-missing");
    const [location] = args.filter((arg) => arg !== "--allow-missing");
    if (location === undefined || missingToken) {
        process.stderr.write(
            "usage: derive-replacements.ts <azure-rest-api-specs checkout or git dir> [--out <file>] [--commit <sha>] [--allow-missing] [--only <token>]...\n",
        );
        process.exit(2);
    }
    const derived = deriveAll(location, path.join(repoRoot, "node_modules", "@pulumi", "azure-native"), {
        commit,
        allowMissing,
        ...(only.length > 0 ? { only } : {}),
    });
    const table = only.length > 0 ? mergeTables(JSON.parse(fs.readFileSync(out, "utf8")) as Replacements, derived) : derived;
    fs.writeFileSync(out, `${JSON.stringify(table, null, 2)}\n`);
    process.stdout.write(`${out}: ${Object.keys(table.types).length} types\n`);
}

if (require.main === module) {
    main(process.argv.slice(2));
}
