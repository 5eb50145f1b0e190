import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { repoRoot } from "../../tools/engine/project";
import { inBackground } from "../helpers";

describe("the Pulumi entry point", () => {
    // `pulumi up` reads tsconfig.json with Pulumi's own helper (tsutils) and, with `noCheck`, has
    // ts-node transpile each file of the program with the project's TypeScript (5.9, not the native
    // compiler the type-check uses), one file at a time. The child parses every file of the program
    // with it, transpiles the entry the same way and evaluates it to see what it exports; the rest
    // of the program is loaded by every other test. It starts when this file loads, so it runs on the
    // other core while the suite runs here.
    const script = `
        const fs = require("fs");
        const path = require("path");
        const ts = require("typescript");
        const tsutils = require("@pulumi/pulumi/tsutils");
        const fromConfig = tsutils.loadTypeScriptCompilerOptions("tsconfig.json");
        // @pulumi/pulumi/cmd/run/run.js: its defaults under the project's options (ts-node then
        // sets sourceMap and noEmit its own way).
        const json = { target: "ES2020", module: "nodenext", moduleResolution: "nodenext", ...fromConfig, sourceMap: true, noEmit: false };
        const converted = ts.convertCompilerOptionsFromJson(json, process.cwd());
        const files = [];
        const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).forEach((entry) =>
            entry.isDirectory() ? walk(path.join(dir, entry.name)) : entry.name.endsWith(".ts") && files.push(path.join(dir, entry.name)));
        ["stacks", "components"].forEach(walk);
        const problems = converted.errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\\n"));
        // Every file parses (what transpiling can fail on); the entry is transpiled and run.
        for (const file of files) {
            const parsed = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), converted.options.target, false, ts.ScriptKind.TS);
            problems.push(...parsed.parseDiagnostics.map((d) => file + ": " + ts.flattenDiagnosticMessageText(d.messageText, "\\n")));
        }
        const entryFile = path.join("stacks", "index.ts");
        const out = ts.transpileModule(fs.readFileSync(entryFile, "utf8"), { compilerOptions: converted.options, fileName: entryFile, reportDiagnostics: true });
        problems.push(...out.diagnostics.map((d) => entryFile + ": " + ts.flattenDiagnosticMessageText(d.messageText, "\\n")));
        const emitted = { exports: {} };
        function program() {}
        new Function("module", "exports", "require", out.outputText)(emitted, emitted.exports, (request) => (request === "./program" ? { program } : {}));
        const entry = emitted.exports === program ? "the program function" : typeof emitted.exports;
        process.stdout.write(JSON.stringify({ noCheck: fromConfig.noCheck, files: files.length, problems, entry }));
    `;
    const loaded = inBackground(() => promisify(execFile)(process.execPath, ["-e", script], { cwd: repoRoot })).then((result) => JSON.parse(result.stdout) as { noCheck: boolean; files: number; problems: string[]; entry: string });
    loaded.catch(() => undefined);

    it("is transpiled, not type-checked, by pulumi up (tsconfig noCheck)", async () => {
        assert.equal((await loaded).noCheck, true);
    });

    it("parses every file of the program with the TypeScript pulumi up uses, and transpiles the entry without a problem", async () => {
        const { files, problems } = await loaded;
        assert.ok(files > 10, `${files} files`);
        assert.deepEqual(problems, []);
    });

    it("exports the program function when loaded the way Pulumi's nodejs runtime loads it", async () => {
        assert.equal((await loaded).entry, "the program function");
    });
});
