import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ResourceValidation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { toPolicy } from "../../policies/rule";
import { rules } from "../../policies/rules";
import { UserError } from "../../engine";
import { repoRoot } from "../../engine/project";
import { policyResources, readPolicyConfig } from "../../commands/plan/policies";
import { plan, stackFileFor, stackRun, tempProject } from "../helpers";
import { temporaryDirectory } from "../support/temporary";

/** A project folder holding only `policies/config/<stack>.json` with `config` (or no file). */
function withConfig(stack: string, config?: unknown): string {
    const dir = temporaryDirectory("policy-config-");
    if (config !== undefined) {
        fs.mkdirSync(path.join(dir, "policies", "config"), { recursive: true });
        fs.writeFileSync(
            path.join(dir, "policies", "config", `${stack}.json`),
            typeof config === "string" ? config : JSON.stringify(config),
        );
    }
    return dir;
}

function problemOf(task: () => unknown): string {
    try {
        task();
    } catch (error) {
        assert.ok(error instanceof UserError, String(error));
        return error.message;
    }
    assert.fail("expected a problem");
}

const production = {
    "apim-production-zones": { production: true },
    "storage-geo-redundant-production": { production: true },
    "stateful-protected-production": { production: true },
};

describe("a stack's policy config (policies/config/<stack>.json)", () => {
    it("is optional for a stack whose facts are the defaults", () => {
        assert.deepEqual(readPolicyConfig(withConfig("dev"), "dev", { production: false, serviceExists: false }), {});
    });

    it("is required for a production stack, naming what it must hold", () => {
        assert.equal(
            problemOf(() => readPolicyConfig(withConfig("live"), "live", { production: true, serviceExists: false })),
            'policies/config/live.json: missing; pulumi preview --policy-pack policies reads from it what Pulumi.live.yaml says (production: true) (allowed: a file holding at least {"apim-production-zones":{"production":true},"storage-geo-redundant-production":{"production":true},"stateful-protected-production":{"production":true}})',
        );
    });

    it("refuses an unknown rule, an unknown level, a fact the stack file contradicts and a missing fact", () => {
        const config = {
            ...production,
            "apim-https-onl": "advisory",
            "keyvault-rbac": "warn",
            "storage-geo-redundant-production": { production: false },
        };
        assert.equal(
            problemOf(() => readPolicyConfig(withConfig("live", config), "live", { production: true, serviceExists: true })),
            [
                "policies/config/live.json: 4 problems:",
                "  - storage-geo-redundant-production.production: false, but Pulumi.live.yaml says true (allowed: true, as the stack file says)",
                `  - apim-https-onl: not a rule of the pack (allowed: all, or one of ${rules.map((rule) => rule.id).join(", ")})`,
                '  - keyvault-rbac: "warn" is not an enforcement level (allowed: mandatory, advisory, remediate, disabled)',
                '  - apim-managed-certificate-on-create.serviceExists: missing; Pulumi.live.yaml says serviceExists: true, and pulumi preview --policy-pack reads it from here (allowed: "apim-managed-certificate-on-create": { "serviceExists": true })',
            ].join("\n"),
        );
    });

    it("refuses a file that is not JSON", () => {
        assert.match(
            problemOf(() => readPolicyConfig(withConfig("dev", "{ all: mandatory"), "dev", { production: false, serviceExists: false })),
            /^policies\/config\/dev\.json: is not valid JSON: /,
        );
    });
});

describe("the policy pack in npm run plan", () => {
    /** A production stack (protected, as production stacks are) on the Developer tier: the pack's production rule refuses it. */
    async function developerInProduction(config: unknown): Promise<string> {
        const dir = tempProject({ live: await stackFileFor({ environment: "live", production: true, protect: true }) });
        fs.mkdirSync(path.join(dir, "policies", "config"), { recursive: true });
        fs.writeFileSync(path.join(dir, "policies", "config", "live.json"), JSON.stringify(config));
        return dir;
    }

    it("prints the violations with their rule and resource, and fails on a mandatory one", async () => {
        const { code, stdout } = await plan("live", "--project-dir", await developerInProduction(production));
        assert.equal(code, 1);
        const section = stdout.slice(stdout.indexOf("\nPolicies ") + 1);
        assert.match(
            section,
            /^Policies \(enterprise-integration-baseline 0\.1\.0, 40 rules, as pulumi preview --policy-pack policies runs them\): 2 mandatory and 0 advisory violations\n/,
        );
        assert.match(
            section,
            /\n {2}mandatory {2}apim-production-zones {2}gateway-apim \(azure-native:apimanagement:ApiManagementService\): runs Developer, not Premium\n/,
        );
        assert.match(
            section,
            /\n {2}mandatory {2}apim-production-zones {2}gateway-apim \(azure-native:apimanagement:ApiManagementService\): westeurope has no availability zones\n/,
        );
    });

    it("takes a rule's level from the stack's policy config: advisory shows and passes", async () => {
        const config = { ...production, "apim-production-zones": { enforcementLevel: "advisory", production: true } };
        const { code, stdout } = await plan("live", "--project-dir", await developerInProduction(config));
        assert.equal(code, 0);
        assert.match(
            stdout,
            /\nPolicies \(enterprise-integration-baseline 0\.1\.0, 40 rules, as pulumi preview --policy-pack policies runs them\): 0 mandatory and 2 advisory violations\n {2}advisory {3}apim-production-zones/,
        );
    });

    it("reads the stack's facts with its secret keys: backend keys set the README's way (pulumi config set --secret --path) plan cleanly", async () => {
        // What `pulumi config set --secret --path 'backendApiKeys.accounts' <key>` writes.
        const stack = `${await stackFileFor({ environment: "keys" })}  enterprise-integration:backendApiKeys:\n    accounts:\n      secure: v1:Y2lwaGVydGV4dA==\n`;
        const { code, stdout, stderr } = await plan("keys", "--project-dir", tempProject({ keys: stack }));
        assert.equal(code, 0, stderr);
        assert.match(
            stdout,
            /\nPolicies \(enterprise-integration-baseline 0\.1\.0, 40 rules, as pulumi preview --policy-pack policies runs them\): all pass\n/,
        );
    });

    it("says every rule passes when none is broken", async () => {
        const { code, stdout } = await plan("prod");
        assert.equal(code, 0);
        assert.match(
            stdout,
            /\nPolicies \(enterprise-integration-baseline 0\.1\.0, 40 rules, as pulumi preview --policy-pack policies runs them\): all pass\n/,
        );
        assert.match(stdout, /\n {2}Run here on the values the mocks invent in place of the deployed ones: all pass\n/);
    });
});

describe("the policy pack as Pulumi runs it (policies/index.ts)", () => {
    it("pins the versions of the packages the project pins, in its own package.json (the PolicyPack reads its version there)", () => {
        const own = JSON.parse(fs.readFileSync(path.join(repoRoot, "policies", "package.json"), "utf8")) as {
            version: string;
            dependencies: Record<string, string>;
        };
        const project = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
            dependencies: Record<string, string>;
            devDependencies: Record<string, string>;
        };
        assert.match(own.version, /^\d+\.\d+\.\d+$/);
        for (const [name, version] of Object.entries(own.dependencies)) {
            assert.equal(version, project.dependencies[name], name);
        }
    });

    it("hands the SDK's resources and config to the rules, and reports what they find", async () => {
        const run = await stackRun("prod");
        const resources = policyResources(run);
        const service = resources.find((resource) => resource.type === "azure-native:apimanagement:ApiManagementService")!;
        service.props.hostnameConfigurations[0].certificateSource = "Managed";
        const reported: string[] = [];
        const report = (message: string, urn?: string) => reported.push(`${urn ?? "-"}: ${message}`);
        const args = (config: object) => ({
            type: service.type,
            name: service.name,
            urn: service.urn,
            props: service.props,
            opts: {
                protect: service.protect,
                ignoreChanges: [],
                aliases: [],
                customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
                additionalSecretOutputs: [],
            },
            stackTags: new Map<string, string>(),
            getConfig: () => config,
        });
        const certificate = toPolicy(rules.find((rule) => rule.id === "apim-managed-certificate-on-create")!) as ResourceValidationPolicy;
        await (certificate.validateResource as ResourceValidation)(args({}) as never, report);
        await (certificate.validateResource as ResourceValidation)(args({ serviceExists: true }) as never, report);
        assert.deepEqual(reported, [
            "-: api.fabrikam.com asks for a managed certificate, which API Management issues only when an existing service is updated, never in its create call",
        ]);
        assert.deepEqual(certificate.configSchema, {
            properties: { serviceExists: { type: "boolean", default: false, description: "The stack's gateway.serviceExists setting." } },
        });

        // A stack rule sees the resources with their dependencies, and reports against the resource's URN.
        const autoscale = toPolicy(rules.find((rule) => rule.id === "apim-autoscale-primary-location")!) as StackValidationPolicy;
        const setting = resources.find((resource) => resource.type === "azure-native:monitor:AutoscaleSetting")!;
        setting.props.profiles[0].rules[0].metricTrigger.dimensions = [];
        const policyResource = (resource: (typeof resources)[number]): unknown => ({
            type: resource.type,
            name: resource.name,
            urn: resource.urn,
            props: resource.props,
            opts: { protect: resource.protect },
            dependencies: resource.dependencies.map((dependency) => ({
                type: dependency.type,
                name: dependency.name,
                urn: dependency.urn,
                props: dependency.props,
                opts: { protect: dependency.protect },
                dependencies: [],
                propertyDependencies: {},
            })),
            propertyDependencies: {},
        });
        reported.length = 0;
        await autoscale.validateStack(
            {
                resources: resources.map(policyResource) as never,
                stackTags: new Map(),
                getConfig: () => ({}) as never,
                notApplicable: () => undefined as never,
            },
            report,
        );
        assert.deepEqual(reported, [
            `${setting.urn}: profile capacity, rule 0: Capacity without a Location filter naming one region averages every region`,
        ]);
    });
});
