import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { planStack, type RunOptions, type StackRun } from "../../engine";
import { UnresolvedStackReference } from "../../engine/references";
import { fixtureSource, problemsOf, runFixture, stackFileValues, stackRun, tempProject, waitsFor } from "../helpers";

const recordType = "azure-native:dns:RecordSet";
const cnames = (run: StackRun) =>
    Object.fromEntries(
        run
            .ofType(recordType)
            .filter((r) => r.inputs.recordType === "CNAME")
            .map((r) => [r.inputs.relativeRecordSetName, r.inputs.cnameRecord.cname]),
    );

describe("custom domains and the failover switch", () => {
    let prod: StackRun;
    let drSite: StackRun;
    let failedOver: StackRun;
    before(async () => {
        prod = await stackRun("prod");
        drSite = await stackRun("prod-dr");
        // prod after `pulumi config set --path dns.activeSite dr`, reading prod-dr's outputs.
        failedOver = await runFixture({
            stack: "prod",
            config: { dns: { ...stackFileValues("prod").dns, activeSite: "dr" } },
            stackReferences: { "organization/enterprise-integration/prod-dr": drSite.outputs },
        });
    });

    it("points prod's records at prod's own gateway, portal and management hosts", () => {
        const hosts = (prod.outputs.gateway as { defaultHosts: Record<string, string> }).defaultHosts;
        assert.deepEqual(cnames(prod), { api: hosts.gateway, developer: hosts.portal, management: hosts.management });
        assert.match(hosts.gateway, /^apim-integration-prod-weu-[a-z0-9]{5}\.azure-api\.net$/);
        assert.ok(prod.ofType(recordType).every((record) => record.inputs.ttl === 60));
        const zone = prod.get("azure-native:dns:Zone", "dns-zone");
        assert.equal(zone.protect, true);
        // In a group in the DR region, so the records can change while the primary region is down.
        const group = prod.get("azure-native:resources:ResourceGroup", "foundation-rg-dns");
        assert.deepEqual(
            [zone.inputs.resourceGroupName, group.inputs.location, group.protect],
            ["rg-integration-prod-dns-neu", "northeurope", true],
        );
    });

    it("repoints every record at prod-dr's host names when activeSite is dr, pauses prod's backups, and changes nothing else", () => {
        const drHosts = (drSite.outputs.gateway as { defaultHosts: Record<string, string> }).defaultHosts;
        assert.deepEqual(cnames(failedOver), { api: drHosts.gateway, developer: drHosts.portal, management: drHosts.management });
        const backupWorkflow = "azure-native:logic:Workflow";
        assert.deepEqual(
            [prod.get(backupWorkflow, "backup-workflow").inputs.state, failedOver.get(backupWorkflow, "backup-workflow").inputs.state],
            ["Enabled", "Disabled"],
        );
        const inputsOf = (run: StackRun) =>
            Object.fromEntries(
                run.resources
                    .filter((r) => r.type !== "pulumi:pulumi:StackReference")
                    .map((r) => [
                        r.urn,
                        r.type === recordType
                            ? { ...r.inputs, cnameRecord: undefined }
                            : r.name === "backup-workflow"
                              ? { ...r.inputs, state: undefined }
                              : r.inputs,
                    ]),
            );
        assert.deepEqual(inputsOf(failedOver), inputsOf(prod));
        // Qualified, so Pulumi Cloud looks in the stack's own organisation, not the CLI's default one.
        assert.deepEqual(
            failedOver.ofType("pulumi:pulumi:StackReference").map((r) => r.inputs.name),
            ["organization/enterprise-integration/prod-dr"],
        );
    });

    it("serves the custom hosts on prod-dr too, with the same certificates, but leaves the records to prod", () => {
        assert.equal(drSite.ofType(recordType).length, 0);
        assert.equal(drSite.ofType("azure-native:dns:Zone").length, 0);
        const hosts = drSite.get("azure-native:apimanagement:ApiManagementService", "gateway-apim").inputs.hostnameConfigurations;
        assert.deepEqual(
            hosts.map((host: { hostName: string }) => host.hostName),
            ["api.fabrikam.com", "developer.fabrikam.com", "management.fabrikam.com"],
        );
        assert.equal((drSite.outputs.dns as { activeSite: string }).activeSite, "none");
    });

    it("reads each Key Vault certificate with the gateway's identity, granted on that certificate alone", () => {
        const service = prod.get("azure-native:apimanagement:ApiManagementService", "gateway-apim");
        const gateway = service.inputs.hostnameConfigurations.find((host: { type: string }) => host.type === "Proxy");
        assert.equal(gateway.keyVaultId, "https://kv-fabrikam-certs.vault.azure.net/secrets/api-fabrikam-com");
        assert.equal(gateway.certificateSource, "KeyVault");
        const grant = prod.get("azure-native:authorization:RoleAssignment", "access-gateway-reads-gateway-certificate");
        assert.equal(grant.inputs.scope, `${stackFileValues("prod").dns.certificates.vaultId}/secrets/api-fabrikam-com`);
        assert.ok(waitsFor(prod, service, grant));
    });

    it("lets a stack add its records to another stack's zone, with its own labels, its certificates from Key Vault", async () => {
        const dev = await stackRun("dev");
        const domain = stackFileValues("dev").dns;
        assert.ok(domain?.zoneResourceGroup, "dev adds its records to prod's zone");
        assert.equal(dev.ofType("azure-native:dns:Zone").length, 0);
        const records = dev.ofType(recordType);
        assert.ok(
            records.every(
                (record) => record.inputs.resourceGroupName === domain.zoneResourceGroup && record.inputs.zoneName === domain.zoneName,
            ),
        );
        assert.deepEqual(
            records.map((record) => `${record.inputs.recordType} ${record.inputs.relativeRecordSetName}`).sort(),
            Object.values(domain.hosts)
                .map((label) => `CNAME ${label}`)
                .sort(),
        );
        const service = dev.get("azure-native:apimanagement:ApiManagementService", "gateway-apim");
        for (const host of service.inputs.hostnameConfigurations) {
            assert.equal(host.certificateSource, "KeyVault", host.hostName);
        }
        for (const record of records) {
            assert.ok(service.dependsOn.includes(record.urn), record.name);
        }
        const portalApp = dev.get("azuread:index/application:Application", "identity-portal").inputs;
        assert.ok(portalApp.singlePageApplication.redirectUris.includes(`https://${domain.hosts.portal}.${domain.zoneName}/signin`));
    });

    it("serves the gateway host with a managed certificate once the service exists, with its apimuid record", async () => {
        const values = stackFileValues("dev");
        const run = await runFixture({
            stack: "dev",
            config: {
                gateway: { ...values.gateway, serviceExists: true },
                dns: { ...values.dns, certificates: { ...values.dns.certificates, gateway: "managed" } },
            },
        });
        const gatewayHost = `${values.dns.hosts.gateway}.${values.dns.zoneName}`;
        const service = run.get("azure-native:apimanagement:ApiManagementService", "gateway-apim");
        const proxy = service.inputs.hostnameConfigurations.find((host: { type: string }) => host.type === "Proxy");
        assert.deepEqual(
            { hostName: proxy.hostName, certificateSource: proxy.certificateSource, keyVaultId: proxy.keyVaultId },
            { hostName: gatewayHost, certificateSource: "Managed", keyVaultId: undefined },
        );
        const txt = run.ofType(recordType).find((record) => record.inputs.recordType === "TXT")!;
        assert.equal(txt.inputs.relativeRecordSetName, `apimuid.${values.dns.hosts.gateway}`);
        assert.ok(service.dependsOn.includes(txt.urn));
    });

    it("refuses a managed certificate before the service exists: no stack sends one in the first create", () => {
        const values = stackFileValues("dev");
        assert.ok(
            problemsOf("dev", { dns: { ...values.dns, certificates: { ...values.dns.certificates, gateway: "managed" } } }).includes(
                "dns.certificates.gateway: managed, but gateway.serviceExists is not true: API Management issues its free managed certificate only when an existing service is updated, never in the service's first create (allowed: a certificate from Key Vault; or deploy once with one, then set gateway.serviceExists: true and switch to managed)",
            ),
        );
    });

    it("keeps the default host names where no zone is configured", async () => {
        const test = await stackRun("test");
        assert.equal(test.ofType(recordType).length, 0);
        assert.equal(test.get("azure-native:apimanagement:ApiManagementService", "gateway-apim").inputs.hostnameConfigurations, undefined);
    });

    /** A stand-in for the engine's run that records which stack ran with which references. */
    const recorder = (calls: string[], respond?: (options: RunOptions) => void) => async (options: RunOptions) => {
        const refs = Object.entries(options.stackReferences ?? {}).map(
            ([name, outputs]) => `${name.split("/").pop()}${outputs === "unknown" ? " (unknown)" : ""}`,
        );
        calls.push(`${options.stack} <- ${refs.join(",")}`);
        respond?.(options);
        return { outputs: { from: options.stack }, fabricated: [`invented-in-${options.stack}`], warnings: [] } as unknown as StackRun;
    };

    it("plans a stack that reads another stack of the project by planning that one first", async () => {
        const calls: string[] = [];
        const run = await planStack({ stack: "prod-dr" }, recorder(calls));
        assert.deepEqual(calls, ["prod <- ", "prod-dr <- prod"]);
        assert.deepEqual(run.outputs, { from: "prod-dr" });
    });

    it("finds a reference the config does not announce by trying, and plans that stack too", async () => {
        const calls: string[] = [];
        await planStack(
            { stack: "prod" },
            recorder(calls, (options) => {
                if (options.stack === "prod" && !options.stackReferences?.["organization/enterprise-integration/test"]) {
                    throw new UnresolvedStackReference("organization/enterprise-integration/test", "test");
                }
            }),
        );
        assert.deepEqual(calls, ["prod <- ", "test <- ", "prod <- test"]);
    });

    it("plans a failed-over prod although prod and prod-dr then read each other: the read back is unknown", async () => {
        const files = Object.fromEntries(
            ["dev", "prod", "prod-dr", "test"].map((stack) => [
                stack,
                fs.readFileSync(path.join(fixtureSource, `Pulumi.${stack}.yaml`), "utf8"),
            ]),
        );
        const dir = tempProject({ ...files, prod: files.prod!.replace("activeSite: primary", "activeSite: dr") });
        const calls: string[] = [];
        const run = await planStack({ stack: "prod", projectDir: dir }, recorder(calls));
        assert.deepEqual(calls, ["prod-dr <- prod (unknown)", "prod <- prod-dr"]);
        assert.ok(run.outputs.from === "prod");
    });

    describe("rejects DNS config that cannot work", () => {
        const dns = () => stackFileValues("prod").dns;
        const cases: Array<[string, Record<string, unknown>, string]> = [
            [
                "a host name that is not a DNS label",
                { dns: { ...dns(), hosts: { gateway: "api.v2" } } },
                'dns.hosts.gateway: "api.v2" is not a DNS label (allowed: 1-63 lower-case letters, digits and hyphens, not starting or ending with a hyphen, such as api or api-dev)',
            ],
            [
                "a TTL over 300 s on a production stack",
                { dns: { ...dns(), ttl: 3600 } },
                "dns.ttl: 3600 seconds is too long for a production stack; a failover would take that long to be seen (allowed: 1-300)",
            ],
            [
                "activeSite dr without a DR stack",
                { dns: { ...dns(), activeSite: "dr" }, dr: { role: "active", location: "northeurope" } },
                "dns.activeSite: dr, but dr.stack is not set; the records would have no site to point at (allowed: set dr.stack to the DR stack, such as prod-dr, or activeSite: primary)",
            ],
            [
                "a zone without certificates",
                { dns: { zoneName: "fabrikam.com", ttl: 60 } },
                "dns.certificates: missing while dns.zoneName is set; the gateway serves the custom hosts with them (allowed: { vaultId, gateway, portal, management })",
            ],
            [
                "a managed certificate for the portal",
                { dns: { ...dns(), certificates: { ...dns().certificates, portal: "managed" } } },
                'dns.certificates.portal: "managed" is for the gateway host only; API Management issues no managed certificate for the developer portal (allowed: the name of a certificate in dns.certificates.vaultId (1-127 letters, digits, hyphens))',
            ],
        ];
        for (const [what, overrides, message] of cases) {
            it(what, () => {
                assert.ok(problemsOf("prod", overrides).includes(message), problemsOf("prod", overrides).join("\n"));
            });
        }

        it("a managed certificate on the passive site", () => {
            const drDns = stackFileValues("prod-dr").dns;
            assert.ok(
                problemsOf("prod-dr", { dns: { ...drDns, certificates: { ...drDns.certificates, gateway: "managed" } } }).includes(
                    "dns.certificates.gateway: managed on a passive site; API Management issues it only while the host's record points at this gateway, which is the active site's until a failover (allowed: a certificate from Key Vault)",
                ),
            );
        });
    });
});
