import { parseArgs, type ParseArgsConfig } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../stacks/config";
import * as path from "node:path";
import { UserError } from "../engine";
import { StackNotFoundError, listStacks, repoRoot } from "../engine/project";
import { closestKey } from "../engine/cli/wording";

/**
 * What the repository's commands (`npm run plan`, `cost`, `smoke`) share: their options read with
 * Node's parseArgs, the options npm keeps for itself when they come without `--`, one stack named,
 * `--help`, and the errors a user fixes in a file printed without a stack trace.
 */

type Options = NonNullable<ParseArgsConfig["options"]>;

export interface Command<T extends Options> {
    /** The npm script's name (`plan`). */
    script: string;
    usage: string;
    options: T;
    /** The option line to repeat when npm kept one (`--diff <base>`), by option; default `--<name>`. */
    shownAs?: Partial<Record<keyof T & string, string>>;
    /** What the stack is named for, in "Name the stack to <verb>." */
    verb: string;
}

export type Parsed<T extends Options> = {
    stack: string;
    values: ReturnType<typeof parseArgs<{ options: T; allowPositionals: true }>>["values"];
};

/**
 * Reads a command line: the parsed options and the one stack, or the exit code to return (0 after
 * `--help`, 2 for a usage mistake), having printed why.
 */
export function parseCommand<T extends Options>(command: Command<T>, argv: string[], env: NodeJS.ProcessEnv): Parsed<T> | number {
    if (env.npm_lifecycle_event === command.script) {
        const swallowed = Object.keys(command.options).filter((name) => env[`npm_config_${name.replace(/-/g, "_")}`] !== undefined);
        if (swallowed.length > 0) {
            const again = [
                argv[0] ?? "<stack>",
                ...swallowed.map((name) => command.shownAs?.[name as keyof T & string] ?? `--${name}`),
            ].join(" ");
            process.stderr.write(
                `npm kept ${swallowed.map((name) => `--${name}`).join(" ")} for itself: npm passes a script only what follows \`--\`. Run: npm run ${command.script} -- ${again}\n`,
            );
            return 2;
        }
    }
    let parsed;
    try {
        parsed = parseArgs({ args: argv, allowPositionals: true, options: command.options });
    } catch (error) {
        process.stderr.write(`${optionErrorMessage(error, Object.keys(command.options))}\n\n${command.usage}\n`);
        return 2;
    }
    if ((parsed.values as Record<string, unknown>).help) {
        process.stdout.write(`${command.usage}\n`);
        return 0;
    }
    if (parsed.positionals.length !== 1) {
        process.stderr.write(
            `${parsed.positionals.length === 0 ? `Name the stack to ${command.verb}.` : "Name one stack."}\n\n${command.usage}\n`,
        );
        return 2;
    }
    return { stack: parsed.positionals[0]!, values: parsed.values as Parsed<T>["values"] };
}

/**
 * What Node's parseArgs refused, in the commands' words: an unknown option with the known one it
 * is closest to ("did you mean"), a value missing after an option; any other as parseArgs says it.
 */
export function optionErrorMessage(error: unknown, known: readonly string[]): string {
    const message = (error as Error).message;
    const code = (error as { code?: string }).code;
    const unknown = /^Unknown option '(-{1,2})([^']+)'/.exec(message);
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && unknown) {
        const closest = closestKey(unknown[2]!, known);
        return `Unknown option ${unknown[1]}${unknown[2]}${closest ? `; did you mean --${closest}?` : ` (allowed: ${known.map((name) => `--${name}`).join(", ")})`}`;
    }
    return message;
}

/** Whether an error is the user's to fix in a file (a config, a catalog, a stack file): printed as it is, without a stack trace. */
export function isUserError(error: unknown): error is Error {
    return error instanceof ConfigError || error instanceof UserError || pulumi.RunError.isInstance(error);
}

/**
 * An error of the user's (see {@link isUserError}, or of one of the command's own `kinds`) printed
 * as it is, without a stack trace, giving the exit code `code`; any other error is thrown on.
 */
export function userErrorExit(error: unknown, code = 1, ...kinds: Array<abstract new (...args: never[]) => Error>): number {
    if (isUserError(error) || kinds.some((kind) => error instanceof kind)) {
        process.stderr.write(`${(error as Error).message}\n`);
        return code;
    }
    throw error;
}

/** The project directory `--project-dir` names, resolved; this repository without it. */
export function projectDirOf(values: { "project-dir"?: string }): string {
    return values["project-dir"] ? path.resolve(values["project-dir"]) : repoRoot;
}

/**
 * Exit code 2, having said which stacks there are, when `stack` has no stack file among `stacks`
 * (default: the project's); undefined when it has one.
 */
export function missingStack(stack: string, projectDir: string, stacks: readonly string[] = listStacks(projectDir)): number | undefined {
    if (stacks.includes(stack)) {
        return undefined;
    }
    process.stderr.write(`${new StackNotFoundError(stack, [...stacks]).message}\n`);
    return 2;
}

/** Runs a command's `main` as the process: its exit code, or the stack trace of what went wrong. */
export function runMain(main: () => Promise<number>): void {
    main().then(
        (code) => {
            process.exitCode = code;
        },
        (error: unknown) => {
            process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
            process.exitCode = 1;
        },
    );
}

/**
 * A command line without a stack (`npm run docs`, `npm run bench`), read as {@link parseCommand}
 * reads a stack command's: `--help` prints the usage and exits 0, an unknown or malformed option
 * prints what was wrong and the usage and exits 2, never a stack trace.
 */
export function parseOptions<T extends NonNullable<ParseArgsConfig["options"]>>(
    usage: string,
    options: T,
    argv: string[] = process.argv.slice(2),
): ReturnType<typeof parseArgs<{ options: T }>>["values"] | number {
    let parsed;
    try {
        parsed = parseArgs({ args: argv, options: { ...options, help: { type: "boolean" } } });
    } catch (error) {
        process.stderr.write(`${optionErrorMessage(error, [...Object.keys(options), "help"])}\n\n${usage}\n`);
        return 2;
    }
    if ((parsed.values as Record<string, unknown>)["help"]) {
        process.stdout.write(`${usage}\n`);
        return 0;
    }
    return parsed.values as ReturnType<typeof parseArgs<{ options: T }>>["values"];
}
