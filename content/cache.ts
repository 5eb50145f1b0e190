import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

/**
 * Results of checks on user content, kept between runs by content: in the OS temporary directory
 * (never in the project or node_modules, which may be read-only), under a key made of the content
 * and of what the result depends on (the checking code and its packages' versions), so an entry is
 * never stale. When the directory cannot be read or written, the check simply runs.
 */

const cacheDir = path.join(tmpdir(), "enterprise-integration-checks");

/** A hash of the given source files (resolved like `require`) and package versions: the version of a check. */
export function checksVersion(modules: readonly string[], packages: readonly string[]): string {
    const hash = createHash("sha256");
    for (const module of modules) {
        hash.update(readFileSync(require.resolve(module)));
    }
    for (const name of packages) {
        hash.update(`${name}@${(require(`${name}/package.json`) as { version: string }).version}`);
    }
    return hash.digest("hex").slice(0, 16);
}

/** The JSON result of `check` for this key, from the cache or computed (and then cached). */
export async function cachedResult<T>(kind: string, key: readonly string[], check: () => Promise<T>): Promise<T> {
    const name = createHash("sha256").update(key.join("\0")).digest("hex").slice(0, 40);
    const file = path.join(cacheDir, `${kind}-${name}.json`);
    try {
        return JSON.parse(readFileSync(file, "utf8")) as T;
    } catch {
        // Not cached yet.
    }
    const result = await check();
    try {
        mkdirSync(cacheDir, { recursive: true });
        const partial = `${file}.${process.pid}`;
        writeFileSync(partial, JSON.stringify(result));
        renameSync(partial, file);
    } catch {
        // A read-only temporary directory: checked again next time.
    }
    return result;
}
