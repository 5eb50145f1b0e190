import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Directories the tests make in the OS temp dir, all removed when the suite ends
 * (tests/support/root-hooks.ts), so a run leaves nothing behind.
 */
const made: string[] = [];

/**
 * The name prefixes of what this suite and the commands it runs make in the OS temp dir: the
 * tests' own directories, and the worktree `npm run plan -- --diff <revision>` makes
 * (commands/plan/base.ts). The caches the tools keep on purpose (`enterprise-integration-checks`,
 * `enterprise-integration-ts-<version>`) are not among them.
 */
const prefixes = new Set<string>(["plan-base-"]);

/** What the OS temp dir held when the suite started. */
const before = new Set(fs.readdirSync(os.tmpdir()));

/** A new directory in the OS temp dir, named with `prefix`, removed when the suite ends. */
export function temporaryDirectory(prefix: string): string {
    prefixes.add(prefix);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    made.push(dir);
    return dir;
}

/** Removes every directory `temporaryDirectory` made. */
export function removeTemporaryDirectories(): void {
    for (const dir of made.splice(0)) {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/**
 * What the suite, or a command it ran, left in the OS temp dir: entries that were not there when
 * the suite started and carry one of the prefixes this suite and its commands use.
 */
export function leftBehind(): string[] {
    return fs
        .readdirSync(os.tmpdir())
        .filter((entry) => !before.has(entry) && [...prefixes].some((prefix) => entry.startsWith(prefix)))
        .sort();
}
