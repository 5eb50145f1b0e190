import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "../../engine";
import { apiEntries, operationPolicyEntry, productEntries, revisionEntries, serviceEntries } from "./layout";

/**
 * An API Management service as an export holds it (commands/adopt/layout.ts): Azure Resource
 * Manager's JSON, read and checked for the shape `npm run adopt` needs. Every problem names the
 * file and the key.
 */

/** A resource as ARM returns it: `id`, `name`, `properties`, and for tracked resources `location`, `sku`, `zones`, `identity`, `tags`. */
export interface ArmResource {
    id: string;
    name: string;
    type?: string;
    location?: string;
    sku?: { name?: string; capacity?: number };
    zones?: string[];
    identity?: { type?: string; userAssignedIdentities?: Record<string, unknown> };
    tags?: Record<string, string>;
    properties: Record<string, any>;
}

export interface ExportedRevision {
    /** The revision number. */
    revision: number;
    isCurrent: boolean;
    /** The revision as `GET apis/<api>;rev=<n>` returns it. */
    api: ArmResource;
    /** The exported specification: its file in the export and its text. */
    spec: { file: string; content: string; kind: "openapi+json" | "wsdl" };
    /** The revision's policy (rawxml), when it has one. */
    policy?: ExportedPolicy;
    operations: ArmResource[];
    /** Operation policies (rawxml), by operation name. */
    operationPolicies: Record<string, ExportedPolicy>;
}

export interface ExportedPolicy {
    /** The file it was read from (for messages). */
    file: string;
    id: string;
    /** The policy document as API Management's `rawxml` format gives it. */
    value: string;
}

export interface ExportedApi {
    /** The API's id without `;rev=`. */
    id: string;
    /** The current revision, as the API list gives it. */
    current: ArmResource;
    /** Every revision, by number. */
    revisions: ExportedRevision[];
    releases: ArmResource[];
}

export interface ExportedProduct {
    product: ArmResource;
    apis: ArmResource[];
    groups: ArmResource[];
    policy?: ExportedPolicy;
}

export interface ServiceExport {
    dir: string;
    service: ArmResource;
    resourceGroup: ArmResource;
    /** The subscription, from the service's id. */
    subscriptionId: string;
    policy?: ExportedPolicy;
    apis: ExportedApi[];
    apiVersionSets: ArmResource[];
    products: ExportedProduct[];
    backends: ArmResource[];
    namedValues: ArmResource[];
    loggers: ArmResource[];
    diagnostics: ArmResource[];
    identityProviders: ArmResource[];
    certificates: ArmResource[];
    portalSettings: ArmResource[];
    /**
     * Every exported resource by its ARM id in lower case (ARM ids ignore case): its id as
     * exported, the file it was read from, and the resource (a policy as `{ format, value }`
     * properties; a product's API or group link with no properties).
     */
    ids: Map<string, { id: string; file: string; resource: ArmResource }>;
}

/** Reads what `scripts` wrote; every problem of the export at once, each naming its file. */
class Reader {
    readonly problems: string[] = [];
    constructor(readonly dir: string) {}

    json(file: string, optional = false): unknown {
        const full = path.join(this.dir, file);
        if (!fs.existsSync(full)) {
            if (!optional) {
                this.problems.push(`${file}: missing (allowed: the file npm run export-apim writes; export the service again)`);
            }
            return undefined;
        }
        try {
            return JSON.parse(fs.readFileSync(full, "utf8").replace(/^\uFEFF/, ""));
        } catch (error) {
            this.problems.push(`${file}: is not JSON (${(error as Error).message})`);
            return undefined;
        }
    }

    resource(value: unknown, file: string, at: string): ArmResource | undefined {
        const where = at ? `${file}: ${at}` : file;
        if (!value || typeof value !== "object" || Array.isArray(value)) {
            this.problems.push(`${where}: is not a resource (allowed: an object with id, name and properties, as ARM returns it)`);
            return undefined;
        }
        const resource = value as Partial<ArmResource>;
        for (const key of ["id", "name"] as const) {
            if (typeof resource[key] !== "string" || resource[key] === "") {
                this.problems.push(
                    `${where}${at ? "." : ": "}${key}: missing (allowed: the resource's ${key === "id" ? "ARM id" : "name"})`,
                );
                return undefined;
            }
        }
        if (resource.properties !== undefined && (typeof resource.properties !== "object" || Array.isArray(resource.properties))) {
            this.problems.push(`${where}${at ? "." : ": "}properties: is not an object`);
            return undefined;
        }
        return { ...resource, properties: resource.properties ?? {} } as ArmResource;
    }

    get(file: string, optional = false): ArmResource | undefined {
        const value = this.json(file, optional);
        return value === undefined ? undefined : this.resource(value, file, "");
    }

    list(file: string): ArmResource[] {
        return this.items(file).flatMap((item, i) => this.resource(item, file, `value[${i}]`) ?? []);
    }

    /** A list's items as they are (an API's revisions are not ARM resources). */
    items(file: string): Record<string, any>[] {
        const value = this.json(file) as { value?: unknown } | undefined;
        if (value === undefined) {
            return [];
        }
        if (!Array.isArray(value.value)) {
            this.problems.push(`${file}: value: missing or not a list (allowed: { "value": [ ... ] }, a list as ARM returns it)`);
            return [];
        }
        return value.value as Record<string, any>[];
    }

    policy(file: string): ExportedPolicy | undefined {
        const resource = this.get(file, true);
        if (!resource) {
            return undefined;
        }
        const value = resource.properties["value"];
        if (typeof value !== "string") {
            this.problems.push(`${file}: properties.value: missing (allowed: the policy document; export it with format=rawxml)`);
            return undefined;
        }
        const format = resource.properties["format"];
        if (format !== undefined && format !== "rawxml" && format !== "xml") {
            this.problems.push(`${file}: properties.format: "${String(format)}" is not a policy document format (allowed: rawxml, xml)`);
            return undefined;
        }
        return { file, id: resource.id, value };
    }
}

/** The subscription of an ARM id. */
export function subscriptionOf(id: string): string | undefined {
    return /^\/subscriptions\/([^/]+)\//i.exec(id)?.[1];
}

/** Reads an export directory; throws a UserError listing every problem, each with its file. */
export function readExport(dir: string): ServiceExport {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        throw new UserError(`--from ${dir}: is not a directory (allowed: the directory npm run export-apim wrote)`);
    }
    const reader = new Reader(dir);
    const [serviceEntry, groupEntry, policyEntry] = serviceEntries;
    const service = reader.get(serviceEntry!.file);
    const resourceGroup = reader.get(groupEntry!.file);
    const policy = reader.policy(policyEntry!.file);
    const lists = Object.fromEntries(
        serviceEntries.filter((entry) => entry.call === "LIST").map((entry) => [entry.file, reader.list(entry.file)]),
    );
    const apis: ExportedApi[] = [];
    for (const current of lists["apis.json"]!) {
        const [revisionsEntry, releasesEntry] = apiEntries(current.name);
        const soap = current.properties["type"] === "soap" || current.properties["apiType"] === "soap";
        const revisions: ExportedRevision[] = [];
        for (const [i, item] of reader.items(revisionsEntry!.file).entries()) {
            const number = Number(item["apiRevision"]);
            if (!Number.isInteger(number) || number < 1) {
                reader.problems.push(
                    `${revisionsEntry!.file}: value[${i}].apiRevision: ${JSON.stringify(item["apiRevision"])} is not a revision number (allowed: 1 or more)`,
                );
                continue;
            }
            const entries = revisionEntries(current.name, String(number), soap);
            const api = reader.get(entries[0]!.file);
            const specFile = entries[2]!.file;
            const specPath = path.join(dir, specFile);
            const spec = fs.existsSync(specPath)
                ? { file: specFile, content: fs.readFileSync(specPath, "utf8"), kind: soap ? ("wsdl" as const) : ("openapi+json" as const) }
                : undefined;
            if (!spec) {
                reader.problems.push(
                    `${specFile}: missing (allowed: the document at the link in ${entries[1]!.file}; export the service again)`,
                );
            }
            const operations = reader.list(entries[4]!.file);
            const operationPolicies = Object.fromEntries(
                operations.flatMap((operation) => {
                    const found = reader.policy(operationPolicyEntry(current.name, String(number), operation.name).file);
                    return found ? [[operation.name, found]] : [];
                }),
            );
            if (api && spec) {
                const policy = reader.policy(entries[3]!.file);
                revisions.push({
                    revision: number,
                    isCurrent: item["isCurrent"] === true,
                    api,
                    spec,
                    ...(policy ? { policy } : {}),
                    operations,
                    operationPolicies,
                });
            }
        }
        revisions.sort((a, b) => a.revision - b.revision);
        apis.push({ id: current.name, current, revisions, releases: reader.list(releasesEntry!.file) });
    }
    const products = lists["products.json"]!.map((product) => {
        const [apisEntry, groupsEntry, productPolicy] = productEntries(product.name);
        const found = reader.policy(productPolicy!.file);
        return { product, apis: reader.list(apisEntry!.file), groups: reader.list(groupsEntry!.file), ...(found ? { policy: found } : {}) };
    });
    const subscriptionId = service ? subscriptionOf(service.id) : undefined;
    if (service && !subscriptionId) {
        reader.problems.push(
            `service.json: id: "${service.id}" is not an ARM id (allowed: /subscriptions/<id>/resourceGroups/<name>/providers/...)`,
        );
    }
    if (reader.problems.length > 0 || !service || !resourceGroup || !subscriptionId) {
        throw new UserError(`The export in ${dir} cannot be read:\n${reader.problems.map((problem) => `  ${problem}`).join("\n")}`);
    }
    const ids: ServiceExport["ids"] = new Map();
    const add = (id: string, file: string, resource?: ArmResource) =>
        ids.set(id.toLowerCase(), { id, file, resource: resource ?? { id, name: id.split("/").pop()!, properties: {} } });
    const asResource = (found: ExportedPolicy): ArmResource => ({
        id: found.id,
        name: "policy",
        properties: { format: "rawxml", value: found.value },
    });
    add(service.id, "service.json", service);
    add(resourceGroup.id, "resource-group.json", resourceGroup);
    if (policy) {
        add(policy.id, policy.file, asResource(policy));
    }
    for (const api of apis) {
        for (const revision of api.revisions) {
            // A revision's id is `<api>;rev=<n>` (the 2024-05-01 spec's ApiIdParameter: "Non-current
            // revision has ;rev=n as a suffix"); the current one answers to both.
            add(
                `${service.id}/apis/${api.id};rev=${revision.revision}`,
                revisionEntries(api.id, String(revision.revision), false)[0]!.file,
                revision.api,
            );
            if (revision.policy) {
                add(
                    `${service.id}/apis/${api.id};rev=${revision.revision}/policies/policy`,
                    revision.policy.file,
                    asResource(revision.policy),
                );
            }
            for (const [operation, found] of Object.entries(revision.operationPolicies)) {
                add(
                    `${service.id}/apis/${api.id};rev=${revision.revision}/operations/${operation}/policies/policy`,
                    found.file,
                    asResource(found),
                );
            }
        }
        for (const release of api.releases) {
            add(release.id, apiEntries(api.id)[1]!.file, release);
        }
    }
    for (const [file, list] of Object.entries(lists)) {
        if (file !== "apis.json" && file !== "products.json") {
            for (const resource of list) {
                add(resource.id, file, resource);
            }
        }
    }
    for (const { product, apis: productApis, groups, policy: productPolicy } of products) {
        add(product.id, "products.json", product);
        const [apisEntry, groupsEntry] = productEntries(product.name);
        // The product's API and group links are resources of their own: products/<p>/apis/<api>, products/<p>/groups/<g>.
        for (const api of productApis) {
            add(`${service.id}/products/${product.name}/apis/${api.name}`, apisEntry!.file);
        }
        for (const group of groups) {
            add(`${service.id}/products/${product.name}/groups/${group.name}`, groupsEntry!.file);
        }
        if (productPolicy) {
            add(productPolicy.id, productPolicy.file, asResource(productPolicy));
        }
    }
    return {
        dir,
        service,
        resourceGroup,
        subscriptionId,
        ...(policy ? { policy } : {}),
        apis,
        apiVersionSets: lists["apiVersionSets.json"]!,
        products,
        backends: lists["backends.json"]!,
        namedValues: lists["namedValues.json"]!,
        loggers: lists["loggers.json"]!,
        diagnostics: lists["diagnostics.json"]!,
        identityProviders: lists["identityProviders.json"]!,
        certificates: lists["certificates.json"]!,
        portalSettings: lists["portalsettings.json"]!,
        ids,
    };
}
