import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import * as engineProto from "@pulumi/pulumi/proto/engine_pb";
import * as engineService from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as providerProto from "@pulumi/pulumi/proto/provider_pb";
import * as resourceProto from "@pulumi/pulumi/proto/resource_pb";
import * as resourceService from "@pulumi/pulumi/proto/resource_grpc_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { Recorder } from "../recorder";

/**
 * The two gRPC services a Pulumi program talks to, as the Pulumi engine serves them to the
 * Node.js language host's child (`@pulumi/pulumi/cmd/run`): the ResourceMonitor
 * (`proto/pulumi/resource.proto`) and the Engine (`proto/pulumi/engine.proto`). Their behaviour
 * follows the engine's own monitor (`pkg/resource/deploy/source_eval.go`, `resmon`, at the
 * release of the installed SDK, 3.248.0): the features it answers to `SupportsFeature`, the URNs
 * it gives (`urn:pulumi:<stack>::<project>::<Parent$Type>::<name>`), its refusal of a duplicate
 * URN. Where the engine would ask a provider plugin, the mocks answer (no plugin runs here), and
 * every registration goes to the same {@link Recorder} the in-process run uses.
 */

/** What a provider would answer: the mocks of engine/mocks.ts. */
export interface MockBackend {
    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult | Promise<pulumi.runtime.MockResourceResult>;
    call(args: pulumi.runtime.MockCallArgs): Record<string, any> | Promise<Record<string, any>>;
}

/** A diagnostic the program sent through `Engine.Log` (`pulumi.log.*`, and the host's own errors). */
export interface LoggedMessage {
    readonly severity: "debug" | "info" | "warning" | "error";
    readonly message: string;
    readonly urn: string;
}

const severities = ["debug", "info", "warning", "error"] as const;

/**
 * The features the engine's monitor supports (`resmon.supportsFeatureID`, 3.248.0). Every one is
 * answered as the engine answers it, so the SDK serializes what it would send to the CLI.
 */
export const engineFeatures: ReadonlySet<string> = new Set([
    "secrets",
    "resourceReferences",
    "outputValues",
    "aliasSpecs",
    "replacementTrigger",
    "deletedWith",
    "replaceWith",
    "transforms",
    "invokeTransforms",
    "parameterization",
    "resourceHooks",
    "errorHooks",
    "sendsOptionsToHooks",
]);

type Callback<T> = (error: grpc.ServiceError | null, response?: T) => void;

function grpcError(code: grpc.status, message: string): grpc.ServiceError {
    return Object.assign(new Error(message), { code, details: message, metadata: new grpc.Metadata() });
}

/** The serialized state of the mocks' answer, as the engine sends it back (unknowns and secrets marked). */
async function serializedState(state: Record<string, unknown>): Promise<Struct> {
    return Struct.fromJavaScript((await pulumi.runtime.serializeProperties("state", state)) as Record<string, any>);
}

/** The inputs as a provider receives them: deserialized, unknowns kept (a preview's). */
function inputsOf(struct: Struct | undefined): Record<string, unknown> {
    return struct ? (pulumi.runtime.deserializeProperties(struct, true) as Record<string, unknown>) : {};
}

export class EngineServices {
    /** What the program logged, in order. */
    readonly log: LoggedMessage[] = [];
    private readonly urns = new Set<string>();
    private rootUrn = "";

    constructor(
        private readonly project: string,
        private readonly stack: string,
        private readonly mocks: MockBackend,
        private readonly recorder: Recorder,
        private readonly onRegister?: (resource: { readonly type: string; readonly name: string }) => void,
    ) {}

    /** The engine's URN for a resource: the type part chains the parent's qualified type below the stack. */
    urnOf(parent: string, type: string, name: string): string {
        let qualified = type;
        if (parent) {
            const parentType = parent.split("::")[2] ?? "";
            if (parentType !== "pulumi:pulumi:Stack") {
                qualified = `${parentType}$${type}`;
            }
        }
        return `urn:pulumi:${this.stack}::${this.project}::${qualified}::${name}`;
    }

    /** The ResourceMonitor service's handlers. */
    resourceMonitor(): grpc.UntypedServiceImplementation {
        const unimplemented = (name: string) => (_call: unknown, callback: Callback<never>) =>
            callback(grpcError(grpc.status.UNIMPLEMENTED, `${name} is not served by the offline engine (the program does not use it)`));
        return {
            supportsFeature: (
                call: grpc.ServerUnaryCall<resourceProto.SupportsFeatureRequest, unknown>,
                callback: Callback<resourceProto.SupportsFeatureResponse>,
            ) => {
                callback(null, new resourceProto.SupportsFeatureResponse().setHassupport(engineFeatures.has(call.request.getId())));
            },
            invoke: (
                call: grpc.ServerUnaryCall<resourceProto.ResourceInvokeRequest, unknown>,
                callback: Callback<providerProto.InvokeResponse>,
            ) => {
                void this.invoke(call.request).then(
                    (response) => callback(null, response),
                    (error: Error) => callback(grpcError(grpc.status.UNKNOWN, error.message)),
                );
            },
            readResource: (
                call: grpc.ServerUnaryCall<resourceProto.ReadResourceRequest, unknown>,
                callback: Callback<resourceProto.ReadResourceResponse>,
            ) => {
                void this.readResource(call.request).then(
                    (response) => callback(null, response),
                    (error: Error) => callback(grpcError(grpc.status.UNKNOWN, error.message)),
                );
            },
            registerResource: (
                call: grpc.ServerUnaryCall<resourceProto.RegisterResourceRequest, unknown>,
                callback: Callback<resourceProto.RegisterResourceResponse>,
            ) => {
                void this.registerResource(call.request).then(
                    (response) => callback(null, response),
                    (error: Error) => callback(grpcError(grpc.status.UNKNOWN, error.message)),
                );
            },
            registerResourceOutputs: (
                call: grpc.ServerUnaryCall<resourceProto.RegisterResourceOutputsRequest, unknown>,
                callback: Callback<Empty>,
            ) => {
                this.recorder.outputs(call.request);
                callback(null, new Empty());
            },
            registerPackage: (
                call: grpc.ServerUnaryCall<resourceProto.RegisterPackageRequest, unknown>,
                callback: Callback<resourceProto.RegisterPackageResponse>,
            ) => {
                callback(
                    null,
                    new resourceProto.RegisterPackageResponse().setRef(`${call.request.getName()}@${call.request.getVersion()}`),
                );
            },
            signalAndWaitForShutdown: (_call: unknown, callback: Callback<Empty>) => callback(null, new Empty()),
            getDeploymentInfo: unimplemented("GetDeploymentInfo"),
            call: unimplemented("Call"),
            registerStackTransform: unimplemented("RegisterStackTransform"),
            registerStackInvokeTransform: unimplemented("RegisterStackInvokeTransform"),
            registerResourceHook: unimplemented("RegisterResourceHook"),
            registerErrorHook: unimplemented("RegisterErrorHook"),
        };
    }

    /** The Engine service's handlers. */
    engine(): grpc.UntypedServiceImplementation {
        return {
            log: (call: grpc.ServerUnaryCall<engineProto.LogRequest, unknown>, callback: Callback<Empty>) => {
                const request = call.request;
                this.log.push({
                    severity: severities[request.getSeverity()] ?? "info",
                    message: request.getMessage(),
                    urn: request.getUrn(),
                });
                callback(null, new Empty());
            },
            getRootResource: (_call: unknown, callback: Callback<engineProto.GetRootResourceResponse>) => {
                callback(null, new engineProto.GetRootResourceResponse().setUrn(this.rootUrn));
            },
            setRootResource: (
                call: grpc.ServerUnaryCall<engineProto.SetRootResourceRequest, unknown>,
                callback: Callback<engineProto.SetRootResourceResponse>,
            ) => {
                this.rootUrn = call.request.getUrn();
                callback(null, new engineProto.SetRootResourceResponse());
            },
            requirePulumiVersion: (_call: unknown, callback: Callback<Empty>) => callback(null, new Empty()),
            startDebugging: (_call: unknown, callback: Callback<never>) =>
                callback(grpcError(grpc.status.UNIMPLEMENTED, "StartDebugging is not served by the offline engine")),
        };
    }

    private async invoke(request: resourceProto.ResourceInvokeRequest): Promise<providerProto.InvokeResponse> {
        const result = await this.mocks.call({
            token: request.getTok(),
            inputs: inputsOf(request.getArgs()),
            provider: request.getProvider(),
        });
        return new providerProto.InvokeResponse().setReturn(await serializedState(result));
    }

    private async readResource(request: resourceProto.ReadResourceRequest): Promise<resourceProto.ReadResourceResponse> {
        const urn = this.urnOf(request.getParent(), request.getType(), request.getName());
        try {
            const result = await this.mocks.newResource({
                type: request.getType(),
                name: request.getName(),
                inputs: inputsOf(request.getProperties()),
                provider: request.getProvider(),
                custom: true,
                id: request.getId(),
            });
            const state = await serializedState(result.state);
            this.recorder.read(request, urn, state);
            return new resourceProto.ReadResourceResponse().setUrn(urn).setProperties(state);
        } catch (error) {
            // Recorded for the run; the program gets the error's own words, as from the engine.
            this.recorder.failed("Reading", request, error);
            throw error;
        }
    }

    private async registerResource(request: resourceProto.RegisterResourceRequest): Promise<resourceProto.RegisterResourceResponse> {
        this.onRegister?.({ type: request.getType(), name: request.getName() });
        const urn = this.urnOf(request.getParent(), request.getType(), request.getName());
        if (this.urns.has(urn)) {
            // The engine's words (pkg/resource/deploy/step_generator.go).
            const duplicate = new Error(`Duplicate resource URN '${urn}'; try giving it a unique name`);
            this.recorder.failed("Registering", request, duplicate);
            throw duplicate;
        }
        this.urns.add(urn);
        try {
            const result = await this.mocks.newResource({
                type: request.getType(),
                name: request.getName(),
                inputs: inputsOf(request.getObject()),
                provider: request.getProvider(),
                custom: request.getCustom(),
                id: request.getImportid(),
            });
            const state = request.getCustom() ? await serializedState(result.state) : new Struct();
            const id = request.getCustom() && typeof result.id === "string" ? result.id : "";
            this.recorder.registered(request, urn, id, state);
            return new resourceProto.RegisterResourceResponse().setUrn(urn).setId(id).setObject(state);
        } catch (error) {
            this.recorder.failed("Registering", request, error);
            throw error;
        }
    }
}

/** A running gRPC server with both services, on a loopback port. */
export interface EngineServer {
    readonly address: string;
    stop(): Promise<void>;
    /** Lets this process end while the server still listens (for a server that lives as long as the process). */
    unref(): void;
}

export async function serveEngine(services: EngineServices): Promise<EngineServer> {
    const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
    server.addService(resourceService.ResourceMonitorService, services.resourceMonitor());
    server.addService(engineService.EngineService, services.engine());
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
            error ? reject(error) : resolve(bound),
        ),
    );
    return {
        address: `127.0.0.1:${port}`,
        // grpc-js has no unref of its own: its HTTP/2 listeners are Node servers, which have.
        unref: () => {
            for (const listener of (server as unknown as { http2Servers: Map<{ unref(): void }, unknown> }).http2Servers.keys()) {
                listener.unref();
            }
        },
        stop: () =>
            new Promise<void>((resolve) => {
                server.tryShutdown(() => resolve());
                // A client that never hangs up does not hold the plan.
                setTimeout(() => {
                    server.forceShutdown();
                    resolve();
                }, 2000).unref();
            }),
    };
}
