import * as path from "node:path";
import { pairObjectives } from "../../stacks/project-checks";
import { objectivesText } from "../../stacks/recovery";
import { isUserError, parseCommand, runMain } from "../cli";
import { planStack, projectStacks, runStack, type RunOptions, type StackRun } from "../engine";
import { listStacks, repoRoot } from "../engine/project";
import { BaseError, loadBase } from "./base";
import { costText, estimateCost } from "../cost";
import { stackVolumes } from "../cost/volumes";
import { costChange, monthlyUsdOf, unitPrice } from "./diff-cost";
import { diffMarkdown, previewJson } from "./diff-render";
import { planGraph, runOfGraph } from "./graph";
import { hazardsOf } from "./hazards";
import { mermaidOf } from "./mermaid";
import { diffPlans } from "./plan-diff";
import { placeholderWarnings } from "./placeholders";
import { checkStack, policyMarkdown, policyText } from "./policies";
import { planText } from "./render";

const usage = `Usage: npm run plan -- <stack> [--json] [--details] [--diff <base>] [--mermaid] [--project-dir <dir>]

Shows what \`pulumi up -s <stack>\` would deploy, offline: the program runs against mocks with the
stack's Pulumi.<stack>.yaml, and nothing reaches Azure. Then runs the policy pack (policies/) on
it, as \`pulumi preview --policy-pack policies\` would, with policies/config/<stack>.json; a
mandatory violation fails the plan.

  --json      the whole resource graph as JSON on stdout
  --details   every input of every resource under the tree
  --diff <base>
              what changes from <base> (a git revision such as origin/main, planned from a
              temporary worktree, or a plan saved with --json), as Markdown for a pull-request
              comment: hazards first, then each resource to create, update, replace or delete,
              by component, with the inputs that change; with --json, in the shape of
              \`pulumi preview --json\`; with --mermaid, the stack's diagram under it
  --mermaid   the stack as a Mermaid flowchart
  --project-dir <dir>
              the directory of Pulumi.yaml and the stack files (default: this repository)
  --help      this text

Stacks here: ${listStacks().join(", ")}`;

/** The command line of `npm run plan`. */
const command = {
    script: "plan",
    usage,
    verb: "plan",
    options: {
        json: { type: "boolean" },
        details: { type: "boolean" },
        diff: { type: "string" },
        mermaid: { type: "boolean" },
        "project-dir": { type: "string" },
        help: { type: "boolean", short: "h" },
    },
    shownAs: { diff: "--diff <base>", "project-dir": "--project-dir <dir>" },
} as const;

/**
 * Runs the command; returns the process exit code. `run` runs one stack (tests pass one that
 * reuses runs); `env` is where npm leaves the options it swallowed.
 */
export async function main(argv: string[], run: (options: RunOptions) => Promise<StackRun> = runStack, env: NodeJS.ProcessEnv = process.env): Promise<number> {
    const parsed = parseCommand(command, argv, env);
    if (typeof parsed === "number") {
        return parsed;
    }
    const stack = parsed.stack;
    try {
        // The project's directory as given (the engine's default when not), and as the files are read.
        const projectDir = parsed.values["project-dir"] ? path.resolve(parsed.values["project-dir"]) : undefined;
        const root = projectDir ?? repoRoot;
        const result = await planStack({ stack, projectDir }, run);
        for (const warning of [...result.warnings, ...placeholderWarnings(root, stack)]) {
            process.stderr.write(`warning: ${warning}\n`);
        }
        const policies = checkStack(root, result);
        // A stack of a DR pair: the pair's recovery objectives, from both stack files.
        const pair = pairObjectives(stack, projectStacks({ stack, projectDir }));
        const standbyUnit = pair?.objectives.standby ? unitPrice(pair.objectives.standby.sku) : undefined;
        const objectives = pair ? `${objectivesText(pair.active, pair.passive, pair.objectives, standbyUnit).join("\n")}\n\n` : "";
        const volumes = stackVolumes({ stack, projectDir });
        const estimate = estimateCost(result, volumes);
        if (parsed.values.diff !== undefined) {
            const base = await loadBase(parsed.values.diff, stack, root);
            const diff = diffPlans(base.graph, planGraph(result));
            const existing = base.graph.resources.length > 0;
            // The base priced with its own stack file's volumes (a saved plan has none: this one's).
            const baseEstimate = existing ? estimateCost(runOfGraph(base.graph), base.volumes ?? volumes) : undefined;
            const report = { diff, hazards: hazardsOf(diff, { existing, monthlyUsd: monthlyUsdOf(baseEstimate, estimate) }), base: { label: base.label, note: base.note }, cost: costChange(baseEstimate, estimate) };
            if (parsed.values.json) {
                process.stdout.write(`${JSON.stringify(previewJson(report), null, 2)}\n`);
                process.stderr.write(`${policyText(policies)}\n`);
            } else {
                // With --mermaid, the stack as it will be, drawn under the diff (GitHub renders it).
                const diagram = parsed.values.mermaid ? `\n<details><summary>${stack} as a diagram</summary>\n\n\`\`\`mermaid\n${mermaidOf(result)}\n\`\`\`\n\n</details>\n` : "";
                process.stdout.write(`${diffMarkdown(report)}\n\n${policyMarkdown(policies)}\n${diagram}`);
            }
        } else if (parsed.values.mermaid) {
            process.stdout.write(`${mermaidOf(result)}\n`);
        } else if (parsed.values.json) {
            process.stdout.write(`${JSON.stringify(planGraph(result), null, 2)}\n`);
            // The graph stays the only thing on stdout; the verdict goes with the warnings.
            process.stderr.write(`${policyText(policies)}\n`);
        } else {
            process.stdout.write(`${planText(result, { details: parsed.values.details })}\n\n${objectives}${costText(estimate)}\n\n${policyText(policies)}\n`);
        }
        return policies.violations.some((violation) => violation.level === "mandatory") ? 1 : 0;
    } catch (error) {
        // What the user fixes in a file: the program's refusals are Pulumi RunErrors, printed
        // without a stack trace, as `pulumi up` prints them.
        if (isUserError(error) || error instanceof BaseError) {
            process.stderr.write(`${error.message}\n`);
            return 1;
        }
        throw error;
    }
}

if (require.main === module) {
    runMain(() => main(process.argv.slice(2)));
}
