import * as fs from "node:fs";
import * as path from "node:path";
import { missingStack, parseCommand, projectDirOf, runMain, userErrorExit } from "../cli";
import { planStack, runStack, type RunOptions, type StackRun } from "../../engine";
import { listStacks, loadProject } from "../../engine/project";
import { checkConnectionVolumes, estimateCost, priceTable, type CostEstimate } from "../cost";
import { usdText } from "../cost/text";
import { stackVolumes } from "../cost/volumes";
import { replicaPolicyConfig } from "./policy";
import { ReplicaSourceError, replicaStackFile, type ReplicaChange } from "./replica";

const usage = `Usage: npm run replica -- <stack> [--name <new-stack>] [--project-dir <dir>]

Writes Pulumi.<new-stack>.yaml, a replica of the stack to stand up beside it and throw away: the
same tier, units, autoscale, regions and zones, under its own names (each stack draws its own
random name suffix), with its own default *.azure-api.net host names and no DNS records, no DR
site, no protection, no alert e-mails and none of the source's secrets-provider settings or
encrypted values; a production stack's replica also gets policies/config/<new-stack>.json. Then
prints what the replica costs an hour: the monthly list-price estimate of the new stack file (as
npm run cost makes it) over ${priceTable.hoursPerMonth} hours. docs/before-production.md says when and how to use it.

  --name <new-stack>  the replica's stack name (default: <stack>-replica): 1-100 letters, digits,
                      hyphens, underscores and periods, and no stack of the project's yet
  --project-dir <dir>
                      the directory of Pulumi.yaml and the stack files (default: this repository)
  --help              this text

Exit code 0 once the replica is written and priced; 1 when the stack cannot have a replica (a
passive DR site) or the replica does not plan (its file is left to read); 2 for a usage mistake.

Stacks here: ${listStacks().join(", ")}`;

/** The command line of `npm run replica`. */
const command = {
    script: "replica",
    usage,
    verb: "replicate",
    options: { name: { type: "string" }, "project-dir": { type: "string" }, help: { type: "boolean", short: "h" } },
    shownAs: { name: "--name <new-stack>", "project-dir": "--project-dir <dir>" },
} as const;

/** What the Pulumi CLI takes as a stack name ("stack names are limited to 100 characters and may only contain alphanumeric, hyphens, underscores, or periods"). */
const stackName = /^[A-Za-z0-9_.-]{1,100}$/;
const stackNameAllowed = "1-100 letters, digits, hyphens, underscores and periods";

/** The hourly figure of a monthly estimate: at autoscale's minimum and at its maximum. */
export function hourlyUsd(estimate: Pick<CostEstimate, "total">): { hourlyUsd: number; maxHourlyUsd: number } {
    return {
        hourlyUsd: estimate.total.monthlyUsd / priceTable.hoursPerMonth,
        maxHourlyUsd: estimate.total.maxMonthlyUsd / priceTable.hoursPerMonth,
    };
}

/** The line the command prints the hourly cost on; the pipeline puts it in the job summary. */
export function hourlyText(estimate: Pick<CostEstimate, "stack" | "total">): string {
    const { hourlyUsd: low, maxHourlyUsd: high } = hourlyUsd(estimate);
    return `Cost per hour of ${estimate.stack}: ${usdText(low, high)} USD (the monthly estimate, ${usdText(estimate.total.monthlyUsd, estimate.total.maxMonthlyUsd)} USD, over ${priceTable.hoursPerMonth} hours; list prices, not verified against the live price list${high !== low ? "; a range is autoscale at its minimum and at its maximum" : ""})`;
}

function changeLines(changes: readonly ReplicaChange[]): string[] {
    return changes.map((change) => `  - ${change.key}: ${change.what}`);
}

/**
 * Runs the command; returns the process exit code (see the usage). `run` runs one stack (tests
 * pass one that reuses runs); `env` is where npm leaves the options it swallowed.
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
    const source = parsed.stack;
    const projectDir = projectDirOf(parsed.values);
    const stacks = listStacks(projectDir);
    const missing = missingStack(source, projectDir, stacks);
    if (missing !== undefined) {
        return missing;
    }
    const name = parsed.values.name ?? `${source}-replica`;
    if (!stackName.test(name)) {
        process.stderr.write(`--name: ${JSON.stringify(name)} is not a stack name (allowed: ${stackNameAllowed})\n`);
        return 2;
    }
    if (stacks.includes(name)) {
        process.stderr.write(
            `--name: stack "${name}" has a stack file already, Pulumi.${name}.yaml; a replica never overwrites a stack (allowed: a name no stack has; stacks here: ${stacks.join(", ")})\n`,
        );
        return 2;
    }
    const policyFile = path.join(projectDir, "policies", "config", `${name}.json`);
    if (fs.existsSync(policyFile)) {
        process.stderr.write(
            `--name: ${path.relative(projectDir, policyFile)} exists already, the policy config of another stack "${name}" (allowed: a name no policy config has, or remove that file)\n`,
        );
        return 2;
    }

    try {
        const project = loadProject(projectDir);
        const ext = path.extname(project.file);
        const sourceFile = path.join(project.stackDir, `Pulumi.${source}${ext}`);
        const replica = replicaStackFile(fs.readFileSync(sourceFile, "utf8"), { source, name, project: project.name });
        const sourcePolicy = path.join(projectDir, "policies", "config", `${source}.json`);
        const policy = replicaPolicyConfig(
            fs.existsSync(sourcePolicy) ? (JSON.parse(fs.readFileSync(sourcePolicy, "utf8")) as Record<string, unknown>) : undefined,
            { production: replica.production },
        );

        const replicaFile = path.join(project.stackDir, `Pulumi.${name}${ext}`);
        fs.writeFileSync(replicaFile, replica.text);
        const lines = [
            `Wrote ${path.relative(projectDir, replicaFile)}, a replica of ${source}; what differs from Pulumi.${source}${ext}:`,
            ...changeLines(replica.changes),
        ];
        if (policy) {
            fs.mkdirSync(path.dirname(policyFile), { recursive: true });
            fs.writeFileSync(policyFile, `${JSON.stringify(policy.config, null, 4)}\n`);
            lines.push(
                `Wrote ${path.relative(projectDir, policyFile)}, its policy config${fs.existsSync(sourcePolicy) ? `; what differs from ${path.relative(projectDir, sourcePolicy)}` : ""}:`,
                ...changeLines(policy.changes),
            );
        }
        if (replica.notes.length > 0) {
            lines.push("Shared with the source:", ...replica.notes.map((note) => `  - ${note}`));
        }
        process.stdout.write(`${lines.join("\n")}\n`);

        const result = await planStack({ stack: name, projectDir }, run);
        for (const warning of result.warnings) {
            process.stderr.write(`warning: ${warning}\n`);
        }
        const volumes = stackVolumes({ stack: name, projectDir });
        checkConnectionVolumes(result, volumes);
        process.stdout.write(`${hourlyText(estimateCost(result, volumes))}\n`);
        return 0;
    } catch (error) {
        if (error instanceof ReplicaSourceError) {
            process.stderr.write(`${error.message}\n`);
            return 1;
        }
        // What the user fixes in a file, printed without a stack trace, as the plan prints it.
        return userErrorExit(error);
    }
}

if (require.main === module) {
    runMain(() => main(process.argv.slice(2)));
}
