import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { inlineImportLimit, type Catalog } from "../../content/catalog";
import { loadCatalog } from "../../content";
import { repoRoot } from "../../engine/project";
import { catalogProblems } from "../helpers";
import { temporaryDirectory } from "../support/temporary";

/**
 * What API Management imports, checked when the catalog is read: each case is a catalog of one
 * API built for it, and the exact problem (or note) it must produce. The rules are those of
 * learn.microsoft.com/azure/api-management/api-management-api-import-restrictions.
 */

const specs = path.join(repoRoot, "tests", "fixtures", "specs");
const petstore = fs.readFileSync(path.join(specs, "petstore-swagger2.json"), "utf8");
const calculator = fs.readFileSync(path.join(specs, "calculator.wsdl"), "utf8");

const allMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/** An api.yaml for the one API of a test catalog, `demo`, with `fields` laid over it. */
function apiYaml(fields: Record<string, unknown> = {}): string {
    return stringify({
        name: "demo",
        displayName: "Demo",
        description: "An API for one test.",
        path: "demo",
        version: "v1",
        kind: "openapi",
        spec: "openapi.yaml",
        products: ["internal"],
        policy: { rateLimit: { calls: 10, renewalPeriod: 60 }, access: [{ name: "all", methods: allMethods, role: "Demo.All" }] },
        ...fields,
    });
}

/** A catalog folder holding products.yaml (one product, `internal`) and `files` (path under apis/ -> text). */
function catalogOf(files: Record<string, string>, product: Record<string, unknown> = {}): string {
    const dir = path.join(temporaryDirectory("catalog-import-"), "apis");
    const all = { "products.yaml": stringify({ internal: { displayName: "Internal", description: "For tests.", ...product } }), ...files };
    for (const [file, text] of Object.entries(all)) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
    }
    return dir;
}

/** A small valid OpenAPI 3.0 document with `paths`, as YAML. */
function openApi(paths: Record<string, unknown>, version = "3.0.3", extra: Record<string, unknown> = {}): string {
    return stringify({ openapi: version, info: { title: "Demo", version: "1.0" }, paths, ...extra });
}

const ok = { "200": { description: "OK." } };
const getItem = {
    "/items/{id}": {
        get: {
            operationId: "get-item",
            parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
            responses: ok,
        },
    },
};

async function loaded(dir: string): Promise<Catalog> {
    return loadCatalog(dir);
}

describe("what API Management imports, checked when the catalog is read", () => {
    describe("OpenAPI and Swagger versions", () => {
        it("imports Swagger 2.0 in JSON as swagger-json, as written, its operations named after their operationIds", async () => {
            const catalog = await loaded(catalogOf({ "demo/api.yaml": apiYaml({ spec: "swagger.json" }), "demo/swagger.json": petstore }));
            const api = catalog.apis[0]!;
            assert.equal(api.specFormat, "swagger-json");
            assert.equal(api.specContent, petstore);
            assert.deepEqual(
                api.operations.map((operation) => `${operation.method} ${operation.path} ${operation.name}`),
                [
                    "PUT /pet updatepet",
                    "POST /pet addpet",
                    "GET /pet/findByStatus findpetsbystatus",
                    "GET /pet/{petId} getpetbyid",
                    "DELETE /pet/{petId} deletepet",
                ],
            );
            assert.deepEqual(catalog.notes, []);
        });

        it("imports Swagger 2.0 in YAML converted to JSON, and says so", async () => {
            const yaml = stringify(JSON.parse(petstore));
            const catalog = await loaded(catalogOf({ "demo/api.yaml": apiYaml({ spec: "swagger.yaml" }), "demo/swagger.yaml": yaml }));
            assert.equal(catalog.apis[0]!.specFormat, "swagger-json");
            assert.deepEqual(JSON.parse(catalog.apis[0]!.specContent), JSON.parse(petstore));
            assert.deepEqual(catalog.notes, [
                "apis/demo/swagger.yaml: Swagger 2.0 in YAML, which API Management does not import: it is imported converted to JSON (swagger-json)",
            ]);
        });

        it("imports OpenAPI 3.0 in YAML as openapi and in JSON as openapi+json", async () => {
            const catalog = await loaded(
                catalogOf({
                    "demo/api.yaml": apiYaml(),
                    "demo/openapi.yaml": openApi(getItem),
                    "other/api.yaml": apiYaml({ name: "other", path: "other", spec: "openapi.json" }),
                    "other/openapi.json": JSON.stringify({ openapi: "3.0.0", info: { title: "Other", version: "1" }, paths: getItem }),
                }),
            );
            assert.deepEqual(
                catalog.apis.map((api) => api.specFormat),
                ["openapi", "openapi+json"],
            );
        });

        it("imports OpenAPI 3.1, and says that API Management ignores what 3.1 adds", async () => {
            const catalog = await loaded(catalogOf({ "demo/api.yaml": apiYaml(), "demo/openapi.yaml": openApi(getItem, "3.1.0") }));
            assert.equal(catalog.apis[0]!.specFormat, "openapi");
            assert.deepEqual(catalog.notes, [
                "apis/demo/openapi.yaml: OpenAPI 3.1.0: API Management imports 3.1 documents without their 3.1 features (import only): what 3.1 adds to 3.0 is ignored or read as 3.0",
            ]);
        });

        for (const [version, message] of [
            [
                "3.0.4",
                'apis/demo/openapi.yaml: openapi: "3.0.4" is above 3.0.3, the last 3.0 version API Management supports (allowed: 3.0.0-3.0.3; a later 3.0 patch only clarifies the text, so write openapi: 3.0.3)',
            ],
            [
                "3.2.0",
                'apis/demo/openapi.yaml: openapi: "3.2.0" is not a version API Management imports (allowed: 3.0.0-3.0.3 or 3.1.x, or swagger: "2.0")',
            ],
        ]) {
            it(`refuses openapi: ${version}`, async () => {
                assert.deepEqual(
                    await catalogProblems(catalogOf({ "demo/api.yaml": apiYaml(), "demo/openapi.yaml": openApi(getItem, version) })),
                    [message],
                );
            });
        }

        it("refuses a document that is neither OpenAPI nor Swagger", async () => {
            assert.deepEqual(await catalogProblems(catalogOf({ "demo/api.yaml": apiYaml(), "demo/openapi.yaml": "asyncapi: 2.6.0\n" })), [
                'apis/demo/openapi.yaml: is not an OpenAPI document (allowed: a document with openapi: 3.0.x or 3.1.x, or swagger: "2.0")',
            ]);
        });
    });

    describe("the document", () => {
        it("refuses a $ref to another file, naming where it is", async () => {
            const paths = {
                "/pets": {
                    post: {
                        operationId: "add-pet",
                        requestBody: { content: { "application/json": { schema: { $ref: "NewPet.yaml" } } } },
                        responses: ok,
                    },
                },
            };
            assert.deepEqual(await catalogProblems(catalogOf({ "demo/api.yaml": apiYaml(), "demo/openapi.yaml": openApi(paths) })), [
                'apis/demo/openapi.yaml: /paths/~1pets/post/requestBody/content/application~1json/schema: $ref "NewPet.yaml" points outside the document (allowed: a reference within the file, such as #/components/schemas/Order; API Management imports one document, so merge the referenced one into it)',
            ]);
        });

        it("refuses a path parameter that is not in the path template", async () => {
            const paths = {
                "/items": {
                    get: {
                        operationId: "list-items",
                        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
                        responses: ok,
                    },
                },
            };
            assert.deepEqual(await catalogProblems(catalogOf({ "demo/api.yaml": apiYaml(), "demo/openapi.yaml": openApi(paths) })), [
                'apis/demo/openapi.yaml: GET /items: path parameter "id" is not in the path template (allowed: no path parameters: the path has no {name}; API Management requires every URL parameter in the template)',
            ]);
        });

        it("refuses template parameters that differ only in case", async () => {
            const parameter = (name: string) => ({ name, in: "path", required: true, schema: { type: "string" } });
            const paths = {
                "/items/{id}/parts/{ID}": {
                    get: { operationId: "get-part", parameters: [parameter("id"), parameter("ID")], responses: ok },
                },
            };
            assert.deepEqual(await catalogProblems(catalogOf({ "demo/api.yaml": apiYaml(), "demo/openapi.yaml": openApi(paths) })), [
                'apis/demo/openapi.yaml: /items/{id}/parts/{ID}: template parameters "id" and "ID" are one name to API Management, which compares them without case (allowed: names that differ in more than case)',
            ]);
        });

        it("refuses two operationIds that become one operation name in API Management", async () => {
            const paths = {
                "/items": { get: { operationId: "listItems", responses: ok }, post: { operationId: "ListItems", responses: ok } },
            };
            assert.deepEqual(await catalogProblems(catalogOf({ "demo/api.yaml": apiYaml(), "demo/openapi.yaml": openApi(paths) })), [
                'apis/demo/openapi.yaml: POST /items: operationId "ListItems" and operationId "listItems" (GET /items) both become the operation "listitems" in API Management, which lowers case and turns other characters into hyphens (allowed: operationIds that differ after that)',
            ]);
        });

        it("refuses a document without operations", async () => {
            assert.deepEqual(await catalogProblems(catalogOf({ "demo/api.yaml": apiYaml(), "demo/openapi.yaml": openApi({}) })), [
                "apis/demo/openapi.yaml: paths: has no operations (allowed: at least one operation, such as get under a path)",
            ]);
        });

        it("accepts a UTF-8 byte-order mark, and leaves it out of what is imported", async () => {
            const text = openApi(getItem);
            const catalog = await loaded(catalogOf({ "demo/api.yaml": `\uFEFF${apiYaml()}`, "demo/openapi.yaml": `\uFEFF${text}` }));
            assert.equal(catalog.apis[0]!.specContent, text);
        });

        it("locates a YAML error where the unclosed string starts, not at the end of the file", async () => {
            const text = 'openapi: 3.0.3\ninfo:\n  title: "Demo\n  version: "1.0"\npaths: {}\n';
            assert.deepEqual(await catalogProblems(catalogOf({ "demo/api.yaml": apiYaml(), "demo/openapi.yaml": text })), [
                "apis/demo/openapi.yaml: is not valid YAML: line 3, column 10: the double-quoted string that starts here is never closed",
            ]);
        });

        it("locates a JSON error by line and column", async () => {
            const text = '{\n  "openapi": "3.0.3",\n  "info": { "title": "Demo", "version": "1.0" },\n  "paths": { }, \n}\n';
            assert.deepEqual(
                await catalogProblems(catalogOf({ "demo/api.yaml": apiYaml({ spec: "openapi.json" }), "demo/openapi.json": text })),
                ["apis/demo/openapi.json: is not valid JSON: line 5, column 1: a property name (in double quotes) is expected"],
            );
        });
    });

    describe("size", () => {
        const big = () =>
            openApi(getItem, "3.0.3", { info: { title: "Demo", version: "1.0", description: "x".repeat(inlineImportLimit) } });

        it("refuses a document over the 4 MB inline import limit, naming the limit and the way out", async () => {
            assert.deepEqual(await catalogProblems(catalogOf({ "demo/api.yaml": apiYaml(), "demo/openapi.yaml": big() })), [
                "apis/demo/openapi.yaml: is 4.0 MB, over the 4 MB API Management imports inline (allowed: up to 4 MB, or publish the same document at an https URL and set specUrl in apis/demo/api.yaml)",
            ]);
        });

        it("imports a larger document from its specUrl, with the link format, and says so", async () => {
            const catalog = await loaded(
                catalogOf({
                    "demo/api.yaml": apiYaml({ specUrl: "https://specs.fabrikam.com/demo/openapi.yaml" }),
                    "demo/openapi.yaml": big(),
                }),
            );
            assert.deepEqual(
                [catalog.apis[0]!.specFormat, catalog.apis[0]!.specContent],
                ["openapi-link", "https://specs.fabrikam.com/demo/openapi.yaml"],
            );
            assert.deepEqual(catalog.notes, [
                "apis/demo/openapi.yaml: is 4.0 MB, over the 4 MB inline import limit: API Management imports it from https://specs.fabrikam.com/demo/openapi.yaml (openapi-link), which must serve the same document",
            ]);
        });

        it("refuses a specUrl that is not https", async () => {
            assert.deepEqual(
                await catalogProblems(
                    catalogOf({
                        "demo/api.yaml": apiYaml({ specUrl: "http://specs.fabrikam.com/demo.yaml" }),
                        "demo/openapi.yaml": openApi(getItem),
                    }),
                ),
                [
                    'apis/demo/api.yaml: specUrl: "http://specs.fabrikam.com/demo.yaml" is not an https URL (allowed: the https URL the same document is published at)',
                ],
            );
        });
    });

    describe("WSDL", () => {
        const soapApi = (fields: Record<string, unknown> = {}) =>
            apiYaml({
                kind: "soap",
                spec: "calculator.wsdl",
                wsdl: { service: "Calculator", endpoint: "CalculatorSoap" },
                policy: { rateLimit: { calls: 10, renewalPeriod: 60 }, access: [{ name: "call", methods: ["POST"], role: "Calc.Call" }] },
                ...fields,
            });
        const withWsdl = (wsdl: string, fields: Record<string, unknown> = {}) =>
            catalogOf({ "demo/api.yaml": soapApi(fields), "demo/calculator.wsdl": wsdl });

        it("imports a SOAP 1.1 or 1.2 port with document/literal bindings", async () => {
            for (const endpoint of ["CalculatorSoap", "CalculatorSoap12"]) {
                const catalog = await loaded(withWsdl(calculator, { wsdl: { service: "Calculator", endpoint } }));
                assert.deepEqual([catalog.apis[0]!.specFormat, catalog.apis[0]!.specContent], ["wsdl", calculator]);
            }
        });

        it("refuses an rpc-style operation, naming the binding and the operation", async () => {
            const wsdl = calculator.replace(
                '<soap:operation soapAction="http://tempuri.org/Add" style="document" />',
                '<soap:operation soapAction="http://tempuri.org/Add" style="rpc" />',
            );
            assert.deepEqual(await catalogProblems(withWsdl(wsdl)), [
                'apis/demo/calculator.wsdl: line 62: operation "Add" of binding "CalculatorSoap" is rpc style (allowed: document style; API Management does not import rpc style)',
            ]);
        });

        it("refuses SOAP encoding, naming the operation", async () => {
            const wsdl = calculator.replace(
                '<soap:operation soapAction="http://tempuri.org/Subtract" style="document" />\n      <wsdl:input>\n        <soap:body use="literal" />',
                '<soap:operation soapAction="http://tempuri.org/Subtract" style="document" />\n      <wsdl:input>\n        <soap:body use="encoded" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/" />',
            );
            assert.deepEqual(await catalogProblems(withWsdl(wsdl)), [
                'apis/demo/calculator.wsdl: line 74: operation "Subtract" of binding "CalculatorSoap" uses encoded encoding (allowed: use="literal"; API Management does not import SOAP encoding)',
            ]);
        });

        it("refuses a port whose binding is an HTTP binding", async () => {
            const wsdl = calculator
                .replace(
                    'xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"',
                    'xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:http="http://schemas.xmlsoap.org/wsdl/http/"',
                )
                .replace('<soap:binding transport="http://schemas.xmlsoap.org/soap/http" />', '<http:binding verb="POST" />');
            assert.deepEqual(await catalogProblems(withWsdl(wsdl)), [
                'apis/demo/calculator.wsdl: line 60: binding "CalculatorSoap" of port "CalculatorSoap" is an HTTP binding (allowed: a SOAP 1.1 or 1.2 binding, document style, literal use)',
            ]);
        });

        it("refuses wsdl:import, xsd:import and xsd:include, naming each", async () => {
            const wsdl = calculator
                .replace("<wsdl:types>", '<wsdl:import namespace="http://fabrikam.com/common" location="common.wsdl" />\n  <wsdl:types>')
                .replace(
                    '<s:element name="Add">',
                    '<s:import namespace="http://fabrikam.com/types" schemaLocation="types.xsd" />\n      <s:include schemaLocation="more.xsd" />\n      <s:element name="Add">',
                );
            assert.deepEqual(await catalogProblems(withWsdl(wsdl)), [
                "apis/demo/calculator.wsdl: line 3: wsdl:import of common.wsdl (allowed: one self-contained WSDL; API Management does not follow wsdl:import, so merge the imported document into this one)",
                "apis/demo/calculator.wsdl: line 6: xsd:import of types.xsd (allowed: every schema inline in wsdl:types, without xsd:import or xsd:include, which API Management does not follow)",
                "apis/demo/calculator.wsdl: line 7: xsd:include of more.xsd (allowed: every schema inline in wsdl:types, without xsd:import or xsd:include, which API Management does not follow)",
            ]);
        });

        it("refuses a multi-part message", async () => {
            const wsdl = calculator.replace(
                '<wsdl:part name="parameters" element="tns:Add" />',
                '<wsdl:part name="a" type="s:int" />\n    <wsdl:part name="b" type="s:int" />',
            );
            assert.deepEqual(await catalogProblems(withWsdl(wsdl)), [
                'apis/demo/calculator.wsdl: line 37: message "AddSoapIn" (the input of operation "Add") has 2 parts (allowed: one part; API Management does not import multi-part messages)',
            ]);
        });

        it("refuses a service or port the WSDL does not have", async () => {
            assert.deepEqual(await catalogProblems(withWsdl(calculator, { wsdl: { service: "Calc", endpoint: "CalculatorSoap" } })), [
                'apis/demo/calculator.wsdl: has no service "Calc" (allowed: Calculator)',
            ]);
        });
    });

    describe("policy files", () => {
        const policy = (inbound: string, rest = "") =>
            `<policies>\n    <inbound>\n${inbound}\n    </inbound>\n    <backend>\n        <base />\n    </backend>\n    <outbound>\n        <base />\n    </outbound>\n    <on-error>\n        <base />\n    </on-error>${rest}\n</policies>\n`;
        const withPolicy = (files: Record<string, string>, fields: Record<string, unknown> = {}) =>
            catalogOf({ "demo/api.yaml": apiYaml(fields), "demo/openapi.yaml": openApi(getItem), ...files });

        it("reads an API's policy.xml, split into its sections without <base />, and the named values it uses", async () => {
            const catalog = await loaded(
                withPolicy(
                    {
                        "demo/policy.xml": policy(
                            '        <base />\n        <set-header name="X-Key" exists-action="override">\n            <value>{{demo-backend-key}}</value>\n        </set-header>',
                        ),
                    },
                    { backendApiKey: { header: "X-Api-Key" } },
                ),
            );
            const file = catalog.apis[0]!.policyFile!;
            assert.equal(file.file, "apis/demo/policy.xml");
            assert.deepEqual(file.sections, {
                inbound: [
                    '<set-header name="X-Key" exists-action="override">\n            <value>{{demo-backend-key}}</value>\n        </set-header>',
                ],
                outbound: [],
                "on-error": [],
            });
            assert.deepEqual(file.namedValues, ["demo-backend-key"]);
        });

        it("refuses a policy that breaks API Management's policy schema, with the line and the schema's message", async () => {
            assert.deepEqual(
                await catalogProblems(
                    withPolicy({
                        "demo/policy.xml": policy(
                            '        <base />\n        <set-header exists-action="override" />\n        <set-headr name="x" />',
                        ),
                    }),
                ),
                [
                    "apis/demo/policy.xml: line 4: Element 'set-header': The attribute 'name' is required but missing. (allowed: API Management's policy syntax)",
                    "apis/demo/policy.xml: line 5: Element 'set-headr': No matching global element declaration available, but demanded by the strict wildcard. (allowed: API Management's policy syntax)",
                ],
            );
        });

        it("refuses a policy without <base /> in inbound, where the gateway's own checks run", async () => {
            assert.deepEqual(
                await catalogProblems(
                    withPolicy({
                        "demo/policy.xml": policy('        <set-header name="X" exists-action="override"><value>1</value></set-header>'),
                    }),
                ),
                [
                    "apis/demo/policy.xml: line 2: inbound: no <base /> (allowed: <base /> in every section, where the gateway's own checks and the wider scopes' policies run)",
                ],
            );
        });

        it("refuses a backend section of its own: the global policy forwards every request, once", async () => {
            const file =
                '<policies>\n    <inbound>\n        <base />\n    </inbound>\n    <backend>\n        <base />\n        <forward-request timeout="20" />\n    </backend>\n    <outbound>\n        <base />\n    </outbound>\n    <on-error>\n        <base />\n    </on-error>\n</policies>\n';
            assert.deepEqual(await catalogProblems(withPolicy({ "demo/policy.xml": file })), [
                "apis/demo/policy.xml: line 7: backend: <forward-request> (allowed: <base /> alone; the global policy forwards the request, once, for every API)",
            ]);
        });

        it("refuses a policy file that is not well-formed XML", async () => {
            assert.deepEqual(
                await catalogProblems(withPolicy({ "demo/policy.xml": "<policies>\n    <inbound>\n        <base />\n</policies>\n" })),
                [
                    "apis/demo/policy.xml: line 4, column 12: Opening and ending tag mismatch: inbound line 2 and policies (allowed: API Management's policy syntax)",
                ],
            );
        });

        it("reads an operation policy named after an operationId API Management keeps", async () => {
            const catalog = await loaded(
                withPolicy({
                    "demo/operations/get-item.xml": policy(
                        '        <base />\n        <mock-response status-code="200" content-type="application/json" />',
                    ),
                }),
            );
            assert.deepEqual(Object.keys(catalog.apis[0]!.operationPolicies), ["get-item"]);
        });

        it("refuses an operation policy for an operation the spec does not have", async () => {
            assert.deepEqual(await catalogProblems(withPolicy({ "demo/operations/list-items.xml": policy("        <base />") })), [
                'apis/demo/operations/list-items.xml: no operation of the API\'s spec has operationId "list-items" (allowed: get-item.xml)',
            ]);
        });

        it("refuses an operation policy for an operationId API Management renames", async () => {
            const paths = { "/items": { get: { operationId: "listItems", responses: ok } } };
            assert.deepEqual(
                await catalogProblems(
                    catalogOf({
                        "demo/api.yaml": apiYaml(),
                        "demo/openapi.yaml": openApi(paths),
                        "demo/operations/listItems.xml": policy("        <base />"),
                    }),
                ),
                [
                    'apis/demo/operations/listItems.xml: API Management names operation "listItems" "listitems" (it lowers case and turns other characters into hyphens), so a policy cannot be attached by the operationId (allowed: operationIds of lower-case letters, digits and single hyphens, at most 76 characters; rename it listitems in the spec and the file)',
                ],
            );
        });

        it("refuses operation policies on a SOAP API, whose operations get generated names", async () => {
            const soap = apiYaml({
                kind: "soap",
                spec: "calculator.wsdl",
                wsdl: { service: "Calculator", endpoint: "CalculatorSoap" },
                policy: { rateLimit: { calls: 10, renewalPeriod: 60 }, access: [{ name: "call", methods: ["POST"], role: "Calc.Call" }] },
            });
            assert.deepEqual(
                await catalogProblems(
                    catalogOf({
                        "demo/api.yaml": soap,
                        "demo/calculator.wsdl": calculator,
                        "demo/operations/Add.xml": policy("        <base />"),
                    }),
                ),
                [
                    "apis/demo/operations: operation policies on a SOAP API (allowed: none; API Management gives imported SOAP operations generated names, so a file cannot name one: use policy.xml with a choose on the SOAPAction)",
                ],
            );
        });

        it("reads a product's policy file, and refuses one that does not exist", async () => {
            const dir = catalogOf(
                {
                    "demo/api.yaml": apiYaml(),
                    "demo/openapi.yaml": openApi(getItem),
                    "internal-policy.xml": policy('        <base />\n        <quota calls="1000" renewal-period="3600" />'),
                },
                { policy: "internal-policy.xml" },
            );
            assert.equal((await loaded(dir)).products.internal!.policyFile!.file, "apis/internal-policy.xml");
            assert.deepEqual(
                await catalogProblems(
                    catalogOf({ "demo/api.yaml": apiYaml(), "demo/openapi.yaml": openApi(getItem) }, { policy: "internal-policy.xml" }),
                ),
                [
                    "apis/products.yaml: internal.policy: apis/internal-policy.xml does not exist (allowed: a policy file directly under apis/)",
                ],
            );
        });

        it("refuses a named value the catalog does not define", async () => {
            assert.deepEqual(
                await catalogProblems(
                    withPolicy({
                        "demo/policy.xml": policy(
                            '        <base />\n        <set-header name="X" exists-action="override"><value>{{partner-token}}</value></set-header>',
                        ),
                    }),
                ),
                [
                    "apis/demo/policy.xml: {{partner-token}} is not a named value of this catalog (allowed: none: no API sends a backend key or forwards to a workflow)",
                ],
            );
        });
    });

    describe("access rules", () => {
        it("says which operations no access group covers, as the gateway will answer them 405", async () => {
            const paths = {
                "/items/{id}": {
                    ...getItem["/items/{id}"],
                    delete: {
                        operationId: "delete-item",
                        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
                        responses: ok,
                    },
                },
            };
            const catalog = await loaded(
                catalogOf({
                    "demo/api.yaml": apiYaml({
                        policy: {
                            rateLimit: { calls: 10, renewalPeriod: 60 },
                            access: [{ name: "read", methods: ["GET"], role: "Demo.Read" }],
                        },
                    }),
                    "demo/openapi.yaml": openApi(paths),
                }),
            );
            assert.deepEqual(catalog.notes, [
                "apis/demo/api.yaml: policy.access: no group covers DELETE, so the gateway answers DELETE /items/{id} (delete-item) 405 (allowed: DELETE in a group)",
            ]);
        });
    });
});
