import * as fs from "node:fs";
import { parse as parseYaml } from "yaml";
import { formatPath } from "../../components/common/rules";
import { loadProject, loadStackFile } from "../../engine/project";

/**
 * The shipped stack files hold example values (Microsoft's example company Contoso, the
 * documentation address ranges, an example subscription); a stack that still has one would deploy
 * for somebody else's domain or lock its own operators out. The plan names each one left, by file
 * and key, as a warning: it plans on, so the examples stay usable offline.
 */

/** The address ranges reserved for documentation (RFC 5737): no real operator sits in one. */
const documentationRanges = [/^192\.0\.2\./, /^198\.51\.100\./, /^203\.0\.113\./];
/** The subscription in the shipped stack files' `dns.certificates.vaultId`. */
const exampleSubscription = "3f2b8c1e-6a4d-4f7e-9b2a-1c5d8e7f9a01";

/** Why a value is an example, or undefined when it is not one. */
export function exampleOf(value: string): string | undefined {
    if (/contoso|fabrikam/i.test(value)) {
        return `${/contoso/i.test(value) ? "Contoso" : "Fabrikam"} is the documentation's example company`;
    }
    if (/(^|[@./])example\.(com|org|net)\b/i.test(value)) {
        return "example.com, .org and .net are reserved for documentation";
    }
    if (documentationRanges.some((range) => range.test(value))) {
        return "the range is reserved for documentation (RFC 5737)";
    }
    if (value.includes(exampleSubscription)) {
        return "the subscription is the example's";
    }
    return undefined;
}

function walk(value: unknown, key: string, found: Array<{ key: string; value: string; why: string }>): void {
    if (typeof value === "string") {
        const why = exampleOf(value);
        if (why) {
            found.push({ key, value, why });
        }
    } else if (Array.isArray(value)) {
        value.forEach((item, i) => walk(item, formatPath([key, i]), found));
    } else if (value && typeof value === "object") {
        for (const [name, inner] of Object.entries(value)) {
            walk(inner, formatPath([key, name]), found);
        }
    }
}

/** A warning per example value left in the stack file, naming the file and the key. */
export function placeholderWarnings(projectDir: string, stack: string): string[] {
    const project = loadProject(projectDir);
    const file = loadStackFile(project, stack);
    const doc = parseYaml(fs.readFileSync(file.path, "utf8")) as { config?: Record<string, unknown> } | null;
    const found: Array<{ key: string; value: string; why: string }> = [];
    for (const [key, value] of Object.entries(doc?.config ?? {})) {
        walk(value, key.replace(new RegExp(`^${project.name}:`), ""), found);
    }
    return found.map(
        ({ key, value, why }) =>
            `${file.shownAs}: ${key}: ${JSON.stringify(value)} is an example value (${why}); replace it with your own before pulumi up`,
    );
}
