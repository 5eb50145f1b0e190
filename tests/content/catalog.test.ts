import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { parse as parseYaml, stringify } from "yaml";
import { loadCatalog } from "../../content";
import { CatalogError, catalogWorkflowProblems, checkCatalog, type Catalog } from "../../content/catalog";
import { catalogProblems, fixtureContent } from "../helpers";
import { temporaryDirectory } from "../support/temporary";

const catalogDir = fixtureContent.catalog;

/** A copy of the real catalog in a temp folder, changed by `edit`. */
function catalogCopy(edit: (dir: string) => void): string {
    const dir = path.join(temporaryDirectory("catalog-"), "apis");
    fs.cpSync(catalogDir, dir, { recursive: true });
    edit(dir);
    return dir;
}

function editYaml(file: string, change: (doc: any) => void): void {
    const doc = parseYaml(fs.readFileSync(file, "utf8"));
    change(doc);
    fs.writeFileSync(file, stringify(doc));
}

describe("the API catalog", () => {
    it("holds one API of each kind, every one versioned v1 and in a product", async () => {
        const catalog = await loadCatalog(catalogDir);
        assert.deepEqual(
            catalog.apis.map((api) => [api.apiId, api.kind, api.specFormat]),
            [
                ["accounts-v1", "soap", "wsdl"],
                ["ledger-v1", "openapi", "openapi"],
                ["shipments-v1", "logicApp", "openapi"],
            ],
        );
        assert.deepEqual(Object.keys(catalog.products), ["internal", "partners"]);
        assert.equal(catalog.apis.find((api) => api.kind === "logicApp")?.workflow, "shipment-intake");
    });

    it("validates every OpenAPI spec, revisions' too, with the OpenAPI schema and the parser's rules", async () => {
        const catalog = await loadCatalog(catalogDir);
        const specs = catalog.apis.flatMap((api) => [
            api.specFormat,
            ...api.revisions.filter((revision) => revision.specContent).map((revision) => revision.specFormat),
        ]);
        assert.deepEqual(specs.sort(), ["openapi", "openapi", "openapi", "wsdl"]);
        // A spec the schema refuses and one the parser's rules refuse (a path parameter not declared).
        const problems = await catalogProblems(
            catalogCopy((dir) => {
                editYaml(path.join(dir, "ledger", "openapi-rev2.yaml"), (doc) => (doc.info.version = 2));
                editYaml(
                    path.join(dir, "shipments", "openapi.yaml"),
                    (doc) => (doc.paths["/{orderId}"] = { get: { responses: { "200": { description: "x" } } } }),
                );
            }),
        );
        assert.ok(
            problems.some((problem) =>
                problem.startsWith(
                    "apis/ledger/openapi-rev2.yaml: is not a valid OpenAPI document: Swagger schema validation failed. #/info/version must be string",
                ),
            ),
            problems.join("\n"),
        );
        assert.ok(
            problems.includes(
                'apis/shipments/openapi.yaml: GET /{orderId}: path parameter "orderId" is not declared (allowed: a parameter with in: path and name: orderId)',
            ),
            problems.join("\n"),
        );
    });

    it("every WSDL is well-formed and names the service and port its API publishes", async () => {
        const catalog = await loadCatalog(catalogDir);
        for (const api of catalog.apis.filter((entry) => entry.kind === "soap")) {
            assert.equal(XMLValidator.validate(api.specContent), true);
            const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", removeNSPrefix: true }).parse(api.specContent);
            assert.equal(doc.definitions.service["@name"], api.wsdl?.service);
            assert.equal(doc.definitions.service.port["@name"], api.wsdl?.endpoint);
        }
    });

    it("checks a catalog given as data with the loader's own rules, once, and marks it checked", async () => {
        const loaded = await loadCatalog(catalogDir);
        const accounts = loaded.apis.find((api) => api.name === "accounts")!;
        const ledger = loaded.apis.find((api) => api.name === "ledger")!;
        const broken: Catalog = {
            ...loaded,
            apis: [
                ...loaded.apis.map((api) =>
                    api === ledger ? { ...api, products: [...api.products, "public"], backendApiKey: undefined } : api,
                ),
                { ...accounts, name: "clients", apiId: "clients-v1", folder: "clients" },
            ],
        };
        assert.throws(
            () => checkCatalog(broken),
            (error: unknown) => {
                assert.ok(error instanceof CatalogError);
                assert.deepEqual(error.problems, [
                    'apis/ledger/api.yaml: products: "public" is not in apis/products.yaml (allowed: internal, partners)',
                    'apis/clients/api.yaml: path: "accounts" is already used by apis/accounts (allowed: a path of its own)',
                    "apis/ledger/operations/release-item.xml: {{ledger-backend-key}} is not a named value of this catalog (allowed: {{accounts-backend-key}}, {{clients-backend-key}}, {{shipment-intake-sig}})",
                ]);
                return true;
            },
        );
        assert.equal(checkCatalog(loaded), loaded, "a catalog that passes is handed back as it is");
    });

    describe("rejects a broken catalog with the file and the problem", () => {
        const cases: Array<[string, (dir: string) => void, string]> = [
            [
                "a definition pointing at a missing spec file",
                (dir) => editYaml(path.join(dir, "ledger", "api.yaml"), (doc) => (doc.spec = "ledger.yaml")),
                "apis/ledger/api.yaml: spec: apis/ledger/ledger.yaml does not exist (allowed: a file in apis/ledger/)",
            ],
            [
                "an OpenAPI document that breaks the schema",
                (dir) => editYaml(path.join(dir, "ledger", "openapi.yaml"), (doc) => delete doc.info),
                "apis/ledger/openapi.yaml: is not a valid OpenAPI document: Swagger schema validation failed. #/ must have required property 'info'",
            ],
            [
                "an OpenAPI document with a $ref to nothing",
                (dir) => editYaml(path.join(dir, "shipments", "openapi.yaml"), (doc) => delete doc.components.schemas.OrderLine),
                'apis/shipments/openapi.yaml: is not a valid OpenAPI document: Missing $ref pointer "#/components/schemas/OrderLine". Token "OrderLine" does not exist.',
            ],
            [
                "an OpenAPI file that is not YAML",
                (dir) => fs.writeFileSync(path.join(dir, "ledger", "openapi.yaml"), "openapi: 3.0.3\ninfo: [unclosed\n"),
                "apis/ledger/openapi.yaml: is not valid YAML: line 2, column 7: the [ or { that starts here is never closed",
            ],
            [
                "a WSDL that is not well-formed",
                (dir) =>
                    fs.writeFileSync(
                        path.join(dir, "accounts", "accounts.wsdl"),
                        '<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/">\n  <wsdl:service>\n</wsdl:definitions>',
                    ),
                "apis/accounts/accounts.wsdl: is not well-formed XML: line 3, column 20: Opening and ending tag mismatch: service line 2 and definitions",
            ],
            [
                "a WSDL without the named port",
                (dir) => editYaml(path.join(dir, "accounts", "api.yaml"), (doc) => (doc.wsdl.endpoint = "CustomerServiceSoap12")),
                'apis/accounts/accounts.wsdl: line 85: service "CustomerService" has no port "CustomerServiceSoap12" (allowed: CustomerServiceSoap)',
            ],
            [
                "a WSDL operation whose message is missing",
                (dir) => {
                    const file = path.join(dir, "accounts", "accounts.wsdl");
                    fs.writeFileSync(
                        file,
                        fs
                            .readFileSync(file, "utf8")
                            .replace('<wsdl:message name="GetCustomerOut">', '<wsdl:message name="GetCustomerResult">'),
                    );
                },
                'apis/accounts/accounts.wsdl: line 65: operation "GetCustomer" output names message "GetCustomerOut", which the WSDL does not define',
            ],
            [
                "a WSDL binding operation missing from its port type",
                (dir) => {
                    const file = path.join(dir, "accounts", "accounts.wsdl");
                    fs.writeFileSync(
                        file,
                        fs
                            .readFileSync(file, "utf8")
                            .replace(
                                '<wsdl:operation name="FindCustomers">\n      <wsdl:input message',
                                '<wsdl:operation name="SearchCustomers">\n      <wsdl:input message',
                            ),
                    );
                },
                'apis/accounts/accounts.wsdl: line 79: binding operation "FindCustomers" is not in portType "CustomerServicePortType"',
            ],
            [
                "a product that does not exist",
                (dir) => editYaml(path.join(dir, "ledger", "api.yaml"), (doc) => doc.products.push("public")),
                'apis/ledger/api.yaml: products: "public" is not in apis/products.yaml (allowed: internal, partners)',
            ],
            [
                "two APIs on one path",
                (dir) => editYaml(path.join(dir, "accounts", "api.yaml"), (doc) => (doc.path = "ledger")),
                'apis/ledger/api.yaml: path: "ledger" is already used by apis/accounts (allowed: a path of its own)',
            ],
            [
                "a logicApp API without its workflow",
                (dir) => editYaml(path.join(dir, "shipments", "api.yaml"), (doc) => delete doc.workflow),
                "apis/shipments/api.yaml: workflow: missing on a logicApp API (allowed: the name of a workflow under workflows/)",
            ],
            [
                "a method in two operation groups",
                (dir) => editYaml(path.join(dir, "ledger", "api.yaml"), (doc) => doc.policy.access[1].methods.push("GET")),
                'apis/ledger/api.yaml: policy.access: GET is in both "read" and "write" (allowed: each method in one group)',
            ],
            [
                "a revision that skips a number",
                (dir) => editYaml(path.join(dir, "ledger", "api.yaml"), (doc) => (doc.revisions[0].revision = 3)),
                "apis/ledger/api.yaml: revisions[0].revision: 3 does not follow revision 1 (allowed: 2)",
            ],
            [
                "an API id another API has, in another case",
                (dir) => editYaml(path.join(dir, "accounts", "api.yaml"), (doc) => (doc.apiId = "Ledger-V1")),
                'apis/ledger/api.yaml: apiId: "ledger-v1" is already the id of apis/accounts (allowed: an id of its own; API Management ids ignore case)',
            ],
            [
                "an API id API Management's URLs and file names cannot carry",
                (dir) => editYaml(path.join(dir, "ledger", "api.yaml"), (doc) => (doc.apiId = "ledger;rev=1")),
                'apis/ledger/api.yaml: apiId: "ledger;rev=1" is not an API id (allowed: 1-80 letters, digits, -, _ and ., starting with a letter or digit)',
            ],
            [
                "a SOAP API with a cache duration",
                (dir) => editYaml(path.join(dir, "accounts", "api.yaml"), (doc) => (doc.policy.cacheDuration = 60)),
                "apis/accounts/api.yaml: policy.cacheDuration: SOAP calls are POSTs, which are never cached (allowed: 0)",
            ],
            [
                "an unknown key",
                (dir) => editYaml(path.join(dir, "shipments", "api.yaml"), (doc) => (doc.owner = "sales")),
                "apis/shipments/api.yaml: has unknown keys owner",
            ],
            [
                "a rate limit out of range",
                (dir) => editYaml(path.join(dir, "shipments", "api.yaml"), (doc) => (doc.policy.rateLimit.renewalPeriod = 3600)),
                "apis/shipments/api.yaml: policy.rateLimit.renewalPeriod: 3600 is too large (allowed: 1-300 seconds)",
            ],
            [
                "a revision pointing at a missing spec file",
                (dir) => editYaml(path.join(dir, "ledger", "api.yaml"), (doc) => (doc.revisions[0].spec = "openapi-rev3.yaml")),
                "apis/ledger/api.yaml: revisions[0].spec: apis/ledger/openapi-rev3.yaml does not exist (allowed: a file in apis/ledger/)",
            ],
            [
                "a revision spec that breaks the schema",
                (dir) => editYaml(path.join(dir, "ledger", "openapi-rev2.yaml"), (doc) => (doc.paths["/items"].get.responses = "none")),
                "apis/ledger/openapi-rev2.yaml: is not a valid OpenAPI document: Swagger schema validation failed.",
            ],
            [
                "a backend key on a logicApp API",
                (dir) => editYaml(path.join(dir, "shipments", "api.yaml"), (doc) => (doc.backendApiKey = { header: "X-Api-Key" })),
                "apis/shipments/api.yaml: backendApiKey: a logicApp API is authorised by its trigger's signature (allowed: remove backendApiKey)",
            ],
            [
                "an operationId used twice",
                (dir) =>
                    editYaml(path.join(dir, "ledger", "openapi.yaml"), (doc) => (doc.paths["/items/{sku}"].get.operationId = "listItems")),
                'apis/ledger/openapi.yaml: GET /items/{sku}: operationId "listItems" is also used by GET /items (allowed: one operation per id)',
            ],
            [
                "a folder without api.yaml",
                (dir) => fs.mkdirSync(path.join(dir, "billing")),
                "apis/billing/api.yaml: is missing (allowed: every folder under apis/ holds an api.yaml)",
            ],
        ];
        for (const [what, edit, message] of cases) {
            it(what, async () => {
                const problems = await catalogProblems(catalogCopy(edit));
                assert.ok(
                    problems.some((problem) => problem.startsWith(message)),
                    `expected a problem starting\n  ${message}\ngot\n  ${problems.join("\n  ")}`,
                );
            });
        }

        it("reports a products.yaml it cannot read on its own, without an error on every API that names a product", async () => {
            const problems = await catalogProblems(
                catalogCopy((dir) => editYaml(path.join(dir, "products.yaml"), (doc) => (doc.partners.subscriptionsLimit = "many"))),
            );
            assert.deepEqual(problems, [
                "apis/products.yaml: partners.subscriptionsLimit: is not a number (allowed: 1-1000 subscriptions)",
            ]);
        });

        it("sends a typo in a logicApp API's workflow to its api.yaml, with the definition it is closest to", () => {
            const catalog = { apis: [{ kind: "logicApp", workflow: "shipment-intak", folder: "shipments" }] } as unknown as Catalog;
            assert.deepEqual(catalogWorkflowProblems(catalog, ["shipment-intake", "shipment-notify"]), [
                'apis/shipments/api.yaml: workflow: "shipment-intak" is not a definition under workflows/; did you mean shipment-intake? (allowed: shipment-intake, shipment-notify)',
            ]);
            assert.deepEqual(catalogWorkflowProblems(catalog, []), [
                'apis/shipments/api.yaml: workflow: "shipment-intak" is not a definition under workflows/ (allowed: none: workflows/ has no definition)',
            ]);
        });

        it("reports every problem at once", async () => {
            const problems = await catalogProblems(
                catalogCopy((dir) => {
                    editYaml(path.join(dir, "shipments", "api.yaml"), (doc) => delete doc.workflow);
                    editYaml(path.join(dir, "ledger", "api.yaml"), (doc) => doc.products.push("public"));
                }),
            );
            assert.equal(problems.length, 2);
        });
    });
});
