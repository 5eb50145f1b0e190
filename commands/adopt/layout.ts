/**
 * What an export of an API Management service holds, file by file: the JSON of documented
 * read-only Azure Resource Manager calls (2024-05-01, the API version @pulumi/azure-native 3.28
 * uses for API Management), as `scripts/export-apim.ts` writes them with the user's own `az rest`,
 * and as `npm run adopt` reads them. A list is one file `{ "value": [...] }` with every page of it
 * (the script follows `nextLink`). `{api}` is an API's id without `;rev=`, `{rev}` a revision
 * number, `{op}` an operation id, `{product}` a product id. Paths are relative to the service's
 * resource id, except the resource group's.
 */

/** The API version of every API Management call. */
export const apimApiVersion = "2024-05-01";
/** The API version of the resource group's call (the one azure-native 3.28's ResourceGroup uses). */
export const resourceGroupApiVersion = "2024-03-01";

export interface ExportEntry {
    /** The file in the export directory. */
    file: string;
    /** The ARM call: `GET` of one resource or `LIST` (every page) of a collection. */
    call: "GET" | "LIST" | "DOWNLOAD";
    /** The path after the service's id (`/apis`), or `RG` for the resource group itself. */
    path: string;
    /** Extra query parameters. */
    query?: string;
    /** A policy may not exist: a 404 leaves the file out. */
    optional?: boolean;
}

/** The service-wide files. */
export const serviceEntries: readonly ExportEntry[] = [
    { file: "service.json", call: "GET", path: "" },
    { file: "resource-group.json", call: "GET", path: "RG" },
    { file: "policy.json", call: "GET", path: "/policies/policy", query: "format=rawxml", optional: true },
    { file: "apis.json", call: "LIST", path: "/apis" },
    { file: "apiVersionSets.json", call: "LIST", path: "/apiVersionSets" },
    { file: "products.json", call: "LIST", path: "/products" },
    { file: "backends.json", call: "LIST", path: "/backends" },
    { file: "namedValues.json", call: "LIST", path: "/namedValues" },
    { file: "loggers.json", call: "LIST", path: "/loggers" },
    { file: "diagnostics.json", call: "LIST", path: "/diagnostics" },
    { file: "identityProviders.json", call: "LIST", path: "/identityProviders" },
    { file: "certificates.json", call: "LIST", path: "/certificates" },
    { file: "portalsettings.json", call: "LIST", path: "/portalsettings" },
];

/** The files of one API (by its id without `;rev=`). */
export function apiEntries(api: string): ExportEntry[] {
    return [
        { file: `apis/${api}/revisions.json`, call: "LIST", path: `/apis/${api}/revisions` },
        { file: `apis/${api}/releases.json`, call: "LIST", path: `/apis/${api}/releases` },
    ];
}

/**
 * The files of one revision of an API. `export.json` is the export call's answer: a link to the
 * document, as the REST spec's examples ApiManagementGetApiExportInOpenApi3dot0.json and
 * ...InOpenApi2dot0.json answer (`{ "format": "openapi-link", "value": { "link": "https://..." } }`);
 * asked as `openapi+json-link` for an HTTP API (the JSON form the catalog imports as it is) and
 * `wsdl-link` for a SOAP one, formats of the spec's export-format enum that no example shows.
 * `spec.json` or `spec.wsdl` is the document at that link.
 */
export function revisionEntries(api: string, revision: string, soap: boolean): ExportEntry[] {
    const id = `/apis/${api};rev=${revision}`;
    const dir = `apis/${api}/${revision}`;
    return [
        { file: `${dir}/api.json`, call: "GET", path: id },
        {
            file: `${dir}/export.json`,
            call: "GET",
            path: id,
            query: `format=${soap ? "wsdl-link" : encodeURIComponent("openapi+json-link")}&export=true`,
        },
        { file: `${dir}/${soap ? "spec.wsdl" : "spec.json"}`, call: "DOWNLOAD", path: `${dir}/export.json` },
        { file: `${dir}/policy.json`, call: "GET", path: `${id}/policies/policy`, query: "format=rawxml", optional: true },
        { file: `${dir}/operations.json`, call: "LIST", path: `${id}/operations` },
    ];
}

/** The policy file of one operation of a revision. */
export function operationPolicyEntry(api: string, revision: string, operation: string): ExportEntry {
    return {
        file: `apis/${api}/${revision}/operations/${operation}/policy.json`,
        call: "GET",
        path: `/apis/${api};rev=${revision}/operations/${operation}/policies/policy`,
        query: "format=rawxml",
        optional: true,
    };
}

/** The files of one product. */
export function productEntries(product: string): ExportEntry[] {
    return [
        { file: `products/${product}/apis.json`, call: "LIST", path: `/products/${product}/apis` },
        { file: `products/${product}/groups.json`, call: "LIST", path: `/products/${product}/groups` },
        {
            file: `products/${product}/policy.json`,
            call: "GET",
            path: `/products/${product}/policies/policy`,
            query: "format=rawxml",
            optional: true,
        },
    ];
}
