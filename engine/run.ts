import * as pulumi from "@pulumi/pulumi";
import { Fabricated, createMocks, guidOf, type FabricatedEntry, type MockEnvironment } from "./mocks";
import { loadProject, loadStackFile, programConfig, repoRoot } from "./project";
import { Recorder, type StackRun } from "./recorder";
import type { ReferencedOutputs } from "./references";

/**
 * The in-process transport: runs the real program for one stack, with that stack's
 * `Pulumi.<stack>.yaml` as config, in this process under Pulumi's mocks, and returns every
 * resource it registered and the stack outputs. The unit tests stand on it; the plan runs the
 * program through Pulumi's language host instead (engine/host), with the same mocks and
 * the same recording.
 */

export type { RegisteredResource, StackRun } from "./recorder";

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

type Callback = (err: unknown, response: any) => void;

interface MonitorLike {
    invoke(req: any, callback: Callback): Promise<void>;
    registerResource(req: any, callback: Callback): Promise<void>;
    readResource(req: any, callback: Callback): Promise<void>;
    registerResourceOutputs(req: any, callback: Callback): void;
}

/** Wraps Pulumi's mock monitor so that what it registers is recorded, and a failure ends the run. */
function recordingMonitor(
    monitor: MonitorLike,
    recorder: Recorder,
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

    monitor.registerResource = (req, callback) => {
        onRegister?.({ type: req.getType(), name: req.getName() });
        return registerResource(req, (err, response) => {
            if (err) {
                onError(recorder.failed("Registering", req, err));
            } else if (response) {
                recorder.registered(req, response.getUrn(), response.getId(), response.getObject());
            }
            callback(err, response);
        });
    };

    monitor.readResource = (req, callback) =>
        readResource(req, (err, response) => {
            if (err) {
                onError(recorder.failed("Reading", req, err));
            } else if (response) {
                recorder.read(req, response.getUrn(), response.getProperties());
            }
            callback(err, response);
        });

    monitor.registerResourceOutputs = (req, callback) => {
        recorder.outputs(req);
        registerResourceOutputs(req, callback);
    };
}

/** The mock Azure login: a subscription and tenant derived from the stack, stable across runs. */
export function mockEnvironment(
    project: string,
    stack: string,
    stackReferences: Readonly<Record<string, ReferencedOutputs>>,
    variant: number,
): MockEnvironment {
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
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as {
        debuggablePromise: <T>(promise: Promise<T>, context: unknown) => Promise<T>;
    };
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
    fabricated.addAll(options.fabricated ?? [], { knownInPreview: true });
    const env = mockEnvironment(project.name, options.stack, options.stackReferences ?? {}, options.variant ?? 0);
    // A preview, as `pulumi preview` runs it: what another project's stack outputs stays unknown,
    // and so does everything computed from it.
    await pulumi.runtime.setMocks(createMocks(env, fabricated), project.name, options.stack, true, options.organization ?? "organization");
    const recorder = new Recorder(project.name, options.stack);
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
    recordingMonitor(pulumi.runtime.getMonitor() as unknown as MonitorLike, recorder, options.onRegister, (error) => monitorFailed(error));
    pulumi.runtime.setAllConfig(config, secretKeys);
    // Where the program finds the project, as the CLI tells it (PULUMI_NODEJS_ROOT_DIRECTORY).
    setRootDirectory(project.dir);

    // A program error is caught inside the stack's init and rethrown once the runtime is idle:
    // letting it reject the stack resource would leave rejected promises nobody awaits.
    // The project's program is loaded on first use: a run of another program needs none of it.
    const program = options.program ?? (require("../stacks/program") as typeof import("../stacks/program")).program;
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

    return recorder.toRun({
        fabricated,
        warnings: [...warnings, ...programWarnings],
        config: { values: config, secretKeys },
        transport: "mocks",
    });
}
