import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Secrets, VaultSecrets, expiryEpoch, validateSecretsArgs, type SecretsArgs } from "../../components/secrets";
import type { StackRun } from "../../engine";
import { runFixture } from "../helpers";

const workspace =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-shared/providers/Microsoft.OperationalInsights/workspaces/log-test";

function args(overrides: Partial<SecretsArgs> = {}): SecretsArgs {
    return {
        resourceGroupName: "rg-shared",
        location: "westeurope",
        vaultName: "kv-test-abcde",
        tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
        allowedIpRanges: ["203.0.113.0/24", "198.51.100.7"],
        workspaceId: workspace,
        secrets: {
            "ledger-backend-key": { generate: { length: 48 }, contentType: "API key of the ledger backend" },
            "erp-api-key": { value: pulumi.secret("brought-by-the-user"), contentType: "API key of the ERP" },
        },
        expiresOn: "2027-06-30",
        protect: true,
        tags: { environment: "test" },
        ...overrides,
    };
}

function deploy(secretsArgs: SecretsArgs): Promise<StackRun> {
    return runFixture({
        stack: "dev",
        program: async () => {
            const secrets = new Secrets("sec", secretsArgs);
            const later = new VaultSecrets("later", {
                resourceGroupName: "rg-shared",
                vaultName: secrets.vaultName,
                secrets: { "shipment-intake-sig": { value: pulumi.secret("sig-value"), contentType: "Trigger signature" } },
                expiresOn: "2027-06-30",
            });
            return { ids: secrets.secretIds, values: secrets.secretValues, later: later.secretIds, uri: secrets.vaultUri };
        },
    });
}

describe("Secrets component", () => {
    let run: StackRun;
    before(async () => {
        run = await deploy(args());
    });

    it("hardens the vault: RBAC, soft delete for 90 days, purge protection, firewall denying by default", () => {
        const vault = run.get("azure-native:keyvault:Vault", "sec-vault");
        assert.deepEqual(vault.inputs.properties, {
            tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
            sku: { family: "A", name: "standard" },
            enableRbacAuthorization: true,
            enableSoftDelete: true,
            softDeleteRetentionInDays: 90,
            enablePurgeProtection: true,
            enabledForDeployment: false,
            enabledForDiskEncryption: false,
            enabledForTemplateDeployment: false,
            publicNetworkAccess: "Enabled",
            networkAcls: {
                defaultAction: "Deny",
                bypass: "AzureServices",
                ipRules: [{ value: "203.0.113.0/24" }, { value: "198.51.100.7" }],
            },
        });
        assert.equal(vault.protect, true);
    });

    it("sends the vault's audit logs to Log Analytics", () => {
        const setting = run.get("azure-native:monitor:DiagnosticSetting", "sec-audit").inputs;
        assert.equal(setting.resourceUri, run.get("azure-native:keyvault:Vault", "sec-vault").id);
        assert.equal(setting.workspaceId, workspace);
        assert.deepEqual(setting.logs, [{ categoryGroup: "audit", enabled: true }]);
    });

    it("generates the project's own secrets and stores every secret with a content type and an expiry", () => {
        const generated = run.get("random:index/randomPassword:RandomPassword", "sec-value-ledger-backend-key");
        assert.equal(generated.inputs.length, 48);
        assert.equal(generated.protect, true);
        const expires = expiryEpoch("2027-06-30");
        assert.equal(new Date(expires * 1000).toISOString(), "2027-06-30T23:59:59.000Z");
        for (const name of ["ledger-backend-key", "erp-api-key"]) {
            const secret = run.get("azure-native:keyvault:Secret", `sec-secret-${name}`);
            assert.equal(secret.inputs.secretName, name);
            assert.deepEqual(secret.inputs.properties.attributes, { enabled: true, expires });
            assert.ok(String(secret.inputs.properties.contentType).length > 0);
            assert.ok(secret.secretInputs.includes("properties"), name);
            assert.equal(secret.protect, true);
        }
        assert.equal(run.get("azure-native:keyvault:Secret", "sec-secret-erp-api-key").inputs.properties.value, "brought-by-the-user");
        assert.equal(
            run.get("azure-native:keyvault:Secret", "sec-secret-ledger-backend-key").inputs.properties.value,
            generated.outputs.result,
        );
    });

    it("outputs versionless secret ids, and every secret value as a secret", () => {
        const ids = run.outputs.ids as Record<string, string>;
        assert.match(ids["erp-api-key"]!, /^https:\/\/kv-test-abcde\.vault\.azure\.net\/secrets\/erp-api-key$/);
        assert.ok(run.secretOutputs.includes("values"));
        assert.ok(!run.secretOutputs.includes("ids"));
        assert.match((run.outputs.later as Record<string, string>)["shipment-intake-sig"]!, /\/secrets\/shipment-intake-sig$/);
    });

    it("adds later secrets to the same vault with the same expiry", () => {
        const sig = run.get("azure-native:keyvault:Secret", "later-secret-shipment-intake-sig");
        assert.equal(sig.inputs.vaultName, "kv-test-abcde");
        assert.equal(sig.inputs.properties.attributes.expires, expiryEpoch("2027-06-30"));
        assert.ok(sig.secretInputs.includes("properties"));
    });

    it("leaves the vault unprotected when not asked", async () => {
        const open = await deploy(args({ protect: false }));
        assert.equal(open.get("azure-native:keyvault:Vault", "sec-vault").protect, false);
    });

    describe("rejects bad arguments", () => {
        const cases: Array<[string, Partial<SecretsArgs>, string]> = [
            [
                "a firewall rule that is not a range",
                { allowedIpRanges: ["10.0.0.0/33"] },
                'allowedIpRanges[0]: "10.0.0.0/33" is not an IPv4 range (allowed: an IPv4 address or CIDR range such as 203.0.113.0/24)',
            ],
            [
                "a secret name Key Vault refuses",
                { secrets: { api_key: { generate: { length: 32 }, contentType: "x" } } },
                'secrets: "api_key" is not a Key Vault secret name (allowed: 1-127 letters, digits and hyphens)',
            ],
            [
                "a generated secret too short",
                { secrets: { short: { generate: { length: 8 }, contentType: "x" } } },
                "secrets.short.generate.length: 8 is out of range (allowed: 16-128)",
            ],
            [
                "an expiry that is not a date",
                { expiresOn: "2027-13-45" },
                'expiresOn: "2027-13-45" is not a date (allowed: a calendar date such as 2027-06-30 (YYYY-MM-DD))',
            ],
        ];
        for (const [what, patch, message] of cases) {
            it(what, () => {
                assert.throws(
                    () => validateSecretsArgs(args(patch)),
                    (error: Error) => error.message.split("\n").includes(`  - ${message}`),
                );
            });
        }
    });
});
