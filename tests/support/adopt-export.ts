import * as fs from "node:fs";
import * as path from "node:path";

/**
 * A service export (commands/adopt/layout.ts) assembled from data no one here wrote: the example
 * responses of the API Management REST spec, 2024-05-01 (tests/fixtures/adopt/rest-examples,
 * copied verbatim; SOURCES.md there), and the OpenAPI Initiative's Petstore documents and a public
 * WSDL as the exported specifications (tests/fixtures/adopt/specs, SOURCES.md there). The examples
 * describe unrelated services; the edits that make them one service are the ones below, each said
 * where it is made:
 *
 * - every id is re-based onto the one service of ApiManagementServiceGetService.json (the other
 *   examples say `apimService1`); list items are re-targeted by name where an example lists other
 *   ids (a revision list, a release list, a product's API list);
 * - the HTTP backends' serviceUrl becomes https (the program takes https backends only; a plain
 *   http one is tested apart);
 * - revision 2 of echo-api is the example list's echo-api with apiRevision "2" (the examples have
 *   revisions 1 and 3 of it; the catalog numbers revisions without gaps);
 * - the service's publisherEmail, "string" in the example (ARM takes only an address), becomes one;
 * - the resource group, which no API Management example returns, is written here in ARM's shape.
 */

export const examplesDir = path.join(__dirname, "..", "fixtures", "adopt", "rest-examples");
export const specsDir = path.join(__dirname, "..", "fixtures", "adopt", "specs");

type Json = Record<string, any>;

/** The body of an example's 200 (or 201) response. */
export function exampleBody(name: string): Json {
    const example = JSON.parse(fs.readFileSync(path.join(examplesDir, `${name}.json`), "utf8")) as {
        responses: Record<string, { body: Json }>;
    };
    return structuredClone((example.responses["200"] ?? example.responses["201"])!.body);
}

export const service = exampleBody("ApiManagementServiceGetService");
service["properties"]["publisherEmail"] = "apim-admin@contoso.com";
export const serviceId: string = service["id"];
const subscription = "/subscriptions/00000000-0000-0000-0000-000000000000";

/** The example's ids on this one service. */
function rebase<T>(value: T): T {
    return JSON.parse(
        JSON.stringify(value).replaceAll(
            `${subscription}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apimService1`,
            serviceId,
        ),
    ) as T;
}

/** An example's list, re-based. */
const list = (name: string): Json => rebase(exampleBody(name));

export interface AssembleOptions {
    /** Overrides of the written files, by path in the export: an object is written as JSON. */
    files?: Record<string, Json | string | undefined>;
}

/** The files of the assembled export, by path. */
export function exportFiles(): Record<string, Json | string> {
    const files: Record<string, Json | string> = {};
    const apis = list("ApiManagementListApis");
    for (const api of apis["value"]) {
        if (typeof api.properties.serviceUrl === "string") {
            api.properties.serviceUrl = api.properties.serviceUrl.replace(/^http:/, "https:");
        }
    }
    const echo = apis["value"].find((api: Json) => api["name"] === "echo-api");
    const petstore = rebase(exampleBody("ApiManagementCreateApiUsingOai3Import"));
    petstore["properties"]["serviceUrl"] = "https://petstore.swagger.io/v1";
    delete petstore["properties"]["provisioningState"];
    const soap = rebase(exampleBody("ApiManagementGetApiContract"));
    apis["value"].push(petstore, soap);
    files["apis.json"] = apis;

    files["service.json"] = service;
    files["resource-group.json"] = {
        id: `${subscription}/resourceGroups/rg1`,
        name: "rg1",
        type: "Microsoft.Resources/resourceGroups",
        location: "eastus",
        properties: { provisioningState: "Succeeded" },
    };
    files["policy.json"] = rebase(exampleBody("ApiManagementGetPolicy"));
    files["apiVersionSets.json"] = list("ApiManagementListApiVersionSets");
    files["products.json"] = list("ApiManagementListProducts");
    files["backends.json"] = list("ApiManagementListBackends");
    files["namedValues.json"] = list("ApiManagementListNamedValues");
    files["loggers.json"] = list("ApiManagementListLoggers");
    files["diagnostics.json"] = list("ApiManagementListDiagnostics");
    files["identityProviders.json"] = list("ApiManagementListIdentityProviders");
    files["certificates.json"] = list("ApiManagementListCertificates");
    files["portalsettings.json"] = list("ApiManagementListPortalSettings");

    const petstoreSpec = fs.readFileSync(path.join(specsDir, "petstore.json"), "utf8");
    const expandedSpec = fs.readFileSync(path.join(specsDir, "petstore-expanded.json"), "utf8");
    const wsdl = fs.readFileSync(path.join(specsDir, "service.wsdl"), "utf8");
    const revisionItem = (api: string, revision: number, isCurrent: boolean) => {
        const item = list("ApiManagementListApiRevisions")["value"][0];
        return { ...item, apiId: `${serviceId}/apis/${api};rev=${revision}`, apiRevision: String(revision), isCurrent };
    };
    const exportOf = (api: string, revision: number, format: string) => {
        const body = rebase(exampleBody("ApiManagementGetApiExportInOpenApi3dot0"));
        return {
            ...body,
            id: `${serviceId}/apis/${api};rev=${revision}`,
            format,
            value: { link: `https://example.invalid/api-export/${api}-${revision}` },
        };
    };
    const revisionApi = (base: Json, api: string, revision: number) => ({
        ...base,
        id: `${serviceId}/apis/${api};rev=${revision}`,
        name: `${api};rev=${revision}`,
        properties: { ...base["properties"], apiRevision: String(revision) },
    });
    const rawPolicy = (id: string, example: string, pick: (body: Json) => Json = (body) => body) => {
        const body = pick(rebase(exampleBody(example)));
        return { ...body, id, properties: { ...body["properties"], format: "rawxml" } };
    };
    const emptyList = { value: [] };

    // echo-api: revisions 1 and 2 (current) on the Petstore document, revision 3 on the expanded
    // one, not current; its policy the rawxml example's (a set-header with a C# block).
    const echoPolicy = (revision: number) =>
        rawPolicy(`${serviceId}/apis/echo-api;rev=${revision}/policies/policy`, "ApiManagementGetPolicyFormat");
    files["apis/echo-api/revisions.json"] = {
        value: [revisionItem("echo-api", 1, false), revisionItem("echo-api", 2, true), revisionItem("echo-api", 3, false)],
    };
    const releases = list("ApiManagementListApiReleases");
    releases["value"] = releases["value"].map((release: Json) => ({
        ...release,
        id: release["id"].replace("/apis/a1/", "/apis/echo-api/"),
    }));
    files["apis/echo-api/releases.json"] = releases;
    const third = rebase(exampleBody("ApiManagementGetApiRevision"));
    third["properties"]["serviceUrl"] = echo["properties"]["serviceUrl"];
    third["properties"]["path"] = echo["properties"]["path"];
    for (const [revision, api, spec] of [
        [1, revisionApi(echo, "echo-api", 1), petstoreSpec],
        [2, revisionApi(echo, "echo-api", 2), petstoreSpec],
        [3, third, expandedSpec],
    ] as const) {
        const dir = `apis/echo-api/${revision}`;
        files[`${dir}/api.json`] = api;
        files[`${dir}/export.json`] = exportOf("echo-api", revision, "openapi+json-link");
        files[`${dir}/spec.json`] = spec;
        files[`${dir}/policy.json`] = echoPolicy(revision);
        files[`${dir}/operations.json`] = emptyList;
    }

    // petstoreapi: one revision; its policy the listed operation policy's (a validate-jwt whose
    // claim is not roles); one operation with the operation policy example.
    files["apis/petstoreapi/revisions.json"] = { value: [revisionItem("petstoreapi", 1, true)] };
    files["apis/petstoreapi/releases.json"] = emptyList;
    files["apis/petstoreapi/1/api.json"] = revisionApi(petstore, "petstoreapi", 1);
    files["apis/petstoreapi/1/export.json"] = exportOf("petstoreapi", 1, "openapi+json-link");
    files["apis/petstoreapi/1/spec.json"] = petstoreSpec;
    files["apis/petstoreapi/1/policy.json"] = rawPolicy(
        `${serviceId}/apis/petstoreapi;rev=1/policies/policy`,
        "ApiManagementListApiOperationPolicies",
        (body) => body["value"][0],
    );
    const operation = rebase(exampleBody("ApiManagementGetApiOperationPetStore"));
    files["apis/petstoreapi/1/operations.json"] = {
        value: [{ ...operation, id: `${serviceId}/apis/petstoreapi;rev=1/operations/${operation["name"]}` }],
    };
    files[`apis/petstoreapi/1/operations/${operation["name"]}/policy.json`] = rawPolicy(
        `${serviceId}/apis/petstoreapi;rev=1/operations/${operation["name"]}/policies/policy`,
        "ApiManagementGetApiOperationPolicy",
    );

    // The SOAP API: one revision, the example's SOAP operations, no policy of its own.
    const soapId: string = soap["name"];
    files[`apis/${soapId}/revisions.json`] = { value: [revisionItem(soapId, 1, true)] };
    files[`apis/${soapId}/releases.json`] = emptyList;
    files[`apis/${soapId}/1/api.json`] = revisionApi(soap, soapId, 1);
    files[`apis/${soapId}/1/export.json`] = exportOf(soapId, 1, "wsdl-link");
    files[`apis/${soapId}/1/spec.wsdl`] = wsdl;
    const operations = list("ApiManagementListApiOperations");
    files[`apis/${soapId}/1/operations.json`] = {
        value: operations["value"].map((item: Json) => ({ ...item, id: item["id"].replace(/\/apis\/[^/]+\//, `/apis/${soapId};rev=1/`) })),
    };

    // The other three APIs of the list (a1 and 5a73933b8f27f7cc82a2d533 share a path and a version
    // set): one revision each, in no product.
    for (const api of apis["value"].filter((candidate: Json) =>
        ["a1", "5a73933b8f27f7cc82a2d533", "5a7390baa5816a110435aee0"].includes(candidate["name"]),
    )) {
        const name: string = api["name"];
        files[`apis/${name}/revisions.json`] = { value: [revisionItem(name, 1, true)] };
        files[`apis/${name}/releases.json`] = emptyList;
        files[`apis/${name}/1/api.json`] = revisionApi(api, name, 1);
        files[`apis/${name}/1/export.json`] = exportOf(name, 1, "openapi+json-link");
        files[`apis/${name}/1/spec.json`] = petstoreSpec;
        files[`apis/${name}/1/operations.json`] = emptyList;
    }

    // Products: the example's three, linked to this service's APIs; each with the example's groups.
    const productApi = (product: string, api: Json) => {
        const item = list("ApiManagementListProductApis")["value"][0];
        return { ...item, id: `${serviceId}/products/${product}/apis/${api["name"]}`, name: api["name"], properties: api["properties"] };
    };
    const links: Record<string, string[]> = {
        starter: ["echo-api", "petstoreapi"],
        unlimited: ["echo-api", soapId],
        kjoshiarmtemplateCert1: ["a1"],
    };
    for (const [product, names] of Object.entries(links)) {
        files[`products/${product}/apis.json`] = {
            value: names.map((name) =>
                productApi(
                    product,
                    apis["value"].find((api: Json) => api["name"] === name),
                ),
            ),
        };
        files[`products/${product}/groups.json`] = list("ApiManagementListProductGroups");
    }
    files["products/unlimited/policy.json"] = rawPolicy(`${serviceId}/products/unlimited/policies/policy`, "ApiManagementGetProductPolicy");
    return files;
}

/** Writes the assembled export into `dir`, with `options.files` laid over it. */
export function assembleExport(dir: string, options: AssembleOptions = {}): string {
    const files = { ...exportFiles(), ...(options.files ?? {}) };
    for (const [file, content] of Object.entries(files)) {
        if (content === undefined) {
            continue;
        }
        const target = path.join(dir, file);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, typeof content === "string" ? content : `${JSON.stringify(content, null, 2)}\n`);
    }
    return dir;
}
