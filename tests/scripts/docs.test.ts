import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { configKeys } from "../../stacks/config";
import { configReference, pulumiYamlConfig } from "../../scripts/config-docs";
import { diffSample, docsFiles, generatedDocs, type DocsFiles } from "../../scripts/docs";
import { readProjectDeclarations } from "../../engine/cli-config";
import { repoRoot } from "../../engine/project";

describe("the config reference, generated from the schema (npm run docs)", () => {
    const files = Object.fromEntries(
        Object.entries(docsFiles).map(([key, file]) => [key, fs.readFileSync(path.join(repoRoot, file), "utf8")]),
    ) as DocsFiles;

    it("is what Pulumi.yaml, docs/config-reference.md, docs/policy-as-code.md and the diff sample hold (run npm run docs after changing the schema or the diff)", async () => {
        assert.deepEqual(docsFiles, {
            pulumiYaml: "Pulumi.yaml",
            configReference: "docs/config-reference.md",
            policyAsCode: "docs/policy-as-code.md",
            pullRequests: "docs/pull-requests-and-pipelines.md",
        });
        const generated = generatedDocs(files, await diffSample());
        assert.equal(files.pulumiYaml, generated.pulumiYaml, "Pulumi.yaml");
        assert.equal(files.configReference, generated.configReference, "docs/config-reference.md");
        assert.equal(files.policyAsCode, generated.policyAsCode, "docs/policy-as-code.md");
        assert.equal(files.pullRequests, generated.pullRequests, "docs/pull-requests-and-pipelines.md: the diff sample");
        // The sample shows what the plan command prints for the change it describes.
        assert.match(generated.pullRequests, /\n### `prod`: 5 to update; \d+ unchanged\n/);
        assert.match(generated.pullRequests, /autoscale's range goes from 2-6 to 4-6 units/);
    });

    it("gives a Pulumi.yaml the CLI's rules accept, declaring every key the program reads", () => {
        const project = readProjectDeclarations(parseYaml(`name: enterprise-integration\nruntime: nodejs\n${pulumiYamlConfig()}`));
        assert.deepEqual(project.problems, []);
        assert.deepEqual(project.warnings, []);
        assert.deepEqual([...project.config.keys()], [...configKeys]);
        // The CLI checks the types it can: the scalars and the list of strings.
        assert.deepEqual(
            [...project.config]
                .filter(([, declaration]) => declaration.type !== undefined)
                .map(([key, declaration]) => `${key}: ${declaration.type}`),
            [
                "environment: string",
                "workload: string",
                "location: string",
                "owner: string",
                "costCenter: string",
                "production: boolean",
                "protect: boolean",
                "adminIpRanges: array",
            ],
        );
    });

    it("has a row for every key, with its type, default and description", () => {
        const rows = configReference();
        for (const key of configKeys) {
            assert.ok(
                rows.some((row) => row.key === key || row.key.startsWith(`${key}.`)),
                key,
            );
        }
        assert.deepEqual(
            rows.find((row) => row.key === "gateway.capacity"),
            {
                key: "gateway.capacity",
                type: "integer",
                default: "`1`",
                description:
                    "Units in the primary region: Developer 1, Basic 1-2, Standard 1-4, Premium 1-12. With zones, a multiple of the number of zones.",
            },
        );
        assert.equal(rows.find((row) => row.key === "gateway.sku")?.default, "required");
        assert.equal(rows.find((row) => row.key === "dr.stack")?.default, "none");
        assert.ok(rows.every((row) => row.description.length > 0));
    });
});
