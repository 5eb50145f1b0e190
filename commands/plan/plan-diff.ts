import { propertyChanges } from "./diff";
import { componentOf, type PlanGraph, type PlanResource } from "./graph";
import { replacedBy } from "./replace-rules";

/**
 * What `pulumi up` would do to go from one plan of a stack (the base: another revision, or a saved
 * plan) to another (the head): each resource created, updated in place, replaced or deleted, with
 * the inputs that change and, for a replacement, the inputs that force it. Values known only after
 * deploy compare as such on both sides ("(known after deploy)" against itself is no change);
 * secrets compare as "[secret]", so a secret's value never shows and its change is not seen. An
 * input the resource ignores (`ignoreChanges`) is left as the state has it, as Pulumi does.
 */

export type Op = "create" | "update" | "replace" | "delete";

export interface Change {
    /** The input's path: `sku.capacity`, `hostnameConfigurations[0].hostName`. */
    path: string;
    before: unknown;
    after: unknown;
    /** The rule that makes this change a replacement (the input, or the part of it the rule names). */
    replacedBy?: string;
}

export interface Step {
    op: Op;
    urn: string;
    type: string;
    name: string;
    /** The component the resource belongs to (`enterprise-integration:gateway:ApiGateway gateway`), or "stack". */
    component: string;
    /** The resource in the base plan (updates, replacements, deletes). */
    before?: PlanResource;
    /** The resource in the head plan (creates, updates, replacements). */
    after?: PlanResource;
    changes: Change[];
    /** The inputs that force the replacement, as `pulumi preview` lists them. */
    replaceReasons: string[];
}

export interface PlanDiff {
    stack: string;
    steps: Step[];
    /** Resources that stay as they are. */
    same: number;
}

/**
 * `after`'s inputs with the base's value at each ignored path (`sku.capacity`): what Pulumi sends
 * for an existing resource whose inputs it is told to leave alone.
 */
function keepIgnored(before: Record<string, unknown>, after: Record<string, unknown>, paths: readonly string[]): Record<string, unknown> {
    if (paths.length === 0) {
        return after;
    }
    const kept = structuredClone(after);
    for (const path of paths) {
        const keys = path.split(".");
        const read = (from: unknown) =>
            keys.reduce<unknown>(
                (value, key) => (value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined),
                from,
            );
        let target = kept as Record<string, unknown>;
        for (const key of keys.slice(0, -1)) {
            if (!target[key] || typeof target[key] !== "object") {
                target[key] = {};
            }
            target = target[key] as Record<string, unknown>;
        }
        const value = read(before);
        if (value === undefined) {
            delete target[keys[keys.length - 1]!];
        } else {
            target[keys[keys.length - 1]!] = value;
        }
    }
    return kept;
}

/** What the diff leaves out: the stack itself and what it only reads. */
const skipped = (resource: PlanResource) =>
    resource.type === "pulumi:pulumi:Stack" ||
    resource.type === "pulumi:pulumi:StackReference" ||
    resource.type.startsWith("pulumi:providers:");

const opOrder: Record<Op, number> = { delete: 0, replace: 1, update: 2, create: 3 };

export function diffPlans(base: PlanGraph, head: PlanGraph): PlanDiff {
    const baseByUrn = new Map(base.resources.map((resource) => [resource.urn, resource]));
    const headByUrn = new Map(head.resources.map((resource) => [resource.urn, resource]));
    const steps: Step[] = [];
    let same = 0;
    for (const after of head.resources.filter((resource) => !skipped(resource))) {
        const before = baseByUrn.get(after.urn);
        const component = componentOf(after, headByUrn);
        if (!before) {
            steps.push({
                op: "create",
                urn: after.urn,
                type: after.type,
                name: after.name,
                component,
                after,
                changes: [],
                replaceReasons: [],
            });
            continue;
        }
        // Pulumi keeps the state's value of an ignored input (`ignoreChanges`: autoscale owns the
        // units), so the resource as it will be has the base's value there.
        const kept = { ...after, inputs: keepIgnored(before.inputs, after.inputs, after.ignoreChanges ?? []) };
        const changes: Change[] = propertyChanges(before.inputs, kept.inputs).map((change) => {
            const rule = replacedBy(after.type, change.path);
            return rule === undefined ? change : { ...change, replacedBy: rule };
        });
        if (changes.length === 0 && before.protect === after.protect) {
            same++;
            continue;
        }
        const replaceReasons = [...new Set(changes.flatMap((change) => (change.replacedBy ? [change.replacedBy] : [])))];
        steps.push({
            op: replaceReasons.length > 0 ? "replace" : "update",
            urn: after.urn,
            type: after.type,
            name: after.name,
            component,
            before,
            after: kept,
            changes,
            replaceReasons,
        });
    }
    for (const before of base.resources.filter((resource) => !skipped(resource) && !headByUrn.has(resource.urn))) {
        steps.push({
            op: "delete",
            urn: before.urn,
            type: before.type,
            name: before.name,
            component: componentOf(before, baseByUrn),
            before,
            changes: [],
            replaceReasons: [],
        });
    }
    steps.sort((a, b) => a.component.localeCompare(b.component) || opOrder[a.op] - opOrder[b.op] || a.urn.localeCompare(b.urn));
    return { stack: head.stack, steps, same };
}

/** How many steps of each kind, and how many resources stay the same. */
export function changeSummary(diff: PlanDiff): Record<Op | "same", number> {
    const summary: Record<Op | "same", number> = { create: 0, update: 0, replace: 0, delete: 0, same: diff.same };
    for (const step of diff.steps) {
        summary[step.op]++;
    }
    return summary;
}
