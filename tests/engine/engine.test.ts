import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as apimanagement from "@pulumi/azure-native/apimanagement";
import * as authorization from "@pulumi/azure-native/authorization";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as logic from "@pulumi/azure-native/logic";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as resources from "@pulumi/azure-native/resources";
import * as azuread from "@pulumi/azuread";
import * as fs from "node:fs";
import * as path from "node:path";
import { runStack } from "../../engine";
import { idTemplates } from "../../engine/mocks";
import { repoRoot } from "../../engine/project";
import { lazyModule } from "../../engine/lazy-modules";
import { runFixture } from "../helpers";

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const armPrefix = /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/rg-test\/providers\//;

/** A program that touches every kind of provider-computed value the other components rely on. */
async function sampleProgram() {
    const group = new resources.ResourceGroup("rg", { resourceGroupName: "rg-test", location: "westeurope" });
    const identity = new managedidentity.UserAssignedIdentity("id", {
        resourceGroupName: group.name,
        resourceName: "id-test",
        location: "westeurope",
    });
    const service = new apimanagement.ApiManagementService(
        "apim",
        {
            resourceGroupName: group.name,
            serviceName: "apim-test-abcde",
            location: "westeurope",
            publisherName: "Fabrikam",
            publisherEmail: "api@fabrikam.com",
            sku: { name: apimanagement.SkuType.Premium, capacity: 1 },
            additionalLocations: [{ location: "swedencentral", sku: { name: apimanagement.SkuType.Premium, capacity: 1 } }],
            identity: {
                type: apimanagement.ApimIdentityType.UserAssigned,
                userAssignedIdentities: identity.id.apply((id) => ({ [id]: {} })),
            },
        },
        { dependsOn: [identity] },
    );
    const workflow = new logic.Workflow("wf", {
        resourceGroupName: group.name,
        workflowName: "logic-test",
        location: "westeurope",
        identity: { type: logic.ManagedServiceIdentityType.SystemAssigned },
    });
    const callback = logic.listWorkflowTriggerCallbackUrlOutput({
        resourceGroupName: group.name,
        workflowName: workflow.name,
        triggerName: "manual",
    });
    const vault = new keyvault.Vault("kv", {
        resourceGroupName: group.name,
        vaultName: "kv-test-abcde",
        location: "westeurope",
        properties: {
            tenantId: "00000000-0000-0000-0000-000000000000",
            sku: { family: "A", name: keyvault.SkuName.Standard },
            enableRbacAuthorization: true,
        },
    });
    const secret = new keyvault.Secret("secret", {
        resourceGroupName: group.name,
        vaultName: vault.name,
        secretName: "backend-key",
        properties: { value: pulumi.secret("s3cr3t-value") },
    });
    const app = new azuread.Application("api", {
        displayName: "api",
        appRoles: [
            {
                id: "6f7c6c1e-1111-4111-8111-111111111111",
                value: "Shipments.Read",
                displayName: "Read",
                description: "Read shipments",
                allowedMemberTypes: ["Application"],
                enabled: true,
            },
        ],
    });
    const principal = new azuread.ServicePrincipal("api-sp", { clientId: app.clientId });
    const client = await authorization.getClientConfig();
    return {
        gatewayUrl: service.gatewayUrl,
        portalUrl: service.developerPortalUrl,
        ips: pulumi
            .all([service.publicIPAddresses, service.additionalLocations])
            .apply(([primary, extra]) => [...primary, ...(extra ?? []).flatMap((location) => location.publicIPAddresses)]),
        serviceId: service.id,
        identityPrincipal: identity.principalId,
        identityClient: identity.clientId,
        workflowPrincipal: workflow.identity.apply((value) => value?.principalId),
        workflowEndpoint: workflow.accessEndpoint,
        callbackUrl: pulumi.secret(callback.value),
        callbackBase: callback.basePath,
        callbackSig: callback.apply((result) => result.queries?.sig),
        vaultUri: vault.properties.vaultUri,
        secretUri: secret.properties.secretUri,
        appClientId: app.clientId,
        appObjectId: app.objectId,
        appRoleIds: app.appRoleIds,
        principalObjectId: principal.objectId,
        tenantId: client.tenantId,
        subscriptionId: client.subscriptionId,
    };
}

describe("the mock engine", () => {
    let run: Awaited<ReturnType<typeof runStack>>;
    before(async () => {
        run = await runFixture({ stack: "dev", program: sampleProgram });
    });

    it("gives ARM-shaped resource ids", () => {
        assert.match(run.outputs.serviceId, new RegExp(`${armPrefix.source}Microsoft\\.ApiManagement/service/apim-test-abcde$`));
        assert.match(
            run.get("azure-native:keyvault:Secret", "secret").id!,
            new RegExp(`${armPrefix.source}Microsoft\\.KeyVault/vaults/kv-test-abcde/secrets/backend-key$`),
        );
        assert.equal(run.outputs.subscriptionId, run.outputs.serviceId.split("/")[2]);
    });

    it("gives API Management its host names and one public IP address per region", () => {
        assert.equal(run.outputs.gatewayUrl, "https://apim-test-abcde.azure-api.net");
        assert.equal(run.outputs.portalUrl, "https://apim-test-abcde.developer.azure-api.net");
        assert.equal(run.outputs.ips.length, 2);
        assert.equal(new Set(run.outputs.ips).size, 2);
        for (const ip of run.outputs.ips) {
            assert.match(ip, /^20\.\d{1,3}\.\d{1,3}\.\d{1,3}$/);
        }
    });

    it("gives managed identities principal and client ids", () => {
        assert.match(run.outputs.identityPrincipal, guid);
        assert.match(run.outputs.identityClient, guid);
        assert.notEqual(run.outputs.identityPrincipal, run.outputs.identityClient);
        assert.match(run.outputs.workflowPrincipal, guid);
    });

    it("gives Logic Apps trigger callback URLs with a signature", () => {
        const url = new URL(run.outputs.callbackUrl);
        assert.equal(url.protocol, "https:");
        assert.equal(run.outputs.callbackUrl.split("?")[0], run.outputs.callbackBase);
        assert.equal(
            url.host,
            `${run.outputs.workflowEndpoint.split("/")[2].replace(/:443$/, "")}`,
            "the trigger is called at its workflow's access endpoint",
        );
        assert.match(url.pathname, /^\/workflows\/[0-9a-f]{32}\/triggers\/manual\/paths\/invoke$/);
        assert.equal(url.searchParams.get("api-version"), "2016-10-01");
        assert.equal(url.searchParams.get("sp"), "/triggers/manual/run");
        assert.equal(url.searchParams.get("sig"), run.outputs.callbackSig);
        assert.match(run.outputs.callbackSig, /^[A-Za-z0-9_-]{43}$/);
    });

    it("gives Key Vault its URI and secrets their versionless URI", () => {
        assert.equal(run.outputs.vaultUri, "https://kv-test-abcde.vault.azure.net/");
        assert.equal(run.outputs.secretUri, "https://kv-test-abcde.vault.azure.net/secrets/backend-key");
        assert.equal(
            run.get("azure-native:keyvault:Secret", "secret").outputs.properties.value,
            undefined,
            "ARM does not return secret values",
        );
    });

    it("gives Entra ID applications and service principals their ids", () => {
        assert.match(run.outputs.appClientId, guid);
        assert.match(run.outputs.appObjectId, guid);
        assert.match(run.outputs.principalObjectId, guid);
        assert.deepEqual(run.outputs.appRoleIds, { "Shipments.Read": "6f7c6c1e-1111-4111-8111-111111111111" });
        assert.equal(run.get("azuread:index/application:Application", "api").id, `/applications/${run.outputs.appObjectId}`);
        assert.match(run.outputs.tenantId, guid);
    });

    it("records parents as engine URNs, explicit and implicit dependencies, and secret inputs", () => {
        const service = run.get("azure-native:apimanagement:ApiManagementService", "apim");
        const identity = run.get("azure-native:managedidentity:UserAssignedIdentity", "id");
        const group = run.get("azure-native:resources:ResourceGroup", "rg");
        assert.equal(service.urn, "urn:pulumi:dev::enterprise-integration::azure-native:apimanagement:ApiManagementService::apim");
        assert.ok(service.dependsOn.includes(identity.urn));
        assert.ok(service.dependsOn.includes(group.urn));
        const secret = run.get("azure-native:keyvault:Secret", "secret");
        assert.deepEqual(secret.secretInputs, ["properties"]);
        assert.equal(secret.inputs.properties.value, "s3cr3t-value");
        assert.deepEqual(secret.planInputs.properties, { value: "[secret]" });
    });

    it("shows made-up values as known after deploy, whole or inside other values, and secrets as [secret]", () => {
        assert.equal(run.planOutputs.serviceId, "(known after deploy)");
        assert.deepEqual(run.planOutputs.ips, ["(known after deploy)", "(known after deploy)"]);
        assert.equal(run.planOutputs.callbackUrl, "[secret]");
        assert.deepEqual(run.secretOutputs, ["callbackUrl"]);
        const principal = run.get("azuread:index/servicePrincipal:ServicePrincipal", "api-sp");
        assert.equal(principal.planInputs.clientId, "(known after deploy)");
        const vault = run.get("azure-native:keyvault:Vault", "kv");
        assert.equal(vault.planInputs.resourceGroupName, "rg-test", "values from config stay visible");
    });

    it("has an ARM id for each Azure type the components create, and for no other", () => {
        // The types the components construct (`new <module>.<Type>(` in their source).
        const created = new Set<string>();
        const walk = (dir: string) => {
            for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
                const file = path.join(dir, entry.name);
                if (entry.isDirectory()) {
                    walk(file);
                } else if (file.endsWith(".ts")) {
                    for (const match of fs
                        .readFileSync(file, "utf8")
                        .matchAll(
                            /new (apimanagement|applicationinsights|authorization|dns|keyvault|loadtestservice|logic|managedidentity|monitor|operationalinsights|resources|storage|web)\.([A-Z][A-Za-z]+)\(/g,
                        )) {
                        created.add(`azure-native:${match[1]}:${match[2]}`);
                    }
                }
            }
        };
        walk(path.join(repoRoot, "components"));
        assert.deepEqual(Object.keys(idTemplates).sort(), [...created].sort());
    });

    it("gives the same values on every run", async () => {
        const again = await runFixture({ stack: "dev", program: sampleProgram });
        assert.deepEqual(again.outputs, run.outputs);
    });

    it("fails on a function it has no mock for, naming it", async () => {
        await assert.rejects(
            runFixture({
                stack: "dev",
                program: async () => {
                    await resources.getResourceGroup({ resourceGroupName: "rg-elsewhere" });
                },
            }),
            /No mock for the function azure-native:resources:getResourceGroup/,
        );
    });

    it("fails a run whose resource the mocks cannot register, instead of waiting forever", async () => {
        await assert.rejects(
            runFixture({
                stack: "dev",
                program: async () => {
                    const orphan = new keyvault.Secret("orphan", {
                        resourceGroupName: "rg-test",
                        vaultName: "",
                        secretName: "x",
                        properties: {},
                    });
                    return { uri: orphan.properties.secretUri };
                },
            }),
            /Registering azure-native:keyvault:Secret "orphan" failed: azure-native:keyvault:Secret has no "vaultName" input, which its ARM id needs/,
        );
    });

    it("answers stack references with the outputs it is given", async () => {
        const result = await runFixture({
            stack: "prod",
            stackReferences: { "organization/enterprise-integration/prod-dr": { gatewayHost: "apim-dr.azure-api.net" } },
            program: async () => {
                const dr = new pulumi.StackReference("organization/enterprise-integration/prod-dr");
                return { host: dr.getOutput("gatewayHost") };
            },
        });
        assert.equal(result.outputs.host, "apim-dr.azure-api.net");
        assert.ok(result.get("pulumi:pulumi:StackReference", "organization/enterprise-integration/prod-dr").read);
    });
});

describe("lazy loading of Pulumi's function serializer", () => {
    const loaded = () =>
        Object.keys(require.cache).filter((file) =>
            /node_modules[\\/](typescript|@npmcli[\\/]arborist|normalize-package-data|execa)[\\/]/.test(file),
        );

    it("runs stacks without loading the TypeScript compiler, npm's package readers or execa", async () => {
        await runFixture({ stack: "dev", program: async () => ({ ok: true }) });
        assert.deepEqual(loaded(), []);
    });

    it("loads a deferred module the first time it is touched, and acts as that module", () => {
        let loads = 0;
        const real = { __esModule: false, answer: 42, greet: (name: string) => `hello ${name}` };
        const stand = lazyModule(() => {
            loads += 1;
            return real;
        }) as typeof real;
        assert.equal((stand as { __esModule: unknown }).__esModule, true, "import helpers take it as it is");
        assert.equal(loads, 0);
        assert.equal(stand.greet("pulumi"), "hello pulumi");
        assert.equal(stand.answer, 42);
        assert.ok("answer" in stand);
        assert.ok(Object.keys(stand).includes("greet"));
        assert.equal(
            (stand as unknown as { default: unknown }).default,
            real,
            "a CommonJS module is its own default export, as TypeScript's import helper makes it",
        );
        assert.equal(loads, 1);
    });
});
