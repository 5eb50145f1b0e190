import { planStack, runStack, type RunOptions, type StackRun } from "../../engine";
import { listStacks } from "../../engine/project";
import { planGraph } from "../../commands/plan/graph";
import { planText } from "../../commands/plan/render";

/**
 * Plans every stack of the project with the mocks inventing other values (variant 1) and prints
 * each plan's text and JSON as one JSON document. The invented-values test runs it in a child
 * process, on the other core, while the suite runs.
 */
async function main(): Promise<void> {
    const runs = new Map<string, Promise<StackRun>>();
    const run = (options: RunOptions): Promise<StackRun> => {
        const key = `${options.stack} ${Object.keys(options.stackReferences ?? {}).join(",")}`;
        if (!runs.has(key)) {
            runs.set(key, runStack(options));
        }
        return runs.get(key)!;
    };
    const plans: Record<string, { text: string; json: unknown; outputs: unknown }> = {};
    // The project to plan: the directory given, or this repository.
    const projectDir = process.argv[2];
    for (const stack of listStacks(projectDir)) {
        const planned = await planStack({ stack, variant: 1, projectDir }, run);
        plans[stack] = { text: planText(planned), json: planGraph(planned), outputs: planned.outputs };
    }
    process.stdout.write(JSON.stringify(plans));
}

main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
});
