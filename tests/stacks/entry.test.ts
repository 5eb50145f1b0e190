import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../../tools/engine/project";

// Pulumi's own helper: `pulumi up` reads tsconfig.json with it to decide whether to type-check.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadTypeScriptCompilerOptions } = require("@pulumi/pulumi/tsutils") as {
    loadTypeScriptCompilerOptions(file: string): Record<string, unknown>;
};

describe("the Pulumi entry point", () => {
    it("is transpiled, not type-checked, by pulumi up (tsconfig noCheck)", () => {
        assert.equal(loadTypeScriptCompilerOptions(path.join(repoRoot, "tsconfig.json")).noCheck, true);
    });

    // The registration mirrors @pulumi/pulumi/cmd/run/run.js for a CommonJS project. The child starts
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
            process.stdout.write(typeof entry + ":" + entry.name);
        `;
    const loaded = promisify(execFile)(process.execPath, ["-e", script], { cwd: repoRoot });
    loaded.catch(() => undefined);

    it("exports the program function when loaded the way Pulumi's nodejs runtime loads it", async () => {
        const { stdout } = await loaded;
        assert.equal(stdout, "function:program");
    });
});
