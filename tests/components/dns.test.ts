import * as assert from "node:assert/strict";
import { Dns, validateDnsArgs, type DnsArgs } from "../../components/dns";
import type { StackRun } from "../../engine";
import { runFixture } from "../helpers";

function args(overrides: Partial<DnsArgs> = {}): DnsArgs {
    return {
        zoneName: "fabrikam.com",
        zoneResourceGroupName: "rg-shared",
        hosts: {
            gateway: { label: "api", target: "apim-x.azure-api.net" },
            portal: { label: "developer", target: "apim-x.developer.azure-api.net" },
            management: { label: "management", target: "apim-x.management.azure-api.net" },
        },
        ttl: 60,
        protect: true,
        tags: { environment: "test" },
        ...overrides,
    };
}

function deploy(dnsArgs: DnsArgs): Promise<StackRun> {
    return runFixture({
        stack: "dev",
        program: async () => {
            const dns = new Dns("dns", dnsArgs);
            return { nameServers: dns.nameServers, hostNames: dns.hostNames };
        },
    });
}

const recordType = "azure-native:dns:RecordSet";

describe("Dns component", () => {
    let run: StackRun;
    before(async () => {
        run = await deploy(args());
    });

    it("creates the zone, protected when asked, and outputs its name servers for delegation", () => {
        const zone = run.get("azure-native:dns:Zone", "dns-zone");
        assert.deepEqual(zone.inputs, {
            resourceGroupName: "rg-shared",
            zoneName: "fabrikam.com",
            location: "global",
            zoneType: "Public",
            tags: { environment: "test" },
        });
        assert.equal(zone.protect, true);
        assert.equal((run.outputs.nameServers as string[]).length, 4);
    });

    it("points a CNAME per host at its API Management host name, with the TTL", () => {
        const records = run
            .ofType(recordType)
            .map((record) => [
                record.inputs.relativeRecordSetName,
                record.inputs.recordType,
                record.inputs.cnameRecord?.cname,
                record.inputs.ttl,
            ]);
        assert.deepEqual(records.sort(), [
            ["api", "CNAME", "apim-x.azure-api.net", 60],
            ["developer", "CNAME", "apim-x.developer.azure-api.net", 60],
            ["management", "CNAME", "apim-x.management.azure-api.net", 60],
        ]);
        assert.deepEqual(run.outputs.hostNames, {
            gateway: "api.fabrikam.com",
            portal: "developer.fabrikam.com",
            management: "management.fabrikam.com",
        });
    });

    it("adds the apimuid ownership record only for hosts with a managed certificate", async () => {
        assert.equal(run.ofType(recordType).filter((record) => record.inputs.recordType === "TXT").length, 0);
        const managed = await deploy(args({ managedCertificates: { hosts: ["gateway"], ownershipIdentifier: "b3duZXJzaGlw" } }));
        const txt = managed.ofType(recordType).filter((record) => record.inputs.recordType === "TXT");
        assert.deepEqual(
            txt.map((record) => [record.inputs.relativeRecordSetName, record.inputs.txtRecords]),
            [["apimuid.api", [{ value: ["b3duZXJzaGlw"] }]]],
        );
    });

    it("adds records to an existing zone without creating or owning it", async () => {
        const existing = await deploy(args({ existingZone: true, zoneResourceGroupName: "rg-integration-prod-dns-neu" }));
        assert.equal(existing.ofType("azure-native:dns:Zone").length, 0);
        for (const record of existing.ofType(recordType)) {
            assert.equal(record.inputs.zoneName, "fabrikam.com");
            assert.equal(record.inputs.resourceGroupName, "rg-integration-prod-dns-neu");
        }
        assert.deepEqual(existing.outputs.nameServers, []);
    });

    describe("rejects bad arguments", () => {
        const cases: Array<[string, Partial<DnsArgs>, string]> = [
            [
                "a host label that is not a DNS label",
                { hosts: { gateway: { label: "API_Gateway", target: "x" } } },
                'hosts.gateway.label: "API_Gateway" is not a DNS label (allowed: 1-63 lower-case letters, digits and hyphens, not starting or ending with a hyphen, such as api or api-dev)',
            ],
            [
                "two hosts on one label",
                { hosts: { gateway: { label: "api", target: "x" }, portal: { label: "api", target: "y" } } },
                'hosts.portal.label: "api" is also the gateway host (allowed: a label of its own)',
            ],
            ["a TTL out of range", { ttl: 0 }, "ttl: 0 seconds is out of range (allowed: 1-86400 seconds)"],
        ];
        for (const [what, patch, message] of cases) {
            it(what, () => {
                assert.throws(
                    () => validateDnsArgs(args(patch)),
                    (error: Error) => error.message.split("\n").includes(`  - ${message}`),
                );
            });
        }
    });
});
