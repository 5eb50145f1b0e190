import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import type { StackRun } from "../../engine";
import { listStacks, repoRoot } from "../../engine/project";
import { main } from "../../commands/plan";
import { exampleOf } from "../../commands/plan/placeholders";
import { planGraph } from "../../commands/plan/graph";
import { maxLineWidth, wrapSettings } from "../../commands/plan/render";
import { count, shortArmId, summarize } from "../../commands/plan/summaries";
import { intervalMinutes } from "../../stacks/recovery";
import { priceOf } from "../../commands/cost/price-table";
import {
    captured,
    fixtureProject,
    fixtureSource,
    inBackground,
    plan,
    stackFileFor,
    stackFileValues,
    stackRun,
    tempProject,
} from "../helpers";

/** One resource as the text plan draws it: its line, then its settings on the lines under it. */
interface Entry {
    readonly sign: string;
    readonly type: string;
    readonly name: string;
    readonly action: string;
    readonly settings: string;
}

/** The resources of a text plan, whatever the width of its columns. */
function entries(text: string): Entry[] {
    const found: Array<Omit<Entry, "settings"> & { settings: string[] }> = [];
    const lines = text.split("\n");
    const start = lines.findIndex((line) => /^ {5}Type +Name +Plan$/.test(line));
    for (const line of lines.slice(start + 1)) {
        if (line === "") {
            break;
        }
        const resource = /^ ([+>]) {3}(?:[│ ] {2})*(?:[├└]─ )?(\S+) +(\S+) +(create|read)$/.exec(line);
        if (resource) {
            found.push({ sign: resource[1], type: resource[2], name: resource[3], action: resource[4], settings: [] });
        } else {
            found[found.length - 1].settings.push(line.replace(/^ {5}(?:[│ ] {2})*/, ""));
        }
    }
    return found.map((entry) => ({ ...entry, settings: entry.settings.join(" ") }));
}

/** A stack file the Pulumi CLI takes, whose region the program refuses. */
const invalidStack = [
    "config:",
    "  enterprise-integration:environment: qa",
    "  enterprise-integration:location: westeurop",
    "  enterprise-integration:owner: platform-team@fabrikam.com",
    "  enterprise-integration:costCenter: CC-1",
    "  enterprise-integration:gateway: { sku: Developer, publisherName: Fabrikam, publisherEmail: api@fabrikam.com }",
    '  enterprise-integration:secrets: { expiresOn: "2099-01-31" }',
    "",
].join("\n");
/** A stack file the Pulumi CLI refuses: required keys are missing. */
const incompleteStack = ["config:", "  enterprise-integration:environment: qa", "  enterprise-integration:location: westeurope", ""].join(
    "\n",
);

/** Standard error without the warnings about the stack file's example values (their own test says what they are). */
function withoutExamples(stderr: string): string {
    return stderr
        .split("\n")
        .filter((line) => !/^warning: Pulumi\.[^:]+\.yaml: .* is an example value \(/.test(line))
        .join("\n");
}

describe("npm run plan", () => {
    // Started when the file loads, so the child runs on the other core while the suite runs here.
    const variantPlans = inBackground(() =>
        promisify(execFile)(
            process.execPath,
            [
                "--max-semi-space-size=64",
                "--require",
                "./scripts/register.js",
                "--require",
                "./engine/lazy-modules.js",
                "tests/support/variant-plans.ts",
                fixtureProject(),
            ],
            {
                cwd: repoRoot,
                maxBuffer: 64 * 1024 * 1024,
            },
        ),
    ).then((result) => JSON.parse(result.stdout) as Record<string, { text: string; json: unknown; outputs: unknown }>);
    variantPlans.catch(() => undefined);
    const runs: Record<string, StackRun> = {};
    const texts: Record<string, string> = {};
    before(async () => {
        for (const stack of listStacks(fixtureProject())) {
            runs[stack] = await stackRun(stack);
            const printed = await plan(stack);
            assert.equal(printed.code, 0, printed.stderr);
            texts[stack] = printed.stdout;
        }
    });

    it("draws every resource of every stack once, in the tree of its parents, with its settings under it", () => {
        for (const [stack, run] of Object.entries(runs)) {
            const drawn = entries(texts[stack]);
            assert.match(texts[stack], new RegExp(`^Plan for stack ${stack} \\(offline`));
            assert.deepEqual(
                drawn.map((entry) => `${entry.type}::${entry.name}`).sort(),
                run.resources.map((resource) => `${resource.type}::${resource.name}`).sort(),
                stack,
            );
            assert.equal(drawn[0].type, "pulumi:pulumi:Stack");
            for (const group of run.ofType("azure-native:resources:ResourceGroup")) {
                const entry = drawn.find((candidate) => candidate.name === group.name)!;
                assert.equal(entry.action, "create");
                assert.equal(
                    entry.settings,
                    `${group.inputs.resourceGroupName}, in ${group.inputs.location}${group.protect ? "  [protect]" : ""}`,
                    `${stack} ${group.name}`,
                );
            }
            for (const reference of run.ofType("pulumi:pulumi:StackReference")) {
                assert.equal(drawn.find((entry) => entry.name === reference.name)?.sign, ">", "a stack reference is read, not created");
            }
        }
    });

    it("shows nothing the mocks invented as if it were real, in any stack's plan, text or --json", async () => {
        // The same plans with every invented value different (ids, addresses, keys, host names,
        // the callback URLs' query values), made in a child on the other core: whatever the plan
        // takes from the mocks, whole, in pieces or hashed, must be marked, so the two print the same.
        const others = await variantPlans;
        const differing = (a: string, b: string) => a.split("\n").filter((line, i) => line !== b.split("\n")[i]);
        for (const stack of listStacks(fixtureProject())) {
            assert.notDeepEqual(others[stack].outputs, runs[stack].outputs, "the variant invents other values");
            assert.deepEqual(differing(others[stack].text, texts[stack]), [], `${stack}: text`);
            assert.deepEqual(
                differing(JSON.stringify(others[stack].json, null, 1), JSON.stringify(planGraph(runs[stack]), null, 1)),
                [],
                `${stack}: --json`,
            );
        }
    });

    it("keeps every line of every stack's plan within 160 columns", () => {
        for (const [stack, text] of Object.entries(texts)) {
            const wide = text.split("\n").filter((line) => [...line].length > maxLineWidth);
            assert.deepEqual(wide, [], stack);
        }
    });

    it("wraps a long settings line at its separators, and cuts only what has none", () => {
        assert.deepEqual(wrapSettings("alpha, beta, gamma  [protect]", 12), ["alpha, beta,", "gamma", "[protect]"]);
        assert.deepEqual(wrapSettings("x".repeat(25), 10), ["x".repeat(10), "x".repeat(10), "x".repeat(5)]);
        assert.deepEqual(wrapSettings("", 10), []);
    });

    it("names an app role grant by its role, not by the role's id", () => {
        for (const [stack, run] of Object.entries(runs)) {
            const roles = new Set(
                run
                    .ofType("azuread:index/application:Application")
                    .flatMap((app) => (app.inputs.appRoles ?? []).map((role: { value: string }) => role.value)),
            );
            for (const grant of entries(texts[stack]).filter(
                (entry) => entry.type === "azuread:index/appRoleAssignment:AppRoleAssignment",
            )) {
                const role = /^role (\S+) to /.exec(grant.settings)?.[1];
                assert.ok(role && roles.has(role), `${stack} ${grant.name}: ${grant.settings}`);
            }
        }
        const context = { appRoleName: (id: string) => (id === "6f7c6c1e-1111-4111-8111-111111111111" ? "Shipments.Write" : undefined) };
        assert.equal(
            summarize(
                "azuread:index/appRoleAssignment:AppRoleAssignment",
                { appRoleId: "6f7c6c1e-1111-4111-8111-111111111111", principalObjectId: "(known after deploy)" },
                context,
            ),
            "role Shipments.Write to (known after deploy)",
        );
    });

    it("counts in words that read naturally", () => {
        assert.equal(count(1, "e-mail receiver"), "1 e-mail receiver");
        assert.equal(count(2, "e-mail receiver"), "2 e-mail receivers");
        assert.equal(
            summarize("azure-native:monitor:ActionGroup", { actionGroupName: "ag-ops", emailReceivers: [{ name: "ops" }] }),
            "ag-ops: 1 e-mail receiver",
        );
        assert.equal(
            summarize("azure-native:storage:StorageAccount", {
                accountName: "stwf",
                sku: { name: "Standard_GZRS" },
                enableHttpsTrafficOnly: true,
                minimumTlsVersion: "TLS1_2",
                allowBlobPublicAccess: false,
                allowSharedKeyAccess: false,
                networkRuleSet: { defaultAction: "Deny", bypass: "AzureServices" },
                location: "westeurope",
            }),
            "stwf, Standard_GZRS, https only, TLS1_2, no public blobs, Entra ID only (no shared key), firewall Deny by default, trusted Azure services through, in westeurope",
        );
        assert.equal(
            summarize("azure-native:apimanagement:Api", {
                apiId: "ledger-v1;rev=2",
                path: "ledger",
                apiVersion: "v1",
                apiRevision: "2",
                apiRevisionDescription: "Expiry times.",
                format: "openapi",
                protocols: ["https"],
            }),
            "ledger-v1;rev=2, /ledger/v1, revision 2: Expiry times., openapi, https",
        );
        assert.equal(
            summarize("azure-native:apimanagement:Api", {
                apiId: "ledger-v1;rev=1",
                path: "ledger",
                apiVersion: "v1",
                apiRevision: "1",
                format: "openapi",
                protocols: ["https"],
            }),
            "ledger-v1;rev=1, /ledger/v1, revision 1, openapi, https",
        );
        assert.equal(
            summarize("time:index/sleep:Sleep", {
                createDuration: "10m",
                triggers: { a: "(known after deploy)", b: "(known after deploy)" },
            }),
            "waits 10m for 2 role assignments to take effect",
        );
        assert.equal(
            summarize("azure-native:resources:Deployment", {
                deploymentName: "apim-portal",
                properties: {
                    mode: "Incremental",
                    template: { resources: [{ type: "Microsoft.ApiManagement/service/portalsettings", properties: { enabled: false } }] },
                },
            }),
            'Incremental ARM deployment apim-portal, portalsettings {"enabled":false}, pulumi destroy deletes its record only; what it wrote stays',
        );
        assert.match(
            summarize("azure-native:keyvault:Vault", {
                vaultName: "kv",
                location: "westeurope",
                properties: { networkAcls: { defaultAction: "Deny", bypass: "AzureServices", ipRules: [{ value: "203.0.113.0/24" }] } },
            }),
            /, 1 IP rule, in westeurope$/,
        );
    });

    it("shows an input that is itself known only after deploy as such, not as empty settings", () => {
        assert.match(
            summarize("azure-native:keyvault:Vault", { vaultName: "kv", location: "westeurope", properties: "(known after deploy)" }),
            /soft delete \(known after deploy\) days, firewall \(known after deploy\) by default/,
        );
    });

    it("shortens an ARM id in a line to its provider path and group; --details has it whole", () => {
        assert.equal(
            shortArmId(
                "/subscriptions/3f2b8c1e-6a4d-4f7e-9b2a-1c5d8e7f9a01/resourceGroups/rg-certs/providers/Microsoft.KeyVault/vaults/kv-certs/secrets/api",
            ),
            "Microsoft.KeyVault/vaults/kv-certs/secrets/api in rg-certs",
        );
    });

    it("counts the resources by type and prints the outputs, marking values known only after deploy", () => {
        for (const [stack, text] of Object.entries(texts)) {
            const created = Number(/Resources:\n {4}\+ (\d+) to create\n/.exec(text)?.[1]);
            assert.equal(created, entries(text).filter((entry) => entry.sign === "+").length, stack);
            const groups = runs[stack].ofType("azure-native:resources:ResourceGroup").length;
            assert.match(text, new RegExp(`\\n +${groups} +azure-native:resources:ResourceGroup\\n`));
            assert.match(text, /Outputs:\n(?: {4}.*\n)*? {4}nameSuffix: \(known after deploy\)\n/);
        }
    });

    it("prints every input under its resource with --details", async () => {
        const { stdout } = await plan("test", "--details");
        const group = runs.test.get("azure-native:resources:ResourceGroup", "foundation-rg-workflows");
        const after = stdout.slice(stdout.indexOf(" foundation-rg-workflows "));
        const block = /\n((?: {8}.*\n)+)/.exec(after)?.[1] ?? "";
        assert.ok(block.includes(`        location: ${group.inputs.location}\n`), block);
        assert.ok(block.includes(`        resourceGroupName: ${group.inputs.resourceGroupName}\n`), block);
        assert.ok(block.includes("          managedBy: pulumi\n"), block);
    });

    it("prints the whole graph as JSON with --json, in the same shape as before, with each resource's ignoreChanges", async () => {
        for (const stack of listStacks(fixtureProject())) {
            const { code, stdout } = await plan(stack, "--json");
            assert.equal(code, 0);
            const graph = JSON.parse(stdout);
            assert.equal(graph.stack, stack);
            assert.deepEqual(Object.keys(graph), ["stack", "resources", "outputs"]);
            for (const resource of graph.resources) {
                assert.deepEqual(Object.keys(resource), [
                    "urn",
                    "type",
                    "name",
                    "parent",
                    "custom",
                    "inputs",
                    "protect",
                    "dependsOn",
                    "ignoreChanges",
                ]);
            }
            const shared = graph.resources.find((resource: { name: string }) => resource.name === "foundation-rg-shared");
            assert.equal(
                shared.urn,
                `urn:pulumi:${stack}::enterprise-integration::enterprise-integration:foundation:Foundation$azure-native:resources:ResourceGroup::foundation-rg-shared`,
            );
            assert.equal(
                shared.parent,
                `urn:pulumi:${stack}::enterprise-integration::enterprise-integration:foundation:Foundation::foundation`,
            );
            assert.equal(shared.custom, true);
            assert.equal(graph.outputs.nameSuffix, "(known after deploy)");
        }
    });

    it("warns about every example value left in the stack file, by file and key, and plans on", async () => {
        const { code, stderr } = await plan("dev");
        assert.equal(code, 0);
        const lines = stderr.split("\n").filter((line) => line.includes("is an example value"));
        assert.ok(
            lines.includes(
                `warning: Pulumi.dev.yaml: dns.zoneName: "fabrikam.com" is an example value (Fabrikam is the documentation's example company); replace it with your own before pulumi up`,
            ),
            stderr,
        );
        assert.ok(
            lines.includes(
                `warning: Pulumi.dev.yaml: adminIpRanges[0]: "203.0.113.0/24" is an example value (the range is reserved for documentation (RFC 5737)); replace it with your own before pulumi up`,
            ),
            stderr,
        );
        assert.deepEqual(
            [
                "api.fabrikam.io",
                "10.1.0.0/16",
                "ops@northwind.io",
                "https://erp.example.com/api",
                "198.51.100.7/32",
                "/subscriptions/3f2b8c1e-6a4d-4f7e-9b2a-1c5d8e7f9a01/resourceGroups/rg",
            ].map((value) => exampleOf(value) !== undefined),
            [true, false, false, true, true, true],
        );
        // A stack file with the user's own values has nothing to warn about.
        const own = (await stackFileFor()).replace(/example\.com/g, "northwind.io");
        const clean = await plan("own", "--project-dir", tempProject({ own }));
        assert.equal(clean.code, 0, clean.stderr);
        assert.doesNotMatch(clean.stderr, /is an example value/);
    });

    it("prints what the Pulumi CLI would warn about on stderr, and the plan on stdout", async () => {
        const stack = listStacks(fixtureProject())[0];
        const { result, stdout, stderr } = await captured(() =>
            main(
                [stack],
                async (options) => ({ ...(await stackRun(options.stack)), warnings: ["Pulumi.x.yaml: one", "Pulumi.x.yaml: two"] }),
                {},
            ),
        );
        assert.equal(result, 0);
        assert.equal(withoutExamples(stderr), "warning: Pulumi.x.yaml: one\nwarning: Pulumi.x.yaml: two\n");
        assert.match(stdout, /^Plan for stack /);
    });

    it("tells how to pass its options when npm took them (npm run plan prod --json, without --)", async () => {
        const { result, stdout, stderr } = await captured(() =>
            main(["prod"], stackRun, { npm_lifecycle_event: "plan", npm_config_json: "true" }),
        );
        assert.equal(result, 2);
        assert.equal(stdout, "");
        assert.equal(stderr, "npm kept --json for itself: npm passes a script only what follows `--`. Run: npm run plan -- prod --json\n");
    });

    it("prints the recovery objectives of a DR pair in the plan of either site, computed from both stack files, and none for a stack outside a pair", async () => {
        const prod = stackFileValues("prod");
        const backup = intervalMinutes(prod.dr.backupInterval)!;
        const restore = intervalMinutes(prod.dr.restoreInterval)!;
        const ttl = Math.ceil(prod.dns.ttl / 60);
        const standby = stackFileValues("prod-dr").gateway.capacity;
        const expected = [
            "Recovery objectives (prod active, prod-dr passive):",
            "  RPO, configuration in code (APIs, policies, products, backends, workflows): 0 minutes, redeployed from code",
            `  RPO, what only backups carry (users, subscriptions, changes made by hand): ${backup + restore} minutes, a backup every ${backup} + a restore into prod-dr every ${restore} (limit ${prod.dr.maxRpoMinutes})`,
        ].join("\n");
        for (const stack of ["prod", "prod-dr"]) {
            const { code, stdout } = await plan(stack);
            assert.equal(code, 0);
            assert.ok(stdout.includes(expected), `${stack}: ${stdout.slice(stdout.indexOf("Recovery"))}`);
            assert.match(stdout, new RegExp(`  RTO: ${ttl + 5}(?: |\\+)`));
            const unit = priceOf("apiManagement.Premium.unit").price;
            assert.ok(
                stdout.includes(
                    `  standby: ${standby} Premium units in prod-dr, about ${Math.round(standby * unit).toLocaleString("en-US")} USD a month at list price`,
                ),
                stack,
            );
            assert.ok(stdout.includes(`  backups kept ${prod.dr.backupRetentionDays} days`), stack);
        }
        assert.doesNotMatch((await plan("dev")).stdout, /Recovery objectives/);
    });

    it("shows the backup storage, both workflows and their custom roles in the plans of prod and prod-dr", async () => {
        const prod = (await plan("prod")).stdout;
        for (const line of [
            /azure-native:storage:StorageAccount +backup-storage-account +create\n.*Standard_GRS, https only, TLS1_2, no public blobs, Entra ID only \(no shared key\)/,
            /azure-native:storage:ManagementPolicy +backup-storage-lifecycle +create\n.*expire-backups, deletes apim-backups\/\* older than \d+ days, and old versions/,
            /azure-native:authorization:RoleDefinition +backup-role +create\n.*integration-prod API Management backup, custom role with 3 actions, assignable on/,
            /azure-native:logic:Workflow +backup-workflow +create\n.*runs every 1 hour from \(known after deploy\), no caller/,
            /azure-native:authorization:RoleAssignment +backup-access-backup-workflow-backs-up +create\n.*custom role integration-prod API Management backup for ServicePrincipal/,
        ]) {
            assert.match(prod, line);
        }
        const dr = (await plan("prod-dr")).stdout;
        assert.match(
            dr,
            /azure-native:authorization:RoleDefinition +restore-role +create\n.*integration-prod-dr API Management restore, custom role with 12 actions/,
        );
        assert.match(dr, /azure-native:logic:Workflow +restore-workflow +create\n/);
        assert.match(
            dr,
            /azure-native:authorization:RoleAssignment +restore-access-gateway-restores-from-backups +create\n.*Storage Blob Data Contributor for ServicePrincipal/,
        );
    });

    it("prints the config error, without a stack trace, and fails", async () => {
        const { code, stdout, stderr } = await plan("qa", "--project-dir", tempProject({ qa: invalidStack }));
        assert.equal(code, 1);
        assert.equal(stdout, "");
        assert.match(stderr, /^Invalid configuration for stack "qa" \(1 problem\):\n {2}- location: "westeurop" is not an Azure region/);
        assert.doesNotMatch(stderr, /\n\s+at /);
    });

    it("prints a catalog problem with its file and line, without a stack trace, and fails", async () => {
        const dir = tempProject({ dev: fs.readFileSync(path.join(fixtureSource, "Pulumi.dev.yaml"), "utf8") });
        fs.writeFileSync(
            path.join(dir, "apis", "shipments", "policy.xml"),
            "<policies>\n    <inbound>\n        <base />\n        <set-headr />\n    </inbound>\n</policies>\n",
        );
        const { code, stdout, stderr } = await plan("dev", "--project-dir", dir);
        assert.equal(code, 1);
        assert.equal(stdout, "");
        assert.equal(
            stderr,
            "The API catalog has a problem:\n  - apis/shipments/policy.xml: line 4: Element 'set-headr': No matching global element declaration available, but demanded by the strict wildcard. (allowed: API Management's policy syntax)\n",
        );
    });

    it("prints what API Management will do differently from a file as a warning, and plans", async () => {
        const dir = tempProject({ dev: fs.readFileSync(path.join(fixtureSource, "Pulumi.dev.yaml"), "utf8") });
        const spec = path.join(dir, "apis", "shipments", "openapi.yaml");
        fs.writeFileSync(spec, fs.readFileSync(spec, "utf8").replace(/^openapi: .*$/m, "openapi: 3.1.0"));
        const { code, stderr } = await plan("dev", "--project-dir", dir);
        assert.equal(code, 0, stderr);
        assert.equal(
            withoutExamples(stderr),
            "warning: apis/shipments/openapi.yaml: OpenAPI 3.1.0: API Management imports 3.1 documents without their 3.1 features (import only): what 3.1 adds to 3.0 is ignored or read as 3.0\n",
        );
    });

    it("names the stacks it knows when asked for one without a stack file", async () => {
        const { code, stderr } = await plan("no-such-stack");
        assert.equal(code, 1);
        assert.equal(
            stderr,
            `Stack "no-such-stack" has no stack file Pulumi.no-such-stack.yaml (allowed: ${listStacks(fixtureProject()).join(", ")})\n`,
        );
    });

    it("explains its usage when the stack is missing or an option is unknown", async () => {
        assert.equal((await plan()).code, 2);
        const unknown = await plan("dev", "--yaml");
        assert.equal(unknown.code, 2);
        assert.match(unknown.stderr, /^Unknown option --yaml \(allowed: [^)]*--json[^)]*\)\n\nUsage: npm run plan -- <stack>/);
        assert.match((await plan("dev", "--jsn")).stderr, /^Unknown option --jsn; did you mean --json\?\n/);
    });

    // Started when the file loads, so the child process runs on the other core while the rest of the suite runs here.
    const npmScript = inBackground(() =>
        promisify(execFile)("npm", ["run", "--silent", "plan", "--", "qa", "--project-dir", tempProject({ qa: incompleteStack })], {
            cwd: repoRoot,
        }),
    ).then(
        () => undefined,
        (error: { code: number; stdout: string; stderr: string }) => error,
    );

    it("runs as the npm script, exiting 1 where the Pulumi CLI would refuse the stack's config", async () => {
        const failure = await npmScript;
        assert.ok(failure, "the command fails");
        assert.equal(failure.code, 1);
        assert.equal(failure.stdout, "");
        assert.equal(
            failure.stderr,
            [
                "`pulumi preview -s qa` would stop before the program runs: the Pulumi CLI refuses the configuration (1 problem):",
                "  - Pulumi.qa.yaml: Stack 'qa' is missing configuration values 'costCenter', 'gateway', 'owner' and 'secrets' (allowed: set enterprise-integration:costCenter, enterprise-integration:gateway, enterprise-integration:owner, enterprise-integration:secrets in Pulumi.qa.yaml, or give them defaults in Pulumi.yaml)",
                "docs/config-reference.md says which rules are the CLI's and lists every key.",
                "",
            ].join("\n"),
        );
        assert.doesNotMatch(failure.stderr, /\n\s+at /);
    });
});
