import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Fabricated, createMocks } from "../mocks";
import { UserError, loadProject, loadStackFile, programConfig, repoRoot } from "../project";
import { Recorder, type StackRun } from "../recorder";
import { UnresolvedStackReference } from "../references";
import { mockEnvironment, type RunOptions } from "../run";
import { HostSetupError, defaultParallel, hostCommand } from "./language-host";
import { EngineServices, serveEngine, type LoggedMessage } from "./monitor";

/**
 * The plan's transport: runs the program for one stack the way `pulumi preview` does. The
 * engine's ResourceMonitor and Engine services are served here over gRPC (./monitor.ts); Pulumi's
 * own Node.js entry point (`@pulumi/pulumi/cmd/run`) is started as the Node.js language host
 * starts it (./language-host.ts), so the program is found, compiled by ts-node with the
 * project's tsconfig, configured and connected exactly as under the CLI. The mocks answer in
 * place of the provider plugins, and the recording is the in-process run's.
 */

/** The program failed under the language host: its own words, as `pulumi preview` prints them. */
export class ProgramError extends UserError {
    constructor(
        message: string,
        readonly exitCode: number,
    ) {
        super(message);
        this.name = "ProgramError";
    }
}

/** The preload that switches off Pulumi's debugging records (see preload.js). */
export const preloadPath = path.join(__dirname, "preload.js");

export interface HostRunOptions extends RunOptions {
    /** Preload preload.js into the program's process. Default true; false runs it exactly as the CLI would. */
    readonly preload?: boolean;
}

/** The error lines of the program's log, as the CLI prints them (`error: ...`). */
function errorText(log: readonly LoggedMessage[]): string {
    return log
        .filter((entry) => entry.severity === "error")
        .map((entry) => entry.message.trimEnd())
        .join("\n");
}

export async function runThroughHost(options: HostRunOptions): Promise<StackRun> {
    if (options.program) {
        throw new Error("runThroughHost runs the project's own program; a program function runs in process (runStack)");
    }
    const project = loadProject(options.projectDir ?? repoRoot);
    const stackFile = loadStackFile(project, options.stack);
    const { config, secretKeys, warnings } = programConfig(project, stackFile, options.config, options.stack);

    const fabricated = new Fabricated();
    fabricated.addAll(options.fabricated ?? [], { knownInPreview: true });
    const mocks = createMocks(
        mockEnvironment(project.name, options.stack, options.stackReferences ?? {}, options.variant ?? 0),
        fabricated,
    );
    const recorder = new Recorder(project.name, options.stack);
    const services = new EngineServices(project.name, options.stack, mocks, recorder, options.onRegister);
    const server = await serveEngine(services);
    try {
        let command;
        try {
            command = hostCommand({
                rootDirectory: project.dir,
                // A project directory without a package of its own (content only) runs this repository's program.
                programRoot: fs.existsSync(path.join(project.dir, "package.json")) ? project.dir : repoRoot,
                main: project.declarations.main,
                runtimeOptions: project.declarations.runtime.options,
                organization: options.organization ?? "organization",
                project: project.name,
                stack: options.stack,
                config,
                secretKeys,
                dryRun: true,
                parallel: defaultParallel(),
                monitorAddress: server.address,
                engineAddress: server.address,
            });
        } catch (error) {
            if (error instanceof HostSetupError) {
                throw new UserError(`Pulumi.yaml: ${error.message}`);
            }
            throw error;
        }
        const preload = options.preload ?? true;
        const env: NodeJS.ProcessEnv = { ...process.env, ...command.env };
        if (preload) {
            env.NODE_OPTIONS = [process.env.NODE_OPTIONS, `--require="${preloadPath}"`].filter(Boolean).join(" ");
        }
        const { code, stderr, stdout } = await new Promise<{ code: number; stderr: string; stdout: string }>((resolve, reject) => {
            const child = spawn(command.command, command.args, { cwd: project.dir, env, stdio: ["ignore", "pipe", "pipe"] });
            let stderr = "";
            let stdout = "";
            child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
            child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
            child.on("error", reject);
            child.on("close", (exitCode, signal) => resolve({ code: exitCode ?? (signal ? 128 : 1), stderr, stdout }));
        });
        const failure = recorder.firstFailure;
        if (failure instanceof UnresolvedStackReference) {
            throw failure;
        }
        if (code !== 0) {
            // The host's handling of the exit code (`execRuntime`): 32 means the program already
            // logged what went wrong; any other code gets the host's generic message.
            const logged = errorText(services.log);
            const output = stderr.trim() || stdout.trim();
            const message =
                code === 32 && logged
                    ? logged
                    : [`Program exited with non-zero exit code: ${code}`, logged, output].filter(Boolean).join("\n");
            throw new ProgramError(message, code);
        }
        return recorder.toRun({
            fabricated,
            warnings: [
                ...warnings,
                ...services.log.filter((entry) => entry.severity === "warning").map((entry) => entry.message.trimEnd()),
            ],
            config: { values: config, secretKeys },
            transport: "language-host",
        });
    } finally {
        await server.stop();
    }
}
