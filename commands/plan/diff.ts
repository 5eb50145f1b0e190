import { formatPath } from "../../components/common/rules";
import type { ItemKey } from "./list-keys";

/**
 * What changes between two sets of a resource's inputs, property by property: objects key by key,
 * lists item by item. The plan diff (plan-diff.ts) uses it for each resource: by index, as the
 * provider compares (what decides an update from a replacement), and with the resource's keyed
 * lists (list-keys.ts) compared by identity, for the reader.
 */

/** One input that changes: where (`url`, `keyVault.secretIdentifier`, `rules[0].name`, `appRoles["Ledger.Read"].displayName`), from what, to what. */
export interface PropertyChange {
    readonly path: string;
    readonly before: unknown;
    readonly after: unknown;
    /**
     * Set when a keyed list changes as a list: an item added or removed (`before` or `after` is the
     * item, `path` the list's), or the same items in another order (`before` and `after` are their
     * keys in order).
     */
    readonly item?: ItemChange;
}

export type ItemChange = { readonly kind: "added" | "removed"; readonly key: string } | { readonly kind: "reordered" };

/** How the list at a pattern path (`appRoles`, `criteria.allOf[*].dimensions`) is keyed; undefined when by index. */
export type ListKeys = (pattern: string) => ItemKey | undefined;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The inputs that differ between `before` and `after`, deepest first where both are objects or lists, lists by index. */
export function propertyChanges(before: unknown, after: unknown, path = ""): PropertyChange[] {
    return changesAt(before, after, path, path, () => undefined);
}

/** As {@link propertyChanges}, with the lists `keys` names compared item by item on their key. */
export function keyedPropertyChanges(before: unknown, after: unknown, keys: ListKeys): PropertyChange[] {
    return changesAt(before, after, "", "", keys);
}

/** The items of a list with their keys, each with an id that tells apart items of the same key by occurrence; undefined when one has no key. */
function keyed(items: readonly unknown[], key: ItemKey): { id: string; key: string; item: unknown }[] | undefined {
    const seen = new Map<string, number>();
    const entries: { id: string; key: string; item: unknown }[] = [];
    for (const item of items) {
        const itemKey = key(item);
        if (itemKey === undefined) {
            return undefined;
        }
        const occurrence = (seen.get(itemKey) ?? 0) + 1;
        seen.set(itemKey, occurrence);
        entries.push({ id: `${occurrence}:${itemKey}`, key: itemKey, item });
    }
    return entries;
}

/** A keyed list's changes: each item's own (at `list["key"]`), each added or removed item, then a change of order. Undefined when it cannot be keyed. */
function keyedListChanges(before: unknown, after: unknown, path: string, pattern: string, keys: ListKeys): PropertyChange[] | undefined {
    const key = keys(pattern);
    const isList = (value: unknown) => Array.isArray(value) || value === undefined;
    if (!key || !isList(before) || !isList(after) || (before === undefined && after === undefined)) {
        return undefined;
    }
    const was = keyed((before as unknown[] | undefined) ?? [], key);
    const is = keyed((after as unknown[] | undefined) ?? [], key);
    if (!was || !is) {
        return undefined;
    }
    const wasById = new Map(was.map((entry) => [entry.id, entry]));
    const isById = new Map(is.map((entry) => [entry.id, entry]));
    const changes: PropertyChange[] = [];
    for (const entry of was) {
        const now = isById.get(entry.id);
        if (now) {
            changes.push(...changesAt(entry.item, now.item, `${path}[${JSON.stringify(entry.key)}]`, `${pattern}[*]`, keys));
        } else {
            changes.push({ path, before: entry.item, after: undefined, item: { kind: "removed", key: entry.key } });
        }
    }
    for (const entry of is.filter((candidate) => !wasById.has(candidate.id))) {
        changes.push({ path, before: undefined, after: entry.item, item: { kind: "added", key: entry.key } });
    }
    const order = (entries: typeof was, other: Map<string, unknown>) => entries.filter((entry) => other.has(entry.id));
    const wasOrder = order(was, isById);
    const isOrder = order(is, wasById);
    if (wasOrder.some((entry, i) => entry.id !== isOrder[i]!.id)) {
        changes.push({
            path,
            before: wasOrder.map((entry) => entry.key),
            after: isOrder.map((entry) => entry.key),
            item: { kind: "reordered" },
        });
    }
    // An absent list and an empty one: no item differs, but the input does.
    return changes.length === 0 && !same(before, after) ? [{ path, before, after }] : changes;
}

function changesAt(before: unknown, after: unknown, path: string, pattern: string, keys: ListKeys): PropertyChange[] {
    if (isRecord(before) && isRecord(after)) {
        const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
        return names.flatMap((name) => changesAt(before[name], after[name], formatPath([path, name]), formatPath([pattern, name]), keys));
    }
    const byKey = keyedListChanges(before, after, path, pattern, keys);
    if (byKey) {
        return byKey;
    }
    if (Array.isArray(before) && Array.isArray(after)) {
        const length = Math.max(before.length, after.length);
        return Array.from({ length }, (_, i) => changesAt(before[i], after[i], formatPath([path, i]), `${pattern}[*]`, keys)).flat();
    }
    return same(before, after) ? [] : [{ path, before, after }];
}
