import * as assert from "node:assert/strict";
import { parseStackConfig, type StackConfig } from "../../stacks/config";
import { projectProblems } from "../../engine/project-checks";
import { planStack } from "../../engine";
import { listStacks } from "../../engine/project";
import { configOf, fixtureProject, plan, stackFileFor, tempProject } from "../helpers";

/** A valid stack config built from scratch, with `overrides` laid over it. */
function fixture(stack: string, overrides: Record<string, unknown> = {}): StackConfig {
    return parseStackConfig(stack, {
        environment: stack.replace(/[^a-z0-9-]/g, ""),
        location: "westeurope",
        owner: "team@fabrikam.com",
        costCenter: "CC-1",
        gateway: { sku: "Developer", publisherName: "Fabrikam", publisherEmail: "api@fabrikam.com" },
        secrets: { expiresOn: "2099-12-31" },
        ...overrides,
    });
}

const certificates = {
    vaultId: "/subscriptions/3f2b8c1e-6a4d-4f7e-9b2a-1c5d8e7f9a01/resourceGroups/rg-certs/providers/Microsoft.KeyVault/vaults/kv-certs",
    gateway: "api",
    portal: "portal",
    management: "management",
};
const zone = (extra: Record<string, unknown> = {}) => ({ dns: { zoneName: "fabrikam.com", certificates, ...extra } });

describe("checks across the project's stack files", () => {
    it("pass every stack file of this project", () => {
        const stacks = Object.fromEntries(listStacks(fixtureProject()).map((stack) => [stack, configOf(stack)]));
        for (const stack of Object.keys(stacks)) {
            assert.deepEqual(projectProblems(stack, { project: "enterprise-integration", stacks }), [], stack);
        }
    });

    it("refuse two stacks that adopt the same API Management service, whatever its case", () => {
        const adopted = (serviceName: string) => ({
            gateway: {
                sku: "Developer",
                publisherName: "Fabrikam",
                publisherEmail: "api@fabrikam.com",
                serviceName,
                resourceGroup: "rg-apim",
            },
        });
        const stacks = {
            a: fixture("a", adopted("apim-fabrikam")),
            b: fixture("b", adopted("APIM-Fabrikam")),
            c: fixture("c", adopted("apim-other")),
        };
        const all = { project: "enterprise-integration", stacks };
        assert.deepEqual(projectProblems("b", all), [
            'gateway.serviceName: "APIM-Fabrikam" is also adopted by stack a (Pulumi.a.yaml) (allowed: a service only one stack names; a copy of a stack leaves gateway.serviceName out, docs/adopting.md)',
        ]);
        assert.deepEqual(projectProblems("c", all), []);
    });

    it("refuse two stacks that serve the same host names and would both write their records", () => {
        const stacks = { a: fixture("a", zone({ zoneResourceGroup: "rg-dns" })), b: fixture("b", zone({ zoneResourceGroup: "rg-dns" })) };
        const allowed =
            "(allowed: a host label no other stack uses, or make the two stacks an active/passive pair through dr.stack and dr.role)";
        assert.deepEqual(projectProblems("b", { project: "p", stacks }), [
            `dns.hosts.gateway: "api.fabrikam.com" is also served by stack a (Pulumi.a.yaml); both would write its DNS record ${allowed}`,
            `dns.hosts.portal: "developer.fabrikam.com" is also served by stack a (Pulumi.a.yaml); both would write its DNS record ${allowed}`,
            `dns.hosts.management: "management.fabrikam.com" is also served by stack a (Pulumi.a.yaml); both would write its DNS record ${allowed}`,
        ]);
        assert.equal(projectProblems("a", { project: "p", stacks }).length, 3, "both stacks are told");
    });

    it("refuse two stacks that each create the same zone", () => {
        const stacks = {
            a: fixture("a", zone()),
            b: fixture("b", zone({ hosts: { gateway: "api-b", portal: "developer-b", management: "management-b" } })),
        };
        assert.deepEqual(projectProblems("b", { project: "p", stacks }), [
            'dns.zoneName: "fabrikam.com" is also created by stack a (Pulumi.a.yaml) (allowed: one stack owns the zone; the others add their records to it with dns.zoneResourceGroup)',
        ]);
    });

    it("refuse records for a zone in a group other than the one this project's owning stack creates it in", () => {
        const owner = fixture("a", zone());
        const hosts = { gateway: "api-b", portal: "developer-b", management: "management-b" };
        const wrong = fixture("b", zone({ hosts, zoneResourceGroup: "rg-dns" }));
        assert.deepEqual(projectProblems("b", { project: "p", stacks: { a: owner, b: wrong } }), [
            'dns.zoneResourceGroup: "rg-dns" is not where stack a (Pulumi.a.yaml) creates the zone fabrikam.com: it creates it in rg-integration-a-dns-weu (allowed: rg-integration-a-dns-weu)',
        ]);
        const right = fixture("b", zone({ hosts, zoneResourceGroup: "rg-integration-a-dns-weu" }));
        assert.deepEqual(projectProblems("b", { project: "p", stacks: { a: owner, b: right } }), []);
    });

    it("let an active site and its passive site share their host names", () => {
        const active = fixture("live", {
            ...zone(),
            production: true,
            gateway: { sku: "Premium", publisherName: "Fabrikam", publisherEmail: "api@fabrikam.com" },
            dr: { role: "active", location: "northeurope", stack: "standby", maxRpoMinutes: 1500 },
        });
        const passive = fixture("standby", {
            ...zone(),
            location: "northeurope",
            gateway: { sku: "Premium", publisherName: "Fabrikam", publisherEmail: "api@fabrikam.com" },
            dr: { role: "passive", location: "westeurope", stack: "org/p/live" },
        });
        const stacks = { live: active, standby: passive };
        assert.deepEqual(projectProblems("live", { project: "p", stacks }), []);
        assert.deepEqual(projectProblems("standby", { project: "p", stacks }), []);
        // A second passive site the active one does not name is no pair.
        const third = fixture("standby2", {
            ...zone(),
            location: "francecentral",
            gateway: { sku: "Premium", publisherName: "Fabrikam", publisherEmail: "api@fabrikam.com" },
            dr: { role: "passive", location: "westeurope", stack: "live" },
        });
        assert.equal(projectProblems("standby2", { project: "p", stacks: { ...stacks, standby2: third } }).length, 6);
    });

    it("refuse a recovery time objective a standby smaller than the active site's minimum cannot meet, since it must scale out first", () => {
        const premium = { sku: "Premium", publisherName: "Fabrikam", publisherEmail: "api@fabrikam.com" };
        const active = fixture("live", {
            ...zone(),
            production: true,
            gateway: { ...premium, capacity: 3, zones: ["1", "2", "3"] },
            dr: { role: "active", location: "northeurope", stack: "standby", maxRpoMinutes: 1500, maxRtoMinutes: 15 },
        });
        const passive = (capacity: number) =>
            fixture("standby", {
                ...zone(),
                location: "northeurope",
                gateway: { ...premium, capacity },
                dr: { role: "passive", location: "westeurope", stack: "live" },
            });
        // Autoscale's minimum 3 (and a TTL of 300 s): 5 of TTL + 5 to switch + 20 to add two units.
        assert.deepEqual(projectProblems("live", { project: "p", stacks: { live: active, standby: passive(1) } }), [
            "dr.maxRtoMinutes: 15, but a failover takes 30 minutes: 5 of DNS TTL + 5 to switch dns.activeSite + 20 to scale standby out from 1 to 3 units (allowed: a shorter dns.ttl, a standby that runs the active site's minimum units, or a larger dr.maxRtoMinutes)",
        ]);
        assert.deepEqual(
            projectProblems("live", { project: "p", stacks: { live: active, standby: passive(3) } }),
            [],
            "a standby at the minimum is ready",
        );
        assert.deepEqual(
            projectProblems("standby", { project: "p", stacks: { live: active, standby: passive(1) } }),
            [],
            "the active stack file is the one to fix",
        );
    });

    it("refuse a stack reference to a stack this project has no file for, read in this run or not", () => {
        const stacks = {
            live: fixture("live", { dr: { role: "active", location: "northeurope", stack: "live-drr", maxRpoMinutes: 1500 } }),
            other: fixture("other"),
        };
        assert.deepEqual(projectProblems("live", { project: "p", stacks }), [
            'dr.stack: no stack "live-drr" in this project (stacks here: live, other)',
        ]);
        const qualified = {
            live: fixture("live", { dr: { role: "active", location: "northeurope", stack: "fabrikam/p/live-drr", maxRpoMinutes: 1500 } }),
        };
        assert.deepEqual(projectProblems("live", { project: "p", stacks: qualified }), [
            'dr.stack: no stack "live-drr" in this project (stacks here: live)',
        ]);
        const elsewhere = {
            live: fixture("live", {
                dr: { role: "active", location: "northeurope", stack: "fabrikam/shared-platform/dr", maxRpoMinutes: 1500 },
            }),
        };
        assert.deepEqual(projectProblems("live", { project: "p", stacks: elsewhere }), [], "another project's stack is not checked");
    });

    const domain = {
        zoneName: "example.com",
        zoneResourceGroup: "rg-dns",
        certificates: {
            vaultId:
                "/subscriptions/3f2b8c1e-6a4d-4f7e-9b2a-1c5d8e7f9a01/resourceGroups/rg-certs/providers/Microsoft.KeyVault/vaults/kv-certs",
            gateway: "api",
            portal: "portal",
            management: "management",
        },
    };

    it("stop the plan of a copied stack file that would take over another stack's records, naming both files", async () => {
        const original = await stackFileFor({ dns: domain });
        const { code, stdout, stderr } = await plan(
            "copy",
            "--project-dir",
            tempProject({ original, copy: original.replace(/environment: fixture/, "environment: copy") }),
        );
        assert.equal(code, 1);
        assert.equal(stdout, "");
        assert.match(
            stderr,
            /^Invalid configuration for stack "copy" \(3 problems\):\n {2}- dns\.hosts\.gateway: "api\.example\.com" is also served by stack original \(Pulumi\.original\.yaml\); both would write its DNS record \(allowed: /,
        );
        assert.doesNotMatch(stderr, /\n\s+at /);
    });

    it("stop the plan on a DR stack name with no stack file, in the user's terms", async () => {
        const live = await stackFileFor({ dr: { role: "active", location: "northeurope", stack: "live-drr", maxRpoMinutes: 1500 } });
        const { code, stderr } = await plan(
            "live",
            "--project-dir",
            tempProject({ live, other: await stackFileFor({ environment: "other" }) }),
        );
        assert.equal(code, 1);
        assert.equal(
            stderr,
            'Invalid configuration for stack "live" (1 problem):\n  - dr.stack: no stack "live-drr" in this project (stacks here: live, other)\nFix the keys in Pulumi.live.yaml (or with `pulumi config set --path`); docs/config-reference.md lists every key.\n',
        );
    });

    it("stop the plan on a secrets expiry in the past, naming the key", async () => {
        const { code, stdout, stderr } = await plan(
            "stale",
            "--project-dir",
            tempProject({ stale: await stackFileFor({ secrets: { expiresOn: "2020-01-31" } }) }),
        );
        assert.equal(code, 1);
        assert.equal(stdout, "");
        assert.equal(
            stderr,
            'Invalid configuration for stack "stale" (1 problem):\n  - secrets.expiresOn: "2020-01-31" is not in the future; every secret the stack stores and its Entra ID client secrets would be created expired (allowed: a later date, YYYY-MM-DD, quoted; rotate before it)\nFix the keys in Pulumi.stale.yaml (or with `pulumi config set --path`); docs/config-reference.md lists every key.\n',
        );
    });

    it("plan a stack that reads another project's stack, every value from it known after deploy", async () => {
        const passive = await stackFileFor({
            location: "northeurope",
            dr: { role: "passive", location: "westeurope", stack: "fabrikam/shared-platform/live" },
        });
        const run = await planStack({ stack: "standby", projectDir: tempProject({ standby: passive }) });
        assert.equal(run.get("pulumi:pulumi:StackReference", "active-site").inputs.name, "fabrikam/shared-platform/live");
        const identity = run.planOutputs.identity as Record<string, unknown>;
        for (const key of ["tenantId", "apiClientId", "identifierUri", "roles", "issuer"]) {
            assert.equal(identity[key], "(known after deploy)", key);
        }
    });
});
