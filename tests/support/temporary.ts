import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Directories the tests make in the OS temp dir, all removed when the suite ends
 * (tests/support/root-hooks.ts), so a run leaves nothing behind.
 */
const made: string[] = [];

/** A new directory in the OS temp dir, named with `prefix`, removed when the suite ends. */
export function temporaryDirectory(prefix: string): string {
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
