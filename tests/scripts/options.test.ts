import * as assert from "node:assert/strict";
import { parseOptions } from "../../commands/cli";
import { captured } from "../helpers";

describe("the repository tools' options (npm run docs, npm run bench)", () => {
    const usage = "Usage: npm run docs [-- --check]";

    it("prints the usage for --help and exits 0", async () => {
        const { result, stdout } = await captured(async () => parseOptions(usage, { check: { type: "boolean" } }, ["--help"]));
        assert.equal(result, 0);
        assert.equal(stdout, `${usage}\n`);
    });

    it("refuses an unknown option with what was wrong and the usage, exit 2, no stack trace", async () => {
        const { result, stderr } = await captured(async () => parseOptions(usage, { check: { type: "boolean" } }, ["--chek"]));
        assert.equal(result, 2);
        assert.equal(stderr, `Unknown option --chek; did you mean --check?\n\n${usage}\n`);
        const far = await captured(async () => parseOptions(usage, { check: { type: "boolean" } }, ["--verbose"]));
        assert.equal(far.stderr, `Unknown option --verbose (allowed: --check, --help)\n\n${usage}\n`);
    });

    it("hands back the options it knows", () => {
        assert.deepEqual({ ...(parseOptions(usage, { check: { type: "boolean" } }, ["--check"]) as object) }, { check: true });
    });
});
