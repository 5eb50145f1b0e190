import * as path from "node:path";
import { parseCommand, runMain, userErrorExit } from "../cli";
import { planStack, runStack, type RunOptions, type StackRun } from "../../engine";
import { listStacks } from "../../engine/project";
import { checkConnectionVolumes, costText, estimateCost } from "./index";
import { stackVolumes } from "./volumes";

const usage = `Usage: npm run cost -- <stack> [--json] [--project-dir <dir>]

A monthly estimate of what the stack's resources cost at list prices, offline: the stack is
planned as \`npm run plan\` plans it, and each resource is priced from its inputs (API Management's
tier and units in each region, autoscale's range, storage redundancy, log retention, ...) with the
prices in commands/cost/prices.json. Usage-based items (workflow actions, log ingestion, Key Vault
operations, DNS queries, storage, and the connector calls of each API connection) take the
monthly volumes under \`cost\` in Pulumi.<stack>.yaml, or their defaults. The prices are not
verified against the live Azure price list.

  --json      the estimate as JSON on stdout: every line with its basis, and the total
  --project-dir <dir>
              the directory of Pulumi.yaml and the stack files (default: this repository)
  --help      this text

Stacks here: ${listStacks().join(", ")}`;

/** The command line of `npm run cost`. */
const command = {
    script: "cost",
    usage,
    verb: "estimate",
    options: { json: { type: "boolean" }, "project-dir": { type: "string" }, help: { type: "boolean", short: "h" } },
    shownAs: { "project-dir": "--project-dir <dir>" },
} as const;

/**
 * Runs the command; returns the process exit code: 0 with the estimate, 1 where the plan would
 * stop (the stack file, the config, the catalog), 2 for a usage mistake. `run` runs one stack
 * (tests pass one that reuses runs); `env` is where npm leaves the options it swallowed.
 */
export async function main(
    argv: string[],
    run: (options: RunOptions) => Promise<StackRun> = runStack,
    env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
    const parsed = parseCommand(command, argv, env);
    if (typeof parsed === "number") {
        return parsed;
    }
    const stack = parsed.stack;
    const projectDir = parsed.values["project-dir"] ? path.resolve(parsed.values["project-dir"]) : undefined;
    try {
        const result = await planStack({ stack, projectDir }, run);
        for (const warning of result.warnings) {
            process.stderr.write(`warning: ${warning}\n`);
        }
        const volumes = stackVolumes({ stack, projectDir });
        checkConnectionVolumes(result, volumes);
        const estimate = estimateCost(result, volumes);
        process.stdout.write(parsed.values.json ? `${JSON.stringify(estimate, null, 2)}\n` : `${costText(estimate)}\n`);
        return 0;
    } catch (error) {
        // What the user fixes in a file, printed without a stack trace, as the plan prints it.
        return userErrorExit(error);
    }
}

if (require.main === module) {
    runMain(() => main(process.argv.slice(2)));
}
