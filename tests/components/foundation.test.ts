import * as assert from "node:assert/strict";
import { Foundation, validateFoundationArgs, type FoundationArgs } from "../../components/foundation";
import { runFixture } from "../helpers";

const groups = { gateway: "rg-app-dev-gateway-weu", shared: "rg-app-dev-shared-weu" };

function deploy(args: FoundationArgs) {
    return runFixture({
        stack: "dev",
        program: async () => {
            const foundation = new Foundation("base", args);
            return { suffix: foundation.nameSuffix, shared: foundation.resourceGroups.shared?.id };
        },
    });
}

describe("Foundation component", () => {
    it("creates one resource group per lifecycle, with its name, region and tags", async () => {
        const run = await deploy({ location: "westeurope", resourceGroups: groups, tags: { owner: "team" } });
        const component = run.get("enterprise-integration:foundation:Foundation", "base");
        const gateway = run.get("azure-native:resources:ResourceGroup", "base-rg-gateway");
        assert.deepEqual(gateway.inputs, { resourceGroupName: "rg-app-dev-gateway-weu", location: "westeurope", tags: { owner: "team" } });
        assert.equal(gateway.parent, component.urn);
        assert.equal(run.get("azure-native:resources:ResourceGroup", "base-rg-shared").inputs.resourceGroupName, "rg-app-dev-shared-weu");
        assert.equal(run.ofType("azure-native:resources:ResourceGroup").length, 2);
        assert.match(String(run.outputs.shared), /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/rg-app-dev-shared-weu$/);
    });

    it("puts a group in its own region when it names one", async () => {
        const run = await deploy({
            location: "westeurope",
            resourceGroups: { ...groups, dns: { name: "rg-app-prod-dns-neu", location: "northeurope" } },
        });
        assert.deepEqual(run.get("azure-native:resources:ResourceGroup", "base-rg-dns").inputs, {
            resourceGroupName: "rg-app-prod-dns-neu",
            location: "northeurope",
        });
        assert.equal(run.get("azure-native:resources:ResourceGroup", "base-rg-gateway").inputs.location, "westeurope");
    });

    it("makes a 5-character suffix of lower-case letters and digits", async () => {
        const run = await deploy({ location: "westeurope", resourceGroups: groups });
        const suffix = run.get("random:index/randomString:RandomString", "base-suffix");
        assert.deepEqual(suffix.inputs, { length: 5, lower: true, upper: false, numeric: true, special: false });
        assert.match(String(run.outputs.suffix), /^[a-z0-9]{5}$/);
    });

    it("protects the groups and the suffix when asked, and only then", async () => {
        const guarded = await deploy({ location: "westeurope", resourceGroups: groups, protect: true });
        const open = await deploy({ location: "westeurope", resourceGroups: groups });
        const custom = (run: typeof open) => run.resources.filter((resource) => resource.custom);
        assert.ok(custom(guarded).every((resource) => resource.protect));
        assert.ok(custom(open).every((resource) => !resource.protect));
    });

    it("keys resource groups by lifecycle, so reordering them replaces nothing", async () => {
        const forward = await deploy({ location: "westeurope", resourceGroups: groups });
        const reversed = await deploy({ location: "westeurope", resourceGroups: { shared: groups.shared, gateway: groups.gateway } });
        // Each URN must name the same Azure group whatever the order, which keying by index would break.
        const groupByUrn = (run: typeof forward) =>
            Object.fromEntries(
                run.ofType("azure-native:resources:ResourceGroup").map((resource) => [resource.urn, resource.inputs.resourceGroupName]),
            );
        assert.deepEqual(groupByUrn(reversed), groupByUrn(forward));
        assert.equal(groupByUrn(forward)[forward.get("azure-native:resources:ResourceGroup", "base-rg-shared").urn], groups.shared);
    });

    describe("rejects bad arguments before registering anything", () => {
        const cases: Array<[string, Partial<FoundationArgs>, string]> = [
            [
                "no resource groups",
                { resourceGroups: {} },
                "resourceGroups: empty (allowed: at least one lifecycle, e.g. { shared: 'rg-...' })",
            ],
            [
                "a lifecycle key that is not a label",
                { resourceGroups: { "Shared Stuff": "rg-x" } },
                'resourceGroups: key "Shared Stuff" is not a lifecycle label (allowed: 1-24 lower-case letters, digits, hyphens, starting with a letter)',
            ],
            [
                "an invalid resource group name",
                { resourceGroups: { shared: "rg-x." } },
                'resourceGroups.shared: "rg-x." is not a resource group name (allowed: 1-90 letters, digits, - _ . ( ), not ending in .)',
            ],
            [
                "a name used twice",
                { resourceGroups: { shared: "rg-x", gateway: "RG-X" } },
                'resourceGroups.gateway: "RG-X" is used by another lifecycle (allowed: a name of its own)',
            ],
            ["a suffix length out of range", { suffixLength: 2 }, "suffixLength: 2 (allowed: a whole number from 3 to 10)"],
        ];
        for (const [what, patch, message] of cases) {
            it(what, async () => {
                const args = { location: "westeurope", resourceGroups: groups, ...patch };
                assert.throws(() => validateFoundationArgs(args), {
                    message: `The Foundation component's arguments have a problem:\n  - ${message}`,
                });
                const registered: string[] = [];
                await assert.rejects(
                    runFixture({
                        stack: "dev",
                        program: async () => {
                            new Foundation("base", args);
                        },
                        onRegister: (resource) => registered.push(resource.type),
                    }),
                    { message: `The Foundation component's arguments have a problem:\n  - ${message}` },
                );
                assert.deepEqual(registered, ["pulumi:pulumi:Stack"]);
            });
        }
    });
});
