import { spawn } from "node:child_process";
import * as path from "node:path";

/**
 * `npm test`: the mocha suite and the type-check side by side (the native compiler works on the
 * second core while the tests run). Mocha's output streams as it comes; the type-check's output,
 * if any, follows it, so a compile error is the last thing printed. Fails if either fails.
 */
const root = path.join(__dirname, "..");

function run(command: string, args: string[], capture: boolean): Promise<{ code: number; output: string }> {
    return new Promise((resolve) => {
        const child = spawn(command, args, { cwd: root, stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit" });
        let output = "";
        child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.on("close", (code) => resolve({ code: code ?? 1, output }));
    });
}

async function main(): Promise<number> {
    const typecheck = run(process.execPath, [path.join(root, "node_modules", "tsc-native", "bin", "tsc"), "-p", "tsconfig.json", "--noCheck", "false", "--singleThreaded"], true);
    // A larger young generation: the suite allocates many short-lived objects (Pulumi's outputs and
    // promises), and the default one makes the collector run several times as often.
    const mocha = await run(process.execPath, ["--max-semi-space-size=64", path.join(root, "node_modules", "mocha", "bin", "mocha.js"), ...process.argv.slice(2)], false);
    const types = await typecheck;
    if (types.code !== 0) {
        process.stdout.write(`\nType-check failed:\n${types.output}`);
    }
    return mocha.code !== 0 ? mocha.code : types.code;
}

main().then((code) => {
    process.exitCode = code;
});
