import * as fs from "node:fs";
import * as path from "node:path";
import { pairObjectives } from "../../engine/project-checks";
import { objectivesText } from "../../stacks/recovery";
import { isUserError, parseCommand, runMain } from "../cli";
import { planStack, projectStacks, runStack, type RunOptions, type StackRun } from "../../engine";
import { runThroughHost } from "../../engine/host/run";
import { listStacks, repoRoot, UserError } from "../../engine/project";
import { BaseError, loadBase } from "./base";
import { checkConnectionVolumes, costText, estimateCost } from "../cost";
import { stackVolumes } from "../cost/volumes";
import { unitPrice } from "./diff-cost";
import { diffMarkdown, previewJson } from "./diff-render";
import { diffReportOf } from "./diff-report";
import { marshalIndent, programWarnings } from "./preview-digest";
import { planGraph } from "./graph";
import { mermaidOf } from "./mermaid";
import { placeholderWarnings } from "./placeholders";
import { policyMarkdown, policyText, stopsDeployment, type PolicyReport } from "./policies";
import { analyzeStack, startPolicyPack } from "./policy-analysis";
import { providerMarkdown, providerRefusals, providerText } from "./provider-rules";
import { planText } from "./render";

const usage = `Usage: npm run plan -- <stack> [--json] [--details] [--diff <base>] [--mermaid] [--show-secrets] [--out <file>] [--project-dir <dir>]

Shows what \`pulumi up -s <stack>\` would deploy, offline: the program runs against mocks with the
stack's Pulumi.<stack>.yaml, and nothing reaches Azure. Then runs the policy pack (policies/) on
it, as \`pulumi preview --policy-pack policies\` would, with policies/config/<stack>.json; a
mandatory violation fails the plan.

  --json      the whole resource graph as JSON on stdout
  --details   every input of every resource under the tree
  --diff <base>
              what changes from <base> (a git revision such as origin/main, planned from a
              temporary worktree, or a plan saved with --json --out <file>), as Markdown for a
              pull-request comment: hazards first, then each resource to create, update, replace
              or delete, by component, with the inputs that change; with --json, what
              \`pulumi preview --json\` prints (Pulumi 3.248's digest: config, steps,
              diagnostics, duration, changeSummary), with the hazards, the cost and the base
              under "x-enterprise-integration"; with --mermaid, the stack's diagram under it
  --mermaid   the stack as a Mermaid flowchart
  --show-secrets
              as \`pulumi preview --show-secrets\`; with --diff --json, secrets still show as
              "[secret]" and secret config stays blinded, as \`pulumi preview --json
              --show-secrets\` prints them (Pulumi 3.248 masks them in its digest whatever the flag)
  --out <file>
              write what would go to stdout (the JSON, the Markdown) to <file> instead; a plan
              saved with --json --out <file> is a base for --diff
  --project-dir <dir>
              the directory of Pulumi.yaml and the stack files (default: this repository)
  --in-process
              run the program in this process under Pulumi's mocks, as the unit tests do,
              instead of through Pulumi's Node.js language host (faster; npm run bench compares
              the two); the policy pack still runs through its host
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
        "show-secrets": { type: "boolean" },
        out: { type: "string" },
        "project-dir": { type: "string" },
        "in-process": { type: "boolean" },
        help: { type: "boolean", short: "h" },
    },
    shownAs: { diff: "--diff <base>", out: "--out <file>", "project-dir": "--project-dir <dir>" },
} as const;

/**
 * Runs the command; returns the process exit code. `run` runs one stack (tests pass one that
 * reuses runs); `env` is where npm leaves the options it swallowed; `analyze` gives the policy
 * pack's verdict (default: a pack started for this plan, as the CLI starts one; the tests pass
 * one pack that serves every plan of the suite).
 */
export async function main(
    argv: string[],
    run: (options: RunOptions) => Promise<StackRun> = runThroughHost,
    env: NodeJS.ProcessEnv = process.env,
    analyze?: (projectDir: string, run: StackRun) => Promise<PolicyReport>,
): Promise<number> {
    const parsed = parseCommand(command, argv, env);
    if (typeof parsed === "number") {
        return parsed;
    }
    const stack = parsed.stack;
    let pack: ReturnType<typeof startPolicyPack> | undefined;
    // How long the plan takes, for the digest's duration.
    const started = process.hrtime.bigint();
    // With PLAN_PHASES set, each phase's end on stderr: seconds since the start and this process's heap.
    const phase = (name: string) => {
        if (env.PLAN_PHASES) {
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            process.stderr.write(
                `phase ${name}: ${seconds.toFixed(2)} s, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB\n`,
            );
        }
    };
    // What the plan prints: on stdout, or in the file --out names.
    const output = (text: string) => {
        if (parsed.values.out === undefined) {
            process.stdout.write(text);
            return;
        }
        try {
            fs.writeFileSync(parsed.values.out, text);
        } catch (error) {
            throw new UserError(`--out ${parsed.values.out}: ${(error as Error).message}`);
        }
    };
    try {
        // The project's directory as given (the engine's default when not), and as the files are read.
        const projectDir = parsed.values["project-dir"] ? path.resolve(parsed.values["project-dir"]) : undefined;
        const root = projectDir ?? repoRoot;
        // The policy pack starts beside the program's run, as the CLI starts it before the program.
        if (!analyze) {
            pack = startPolicyPack({ projectDir: root, stack });
            pack.catch(() => undefined);
        }
        const result = await planStack({ stack, projectDir }, parsed.values["in-process"] ? runStack : run);
        phase("program");
        for (const warning of [...result.warnings, ...placeholderWarnings(root, stack)]) {
            process.stderr.write(`warning: ${warning}\n`);
        }
        const policies = analyze ? await analyze(root, result) : await analyzeStack(root, result, pack!);
        phase("policies");
        // What azure-native would refuse although the preview passes (its existence check, a path without DELETE).
        const refusals = providerRefusals(result);
        // A stack of a DR pair: the pair's recovery objectives, from both stack files.
        const pair = pairObjectives(stack, projectStacks({ stack, projectDir }));
        const standbyUnit = pair?.objectives.standby ? unitPrice(pair.objectives.standby.sku) : undefined;
        const objectives = pair ? `${objectivesText(pair.active, pair.passive, pair.objectives, standbyUnit).join("\n")}\n\n` : "";
        const volumes = stackVolumes({ stack, projectDir });
        checkConnectionVolumes(result, volumes);
        const estimate = estimateCost(result, volumes);
        phase("cost");
        if (parsed.values.diff !== undefined) {
            const base = await loadBase(parsed.values.diff, stack, root, { inProcess: parsed.values["in-process"] });
            const head = planGraph(result);
            const report = diffReportOf({ base, head: result, volumes });
            // What the head asks for that Pulumi leaves alone: a warning, with the program's own.
            for (const warning of report.warnings ?? []) {
                process.stderr.write(`warning: ${warning.resource}: ${warning.message}\n`);
            }
            if (parsed.values.json) {
                // --show-secrets changes nothing here: Pulumi's digest masks secrets whatever it says
                // (pkg/backend/display/json.go stateForJSONOutput, v3.248.0).
                const context = {
                    base: base.graph,
                    head,
                    config: result.config,
                    warnings: programWarnings(result, root),
                    durationNs: Number(process.hrtime.bigint() - started),
                };
                output(marshalIndent(previewJson(report, context)));
                process.stderr.write(`${policyText(policies)}\n${refusals.length > 0 ? `${providerText(refusals)}\n` : ""}`);
            } else {
                // With --mermaid, the stack as it will be, drawn under the diff (GitHub renders it).
                const diagram = parsed.values.mermaid
                    ? `\n<details><summary>${stack} as a diagram</summary>\n\n\`\`\`mermaid\n${mermaidOf(result)}\n\`\`\`\n\n</details>\n`
                    : "";
                output(`${diffMarkdown(report)}\n\n${providerMarkdown(refusals)}${policyMarkdown(policies)}\n${diagram}`);
            }
        } else if (parsed.values.mermaid) {
            output(`${mermaidOf(result)}\n`);
        } else if (parsed.values.json) {
            output(`${JSON.stringify(planGraph(result), null, 2)}\n`);
            // The graph stays the only thing on stdout; the verdict goes with the warnings.
            process.stderr.write(`${policyText(policies)}\n${refusals.length > 0 ? `${providerText(refusals)}\n` : ""}`);
        } else {
            output(
                `${planText(result, { details: parsed.values.details })}\n\n${objectives}${costText(estimate)}\n\n${policyText(policies)}\n\n${providerText(refusals)}\n`,
            );
        }
        return stopsDeployment(policies) || refusals.length > 0 ? 1 : 0;
    } catch (error) {
        // What the user fixes in a file: the program's refusals are Pulumi RunErrors, printed
        // without a stack trace, as `pulumi up` prints them.
        if (isUserError(error) || error instanceof BaseError) {
            process.stderr.write(`${error.message}\n`);
            return 1;
        }
        throw error;
    } finally {
        // A plan that stopped before the analysis stops the pack too.
        void pack?.then(
            (analyzer) => analyzer.close(),
            () => undefined,
        );
    }
}

if (require.main === module) {
    runMain(() => main(process.argv.slice(2)));
}
