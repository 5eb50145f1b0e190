import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { repoRoot } from "../../tools/engine/project";
import { inBackground, plan, tempProject } from "../helpers";

/** A stack file the Pulumi CLI takes, whose region the program refuses. */
const invalidStack = [
    "config:",
    "  enterprise-integration:environment: qa",
    "  enterprise-integration:location: westeurop",
    "  enterprise-integration:owner: platform-team@contoso.com",
    "  enterprise-integration:costCenter: CC-1",
    "  enterprise-integration:gateway: { sku: Developer, publisherName: Contoso, publisherEmail: api@contoso.com }",
    '  enterprise-integration:secrets: { expiresOn: "2099-01-31" }',
    "",
].join("\n");
/** A stack file the Pulumi CLI refuses: required keys are missing. */
const incompleteStack = ["config:", "  enterprise-integration:environment: qa", "  enterprise-integration:location: westeurope", ""].join("\n");

describe("npm run plan", () => {
    it("draws the stack's resource tree with the settings that matter", async () => {
        const { code, stdout } = await plan("prod");
        assert.equal(code, 0);
        const lines = stdout.split("\n");
        assert.match(lines[0], /^Plan for stack prod \(offline/);
        assert.ok(lines.some((line) => /^ \+ {3}pulumi:pulumi:Stack +enterprise-integration-prod +create$/.test(line)));
        assert.ok(lines.some((line) => /^ \+ {3}├─ enterprise-integration:foundation:Foundation +foundation +create$/.test(line)));
        assert.ok(
            lines.some((line) =>
                /^ \+ {3}│ {2}├─ azure-native:resources:ResourceGroup +foundation-rg-gateway +create +rg-integration-prod-gateway-weu, in westeurope +\[protect\]$/.test(line),
            ),
        );
        assert.ok(
            lines.some((line) =>
                / azure-native:apimanagement:ApiManagementService +gateway-apim +create +apim-integration-prod-weu-\(known after deploy\): Premium x2 in westeurope, zones 1,2, \+ swedencentral x2, zones 1,2, /.test(line),
            ),
        );
        assert.ok(lines.some((line) => /├─ azure-native:resources:ResourceGroup +foundation-rg-shared/.test(line)));
        assert.ok(lines.some((line) => /└─ azure-native:resources:ResourceGroup +foundation-rg-dns +create +rg-integration-prod-dns-neu, in northeurope/.test(line)));
    });

    it("counts the resources by type and prints the outputs, marking values known only after deploy", async () => {
        const { stdout } = await plan("dev");
        const created = Number(/Resources:\n {4}\+ (\d+) to create\n/.exec(stdout)?.[1]);
        const drawn = stdout.split("\n").filter((line) => /^ \+ /.test(line)).length;
        assert.equal(created, drawn);
        assert.match(stdout, /\n {6}3 {2}azure-native:resources:ResourceGroup\n/);
        assert.match(stdout, /Outputs:\n(?: {4}.*\n)*? {4}nameSuffix: \(known after deploy\)\n/);
        assert.match(stdout, / {6}gateway: rg-integration-dev-gateway-weu\n/);
        assert.doesNotMatch(stdout, /protected from deletion/);
    });

    it("prints every input under its resource with --details", async () => {
        const { stdout } = await plan("test", "--details");
        const block = /foundation-rg-workflows .*\n((?: {8}.*\n)+)/.exec(stdout)?.[1] ?? "";
        assert.deepEqual(block.split("\n").filter(Boolean), [
            "        location: westeurope",
            "        resourceGroupName: rg-integration-test-workflows-weu",
            "        tags:",
            "          costCenter: CC-1002",
            "          environment: test",
            "          managedBy: pulumi",
            "          owner: platform-team@contoso.com",
            "          stack: test",
            "          workload: integration",
        ]);
    });

    it("prints the whole graph as JSON with --json", async () => {
        const { code, stdout } = await plan("prod-dr", "--json");
        assert.equal(code, 0);
        const graph = JSON.parse(stdout);
        assert.equal(graph.stack, "prod-dr");
        assert.deepEqual(Object.keys(graph), ["stack", "resources", "outputs"]);
        for (const resource of graph.resources) {
            assert.deepEqual(Object.keys(resource), ["urn", "type", "name", "parent", "custom", "inputs", "protect", "dependsOn"]);
        }
        const shared = graph.resources.find((resource: { name: string }) => resource.name === "foundation-rg-shared");
        assert.equal(shared.urn, "urn:pulumi:prod-dr::enterprise-integration::enterprise-integration:foundation:Foundation$azure-native:resources:ResourceGroup::foundation-rg-shared");
        assert.equal(shared.parent, "urn:pulumi:prod-dr::enterprise-integration::enterprise-integration:foundation:Foundation::foundation");
        assert.equal(shared.custom, true);
        assert.equal(shared.protect, true);
        assert.equal(shared.inputs.location, "northeurope");
        assert.equal(graph.outputs.nameSuffix, "(known after deploy)");
        assert.equal(graph.outputs.drRole, "passive");
    });

    it("prints the config error, without a stack trace, and fails", async () => {
        const { code, stdout, stderr } = await plan("qa", "--project-dir", tempProject({ qa: invalidStack }));
        assert.equal(code, 1);
        assert.equal(stdout, "");
        assert.match(stderr, /^Invalid configuration for stack "qa" \(1 problem\):\n {2}- location: "westeurop" is not an Azure region/);
        assert.doesNotMatch(stderr, /\n\s+at /);
    });

    it("names the stacks it knows when asked for one without a stack file", async () => {
        const { code, stderr } = await plan("staging");
        assert.equal(code, 1);
        assert.equal(stderr, "There is no Pulumi.staging.yaml (stacks: dev, prod, prod-dr, test)\n");
    });

    it("explains its usage when the stack is missing or an option is unknown", async () => {
        assert.equal((await plan()).code, 2);
        const unknown = await plan("dev", "--yaml");
        assert.equal(unknown.code, 2);
        assert.match(unknown.stderr, /Unknown option '--yaml'[\s\S]*Usage: npm run plan -- <stack>/);
    });

    // Started when the file loads, so the child process runs on the other core while the rest of the suite runs here.
    const npmScript = inBackground(() => promisify(execFile)("npm", ["run", "--silent", "plan", "--", "qa", "--project-dir", tempProject({ qa: incompleteStack })], { cwd: repoRoot })).then(
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
                "The README's config reference says which rules are the CLI's and lists every key.",
                "",
            ].join("\n"),
        );
        assert.doesNotMatch(failure.stderr, /\n\s+at /);
    });
});
