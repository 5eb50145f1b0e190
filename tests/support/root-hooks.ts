import { leftBehind, removeTemporaryDirectories } from "./temporary";

/** The process's own writers, as they were before any test captured its output. */
const writers = { stdout: process.stdout.write, stderr: process.stderr.write };

/**
 * Mocha's root hooks (.mocharc.json `require`). After each test, stdout and stderr are the
 * process's own again: a test that times out while it captures output (tests/helpers.ts
 * `captured`) would otherwise swallow the rest of the run, its failure report included.
 */
export const mochaHooks = {
    afterEach(): void {
        process.stdout.write = writers.stdout;
        process.stderr.write = writers.stderr;
    },
};

/**
 * After the whole suite, in mocha's main process (once, also when the files ran in parallel
 * worker processes: https://mochajs.org/#global-teardown-fixtures), the tests' temporary
 * directories go, and anything else the run left in the OS temp dir fails it, named.
 */
export function mochaGlobalTeardown(): void {
    removeTemporaryDirectories();
    const left = leftBehind();
    if (left.length > 0) {
        throw new Error(`The run left ${left.length} temporary ${left.length === 1 ? "entry" : "entries"} behind: ${left.join(", ")}`);
    }
}
