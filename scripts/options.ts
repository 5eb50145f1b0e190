import { parseArgs, type ParseArgsConfig } from "node:util";
import { optionErrorMessage } from "../commands/cli";

/**
 * The repository tools' command lines (`npm run docs`, `npm run bench`) read the way the user
 * commands read theirs (`commands/cli.ts`): `--help` prints the usage and exits 0, an unknown or
 * malformed option prints what was wrong and the usage and exits 2, never a stack trace.
 */
export function parseScriptOptions<T extends NonNullable<ParseArgsConfig["options"]>>(
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
