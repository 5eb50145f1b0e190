import { secretMarker } from "../../engine/values";
import { keyedPropertyChanges, propertyChanges, type ItemChange } from "./diff";
import { componentOf, type PlanGraph, type PlanResource } from "./graph";
import { listKeys } from "./list-keys";
import { replacedBy } from "./replace-rules";
import { summarize, summaryContextOf } from "./summaries";

/**
 * What `pulumi up` would do to go from one plan of a stack (the base: another revision, or a saved
 * plan) to another (the head): each resource created, updated in place, replaced or deleted, with
 * the inputs that change and, for a replacement, the inputs that force it. Values known only after
 * deploy compare as such on both sides ("(known after deploy)" against itself is no change);
 * secrets compare as "[secret]", so a secret's value never shows and its change is not seen. An
 * input the resource ignores (`ignoreChanges`) is left as the state has it, as Pulumi does, and
 * the change the program asked for there is listed apart ({@link IgnoredChange}).
 *
 * Whether a resource is updated or replaced is decided on its inputs compared by index, as the
 * provider compares them; the changes shown compare the lists that have an identity (list-keys.ts)
 * item by item on it, so one app role removed is one line.
 */

export type Op = "create" | "update" | "replace" | "delete";

export interface Change {
    /** The input's path: `sku.capacity`, `rules[0].name`, in a keyed list `hostnameConfigurations["api.fabrikam.com"].keyVaultId`. */
    path: string;
    before: unknown;
    after: unknown;
    /** An item of the keyed list at `path` added or removed, or its items reordered (commands/plan/diff.ts). */
    item?: ItemChange;
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
    /** A resource to create: its settings, as the plan's tree shows them under it (commands/plan/render.ts). */
    settings?: string;
}

/** A change the program asks for that Pulumi leaves alone: an input in the resource's `ignoreChanges`. */
export interface IgnoredChange {
    urn: string;
    type: string;
    name: string;
    /** The ignored input (`sku.capacity`). */
    path: string;
    /** What the head's program sets there. */
    requested: unknown;
    /** What stays: the base's value. */
    kept: unknown;
}

export interface PlanDiff {
    stack: string;
    steps: Step[];
    /** Resources that stay as they are, the stack itself left out (see {@link root}). */
    same: number;
    /**
     * The stack itself (`pulumi:pulumi:Stack`): created with a new stack, the same otherwise. Not a
     * step of {@link steps}, but counted as `pulumi preview` counts it ({@link changeSummary}).
     */
    root?: { urn: string; name: string; op: "create" | "same" };
    /** Inputs whose change Pulumi leaves alone, in the order of the head's resources (none when absent). */
    ignored?: IgnoredChange[];
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

/**
 * What the diff's steps leave out: the stack itself (counted apart, {@link PlanDiff.root}), what the
 * program only reads, and default providers, whose steps the engine keeps internal (Pulumi v3.248.0
 * pkg/engine/update.go `isInternalStep`, sdk/go/common/providers/reference.go `IsDefaultProvider`:
 * a provider whose name starts with "default"). A provider the program declares is a resource.
 */
const skipped = (resource: PlanResource) =>
    resource.type === "pulumi:pulumi:Stack" ||
    resource.type === "pulumi:pulumi:StackReference" ||
    (resource.type.startsWith("pulumi:providers:") && resource.name.startsWith("default"));

/** An input at a dotted path (`sku.capacity`). */
const at = (inputs: unknown, path: string) =>
    path
        .split(".")
        .reduce<unknown>(
            (value, key) => (value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined),
            inputs,
        );

/** A created resource's settings line, as the plan's tree prints it: the summary, then [protect] and the inputs that hold a secret. */
function settingsOf(resource: PlanResource, context: ReturnType<typeof summaryContextOf>): string {
    const secret = Object.keys(resource.inputs).filter((key) => JSON.stringify(resource.inputs[key] ?? null).includes(secretMarker));
    const flags = [resource.protect ? "[protect]" : "", secret.length > 0 ? `[secret: ${secret.join(", ")}]` : ""]
        .filter(Boolean)
        .join(" ");
    return [summarize(resource.type, resource.inputs, context), flags].filter(Boolean).join("  ");
}

const opOrder: Record<Op, number> = { delete: 0, replace: 1, update: 2, create: 3 };

export function diffPlans(base: PlanGraph, head: PlanGraph): PlanDiff {
    const baseByUrn = new Map(base.resources.map((resource) => [resource.urn, resource]));
    const headByUrn = new Map(head.resources.map((resource) => [resource.urn, resource]));
    const steps: Step[] = [];
    const ignored: IgnoredChange[] = [];
    const context = summaryContextOf(head.resources);
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
                settings: settingsOf(after, context),
            });
            continue;
        }
        // Pulumi keeps the state's value of an ignored input (`ignoreChanges`: autoscale owns the
        // units), so the resource as it will be has the base's value there.
        for (const path of after.ignoreChanges ?? []) {
            if (JSON.stringify(at(before.inputs, path)) !== JSON.stringify(at(after.inputs, path))) {
                ignored.push({
                    urn: after.urn,
                    type: after.type,
                    name: after.name,
                    path,
                    requested: at(after.inputs, path),
                    kept: at(before.inputs, path),
                });
            }
        }
        const kept = { ...after, inputs: keepIgnored(before.inputs, after.inputs, after.ignoreChanges ?? []) };
        // By index, as the provider compares: what decides a replacement.
        const byIndex = propertyChanges(before.inputs, kept.inputs).map((change) => ({
            ...change,
            rule: replacedBy(after.type, change.path),
        }));
        if (byIndex.length === 0 && before.protect === after.protect) {
            same++;
            continue;
        }
        const replaceReasons = [...new Set(byIndex.flatMap((change) => (change.rule === undefined ? [] : [change.rule])))];
        // For the reader, keyed lists by their items' identity; a change to a list as a whole
        // (an item added, removed, moved) forces the replacement an index change under it forces.
        const changes: Change[] = keyedPropertyChanges(before.inputs, kept.inputs, listKeys(after.type)).map((change) => {
            const rule =
                replacedBy(after.type, change.path) ??
                (change.item
                    ? byIndex.find((inner) => inner.rule !== undefined && inner.path.startsWith(`${change.path}[`))?.rule
                    : undefined);
            return rule === undefined ? { ...change } : { ...change, replacedBy: rule };
        });
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
    const stack = head.resources.find((resource) => resource.type === "pulumi:pulumi:Stack");
    const root = stack
        ? { urn: stack.urn, name: stack.name, op: baseByUrn.has(stack.urn) ? ("same" as const) : ("create" as const) }
        : undefined;
    return { stack: head.stack, steps, same, ...(root ? { root } : {}), ignored };
}

/**
 * How many resources of each kind of step, and how many stay the same, as `pulumi preview` counts
 * them: the stack itself is one (created with a new stack, the same after), as is every component;
 * default providers and reads of what did not change are not (Pulumi v3.248.0 pkg/engine/update.go
 * `previewActions.OnResourceStepPost` counts each logical step but the internal ones, `isInternalStep`;
 * pkg/backend/display/diff.go `renderSummaryEvent` prints the counts). So a new stack's "N to
 * create" is the plan's "+ N to create" (commands/plan/render.ts).
 */
export function changeSummary(diff: PlanDiff): Record<Op | "same", number> {
    const summary: Record<Op | "same", number> = { create: 0, update: 0, replace: 0, delete: 0, same: diff.same };
    for (const step of diff.steps) {
        summary[step.op]++;
    }
    if (diff.root) {
        summary[diff.root.op]++;
    }
    return summary;
}
