import type { StackRun } from "../../engine";

/**
 * A stack's plan as `npm run plan -- <stack> --json` prints it: every resource with its inputs as a
 * reviewer may see them ("[secret]" for secrets, "(known after deploy)" for what Azure assigns),
 * and the stack's outputs. Two of them, from two revisions, are what a plan diff compares.
 */
export interface PlanGraph {
    stack: string;
    resources: PlanResource[];
    outputs: Record<string, unknown>;
}

export interface PlanResource {
    urn: string;
    type: string;
    name: string;
    parent: string | null;
    custom: boolean;
    inputs: Record<string, unknown>;
    protect: boolean;
    dependsOn: string[];
    /** Inputs whose changes Pulumi leaves alone once the resource exists (`ignoreChanges`); absent in older saved plans. */
    ignoreChanges?: string[];
}

/**
 * The plan graph of a run; with `deployed`, its inputs as the mocks deployed them (no markers), as a
 * refreshed state of the stack would hold them.
 */
export function planGraph(run: StackRun, options: { deployed?: boolean } = {}): PlanGraph {
    return {
        stack: run.stack,
        resources: run.resources.map((resource) => ({
            urn: resource.urn,
            type: resource.type,
            name: resource.name,
            parent: resource.parent ?? null,
            custom: resource.custom,
            inputs: options.deployed ? resource.inputs : resource.planInputs,
            protect: resource.protect,
            dependsOn: [...resource.dependsOn],
            ignoreChanges: [...resource.ignoreChanges],
        })),
        outputs: run.planOutputs,
    };
}

/** Reads a plan graph from `--json` output; throws naming `source` when it is not one. */
export function parsePlanGraph(text: string, source: string): PlanGraph {
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (error) {
        throw new Error(`${source}: is not JSON (${(error as Error).message}); expected the output of npm run plan -- <stack> --json`);
    }
    const graph = value as Partial<PlanGraph>;
    if (!graph || typeof graph !== "object" || typeof graph.stack !== "string" || !Array.isArray(graph.resources)) {
        throw new Error(`${source}: is not a plan (expected the output of npm run plan -- <stack> --json: { stack, resources, outputs })`);
    }
    for (const [i, resource] of graph.resources.entries()) {
        if (!resource || typeof resource.urn !== "string" || typeof resource.type !== "string" || typeof resource.inputs !== "object") {
            throw new Error(
                `${source}: resources[${i}] is not a planned resource (expected urn, type, name, parent, custom, inputs, protect, dependsOn)`,
            );
        }
    }
    return { stack: graph.stack, resources: graph.resources, outputs: graph.outputs ?? {} };
}

/** The component a resource belongs to: its ancestor just under the stack, as `type name`; "stack" for the stack's own. */
export function componentOf(resource: PlanResource, byUrn: ReadonlyMap<string, PlanResource>): string {
    let current = resource;
    for (;;) {
        const parent = current.parent ? byUrn.get(current.parent) : undefined;
        if (!parent || parent.type === "pulumi:pulumi:Stack") {
            return current === resource && !resource.custom
                ? `${resource.type} ${resource.name}`
                : current === resource
                  ? "stack"
                  : `${current.type} ${current.name}`;
        }
        current = parent;
    }
}

/**
 * A plan graph as a run, for what reads runs (the cost estimate): its resources with their plan
 * inputs. Values the graph shows as "(known after deploy)" stay so; ids are unknown.
 */
export function runOfGraph(graph: PlanGraph): StackRun {
    const resources: StackRun["resources"] = graph.resources.map((resource) => ({
        urn: resource.urn,
        type: resource.type,
        name: resource.name,
        parent: resource.parent ?? undefined,
        custom: resource.custom,
        read: resource.type === "pulumi:pulumi:StackReference",
        protect: resource.protect,
        ignoreChanges: resource.ignoreChanges ?? [],
        retainOnDelete: false,
        dependsOn: resource.dependsOn,
        inputs: resource.inputs as Record<string, any>,
        rawInputs: resource.inputs,
        secretInputs: [],
        outputs: {},
        rawOutputs: {},
        planInputs: resource.inputs,
    }));
    const ofType = (type: string) => resources.filter((resource) => resource.type === type);
    return {
        project: "",
        stack: graph.stack,
        resources,
        outputs: graph.outputs,
        planOutputs: graph.outputs,
        fabricated: [],
        knownInPreview: [],
        warnings: [],
        secretOutputs: [],
        // A plan graph keeps no config: what reads it (the cost estimate) takes the volumes apart.
        config: { values: {}, secretKeys: [] },
        transport: "plan graph",
        ofType,
        get: (type: string, name: string) => {
            const found = ofType(type).find((resource) => resource.name === name);
            if (!found) {
                throw new Error(`no ${type} named ${name} in the plan of ${graph.stack}`);
            }
            return found;
        },
    };
}
