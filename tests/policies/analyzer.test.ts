import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { rules } from "../../policies/rules";
import { privilegedRoles } from "../../policies/rules/everywhere";
import type { RegisteredResource, StackRun } from "../../engine";
import type { PolicyAnalyzer, PolicyInfo } from "../../engine/host/analyzer";
import { parsePolicyPackConfig, reconcilePolicyPackConfig } from "../../engine/host/policy-config";
import { PreviewValues } from "../../engine/values";
import { analyzeStack } from "../../commands/plan/policy-analysis";
import { fixtureProject, policyPack, stackRun } from "../helpers";

/**
 * The policy pack as `pulumi preview --policy-pack policies` runs it: started through
 * `@pulumi/pulumi/cmd/run-policy-pack`, called over the Analyzer protocol, its config reconciled
 * as the CLI reconciles it (`pkg/resource/analyzer/config.go`, 3.248.0), each resource handed
 * over with the values a preview knows. One pack process serves this file.
 */

const unknown = pulumi.runtime.unknownValue;

// The suite's pack, started when the file loads: its process compiles the pack on the other core meanwhile.
const pack: Promise<PolicyAnalyzer> = policyPack();
pack.catch(() => undefined);

/** A copy of a run with one resource's inputs replaced. */
function withInputs(run: StackRun, name: string, change: (inputs: Record<string, unknown>) => Record<string, unknown>): StackRun {
    const resources = run.resources.map<RegisteredResource>((resource) =>
        resource.name === name ? { ...resource, rawInputs: change(structuredClone(resource.rawInputs)) } : resource,
    );
    return { ...run, resources };
}

describe("the policy pack through Pulumi's policy host", () => {
    it("starts through run-policy-pack and lists every rule of policies/rules, sorted, with the enforcement level added to each config schema", async () => {
        const { info } = await pack;
        assert.equal(info.name, "enterprise-integration-baseline");
        assert.equal(info.version, "0.1.0");
        assert.equal(info.supportsConfig, true);
        assert.deepEqual(
            info.policies.map((policy) => policy.name),
            rules.map((rule) => rule.id).sort(),
        );
        for (const policy of info.policies) {
            const rule = rules.find((candidate) => candidate.id === policy.name)!;
            assert.equal(policy.enforcementLevel, rule.level, policy.name);
            assert.deepEqual(
                policy.configSchema?.properties.enforcementLevel,
                { type: "string", enum: ["advisory", "mandatory", "remediate", "disabled"] },
                policy.name,
            );
        }
    });

    it("passes a stack whose resources comply, and lists apart the checks that read values known only after deploy", async () => {
        const report = await analyzeStack(fixtureProject(), await stackRun("prod"), pack, { keepOpen: true });
        assert.equal(report.rules, rules.length);
        assert.deepEqual(report.violations, []);
        assert.deepEqual(report.upViolations, []);
        // A role assignment's scope is a resource's id: unknown until the resource exists.
        const scope = report.duringUp.find((check) => check.rule === "role-assignment-scope");
        assert.ok(scope, JSON.stringify(report.duringUp));
        assert.equal(scope.level, "mandatory");
        assert.equal(scope.message, "string value at .scope can't be known during preview");
        // A rule that reads only whether an input is set, or a value known at preview, runs in the preview.
        for (const rule of [
            "apim-named-value-secret",
            "appinsights-workspace-entra-only",
            "apim-logs",
            "keyvault-audit-logs",
            "logic-diagnostics",
            "apim-autoscale-primary-location",
        ]) {
            assert.ok(!report.duringUp.some((check) => check.rule === rule), rule);
        }
    });

    it("reports a violation of a value the preview knows as pulumi preview reports it", async () => {
        const run = withInputs(await stackRun("prod"), "secrets-vault", (inputs) => {
            (inputs.properties as { networkAcls: { defaultAction: string } }).networkAcls.defaultAction = "Allow";
            return inputs;
        });
        const report = await analyzeStack(fixtureProject(), run, pack, { keepOpen: true });
        assert.ok(
            report.violations.some(
                (violation) =>
                    violation.level === "mandatory" &&
                    violation.resource === "secrets-vault" &&
                    violation.type === "azure-native:keyvault:Vault",
            ),
            JSON.stringify(report.violations),
        );
    });

    it("runs a check the preview cannot run on the values the mocks invent, and reports what pulumi up would stop at", async () => {
        const prod = await stackRun("prod");
        const assignment = prod.ofType("azure-native:authorization:RoleAssignment")[0]!;
        const vault = prod.get("azure-native:keyvault:Vault", "secrets-vault");
        const owner = Object.keys(privilegedRoles).find((id) => privilegedRoles[id] === "Owner")!;
        // A role definition id under an id known only after deploy: unknown in the preview, Owner in the update.
        const run = withInputs(prod, assignment.name, (inputs) => ({
            ...inputs,
            roleDefinitionId: `${vault.id}/providers/Microsoft.Authorization/roleDefinitions/${owner}`,
        }));
        const report = await analyzeStack(fixtureProject(), run, pack, { keepOpen: true });
        assert.ok(report.duringUp.some((check) => check.rule === "role-assignment-not-privileged" && check.resource === assignment.name));
        assert.deepEqual(
            report.upViolations.map((violation) => [violation.rule, violation.level, violation.resource, violation.message]),
            [["role-assignment-not-privileged", "mandatory", assignment.name, "gives a workload identity Owner"]],
        );
        assert.deepEqual(report.violations, []);
    });
});

describe("the values a preview hands the pack", () => {
    const values = new PreviewValues(
        [
            "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-abcde",
            "0000",
            { whole: "1.0" },
            ["sig=", "s3cr3t"],
        ],
        ["0000"],
    );

    it("makes a value computed from one the deployment assigns unknown as a whole, and keeps what a preview knows", () => {
        assert.equal(
            values.convert("/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-abcde/secrets/key"),
            unknown,
        );
        assert.equal(values.convert("/subscriptions/0000/resourceGroups/rg"), "/subscriptions/0000/resourceGroups/rg");
        assert.equal(values.convert("https://x/?sig=s3cr3t"), unknown);
        assert.equal(values.convert("1.0"), unknown);
        assert.equal(values.convert("version 1.0"), "version 1.0");
        assert.deepEqual(
            values.convert({
                list: ["a", "kv-abcde-x/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-abcde"],
                n: 1,
                flag: true,
            }),
            { list: ["a", unknown], n: 1, flag: true },
        );
    });

    it("keeps a secret wrapped around its converted value, and makes a map keyed by an unknown id unknown", () => {
        const secret = {
            [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
            value: "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-abcde",
        };
        assert.deepEqual(values.convert(secret), { ...secret, value: unknown });
        assert.equal(values.convert({ "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-abcde": {} }), unknown);
    });

    it("makes an input hashed from an unknown one unknown too (a role assignment's name)", () => {
        const inputs = values.inputs("azure-native:authorization:RoleAssignment", {
            scope: "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-abcde",
            principalId: "p",
            roleDefinitionId: "r",
            roleAssignmentName: "5f0c1d1e-0000-4000-8000-000000000000",
        });
        assert.equal(inputs.roleAssignmentName, unknown);
        assert.equal(
            values.inputs("azure-native:authorization:RoleAssignment", {
                scope: "/s",
                principalId: "p",
                roleDefinitionId: "r",
                roleAssignmentName: "n",
            }).roleAssignmentName,
            "n",
        );
    });
});

describe("a policy config, read and reconciled as the CLI does", () => {
    const policies: PolicyInfo[] = [
        {
            name: "a",
            description: "",
            enforcementLevel: "advisory",
            configSchema: { properties: { enforcementLevel: { type: "string" }, limit: { type: "integer", default: 3 } }, required: [] },
        },
        {
            name: "b",
            description: "",
            enforcementLevel: "mandatory",
            configSchema: {
                properties: { enforcementLevel: { type: "string" }, mode: { type: "string", enum: ["x", "y"] } },
                required: ["mode"],
            },
        },
    ];

    it("reads levels and properties, leaves out empty entries and takes ESC environments apart", () => {
        assert.deepEqual(parsePolicyPackConfig(`{ "all": "mandatory", "a": { "limit": 5 }, "b": {}, "environments": ["team/env"] }`), {
            config: { all: { enforcementLevel: "mandatory" }, a: { enforcementLevel: "", properties: { limit: 5 } } },
            environments: ["team/env"],
        });
        assert.deepEqual(parsePolicyPackConfig("  "), { config: {}, environments: [] });
    });

    it("refuses what the CLI refuses, in its words", () => {
        assert.throws(() => parsePolicyPackConfig(`{ "a": "strict" }`), {
            message: `parsing enforcement level for "a": "strict" is not a valid enforcement level`,
        });
        assert.throws(() => parsePolicyPackConfig(`{ "a": { "enforcementLevel": 1 } }`), {
            message: `parsing enforcement level for "a": 1 is not a valid enforcement level; must be a string`,
        });
        assert.throws(() => parsePolicyPackConfig(`{ "a": 3 }`), {
            message: `parsing "a": 3 is not a valid value; must be a string or object`,
        });
        assert.throws(() => parsePolicyPackConfig(`{ "environments": "team/env" }`), {
            message: `"environments" must be an array of strings, got string`,
        });
    });

    it("lays defaults, then all, then each policy over each other, and validates each policy's properties against its schema", () => {
        const { config, validationErrors } = reconcilePolicyPackConfig(policies, undefined, {
            all: { enforcementLevel: "disabled" },
            b: { enforcementLevel: "advisory", properties: { mode: "x" } },
        });
        assert.deepEqual(validationErrors, []);
        assert.deepEqual(config.a, { enforcementLevel: "disabled", properties: { limit: 3 } });
        assert.deepEqual(config.b, { enforcementLevel: "advisory", properties: { mode: "x" } });
        assert.deepEqual(config.all, { enforcementLevel: "disabled" });
        const invalid = reconcilePolicyPackConfig(policies, undefined, {
            a: { enforcementLevel: "", properties: { limit: "many" } },
            b: { enforcementLevel: "", properties: { mode: "z" } },
        });
        assert.deepEqual(invalid.validationErrors, [
            "a: limit: Invalid type. Expected: integer, given: string",
            'b: mode: mode must be one of the following: "x", "y"',
        ]);
        assert.deepEqual(reconcilePolicyPackConfig(policies, undefined, {}).validationErrors, ["b: mode is required"]);
    });
});
