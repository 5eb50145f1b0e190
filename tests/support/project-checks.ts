import { located, policySchemaProblems } from "../../content/catalog";
import { loadCatalog } from "../../content";
import { contentDirs } from "../../stacks/program";
import { planStack, runStack, type RunOptions, type StackRun } from "../../engine";
import { sharedPolicyAnalysis } from "../helpers";
import { listStacks } from "../../engine/project";
import { readStackConfig } from "../../engine/stack-config";

/**
 * Checks that hold for any valid project content, run on the shipped project and on copies of it
 * extended the README's way: every stack plans, publishes every API of the catalog and deploys
 * every workflow its stack file names, every policy document in the plan, generated or written by
 * the user, is valid against API Management's policy schema, and the policy pack finds no
 * mandatory violation.
 * They name no API, workflow or stack, so adding one never turns them red.
 */

/** The policy documents of a run, by resource name. */
export function policyDocuments(run: StackRun): Record<string, string> {
    const types = [
        "azure-native:apimanagement:Policy",
        "azure-native:apimanagement:ApiPolicy",
        "azure-native:apimanagement:ApiOperationPolicy",
        "azure-native:apimanagement:ProductPolicy",
    ];
    return Object.fromEntries(
        run.resources.filter((resource) => types.includes(resource.type)).map((resource) => [resource.name, String(resource.inputs.value)]),
    );
}

/** Plans every stack of the project in `root`, each once (a stack another reads is planned first). */
export async function planProject(root: string): Promise<Record<string, StackRun>> {
    const runs = new Map<string, Promise<StackRun>>();
    const run = (options: RunOptions): Promise<StackRun> => {
        const key = `${options.stack} ${Object.keys(options.stackReferences ?? {}).join(",")} ${options.variant ?? 0}`;
        if (!runs.has(key)) {
            runs.set(key, runStack(options));
        }
        return runs.get(key)!;
    };
    const planned: Record<string, StackRun> = {};
    for (const stack of listStacks(root)) {
        planned[stack] = await planStack({ stack, projectDir: root }, run);
    }
    return planned;
}

/** What is wrong with the plans of a project, as lines naming the stack; [] when nothing is. */
export async function projectProblems(root: string, runs: Record<string, StackRun>): Promise<string[]> {
    const catalog = await loadCatalog(contentDirs(root).catalog);
    const apiIds = catalog.apis.map((api) => api.apiId).sort();
    const problems: string[] = [];
    // The policy pack through Pulumi's own entry point (one process for the suite).
    for (const [stack, run] of Object.entries(runs)) {
        const published = Object.keys((run.outputs.gateway as { apiIds: Record<string, string> }).apiIds).sort();
        if (JSON.stringify(published) !== JSON.stringify(apiIds)) {
            problems.push(`${stack}: publishes ${published.join(", ")}, not the catalog's ${apiIds.join(", ")}`);
        }
        const deployed = Object.keys((run.outputs.workflows as { ids: Record<string, string> }).ids).sort();
        const configured = Object.keys(workflowsOf(root, stack)).sort();
        if (JSON.stringify(deployed) !== JSON.stringify(configured)) {
            problems.push(`${stack}: deploys the workflows ${deployed.join(", ")}, not its stack file's ${configured.join(", ")}`);
        }
        const report = await sharedPolicyAnalysis(root, run);
        for (const violation of [...report.violations, ...report.upViolations].filter((found) => found.level === "mandatory")) {
            problems.push(`${stack}: policy ${violation.rule}: ${violation.resource} (${violation.type}): ${violation.message}`);
        }
        for (const [name, document] of Object.entries(policyDocuments(run))) {
            for (const problem of await policySchemaProblems(document)) {
                problems.push(`${stack}: ${name}: ${located(problem)}`);
            }
        }
    }
    return problems;
}

/** The workflows a stack file names. */
function workflowsOf(root: string, stack: string): Record<string, string> {
    return readStackConfig({ stack, projectDir: root }).workflows;
}
