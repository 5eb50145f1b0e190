import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * How `pulumi-language-nodejs` starts a program, at the release of the installed SDK (3.248.0,
 * `sdk/nodejs/cmd/pulumi-language-nodejs/main.go`), and how the CLI finds what it tells it:
 *
 * - the program directory and entry point from `main` (`pkg/engine/project.go`, `getPwdMain`):
 *   no `main` runs "." in the project directory; a directory runs "." there; a file runs its base
 *   name with the file's directory as the program directory; a `main` that does not exist stops
 *   the CLI with "project 'main' could not be read";
 * - the runtime options (`parseOptions`): `typescript` (a boolean, default true), `tsconfig` and
 *   `nodeargs` (strings), `packagemanager` (one of auto, npm, yarn, pnpm, bun); a wrong type stops
 *   the host with its own message;
 * - the command (`constructArguments`): `node <nodeargs> <@pulumi/pulumi/cmd/run> --monitor
 *   <addr> --engine <addr> [--sync <dir>] --organization <org> --project <name> --root-directory
 *   <dir> --stack <stack> --pwd <program dir> [--dry-run] --parallel <n> <entry point>`, empty
 *   values left out;
 * - the environment (`execRuntime`): the CLI's own, plus `PULUMI_CONFIG` (a JSON object whose keys
 *   are rewritten `<namespace>:config:<name>`, `constructConfig`), `PULUMI_CONFIG_SECRET_KEYS` (a
 *   JSON array of `<namespace>:<name>`), `PULUMI_NODEJS_TYPESCRIPT=true` when `typescript` is on,
 *   and `PULUMI_NODEJS_TSCONFIG_PATH` when `tsconfig` is set.
 *
 * The `--sync` directory is left out: it names the pipes of synchronous invokes, which no code of
 * the 3.248 SDK opens (`runtime/settings.js` `tryGetSyncInvokes` has no caller).
 */

/** The runtime options of `Pulumi.yaml` the Node.js language host reads. */
export interface NodeRuntimeOptions {
    readonly typescript: boolean;
    readonly tsconfig?: string;
    readonly nodeargs?: string;
}

/** Where the program is, as the CLI works it out from `main`. */
export interface ProgramLocation {
    /** The directory the program starts in (`--pwd`, `ProgramDirectory`). */
    readonly programDirectory: string;
    /** The entry point relative to it (the last argument): a file's base name, or ".". */
    readonly entryPoint: string;
}

/** A `main` that does not exist, or runtime options the host refuses: the CLI's and the host's words. */
export class HostSetupError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "HostSetupError";
    }
}

/** `getPwdMain`: the program directory and entry point for a project directory and its `main`. */
export function programLocation(rootDirectory: string, main: string | undefined): ProgramLocation {
    if (!main) {
        return { programDirectory: rootDirectory, entryPoint: "." };
    }
    const full = path.isAbsolute(main) ? main : path.normalize(path.join(rootDirectory, main));
    let stat: fs.Stats;
    try {
        stat = fs.statSync(full);
    } catch (error) {
        throw new HostSetupError(
            `project 'main' could not be read: stat ${full}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (error as Error).message}`,
        );
    }
    return stat.isDirectory()
        ? { programDirectory: full, entryPoint: "." }
        : { programDirectory: path.dirname(full), entryPoint: path.basename(full) };
}

const packageManagers = ["auto", "npm", "yarn", "pnpm", "bun"];

/** `parseOptions`: the options the Node.js host reads, with its messages for a wrong type. */
export function nodeRuntimeOptions(options: Readonly<Record<string, unknown>>): NodeRuntimeOptions {
    const { typescript = true, tsconfig, nodeargs, packagemanager } = options;
    if (typeof typescript !== "boolean") {
        throw new HostSetupError("typescript option must be a boolean");
    }
    if (tsconfig !== undefined && typeof tsconfig !== "string") {
        throw new HostSetupError("tsconfigpath option must be a string");
    }
    if (nodeargs !== undefined && typeof nodeargs !== "string") {
        throw new HostSetupError("nodeargs option must be a string");
    }
    if (packagemanager !== undefined) {
        if (typeof packagemanager !== "string") {
            throw new HostSetupError("packagemanager option must be a string");
        }
        if (!packageManagers.includes(packagemanager)) {
            throw new HostSetupError(`packagemanager option must be one of auto, npm, yarn, pnpm or bun, got "${packagemanager}"`);
        }
    }
    return { typescript, tsconfig, nodeargs };
}

/**
 * Splits `nodeargs` as the host does (`github.com/google/shlex`): words separated by white space,
 * quotes ('...' literal, "..." with backslash escapes) and backslash escapes outside them.
 */
export function shellWords(text: string): string[] {
    const words: string[] = [];
    let word = "";
    let inWord = false;
    let quote: "'" | '"' | undefined;
    for (let i = 0; i < text.length; i++) {
        const char = text[i]!;
        if (quote === "'") {
            if (char === "'") {
                quote = undefined;
            } else {
                word += char;
            }
        } else if (quote === '"') {
            if (char === '"') {
                quote = undefined;
            } else if (char === "\\" && i + 1 < text.length && ['"', "\\", "$", "`", "\n"].includes(text[i + 1]!)) {
                word += text[++i];
            } else {
                word += char;
            }
        } else if (char === "'" || char === '"') {
            quote = char;
            inWord = true;
        } else if (char === "\\" && i + 1 < text.length) {
            word += text[++i];
            inWord = true;
        } else if (char === "#" && !inWord) {
            break; // a comment to the end of the line
        } else if (/\s/.test(char)) {
            if (inWord) {
                words.push(word);
                word = "";
                inWord = false;
            }
        } else {
            word += char;
            inWord = true;
        }
    }
    if (quote) {
        throw new HostSetupError("EOF found when expecting closing quote");
    }
    if (inWord) {
        words.push(word);
    }
    return words;
}

export interface HostRunRequest {
    /** The project directory (`Pulumi.yaml`'s), `RootDirectory`. */
    readonly rootDirectory: string;
    /**
     * Where the program's package is, when it is not the project directory: a project directory
     * that holds only `Pulumi.yaml`, stack files and content (the tests' copies, a `--project-dir`
     * of content) runs this repository's program with them. Default: `rootDirectory`.
     */
    readonly programRoot?: string;
    /** `main` from `Pulumi.yaml`. */
    readonly main?: string;
    /** `runtime.options` from `Pulumi.yaml`. */
    readonly runtimeOptions: Readonly<Record<string, unknown>>;
    readonly organization: string;
    readonly project: string;
    readonly stack: string;
    /** The stack's config, `<namespace>:<name>` to text, as the CLI sends it in `RunRequest.config`. */
    readonly config: Readonly<Record<string, string>>;
    /** The secret keys, `<namespace>:<name>`. */
    readonly secretKeys: readonly string[];
    readonly dryRun: boolean;
    /** `--parallel`: the CLI's default is four times the number of cores (`defaultParallel`). */
    readonly parallel: number;
    readonly monitorAddress: string;
    readonly engineAddress: string;
}

export interface HostCommand {
    readonly command: string;
    readonly args: readonly string[];
    /** The variables the host adds to its own environment. */
    readonly env: Readonly<Record<string, string>>;
}

/** The CLI's default `--parallel`: `PULUMI_PARALLEL`, or four per core. */
export function defaultParallel(env: NodeJS.ProcessEnv = process.env): number {
    const given = Number.parseInt(env.PULUMI_PARALLEL ?? "", 10);
    if (Number.isFinite(given)) {
        return given <= 0 ? 2147483647 : given;
    }
    return os.availableParallelism() * 4;
}

/** The command and environment the Node.js language host starts the program with. */
export function hostCommand(request: HostRunRequest): HostCommand {
    const options = nodeRuntimeOptions(request.runtimeOptions);
    const location = programLocation(request.programRoot ?? request.rootDirectory, request.main);
    let runPath: string;
    try {
        // `locateModule`: resolved from the program directory, as the program's own node_modules has it.
        runPath = require.resolve("@pulumi/pulumi/cmd/run", { paths: [location.programDirectory] });
    } catch {
        throw new HostSetupError(
            `It looks like the Pulumi SDK has not been installed. Have you run npm install or yarn install? (no @pulumi/pulumi/cmd/run from ${location.programDirectory})`,
        );
    }
    const args: string[] = [...shellWords(options.nodeargs ?? ""), runPath];
    const append = (flag: string, value: string) => {
        if (value !== "") {
            args.push(`--${flag}`, value);
        }
    };
    append("monitor", request.monitorAddress);
    append("engine", request.engineAddress);
    append("organization", request.organization);
    append("project", request.project);
    append("root-directory", request.rootDirectory);
    append("stack", request.stack);
    append("pwd", location.programDirectory);
    if (request.dryRun) {
        args.push("--dry-run");
    }
    append("parallel", String(request.parallel));
    args.push(location.entryPoint);

    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(request.config)) {
        const colon = key.indexOf(":");
        config[`${key.slice(0, colon)}:config:${key.slice(colon + 1)}`] = value;
    }
    const env: Record<string, string> = {
        PULUMI_CONFIG: JSON.stringify(config),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(request.secretKeys),
    };
    if (options.typescript) {
        env.PULUMI_NODEJS_TYPESCRIPT = "true";
    }
    if (options.tsconfig) {
        env.PULUMI_NODEJS_TSCONFIG_PATH = options.tsconfig;
    }
    return { command: process.execPath, args, env };
}
