import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { repoRoot } from "../../tools/engine/project";
import { inBackground } from "../helpers";

describe("the Pulumi entry point", () => {
    // Pulumi's own helper (tsutils) reads tsconfig.json, as `pulumi up` does to decide whether to
    // type-check, and the registration mirrors @pulumi/pulumi/cmd/run/run.js for a CommonJS project. The child starts
    // when this file loads, so it runs on the other core while the rest of the suite runs here.
    const script = `
            const tsutils = require("@pulumi/pulumi/tsutils");
            const compilerOptions = tsutils.loadTypeScriptCompilerOptions("tsconfig.json");
            require("ts-node").register({
                compiler: "typescript",
                transpileOnly: compilerOptions.noCheck,
                project: "tsconfig.json",
                skipProject: false,
                compilerOptions: { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", sourceMap: "true", ...compilerOptions },
            });
            const entry = require(require("path").resolve("stacks/index.ts"));
            process.stdout.write(JSON.stringify({ noCheck: compilerOptions.noCheck, entry: typeof entry + ":" + entry.name }));
        `;
    const loaded = inBackground(() => promisify(execFile)(process.execPath, ["-e", script], { cwd: repoRoot }));
    loaded.catch(() => undefined);

    it("is transpiled, not type-checked, by pulumi up (tsconfig noCheck)", async () => {
        assert.equal(JSON.parse((await loaded).stdout).noCheck, true);
    });

    it("exports the program function when loaded the way Pulumi's nodejs runtime loads it", async () => {
        assert.equal(JSON.parse((await loaded).stdout).entry, "function:program");
    });
});
