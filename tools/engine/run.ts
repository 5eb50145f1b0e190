import * as pulumi from "@pulumi/pulumi";
import { Fabricated, createMocks, guidOf, type FabricatedEntry, type MockEnvironment } from "./mocks";
import { loadProject, loadStackFile, programConfig, repoRoot } from "./project";
import { UnresolvedStackReference, type ReferencedOutputs } from "./references";
import { PlanRenderer, containsSecret, plainValue, withHashedInputs } from "./values";

/**
 * The mock engine: runs the real program for one stack, with that stack's `Pulumi.<stack>.yaml`
 * as config, under Pulumi's mocks, and returns every resource it registered and the stack
 * outputs. The tests and the `plan` command both stand on it.
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
    /** Top-level input names whose values are secret. */
    readonly secretInputs: readonly string[];
    /** The state the mocks returned, or a component's registered outputs. */
    readonly outputs: Record<string, any>;
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
    readonly fabricated: readonly FabricatedEntry[];
    /**
     * What the Pulumi CLI would warn about in the project and stack files, and what it ignores;
     * then what the program warned about (`pulumi.log.warn`).
     */
    readonly warnings: readonly string[];
    /** Names of the stack outputs that are secret. */
    readonly secretOutputs: readonly string[];
    /** The registered resources of a type token, in registration order. */
    ofType(type: string): RegisteredResource[];
    /** The one resource with this type and logical name; throws when there is none. */
    get(type: string, name: string): RegisteredResource;
}

export interface RunOptions {
    /** Stack name; `Pulumi.<stack>.yaml` must exist in the project directory. */
    readonly stack: string;
    /** Directory of `Pulumi.yaml`. Default: the repository root. */
    readonly projectDir?: string;
    /**
     * Config to lay over the stack file, by key (bare keys are in the project's namespace);
     * `undefined` removes a key. Values are YAML-shaped (objects, lists, strings, numbers).
     */
    readonly config?: Record<string, unknown>;
    /** The program to run. Default: the project's stack assembly. */
    readonly program?: () => Promise<Record<string, unknown> | void>;
    /** Values invented by the runs that `stackReferences` come from, shown as unknown here too. Default: none. */
    readonly fabricated?: readonly FabricatedEntry[];
    /**
     * Outputs of other stacks, by reference name, for `StackReference`. A reference to a stack of
     * this project that is not here fails the run (`planStack` plans that stack first); another
     * project's stack reads as unknown. Default: none.
     */
    readonly stackReferences?: Readonly<Record<string, ReferencedOutputs>>;
    /** Which set of values the mocks invent (see `MockEnvironment.variant`). Default 0. */
    readonly variant?: number;
    /** Organization name Pulumi reports. Default: `organization` (a self-managed backend's). */
    readonly organization?: string;
    /** Called for each resource as it is registered, before the run ends (or fails). */
    readonly onRegister?: (resource: { readonly type: string; readonly name: string }) => void;
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

type Callback = (err: unknown, response: any) => void;

interface MonitorLike {
    invoke(req: any, callback: Callback): Promise<void>;
    registerResource(req: any, callback: Callback): Promise<void>;
    readResource(req: any, callback: Callback): Promise<void>;
    registerResourceOutputs(req: any, callback: Callback): void;
}

function recordingMonitor(
    monitor: MonitorLike,
    recorded: Map<string, Recorded>,
    onRegister: RunOptions["onRegister"],
    onError: (error: unknown) => void,
): void {
    const invoke = monitor.invoke.bind(monitor);
    const registerResource = monitor.registerResource.bind(monitor);
    const readResource = monitor.readResource.bind(monitor);
    const registerResourceOutputs = monitor.registerResourceOutputs.bind(monitor);

    // Pulumi reports a failed function call by its gRPC `details`, which a mock's error lacks.
    monitor.invoke = (req, callback) =>
        invoke(req, (err, response) => {
            if (err instanceof Error && !("details" in err)) {
                Object.assign(err, { details: err.message });
            }
            callback(err, response);
        });

    const toJs = (struct: StructLike | undefined) => struct?.toJavaScript() ?? {};

    /** Wraps a monitor call so the resource it registers or reads is recorded, and a failure ends the run. */
    const recording =
        (verb: string, call: (req: any, callback: Callback) => Promise<void>, describe: (req: any, response: any) => Omit<Recorded, "urn">) =>
        (req: any, callback: Callback) =>
            call(req, (err, response) => {
                if (err instanceof UnresolvedStackReference) {
                    onError(err);
                } else if (err) {
                    onError(new Error(`${verb} ${req.getType()} "${req.getName()}" failed: ${(err as Error).message ?? String(err)}`));
                } else if (response) {
                    const urn: string = response.getUrn();
                    recorded.set(urn, { urn, ...describe(req, response) });
                }
                callback(err, response);
            });

    const register = recording("Registering", registerResource, (req, response) => ({
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
        id: response.getId() || undefined,
        rawInputs: toJs(req.getObject()),
        rawOutputs: toJs(response.getObject()),
    }));
    monitor.registerResource = (req, callback) => {
        onRegister?.({ type: req.getType(), name: req.getName() });
        return register(req, callback);
    };

    monitor.readResource = recording("Reading", readResource, (req, response) => ({
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
        rawOutputs: toJs(response.getProperties()),
    }));

    monitor.registerResourceOutputs = (req, callback) => {
        const entry = recorded.get(req.getUrn());
        if (entry) {
            entry.rawOutputs = toJs(req.getOutputs());
        }
        registerResourceOutputs(req, callback);
    };
}

/**
 * The URNs the Pulumi engine gives: the type part chains every ancestor's type below the stack
 * (`Parent$Child$Grandchild`). The mock monitor keeps only the parent's, so its URNs are mapped.
 */
function engineUrns(recorded: ReadonlyMap<string, Recorded>, project: string, stack: string): (mockUrn: string) => string {
    const qualified = new Map<string, string>();
    const qualifiedType = (entry: Recorded): string => {
        const cached = qualified.get(entry.urn);
        if (cached) {
            return cached;
        }
        const parent = entry.parent ? recorded.get(entry.parent) : undefined;
        const type = parent && parent.type !== "pulumi:pulumi:Stack" ? `${qualifiedType(parent)}$${entry.type}` : entry.type;
        qualified.set(entry.urn, type);
        return type;
    };
    return (mockUrn) => {
        const entry = recorded.get(mockUrn);
        return entry ? `urn:pulumi:${stack}::${project}::${qualifiedType(entry)}::${entry.name}` : mockUrn;
    };
}

/** The mock Azure login: a subscription and tenant derived from the stack, stable across runs. */
function mockEnvironment(project: string, stack: string, stackReferences: Readonly<Record<string, ReferencedOutputs>>, variant: number): MockEnvironment {
    const seed = variant === 0 ? project : `${project}#${variant}`;
    return {
        subscriptionId: guidOf(`${seed}/${stack}:subscription`),
        tenantId: guidOf(`${seed}:tenant`),
        deployerObjectId: guidOf(`${seed}/${stack}:deployer-object`),
        deployerClientId: guidOf(`${seed}/${stack}:deployer-client`),
        stackReferences,
        project,
        variant,
    };
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs the program for one stack under mocks. Runs are serialised: Pulumi's runtime is global
 * state, so two runs must never overlap.
 */
export function runStack(options: RunOptions): Promise<StackRun> {
    const run = queue.then(() => runOnce(options));
    queue = run.catch(() => undefined);
    return run;
}

/**
 * Stack frames kept while a program runs (see runOnce): none, unless MOCK_ENGINE_STACK_TRACES is
 * set, for debugging an error the program throws under the mocks.
 */
const stackTraceDepth = process.env.MOCK_ENGINE_STACK_TRACES ? 20 : 0;

/**
 * Turns off, until the returned function is called, what Pulumi's runtime records for reports a
 * mock run never shows: the source position of every resource (`Resource.callsites` captures a
 * whole stack trace each time) and the leak-report annotations of every internal promise
 * (`debuggablePromise`). The values the program sends are the same; a run allocates far less.
 */
function withoutPulumiTracing(): () => void {
    const resourceClass = pulumi.Resource as unknown as { callsites: () => unknown[] };
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: <T>(promise: Promise<T>, context: unknown) => Promise<T> };
    const callsites = resourceClass.callsites;
    const debuggablePromise = debuggable.debuggablePromise;
    resourceClass.callsites = () => [];
    debuggable.debuggablePromise = (promise) => promise;
    return () => {
        resourceClass.callsites = callsites;
        debuggable.debuggablePromise = debuggablePromise;
    };
}

/**
 * Sets the project directory `pulumi.runtime.getRootDirectory()` returns. The CLI passes it in
 * the environment when the program starts; the mocks have no setter for it, so it is written
 * where the runtime keeps its options.
 */
function setRootDirectory(dir: string): void {
    const state = require("@pulumi/pulumi/runtime/state") as { getStore(): { settings: { options: { rootDirectory?: string } } } };
    state.getStore().settings.options.rootDirectory = dir;
}

/** Swallows the late rejections of the last failed run, until the next run starts. */
let afterFailure: ((reason: unknown) => void) | undefined;

async function runOnce(options: RunOptions): Promise<StackRun> {
    if (afterFailure) {
        process.off("unhandledRejection", afterFailure);
        afterFailure = undefined;
    }
    const project = loadProject(options.projectDir ?? repoRoot);
    const stackFile = loadStackFile(project, options.stack);
    const { config, secretKeys, warnings } = programConfig(project, stackFile, options.config, options.stack);

    const fabricated = new Fabricated();
    // Values another stack's run invented are invented here too, when they arrive through a reference.
    fabricated.addAll(options.fabricated ?? []);
    const env = mockEnvironment(project.name, options.stack, options.stackReferences ?? {}, options.variant ?? 0);
    // A preview, as `pulumi preview` runs it: what another project's stack outputs stays unknown,
    // and so does everything computed from it.
    await pulumi.runtime.setMocks(createMocks(env, fabricated), project.name, options.stack, true, options.organization ?? "organization");
    const recorded = new Map<string, Recorded>();
    // A resource the mocks cannot register never resolves its outputs, so a program waiting on
    // them would wait forever: the first such failure ends the run.
    let monitorFailed: (error: unknown) => void = () => undefined;
    const monitorFailure = new Promise<never>((_, reject) => {
        monitorFailed = reject;
    });
    monitorFailure.catch(() => undefined);
    // So does an error in the runtime's own promises (an output that cannot be deserialised, an
    // apply that throws): Pulumi would print it and stop, the mock run stops with it.
    const onRejection = (reason: unknown) => monitorFailed(reason);
    process.on("unhandledRejection", onRejection);
    recordingMonitor(pulumi.runtime.getMonitor() as unknown as MonitorLike, recorded, options.onRegister, (error) => monitorFailed(error));
    pulumi.runtime.setAllConfig(config, secretKeys);
    // Where the program finds the project, as the CLI tells it (PULUMI_NODEJS_ROOT_DIRECTORY).
    setRootDirectory(project.dir);

    // A program error is caught inside the stack's init and rethrown once the runtime is idle:
    // letting it reject the stack resource would leave rejected promises nobody awaits.
    // The project's program is loaded on first use: a run of another program needs none of it.
    const program = options.program ?? (require("../../stacks/program") as typeof import("../../stacks/program")).program;
    let failure: { error: unknown } | undefined;
    // Pulumi records a stack trace for every resource and every internal promise, for source
    // positions and leak reports that a mock run never shows; without them a run is about a third
    // faster. Errors the program throws then carry their message only (see stackTraceDepth).
    const traceDepth = Error.stackTraceLimit;
    Error.stackTraceLimit = stackTraceDepth;
    const restoreTracing = stackTraceDepth === 0 ? withoutPulumiTracing() : () => undefined;
    // What the program warns about (pulumi.log.warn), as the CLI shows it: recorded with the run.
    const programWarnings: string[] = [];
    const log = pulumi.log as { warn: typeof pulumi.log.warn };
    const warn = log.warn;
    log.warn = async (message: string) => {
        programWarnings.push(message);
    };
    const stack = pulumi.runtime.runInPulumiStack(async () => {
        try {
            return (await program()) ?? {};
        } catch (error) {
            failure = { error };
            return {};
        }
    });
    try {
        await Promise.race([stack, monitorFailure]);
        await Promise.race([pulumi.runtime.disconnect(), monitorFailure]);
    } catch (error) {
        // A failed registration fails the outputs that depend on it too, a little later: those
        // rejections belong to this run, not to whatever the process does next (the next test, or
        // the plan command printing the error). They are ignored until the next run starts.
        await new Promise((resolve) => setTimeout(resolve, 50));
        afterFailure = () => undefined;
        process.on("unhandledRejection", afterFailure);
        throw error;
    } finally {
        process.off("unhandledRejection", onRejection);
        Error.stackTraceLimit = traceDepth;
        restoreTracing();
        log.warn = warn;
    }
    if (failure) {
        throw failure.error;
    }

    const renderer = new PlanRenderer(fabricated);
    const urnOf = engineUrns(recorded, project.name, options.stack);
    const resources = [...recorded.values()].map<RegisteredResource>((entry) => ({
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
        secretInputs: Object.keys(entry.rawInputs).filter((key) => containsSecret(entry.rawInputs[key])),
        outputs: plainValue(entry.rawOutputs) as Record<string, unknown>,
        planInputs: withHashedInputs(entry.type, renderer.render(entry.rawInputs) as Record<string, unknown>),
    }));
    const rawOutputs = [...recorded.values()].find((entry) => entry.type === "pulumi:pulumi:Stack")?.rawOutputs ?? {};

    return {
        project: project.name,
        stack: options.stack,
        resources,
        outputs: plainValue(rawOutputs) as Record<string, unknown>,
        planOutputs: renderer.render(rawOutputs) as Record<string, unknown>,
        fabricated: fabricated.all(),
        warnings: [...warnings, ...programWarnings],
        secretOutputs: Object.keys(rawOutputs).filter((key) => containsSecret(rawOutputs[key])),
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
