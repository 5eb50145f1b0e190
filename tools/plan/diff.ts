/**
 * What would change between two states of one stack's resources: the resources to create, update
 * and delete, and for each update the inputs that change, property by property. A resource is the
 * same resource in both when its URN is the same; its inputs are compared as data (objects key by
 * key, lists item by item).
 */

/** A resource as a state or a plan holds it: its URN and its inputs. */
export interface StateResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
}

/** One input that changes: where (`url`, `keyVault.secretIdentifier`, `rules[0].name`), from what, to what. */
export interface PropertyChange {
    readonly path: string;
    readonly before: unknown;
    readonly after: unknown;
}

export interface ResourceChange {
    readonly op: "create" | "update" | "delete";
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** The inputs that change (an update's); empty for a create or a delete. */
    readonly changes: readonly PropertyChange[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The inputs that differ between `before` and `after`, deepest first where both are objects or lists. */
export function propertyChanges(before: unknown, after: unknown, path = ""): PropertyChange[] {
    if (isRecord(before) && isRecord(after)) {
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
        return keys.flatMap((key) => propertyChanges(before[key], after[key], path ? `${path}.${key}` : key));
    }
    if (Array.isArray(before) && Array.isArray(after)) {
        const length = Math.max(before.length, after.length);
        return Array.from({ length }, (_, i) => propertyChanges(before[i], after[i], `${path}[${i}]`)).flat();
    }
    return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path, before, after }];
}

/** The changes from `before` (a state) to `after` (what the program declares now), in `after`'s order, deletes last. */
export function diffResources(before: readonly StateResource[], after: readonly StateResource[]): ResourceChange[] {
    const old = new Map(before.map((resource) => [resource.urn, resource]));
    const declared = new Set(after.map((resource) => resource.urn));
    const changes: ResourceChange[] = [];
    for (const resource of after) {
        const previous = old.get(resource.urn);
        if (!previous) {
            changes.push({ op: "create", urn: resource.urn, type: resource.type, name: resource.name, changes: [] });
            continue;
        }
        const properties = propertyChanges(previous.inputs, resource.inputs);
        if (properties.length > 0) {
            changes.push({ op: "update", urn: resource.urn, type: resource.type, name: resource.name, changes: properties });
        }
    }
    for (const resource of before) {
        if (!declared.has(resource.urn)) {
            changes.push({ op: "delete", urn: resource.urn, type: resource.type, name: resource.name, changes: [] });
        }
    }
    return changes;
}

const shown = (value: unknown) => (value === undefined ? "(none)" : JSON.stringify(value));
const symbols = { create: "+", update: "~", delete: "-" } as const;

/** The changes as lines a reviewer reads: `~ <type> <name>` and under it `    path: before => after`. */
export function changesText(changes: readonly ResourceChange[]): string {
    if (changes.length === 0) {
        return "no changes";
    }
    return changes
        .flatMap((change) => [`${symbols[change.op]} ${change.op} ${change.type} ${change.name}`, ...change.changes.map((property) => `    ${property.path}: ${shown(property.before)} => ${shown(property.after)}`)])
        .join("\n");
}
