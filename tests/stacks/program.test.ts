import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, standardTagNames } from "../../stacks/config";
import { lifecycles } from "../../stacks/program";
import type { StackRun } from "../../engine";
import { isTaggable, runFixture, stackFileFor, stackRun, tempProject } from "../helpers";

/** The resources whose loss loses state: protected in production stacks. */
const statefulTypes = [
    "random:index/randomString:RandomString",
    "random:index/randomPassword:RandomPassword",
    "azure-native:resources:ResourceGroup",
    "azure-native:apimanagement:ApiManagementService",
    "azure-native:keyvault:Vault",
    "azure-native:keyvault:Secret",
];

describe("the stacks", () => {
    const runs: Record<string, StackRun> = {};
    before(async () => {
        for (const stack of ["dev", "test", "prod", "prod-dr"]) {
            runs[stack] = await stackRun(stack);
        }
    });

    it("give every stack a gateway, a workflows and a shared resource group in its region", () => {
        for (const [stack, location, short] of [
            ["dev", "westeurope", "weu"],
            ["test", "westeurope", "weu"],
            ["prod", "westeurope", "weu"],
            ["prod-dr", "northeurope", "neu"],
        ]) {
            // (prod's DNS and backup groups, in the DR region, are checked with the custom domains and the backups.)
            const groups = runs[stack]
                .ofType("azure-native:resources:ResourceGroup")
                .filter((group) => group.name !== "foundation-rg-dns" && group.name !== "foundation-rg-backup");
            assert.deepEqual(
                groups.map((group) => [group.name, group.inputs.resourceGroupName, group.inputs.location]).sort(),
                lifecycles
                    .map((lifecycle) => [`foundation-rg-${lifecycle}`, `rg-integration-${stack}-${lifecycle}-${short}`, location])
                    .sort(),
                stack,
            );
        }
    });

    it("tag every taggable resource with the stack's labels", () => {
        for (const run of Object.values(runs)) {
            // The SDK says which types take tags: the service does, its sub-resources do not (a
            // generic resource under a parent, such as the portal's settings, is a sub-resource too).
            const taggable = run.resources.filter((resource) => isTaggable(resource.type) && !resource.inputs.parentResourcePath);
            assert.ok(taggable.some((resource) => resource.type === "azure-native:apimanagement:ApiManagementService"));
            assert.ok(!isTaggable("azure-native:apimanagement:Product") && !isTaggable("azure-native:monitor:DiagnosticSetting"));
            assert.ok(taggable.length > 0);
            for (const resource of taggable) {
                assert.deepEqual(
                    Object.keys(resource.inputs.tags ?? {}).sort(),
                    [...standardTagNames].sort(),
                    `${run.stack} ${resource.name}`,
                );
            }
        }
        assert.deepEqual(runs.prod.get("azure-native:resources:ResourceGroup", "foundation-rg-shared").inputs.tags, {
            environment: "prod",
            workload: "integration",
            owner: "platform-team@fabrikam.com",
            costCenter: "CC-1003",
            stack: "prod",
            managedBy: "pulumi",
        });
        assert.equal(runs["prod-dr"].get("azure-native:resources:ResourceGroup", "foundation-rg-shared").inputs.tags.stack, "prod-dr");
    });

    it("protect prod's and prod-dr's stateful resources, and nothing in dev or test", () => {
        for (const stack of ["prod", "prod-dr"]) {
            const stateful = runs[stack].resources.filter((resource) => statefulTypes.includes(resource.type));
            assert.deepEqual([...new Set(stateful.map((resource) => resource.type))].sort(), [...statefulTypes].sort(), stack);
            for (const resource of stateful) {
                assert.equal(resource.protect, true, `${stack} ${resource.name}`);
            }
        }
        for (const stack of ["dev", "test"]) {
            assert.ok(
                runs[stack].resources.every((resource) => !resource.protect),
                stack,
            );
        }
    });

    it("output the region, the resource groups and the site's role", () => {
        assert.deepEqual(runs["prod-dr"].outputs.resourceGroups, {
            gateway: "rg-integration-prod-dr-gateway-neu",
            workflows: "rg-integration-prod-dr-workflows-neu",
            shared: "rg-integration-prod-dr-shared-neu",
        });
        assert.equal(runs["prod-dr"].outputs.drRole, "passive");
        assert.equal(runs.prod.outputs.drRole, "active");
        assert.equal(runs.prod.outputs.location, "westeurope");
        assert.match(runs.prod.outputs.nameSuffix, /^[a-z0-9]{5}$/);
        assert.equal(runs.prod.planOutputs.nameSuffix, "(known after deploy)");
    });

    it("register nothing when the config is invalid", async () => {
        const registered: string[] = [];
        await assert.rejects(
            runFixture({ stack: "prod", config: { location: "westeurop" }, onRegister: (resource) => registered.push(resource.type) }),
            (error: unknown) => error instanceof ConfigError && error.problems.length === 1,
        );
        assert.deepEqual(registered, ["pulumi:pulumi:Stack"]);
    });

    it("take a new stack from a new stack file, with no code", async () => {
        const dir = tempProject({
            staging: [
                "config:",
                "  enterprise-integration:environment: staging",
                "  enterprise-integration:location: francecentral",
                "  enterprise-integration:owner: platform-team@fabrikam.com",
                "  enterprise-integration:costCenter: CC-2000",
                "  enterprise-integration:gateway:",
                "    sku: Standard",
                "    capacity: 2",
                "    publisherName: Fabrikam Integration",
                "    publisherEmail: api-team@fabrikam.com",
                "    backends:",
                "      ledger: { url: https://ledger-staging.fabrikam.com/api }",
                "      accounts: { url: https://erp-staging.fabrikam.com/services/accounts }",
                "  enterprise-integration:secrets:",
                '    expiresOn: "2027-06-30"',
                "  enterprise-integration:workflows:",
                "    shipment-intake: gateway",
                "    shipment-notify: nested",
                "",
            ].join("\n"),
        });
        const run = await runFixture({ stack: "staging", projectDir: dir });
        assert.deepEqual(
            run
                .ofType("azure-native:resources:ResourceGroup")
                .map((group) => group.inputs.resourceGroupName)
                .sort(),
            ["rg-integration-staging-gateway-frc", "rg-integration-staging-shared-frc", "rg-integration-staging-workflows-frc"],
        );
        assert.equal(run.outputs.environment, "staging");
    });

    it("plan a stack that deploys no workflows, with no Logic Apps and no storage for them", async () => {
        // A catalog without logicApp APIs, and a stack file without `workflows` (it is optional).
        const dir = tempProject({ staging: await stackFileFor({ workflows: undefined }) });
        fs.rmSync(path.join(dir, "apis", "shipments"), { recursive: true });
        const run = await runFixture({ stack: "staging", projectDir: dir });
        assert.equal(run.ofType("azure-native:logic:Workflow").length, 0);
        assert.equal(run.ofType("azure-native:storage:StorageAccount").length, 0);
        assert.deepEqual(run.outputs.workflows, { ids: {}, principalIds: {}, callbackUrls: {} });
        assert.ok(Object.keys(run.outputs.gateway.apiIds).length > 0, "the APIs are still published");
    });
});
