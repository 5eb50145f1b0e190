import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Api } from "@pulumi/azure-native/apimanagement";
import { RandomPassword } from "@pulumi/random";
import { loadCatalog } from "../../content";
import { repoRoot } from "../../engine/project";
import { readStackConfig } from "../../engine/stack-config";
import { sdkClassOf } from "../../scripts/plain-pulumi";
import { scaleCatalogProject } from "../../scripts/scale-catalog";
import { temporaryDirectory } from "../support/temporary";

describe("the bench's catalog at scale (scripts/scale-catalog.ts)", () => {
    it("makes a valid project of n APIs, each with a second revision of its own spec, an API policy and two operation policies", async () => {
        const dir = scaleCatalogProject(3, path.join(temporaryDirectory("scale-"), "project"));
        const catalog = await loadCatalog(path.join(dir, "apis"));
        assert.deepEqual(
            catalog.apis.map((api) => api.apiId),
            ["api-001-v1", "api-002-v1", "api-003-v1"],
        );
        for (const api of catalog.apis) {
            assert.equal(api.revisions.length, 1);
            assert.ok(api.revisions[0]!.operations?.some((operation) => operation.operationId === "item-history"));
            assert.ok(api.policyFile);
            assert.deepEqual(Object.keys(api.operationPolicies).sort(), ["delete-item", "get-item"]);
        }
        const config = readStackConfig({ stack: "scale", projectDir: dir });
        assert.deepEqual(Object.keys(config.gateway.backends).sort(), ["api-001", "api-002", "api-003"]);
    });
});

describe("the bench's plain-Pulumi reference (scripts/plain-pulumi.ts)", () => {
    it("finds the SDK class of each type token the program registers, and none for the project's components", () => {
        assert.equal(sdkClassOf("azure-native:apimanagement:Api"), Api);
        assert.equal(sdkClassOf("random:index/randomPassword:RandomPassword"), RandomPassword);
        assert.equal(sdkClassOf("enterprise-integration:gateway:Gateway"), undefined);
    });

    it("registers a saved plan's resources under plain setMocks, in a process of its own", () => {
        const dir = temporaryDirectory("plain-");
        const plan = path.join(dir, "plan.json");
        fs.writeFileSync(
            plan,
            JSON.stringify({
                resources: [
                    { urn: "urn:stack", type: "pulumi:pulumi:Stack", name: "s", custom: false, inputs: {} },
                    { urn: "urn:group", type: "enterprise-integration:platform:Group", name: "group", custom: false, inputs: {} },
                    {
                        urn: "urn:rg",
                        type: "azure-native:resources:ResourceGroup",
                        name: "rg",
                        parent: "urn:group",
                        custom: true,
                        inputs: { resourceGroupName: "rg-a", location: "westeurope" },
                    },
                ],
            }),
        );
        const result = spawnSync(process.execPath, ["--require", "./scripts/register.js", "scripts/plain-pulumi.ts", plan], {
            cwd: repoRoot,
            encoding: "utf8",
        });
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stdout, "2 resources registered\n");
    });
});
