import { formatPath } from "../../components/common/rules";

/**
 * What changes between two sets of a resource's inputs, property by property: objects key by key,
 * lists item by item. The plan diff (plan-diff.ts) uses it for each resource.
 */

/** One input that changes: where (`url`, `keyVault.secretIdentifier`, `rules[0].name`), from what, to what. */
export interface PropertyChange {
    readonly path: string;
    readonly before: unknown;
    readonly after: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The inputs that differ between `before` and `after`, deepest first where both are objects or lists. */
export function propertyChanges(before: unknown, after: unknown, path = ""): PropertyChange[] {
    if (isRecord(before) && isRecord(after)) {
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
        return keys.flatMap((key) => propertyChanges(before[key], after[key], formatPath([path, key])));
    }
    if (Array.isArray(before) && Array.isArray(after)) {
        const length = Math.max(before.length, after.length);
        return Array.from({ length }, (_, i) => propertyChanges(before[i], after[i], formatPath([path, i]))).flat();
    }
    return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path, before, after }];
}
