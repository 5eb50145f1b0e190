import * as assert from "node:assert/strict";
import * as path from "node:path";
import { XMLParser } from "fast-xml-parser";
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as dns from "@pulumi/azure-native/dns";
import {
    ApiGateway,
    GatewayCatalog,
    GatewayIdentity,
    validateApiGatewayArgs,
    validateGatewayCatalogArgs,
    type ApiGatewayArgs,
    type Catalog,
    type GatewayCatalogArgs,
} from "../../components/gateway";
import { loadCatalog } from "../../stacks/content";
import { repoRoot } from "../../tools/engine/project";
import { runStack, type StackRun } from "../../tools/engine";

const tenantId = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const identity = {
    resourceId: "/subscriptions/0000/resourceGroups/rg-gw/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-gw",
    clientId: "11111111-1111-4111-8111-111111111111",
    principalId: "22222222-2222-4222-8222-222222222222",
};
const vault = "https://kv-test.vault.azure.net/secrets";

let catalog: Catalog;

/** The smallest args: a Developer service, no catalog, no telemetry. */
function minimal(overrides: Partial<ApiGatewayArgs> = {}): ApiGatewayArgs {
    return {
        resourceGroupName: "rg-gw",
        location: "westeurope",
        names: { service: "apim-test", autoscale: "as-test", capacityAlert: "alert-test" },
        sku: "Developer",
        capacity: 1,
        publisherName: "Contoso Integration",
        publisherEmail: "api-team@contoso.com",
        identity,
        ...overrides,
    };
}

/** Everything on: Premium in two regions with zones, the whole catalog, telemetry, autoscale, sign-in, custom hosts. */
function everything(overrides: Partial<ApiGatewayArgs> = {}): ApiGatewayArgs {
    return minimal({
        sku: "Premium",
        capacity: 2,
        zones: ["1", "2"],
        additionalLocations: [{ location: "swedencentral", capacity: 2, zones: ["1", "2"] }],
        customHosts: {
            gateway: { hostName: "api.contoso.com", certificateSecretId: `${vault}/api-contoso-com` },
            portal: { hostName: "developer.contoso.com", certificateSecretId: `${vault}/developer-contoso-com` },
            management: { hostName: "management.contoso.com", certificateSecretId: `${vault}/management-contoso-com` },
        },
        corsOrigins: ["https://app.contoso.com"],
        portalSignIn: { tenantId, clientId: "44444444-4444-4444-8444-444444444444", clientSecret: pulumi.secret("portal-secret-value") },
        monitoring: {
            workspaceId: "/subscriptions/0000/resourceGroups/rg-shared/providers/Microsoft.OperationalInsights/workspaces/log-test",
            appInsightsId: "/subscriptions/0000/resourceGroups/rg-shared/providers/Microsoft.Insights/components/appi-test",
            appInsightsConnectionString: pulumi.secret("InstrumentationKey=55555555-5555-4555-8555-555555555555"),
            samplingPercentage: 25,
            actionGroupId: "/subscriptions/0000/resourceGroups/rg-shared/providers/Microsoft.Insights/actionGroups/ag-test",
        },
        autoscale: { minCapacity: 2, maxCapacity: 6 },
        tags: { environment: "test" },
        protect: true,
        ...overrides,
    });
}

/** The whole catalog, with every input it takes. */
function catalogArgs(overrides: Partial<GatewayCatalogArgs> = {}): GatewayCatalogArgs {
    return {
        resourceGroupName: "rg-gw",
        serviceName: "apim-test",
        identityClientId: identity.clientId,
        products: catalog.products,
        apis: catalog.apis,
        backends: {
            inventory: { url: "https://inventory.contoso.com/api", clientCertificateSecretId: `${vault}/inventory-client` },
            customers: { url: "https://erp.contoso.com/services/customers" },
        },
        workflows: {
            "order-intake": {
                baseUrl: "https://prod-00.westeurope.logic.azure.com/workflows/abc123/triggers",
                path: "/manual/paths/invoke",
                query: { "api-version": "2016-10-01", sp: "/triggers/manual/run", sv: "1.0" },
                signatureSecretId: `${vault}/order-intake-sig`,
            },
        },
        tokenValidation: {
            openIdConfigUrl: `https://login.microsoftonline.com/${tenantId}/v2.0/.well-known/openid-configuration`,
            issuer: `https://login.microsoftonline.com/${tenantId}/v2.0`,
            audiences: ["api://integration-prod", "33333333-3333-4333-8333-333333333333"],
        },
        namedValues: {
            "inventory-backend-key": `${vault}/inventory-backend-key`,
            "customers-backend-key": `${vault}/customers-backend-key`,
            "partner-portal-token": `${vault}/partner-portal-token`,
        },
        ...overrides,
    };
}

/** Runs the gateway and, when given, the catalog on it, as the stack does. */
function deploy(args: ApiGatewayArgs, publish?: GatewayCatalogArgs): Promise<StackRun> {
    return runStack({
        stack: "dev",
        program: async () => {
            const gateway = new ApiGateway("gw", args);
            const published = publish ? new GatewayCatalog("cat", { ...publish, serviceName: gateway.serviceName, after: [gateway] }) : undefined;
            return {
                gatewayUrl: gateway.gatewayUrl,
                portalUrl: gateway.portalUrl,
                publicIpAddresses: gateway.publicIpAddresses,
                principalId: gateway.identityPrincipalId,
                // Only with a catalog: an undefined output would be dropped with a warning.
                ...(published ? { apiIds: published.apiIds } : {}),
                portalSignIn: gateway.portalSignIn,
            };
        },
    });
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", preserveOrder: false, parseTagValue: false });

/** The policy document as a tree; every section present. */
function parsePolicy(value: unknown): Record<string, any> {
    const doc = xml.parse(String(value)) as { policies: Record<string, any> };
    assert.deepEqual(Object.keys(doc.policies), ["inbound", "backend", "outbound", "on-error"]);
    return doc.policies;
}

function asList<T>(value: T | T[] | undefined): T[] {
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

const apimType = "azure-native:apimanagement:ApiManagementService";

describe("ApiGateway component", () => {
    let full: StackRun;
    let small: StackRun;

    before(async () => {
        catalog = await loadCatalog(path.join(repoRoot, "apis"));
        full = await deploy(everything(), catalogArgs());
        small = await deploy(minimal());
    });

    describe("the service", () => {
        it("runs Developer with one unit, no zones and no extra regions", () => {
            const service = small.get(apimType, "gw-apim").inputs;
            assert.deepEqual(service.sku, { name: "Developer", capacity: 1 });
            assert.equal(service.zones, undefined);
            assert.equal(service.additionalLocations, undefined);
            assert.equal(service.location, "westeurope");
            assert.equal(service.serviceName, "apim-test");
        });

        for (const [sku, capacity] of [
            ["Basic", 2],
            ["Standard", 4],
        ] as const) {
            it(`runs ${sku} with its units and neither zones nor extra regions`, async () => {
                const run = await deploy(minimal({ sku, capacity }));
                const service = run.get(apimType, "gw-apim").inputs;
                assert.deepEqual(service.sku, { name: sku, capacity });
                assert.equal(service.zones, undefined);
                assert.equal(service.additionalLocations, undefined);
            });
        }

        it("spreads Premium over two regions, each with its units and zones and the gateway on", () => {
            const service = full.get(apimType, "gw-apim").inputs;
            assert.deepEqual(service.sku, { name: "Premium", capacity: 2 });
            assert.deepEqual(service.zones, ["1", "2"]);
            assert.deepEqual(service.additionalLocations, [{ location: "swedencentral", sku: { name: "Premium", capacity: 2 }, zones: ["1", "2"], disableGateway: false }]);
        });

        it("turns off SSL 3.0, TLS 1.0 and 1.1 on both sides, Triple DES and the weak suites, and pins the API version", () => {
            const service = small.get(apimType, "gw-apim").inputs;
            const prefix = "Microsoft.WindowsAzure.ApiManagement.Gateway.Security.";
            const off = Object.entries(service.customProperties as Record<string, string>)
                .filter(([, value]) => value === "False")
                .map(([key]) => key.replace(prefix, ""));
            for (const side of ["", "Backend."]) {
                for (const protocol of ["Ssl30", "Tls10", "Tls11"]) {
                    assert.ok(off.includes(`${side}Protocols.${protocol}`), `${side}${protocol}`);
                }
            }
            assert.ok(off.includes("Ciphers.TripleDes168"));
            for (const cipher of ["TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA256"]) {
                assert.ok(off.includes(`Ciphers.${cipher}`), cipher);
            }
            assert.equal(off.length, 16);
            assert.deepEqual(service.apiVersionConstraint, { minApiVersion: "2021-08-01" });
        });

        it("runs as the user-assigned identity and is created only after the identity's grants", async () => {
            const grant = "urn:pulumi:dev::enterprise-integration::azure-native:authorization:RoleAssignment::kv-secrets-user";
            const run = await runStack({
                stack: "dev",
                program: async () => {
                    const id = new GatewayIdentity("gwid", { resourceGroupName: "rg-gw", location: "westeurope", identityName: "id-gw" });
                    const role = new authorization.RoleAssignment("kv-secrets-user", {
                        principalId: id.principalId,
                        roleDefinitionId: "/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6",
                        scope: "/subscriptions/0000/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv-test",
                        principalType: "ServicePrincipal",
                        roleAssignmentName: "5d0c1c35-7a36-4b0e-9c3c-4c8b5a0f2a11",
                    });
                    new ApiGateway("gw", minimal({ identity: id, identityGrants: [role] }));
                },
            });
            const service = run.get(apimType, "gw-apim");
            const uai = run.get("azure-native:managedidentity:UserAssignedIdentity", "gwid-uai");
            assert.equal(service.inputs.identity.type, "SystemAssigned, UserAssigned");
            assert.deepEqual(Object.keys(service.inputs.identity.userAssignedIdentities), [uai.id]);
            assert.ok(service.dependsOn.includes(grant));
        });

        it("is never updated after creation: everything else is a sub-resource of it, and autoscale owns its units", () => {
            assert.equal(full.ofType(apimType).length, 1);
            // Every other API Management resource lives under the service (its own name plus the
            // service's), so none of them sets a property of the service itself.
            const others = full.resources.filter((resource) => resource.custom && resource.type.startsWith("azure-native:apimanagement:") && resource.type !== apimType);
            assert.ok(others.length > 20);
            for (const resource of others) {
                assert.equal(resource.inputs.serviceName, "apim-test", resource.name);
            }
            assert.deepEqual(full.get(apimType, "gw-apim").ignoreChanges, ["sku.capacity"]);
        });

        it("serves the custom hosts with versionless Key Vault certificates read by the identity", () => {
            const hosts = full.get(apimType, "gw-apim").inputs.hostnameConfigurations;
            assert.deepEqual(
                hosts.map((host: Record<string, unknown>) => [host.type, host.hostName, host.keyVaultId, host.identityClientId, host.certificateSource]),
                [
                    ["Proxy", "api.contoso.com", `${vault}/api-contoso-com`, identity.clientId, "KeyVault"],
                    ["DeveloperPortal", "developer.contoso.com", `${vault}/developer-contoso-com`, identity.clientId, "KeyVault"],
                    ["Management", "management.contoso.com", `${vault}/management-contoso-com`, identity.clientId, "KeyVault"],
                ],
            );
            assert.equal(small.get(apimType, "gw-apim").inputs.hostnameConfigurations, undefined);
        });

        it("serves the gateway host with a managed certificate once its DNS records exist", async () => {
            const run = await runStack({
                stack: "dev",
                program: async () => {
                    const record = new dns.RecordSet("record", {
                        resourceGroupName: "rg-shared",
                        zoneName: "contoso.com",
                        relativeRecordSetName: "api",
                        recordType: "CNAME",
                        cnameRecord: { cname: "apim-test.azure-api.net" },
                    });
                    new ApiGateway("gw", minimal({ customHosts: { gateway: { hostName: "api.contoso.com", managedCertificate: true } }, hostRecords: [record] }));
                },
            });
            const service = run.get(apimType, "gw-apim");
            assert.deepEqual(service.inputs.hostnameConfigurations, [
                { type: "Proxy", hostName: "api.contoso.com", certificateSource: "Managed", negotiateClientCertificate: false, defaultSslBinding: true },
            ]);
            assert.ok(service.dependsOn.includes(run.get("azure-native:dns:RecordSet", "record").urn));
        });

        it("takes the publisher from its args, opens the developer portal, and is protected when asked", () => {
            const service = full.get(apimType, "gw-apim");
            assert.equal(service.inputs.publisherName, "Contoso Integration");
            assert.equal(service.inputs.publisherEmail, "api-team@contoso.com");
            assert.equal(service.inputs.developerPortalStatus, "Enabled");
            assert.equal(service.protect, true);
            assert.equal(small.get(apimType, "gw-apim").protect, false);
            assert.deepEqual(service.inputs.tags, { environment: "test" });
        });

        it("outputs the custom URLs and the public addresses of every region, primary first", () => {
            assert.equal(full.outputs.gatewayUrl, "https://api.contoso.com");
            assert.equal(full.outputs.portalUrl, "https://developer.contoso.com");
            const ips = full.outputs.publicIpAddresses as string[];
            assert.equal(ips.length, 2);
            assert.ok(ips.every((ip) => /^\d+\.\d+\.\d+\.\d+$/.test(ip)));
            assert.notEqual(ips[0], ips[1]);
            assert.equal(small.outputs.gatewayUrl, "https://apim-test.azure-api.net");
            assert.equal((small.outputs.publicIpAddresses as string[]).length, 1);
            assert.equal(full.outputs.principalId, identity.principalId);
        });
    });

    describe("what it publishes", () => {
        it("backs every named value with a Key Vault secret read by the identity; none holds a plain secret", () => {
            const values = full.ofType("azure-native:apimanagement:NamedValue");
            const byName = Object.fromEntries(values.map((value) => [value.inputs.namedValueId, value]));
            assert.deepEqual(Object.keys(byName).sort(), ["appinsights-connection-string", "customers-backend-key", "inventory-backend-key", "order-intake-sig", "partner-portal-token"]);
            for (const name of ["customers-backend-key", "inventory-backend-key", "order-intake-sig", "partner-portal-token"]) {
                assert.deepEqual(byName[name].inputs.keyVault, { secretIdentifier: `${vault}/${name}`, identityClientId: identity.clientId });
                assert.equal(byName[name].inputs.secret, true);
                assert.equal(byName[name].inputs.value, undefined);
            }
            // The one value-holding named value is the telemetry connection string, and it is secret.
            assert.equal(byName["appinsights-connection-string"].inputs.secret, true);
            assert.ok(byName["appinsights-connection-string"].secretInputs.includes("value"));
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
            const groups = full.ofType("azure-native:apimanagement:ProductGroup").map((link) => `${link.inputs.productId}/${link.inputs.groupId}`);
            assert.deepEqual(groups.sort(), ["internal/developers", "partners/developers"]);
        });

        it("attaches each API to the products its definition names", () => {
            const links = full.ofType("azure-native:apimanagement:ProductApi").map((link) => `${link.inputs.productId}/${link.inputs.apiId}`);
            assert.deepEqual(links.sort(), ["internal/customers-v1", "internal/inventory-v1", "internal/orders-v1", "partners/inventory-v1", "partners/orders-v1"]);
        });

        it("imports the OpenAPI API in a Segment version set, https only, forwarded to its backend", () => {
            const api = full.get("azure-native:apimanagement:Api", "cat-api-inventory-v1").inputs;
            const versionSet = full.get("azure-native:apimanagement:ApiVersionSet", "cat-versions-inventory");
            assert.equal(versionSet.inputs.versioningScheme, "Segment");
            assert.equal(api.apiVersionSetId, versionSet.id);
            assert.equal(api.apiVersion, "v1");
            assert.equal(api.path, "inventory");
            assert.equal(api.format, "openapi");
            assert.match(api.value, /^openapi: 3\.0\.3/);
            assert.deepEqual(api.protocols, ["https"]);
            assert.equal(api.subscriptionRequired, true);
            assert.equal(api.serviceUrl, "https://inventory.contoso.com/api");
        });

        it("imports the SOAP API from its WSDL as a pass-through of the named service and port", () => {
            const api = full.get("azure-native:apimanagement:Api", "cat-api-customers-v1").inputs;
            assert.equal(api.format, "wsdl");
            assert.equal(api.apiType, "soap");
            assert.equal(api.soapApiType, "soap");
            assert.deepEqual(api.wsdlSelector, { wsdlServiceName: "CustomerService", wsdlEndpointName: "CustomerServiceSoap" });
            assert.match(api.value, /<wsdl:definitions/);
            assert.deepEqual(api.protocols, ["https"]);
            assert.equal(full.get("azure-native:apimanagement:Backend", "cat-backend-customers").inputs.protocol, "soap");
        });

        it("fronts the workflow with a backend on its trigger and the signature from Key Vault, never in the policy", () => {
            const backend = full.get("azure-native:apimanagement:Backend", "cat-backend-order-intake-workflow").inputs;
            assert.equal(backend.url, "https://prod-00.westeurope.logic.azure.com/workflows/abc123/triggers");
            const policy = String(full.get("azure-native:apimanagement:ApiPolicy", "cat-policy-orders-v1").inputs.value);
            const inbound = parsePolicy(policy).inbound;
            assert.equal(inbound["set-backend-service"]["@backend-id"], "order-intake-workflow");
            assert.equal(inbound["rewrite-uri"]["@template"], "/manual/paths/invoke?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={{order-intake-sig}}");
            assert.equal(inbound["rewrite-uri"]["@copy-unmatched-params"], "false");
            assert.doesNotMatch(policy, /sig=[^{]/);
            const orders = full.get("azure-native:apimanagement:Api", "cat-api-orders-v1");
            assert.equal(orders.inputs.path, "orders");
            const signature = full.get("azure-native:apimanagement:NamedValue", "cat-nv-order-intake-sig");
            assert.ok(full.get("azure-native:apimanagement:ApiPolicy", "cat-policy-orders-v1").dependsOn.includes(signature.urn));
        });

        it("creates the declared revision from the API and releases it with its notes", () => {
            const base = full.get("azure-native:apimanagement:Api", "cat-api-inventory-v1");
            const revision = full.get("azure-native:apimanagement:Api", "cat-api-inventory-v1-rev2");
            assert.equal(revision.inputs.apiId, "inventory-v1;rev=2");
            assert.equal(revision.inputs.apiRevision, "2");
            assert.equal(revision.inputs.sourceApiId, base.id);
            assert.equal(revision.inputs.apiRevisionDescription, "Reservations carry their expiry time.");
            assert.match(revision.inputs.value, /expiresAt/);
            assert.doesNotMatch(base.inputs.value, /expiresAt/);
            assert.equal(revision.retainOnDelete, true);
            const release = full.get("azure-native:apimanagement:ApiRelease", "cat-release-inventory-v1-rev2");
            assert.equal(release.inputs.apiId, "inventory-v1;rev=2");
            assert.equal(release.retainOnDelete, true);
            assert.ok(release.dependsOn.includes(full.get("azure-native:apimanagement:ApiPolicy", "cat-policy-inventory-v1-rev2").urn));
            assert.equal(full.get("azure-native:apimanagement:ApiPolicy", "cat-policy-inventory-v1").inputs.apiId, "inventory-v1;rev=1");
            assert.equal(release.inputs.releaseId, "rev-2");
            assert.match(release.inputs.notes, /expiresAt/);
            assert.equal(full.get("azure-native:apimanagement:ApiPolicy", "cat-policy-inventory-v1-rev2").inputs.apiId, "inventory-v1;rev=2");
        });

        it("gives every backend https, certificate chain and name validation, and mutual TLS from Key Vault when asked", () => {
            const backends = full.ofType("azure-native:apimanagement:Backend");
            assert.deepEqual(backends.map((backend) => backend.inputs.backendId).sort(), ["customers", "inventory", "order-intake-workflow"]);
            for (const backend of backends) {
                assert.match(backend.inputs.url, /^https:\/\//);
                assert.deepEqual(backend.inputs.tls, { validateCertificateChain: true, validateCertificateName: true });
            }
            const certificate = full.get("azure-native:apimanagement:Certificate", "cat-cert-inventory");
            assert.deepEqual(certificate.inputs.keyVault, { secretIdentifier: `${vault}/inventory-client`, identityClientId: identity.clientId });
            assert.deepEqual(full.get("azure-native:apimanagement:Backend", "cat-backend-inventory").inputs.credentials, { certificateIds: [certificate.id] });
            assert.equal(full.get("azure-native:apimanagement:Backend", "cat-backend-customers").inputs.credentials, undefined);
            assert.equal(full.ofType("azure-native:apimanagement:Certificate").length, 1);
        });

        it("outputs the ARM id of every API", () => {
            assert.deepEqual(Object.keys(full.outputs.apiIds as object).sort(), ["customers-v1", "inventory-v1", "orders-v1"]);
            assert.match((full.outputs.apiIds as Record<string, string>)["orders-v1"], /\/service\/apim-test\/apis\/orders-v1$/);
        });
    });

    describe("policies", () => {
        it("the global policy allows the portal's and the configured origins, strips revealing headers and forwards", () => {
            const policy = parsePolicy(full.get("azure-native:apimanagement:Policy", "gw-policy").inputs.value);
            const cors = policy.inbound.cors;
            assert.equal(cors["@allow-credentials"], "false");
            assert.deepEqual(asList(cors["allowed-origins"].origin), ["https://apim-test.developer.azure-api.net", "https://developer.contoso.com", "https://app.contoso.com"]);
            const stripped = asList(policy.outbound["set-header"]).map((header: Record<string, string>) => [header["@name"], header["@exists-action"]]);
            assert.deepEqual(stripped, [
                ["X-Powered-By", "delete"],
                ["X-AspNet-Version", "delete"],
                ["X-AspNetMvc-Version", "delete"],
            ]);
            assert.ok("forward-request" in policy.backend);
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
            const inbound = parsePolicy(full.get("azure-native:apimanagement:ApiPolicy", "cat-policy-inventory-v1").inputs.value).inbound;
            const access = asList(inbound.choose)[0] as Record<string, any>;
            const whens = asList(access.when) as Record<string, any>[];
            assert.deepEqual(
                whens.map((when) => when["@condition"]),
                ['@(context.Request.Method == "GET" || context.Request.Method == "HEAD")', '@(context.Request.Method == "POST" || context.Request.Method == "PUT" || context.Request.Method == "PATCH" || context.Request.Method == "DELETE")'],
            );
            const roles = whens.map((when) => {
                const jwt = when["validate-jwt"];
                assert.equal(jwt["openid-config"]["@url"], `https://login.microsoftonline.com/${tenantId}/v2.0/.well-known/openid-configuration`);
                assert.deepEqual(jwt.audiences.audience, ["api://integration-prod", "33333333-3333-4333-8333-333333333333"]);
                assert.equal(jwt.issuers.issuer, `https://login.microsoftonline.com/${tenantId}/v2.0`);
                assert.equal(jwt["@require-scheme"], "Bearer");
                assert.equal(jwt["@failed-validation-httpcode"], "401");
                assert.equal(jwt["required-claims"].claim["@name"], "roles");
                return jwt["required-claims"].claim.value;
            });
            assert.deepEqual(roles, ["Inventory.Read", "Inventory.Write"]);
            assert.equal(access.otherwise["return-response"]["set-status"]["@code"], "405");
        });

        it("limits calls per subscription with the API's numbers", () => {
            const inbound = parsePolicy(full.get("azure-native:apimanagement:ApiPolicy", "cat-policy-inventory-v1").inputs.value).inbound;
            assert.deepEqual(inbound["rate-limit-by-key"], { "@calls": "300", "@renewal-period": "60", "@counter-key": "@(context.Subscription.Id)" });
            const soap = parsePolicy(full.get("azure-native:apimanagement:ApiPolicy", "cat-policy-customers-v1").inputs.value).inbound;
            assert.equal(soap["rate-limit-by-key"]["@calls"], "120");
        });

        it("caches GET responses for the API's duration, per caller, and nothing for APIs without a duration", () => {
            const policy = parsePolicy(full.get("azure-native:apimanagement:ApiPolicy", "cat-policy-inventory-v1").inputs.value);
            const lookups = asList(policy.inbound.choose).flatMap((choose: any) => asList(choose.when)).filter((when: any) => "cache-lookup" in when);
            assert.equal(lookups.length, 1);
            assert.equal(lookups[0]["@condition"], '@(context.Request.Method == "GET")');
            assert.equal(lookups[0]["cache-lookup"]["@vary-by-developer"], "true");
            assert.equal(lookups[0]["cache-lookup"]["@allow-private-response-caching"], "true");
            assert.equal(policy.outbound.choose.when["@condition"], '@(context.Request.Method == "GET")');
            assert.equal(policy.outbound.choose.when["cache-store"]["@duration"], "120");
            const orders = String(full.get("azure-native:apimanagement:ApiPolicy", "cat-policy-orders-v1").inputs.value);
            assert.doesNotMatch(orders, /cache-(lookup|store)/);
        });

        it("forwards the OpenAPI and SOAP APIs to their backends by id", () => {
            for (const [api, backend] of [
                ["inventory-v1", "inventory"],
                ["customers-v1", "customers"],
            ]) {
                const inbound = parsePolicy(full.get("azure-native:apimanagement:ApiPolicy", `cat-policy-${api}`).inputs.value).inbound;
                assert.equal(inbound["set-backend-service"]["@backend-id"], backend);
                assert.equal(inbound["rewrite-uri"], undefined);
                assert.deepEqual(inbound["set-header"], { "@name": "X-Api-Key", "@exists-action": "override", value: `{{${backend}-backend-key}}` });
            }
        });
    });

    describe("developer portal sign-in", () => {
        it("signs users in with Entra ID on Premium, with the portal app and a secret that stays secret", () => {
            const provider = full.get("azure-native:apimanagement:IdentityProvider", "gw-portal-aad");
            assert.equal(provider.inputs.type, "aad");
            assert.equal(provider.inputs.clientId, "44444444-4444-4444-8444-444444444444");
            assert.equal(provider.inputs.signinTenant, tenantId);
            assert.deepEqual(provider.inputs.allowedTenants, [tenantId]);
            assert.equal(provider.inputs.clientLibrary, "MSAL-2");
            assert.ok(provider.secretInputs.includes("clientSecret"));
            assert.equal(full.outputs.portalSignIn, "on: Entra ID");
        });

        for (const [sku, capacity] of [
            ["Developer", 1],
            ["Standard", 1],
        ] as const) {
            it(`signs users in with Entra ID on ${sku}`, async () => {
                const run = await deploy(minimal({ sku, capacity, portalSignIn: { tenantId, clientId: "c", clientSecret: pulumi.secret("s") } }));
                assert.equal(run.ofType("azure-native:apimanagement:IdentityProvider").length, 1);
            });
        }

        it("skips Entra ID sign-in on Basic, and says why", async () => {
            const run = await deploy(minimal({ sku: "Basic", capacity: 1, portalSignIn: { tenantId, clientId: "c", clientSecret: pulumi.secret("s") } }));
            assert.equal(run.ofType("azure-native:apimanagement:IdentityProvider").length, 0);
            assert.equal(run.outputs.portalSignIn, "skipped: the Basic tier has no Entra ID sign-in for the developer portal (allowed on Developer, Standard, Premium)");
        });
    });

    describe("observability and scale", () => {
        it("traces to Application Insights through a logger whose connection string is a secret named value", () => {
            const logger = full.get("azure-native:apimanagement:Logger", "gw-logger").inputs;
            assert.equal(logger.loggerType, "applicationInsights");
            assert.deepEqual(logger.credentials, { connectionString: "{{appinsights-connection-string}}" });
            assert.match(logger.resourceId, /\/components\/appi-test$/);
            const diagnostic = full.get("azure-native:apimanagement:Diagnostic", "gw-diagnostic").inputs;
            assert.equal(diagnostic.diagnosticId, "applicationinsights");
            assert.deepEqual(diagnostic.sampling, { samplingType: "fixed", percentage: 25 });
            assert.equal(diagnostic.loggerId, full.get("azure-native:apimanagement:Logger", "gw-logger").id);
            assert.equal(diagnostic.httpCorrelationProtocol, "W3C");
            assert.equal(diagnostic.frontend.request.body.bytes, 0);
        });

        it("sends all gateway logs and metrics to the Log Analytics workspace", () => {
            const setting = full.get("azure-native:monitor:DiagnosticSetting", "gw-logs").inputs;
            assert.equal(setting.resourceUri, full.get(apimType, "gw-apim").id);
            assert.match(setting.workspaceId, /\/workspaces\/log-test$/);
            assert.deepEqual(setting.logs, [{ categoryGroup: "allLogs", enabled: true }]);
            assert.deepEqual(setting.metrics, [{ category: "AllMetrics", enabled: true }]);
            assert.equal(setting.logAnalyticsDestinationType, "Dedicated");
        });

        it("scales on Capacity: out above 66 % and in below 20 % over 30 minutes, an hour apart, by the zone count", () => {
            const setting = full.get("azure-native:monitor:AutoscaleSetting", "gw-autoscale").inputs;
            assert.equal(setting.targetResourceUri, full.get(apimType, "gw-apim").id);
            assert.equal(setting.autoscaleSettingName, "as-test");
            const [profile] = setting.profiles;
            assert.deepEqual(profile.capacity, { minimum: "2", maximum: "6", default: "2" });
            assert.deepEqual(
                profile.rules.map((rule: any) => [
                    rule.metricTrigger.metricName,
                    rule.metricTrigger.metricNamespace,
                    rule.metricTrigger.operator,
                    rule.metricTrigger.threshold,
                    rule.metricTrigger.timeWindow,
                    rule.metricTrigger.timeAggregation,
                    rule.scaleAction.direction,
                    rule.scaleAction.value,
                    rule.scaleAction.cooldown,
                ]),
                [
                    ["Capacity", "microsoft.apimanagement/service", "GreaterThan", 66, "PT30M", "Average", "Increase", "2", "PT60M"],
                    ["Capacity", "microsoft.apimanagement/service", "LessThan", 20, "PT30M", "Average", "Decrease", "2", "PT60M"],
                ],
            );
        });

        it("leaves the unit count to autoscale, so no later run updates the service", () => {
            assert.deepEqual(full.get(apimType, "gw-apim").ignoreChanges, ["sku.capacity"]);
            assert.deepEqual(small.get(apimType, "gw-apim").ignoreChanges, []);
        });

        it("scales one unit at a time without zones", async () => {
            const run = await deploy(minimal({ sku: "Standard", capacity: 1, autoscale: { minCapacity: 1, maxCapacity: 4 } }));
            const [profile] = run.get("azure-native:monitor:AutoscaleSetting", "gw-autoscale").inputs.profiles;
            assert.deepEqual(
                profile.rules.map((rule: any) => rule.scaleAction.value),
                ["1", "1"],
            );
        });

        it("has no autoscale on Developer, or when none is asked for", () => {
            assert.equal(small.ofType("azure-native:monitor:AutoscaleSetting").length, 0);
        });

        it("alerts the action group when capacity stays above 66 %", () => {
            const alert = full.get("azure-native:monitor:MetricAlert", "gw-capacity-alert").inputs;
            assert.equal(alert.ruleName, "alert-test");
            assert.deepEqual(alert.scopes, [full.get(apimType, "gw-apim").id]);
            assert.equal(alert.windowSize, "PT30M");
            assert.deepEqual(alert.criteria.allOf[0], {
                criterionType: "StaticThresholdCriterion",
                name: "capacity-high",
                metricName: "Capacity",
                metricNamespace: "microsoft.apimanagement/service",
                operator: "GreaterThan",
                threshold: 66,
                timeAggregation: "Average",
            });
            assert.deepEqual(alert.actions, [{ actionGroupId: "/subscriptions/0000/resourceGroups/rg-shared/providers/Microsoft.Insights/actionGroups/ag-test" }]);
        });

        it("creates no telemetry resources without monitoring", () => {
            for (const type of ["Logger", "Diagnostic"]) {
                assert.equal(small.ofType(`azure-native:apimanagement:${type}`).length, 0);
            }
            assert.equal(small.ofType("azure-native:monitor:DiagnosticSetting").length, 0);
            assert.equal(small.ofType("azure-native:monitor:MetricAlert").length, 0);
        });
    });

    describe("rejects bad arguments before registering anything", () => {
        // (The sizing rules, which the stack config shares, are tested at both entry points in tests/stacks/shared-rules.test.ts.)
        const gatewayCases: Array<[string, () => Partial<ApiGatewayArgs>, string]> = [
            [
                "CORS origin *",
                () => ({ corsOrigins: ["*"] }),
                'corsOrigins: "*" would let any site call the APIs with its users\' tokens (allowed: exact https origins such as https://app.contoso.com)',
            ],
            ["an http CORS origin", () => ({ corsOrigins: ["http://app.contoso.com"] }), 'corsOrigins: "http://app.contoso.com" is not an https origin (allowed: https://host[:port], no path)'],
            [
                "a managed certificate on the portal host",
                () => ({ customHosts: { portal: { hostName: "developer.contoso.com", managedCertificate: true } } }),
                "customHosts.portal.managedCertificate: API Management manages certificates for the gateway host only (allowed: a Key Vault certificate)",
            ],
            [
                "a custom host without a certificate",
                () => ({ customHosts: { management: { hostName: "management.contoso.com" } } }),
                "customHosts.management.certificateSecretId: missing (allowed: a versionless Key Vault secret id, or managedCertificate: true on the gateway host)",
            ],
            ["a sampling rate over 100", () => ({ ...everything(), monitoring: { ...everything().monitoring!, samplingPercentage: 150 } }), "monitoring.samplingPercentage: 150 is not a percentage (allowed: 0-100)"],
        ];
        const catalogCases: Array<[string, () => Partial<GatewayCatalogArgs>, string]> = [
            [
                "an API path used twice",
                () => ({ apis: [...catalog.apis, { ...catalog.apis.find((api) => api.name === "customers")!, name: "clients", apiId: "clients-v1", folder: "clients" }] }),
                'apis/clients/api.yaml: path: "customers" is already used by apis/customers (allowed: a path of its own)',
            ],
            [
                "an http backend",
                () => ({ backends: { ...catalogArgs().backends, customers: { url: "http://erp.contoso.com" } } }),
                'backends.customers.url: "http://erp.contoso.com" is not an https URL (allowed: https://host/path)',
            ],
            [
                "an API without its backend",
                () => ({ backends: { inventory: { url: "https://inventory.contoso.com/api" } } }),
                'backends: "customers" is missing; API customers-v1 needs a backend URL (allowed: { url: "https://..." })',
            ],
            ["a logicApp API without its workflow", () => ({ workflows: {} }), 'workflows: "order-intake" is missing; API orders-v1 forwards to it (allowed: the trigger of a deployed workflow)'],
            ["APIs without token validation", () => ({ tokenValidation: undefined }), "tokenValidation: missing; every API validates Entra ID tokens (allowed: { openIdConfigUrl, issuer, audiences })"],
            [
                "a named value that takes a workflow signature's name",
                () => ({ namedValues: { ...catalogArgs().namedValues, "order-intake-sig": `${vault}/other` } }),
                'namedValues: "order-intake-sig" is taken by the signature of workflow order-intake (allowed: another name)',
            ],
            [
                "an API whose backend key has no named value",
                () => ({ namedValues: { "inventory-backend-key": `${vault}/inventory-backend-key` } }),
                'namedValues: "customers-backend-key" is missing; API customers-v1 sends it to its backend (allowed: the Key Vault secret id of the key)',
            ],
            ["a named value with a bad name", () => ({ namedValues: { "erp key": `${vault}/erp-key` } }), 'namedValues: "erp key" is not a named value name (allowed: 1-256 letters, digits, . _ -)'],
        ];

        async function registersNothing(program: () => void, message: string) {
            const registered: string[] = [];
            await assert.rejects(
                runStack({ stack: "dev", program: async () => program(), onRegister: (resource) => registered.push(resource.type) }),
                (error: Error) => error.message.includes(message),
            );
            assert.deepEqual(registered.filter((type) => type !== "pulumi:pulumi:Stack"), []);
        }

        for (const [what, patch, message] of gatewayCases) {
            it(what, async () => {
                assert.throws(() => validateApiGatewayArgs(minimal(patch())), (error: Error) => error.message.split("\n").includes(`  - ${message}`));
                await registersNothing(() => new ApiGateway("gw", minimal(patch())), message);
            });
        }
        for (const [what, patch, message] of catalogCases) {
            it(what, async () => {
                assert.throws(() => validateGatewayCatalogArgs(catalogArgs(patch())), (error: Error) => error.message.split("\n").includes(`  - ${message}`));
                await registersNothing(() => new GatewayCatalog("cat", catalogArgs(patch())), message);
            });
        }
    });
});
