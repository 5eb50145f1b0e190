import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { leftBehind, temporaryDirectory } from "../support/temporary";

describe("a test run leaves the OS temp dir as it found it", () => {
    it("finds what a command left there under the prefixes the suite and its commands use, and nothing it found there", () => {
        const worktree = fs.mkdtempSync(path.join(os.tmpdir(), "plan-base-"));
        try {
            assert.ok(leftBehind().includes(path.basename(worktree)), "a plan's worktree left behind is found");
        } finally {
            fs.rmSync(worktree, { recursive: true, force: true });
        }
        assert.ok(!leftBehind().includes(path.basename(worktree)));
        const own = temporaryDirectory("temporary-check-");
        assert.ok(leftBehind().includes(path.basename(own)), "until the suite's end removes the tests' own");
    });
});
