import { leftBehind, removeTemporaryDirectories } from "./temporary";

/** The process's own writers, as they were before any test captured its output. */
const writers = { stdout: process.stdout.write, stderr: process.stderr.write };

/**
 * Mocha's root hooks (.mocharc.json `require`). After each test, stdout and stderr are the
 * process's own again: a test that times out while it captures output (tests/helpers.ts
 * `captured`) would otherwise swallow the rest of the run, its failure report included. After the
 * whole suite, its temporary directories go, and anything else it left in the OS temp dir fails it.
 */
export const mochaHooks = {
    afterEach(): void {
        process.stdout.write = writers.stdout;
        process.stderr.write = writers.stderr;
    },
    afterAll(): void {
        removeTemporaryDirectories();
        // A run leaves the OS temp dir as it found it: anything a test or a command it ran made
        // there and kept fails the run, named.
        const left = leftBehind();
        if (left.length > 0) {
            throw new Error(`The run left ${left.length} temporary ${left.length === 1 ? "entry" : "entries"} behind: ${left.join(", ")}`);
        }
    },
};
