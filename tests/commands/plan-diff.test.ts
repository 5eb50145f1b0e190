import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { priceOf } from "../../commands/cost/price-table";
import { previewJson, diffMarkdown } from "../../commands/plan/diff-render";
import { extraKey, marshalIndent, unknownSentinel } from "../../commands/plan/preview-digest";
import { estimateCost } from "../../commands/cost";
import { usdChangeText } from "../../commands/cost/text";
import { monthlyUsdOf } from "../../commands/plan/diff-cost";
import { planGraph, runOfGraph, type PlanGraph, type PlanResource } from "../../commands/plan/graph";
import { hazardsOf } from "../../commands/plan/hazards";
import { mermaidOf } from "../../commands/plan/mermaid";
import { diffPlans, type PlanDiff } from "../../commands/plan/plan-diff";
import { replacedBy, specReplacements, under } from "../../commands/plan/replace-rules";
import { repoRoot } from "../../engine/project";
import { fixtureProject, plan, runFixture, stackFileValues, stackRun } from "../helpers";
import { temporaryDirectory } from "../support/temporary";

/** A deep copy of a plan, to change as a later revision would. */
const copy = (graph: PlanGraph): PlanGraph => JSON.parse(JSON.stringify(graph));
const find = (graph: PlanGraph, name: string): PlanResource => graph.resources.find((resource) => resource.name === name)!;

function report(base: PlanGraph, head: PlanGraph) {
    const diff = diffPlans(base, head);
    const estimate = (graph: PlanGraph) => estimateCost(runOfGraph(graph));
    const monthlyUsd = monthlyUsdOf(base.resources.length > 0 ? estimate(base) : undefined, estimate(head));
    return { diff, hazards: hazardsOf(diff, { existing: base.resources.length > 0, monthlyUsd }), base: { label: "main (abc1234)" } };
}

/**
 * The "unchanged" count of a diff's summary line: the resources that stay as they are, and the
 * stack itself, which `pulumi preview` counts as the same (commands/plan/plan-diff.ts changeSummary).
 */
const unchanged = (diff: PlanDiff) => diff.same + 1;

describe("npm run plan -- <stack> --diff <base>", () => {
    let prod: PlanGraph;
    before(async () => {
        prod = planGraph(await stackRun("prod"));
    });

    it("finds nothing to change between a plan and itself", () => {
        const { diff, hazards } = report(prod, copy(prod));
        assert.deepEqual([diff.steps, hazards], [[], []]);
        assert.equal(
            diffMarkdown(report(prod, copy(prod))),
            [
                `### \`prod\`: no changes (${unchanged(diff)} unchanged)`,
                "",
                "Compared with main (abc1234); offline plan, no Azure call.",
            ].join("\n"),
        );
    });

    it("a removed region: the capacity and region hazards first, with the cost, then each change by component", async () => {
        const { additionalLocations, ...gateway } = stackFileValues("prod").gateway;
        void additionalLocations;
        const head = planGraph(await runFixture({ stack: "prod", config: { gateway } }));
        const result = report(prod, head);
        const premium = priceOf("apiManagement.Premium.additionalRegionUnit").price;
        const saving = `${usdChangeText(-2 * premium)} a month at list prices`;
        assert.equal(
            diffMarkdown(result),
            [
                `### \`prod\`: 3 to update; ${unchanged(result.diff)} unchanged`,
                "",
                "Compared with main (abc1234); offline plan, no Azure call.",
                "",
                "> [!WARNING]",
                "> **2 hazards**",
                `> - \`azure-native:apimanagement:ApiManagementService gateway-apim\`: API Management goes from Premium, 2 units in westeurope + 2 in swedencentral to Premium, 2 units in westeurope, ${saving}`,
                "> - `azure-native:apimanagement:ApiManagementService gateway-apim`: API Management leaves swedencentral: the gateway there stops serving",
                "",
                "<details open><summary><code>enterprise-integration:gateway:ApiGateway gateway</code>: 2 changes</summary>",
                "",
                "- `~` **update** `gateway-apim` (`azure-native:apimanagement:ApiManagementService`)",
                '  - `additionalLocations`: removed `"swedencentral"`',
                "- `~` **update** `gateway-capacity-alert` (`azure-native:monitor:MetricAlert`)",
                '  - `criteria.allOf["capacity-high"].dimensions["Location"].values`: removed `"Sweden Central"`',
                "",
                "</details>",
                "",
                "<details open><summary><code>enterprise-integration:workflows:Workflows workflows</code>: 1 change</summary>",
                "",
                "- `~` **update** `workflows-shipment-intake` (`azure-native:logic:Workflow`)",
                '  - `accessControl.triggers.allowedCallerIpAddresses`: removed `"(known after deploy)/32"`',
                "",
                "</details>",
            ].join("\n"),
        );
    });

    it("a tier change: updated in place, with what it does to the monthly bill", async () => {
        const { additionalLocations, zones, ...gateway } = stackFileValues("prod").gateway;
        void [additionalLocations, zones];
        const head = planGraph(
            await runFixture({
                stack: "prod",
                config: { gateway: { ...gateway, sku: "Standard", autoscale: { minCapacity: 2, maxCapacity: 4 } } },
            }),
        );
        const result = report(prod, head);
        const standard = priceOf("apiManagement.Standard.unit").price;
        const before = 2 * priceOf("apiManagement.Premium.unit").price + 2 * priceOf("apiManagement.Premium.additionalRegionUnit").price;
        assert.equal(
            diffMarkdown(result),
            [
                `### \`prod\`: 4 to update; ${unchanged(result.diff)} unchanged`,
                "",
                "Compared with main (abc1234); offline plan, no Azure call.",
                "",
                "> [!WARNING]",
                "> **3 hazards**",
                `> - \`azure-native:apimanagement:ApiManagementService gateway-apim\`: API Management goes from Premium, 2 units in westeurope + 2 in swedencentral to Standard, 2 units in westeurope, ${usdChangeText(2 * standard - before)} a month at list prices`,
                "> - `azure-native:apimanagement:ApiManagementService gateway-apim`: API Management leaves swedencentral: the gateway there stops serving",
                "> - `azure-native:monitor:AutoscaleSetting gateway-autoscale`: autoscale's range goes from 2-6 to 2-4 units",
                "",
                "<details open><summary><code>enterprise-integration:gateway:ApiGateway gateway</code>: 3 changes</summary>",
                "",
                "- `~` **update** `gateway-apim` (`azure-native:apimanagement:ApiManagementService`)",
                '  - `additionalLocations`: removed `"swedencentral"`',
                '  - `sku.name`: `"Premium"` → `"Standard"`',
                '  - `zones`: removed `"1"`',
                '  - `zones`: removed `"2"`',
                "- `~` **update** `gateway-autoscale` (`azure-native:monitor:AutoscaleSetting`)",
                '  - `profiles["capacity"].capacity.maximum`: `"6"` → `"4"`',
                '  - `profiles["capacity"].rules[0].scaleAction.value`: `"2"` → `"1"`',
                '  - `profiles["capacity"].rules[1].scaleAction.value`: `"2"` → `"1"`',
                "- `~` **update** `gateway-capacity-alert` (`azure-native:monitor:MetricAlert`)",
                '  - `criteria.allOf["capacity-high"].dimensions["Location"].values`: removed `"Sweden Central"`',
                "",
                "</details>",
                "",
                "<details open><summary><code>enterprise-integration:workflows:Workflows workflows</code>: 1 change</summary>",
                "",
                "- `~` **update** `workflows-shipment-intake` (`azure-native:logic:Workflow`)",
                '  - `accessControl.triggers.allowedCallerIpAddresses`: removed `"(known after deploy)/32"`',
                "",
                "</details>",
            ].join("\n"),
        );
    });

    it("leaves alone what a resource ignores: with autoscale on, the units are autoscale's", () => {
        const head = copy(prod);
        const service = find(head, "gateway-apim");
        assert.deepEqual(service.ignoreChanges, ["sku.capacity"]);
        (service.inputs.sku as { capacity: number }).capacity = 4;
        assert.deepEqual(report(prod, head).diff.steps, []);
        // With another change the service is updated, its units left as they are: no capacity hazard.
        service.inputs.publisherEmail = "api-owners@fabrikam.com";
        const withEmail = report(prod, head);
        assert.deepEqual(
            withEmail.diff.steps.map((step) => step.changes.map((change) => change.path)),
            [["publisherEmail"]],
        );
        assert.equal(
            (withEmail.diff.steps[0]!.after!.inputs.sku as { capacity: number }).capacity,
            2,
            "the resource as it will be keeps the state's units",
        );
        assert.deepEqual(withEmail.hazards, []);
        delete service.inputs.publisherEmail;
        service.inputs.publisherEmail = find(prod, "gateway-apim").inputs.publisherEmail;
        service.ignoreChanges = [];
        assert.deepEqual(
            report(prod, head).diff.steps.map((step) => step.changes.map((change) => change.path)),
            [["sku.capacity"]],
        );
    });

    it("a new API: each of its resources to create with its settings as the plan's tree shows them, under the catalog, folded, and no hazard", () => {
        const base = copy(prod);
        base.resources = base.resources.filter((resource) => !/^catalog-.*accounts/.test(resource.name));
        const result = report(base, prod);
        assert.equal(
            diffMarkdown(result),
            [
                `### \`prod\`: 6 to create; ${unchanged(result.diff)} unchanged`,
                "",
                "Compared with main (abc1234); offline plan, no Azure call.",
                "",
                "<details><summary><code>enterprise-integration:gateway:GatewayCatalog catalog</code>: 6 changes</summary>",
                "",
                "- `+` **create** `catalog-api-accounts-v1` (`azure-native:apimanagement:Api`)",
                "  - `accounts-v1;rev=1, /accounts/v1, revision 1, wsdl soap, https`",
                "- `+` **create** `catalog-policy-accounts-v1` (`azure-native:apimanagement:ApiPolicy`)",
                "  - `accounts-v1;rev=1: rate 120/60s per subscription, jwt roles Accounts.Read, to backend accounts, backend key from named value`",
                "- `+` **create** `catalog-versions-accounts` (`azure-native:apimanagement:ApiVersionSet`)",
                "  - `accounts, version by Segment`",
                "- `+` **create** `catalog-backend-accounts` (`azure-native:apimanagement:Backend`)",
                "  - `https://erp.fabrikam.com/services/accounts, TLS chain+name checked`",
                "- `+` **create** `catalog-nv-accounts-backend-key` (`azure-native:apimanagement:NamedValue`)",
                "  - `accounts-backend-key: Key Vault (known after deploy)`",
                "- `+` **create** `catalog-product-internal-accounts-v1` (`azure-native:apimanagement:ProductApi`)",
                "  - `accounts-v1 in internal`",
                "",
                "</details>",
            ].join("\n"),
        );
    });

    it("a deleted vault: protected, and a stateful resource lost", () => {
        const head = copy(prod);
        head.resources = head.resources.filter((resource) => resource.name !== "secrets-vault");
        const result = report(prod, head);
        assert.equal(
            diffMarkdown(result),
            [
                `### \`prod\`: 1 to delete; ${unchanged(result.diff)} unchanged`,
                "",
                "Compared with main (abc1234); offline plan, no Azure call.",
                "",
                "> [!WARNING]",
                "> **2 hazards**",
                "> - `azure-native:keyvault:Vault secrets-vault`: is protected: pulumi up refuses to delete it until protect is turned off",
                "> - `azure-native:keyvault:Vault secrets-vault`: deletes the Key Vault and every secret in it",
                "",
                "<details open><summary><code>enterprise-integration:secrets:Secrets secrets</code>: 1 change</summary>",
                "",
                "- `-` **delete** `secrets-vault` (`azure-native:keyvault:Vault`)",
                "",
                "</details>",
            ].join("\n"),
        );
    });

    it("a renamed service: a replacement, its reason and where the rule comes from", () => {
        const head = copy(prod);
        const service = find(head, "gateway-apim");
        service.inputs.serviceName = "apim-integration-prod-weu2-(known after deploy)";
        const result = report(prod, head);
        const spec = specReplacements().types["azure-native:apimanagement:ApiManagementService"]!;
        assert.equal(
            diffMarkdown(result),
            [
                `### \`prod\`: 1 to replace; ${unchanged(result.diff)} unchanged`,
                "",
                "Compared with main (abc1234); offline plan, no Azure call.",
                "",
                "> [!WARNING]",
                "> **2 hazards**",
                "> - `azure-native:apimanagement:ApiManagementService gateway-apim`: is protected: pulumi up refuses to replace it until protect is turned off",
                "> - `azure-native:apimanagement:ApiManagementService gateway-apim`: replaces API Management (its users, subscriptions and keys, its host names) (replaced because `serviceName` changes)",
                "",
                "<details open><summary><code>enterprise-integration:gateway:ApiGateway gateway</code>: 1 change</summary>",
                "",
                `- \`+-\` **replace** \`gateway-apim\` (\`azure-native:apimanagement:ApiManagementService\`): replaced because \`serviceName\` cannot change in place (derived from the REST specs: ${spec.specFile} (2024-05-01); the provider may add its own rules)`,
                '  - `serviceName`: `"apim-integration-prod-weu-(known after deploy)"` → `"apim-integration-prod-weu2-(known after deploy)"` (forces replacement)',
                "",
                "</details>",
            ].join("\n"),
        );
    });

    it("replaces a resource of every type on each input its rules name, and updates it on any other", () => {
        const table = specReplacements().types;
        for (const [type, rules] of Object.entries(table)) {
            // The input at its path (`encryption.services.blob.keyType` nests), "a" before and "b" after.
            const at = (path: string, value: string): Record<string, unknown> =>
                path.split(".").reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
            for (const input of rules.replaceOn.filter((rule) => !rule.includes("*"))) {
                const base: PlanGraph = {
                    stack: "s",
                    outputs: {},
                    resources: [
                        {
                            urn: `urn:pulumi:s::p::${type}::r`,
                            type,
                            name: "r",
                            parent: null,
                            custom: true,
                            inputs: at(input, "a"),
                            protect: false,
                            dependsOn: [],
                        },
                    ],
                };
                const head = copy(base);
                head.resources[0]!.inputs = at(input, "b");
                const step = diffPlans(base, head).steps[0]!;
                assert.equal(step.op, "replace", `${type}: ${input}`);
            }
            const base: PlanGraph = {
                stack: "s",
                outputs: {},
                resources: [
                    {
                        urn: `urn:pulumi:s::p::${type}::r`,
                        type,
                        name: "r",
                        parent: null,
                        custom: true,
                        inputs: { tags: { team: "a" } },
                        protect: false,
                        dependsOn: [],
                    },
                ],
            };
            const head = copy(base);
            head.resources[0]!.inputs = { tags: { team: "b" } };
            assert.equal(diffPlans(base, head).steps[0]!.op, "update", `${type}: tags`);
        }
    });

    it("tells an update from a replacement by the rules derived from the REST specs, per resource type", () => {
        // Path inputs (names and parents) and create-only properties replace; the rest updates.
        const cases: Array<[string, string, boolean]> = [
            ["azure-native:apimanagement:ApiManagementService", "serviceName", true],
            ["azure-native:apimanagement:ApiManagementService", "location", true],
            ["azure-native:apimanagement:ApiManagementService", "sku.capacity", false],
            ["azure-native:apimanagement:ApiManagementService", "publisherEmail", false],
            ["azure-native:storage:StorageAccount", "accountName", true],
            ["azure-native:storage:StorageAccount", "location", true],
            ["azure-native:storage:StorageAccount", "allowSharedKeyAccess", false],
            ["azure-native:keyvault:Vault", "vaultName", true],
            ["azure-native:keyvault:Vault", "properties.enablePurgeProtection", false],
            ["azure-native:authorization:RoleAssignment", "scope", true],
            ["azure-native:authorization:RoleAssignment", "roleAssignmentName", true],
            ["azure-native:apimanagement:Api", "apiId", true],
            ["azure-native:apimanagement:Api", "serviceUrl", false],
            ["azure-native:logic:Workflow", "workflowName", true],
            ["azure-native:logic:Workflow", "definition.actions.Compose.inputs", false],
            ["azure-native:dns:RecordSet", "relativeRecordSetName", true],
            ["azure-native:dns:RecordSet", "cnameRecord.cname", false],
            ["time:index/sleep:Sleep", "triggers.gateway-reads-x", true],
            ["time:index/sleep:Sleep", "createDuration", false],
            ["random:index/randomString:RandomString", "length", true],
        ];
        for (const [type, input, replaces] of cases) {
            assert.equal(replacedBy(type, input) !== undefined, replaces, `${type} ${input}`);
        }
        // A rule may name a property of every item of a list, or every value of a map.
        assert.deepEqual(
            [
                ["rules[2].name", "rules[*].name"],
                ["rules[2].type", "rules[*].name"],
                ["tags.env", "tags.*"],
                ["tags", "tags.*"],
                ["location", "location"],
                ["locations", "location"],
                ["sku.name", "sku"],
            ].map(([changed, rule]) => under(changed!, rule!)),
            [true, false, true, false, true, false, true],
        );
    });

    it("a weakened policy: a hazard, and the document's change as a unified diff", () => {
        const head = copy(prod);
        const policy = find(head, "catalog-policy-shipments-v1");
        policy.inputs.value = String(policy.inputs.value).replace(/<validate-jwt[\s\S]*?<\/validate-jwt>\s*/, "");
        const result = report(prod, head);
        assert.deepEqual(result.hazards, [
            {
                kind: "policy",
                resource: "azure-native:apimanagement:ApiPolicy catalog-policy-shipments-v1",
                message: "the policy loses token validation (<validate-jwt>) for POST",
            },
        ]);
        const markdown = diffMarkdown(result);
        assert.match(
            markdown,
            /^ {2}- `value`:\n\n {4}```diff\n {4}--- base\/value\n {4}\+\+\+ head\/value\n {4}@@ -\d+,\d+ \+\d+,\d+ @@\n/m,
        );
        assert.match(markdown, /^ {4}- {8}<validate-jwt header-name="Authorization"/m);
        assert.doesNotMatch(markdown, /^ {4}\+.*validate-jwt/m);
    });

    it("a repointed record and a grant widened to a resource group are hazards", () => {
        const head = copy(prod);
        const record = find(head, "dns-cname-gateway");
        record.inputs.cnameRecord = { cname: "apim-elsewhere.azure-api.net" };
        // A grant on one certificate of the certificate vault, widened to the vault's resource group.
        const grant = find(head, "access-gateway-reads-gateway-certificate");
        grant.inputs.scope = String(grant.inputs.scope).replace(/\/providers\/.*$/, "");
        const result = report(prod, head);
        assert.deepEqual(
            result.hazards.map((hazard) => [hazard.kind, hazard.message]).sort(),
            [
                [
                    "access",
                    `the scope widens from ${String(find(prod, "access-gateway-reads-gateway-certificate").inputs.scope)} to ${String(grant.inputs.scope)}`,
                ],
                [
                    "dns",
                    "api.fabrikam.com is repointed: apim-integration-prod-weu-(known after deploy).azure-api.net → apim-elsewhere.azure-api.net",
                ],
            ].sort(),
        );
    });

    it("judges a new grant by what it knows: a broad role or a scope above one resource, not a scope known only after deploy", () => {
        const base = copy(prod);
        base.resources = base.resources.filter((resource) => !resource.name.startsWith("backup-access-"));
        const result = report(base, prod);
        assert.ok(result.diff.steps.some((step) => step.op === "create" && step.name === "backup-access-gateway-writes-backups"));
        assert.deepEqual(result.hazards, [], "scopes and custom roles known only after deploy are no hazard");
        const broad = copy(prod);
        const grant = find(broad, "backup-access-gateway-writes-backups");
        grant.inputs.roleDefinitionId =
            "/subscriptions/3f2b8c1e-6a4d-4f7e-9b2a-1c5d8e7f9a01/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c";
        assert.deepEqual(
            report(base, broad).hazards.map((hazard) => hazard.message),
            [`grants Contributor on ${String(grant.inputs.scope)}`],
        );
    });

    it("compares values known after deploy as such, and never shows a secret", () => {
        const head = copy(prod);
        const secret = find(head, "secrets-secret-api-client-secret");
        assert.equal((secret.inputs.properties as { value: string }).value, "[secret]");
        const result = report(prod, head);
        assert.deepEqual(result.diff.steps, [], "the same unknowns and the same secret markers are no change");
        // Everything the mocks invented reads as unknown in the plan, on both sides of a diff.
        const { additionalLocations, ...gateway } = stackFileValues("prod").gateway;
        void additionalLocations;
        return runFixture({ stack: "prod", config: { gateway } }).then((run) => {
            const markdown = diffMarkdown(report(prod, planGraph(run)));
            const invented = run.fabricated
                .map((entry) => (typeof entry === "string" ? entry : "whole" in entry ? entry.whole : entry[1]))
                .filter((value) => value.length >= 8);
            assert.ok(invented.length > 0);
            for (const value of invented) {
                assert.ok(!markdown.includes(value), `invented value ${value} shown`);
            }
        });
    });

    it("--json: pulumi preview --json's digest, with the hazards under the project's own key", () => {
        const head = copy(prod);
        find(head, "gateway-apim").inputs.serviceName = "apim-renamed";
        find(head, "catalog-backend-ledger").inputs.url = "https://ledger-v2.fabrikam.com/api";
        head.resources = head.resources.filter((resource) => resource.name !== "dns-cname-portal");
        const json = JSON.parse(marshalIndent(previewJson(report(prod, head), { base: prod, head }))) as any;
        assert.deepEqual(Object.keys(json), ["steps", "changeSummary", extraKey]);
        assert.deepEqual(json.changeSummary, { delete: 1, replace: 1, same: json.changeSummary.same, update: 1 });
        const byOp = Object.fromEntries(json.steps.map((step: any) => [step.op, step]));
        assert.equal(byOp.same.urn, find(prod, "enterprise-integration-prod").urn, "the stack, always shown");
        assert.deepEqual(byOp.replace.replaceReasons, ["serviceName"]);
        assert.deepEqual(byOp.replace.diffReasons, ["serviceName"]);
        assert.deepEqual(byOp.replace.detailedDiff, { serviceName: { kind: "update-replace", inputDiff: true } });
        assert.equal(byOp.replace.oldState.inputs.serviceName, unknownSentinel);
        assert.equal(byOp.replace.newState.inputs.serviceName, "apim-renamed");
        assert.deepEqual(byOp.update.detailedDiff, { url: { kind: "update", inputDiff: true } });
        assert.equal(byOp.delete.urn, find(prod, "dns-cname-portal").urn);
        assert.equal(byOp.delete.newState, undefined);
        assert.equal(json.diagnostics, undefined, "hazards are not Pulumi diagnostics");
        assert.ok(
            json[extraKey].hazards.some(
                (hazard: any) =>
                    hazard.resource.endsWith("dns-cname-portal") &&
                    /the CNAME record developer\.fabrikam\.com is deleted/.test(hazard.message),
            ),
        );
    });

    it("takes a saved --json plan as its base, and prints the Markdown with the policy verdict", async () => {
        const saved = path.join(temporaryDirectory("plan-base-"), "prod.json");
        const changed = copy(prod);
        find(changed, "catalog-backend-ledger").inputs.url = "https://old-ledger.fabrikam.com/api";
        fs.writeFileSync(saved, JSON.stringify(changed));
        const { code, stdout } = await plan("prod", "--diff", saved);
        assert.equal(code, 0);
        assert.match(stdout, /^### `prod`: 1 to update; \d+ unchanged\n\nCompared with prod\.json; offline plan, no Azure call\.\n/);
        assert.match(stdout, /^ {2}- `url`: `"https:\/\/old-ledger\.fabrikam\.com\/api"` → `"https:\/\/ledger\.fabrikam\.com\/api"`$/m);
        assert.match(stdout, /^Monthly cost at list prices: .* \(no change; an estimate/m);
        assert.match(stdout, /\nPolicies \(enterprise-integration-baseline 0\.1\.0, \d+ rules\): all pass\.\n/);
        assert.match(stdout, /\nRun on the values the mocks invent in place of the deployed ones, they all pass\.\n$/);
    });

    it("refuses a base that is neither a saved plan nor a git revision, and a saved plan of another stack, naming it", async () => {
        // The fixture project is a copy in the OS temp dir, outside any git repository.
        let result = await plan("dev", "--diff", "no-such-ref");
        assert.equal(result.code, 1);
        assert.match(
            result.stderr,
            /\n--diff no-such-ref: is neither a saved plan \(npm run plan -- dev --json --out <file>\) nor a git revision of this repository\n$/,
        );
        const other = path.join(temporaryDirectory("plan-base-"), "dev.json");
        fs.writeFileSync(other, JSON.stringify({ ...prod, stack: "dev" }));
        result = await plan("prod", "--diff", other);
        assert.equal(result.code, 1);
        assert.ok(result.stderr.endsWith(`\n${other}: is the plan of stack dev, not prod\n`), result.stderr);
    });

    it("plans a git revision from a temporary worktree of it, with that revision's code and files", async function () {
        // Two whole plans of the revision in child processes (about 13 s alone, more beside the
        // type-check that npm test runs on the other core).
        this.timeout(120_000);
        // A repository of this code as it is on disk (whether or not the checkout is a git
        // repository, whatever it has uncommitted), with the fixture project in it: one commit
        // as the base, then a change of a backend's URL in a stack file.
        const clone = temporaryDirectory("plan-diff-repo-");
        const git = (...args: string[]) =>
            execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args], { cwd: clone, stdio: "pipe" });
        const skipped = new Set(["node_modules", ".git"].map((name) => path.join(repoRoot, name)));
        fs.cpSync(repoRoot, clone, { recursive: true, filter: (source) => !skipped.has(source) });
        fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(clone, "node_modules"), "dir");
        const project = path.join(clone, "project");
        fs.cpSync(fixtureProject(), project, { recursive: true });
        fs.writeFileSync(path.join(clone, ".gitignore"), "node_modules\n");
        git("init", "--quiet");
        git("add", "--all");
        git("commit", "--quiet", "--no-verify", "-m", "base");
        const stackFile = path.join(project, "Pulumi.dev.yaml");
        fs.writeFileSync(
            stackFile,
            fs.readFileSync(stackFile, "utf8").replace("https://ledger-dev.fabrikam.com/api", "https://ledger-next.fabrikam.com/api"),
        );
        // In process, both the head and the revision (the revision's own plan command is told so):
        // the language host's path is the plan tests' own business.
        const { code, stdout, stderr } = await plan("dev", "--project-dir", project, "--diff", "HEAD", "--in-process");
        assert.equal(code, 0, stderr);
        assert.match(
            stdout,
            /^### `dev`: 4 to update; \d+ unchanged\n\nCompared with HEAD \([0-9a-f]{7}\); offline plan, no Azure call\.\n/,
        );
        assert.match(
            stdout,
            /^ {2}- `url`: `"https:\/\/ledger-dev\.fabrikam\.com\/api"` → `"https:\/\/ledger-next\.fabrikam\.com\/api"`$/m,
        );
        assert.equal(
            execFileSync("git", ["worktree", "list"], { cwd: clone, encoding: "utf8" }).trim().split("\n").length,
            1,
            "the temporary worktree is gone",
        );
        // A revision without the stack file: a new stack, everything to create.
        fs.renameSync(stackFile, path.join(project, "Pulumi.dev2.yaml"));
        const added = await plan("dev2", "--project-dir", project, "--diff", "HEAD", "--in-process");
        assert.equal(added.code, 0, added.stderr);
        assert.match(
            added.stdout,
            /^### `dev2`: \d+ to create; 0 unchanged\n\nCompared with HEAD \([0-9a-f]{7}\) \(HEAD has no Pulumi\.dev2\.yaml: the stack is new\)/,
        );
    });
});

describe("npm run plan -- <stack> --mermaid", () => {
    it("draws the clients, DNS, the gateway per region, each API to its workflow or backend, the vault, Entra ID, monitoring and the DR site", async () => {
        const chart = mermaidOf(await stackRun("prod"));
        const lines = chart.split("\n");
        assert.equal(lines[0], "flowchart LR");
        for (const line of [
            '    subgraph gateway["API Management Premium"]',
            '        region_0["westeurope: 2 units, zones 1,2"]',
            '        region_1["swedencentral: 2 units"]',
            "    api_shipments_v1 --> wf_shipment_intake",
            "    api_ledger_v1 --> be_ledger",
            "    gateway -.->|named values| vault",
            "    gateway -.->|validates tokens| entra",
            "    gateway -.->|writes| backups",
            "    dns -.->|failover| drsite",
        ]) {
            assert.ok(lines.includes(line), `${line}\n---\n${chart}`);
        }
        const passive = mermaidOf(await stackRun("prod-dr"));
        assert.ok(passive.includes("    restorejob -->|restore| gateway"));
        assert.ok(passive.includes("    othersite -.->|tokens, backups| gateway"));
    });

    it("prints it from the command, alone or under a diff", async () => {
        const { code, stdout } = await plan("dev", "--mermaid");
        assert.equal(code, 0);
        assert.match(stdout, /^flowchart LR\n {4}clients\(\[API clients\]\)\n/);
        const saved = path.join(temporaryDirectory("plan-base-"), "dev.json");
        fs.writeFileSync(saved, JSON.stringify(planGraph(await stackRun("dev"))));
        const both = await plan("dev", "--diff", saved, "--mermaid");
        assert.equal(both.code, 0);
        assert.match(both.stdout, /^### `dev`: no changes/);
        assert.ok(
            both.stdout.endsWith(
                `\n<details><summary>dev as a diagram</summary>\n\n\`\`\`mermaid\n${stdout.trimEnd()}\n\`\`\`\n\n</details>\n`,
            ),
            both.stdout.slice(-300),
        );
    });
});
