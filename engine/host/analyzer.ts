import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import * as analyzerService from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { parse as parseYaml } from "yaml";
import { nodeRuntimeOptions, shellWords } from "./language-host";

/**
 * A policy pack started and called the way the Pulumi CLI does it (3.248.0), over the Analyzer
 * gRPC protocol (`proto/pulumi/analyzer.proto`):
 *
 * - started as the Node.js language host's `RunPlugin` starts an analyzer
 *   (`sdk/nodejs/cmd/pulumi-language-nodejs/main.go`): `node <nodeargs>
 *   @pulumi/pulumi/cmd/run-policy-pack <engine address> <pack directory>`, in the pack's
 *   directory, with `PULUMI_NODEJS_TYPESCRIPT`/`PULUMI_NODEJS_TSCONFIG_PATH` from
 *   `PulumiPolicy.yaml`'s runtime options and the stack's identity and config in
 *   `PULUMI_NODEJS_ORGANIZATION`, `_PROJECT`, `_STACK`, `_DRY_RUN` and `PULUMI_CONFIG`; the pack
 *   prints its port on stdout (`@pulumi/policy` `server.js`, `serve`);
 * - then `Handshake` (a pack that does not implement it is fine), `ConfigureStack`,
 *   `GetAnalyzerInfo` (policies sorted by name, `enforcementLevel` added to each config schema)
 *   and `Configure` (`pkg/resource/plugin/analyzer_plugin.go`, `NewPolicyAnalyzer`,
 *   `GetAnalyzerInfo`, `Configure`); `Analyze`, `Remediate` and `AnalyzeStack` after that.
 */

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

const levels: readonly EnforcementLevel[] = ["advisory", "mandatory", "disabled", "remediate"];

/** The proto enum's value of a level, and back (`marshalEnforcementLevel`, `convertEnforcementLevel`). */
export function levelOf(value: analyzerProto.EnforcementLevel): EnforcementLevel {
    const level = levels[value];
    if (!level) {
        throw new Error(`Unrecognized enforcement level ${value}`);
    }
    return level;
}

function protoLevel(level: EnforcementLevel): analyzerProto.EnforcementLevel {
    return levels.indexOf(level) as analyzerProto.EnforcementLevel;
}

/** A JSON schema object, as a policy's config schema holds them. */
export type JsonSchema = Record<string, unknown>;

export interface PolicyInfo {
    readonly name: string;
    readonly description: string;
    readonly enforcementLevel: EnforcementLevel;
    /** With `enforcementLevel` added, as the CLI adds it. */
    readonly configSchema?: { readonly properties: Record<string, JsonSchema>; readonly required: readonly string[] };
}

export interface AnalyzerInfo {
    readonly name: string;
    readonly version: string;
    readonly supportsConfig: boolean;
    /** Sorted by name, as the CLI sorts them. */
    readonly policies: readonly PolicyInfo[];
    readonly initialConfig: Readonly<Record<string, PolicyConfig>>;
}

export interface PolicyConfig {
    readonly enforcementLevel: EnforcementLevel | "";
    readonly properties?: Record<string, unknown>;
}

export interface Diagnostic {
    readonly policyName: string;
    readonly policyPackName: string;
    readonly policyPackVersion: string;
    readonly description: string;
    readonly message: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly urn: string;
}

/** A resource as the engine hands it to `Analyze`, `Remediate` and `AnalyzeStack`. */
export interface AnalyzedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** Pulumi's serialized form: secrets and unknowns marked. */
    readonly properties: Record<string, unknown>;
    readonly protect: boolean;
    readonly ignoreChanges: readonly string[];
    readonly parent?: string;
    readonly dependencies: readonly string[];
}

export interface StartOptions {
    /** The pack's directory (where PulumiPolicy.yaml is). */
    readonly packDir: string;
    /** The engine's address, as the CLI passes it (the pack does not call it). */
    readonly engineAddress: string;
    readonly organization: string;
    readonly project: string;
    readonly stack: string;
    readonly dryRun: boolean;
    /** The stack's config, `<namespace>:<name>` to text, and its secret keys. */
    readonly config: Readonly<Record<string, string>>;
    readonly secretKeys: readonly string[];
    /** Extra environment for the pack's process (the plan's preload). */
    readonly env?: NodeJS.ProcessEnv;
}

/** A pack that did not start, or answered with an error: its own words. */
export class PolicyPackError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PolicyPackError";
    }
}

function unary<Req, Res>(
    call: (request: Req, callback: (error: grpc.ServiceError | null, response: Res) => void) => unknown,
    request: Req,
): Promise<Res> {
    return new Promise((resolve, reject) => call(request, (error, response) => (error ? reject(error) : resolve(response))));
}

function schemaOf(schema: analyzerProto.PolicyConfigSchema | undefined): PolicyInfo["configSchema"] {
    const properties = (schema?.getProperties()?.toJavaScript() ?? {}) as Record<string, JsonSchema>;
    // The CLI injects the enforcement level into every schema (`GetAnalyzerInfo`).
    properties.enforcementLevel = { type: "string", enum: ["advisory", "mandatory", "remediate", "disabled"] };
    return { properties, required: schema?.getRequiredList() ?? [] };
}

function configOf(map: ReturnType<analyzerProto.AnalyzerInfo["getInitialconfigMap"]>): Record<string, PolicyConfig> {
    const result: Record<string, PolicyConfig> = {};
    map.forEach((value, key) => {
        const properties = value.getProperties()?.toJavaScript();
        result[key] = {
            enforcementLevel: levelOf(value.getEnforcementlevel()),
            ...(properties && Object.keys(properties).length > 0 ? { properties } : {}),
        };
    });
    return result;
}

function analyzerResource(resource: AnalyzedResource): analyzerProto.AnalyzerResource {
    return new analyzerProto.AnalyzerResource()
        .setUrn(resource.urn)
        .setType(resource.type)
        .setName(resource.name)
        .setProperties(Struct.fromJavaScript(resource.properties as Record<string, any>))
        .setOptions(options(resource))
        .setParent(resource.parent ?? "")
        .setDependenciesList([...resource.dependencies]);
}

/** The request of `Analyze` and `Remediate` for one resource (`Analyze` in analyzer_plugin.go). */
function analyzeRequest(resource: AnalyzedResource): analyzerProto.AnalyzeRequest {
    return new analyzerProto.AnalyzeRequest()
        .setUrn(resource.urn)
        .setType(resource.type)
        .setName(resource.name)
        .setProperties(Struct.fromJavaScript(resource.properties as Record<string, any>))
        .setOptions(options(resource));
}

function options(resource: AnalyzedResource): analyzerProto.AnalyzerResourceOptions {
    return new analyzerProto.AnalyzerResourceOptions()
        .setProtect(resource.protect)
        .setIgnorechangesList([...resource.ignoreChanges])
        .setParent(resource.parent ?? "");
}

function diagnosticsOf(response: analyzerProto.AnalyzeResponse, version: string): Diagnostic[] {
    return response.getDiagnosticsList().map((diagnostic) => ({
        policyName: diagnostic.getPolicyname(),
        policyPackName: diagnostic.getPolicypackname(),
        // The version from PulumiPolicy.yaml wins over the diagnostic's (`convertDiagnostics`).
        policyPackVersion: version || diagnostic.getPolicypackversion(),
        description: diagnostic.getDescription(),
        message: diagnostic.getMessage(),
        enforcementLevel: levelOf(diagnostic.getEnforcementlevel()),
        urn: diagnostic.getUrn(),
    }));
}

/** `ConfigureStack`: the stack the pack analyzes (a pack that does not implement it is fine). */
async function configureStack(
    client: analyzerService.AnalyzerClient,
    options: Pick<StartOptions, "stack" | "project" | "organization" | "dryRun" | "config" | "secretKeys">,
): Promise<void> {
    const request = new analyzerProto.AnalyzerStackConfigureRequest()
        .setStack(options.stack)
        .setProject(options.project)
        .setOrganization(options.organization)
        .setDryRun(options.dryRun)
        .setConfigSecretKeysList([...options.secretKeys]);
    for (const [key, value] of Object.entries(options.config)) {
        request.getConfigMap().set(key, value);
    }
    await unary(client.configureStack.bind(client), request).catch((error: grpc.ServiceError) => {
        if (error.code !== grpc.status.UNIMPLEMENTED) {
            throw error;
        }
    });
}

export class PolicyAnalyzer {
    private constructor(
        private readonly child: ChildProcess,
        private readonly client: analyzerService.AnalyzerClient,
        /** `version` of PulumiPolicy.yaml, which wins over the pack's own. */
        private readonly projectVersion: string,
        readonly info: AnalyzerInfo,
    ) {}

    /** Starts the pack, as `pulumi preview --policy-pack <dir>` does, and reads what it holds. */
    static async start(options: StartOptions): Promise<PolicyAnalyzer> {
        const projectFile = path.join(options.packDir, "PulumiPolicy.yaml");
        let project: { runtime?: unknown; version?: unknown; description?: unknown };
        try {
            project = (parseYaml(fs.readFileSync(projectFile, "utf8")) ?? {}) as typeof project;
        } catch (error) {
            throw new PolicyPackError(`failed to load Pulumi policy project located at "${options.packDir}": ${(error as Error).message}`);
        }
        const runtime =
            typeof project.runtime === "object" && project.runtime !== null
                ? (project.runtime as { name?: unknown; options?: Record<string, unknown> })
                : { name: project.runtime };
        if (runtime.name !== "nodejs") {
            throw new PolicyPackError(
                `${projectFile}: runtime ${JSON.stringify(runtime.name)}: the offline plan runs Node.js policy packs only (allowed: nodejs)`,
            );
        }
        const runtimeOptions = nodeRuntimeOptions(runtime.options ?? {});
        let runPath: string;
        try {
            runPath = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [options.packDir] });
        } catch {
            // The CLI's words (`NewPolicyAnalyzer`, errRunPolicyModuleNotFound).
            throw new PolicyPackError(
                `it looks like the policy pack's dependencies are not installed; try running npm install or yarn install in "${options.packDir}"`,
            );
        }
        const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
        if (runtimeOptions.typescript) {
            env.PULUMI_NODEJS_TYPESCRIPT = "true";
        }
        if (runtimeOptions.tsconfig) {
            env.PULUMI_NODEJS_TSCONFIG_PATH = runtimeOptions.tsconfig;
        }
        // RunPlugin's environment, from the stack's configuration (the policy proxy's `AwaitConfiguration`).
        Object.assign(env, {
            PULUMI_NODEJS_ORGANIZATION: options.organization,
            PULUMI_NODEJS_PROJECT: options.project,
            PULUMI_NODEJS_STACK: options.stack,
            PULUMI_NODEJS_DRY_RUN: String(options.dryRun),
            PULUMI_CONFIG: JSON.stringify(options.config),
        });
        const args = [runPath, ...shellWords(runtimeOptions.nodeargs ?? ""), options.engineAddress, options.packDir];
        const child = spawn(process.execPath, args, { cwd: options.packDir, env, stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        const port = await new Promise<number>((resolve, reject) => {
            let stdout = "";
            const onData = (chunk: Buffer) => {
                stdout += chunk.toString();
                const line = /^\s*(\d+)\s*\n/.exec(stdout);
                if (line) {
                    child.stdout!.off("data", onData);
                    resolve(Number(line[1]));
                }
            };
            child.stdout!.on("data", onData);
            child.on("error", reject);
            child.on("exit", (code) =>
                reject(
                    new PolicyPackError(
                        `policy pack "${options.packDir}" failed to start (exit code ${code}):\n${(stderr || stdout).trim()}`,
                    ),
                ),
            );
        });
        child.removeAllListeners("exit");
        const client = new analyzerService.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
            "grpc.max_receive_message_length": 400 * 1024 * 1024,
        });
        try {
            await unary(
                client.handshake.bind(client),
                new analyzerProto.AnalyzerHandshakeRequest()
                    .setEngineAddress(options.engineAddress)
                    .setRootDirectory(options.packDir)
                    .setProgramDirectory(options.packDir),
            ).catch((error: grpc.ServiceError) => {
                // A pack that does not implement the handshake is fine (`NewPolicyAnalyzer`).
                if (error.code !== grpc.status.UNIMPLEMENTED) {
                    throw error;
                }
            });
            await configureStack(client, options);
            const response = await unary<Empty, analyzerProto.AnalyzerInfo>(client.getAnalyzerInfo.bind(client), new Empty());
            const projectVersion = typeof project.version === "string" ? project.version : "";
            const supportsConfig = response.getSupportsconfig();
            const policies = response
                .getPoliciesList()
                .map<PolicyInfo>((policy: analyzerProto.PolicyInfo) => ({
                    name: policy.getName(),
                    description: policy.getDescription(),
                    enforcementLevel: levelOf(policy.getEnforcementlevel()),
                    ...(supportsConfig ? { configSchema: schemaOf(policy.getConfigschema()) } : {}),
                }))
                .sort((a: PolicyInfo, b: PolicyInfo) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
            const info: AnalyzerInfo = {
                name: response.getName(),
                version: projectVersion || response.getVersion(),
                supportsConfig,
                policies,
                initialConfig: configOf(response.getInitialconfigMap()),
            };
            return new PolicyAnalyzer(child, client, projectVersion, info);
        } catch (error) {
            client.close();
            child.kill();
            throw error instanceof PolicyPackError
                ? error
                : new PolicyPackError(
                      `policy pack "${options.packDir}" failed to start: ${(error as Error).message}${stderr ? `\n${stderr.trim()}` : ""}`,
                  );
        }
    }

    /**
     * Points a started pack at another stack of the project (`ConfigureStack`, then `Configure`
     * with that stack's policy config). The CLI starts a pack per stack; the tests plan several
     * stacks with one pack, whose rules read nothing of the stack but their config.
     */
    async configureStack(
        options: Pick<StartOptions, "stack" | "project" | "organization" | "dryRun" | "config" | "secretKeys">,
    ): Promise<void> {
        await configureStack(this.client, options);
    }

    /** `Configure`: the reconciled config of every policy (`ReconcilePolicyPackConfig`'s result). */
    async configure(config: Readonly<Record<string, PolicyConfig>>): Promise<void> {
        if (Object.keys(config).length === 0) {
            return;
        }
        const request = new analyzerProto.ConfigureAnalyzerRequest();
        for (const [name, value] of Object.entries(config)) {
            if (!levels.includes(value.enforcementLevel as EnforcementLevel)) {
                throw new PolicyPackError(`invalid enforcement level "${value.enforcementLevel}"`);
            }
            request
                .getPolicyconfigMap()
                .set(
                    name,
                    new analyzerProto.PolicyConfig()
                        .setEnforcementlevel(protoLevel(value.enforcementLevel as EnforcementLevel))
                        .setProperties(Struct.fromJavaScript((value.properties ?? {}) as Record<string, any>)),
                );
        }
        await unary(this.client.configure.bind(this.client), request);
    }

    /** `Remediate`: the properties a remediation policy rewrites (none in most packs), and its diagnostics. */
    async remediate(resource: AnalyzedResource): Promise<{ properties: Record<string, unknown>; diagnostics: Diagnostic[] }> {
        const response = await unary<analyzerProto.AnalyzeRequest, analyzerProto.RemediateResponse>(
            this.client.remediate.bind(this.client),
            analyzeRequest(resource),
        );
        let properties = resource.properties;
        const diagnostics: Diagnostic[] = [];
        for (const remediation of response.getRemediationsList()) {
            if (remediation.getDiagnostic()) {
                // Reported as advisory by the engine (`step_generator.go`).
                diagnostics.push({
                    policyName: remediation.getPolicyname(),
                    policyPackName: remediation.getPolicypackname(),
                    policyPackVersion: this.projectVersion || remediation.getPolicypackversion(),
                    description: remediation.getDescription(),
                    message: remediation.getDiagnostic(),
                    enforcementLevel: "advisory",
                    urn: resource.urn,
                });
            } else if (remediation.getProperties()) {
                properties = remediation.getProperties()!.toJavaScript();
            }
        }
        return { properties, diagnostics };
    }

    /** `Analyze`: one resource's inputs, before it is created or updated. */
    async analyze(resource: AnalyzedResource): Promise<Diagnostic[]> {
        return diagnosticsOf(await unary(this.client.analyze.bind(this.client), analyzeRequest(resource)), this.projectVersion);
    }

    /** `AnalyzeStack`: every resource with its outputs, at the end of the preview. */
    async analyzeStack(resources: readonly AnalyzedResource[]): Promise<Diagnostic[]> {
        const request = new analyzerProto.AnalyzeStackRequest().setResourcesList(resources.map(analyzerResource));
        return diagnosticsOf(await unary(this.client.analyzeStack.bind(this.client), request), this.projectVersion);
    }

    private readonly closers: Array<() => void> = [];

    /** Calls `closer` when the pack is closed. */
    onClose(closer: () => void): void {
        this.closers.push(closer);
    }

    /**
     * Lets this process end while the pack still runs (its process is stopped when this one exits,
     * by whoever called this): for a pack that serves many plans.
     */
    unref(): void {
        this.child.unref();
        for (const stream of [this.child.stdout, this.child.stderr]) {
            (stream as { unref?: () => void } | null)?.unref?.();
        }
        this.unrefs.splice(0).forEach((unref) => unref());
    }

    private readonly unrefs: Array<() => void> = [];

    /** Calls `unref` when the pack is unref'd (what serves it must not hold the process either). */
    onUnref(unref: () => void): void {
        this.unrefs.push(unref);
    }

    /** Stops the pack's process. */
    close(): void {
        this.client.close();
        this.child.kill();
        this.closers.splice(0).forEach((closer) => closer());
    }
}
