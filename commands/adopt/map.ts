import type * as Libxml2 from "libxml2-wasm" with { "resolution-mode": "import" };
import { gatewayTiers } from "../../components/gateway";
import { regionNameOf } from "../../stacks/regions";
import { httpMethods } from "../../content/catalog";
import { apiSchema } from "../../content/catalog/schema";
import { openApiCheck, operationName } from "../../content/catalog/openapi";
import { readPolicyFile } from "../../content/catalog/policy-files";
import { wsdlCheck, type WsdlSelector } from "../../content/catalog/wsdl";
import { withXml } from "../../content/catalog/xml";
import type { ArmResource, ExportedApi, ServiceExport } from "./export";
import { hasElements, mapPolicy, policyFileSections, userPolicyFile } from "./policy-map";

/**
 * An exported service as this project's files: the catalog (`apis/<api>/api.yaml`, the
 * specifications, policy files, `apis/products.yaml`) and the stack file's `gateway` section, with
 * what could not be adopted (findings: left out, each with what the user can do) and what stops
 * the adoption (refusals: a secret outside Key Vault that an adopted policy needs, a policy that
 * cannot be placed, a tier the program does not deploy).
 */

export interface AdoptedApi {
    folder: string;
    /** The api.yaml, as an object in the order it is written. */
    definition: Record<string, unknown>;
    /** Files in the API's folder, by path relative to it. */
    files: Record<string, string>;
    /** The exported API it comes from. */
    source: string;
    /** The existing backend its policy forwarded to, when it named one. */
    backendId?: string;
}

export interface Adoption {
    apis: AdoptedApi[];
    products: Record<string, Record<string, unknown>>;
    /** Product policy files, directly under `apis/`. */
    productFiles: Record<string, string>;
    /** The stack file's `gateway` section. */
    gateway: Record<string, unknown>;
    /** The stack's region, as the service's location written the way the stack file takes it. */
    location: string;
    findings: string[];
    refusals: string[];
}

/** The catalog's own rules (content/catalog/schema.ts): an API's or a product's name, an API's path. */
const identifier = { test: (text: string) => apiSchema.shape.name.safeParse(text).success };
const catalogPath = { test: (text: string) => apiSchema.shape.path.safeParse(text).success };

/**
 * An ARM location (`West Europe`) as the stack file writes it (`westeurope`): the project's region
 * table's name for it; a region the table does not know, in lower case without spaces (the stack
 * file then names it, and the config check says it is not a region the project deploys to).
 */
export function regionName(location: string): string {
    return regionNameOf(location) ?? location.toLowerCase().replace(/\s+/g, "");
}

/** A catalog identifier made from `text`, or undefined when nothing usable is left. */
function slug(text: string): string | undefined {
    const made = text
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^[^a-z]+/, "")
        .replace(/-+$/, "")
        .slice(0, 40)
        .replace(/-+$/, "");
    return identifier.test(made) ? made : undefined;
}

/** `text` cut to the catalog's `max` characters, saying so in `findings` when it was longer. */
function within(text: string, max: number, what: string, findings: string[]): string {
    if (text.length <= max) {
        return text;
    }
    findings.push(`${what}: ${text.length} characters, cut to the catalog's ${max}: the first pulumi up shortens it`);
    return text.slice(0, max);
}

/**
 * The WSDL service and port an exported SOAP API is adopted with: the first, in document order,
 * that the catalog's own WSDL check takes (a SOAP port with a document-literal binding); with how
 * many there were, or the first one's problems when none passes.
 */
async function wsdlPort(file: string, content: string): Promise<{ selector?: WsdlSelector; ports: number; problems: string[] }> {
    const parsed = await withXml(content, (doc) =>
        (doc.find("//wsdl:service/wsdl:port", { wsdl: "http://schemas.xmlsoap.org/wsdl/" }) as Libxml2.XmlElement[]).map((port) => ({
            service: (port.parent as Libxml2.XmlElement).attr("name")?.value ?? "",
            endpoint: port.attr("name")?.value ?? "",
        })),
    );
    const candidates = "value" in parsed ? parsed.value : [];
    let first: string[] | undefined;
    for (const selector of candidates) {
        const { problems } = await wsdlCheck(file, content, selector);
        if (problems.length === 0) {
            return { selector, ports: candidates.length, problems: [] };
        }
        first ??= problems;
    }
    return { ports: candidates.length, problems: first ?? [`${file}: no wsdl:service with a wsdl:port`] };
}

/**
 * A policy file adopt would write, checked as the catalog will check it (API Management's policy
 * schema, C# expressions, sections, `<base />`): each problem is a refusal naming the exported
 * policy, so nothing written fails the plan over a policy.
 */
async function checkedPolicy(source: string, written: string, content: string, refusals: string[]): Promise<string | undefined> {
    const { problems } = await readPolicyFile(written, content);
    if (problems.length > 0) {
        refusals.push(
            ...problems.map(
                (problem) =>
                    `${source}: cannot be adopted as ${written}: ${problem.slice(written.length + 2)} (fix the policy in the service, or keep this API out of the adoption by removing it from the export, then export or adopt again)`,
            ),
        );
        return undefined;
    }
    return content;
}

/** Maps an export onto the project's files (nothing is written here). */
export async function mapExport(exported: ServiceExport): Promise<Adoption> {
    const findings: string[] = [];
    const refusals: string[] = [];
    const { service } = exported;
    const sku = service.sku?.name;
    if (!gatewayTiers.includes(sku as (typeof gatewayTiers)[number])) {
        refusals.push(
            `service.json: sku.name: "${String(sku)}" is not a tier this program deploys (allowed: ${gatewayTiers.join(", ")}); a new tier would be a new service`,
        );
    }
    const keyVaultValues = new Set(exported.namedValues.filter((value) => value.properties["keyVault"]).map((value) => value.name));
    const plainSecrets = new Set(
        exported.namedValues
            .filter((value) => value.properties["secret"] === true && !value.properties["keyVault"])
            .map((value) => value.name),
    );

    // Products: kept when their id is a catalog id.
    const products: Adoption["products"] = {};
    const productFiles: Adoption["productFiles"] = {};
    for (const { product, groups, policy } of exported.products) {
        const id = product.name;
        if (!identifier.test(id)) {
            findings.push(
                `product ${id}: not adopted: its id is not a catalog product name (2-40 lower-case letters, digits and hyphens, starting with a letter), and the id is in its resource id; it stays in the service as it is, unmanaged`,
            );
            continue;
        }
        const p = product.properties;
        const definition: Record<string, unknown> = {
            displayName: within(String(p["displayName"] ?? id), 300, `product ${id}: displayName`, findings),
            description: within(
                String(p["description"] || `${String(p["displayName"] ?? id)} (adopted from ${service.name}).`),
                1000,
                `product ${id}: description`,
                findings,
            ),
        };
        if (typeof p["subscriptionsLimit"] === "number") {
            definition["subscriptionsLimit"] = p["subscriptionsLimit"];
        }
        if (p["subscriptionRequired"] === false || p["approvalRequired"] === false || p["state"] === "notPublished") {
            findings.push(
                `product ${id}: the program publishes every product with subscriptions required and approved by an administrator (it was subscriptionRequired ${String(p["subscriptionRequired"])}, approvalRequired ${String(p["approvalRequired"])}, state ${String(p["state"])}): the first pulumi up changes that`,
            );
        }
        const otherGroups = groups.map((group) => group.name).filter((group) => group !== "developers");
        if (otherGroups.length > 0) {
            findings.push(
                `product ${id}: its groups ${otherGroups.join(", ")} stay linked, unmanaged; the program manages its link to developers`,
            );
        }
        // A policy of <base /> alone does nothing: no file, and the service's stays as it is.
        const sections = policy ? await policyFileSections(policy.file, policy.value, findings, refusals) : undefined;
        if (policy && sections && hasElements(sections)) {
            const file = await checkedPolicy(policy.file, `apis/${id}-policy.xml`, userPolicyFile(sections), refusals);
            if (file !== undefined) {
                productFiles[`${id}-policy.xml`] = file;
                definition["policy"] = `${id}-policy.xml`;
            }
        }
        products[id] = definition;
    }
    const productsOf = (api: string) =>
        exported.products
            .filter((entry) => entry.product.name in products && entry.apis.some((candidate) => candidate.name === api))
            .map((entry) => entry.product.name);

    // APIs.
    const apis: AdoptedApi[] = [];
    const backends: Record<string, { url: string }> = {};
    const names = new Map<string, string>();
    for (const api of exported.apis) {
        const adopted = await mapApi(exported, api, { keyVaultValues, plainSecrets, productsOf, names, findings, refusals });
        if (adopted) {
            apis.push(adopted.api);
            if (adopted.backendUrl) {
                backends[String(adopted.api.definition["name"])] = { url: adopted.backendUrl };
            }
        }
    }

    // The service.
    const p = service.properties;
    const regions = (p["additionalLocations"] ?? []) as Array<{ location: string; sku?: { capacity?: number }; zones?: string[] }>;
    const gateway: Record<string, unknown> = {
        sku,
        capacity: service.sku?.capacity ?? 1,
        ...(service.zones?.length ? { zones: service.zones } : {}),
        ...(regions.length > 0
            ? {
                  additionalLocations: regions.map((region) => ({
                      location: regionName(region.location),
                      capacity: region.sku?.capacity ?? 1,
                      ...(region.zones?.length ? { zones: region.zones } : {}),
                  })),
              }
            : {}),
        publisherName: p["publisherName"],
        publisherEmail: p["publisherEmail"],
        backends,
        serviceName: service.name,
        resourceGroup: exported.resourceGroup.name,
        // The service exists: API Management's managed certificate may be asked for.
        serviceExists: true,
    };
    const usedBackends = new Set(apis.map((api) => api.backendId).filter((id) => id !== undefined));
    for (const backend of exported.backends) {
        if (!usedBackends.has(backend.name)) {
            findings.push(
                `backends.json: ${backend.name}: no adopted API forwards to it; it stays in the service, unmanaged (the program makes one backend per API, named after it)`,
            );
        }
    }
    const signUp = exported.portalSettings.find((setting) => setting.name === "signup");
    if (signUp?.properties["enabled"] === true) {
        gateway["portalSignUp"] = true;
        findings.push(
            "portalsettings signup: enabled, so gateway.portalSignUp: true keeps it; the program's default is off (such accounts land in the Developers group and see every product shown to it)",
        );
    }
    if (p["virtualNetworkType"] && p["virtualNetworkType"] !== "None") {
        findings.push(
            `service ${service.name}: virtualNetworkType ${String(p["virtualNetworkType"])} is outside the reference architecture (a public gateway); the program does not model it, and its update of the service would leave it unset: review the diff before pulumi up`,
        );
    }
    for (const [file, list, what] of [
        ["loggers.json", exported.loggers, "logger"],
        ["diagnostics.json", exported.diagnostics, "diagnostic"],
        ["identityProviders.json", exported.identityProviders, "identity provider"],
        ["certificates.json", exported.certificates, "certificate"],
        ["apiVersionSets.json", exported.apiVersionSets, "version set"],
    ] as const) {
        for (const resource of list) {
            findings.push(
                `${file}: ${what} ${resource.name}: not adopted from the export; the program makes its own ${what}s (the plan below shows which), and one with the same id is imported and updated; any other stays, unmanaged`,
            );
        }
    }
    const used = new Set(
        apis.flatMap((api) =>
            [
                ...Object.values(api.files)
                    .join("\n")
                    .matchAll(/\{\{([A-Za-z0-9._-]+)\}\}/g),
            ].map((match) => match[1]!),
        ),
    );
    for (const value of exported.namedValues) {
        if (!used.has(value.name)) {
            findings.push(
                `namedValues.json: ${value.name}: no adopted policy uses it; it stays in the service, unmanaged${plainSecrets.has(value.name) ? " (a secret kept in API Management: move it to Key Vault when a policy is to use it)" : ""}`,
            );
        }
    }
    return { apis, products, productFiles, gateway, location: regionName(service.location ?? ""), findings, refusals };
}

interface ApiContext {
    keyVaultValues: ReadonlySet<string>;
    plainSecrets: ReadonlySet<string>;
    productsOf: (api: string) => string[];
    names: Map<string, string>;
    findings: string[];
    refusals: string[];
}

async function mapApi(
    exported: ServiceExport,
    api: ExportedApi,
    ctx: ApiContext,
): Promise<{ api: AdoptedApi; backendUrl?: string } | undefined> {
    const { findings } = ctx;
    const skip = (why: string) => {
        findings.push(`api ${api.id}: not adopted: ${why}; it stays in the service as it is, unmanaged`);
        return undefined;
    };
    const p = api.current.properties;
    const type = (p["type"] ?? p["apiType"] ?? "http") as string;
    if (type !== "http" && type !== "soap") {
        return skip(`a ${type} API is outside the reference architecture (allowed: HTTP APIs from OpenAPI, SOAP pass-through from WSDL)`);
    }
    const soap = type === "soap";
    const numbers = api.revisions.map((revision) => revision.revision);
    if (numbers.length === 0 || numbers.some((number, i) => number !== i + 1)) {
        return skip(
            `its revisions are ${numbers.join(", ") || "none"} (allowed: 1, 2, ... without gaps: the catalog numbers revisions that way)`,
        );
    }
    const path = String(p["path"] ?? "");
    if (!catalogPath.test(path)) {
        return skip(
            `its path "${path}" is not lower-case segments separated by / (the catalog's rule), and changing it changes every caller's URL`,
        );
    }
    const current = api.revisions.find((revision) => revision.isCurrent) ?? api.revisions.at(-1)!;
    const policy = current.policy
        ? await mapPolicy(current.policy.file, current.policy.value, ctx.keyVaultValues)
        : { roles: [], validatesTokens: false, user: { inbound: [], outbound: [], "on-error": [] }, notes: [], refusals: [] };
    const backend = policy.backend?.backendId
        ? exported.backends.find((candidate) => candidate.name === policy.backend!.backendId)
        : undefined;
    if (backend && /Microsoft\.Logic\/workflows/i.test(String(backend.properties["resourceId"] ?? ""))) {
        return skip("it forwards to a Logic App; add the workflow under workflows/ and a logicApp API for it (docs/workflows.md)");
    }
    const products = ctx.productsOf(api.id);
    if (products.length === 0) {
        return skip("it is in no product the catalog adopts (every catalog API is in one or more products, and needs a subscription)");
    }
    const version = typeof p["apiVersion"] === "string" && /^v[0-9]{1,3}$/.test(p["apiVersion"]) ? p["apiVersion"] : "v1";
    const versionSet = exported.apiVersionSets.find((set) => set.id.toLowerCase() === String(p["apiVersionSetId"] ?? "").toLowerCase());
    // The name: the version set's, the API's id when it is a catalog name already, else made from
    // its path or display name (an id such as 57d1f7558aa04f15146d9d8a says nothing).
    const name =
        (versionSet ? slug(versionSet.name) : undefined) ??
        (identifier.test(api.id) ? api.id : undefined) ??
        slug(path) ??
        slug(String(p["displayName"] ?? ""));
    if (!name) {
        return skip("no catalog name can be made from its id, path or display name");
    }
    if (p["apiVersion"] !== version) {
        findings.push(
            `api ${api.id}: its version ${p["apiVersion"] ? `"${String(p["apiVersion"])}"` : "(none)"} becomes ${version} in a path segment (the catalog's versioning): callers' URLs change from /${path}/... to /${path}/${version}/...`,
        );
    }
    if (versionSet && versionSet.properties["versioningScheme"] !== "Segment") {
        findings.push(
            `api ${api.id}: its version set ${versionSet.name} tells versions apart by ${String(versionSet.properties["versioningScheme"])}; the catalog uses a path segment: callers change`,
        );
    }
    const owner = ctx.names.get(`${name} ${version}`);
    if (owner) {
        return skip(`its name ${name} ${version} is already that of ${owner}`);
    }
    ctx.names.set(`${name} ${version}`, api.id);
    for (const refusal of policy.refusals) {
        ctx.refusals.push(refusal);
    }
    const notes = [...policy.notes];
    // Named values the user's elements use: a backend key is recognised; another must be definable.
    const userText = [...policy.user.inbound, ...policy.user.outbound, ...policy.user["on-error"]];
    const referenced = [...new Set(userText.flatMap((text) => [...text.matchAll(/\{\{([A-Za-z0-9._-]+)\}\}/g)].map((match) => match[1]!)))];
    for (const value of referenced) {
        if (ctx.plainSecrets.has(value)) {
            ctx.refusals.push(
                `${current.policy!.file}: {{${value}}} is a secret kept in API Management, not in Key Vault (allowed: a Key Vault reference: put the value in a Key Vault secret, make ${value} a Key Vault named value, export again); adopt never writes a secret's value to a file`,
            );
        }
    }
    const droppable = referenced.filter((value) => !ctx.plainSecrets.has(value));
    if (droppable.length > 0) {
        for (const section of ["inbound", "outbound", "on-error"] as const) {
            policy.user[section] = policy.user[section].filter((text) => {
                const uses = droppable.filter((value) => text.includes(`{{${value}}}`));
                if (uses.length > 0) {
                    notes.push(
                        `${current.policy!.file}: ${section}: ${text.split("\n")[0]!.trim()} uses ${uses.map((value) => `{{${value}}}`).join(", ")}, a named value the catalog does not define (only backend keys and workflow signatures); left out of policy.xml, so the first pulumi up removes it from the API's policy`,
                    );
                    return false;
                }
                return true;
            });
        }
    }
    const folder =
        ctx.names.size > 0 && [...ctx.names.keys()].filter((key) => key.startsWith(`${name} `)).length > 1 ? `${name}-${version}` : name;
    const files: Record<string, string> = {};
    const specFile = soap ? `${name}.wsdl` : "openapi.json";
    // Revision 1 is the API itself; later revisions follow (a catalog API starts at revision 1).
    files[specFile] = api.revisions[0]!.spec.content;
    // Every method any revision's operations use, as the catalog reads the documents: one group
    // covers them all (no method is answered 405).
    const operations = soap
        ? []
        : await Promise.all(
              api.revisions.map(async (revision) => (await openApiCheck(revision.spec.file, revision.spec.content)).operations),
          );
    const methods = soap
        ? ["POST"]
        : httpMethods.filter((method) => operations.some((list) => list.some((operation) => operation.method === method)));
    const definition: Record<string, unknown> = {
        name,
        ...(api.id !== `${name}-${version}` ? { apiId: api.id } : {}),
        displayName: within(String(p["displayName"] ?? name), 300, `api ${api.id}: displayName`, notes),
        description: within(
            String(p["description"] || `${String(p["displayName"] ?? name)} (adopted from ${exported.service.name}).`),
            1000,
            `api ${api.id}: description`,
            notes,
        ),
        path,
        version,
        kind: soap ? "soap" : "openapi",
        spec: specFile,
    };
    if (soap) {
        const { selector, ports, problems } = await wsdlPort(api.revisions[0]!.spec.file, api.revisions[0]!.spec.content);
        if (!selector) {
            return skip(`no port of its exported WSDL is one the catalog publishes: ${problems.join("; ")}`);
        }
        if (ports > 1) {
            notes.push(
                `${api.revisions[0]!.spec.file}: ${ports} ports; adopted with service ${selector.service}, port ${selector.endpoint}, the first the catalog publishes`,
            );
        }
        definition["wsdl"] = selector;
    }
    if (policy.backendKey) {
        definition["backendApiKey"] = { header: policy.backendKey.header };
        notes.push(
            `api ${api.id}: its backend key (header ${policy.backendKey.header}, named value ${policy.backendKey.namedValue}) moves to the stack's Key Vault: set the secret ${name}-backend-key there to the same value before pulumi up; ${policy.backendKey.namedValue} stays in the service, unmanaged`,
        );
    }
    definition["products"] = products;
    const roles = policy.roles.filter((role) => /^[A-Za-z][A-Za-z0-9._-]{0,119}$/.test(role));
    const role = roles[0] ?? `${name.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase())}.Call`;
    if (!policy.validatesTokens || roles.length === 0) {
        notes.push(
            `api ${api.id}: ${policy.validatesTokens ? "its token check required no role" : "it checked no token"}; the program's gateway validates an Entra ID token with the role ${role} on every call: callers need it (app role of the API application)`,
        );
    } else if (roles.length > 1) {
        notes.push(
            `api ${api.id}: its token check accepted any of ${roles.join(", ")}; the catalog requires one role per group of methods: ${role}`,
        );
    }
    if (!policy.rateLimit) {
        notes.push(
            `api ${api.id}: it had no rate limit per subscription; the program adds one, 1000 calls a minute (policy.rateLimit in apis/${folder}/api.yaml)`,
        );
    }
    definition["policy"] = {
        rateLimit: policy.rateLimit ?? { calls: 1000, renewalPeriod: 60 },
        ...(policy.cacheDuration !== undefined && policy.cacheDuration > 0 && !soap
            ? { cacheDuration: Math.min(policy.cacheDuration, 3600) }
            : {}),
        access: [{ name: "call", methods: methods.length > 0 ? methods : ["GET"], role }],
    };
    if (hasElements(policy.user)) {
        const content = await checkedPolicy(current.policy!.file, `apis/${folder}/policy.xml`, userPolicyFile(policy.user), ctx.refusals);
        if (content !== undefined) {
            files["policy.xml"] = content;
        }
    }
    // Revisions after the first: each with its own spec when it differs from the one before; those
    // after the current one staged.
    const revisions = api.revisions.slice(1).map((revision, i) => {
        const before = api.revisions[i]!;
        const own = revision.spec.content !== before.spec.content;
        if (own) {
            files[soap ? `${name}-rev${revision.revision}.wsdl` : `openapi-rev${revision.revision}.json`] = revision.spec.content;
        }
        return {
            revision: revision.revision,
            description: String(
                revision.api.properties["apiRevisionDescription"] ||
                    `Revision ${revision.revision}, adopted from ${exported.service.name}.`,
            ).slice(0, 256),
            notes: `Revision ${revision.revision}, adopted from ${exported.service.name}.`,
            ...(own ? { spec: soap ? `${name}-rev${revision.revision}.wsdl` : `openapi-rev${revision.revision}.json` } : {}),
            ...(revision.revision > current.revision ? { staged: true } : {}),
        };
    });
    if (revisions.length > 0) {
        definition["revisions"] = revisions;
    }
    if (current.revision > 1) {
        notes.push(
            current.revision === 2
                ? `api ${api.id}: its ${api.releases.length} release(s) stay in its change log, unmanaged; the program creates release rev-2 for revision 2, current already`
                : `api ${api.id}: its ${api.releases.length} release(s) stay in its change log, unmanaged; the program creates release rev-<n> for each released revision 2-${current.revision}, and a release makes its revision current: during pulumi up revisions 2-${current.revision} are made current in turn, seconds apart, ending with ${current.revision}, current now`,
        );
    }
    for (const revision of api.revisions) {
        if (revision !== current && (revision.policy?.value ?? "") !== (current.policy?.value ?? "")) {
            notes.push(
                `api ${api.id}: revision ${revision.revision}'s policy differs from the current revision's; the catalog gives every revision one policy (the current one's)`,
            );
        }
    }
    // Operation policies of the current revision.
    for (const [operation, found] of Object.entries(current.operationPolicies)) {
        if (soap) {
            notes.push(
                `${found.file}: not adopted: the catalog takes no operation policies on a SOAP API (API Management names imported SOAP operations itself); the first pulumi up leaves it as it is`,
            );
            continue;
        }
        const currentOperations = operations[api.revisions.indexOf(current)] ?? [];
        if (!currentOperations.some((candidate) => candidate.operationId === operation)) {
            notes.push(
                `${found.file}: not adopted: the operation ${operation} has no operationId ${operation} in the exported specification (the catalog names operation files by operationId); the first pulumi up leaves it as it is`,
            );
            continue;
        }
        if (operationName(operation) !== operation) {
            notes.push(
                `${found.file}: not adopted: the operation's name ${operation} is not one the catalog keeps as a file name (lower-case letters, digits, single hyphens)`,
            );
            continue;
        }
        const sections = await policyFileSections(found.file, found.value, notes, ctx.refusals);
        const content =
            sections && hasElements(sections)
                ? await checkedPolicy(found.file, `apis/${folder}/operations/${operation}.xml`, userPolicyFile(sections), ctx.refusals)
                : undefined;
        if (content !== undefined) {
            files[`operations/${operation}.xml`] = content;
        }
    }
    findings.push(...notes);
    const url = backend ? String(backend.properties["url"] ?? "") : (policy.backend?.baseUrl ?? String(p["serviceUrl"] ?? ""));
    if (!/^https:\/\//.test(url)) {
        findings.push(
            `api ${api.id}: its backend URL "${url}" is not https; the program refuses plain HTTP backends: gateway.backends.${name}.url is left out of the stack file: set it to the backend's https URL`,
        );
        return { api: { folder, definition, files, source: api.id, ...(backend ? { backendId: backend.name } : {}) } };
    }
    return { api: { folder, definition, files, source: api.id, ...(backend ? { backendId: backend.name } : {}) }, backendUrl: url };
}

export type { ArmResource };
