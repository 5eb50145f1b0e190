import { spawn } from "node:child_process";
import * as path from "node:path";

/**
 * `npm test`: the mocha suite, and beside it (on the second core, one after the other) the
 * type-check, the linter and the formatter's check. Mocha's output streams as it comes; what the
 * others found, if anything, follows it, so a compile error is among the last things printed.
 * Fails if any fails.
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

/** The checks beside the suite, one after the other: each with its label. */
async function checks(): Promise<Array<{ label: string; code: number; output: string }>> {
    const bin = (name: string, ...rest: string[]) => [path.join(root, "node_modules", ...rest, name)];
    const steps: Array<[string, string[]]> = [
        ["Type-check", [...bin("tsc", "tsc-native", "bin"), "-p", "tsconfig.json", "--noCheck", "false", "--singleThreaded"]],
        ["Lint (npm run lint)", [...bin("eslint.js", "eslint", "bin"), "."]],
        ["Format check (npm run format)", [...bin("prettier.cjs", "prettier", "bin"), "--check", "--log-level", "warn", "."]],
    ];
    const results = [];
    for (const [label, args] of steps) {
        results.push({ label, ...(await run(process.execPath, args, true)) });
    }
    return results;
}

async function main(): Promise<number> {
    const typecheck = checks();
    // A larger young generation: the suite allocates many short-lived objects (Pulumi's outputs and
    // promises), and the default one makes the collector run several times as often.
    const mocha = await run(
        process.execPath,
        ["--max-semi-space-size=64", path.join(root, "node_modules", "mocha", "bin", "mocha.js"), ...process.argv.slice(2)],
        false,
    );
    const failed = (await typecheck).filter((check) => check.code !== 0);
    for (const check of failed) {
        process.stdout.write(`\n${check.label} failed:\n${check.output}`);
    }
    return mocha.code !== 0 ? mocha.code : (failed[0]?.code ?? 0);
}

main().then((code) => {
    process.exitCode = code;
});
