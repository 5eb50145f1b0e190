import * as assert from "node:assert/strict";
import { containerOf } from "../../components/workflows";
import { ConfigError } from "../../stacks/config";
import type { StackRun } from "../../engine";
import { planGraph } from "../../commands/plan/graph";
import { listStacks } from "../../engine/project";
import { configOf, fixtureProject, problemsOf, runFixture, stackFileValues, stackRun, waitsFor } from "../helpers";

/** Every secret value the run produced: secret outputs of the resources, unwrapped by the mocks. */
function secretValues(run: StackRun): string[] {
    const values = new Set<string>();
    const collect = (value: unknown) => {
        if (typeof value === "string" && value.length >= 8) {
            values.add(value);
        } else if (Array.isArray(value)) {
            value.forEach(collect);
        } else if (value && typeof value === "object") {
            Object.values(value).forEach(collect);
        }
    };
    for (const resource of run.resources) {
        if (resource.type === "random:index/randomPassword:RandomPassword") collect(resource.outputs.result);
        if (resource.type === "azuread:index/applicationPassword:ApplicationPassword") collect(resource.outputs.value);
        if (resource.type === "azure-native:keyvault:Secret") collect(resource.inputs.properties?.value);
    }
    return [...values];
}

describe("the stack assembly", () => {
    let prod: StackRun;
    let dev: StackRun;
    before(async () => {
        prod = await stackRun("prod");
        dev = await stackRun("dev");
    });

    it("admits the gateway's addresses from both prod regions, and nothing else, to the gateway-facing workflow", () => {
        const service = prod.get("azure-native:apimanagement:ApiManagementService", "gateway-apim").outputs;
        const addresses = [
            ...service.publicIPAddresses,
            ...service.additionalLocations.flatMap((region: { publicIPAddresses: string[] }) => region.publicIPAddresses),
        ];
        assert.equal(addresses.length, 2);
        const intake = prod.get("azure-native:logic:Workflow", "workflows-shipment-intake").inputs.accessControl;
        assert.deepEqual(
            intake.triggers.allowedCallerIpAddresses,
            addresses.map((address: string) => ({ addressRange: `${address}/32` })),
        );
        assert.deepEqual(
            prod.get("azure-native:logic:Workflow", "workflows-shipment-notify").inputs.accessControl.triggers.allowedCallerIpAddresses,
            [],
        );
        assert.equal(
            dev.get("azure-native:logic:Workflow", "workflows-shipment-intake").inputs.accessControl.triggers.allowedCallerIpAddresses
                .length,
            1,
        );
    });

    it("lets the gateway's identity publish telemetry to Application Insights, granted before the service exists", () => {
        const grant = prod.get("azure-native:authorization:RoleAssignment", "access-gateway-publishes-telemetry");
        assert.equal(grant.inputs.scope, prod.get("azure-native:applicationinsights:Component", "monitoring-appinsights").id);
        assert.equal(
            grant.inputs.principalId,
            prod.get("azure-native:managedidentity:UserAssignedIdentity", "gateway-identity-uai").outputs.principalId,
        );
        assert.match(grant.inputs.roleDefinitionId, /\/roleDefinitions\/3913510d-42f4-4e42-8a64-420c390055eb$/);
        const service = prod.get("azure-native:apimanagement:ApiManagementService", "gateway-apim");
        assert.ok(waitsFor(prod, service, grant), "the service, so its logger, comes after the grant");
        const logger = prod.get("azure-native:apimanagement:Logger", "gateway-logger").inputs;
        assert.equal(
            logger.credentials.identityClientId,
            prod.get("azure-native:managedidentity:UserAssignedIdentity", "gateway-identity-uai").outputs.clientId,
        );
    });

    it("fronts the workflow's trigger with the shipments API, its signature read from Key Vault", () => {
        const sigSecret = prod.get("azure-native:keyvault:Secret", "workflow-secrets-secret-shipment-intake-sig");
        const namedValue = prod.get("azure-native:apimanagement:NamedValue", "catalog-nv-shipment-intake-sig").inputs;
        assert.equal(namedValue.keyVault.secretIdentifier, sigSecret.outputs.properties.secretUri);
        // Read with the service's system-assigned identity: the one a firewalled vault admits.
        assert.equal(namedValue.keyVault.identityClientId, undefined);
        const backend = prod.get("azure-native:apimanagement:Backend", "catalog-backend-shipment-intake-workflow").inputs;
        assert.match(backend.url, /^https:\/\/[^/]+\/workflows\/[0-9a-f]{32}\/triggers$/);
    });

    it("lets the gateway read exactly the secrets its named values hold, each granted alone, before they are read", () => {
        const vaultId = String(prod.get("azure-native:keyvault:Vault", "secrets-vault").id);
        const principal = prod.get("azure-native:apimanagement:ApiManagementService", "gateway-apim").outputs.identity.principalId;
        assert.match(principal, /^[0-9a-f-]{36}$/);
        const onVault = prod
            .ofType("azure-native:authorization:RoleAssignment")
            .filter((grant) => String(grant.inputs.scope).startsWith(vaultId))
            .map((grant) => {
                assert.equal(grant.inputs.principalId, principal);
                assert.match(grant.inputs.roleDefinitionId, /4633458b-17de-408a-b874-0445c86b69e6$/);
                return String(grant.inputs.scope).slice(vaultId.length);
            });
        assert.deepEqual(onVault.sort(), ["/secrets/accounts-backend-key", "/secrets/ledger-backend-key", "/secrets/shipment-intake-sig"]);
        for (const name of ["ledger-backend-key", "shipment-intake-sig"]) {
            const namedValue = prod.get("azure-native:apimanagement:NamedValue", `catalog-nv-${name}`);
            assert.ok(
                waitsFor(prod, namedValue, prod.get("azure-native:authorization:RoleAssignment", `gateway-secrets-gateway-reads-${name}`)),
                name,
            );
        }
    });

    it("creates the service only after its identity may read its certificates", () => {
        const grant = prod.get("azure-native:authorization:RoleAssignment", "access-gateway-reads-gateway-certificate");
        assert.ok(waitsFor(prod, prod.get("azure-native:apimanagement:ApiManagementService", "gateway-apim"), grant));
    });

    describe("gives new role assignments time to take effect before they are used", () => {
        // Azure applies a role assignment within up to 10 minutes (role-based-access-control/
        // troubleshooting); the service reads its certificates in its create call, and each named
        // value is checked against the vault when it is created.
        const sleepType = "time:index/sleep:Sleep";
        const serviceType = "azure-native:apimanagement:ApiManagementService";

        it("waits identity.roleAssignmentWait after the grants, before the service and before the named values", async () => {
            const run = await runFixture({
                stack: "prod",
                config: { identity: { ...stackFileValues("prod").identity, roleAssignmentWait: "7m" } },
            });
            const beforeService = run.get(sleepType, "access-propagation");
            const beforeNamedValues = run.get(sleepType, "gateway-secrets-propagation");
            assert.equal(beforeService.inputs.createDuration, "7m");
            assert.equal(beforeNamedValues.inputs.createDuration, "7m");
            const service = run.get(serviceType, "gateway-apim");
            assert.ok(service.dependsOn.includes(beforeService.urn));
            for (const grant of run
                .ofType("azure-native:authorization:RoleAssignment")
                .filter((grant) => grant.name.startsWith("access-"))) {
                assert.ok(beforeService.dependsOn.includes(grant.urn), grant.name);
                assert.equal(
                    beforeService.inputs.triggers[grant.name.slice("access-".length)],
                    grant.id,
                    "a new or replaced assignment waits again",
                );
            }
            const readers = run
                .ofType("azure-native:authorization:RoleAssignment")
                .filter((grant) => grant.name.startsWith("gateway-secrets-"));
            assert.ok(readers.length > 0);
            for (const grant of readers) {
                assert.ok(beforeNamedValues.dependsOn.includes(grant.urn), grant.name);
            }
            for (const namedValue of run.ofType("azure-native:apimanagement:NamedValue").filter((value) => value.inputs.keyVault)) {
                assert.ok(namedValue.dependsOn.includes(beforeNamedValues.urn), namedValue.name);
            }
        });

        it("waits 10 minutes unless the stack says otherwise", async () => {
            const values = stackFileValues("dev");
            const run = await runFixture({ stack: "dev", config: { identity: { ...values.identity, roleAssignmentWait: undefined } } });
            const waits = run.ofType(sleepType).map((sleep) => sleep.inputs.createDuration);
            assert.ok(waits.length >= 1 && waits.every((wait) => wait === "10m"), waits.join(", "));
        });

        it("waits for nothing with 0s, the service then depending on the grants themselves", async () => {
            const run = await runFixture({
                stack: "prod",
                config: { identity: { ...stackFileValues("prod").identity, roleAssignmentWait: "0s" } },
            });
            assert.equal(run.ofType(sleepType).length, 0);
            const grant = run.get("azure-native:authorization:RoleAssignment", "access-gateway-publishes-telemetry");
            assert.ok(run.get(serviceType, "gateway-apim").dependsOn.includes(grant.urn));
        });

        for (const [value, message] of [
            ["10 minutes", '"10 minutes" is not a wait of at most 30 minutes'],
            ["45m", '"45m" is not a wait of at most 30 minutes'],
            [600, "600 is not a string"],
        ] as const) {
            it(`refuses identity.roleAssignmentWait: ${JSON.stringify(value)}, naming the key and what is allowed`, () => {
                assert.deepEqual(problemsOf("prod", { identity: { ...stackFileValues("prod").identity, roleAssignmentWait: value } }), [
                    `identity.roleAssignmentWait: ${message} (allowed: minutes and seconds such as 10m, 90s or 2m30s, at most 30m; 0s for none)`,
                ]);
            });
        }
    });

    describe("the workflows' storage, in every stack", () => {
        const accountType = "azure-native:storage:StorageAccount";
        const containerType = "azure-native:storage:BlobContainer";
        const workflowType = "azure-native:logic:Workflow";

        it("is geo-redundant and protected in production, zone-redundant elsewhere, and takes Entra ID tokens only", async () => {
            for (const stack of listStacks(fixtureProject())) {
                const run = await stackRun(stack);
                const config = configOf(stack);
                for (const account of run.ofType(accountType).filter((candidate) => candidate.name === "workflows-storage-account")) {
                    assert.deepEqual(account.inputs.sku, { name: config.production ? "Standard_GZRS" : "Standard_ZRS" }, stack);
                    assert.equal(account.protect, config.protect, stack);
                    assert.equal(account.inputs.allowSharedKeyAccess, false, stack);
                    assert.equal(account.inputs.networkRuleSet.defaultAction, "Deny", stack);
                }
                assert.ok(
                    !run.ofType("azure-native:keyvault:Secret").some((secret) => /storage/.test(String(secret.inputs.secretName))),
                    `${stack}: no storage key in the vault`,
                );
            }
        });

        it("lets each workflow write to the containers it declares and to nothing else, before any API reaches it", async () => {
            // Storage Blob Data Contributor, scoped to the one container.
            for (const stack of listStacks(fixtureProject())) {
                const run = await stackRun(stack);
                const containers = new Map(run.ofType(containerType).map((container) => [container.id, container.inputs.containerName]));
                const writers = run.ofType(workflowType).flatMap((workflow) =>
                    Object.keys(workflow.inputs.parameters)
                        .filter((parameter) => parameter.endsWith("ContainerUrl"))
                        .map((parameter) => `${workflow.outputs.identity.principalId} ${containerOf(parameter)}`),
                );
                const grants = run
                    .ofType("azure-native:authorization:RoleAssignment")
                    .filter((grant) => grant.name.startsWith("workflow-storage-"));
                assert.deepEqual(
                    grants.map((grant) => `${grant.inputs.principalId} ${containers.get(grant.inputs.scope)}`).sort(),
                    writers.sort(),
                    stack,
                );
                const apis = run.ofType("azure-native:apimanagement:Api");
                for (const grant of grants) {
                    assert.match(grant.inputs.roleDefinitionId, /\/roleDefinitions\/ba92f5b4-2d11-453d-a403-e96b0029c9fe$/);
                    assert.ok(
                        apis.every((api) => waitsFor(run, api, grant)),
                        `${stack}: the APIs wait for ${grant.name}`,
                    );
                }
            }
        });
    });

    it("validates tokens from the stack's own API application and tenant", () => {
        const api = prod.get("azuread:index/application:Application", "identity-api");
        assert.deepEqual(api.inputs.identifierUris, ["api://integration-prod"]);
        const policy = String(prod.get("azure-native:apimanagement:ApiPolicy", "catalog-policy-ledger-v1").inputs.value);
        assert.ok(policy.includes(`<audience>${api.outputs.clientId}</audience>`));
        assert.ok(policy.includes("<audience>api://integration-prod</audience>"));
        // The identity's own endpoints, not ones the gateway works out again.
        const endpoints = prod.outputs.identity as { openIdConfigUrl: string; issuer: string };
        assert.ok(policy.includes(`<openid-config url="${endpoints.openIdConfigUrl}" />`));
        assert.ok(policy.includes(`<issuer>${endpoints.issuer}</issuer>`));
        const roles = api.inputs.appRoles.map((role: { value: string }) => role.value);
        assert.deepEqual(roles, ["Accounts.Read", "Ledger.Read", "Ledger.Write", "Shipments.Write"]);
    });

    it("passes the ledger backend's key to the workflow as a secure parameter and to the gateway as a Key Vault named value", () => {
        const key = prod.get("random:index/randomPassword:RandomPassword", "secrets-value-ledger-backend-key").outputs.result;
        const intake = prod.get("azure-native:logic:Workflow", "workflows-shipment-intake");
        assert.deepEqual(intake.inputs.parameters.ledgerApiKey, { type: "SecureString", value: key });
        assert.equal(intake.inputs.parameters.ledgerBaseUrl.value, "https://ledger.fabrikam.com/api");
        const namedValue = prod.get("azure-native:apimanagement:NamedValue", "catalog-nv-ledger-backend-key").inputs;
        assert.equal(
            namedValue.keyVault.secretIdentifier,
            prod.get("azure-native:keyvault:Secret", "secrets-secret-ledger-backend-key").outputs.properties.secretUri,
        );
    });

    it("hands the portal application's secret to both Key Vault and the portal's sign-in", () => {
        const secret = prod.get("azuread:index/applicationPassword:ApplicationPassword", "identity-portal-secret").outputs.value;
        assert.equal(
            prod.get("azure-native:keyvault:Secret", "secrets-secret-developer-portal-client-secret").inputs.properties.value,
            secret,
        );
        assert.equal(prod.get("azure-native:apimanagement:IdentityProvider", "gateway-portal-aad").inputs.clientSecret, secret);
        assert.equal(
            prod.get("azure-native:apimanagement:IdentityProvider", "gateway-portal-aad").inputs.clientId,
            prod.get("azuread:index/application:Application", "identity-portal").outputs.clientId,
        );
    });

    it("keeps the portal's built-in sign-up off unless the stack turns it on with gateway.portalSignUp", async () => {
        const signUp = (run: StackRun) =>
            run.get("azure-native:resources:Deployment", "gateway-portal-settings").inputs.properties.template.resources[0];
        assert.equal(signUp(dev).type, "Microsoft.ApiManagement/service/portalsettings");
        assert.equal(signUp(dev).properties.enabled, false);
        const open = await runFixture({ stack: "dev", config: { gateway: { ...stackFileValues("dev").gateway, portalSignUp: true } } });
        assert.equal(signUp(open).properties.enabled, true);
    });

    it("outputs the gateway-facing workflow's callback URL as a secret only", () => {
        assert.ok(prod.secretOutputs.includes("workflows"));
        const urls = (prod.outputs.workflows as { callbackUrls: Record<string, string> }).callbackUrls;
        assert.deepEqual(Object.keys(urls), ["shipment-intake"]);
        assert.match(urls["shipment-intake"]!, /&sig=/);
        assert.ok(!JSON.stringify(prod.planOutputs).includes(urls["shipment-intake"]!));
    });

    it("lets the passive site accept the active site's tokens, so clients keep working after a failover", async () => {
        const drSite = await stackRun("prod-dr");
        const prodApi = prod.get("azuread:index/application:Application", "identity-api");
        assert.equal(drSite.ofType("azuread:index/application:Application").filter((app) => app.name === "identity-api").length, 0);
        const policy = String(drSite.get("azure-native:apimanagement:ApiPolicy", "catalog-policy-ledger-v1").inputs.value);
        assert.ok(policy.includes(`<audience>${prodApi.outputs.clientId}</audience>`));
        assert.ok(policy.includes("<audience>api://integration-prod</audience>"));
        assert.deepEqual(
            drSite.ofType("pulumi:pulumi:StackReference").map((reference) => reference.inputs.name),
            ["organization/enterprise-integration/prod"],
        );
    });

    it("never shows a secret value in the plan or the stack outputs", () => {
        const secrets = secretValues(prod);
        assert.ok(secrets.length >= 5, `found ${secrets.length} secrets`);
        const shown = JSON.stringify(planGraph(prod)) + JSON.stringify(prod.planOutputs);
        for (const secret of secrets) {
            assert.ok(!shown.includes(secret), "a secret value appears in the plan");
        }
    });

    it("marks as secret every input and output that carries a secret value", () => {
        // The plan masks invented values anyway, so this checks what Pulumi would store: a value
        // that holds a secret must be a secret Output, or it lands in the state in plain text.
        const secrets = secretValues(prod);
        const carries = (value: unknown) => secrets.some((secret) => JSON.stringify(value ?? null).includes(secret));
        for (const resource of prod.resources) {
            for (const [key, value] of Object.entries(resource.inputs)) {
                if (carries(value)) {
                    assert.ok(resource.secretInputs.includes(key), `${resource.name}.${key} carries a secret in plain text`);
                }
            }
        }
        for (const [key, value] of Object.entries(prod.outputs)) {
            if (carries(value)) {
                assert.ok(prod.secretOutputs.includes(key), `output ${key} carries a secret in plain text`);
            }
        }
    });

    it("outputs the gateway's id, name, URLs, addresses, identity and APIs", () => {
        const gateway = prod.outputs.gateway as Record<string, unknown>;
        const service = prod.get("azure-native:apimanagement:ApiManagementService", "gateway-apim");
        assert.equal(gateway.serviceId, service.id);
        assert.equal(gateway.serviceName, service.inputs.serviceName);
        assert.equal(gateway.gatewayUrl, "https://api.fabrikam.com");
        assert.equal(gateway.portalUrl, "https://developer.fabrikam.com");
        assert.equal((gateway.publicIpAddresses as string[]).length, 2);
        assert.equal(
            gateway.identityPrincipalId,
            prod.get("azure-native:managedidentity:UserAssignedIdentity", "gateway-identity-uai").outputs.principalId,
        );
        assert.deepEqual(Object.keys(gateway.apiIds as object).sort(), ["accounts-v1", "ledger-v1", "shipments-v1"]);
        assert.equal(gateway.portalSignIn, "on: Entra ID, built-in sign-up off");
    });

    it("runs dev on the Developer tier without autoscale, and prod on Premium with it", () => {
        assert.deepEqual(dev.get("azure-native:apimanagement:ApiManagementService", "gateway-apim").inputs.sku, {
            name: "Developer",
            capacity: 1,
        });
        assert.equal(dev.ofType("azure-native:monitor:AutoscaleSetting").length, 0);
        assert.equal(prod.ofType("azure-native:monitor:AutoscaleSetting").length, 1);
    });

    describe("with an operators group and a backend key the user brings", () => {
        const groupId = "0b5f5a4e-8c1d-4a63-9d6b-2f0c3e7a1b2c";
        let run: StackRun;
        before(async () => {
            // backendApiKeys is what `pulumi config set --secret --path 'backendApiKeys.accounts' <key>` writes.
            run = await runFixture({
                stack: "dev",
                config: {
                    identity: {
                        operatorsGroupId: groupId,
                        clientFederation: {
                            issuer: "https://token.actions.githubusercontent.com",
                            subject: "repo:fabrikam/shipments:environment:dev",
                        },
                    },
                    backendApiKeys: { accounts: { secure: "v1:Y2lwaGVydGV4dA==" } },
                },
            });
        });

        it("gives the operators group Reader on each resource group, and nothing wider", () => {
            const readers = run.ofType("azure-native:authorization:RoleAssignment").filter((grant) => grant.inputs.principalId === groupId);
            assert.deepEqual(
                readers.map((grant) => grant.inputs.scope).sort(),
                run
                    .ofType("azure-native:resources:ResourceGroup")
                    .map((group) => group.id)
                    .sort(),
            );
            assert.ok(
                readers.every(
                    (grant) =>
                        /acdd72a7-3385-48ef-bd42-f606fba81ae7$/.test(grant.inputs.roleDefinitionId) &&
                        grant.inputs.principalType === "Group",
                ),
            );
        });

        it("keeps no client secret when the daemon signs in with a federated credential", () => {
            assert.ok(run.resources.every((resource) => resource.name !== "secrets-secret-api-client-secret"));
            assert.equal(run.ofType("azuread:index/applicationPassword:ApplicationPassword").length, 1);
        });

        it("stores the backend key the user brings instead of generating one", () => {
            const generated = run.ofType("random:index/randomPassword:RandomPassword").map((resource) => resource.name);
            assert.deepEqual(generated, ["secrets-value-ledger-backend-key"]);
            const stored = run.get("azure-native:keyvault:Secret", "secrets-secret-accounts-backend-key");
            assert.ok(stored.secretInputs.includes("properties"));
            assert.match(stored.inputs.properties.contentType, /from backendApiKeys/);
        });
    });

    describe("rejects config the catalog cannot use", () => {
        it("a backend key in plain text, naming the command that sets it", () => {
            assert.deepEqual(problemsOf("dev", { backendApiKeys: { accounts: "plain-text-key" } }), [
                "backendApiKeys: is stored in plain text, and it holds secrets (allowed: an encrypted value; remove it with `pulumi config rm backendApiKeys` and set each entry with `pulumi config set --secret --path 'backendApiKeys.<api>' <value>`)",
            ]);
        });

        it("an operators group id that is not a GUID", () => {
            assert.deepEqual(problemsOf("dev", { identity: { operatorsGroupId: "platform-operators" } }), [
                'identity.operatorsGroupId: "platform-operators" is not a GUID (allowed: the object id of an Entra ID group, such as 0b5f5a4e-8c1d-4a63-9d6b-2f0c3e7a1b2c)',
            ]);
        });

        it("a logicApp API whose workflow the stack does not deploy", async () => {
            await assert.rejects(runFixture({ stack: "dev", config: { workflows: { "shipment-notify": "nested" } } }), (error: Error) => {
                assert.ok(error instanceof ConfigError);
                assert.deepEqual(error.problems, [
                    "workflows.shipment-intake: missing; the logicApp API in apis/shipments forwards to it (allowed: shipment-intake, deployed with access: gateway)",
                ]);
                return true;
            });
        });

        it("an API without its backend URL", async () => {
            const gateway = {
                ...stackFileValues("dev").gateway,
                backends: { ledger: { url: "https://ledger-dev.fabrikam.com/api" } },
            };
            await assert.rejects(runFixture({ stack: "dev", config: { gateway } }), (error: Error) => {
                assert.deepEqual((error as ConfigError).problems, [
                    'gateway.backends.accounts: missing; the soap API in apis/accounts forwards to it (allowed: { url: "https://..." })',
                ]);
                return true;
            });
        });
    });
});
