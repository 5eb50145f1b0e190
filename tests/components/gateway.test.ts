import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as dns from "@pulumi/azure-native/dns";
import { ApiGateway, GatewayIdentity, validateApiGatewayArgs, type ApiGatewayArgs } from "../../components/gateway";
import type { StackRun } from "../../engine";
import {
    apimType,
    asList,
    deploy,
    everything,
    identity,
    minimal,
    parsePolicy,
    registersNothing,
    sharedRuns,
    tenantId,
    vault,
} from "./gateway-fixtures";
import { runFixture } from "../helpers";

describe("ApiGateway component", () => {
    let full: StackRun;
    let small: StackRun;

    before(async () => {
        ({ full, small } = await sharedRuns());
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
            assert.deepEqual(service.additionalLocations, [
                { location: "swedencentral", sku: { name: "Premium", capacity: 2 }, zones: ["1", "2"], disableGateway: false },
            ]);
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
            for (const cipher of [
                "TLS_RSA_WITH_AES_128_CBC_SHA",
                "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
                "TLS_RSA_WITH_AES_256_CBC_SHA256",
            ]) {
                assert.ok(off.includes(`Ciphers.${cipher}`), cipher);
            }
            assert.equal(off.length, 16);
            // The suites the 2024-05-01 REST spec says cannot be disabled ("required by internal
            // platform components") are left alone: ECDHE with AES-GCM, and ECDHE CBC with SHA-256/384.
            for (const cipher of [
                "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
                "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
                "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
                "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
            ]) {
                assert.ok(!Object.keys(service.customProperties).includes(`${prefix}Ciphers.${cipher}`), cipher);
            }
            assert.deepEqual(service.apiVersionConstraint, { minApiVersion: "2021-08-01" });
        });

        it("runs as the user-assigned identity and is created only after the identity's grants", async () => {
            const grant = "urn:pulumi:dev::enterprise-integration::azure-native:authorization:RoleAssignment::kv-secrets-user";
            const run = await runFixture({
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
            const others = full.resources.filter(
                (resource) => resource.custom && resource.type.startsWith("azure-native:apimanagement:") && resource.type !== apimType,
            );
            assert.ok(others.length > 20);
            for (const resource of others) {
                assert.equal(resource.inputs.serviceName, "apim-test", resource.name);
            }
            assert.deepEqual(full.get(apimType, "gw-apim").ignoreChanges, ["sku.capacity"]);
        });

        it("serves the custom hosts with versionless Key Vault certificates read by the identity", () => {
            const hosts = full.get(apimType, "gw-apim").inputs.hostnameConfigurations;
            assert.deepEqual(
                hosts.map((host: Record<string, unknown>) => [
                    host.type,
                    host.hostName,
                    host.keyVaultId,
                    host.identityClientId,
                    host.certificateSource,
                ]),
                [
                    ["Proxy", "api.fabrikam.com", `${vault}/api-fabrikam-com`, identity.clientId, "KeyVault"],
                    ["DeveloperPortal", "developer.fabrikam.com", `${vault}/developer-fabrikam-com`, identity.clientId, "KeyVault"],
                    ["Management", "management.fabrikam.com", `${vault}/management-fabrikam-com`, identity.clientId, "KeyVault"],
                ],
            );
            assert.equal(small.get(apimType, "gw-apim").inputs.hostnameConfigurations, undefined);
        });

        it("refuses a managed certificate in the service's first create", () => {
            // configure-custom-domain: the free managed certificate "can only be configured when
            // updating an existing API Management instance, not when creating an instance".
            assert.throws(
                () =>
                    validateApiGatewayArgs(
                        minimal({ customHosts: { gateway: { hostName: "api.fabrikam.com", managedCertificate: true } } }),
                    ),
                (error: Error) =>
                    error.message.includes(
                        "customHosts.gateway.managedCertificate: API Management issues its free managed certificate only when an existing service is updated, never in the service's first create (allowed: a certificate from Key Vault; or deploy once with one, then set the service as existing and switch to managed)",
                    ),
            );
        });

        it("serves the gateway host with a managed certificate, on an existing service, once its DNS records exist", async () => {
            const run = await runFixture({
                stack: "dev",
                program: async () => {
                    const record = new dns.RecordSet("record", {
                        resourceGroupName: "rg-shared",
                        zoneName: "fabrikam.com",
                        relativeRecordSetName: "api",
                        recordType: "CNAME",
                        cnameRecord: { cname: "apim-test.azure-api.net" },
                    });
                    new ApiGateway(
                        "gw",
                        minimal({
                            customHosts: { gateway: { hostName: "api.fabrikam.com", managedCertificate: true } },
                            serviceExists: true,
                            hostRecords: [record],
                        }),
                    );
                },
            });
            const service = run.get(apimType, "gw-apim");
            assert.deepEqual(service.inputs.hostnameConfigurations, [
                {
                    type: "Proxy",
                    hostName: "api.fabrikam.com",
                    certificateSource: "Managed",
                    negotiateClientCertificate: false,
                    defaultSslBinding: true,
                },
            ]);
            assert.ok(service.dependsOn.includes(run.get("azure-native:dns:RecordSet", "record").urn));
        });

        it("takes the publisher from its args, opens the developer portal, and is protected when asked", () => {
            const service = full.get(apimType, "gw-apim");
            assert.equal(service.inputs.publisherName, "Fabrikam Integration");
            assert.equal(service.inputs.publisherEmail, "api-team@fabrikam.com");
            assert.equal(service.inputs.developerPortalStatus, "Enabled");
            assert.equal(service.protect, true);
            assert.equal(small.get(apimType, "gw-apim").protect, false);
            assert.deepEqual(service.inputs.tags, { environment: "test" });
        });

        it("outputs the custom URLs and the public addresses of every region, primary first", () => {
            assert.equal(full.outputs.gatewayUrl, "https://api.fabrikam.com");
            assert.equal(full.outputs.portalUrl, "https://developer.fabrikam.com");
            const ips = full.outputs.publicIpAddresses as string[];
            assert.equal(ips.length, 2);
            assert.ok(ips.every((ip) => /^\d+\.\d+\.\d+\.\d+$/.test(ip)));
            assert.notEqual(ips[0], ips[1]);
            assert.equal(small.outputs.gatewayUrl, "https://apim-test.azure-api.net");
            assert.equal((small.outputs.publicIpAddresses as string[]).length, 1);
            assert.equal(full.outputs.principalId, identity.principalId);
        });
    });

    describe("the service-wide policy", () => {
        it("the global policy allows the portal's and the configured origins, strips revealing headers and forwards", () => {
            const policy = parsePolicy(full.get("azure-native:apimanagement:Policy", "gw-policy").inputs.value);
            const cors = policy.inbound.cors;
            assert.equal(cors["@allow-credentials"], "false");
            assert.deepEqual(asList(cors["allowed-origins"].origin), [
                "https://apim-test.developer.azure-api.net",
                "https://developer.fabrikam.com",
                "https://app.fabrikam.com",
            ]);
            const stripped = asList(policy.outbound["set-header"]).map((header: Record<string, string>) => [
                header["@name"],
                header["@exists-action"],
            ]);
            assert.deepEqual(stripped, [
                ["X-Powered-By", "delete"],
                ["X-AspNet-Version", "delete"],
                ["X-AspNetMvc-Version", "delete"],
            ]);
            assert.ok("forward-request" in policy.backend);
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
            assert.equal(full.outputs.portalSignIn, "on: Entra ID, built-in sign-up off");
        });

        it("turns the built-in sign-up off and publishes the portal in one ARM deployment, so the sign-in takes effect", () => {
            // The REST spec's portalsettings/signup and portalRevisions (2024-05-01), which azure-native
            // has no typed resource for and cannot create through its generic resource (the sign-up
            // setting exists with the service); api-management-howto-aad: "Republish the developer
            // portal for the Microsoft Entra configuration to take effect".
            const provider = full.get("azure-native:apimanagement:IdentityProvider", "gw-portal-aad");
            const settings = full.get("azure-native:resources:Deployment", "gw-portal-settings");
            assert.equal(settings.inputs.resourceGroupName, "rg-gw");
            assert.equal(settings.inputs.deploymentName, "apim-test-portal");
            assert.ok(settings.dependsOn.includes(provider.urn));
            assert.equal(settings.inputs.properties.mode, "Incremental", "an incremental deployment leaves the rest of the group alone");
            assert.deepEqual(settings.inputs.properties.parameters, {
                serviceName: { value: "apim-test" },
                revision: { value: "sign-in-44444444-4444-4444-8444-444444444444-sign-up-off" },
            });
            const [signUp, revision] = settings.inputs.properties.template.resources;
            assert.deepEqual(signUp, {
                type: "Microsoft.ApiManagement/service/portalsettings",
                apiVersion: "2024-05-01",
                name: "[format('{0}/signup', parameters('serviceName'))]",
                properties: { enabled: false, termsOfService: { enabled: false, consentRequired: false } },
            });
            assert.equal(revision.type, "Microsoft.ApiManagement/service/portalRevisions");
            assert.equal(revision.name, "[format('{0}/{1}', parameters('serviceName'), parameters('revision'))]");
            assert.deepEqual(
                revision.dependsOn,
                ["[resourceId('Microsoft.ApiManagement/service/portalsettings', parameters('serviceName'), 'signup')]"],
                "published once the sign-up setting is written",
            );
            assert.equal(revision.properties.isCurrent, true);
            assert.equal(
                full.ofType("azure-native:resources:Resource").length,
                0,
                "nothing through the generic resource, which azure-native would refuse to create",
            );
        });

        it("leaves the built-in sign-up on when the stack asks for it, and says so", async () => {
            const run = await deploy(
                minimal({
                    sku: "Developer",
                    capacity: 1,
                    portalSignUp: true,
                    portalSignIn: { tenantId, clientId: "c", clientSecret: pulumi.secret("s") },
                }),
            );
            const settings = run.get("azure-native:resources:Deployment", "gw-portal-settings");
            assert.equal(settings.inputs.properties.template.resources[0].properties.enabled, true);
            assert.equal(
                settings.inputs.properties.parameters.revision.value,
                "sign-in-c-sign-up-on",
                "turning it on publishes the portal again",
            );
            assert.equal(run.outputs.portalSignIn, "on: Entra ID, built-in sign-up on");
        });

        for (const [sku, capacity] of [
            ["Developer", 1],
            ["Standard", 1],
        ] as const) {
            it(`signs users in with Entra ID on ${sku}`, async () => {
                const run = await deploy(
                    minimal({ sku, capacity, portalSignIn: { tenantId, clientId: "c", clientSecret: pulumi.secret("s") } }),
                );
                assert.equal(run.ofType("azure-native:apimanagement:IdentityProvider").length, 1);
            });
        }

        it("skips Entra ID sign-in on Basic, and says why", async () => {
            const run = await deploy(
                minimal({ sku: "Basic", capacity: 1, portalSignIn: { tenantId, clientId: "c", clientSecret: pulumi.secret("s") } }),
            );
            assert.equal(run.ofType("azure-native:apimanagement:IdentityProvider").length, 0);
            assert.equal(run.ofType("azure-native:resources:Deployment").length, 0, "nothing to publish");
            assert.equal(
                run.outputs.portalSignIn,
                "skipped: the Basic tier has no Entra ID sign-in for the developer portal (allowed on Developer, Standard, Premium)",
            );
        });
    });

    describe("observability and scale", () => {
        it("traces to Application Insights through a logger that signs in with the service's user-assigned identity", () => {
            // api-management-howto-app-insights: with local authentication off, the logger's
            // credentials take the identity's client id; the connection string is then no credential.
            const logger = full.get("azure-native:apimanagement:Logger", "gw-logger");
            assert.equal(logger.inputs.loggerType, "applicationInsights");
            assert.deepEqual(logger.inputs.credentials, {
                connectionString: "InstrumentationKey=55555555-5555-4555-8555-555555555555",
                identityClientId: identity.clientId,
            });
            assert.equal(
                full.ofType("azure-native:apimanagement:NamedValue").filter((value) => value.parent?.endsWith("::gw")).length,
                0,
                "no named value holds it",
            );
            assert.match(logger.inputs.resourceId, /\/components\/appi-test$/);
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

        it("scales on the primary region's Capacity only, since only its units autoscale", () => {
            // api-management-howto-autoscale: only units in the primary location autoscale; an
            // unfiltered rule would average every region's Capacity.
            const [profile] = full.get("azure-native:monitor:AutoscaleSetting", "gw-autoscale").inputs.profiles;
            for (const rule of profile.rules) {
                assert.deepEqual(rule.metricTrigger.dimensions, [
                    { dimensionName: "Location", operator: "Equals", values: ["West Europe"] },
                ]);
            }
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

        it("alerts the action group when capacity stays above 66 % in any region, each watched on its own", () => {
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
                dimensions: [{ name: "Location", operator: "Include", values: ["West Europe", "Sweden Central"] }],
            });
            assert.deepEqual(alert.actions, [
                { actionGroupId: "/subscriptions/0000/resourceGroups/rg-shared/providers/Microsoft.Insights/actionGroups/ag-test" },
            ]);
        });

        it("needs the display name of every region it filters the capacity metric on", () => {
            assert.throws(
                () => validateApiGatewayArgs(everything({ regionDisplayNames: { westeurope: "West Europe" } })),
                (error: Error) =>
                    error.message.includes(
                        `regionDisplayNames.swedencentral: missing; the capacity rules filter on the region's display name (allowed: such as "West Europe" for westeurope)`,
                    ),
            );
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
                'corsOrigins[0]: "*" would let any site call the APIs with its users\' tokens (allowed: exact https origins such as https://app.contoso.com)',
            ],
            [
                "an http CORS origin",
                () => ({ corsOrigins: ["http://app.fabrikam.com"] }),
                'corsOrigins[0]: "http://app.fabrikam.com" is not an https origin (allowed: https://host[:port] in lower case, no path)',
            ],
            [
                "a managed certificate on the portal host",
                () => ({ customHosts: { portal: { hostName: "developer.fabrikam.com", managedCertificate: true } } }),
                "customHosts.portal.managedCertificate: API Management manages certificates for the gateway host only (allowed: a Key Vault certificate)",
            ],
            [
                "a custom host without a certificate",
                () => ({ customHosts: { management: { hostName: "management.fabrikam.com" } } }),
                "customHosts.management.certificateSecretId: missing (allowed: a versionless Key Vault secret id, or managedCertificate: true on the gateway host)",
            ],
            [
                "a sampling rate over 100",
                () => ({ ...everything(), monitoring: { ...everything().monitoring!, samplingPercentage: 150 } }),
                "monitoring.samplingPercentage: 150 is not a percentage (allowed: 0-100)",
            ],
        ];
        for (const [what, patch, message] of gatewayCases) {
            it(what, async () => {
                assert.throws(
                    () => validateApiGatewayArgs(minimal(patch())),
                    (error: Error) => error.message.split("\n").includes(`  - ${message}`),
                );
                await registersNothing(() => new ApiGateway("gw", minimal(patch())), message);
            });
        }
    });
});
