import { UnresolvedStackReference } from "./references";
import type { Fabricated } from "./mocks";
import { PlanRenderer, containsSecret, plainValue, withHashedInputs } from "./values";

/**
 * What a program registers, recorded from the resource monitor's requests and answers. One
 * recording for both transports: the in-process run wraps Pulumi's mock monitor with it, the run
 * through Pulumi's language host feeds it from the gRPC resource monitor (engine/host).
 */

export interface RegisteredResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** URN of the parent (the stack itself for top-level resources). */
    readonly parent?: string;
    /** A custom resource, managed by a provider (true), or a component (false). */
    readonly custom: boolean;
    /** Read, not managed (`StackReference`, `get` functions). */
    readonly read: boolean;
    readonly protect: boolean;
    /** Input paths whose changes Pulumi ignores (`ignoreChanges`). */
    readonly ignoreChanges: readonly string[];
    /** Left in Azure when removed from the program (`retainOnDelete`). */
    readonly retainOnDelete: boolean;
    /** URNs this resource waits for: explicit `dependsOn` and the resources its inputs come from. */
    readonly dependsOn: readonly string[];
    /** Provider reference (`urn::id`), when the resource names one explicitly. */
    readonly provider?: string;
    readonly id?: string;
    /** The inputs as the program passed them (secrets unwrapped). */
    readonly inputs: Record<string, any>;
    /** The inputs as the program serialized them (Pulumi's wire form: secrets and unknowns marked). */
    readonly rawInputs: Record<string, unknown>;
    /** Top-level input names whose values are secret. */
    readonly secretInputs: readonly string[];
    /** The state the mocks returned, or a component's registered outputs. */
    readonly outputs: Record<string, any>;
    /** The outputs in Pulumi's wire form (secrets and unknowns marked). */
    readonly rawOutputs: Record<string, unknown>;
    /** The inputs as the plan shows them: "[secret]" and "(known after deploy)" markers. */
    readonly planInputs: Record<string, unknown>;
}

export interface StackRun {
    readonly project: string;
    readonly stack: string;
    /** Every registered resource, the stack itself first, in registration order. */
    readonly resources: readonly RegisteredResource[];
    /** Stack outputs, plain. */
    readonly outputs: Record<string, any>;
    /** Stack outputs as the plan shows them. */
    readonly planOutputs: Record<string, unknown>;
    /** Every value the mocks invented in this run (and in the runs its stack references came from). */
    readonly fabricated: readonly import("./mocks").FabricatedEntry[];
    /** The invented values a real `pulumi preview` would know (the signed-in identity, referenced stacks' outputs). */
    readonly knownInPreview: readonly string[];
    /**
     * What the Pulumi CLI would warn about in the project and stack files, and what it ignores;
     * then what the program warned about (`pulumi.log.warn`).
     */
    readonly warnings: readonly string[];
    /** Names of the stack outputs that are secret. */
    readonly secretOutputs: readonly string[];
    /** The config the program ran with: namespaced key to text, and the secret keys. */
    readonly config: { readonly values: Readonly<Record<string, string>>; readonly secretKeys: readonly string[] };
    /**
     * How the program ran: in this process under Pulumi's mocks, or through Pulumi's Node.js
     * language host; or not at all (a run rebuilt from a plan graph).
     */
    readonly transport: "mocks" | "language-host" | "plan graph";
    /** The registered resources of a type token, in registration order. */
    ofType(type: string): RegisteredResource[];
    /** The one resource with this type and logical name; throws when there is none. */
    get(type: string, name: string): RegisteredResource;
}

interface Recorded {
    urn: string;
    type: string;
    name: string;
    parent?: string;
    custom: boolean;
    read: boolean;
    protect: boolean;
    ignoreChanges: string[];
    retainOnDelete: boolean;
    dependsOn: string[];
    provider?: string;
    id?: string;
    rawInputs: Record<string, unknown>;
    rawOutputs: Record<string, unknown>;
}

interface StructLike {
    toJavaScript(): Record<string, unknown>;
}

const toJs = (struct: StructLike | undefined) => struct?.toJavaScript() ?? {};

/**
 * The requests of the resource monitor protocol the recorder reads (`RegisterResourceRequest`,
 * `ReadResourceRequest`, `RegisterResourceOutputsRequest` of `@pulumi/pulumi/proto/resource_pb`),
 * whichever transport delivered them.
 */
type Request = any;

/** Records what one program run registers, and turns it into a {@link StackRun}. */
export class Recorder {
    private readonly recorded = new Map<string, Recorded>();
    private failure: unknown;

    constructor(
        private readonly project: string,
        private readonly stack: string,
    ) {}

    /**
     * The URN the Pulumi engine gives a recorded resource: the type part chains every ancestor's
     * type below the stack (`Parent$Child$Grandchild`). Pulumi's mock monitor keeps only the
     * parent's, so its URNs are mapped; the host's resource monitor answers these already.
     */
    private engineUrns(): (urn: string) => string {
        const qualified = new Map<string, string>();
        const qualifiedType = (entry: Recorded): string => {
            const cached = qualified.get(entry.urn);
            if (cached) {
                return cached;
            }
            const parent = entry.parent ? this.recorded.get(entry.parent) : undefined;
            const type = parent && parent.type !== "pulumi:pulumi:Stack" ? `${qualifiedType(parent)}$${entry.type}` : entry.type;
            qualified.set(entry.urn, type);
            return type;
        };
        return (urn) => {
            const entry = this.recorded.get(urn);
            return entry ? `urn:pulumi:${this.stack}::${this.project}::${qualifiedType(entry)}::${entry.name}` : urn;
        };
    }

    /** A resource the program registered, with the monitor's answer. */
    registered(req: Request, urn: string, id: string, outputs: StructLike | undefined): void {
        this.recorded.set(urn, {
            urn,
            type: req.getType(),
            name: req.getName(),
            parent: req.getParent() || undefined,
            custom: req.getCustom(),
            read: false,
            protect: Boolean(req.getProtect()),
            ignoreChanges: req.getIgnorechangesList(),
            retainOnDelete: Boolean(req.getRetainondelete()),
            dependsOn: req.getDependenciesList(),
            provider: req.getProvider() || undefined,
            id: id || undefined,
            rawInputs: toJs(req.getObject()),
            rawOutputs: toJs(outputs),
        });
    }

    /** A resource the program read (`StackReference`, `get`), with the monitor's answer. */
    read(req: Request, urn: string, outputs: StructLike | undefined): void {
        this.recorded.set(urn, {
            urn,
            type: req.getType(),
            name: req.getName(),
            parent: req.getParent() || undefined,
            custom: true,
            read: true,
            protect: false,
            ignoreChanges: [],
            retainOnDelete: false,
            dependsOn: req.getDependenciesList(),
            provider: req.getProvider() || undefined,
            id: req.getId() || undefined,
            rawInputs: toJs(req.getProperties()),
            rawOutputs: toJs(outputs),
        });
    }

    /** A component's (or the stack's) registered outputs. */
    outputs(req: Request): void {
        const entry = this.recorded.get(req.getUrn());
        if (entry) {
            entry.rawOutputs = toJs(req.getOutputs());
        }
    }

    /**
     * A call the monitor could not answer. The first one is kept: a stack reference the run must
     * be given (the caller plans that stack and runs again), or the error that ends the run.
     */
    failed(verb: "Registering" | "Reading", req: Request, error: unknown): unknown {
        const failure =
            error instanceof UnresolvedStackReference
                ? error
                : new Error(`${verb} ${req.getType()} "${req.getName()}" failed: ${(error as Error).message ?? String(error)}`);
        this.failure ??= failure;
        return failure;
    }

    /** The first failed call, if any. */
    get firstFailure(): unknown {
        return this.failure;
    }

    /** The run, with every value the mocks invented marked for the plan. */
    toRun(details: {
        fabricated: Fabricated;
        warnings: readonly string[];
        config: StackRun["config"];
        transport: "mocks" | "language-host";
    }): StackRun {
        const renderer = new PlanRenderer(details.fabricated);
        const urnOf = this.engineUrns();
        const resources = [...this.recorded.values()].map<RegisteredResource>((entry) => ({
            urn: urnOf(entry.urn),
            type: entry.type,
            name: entry.name,
            parent: entry.parent ? urnOf(entry.parent) : undefined,
            custom: entry.custom,
            read: entry.read,
            protect: entry.protect,
            ignoreChanges: entry.ignoreChanges,
            retainOnDelete: entry.retainOnDelete,
            dependsOn: entry.dependsOn.map(urnOf),
            provider: entry.provider,
            id: entry.id,
            inputs: plainValue(entry.rawInputs) as Record<string, unknown>,
            rawInputs: entry.rawInputs,
            secretInputs: Object.keys(entry.rawInputs).filter((key) => containsSecret(entry.rawInputs[key])),
            outputs: plainValue(entry.rawOutputs) as Record<string, unknown>,
            rawOutputs: entry.rawOutputs,
            planInputs: withHashedInputs(entry.type, renderer.render(entry.rawInputs) as Record<string, unknown>),
        }));
        canonicalOrder(resources);
        const rawOutputs = [...this.recorded.values()].find((entry) => entry.type === "pulumi:pulumi:Stack")?.rawOutputs ?? {};
        return {
            project: this.project,
            stack: this.stack,
            resources,
            outputs: plainValue(rawOutputs) as Record<string, unknown>,
            planOutputs: renderer.render(rawOutputs) as Record<string, unknown>,
            fabricated: details.fabricated.all(),
            knownInPreview: details.fabricated.knownInPreview(),
            warnings: details.warnings,
            secretOutputs: Object.keys(rawOutputs).filter((key) => containsSecret(rawOutputs[key])),
            config: details.config,
            transport: details.transport,
            ofType: (type) => resources.filter((resource) => resource.type === type),
            get(type, name) {
                const found = resources.find((resource) => resource.type === type && resource.name === name);
                if (!found) {
                    const names = resources.filter((resource) => resource.type === type).map((resource) => resource.name);
                    throw new Error(`No ${type} named "${name}" was registered (registered: ${names.join(", ") || "none"})`);
                }
                return found;
            },
        };
    }
}

/**
 * Puts resources in an order that does not depend on when the engine heard of them (over gRPC,
 * the order of registrations varies from run to run with the timing of the answers): each parent
 * before its children; siblings after the siblings they depend on (directly or through their
 * children), otherwise by name, then type. Sorts in place.
 */
export function canonicalOrder(resources: RegisteredResource[]): void {
    const known = new Set(resources.map((resource) => resource.urn));
    const children = new Map<string | undefined, RegisteredResource[]>();
    for (const resource of resources) {
        const parent = resource.parent && known.has(resource.parent) ? resource.parent : undefined;
        const siblings = children.get(parent) ?? [];
        siblings.push(resource);
        children.set(parent, siblings);
    }
    const byKey = (a: RegisteredResource, b: RegisteredResource) =>
        a.name === b.name ? (a.type < b.type ? -1 : a.type > b.type ? 1 : 0) : a.name < b.name ? -1 : 1;
    /** Every URN a resource or its descendants depend on. */
    const needs = (resource: RegisteredResource): string[] => [...resource.dependsOn, ...(children.get(resource.urn) ?? []).flatMap(needs)];
    /** Every URN of a resource and its descendants. */
    const within = (resource: RegisteredResource): string[] => [resource.urn, ...(children.get(resource.urn) ?? []).flatMap(within)];
    const ordered: RegisteredResource[] = [];
    const place = (siblings: readonly RegisteredResource[]) => {
        const owner = new Map<string, RegisteredResource>();
        for (const sibling of siblings) {
            for (const urn of within(sibling)) {
                owner.set(urn, sibling);
            }
        }
        const waitsFor = new Map(
            siblings.map((sibling) => [
                sibling,
                new Set(
                    needs(sibling)
                        .map((urn) => owner.get(urn))
                        .filter((found): found is RegisteredResource => found !== undefined && found !== sibling),
                ),
            ]),
        );
        const pending = [...siblings].sort(byKey);
        const unplaced = new Set(pending);
        while (pending.length > 0) {
            // The first by name whose sibling dependencies are placed (or, in a cycle, the first).
            const index = Math.max(
                0,
                pending.findIndex((candidate) => [...waitsFor.get(candidate)!].every((dependency) => !unplaced.has(dependency))),
            );
            const [next] = pending.splice(index, 1);
            unplaced.delete(next!);
            ordered.push(next!);
            place(children.get(next!.urn) ?? []);
        }
    };
    place(children.get(undefined) ?? []);
    resources.splice(0, resources.length, ...ordered);
}
