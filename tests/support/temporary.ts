import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Directories the tests make in the OS temp dir. All carry one prefix, so the suite's end
 * (tests/support/root-hooks.ts, a global teardown in mocha's main process) can remove them
 * whichever worker process made them, and so a run leaves nothing behind.
 */
export const ownPrefix = "ei-test-";

/**
 * The name prefixes of what the commands the suite runs make in the OS temp dir and must remove
 * themselves: the worktree `npm run plan -- --diff <revision>` makes (commands/plan/base.ts). The
 * caches the tools keep on purpose (`enterprise-integration-checks`,
 * `enterprise-integration-ts-<version>`) are not among them.
 */
const commandPrefixes = ["plan-base-"];

/** What the OS temp dir held when this process loaded the suite's support. */
const before = new Set(fs.readdirSync(os.tmpdir()));

/** A new directory in the OS temp dir, named with `prefix`, removed when the suite ends. */
export function temporaryDirectory(prefix: string): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), `${ownPrefix}${prefix}`));
}

/** What this process did not find in the OS temp dir when it started and carries `prefixes`. */
function newSince(prefixes: string[]): string[] {
    return fs
        .readdirSync(os.tmpdir())
        .filter((entry) => !before.has(entry) && prefixes.some((prefix) => entry.startsWith(prefix)))
        .sort();
}

/** Removes every directory the suite's tests made since this process started. */
export function removeTemporaryDirectories(): void {
    for (const entry of newSince([ownPrefix])) {
        fs.rmSync(path.join(os.tmpdir(), entry), { recursive: true, force: true });
    }
}

/**
 * What the suite, or a command it ran, left in the OS temp dir: entries that were not there when
 * the suite started and carry the suite's prefix or one its commands use.
 */
export function leftBehind(): string[] {
    return newSince([ownPrefix, ...commandPrefixes]);
}
