import * as assert from "node:assert/strict";
import { GatewayCatalog, validateGatewayCatalogArgs, type GatewayCatalogArgs } from "../../components/catalog";
import { checkCatalog, type Catalog, type CheckedCatalog } from "../../content/catalog";
import type { StackRun } from "../../engine";
import {
    asList,
    catalogArgs as catalogArgsOf,
    deploy,
    identity,
    minimal,
    parsePolicy,
    registersNothing,
    sharedRuns,
    tenantId,
    vault,
} from "./gateway-fixtures";

describe("GatewayCatalog component", () => {
    let full: StackRun;
    let catalog: CheckedCatalog;
    const catalogArgs = (overrides: Partial<GatewayCatalogArgs> = {}) => catalogArgsOf(catalog, overrides);

    before(async () => {
        ({ full, catalog } = await sharedRuns());
    });

    describe("what it publishes", () => {
        it("backs every named value with a Key Vault secret, read with the service's system-assigned identity by default", () => {
            const values = full.ofType("azure-native:apimanagement:NamedValue").filter((value) => value.parent?.endsWith("::cat"));
            assert.deepEqual(values.map((value) => value.inputs.namedValueId).sort(), [
                "accounts-backend-key",
                "ledger-backend-key",
                "partner-portal-token",
                "shipment-intake-sig",
            ]);
            for (const value of values) {
                const name = value.inputs.namedValueId as string;
                // No identityClientId: the system-assigned identity, the one a firewalled vault admits.
                assert.deepEqual(value.inputs.keyVault, { secretIdentifier: `${vault}/${name}` });
                assert.equal(value.inputs.secret, true);
                assert.equal(value.inputs.value, undefined);
            }
        });

        it("reads Key Vault, named values and client certificates, with a user-assigned identity when one is given", async () => {
            const run = await deploy(minimal(), catalogArgs({ identityClientId: identity.clientId }));
            const values = run.ofType("azure-native:apimanagement:NamedValue").filter((value) => value.parent?.endsWith("::cat"));
            assert.ok(values.length > 0);
            for (const value of values) {
                assert.equal(value.inputs.keyVault.identityClientId, identity.clientId, value.name);
            }
            assert.equal(
                run.get("azure-native:apimanagement:Certificate", "cat-cert-ledger").inputs.keyVault.identityClientId,
                identity.clientId,
            );
        });

        it("offers the internal and partners products, each needing a subscription and approval", () => {
            const products = full.ofType("azure-native:apimanagement:Product");
            assert.deepEqual(products.map((product) => product.inputs.productId).sort(), ["internal", "partners"]);
            for (const product of products) {
                assert.equal(product.inputs.subscriptionRequired, true);
                assert.equal(product.inputs.approvalRequired, true);
                assert.equal(product.inputs.state, "published");
                assert.ok(String(product.inputs.displayName).length > 0 && String(product.inputs.description).length > 0);
            }
        });

        it("shows every product to the developers group, so developers can ask to subscribe", () => {
            const groups = full
                .ofType("azure-native:apimanagement:ProductGroup")
                .map((link) => `${link.inputs.productId}/${link.inputs.groupId}`);
            assert.deepEqual(groups.sort(), ["internal/developers", "partners/developers"]);
        });

        it("attaches each API to the products its definition names", () => {
            const links = full
                .ofType("azure-native:apimanagement:ProductApi")
                .map((link) => `${link.inputs.productId}/${link.inputs.apiId}`);
            assert.deepEqual(links.sort(), [
                "internal/accounts-v1",
                "internal/ledger-v1",
                "internal/shipments-v1",
                "partners/ledger-v1",
                "partners/shipments-v1",
            ]);
        });

        it("imports the OpenAPI API in a Segment version set, https only, forwarded to its backend", () => {
            const api = full.get("azure-native:apimanagement:Api", "cat-api-ledger-v1").inputs;
            const versionSet = full.get("azure-native:apimanagement:ApiVersionSet", "cat-versions-ledger");
            assert.equal(versionSet.inputs.versioningScheme, "Segment");
            assert.equal(api.apiVersionSetId, versionSet.id);
            assert.equal(api.apiVersion, "v1");
            assert.equal(api.path, "ledger");
            assert.equal(api.format, "openapi");
            assert.match(api.value, /^openapi: 3\.0\.3/);
            assert.deepEqual(api.protocols, ["https"]);
            assert.equal(api.subscriptionRequired, true);
            assert.equal(api.serviceUrl, "https://ledger.fabrikam.com/api");
        });

        it("imports the SOAP API from its WSDL as a pass-through of the named service and port", () => {
            const api = full.get("azure-native:apimanagement:Api", "cat-api-accounts-v1").inputs;
            assert.equal(api.format, "wsdl");
            assert.equal(api.apiType, "soap");
            assert.equal(api.soapApiType, "soap");
            assert.deepEqual(api.wsdlSelector, { wsdlServiceName: "CustomerService", wsdlEndpointName: "CustomerServiceSoap" });
            assert.match(api.value, /<wsdl:definitions/);
            assert.deepEqual(api.protocols, ["https"]);
            assert.equal(full.get("azure-native:apimanagement:Backend", "cat-backend-accounts").inputs.protocol, "soap");
        });

        it("fronts the workflow with a backend on its trigger and the signature from Key Vault, never in the policy", () => {
            const backend = full.get("azure-native:apimanagement:Backend", "cat-backend-shipment-intake-workflow").inputs;
            assert.equal(backend.url, "https://prod-00.westeurope.logic.azure.com/workflows/abc123/triggers");
            const policy = String(full.get("azure-native:apimanagement:ApiPolicy", "cat-policy-shipments-v1").inputs.value);
            const inbound = parsePolicy(policy).inbound;
            assert.equal(inbound["set-backend-service"]["@backend-id"], "shipment-intake-workflow");
            assert.equal(
                inbound["rewrite-uri"]["@template"],
                "/manual/paths/invoke?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={{shipment-intake-sig}}",
            );
            assert.equal(inbound["rewrite-uri"]["@copy-unmatched-params"], "false");
            assert.doesNotMatch(policy, /sig=[^{]/);
            const shipments = full.get("azure-native:apimanagement:Api", "cat-api-shipments-v1");
            assert.equal(shipments.inputs.path, "shipments");
            const signature = full.get("azure-native:apimanagement:NamedValue", "cat-nv-shipment-intake-sig");
            assert.ok(full.get("azure-native:apimanagement:ApiPolicy", "cat-policy-shipments-v1").dependsOn.includes(signature.urn));
        });

        it("addresses every revision as ;rev=n, the first too, so none is written through the id the current one answers to", () => {
            // Once a later revision is current, the bare API id means it (api-management-revisions;
            // the REST spec's apiId: "Non-current revision has ;rev=n as a suffix").
            for (const api of full.ofType("azure-native:apimanagement:Api")) {
                assert.match(api.inputs.apiId, /;rev=\d+$/, api.name);
                assert.equal(api.inputs.apiId.split(";rev=")[1], api.inputs.apiRevision ?? "1", api.name);
            }
            for (const policy of full.ofType("azure-native:apimanagement:ApiPolicy")) {
                assert.match(policy.inputs.apiId, /;rev=\d+$/, policy.name);
            }
            // Products and the output name the API itself.
            assert.ok(full.ofType("azure-native:apimanagement:ProductApi").every((link) => !link.inputs.apiId.includes(";rev=")));
            assert.match((full.outputs.apiIds as Record<string, string>)["ledger-v1"], /\/apis\/ledger-v1$/);
        });

        it("clones each revision from the one before it, and releases each in turn", async () => {
            const ledger = catalog.apis.find((api) => api.name === "ledger" && api.revisions.length > 0)!;
            const third = {
                revision: ledger.revisions.length + 2,
                description: "A third revision.",
                notes: "Nothing changes for callers.",
            };
            const run = await deploy(
                minimal(),
                catalogArgs({
                    catalog: checkCatalog({ ...catalog, apis: [{ ...ledger, revisions: [...ledger.revisions, third] }] }),
                    backends: { [ledger.name]: catalogArgs().backends![ledger.name]! },
                    workflows: {},
                }),
            );
            const last = run.get("azure-native:apimanagement:Api", `cat-api-${ledger.apiId}-rev${third.revision}`);
            const before = run.get("azure-native:apimanagement:Api", `cat-api-${ledger.apiId}-rev${third.revision - 1}`);
            assert.equal(last.inputs.sourceApiId, before.id);
            assert.equal(last.inputs.value, undefined, "a revision without a spec of its own is a copy");
            const release = run.get("azure-native:apimanagement:ApiRelease", `cat-release-${ledger.apiId}-rev${third.revision}`);
            assert.ok(
                release.dependsOn.includes(
                    run.get("azure-native:apimanagement:ApiRelease", `cat-release-${ledger.apiId}-rev${third.revision - 1}`).urn,
                ),
            );
        });

        it("imports a declared revision with its own spec into <api>;rev=<n>, never also cloning it, and releases it with its notes", () => {
            const base = full.get("azure-native:apimanagement:Api", "cat-api-ledger-v1");
            assert.equal(base.inputs.apiId, "ledger-v1;rev=1");
            const revision = full.get("azure-native:apimanagement:Api", "cat-api-ledger-v1-rev2");
            assert.equal(revision.inputs.apiId, "ledger-v1;rev=2");
            assert.equal(revision.inputs.apiRevision, "2");
            // No Microsoft example or tool clones (sourceApiId) and imports in one request.
            assert.equal(revision.inputs.sourceApiId, undefined);
            assert.ok(revision.dependsOn.includes(base.urn), "after the revision it follows");
            assert.equal(revision.inputs.apiRevisionDescription, "Reservations carry their expiry time.");
            assert.match(revision.inputs.value, /expiresAt/);
            assert.doesNotMatch(base.inputs.value, /expiresAt/);
            assert.equal(revision.retainOnDelete, true);
            const release = full.get("azure-native:apimanagement:ApiRelease", "cat-release-ledger-v1-rev2");
            assert.equal(release.inputs.apiId, "ledger-v1;rev=2");
            assert.equal(release.retainOnDelete, true);
            assert.ok(release.dependsOn.includes(full.get("azure-native:apimanagement:ApiPolicy", "cat-policy-ledger-v1-rev2").urn));
            assert.equal(full.get("azure-native:apimanagement:ApiPolicy", "cat-policy-ledger-v1").inputs.apiId, "ledger-v1;rev=1");
            assert.equal(release.inputs.releaseId, "rev-2");
            assert.match(release.inputs.notes, /expiresAt/);
            assert.equal(full.get("azure-native:apimanagement:ApiPolicy", "cat-policy-ledger-v1-rev2").inputs.apiId, "ledger-v1;rev=2");
        });

        it("gives every backend https, certificate chain and name validation, and mutual TLS from Key Vault when asked", () => {
            const backends = full.ofType("azure-native:apimanagement:Backend");
            assert.deepEqual(backends.map((backend) => backend.inputs.backendId).sort(), [
                "accounts",
                "ledger",
                "shipment-intake-workflow",
            ]);
            for (const backend of backends) {
                assert.match(backend.inputs.url, /^https:\/\//);
                assert.deepEqual(backend.inputs.tls, { validateCertificateChain: true, validateCertificateName: true });
            }
            const certificate = full.get("azure-native:apimanagement:Certificate", "cat-cert-ledger");
            assert.deepEqual(certificate.inputs.keyVault, { secretIdentifier: `${vault}/ledger-client` });
            assert.deepEqual(full.get("azure-native:apimanagement:Backend", "cat-backend-ledger").inputs.credentials, {
                certificateIds: [certificate.id],
            });
            assert.equal(full.get("azure-native:apimanagement:Backend", "cat-backend-accounts").inputs.credentials, undefined);
            assert.equal(full.ofType("azure-native:apimanagement:Certificate").length, 1);
        });

        it("outputs the ARM id of every API", () => {
            assert.deepEqual(Object.keys(full.outputs.apiIds as object).sort(), ["accounts-v1", "ledger-v1", "shipments-v1"]);
            assert.match((full.outputs.apiIds as Record<string, string>)["shipments-v1"], /\/service\/apim-test\/apis\/shipments-v1$/);
        });
    });

    describe("the APIs' policies", () => {
        it("drops the caller's Authorization header after validating it, before a workflow's trigger gets the request", () => {
            // The trigger is called with its signature (SAS); Logic Apps answers 401 to a request that
            // also carries an Authorization header (logic-apps-securing-a-logic-app, "Enable OAuth").
            const workflowApis = catalog.apis.filter((api) => api.kind === "logicApp");
            assert.ok(workflowApis.length > 0);
            for (const api of workflowApis) {
                const xml = String(full.get("azure-native:apimanagement:ApiPolicy", `cat-policy-${api.apiId}`).inputs.value);
                const validated = xml.indexOf("<validate-jwt");
                const dropped = xml.indexOf('<set-header name="Authorization" exists-action="delete"');
                const forwarded = xml.indexOf("<rewrite-uri");
                assert.ok(validated >= 0 && dropped > validated && forwarded > dropped, api.apiId);
            }
            for (const api of catalog.apis.filter((candidate) => candidate.kind !== "logicApp")) {
                assert.doesNotMatch(
                    String(full.get("azure-native:apimanagement:ApiPolicy", `cat-policy-${api.apiId}`).inputs.value),
                    /name="Authorization" exists-action="delete"/,
                    api.apiId,
                );
            }
        });

        it("every API policy holds <base /> in every section", () => {
            const policies = full.ofType("azure-native:apimanagement:ApiPolicy");
            assert.equal(policies.length, 4);
            for (const policy of policies) {
                const sections = parsePolicy(policy.inputs.value);
                for (const [section, content] of Object.entries(sections)) {
                    assert.ok(content && "base" in content, `${policy.name} ${section}`);
                }
            }
        });

        it("validates Entra ID tokens: v2.0 openid-config, the API's audiences, the issuer and a roles claim per operation group", () => {
            const inbound = parsePolicy(full.get("azure-native:apimanagement:ApiPolicy", "cat-policy-ledger-v1").inputs.value).inbound;
            const access = asList(inbound.choose)[0] as Record<string, any>;
            const whens = asList(access.when) as Record<string, any>[];
            assert.deepEqual(
                whens.map((when) => when["@condition"]),
                [
                    '@(context.Request.Method == "GET" || context.Request.Method == "HEAD")',
                    '@(context.Request.Method == "POST" || context.Request.Method == "PUT" || context.Request.Method == "PATCH" || context.Request.Method == "DELETE")',
                ],
            );
            const roles = whens.map((when) => {
                const jwt = when["validate-jwt"];
                assert.equal(
                    jwt["openid-config"]["@url"],
                    `https://login.microsoftonline.com/${tenantId}/v2.0/.well-known/openid-configuration`,
                );
                assert.deepEqual(jwt.audiences.audience, ["api://integration-prod", "33333333-3333-4333-8333-333333333333"]);
                assert.equal(jwt.issuers.issuer, `https://login.microsoftonline.com/${tenantId}/v2.0`);
                assert.equal(jwt["@require-scheme"], "Bearer");
                assert.equal(jwt["@failed-validation-httpcode"], "401");
                assert.equal(jwt["required-claims"].claim["@name"], "roles");
                return jwt["required-claims"].claim.value;
            });
            assert.deepEqual(roles, ["Ledger.Read", "Ledger.Write"]);
            assert.equal(access.otherwise["return-response"]["set-status"]["@code"], "405");
        });

        it("limits calls per subscription with the API's numbers", () => {
            const inbound = parsePolicy(full.get("azure-native:apimanagement:ApiPolicy", "cat-policy-ledger-v1").inputs.value).inbound;
            assert.deepEqual(inbound["rate-limit-by-key"], {
                "@calls": "300",
                "@renewal-period": "60",
                "@counter-key": "@(context.Subscription.Id)",
            });
            const soap = parsePolicy(full.get("azure-native:apimanagement:ApiPolicy", "cat-policy-accounts-v1").inputs.value).inbound;
            assert.equal(soap["rate-limit-by-key"]["@calls"], "120");
        });

        it("caches GET responses for the API's duration, per caller, and nothing for APIs without a duration", () => {
            const policy = parsePolicy(full.get("azure-native:apimanagement:ApiPolicy", "cat-policy-ledger-v1").inputs.value);
            const lookups = asList(policy.inbound.choose)
                .flatMap((choose: any) => asList(choose.when))
                .filter((when: any) => "cache-lookup" in when);
            assert.equal(lookups.length, 1);
            assert.equal(lookups[0]["@condition"], '@(context.Request.Method == "GET")');
            assert.equal(lookups[0]["cache-lookup"]["@vary-by-developer"], "true");
            assert.equal(lookups[0]["cache-lookup"]["@allow-private-response-caching"], "true");
            assert.equal(policy.outbound.choose.when["@condition"], '@(context.Request.Method == "GET")');
            assert.equal(policy.outbound.choose.when["cache-store"]["@duration"], "120");
            const shipments = String(full.get("azure-native:apimanagement:ApiPolicy", "cat-policy-shipments-v1").inputs.value);
            assert.doesNotMatch(shipments, /cache-(lookup|store)/);
        });

        it("forwards the OpenAPI and SOAP APIs to their backends by id", () => {
            for (const [api, backend] of [
                ["ledger-v1", "ledger"],
                ["accounts-v1", "accounts"],
            ]) {
                const inbound = parsePolicy(full.get("azure-native:apimanagement:ApiPolicy", `cat-policy-${api}`).inputs.value).inbound;
                assert.equal(inbound["set-backend-service"]["@backend-id"], backend);
                assert.equal(inbound["rewrite-uri"], undefined);
                assert.deepEqual(asList(inbound["set-header"]).at(-1), {
                    "@name": "X-Api-Key",
                    "@exists-action": "override",
                    value: `{{${backend}-backend-key}}`,
                });
            }
        });
    });

    describe("policy files", () => {
        // The fixture's ledger API has a policy.xml, operation policies for reserve-item (both
        // revisions) and release-item (an operation revision 2 adds), and the partners product a policy.
        const positionOf = (document: string, fragment: string) => {
            const at = document.indexOf(fragment);
            assert.ok(at >= 0, `${fragment} in\n${document}`);
            return at;
        };

        it("merges an API's policy.xml: its inbound after the rate limit and the token check, before the cache and the forwarding; its outbound before the cache store", () => {
            for (const name of ["cat-policy-ledger-v1", "cat-policy-ledger-v1-rev2"]) {
                const document = String(full.get("azure-native:apimanagement:ApiPolicy", name).inputs.value);
                const inbound = [
                    "<base />",
                    "<rate-limit-by-key",
                    "<validate-jwt",
                    'name="X-Correlation-Id"',
                    "<cache-lookup",
                    "<set-backend-service",
                ].map((fragment) => positionOf(document, fragment));
                assert.deepEqual(
                    inbound,
                    [...inbound].sort((a, b) => a - b),
                    name,
                );
                const outbound = ["<outbound>", 'name="X-Ledger-Api"', "<cache-store"].map((fragment) => positionOf(document, fragment));
                assert.deepEqual(
                    outbound,
                    [...outbound].sort((a, b) => a - b),
                    name,
                );
                assert.equal(document.match(/<base \/>/g)?.length, 4, "one <base /> per section, the gateway's");
            }
            assert.ok(
                !String(full.get("azure-native:apimanagement:ApiPolicy", "cat-policy-shipments-v1").inputs.value).includes(
                    "X-Correlation-Id",
                ),
                "only the API with the file",
            );
        });

        it("publishes each operation policy, as written, on every revision that has the operation", () => {
            const files = catalog.apis.find((api) => api.name === "ledger")!.operationPolicies;
            const published = full
                .ofType("azure-native:apimanagement:ApiOperationPolicy")
                .map((policy) => [
                    policy.name,
                    policy.inputs.apiId,
                    policy.inputs.operationId,
                    policy.inputs.value === files[policy.inputs.operationId]!.document,
                ]);
            assert.deepEqual(published.sort(), [
                ["cat-policy-ledger-v1-reserve-item", "ledger-v1;rev=1", "reserve-item", true],
                ["cat-policy-ledger-v1-rev2-release-item", "ledger-v1;rev=2", "release-item", true],
                ["cat-policy-ledger-v1-rev2-reserve-item", "ledger-v1;rev=2", "reserve-item", true],
            ]);
            const release = full.get("azure-native:apimanagement:ApiRelease", "cat-release-ledger-v1-rev2");
            for (const policy of full
                .ofType("azure-native:apimanagement:ApiOperationPolicy")
                .filter((candidate) => candidate.inputs.apiId.endsWith(";rev=2"))) {
                assert.ok(release.dependsOn.includes(policy.urn), "a revision is released with its operation policies");
            }
        });

        it("publishes a product's policy file as the product's policy", () => {
            const policy = full.get("azure-native:apimanagement:ProductPolicy", "cat-product-partners-policy");
            assert.equal(policy.inputs.productId, "partners");
            assert.equal(policy.inputs.policyId, "policy");
            assert.equal(policy.inputs.value, catalog.products.partners!.policyFile!.document);
            assert.equal(full.ofType("azure-native:apimanagement:ProductPolicy").length, 1, "the internal product has none");
        });
    });

    describe("rejects bad arguments before registering anything", () => {
        const catalogCases: Array<[string, () => Partial<GatewayCatalogArgs>, string]> = [
            [
                "an http backend",
                () => ({ backends: { ...catalogArgs().backends, accounts: { url: "http://erp.fabrikam.com" } } }),
                'backends.accounts.url: "http://erp.fabrikam.com" is not an https URL (allowed: an https URL such as https://inventory.contoso.com/api, without query or fragment, at most 2000 characters)',
            ],
            [
                "an API without its backend",
                () => ({ backends: { ledger: { url: "https://ledger.fabrikam.com/api" } } }),
                'backends.accounts: missing; the soap API in apis/accounts forwards to it (allowed: { url: "https://..." })',
            ],
            [
                "a backend no API calls",
                () => ({ backends: { ...catalogArgs().backends, billing: { url: "https://billing.fabrikam.com" } } }),
                "backends.billing: no openapi or soap API of the catalog is called billing (allowed: accounts, ledger)",
            ],
            [
                "a logicApp API without its workflow",
                () => ({ workflows: {} }),
                "workflows.shipment-intake: missing; the logicApp API in apis/shipments forwards to it (allowed: shipment-intake, deployed with access: gateway)",
            ],
            [
                "APIs without token validation",
                () => ({ tokenValidation: undefined }),
                "tokenValidation: missing; every API validates Entra ID tokens (allowed: { openIdConfigUrl, issuer, audiences })",
            ],
            [
                "a named value that takes a workflow signature's name",
                () => ({ namedValues: { ...catalogArgs().namedValues, "shipment-intake-sig": `${vault}/other` } }),
                "namedValues.shipment-intake-sig: taken by the signature of workflow shipment-intake (allowed: another name)",
            ],
            [
                "an API whose backend key has no named value",
                () => ({ namedValues: { "ledger-backend-key": `${vault}/ledger-backend-key` } }),
                "namedValues.accounts-backend-key: missing; the soap API in apis/accounts sends it to its backend (allowed: the Key Vault secret id of the key)",
            ],
            [
                "a named value with a bad name",
                () => ({ namedValues: { "erp key": `${vault}/erp-key` } }),
                'namedValues: "erp key" is not a named value name (allowed: 1-256 letters, digits, . _ -)',
            ],
        ];

        for (const [what, patch, message] of catalogCases) {
            it(what, async () => {
                assert.throws(
                    () => validateGatewayCatalogArgs(catalogArgs(patch())),
                    (error: Error) => error.message.split("\n").includes(`  - ${message}`),
                );
                await registersNothing(() => new GatewayCatalog("cat", catalogArgs(patch())), message);
            });
        }

        it("takes only a checked catalog: the catalog's own rules ran where it was loaded, and do not run again", () => {
            const unchecked: Catalog = {
                ...catalog,
                apis: [
                    ...catalog.apis,
                    { ...catalog.apis.find((api) => api.name === "accounts")!, name: "clients", apiId: "clients-v1", folder: "clients" },
                ],
            };
            // @ts-expect-error a Catalog is not a CheckedCatalog: only checkCatalog (or loadCatalog) makes one.
            const args: GatewayCatalogArgs = { ...catalogArgs(), catalog: unchecked };
            // Given one anyway (past the type), the component checks only what it is published with.
            assert.doesNotThrow(() =>
                validateGatewayCatalogArgs({
                    ...args,
                    backends: { ...args.backends, clients: { url: "https://clients.fabrikam.com" } },
                    namedValues: { ...args.namedValues, "clients-backend-key": `${vault}/clients-backend-key` },
                }),
            );
            assert.throws(
                () => checkCatalog(unchecked),
                /apis\/clients\/api.yaml: path: "accounts" is already used by apis\/accounts \(allowed: a path of its own\)/,
            );
        });
    });
});
