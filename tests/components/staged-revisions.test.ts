import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml, stringify } from "yaml";
import { runStack, type StackRun } from "../../engine";
import { repoRoot } from "../../engine/project";
import { fixtureSource, stackFileValues } from "../helpers";
import { temporaryDirectory } from "../support/temporary";
import { Project } from "../mutations/project";

/** The fixture project with ledger's revision 2 staged and a staged revision 3 after it. */
function stagedProject(): string {
    const dir = temporaryDirectory("staged-");
    fs.cpSync(fixtureSource, dir, { recursive: true });
    const file = path.join(dir, "apis", "ledger", "api.yaml");
    const api = parseYaml(fs.readFileSync(file, "utf8"));
    api.revisions[0].staged = true;
    api.revisions.push({ revision: 3, description: "Reservations by batch.", notes: "New batch endpoint.", staged: true });
    fs.writeFileSync(file, stringify(api));
    fs.copyFileSync(path.join(repoRoot, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    return dir;
}

describe("revisions staged for testing", () => {
    let dir: string;
    let run: StackRun;
    before(async () => {
        dir = stagedProject();
        run = await runStack({ projectDir: dir, stack: "dev", config: { workflows: stackFileValues("dev").workflows } });
    });

    it("deploys a staged revision at its revision's id with its policy, and releases none of them", () => {
        for (const revision of [2, 3]) {
            const api = run.get("azure-native:apimanagement:Api", `catalog-api-ledger-v1-rev${revision}`);
            assert.equal(api.inputs.apiId, `ledger-v1;rev=${revision}`);
            assert.ok(run.get("azure-native:apimanagement:ApiPolicy", `catalog-policy-ledger-v1-rev${revision}`));
        }
        assert.deepEqual(
            run.ofType("azure-native:apimanagement:ApiRelease").filter((release) => release.name.includes("ledger")),
            [],
            "no release: revision 1 stays current",
        );
    });

    it("says where each staged revision answers, in the stack's outputs", () => {
        assert.deepEqual((run.outputs.gateway as { stagedRevisions?: unknown }).stagedRevisions, {
            "ledger-v1": ["/ledger/v1;rev=2", "/ledger/v1;rev=3"],
        });
    });

    it("refuses a revision released after a staged one, which would never be current", async () => {
        const project = new Project();
        project.yaml("apis/ledger/api.yaml", (doc) => {
            doc.revisions[0].staged = true;
            doc.revisions.push({ revision: 3, description: "Batch.", notes: "Batch." });
        });
        assert.deepEqual(await project.problems(), [
            "apis/ledger/api.yaml: revisions[1]: revision 3 would be released after revision 2, which is staged and would never be current (allowed: staged revisions last; release revision 2 first by removing its staged: true)",
        ]);
    });
});
