import { idTemplates } from "../../engine/mocks";
import type { StackRun } from "../../engine";
import { planGraph, type PlanGraph, type PlanResource } from "../plan/graph";
import { changeSummary, diffPlans, type Change, type PlanDiff, type Step } from "../plan/plan-diff";
import type { ArmResource, ServiceExport } from "./export";
import { adoptedOf } from "./import-file";
import { regionName } from "./map";

/**
 * What the first `pulumi up` after `pulumi import` would change: the plan-diff engine
 * (commands/plan/plan-diff.ts, which decides updates against replacements from the REST specs'
 * rules) run with the export as the base. The base holds each resource the import file adopts,
 * under the program's URN, with the inputs the program sets read from the export: a path
 * parameter from the resource's id, `location`, `sku`, `zones`, `identity` and `tags` from the
 * resource, anything else from its `properties` (azure-native's inputs are the ARM body's
 * properties, flattened). What the export does not hold for an input reads as unset. Properties the
 * program does not set are not compared: whether azure-native's diff of an imported resource
 * shows them is not verified here (docs/known-limits.md).
 */

const topLevel = new Set(["location", "sku", "zones", "identity", "tags"]);

/** The keys of a type's ARM id template (`resourceGroupName`, `serviceName`, `apiId`, ...). */
const pathKeys = (type: string) => new Set([...(idTemplates[type] ?? "").matchAll(/\{(\w+)\}/g)].map((match) => match[1]!));

/**
 * Inputs that are maps, not objects of a fixed shape: every key counts (a tag the program does not
 * set is one `pulumi up` removes), and only their values are kept to the program's shape.
 */
const maps = new Set(["tags", "userAssignedIdentities", "customProperties"]);

/**
 * `exported` kept to the keys `planned` has, at every depth: an object's keys the program sets,
 * each item of a list to the keys the program's items have, a map's values to the shape of the
 * program's. So what ARM returns beside what was sent (read-only values such as a region's public
 * IP addresses or an identity's principal id) is not read as a change, as at the top level.
 */
function restrict(exported: unknown, planned: unknown, key = ""): unknown {
    if (maps.has(key) && exported && typeof exported === "object" && !Array.isArray(exported)) {
        const shapes = planned && typeof planned === "object" ? Object.values(planned as Record<string, unknown>) : [];
        return Object.fromEntries(
            Object.entries(exported as Record<string, unknown>).map(([name, value]) => [
                name,
                shapes.length > 0 ? restrict(value, (planned as Record<string, unknown>)[name] ?? shapes[0]) : value,
            ]),
        );
    }
    if (Array.isArray(exported) && Array.isArray(planned)) {
        const shape = planned.filter((item) => item && typeof item === "object" && !Array.isArray(item));
        if (shape.length === 0) {
            return exported;
        }
        const keys = new Set(shape.flatMap((item) => Object.keys(item as object)));
        const merged = Object.fromEntries(
            [...keys].map((key) => [key, shape.map((item) => (item as Record<string, unknown>)[key]).find((value) => value !== undefined)]),
        );
        return exported.map((item) => restrict(item, merged));
    }
    if (
        exported &&
        typeof exported === "object" &&
        !Array.isArray(exported) &&
        planned &&
        typeof planned === "object" &&
        !Array.isArray(planned)
    ) {
        return Object.fromEntries(
            Object.entries(planned as Record<string, unknown>).flatMap(([key, value]) => {
                const found = (exported as Record<string, unknown>)[key];
                return found === undefined ? [] : [[key, restrict(found, value, key)]];
            }),
        );
    }
    return exported;
}

/**
 * ARM returns a region by its display name (`East US`), the program writes its name (`eastus`):
 * the same region. The export's are read as names, so only a different region is a change.
 */
function regionNames(key: string, value: unknown): unknown {
    if (key === "location" && typeof value === "string") {
        return regionName(value);
    }
    if (key === "additionalLocations" && Array.isArray(value)) {
        return value.map((item) =>
            item && typeof item === "object" && typeof item.location === "string" ? { ...item, location: regionName(item.location) } : item,
        );
    }
    return value;
}

/** The inputs an exported resource gives for the keys the program sets. */
export function exportedInputs(resource: PlanResource, exported: ArmResource): Record<string, unknown> {
    const keys = pathKeys(resource.type);
    const inputs: Record<string, unknown> = {};
    for (const key of Object.keys(resource.inputs)) {
        const value = keys.has(key)
            ? resource.inputs[key]
            : topLevel.has(key)
              ? (exported as unknown as Record<string, unknown>)[key]
              : exported.properties[key];
        if (value !== undefined) {
            inputs[key] = restrict(regionNames(key, value), resource.inputs[key], key);
        }
    }
    return inputs;
}

/** The base graph: the export as the state `pulumi import` leaves, in the program's names. */
export function exportGraph(run: StackRun, head: PlanGraph, exported: ServiceExport): PlanGraph {
    const { ids, components } = adoptedOf(run, exported);
    // What is adopted, with the export's inputs; the stack and the components above what is
    // adopted exist once imported, as they are.
    const resources = head.resources.flatMap((resource): PlanResource[] => {
        const id = ids.get(resource.urn);
        if (id) {
            return [{ ...resource, inputs: exportedInputs(resource, exported.ids.get(id.toLowerCase())!.resource), dependsOn: [] }];
        }
        return resource.type === "pulumi:pulumi:Stack" || components.has(resource.urn) ? [resource] : [];
    });
    return { stack: head.stack, resources, outputs: {} };
}

/** Why the program changes what it changes on an adopted resource, by input. */
function why(step: Step, change: Change): string {
    const type = step.type.split(":").pop()!;
    const key = change.path.split(/[.[]/)[0]!;
    if (/Policy$/.test(type) && key === "value") {
        return "the policy the program writes: for an API, its generated checks (rate limit, token validation, cache, forwarding) with policy.xml merged in; otherwise the policy file as adopt wrote it";
    }
    if (/Policy$/.test(type) && key === "format") {
        return "the program sends the policy XML-encoded (xml); the export is rawxml, the same document";
    }
    if (type === "Api" && (key === "format" || key === "value" || key === "wsdlSelector" || key === "soapApiType")) {
        return "the specification is imported again from the file adopt wrote (the exported document), so API Management rebuilds the revision's operations from it";
    }
    if (type === "Api" && (key === "apiVersion" || key === "apiVersionSetId")) {
        return "the API joins its version set, with the version in a path segment (the catalog's versioning)";
    }
    if (type === "Api" && (key === "subscriptionRequired" || key === "protocols")) {
        return "every API needs a subscription and HTTPS";
    }
    if (type === "Api" && key === "serviceUrl") {
        return "the backend URL is the stack's gateway.backends.<api>.url";
    }
    if (type === "Api" && (key === "apiRevisionDescription" || key === "description" || key === "displayName")) {
        return "the text in api.yaml";
    }
    if (key === "tags") {
        return "the stack's tags";
    }
    if (type === "ApiManagementService") {
        return "the service as the stack file and the program's baseline set it (identity, TLS, host names, network access)";
    }
    if (type === "Product") {
        return "every product needs a subscription approved by an administrator, published";
    }
    return "what the program sets";
}

const shown = (value: unknown) => {
    const text = value === undefined ? "(unset)" : typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value);
    return text.length > 100 ? `${text.slice(0, 97)}...` : text;
};

export interface AdoptionDiff {
    diff: PlanDiff;
    /** The report, as printed. */
    text: string;
}

/** The diff of the plan against the export, and its report. */
export function adoptionDiff(run: StackRun, exported: ServiceExport): AdoptionDiff {
    const head = planGraph(run);
    const base = exportGraph(run, head, exported);
    const diff = diffPlans(base, head);
    const summary = changeSummary(diff);
    const lines = [
        `The first pulumi up after pulumi import, against the export: ${summary.replace} to replace, ${summary.update} to update, ${summary.create} to create, ${summary.same} unchanged.`,
    ];
    const symbol = { replace: "+-", update: "~", create: "+", delete: "-" } as const;
    for (const step of diff.steps.filter((candidate) => candidate.op !== "create")) {
        lines.push(
            `${symbol[step.op]} ${step.type} ${step.name}${step.op === "replace" ? ` (replaced because of ${step.replaceReasons.join(", ")})` : ""}`,
        );
        const reasons = new Map<string, string[]>();
        for (const change of step.changes) {
            const reason = why(step, change);
            reasons.set(reason, [...(reasons.get(reason) ?? []), `${change.path}: ${shown(change.before)} => ${shown(change.after)}`]);
        }
        for (const [reason, changes] of reasons) {
            lines.push(`    ${changes.join("\n    ")}\n      why: ${reason}`);
        }
    }
    const created = diff.steps.filter((step) => step.op === "create");
    if (created.length > 0) {
        const byType = new Map<string, number>();
        for (const step of created) {
            byType.set(step.type, (byType.get(step.type) ?? 0) + 1);
        }
        lines.push(
            `+ ${created.length} to create, new beside the service (Key Vault, workflows, monitoring, identity, and what the export lacks): ${[...byType].map(([type, count]) => `${count} ${type.split(":").pop()}`).join(", ")}`,
        );
    }
    return { diff, text: lines.join("\n") };
}
