import { ConfigError, type StackConfig } from "../stacks/config";
import { referencedStacks } from "../stacks/program";
import { projectProblems, type ProjectStacks } from "./project-checks";
import type { FabricatedEntry } from "./mocks";
import { listStacks, loadProject, repoRoot, UserError } from "./project";
import { UnresolvedStackReference, ownStackName, type ReferencedOutputs } from "./references";
import { runStack, type RunOptions, type StackRun } from "./run";
import { readStackConfig } from "./stack-config";

/**
 * A stack's plan, the way a user runs it: the checks across the project's stack files first (a
 * stack reference names a stack of the project; no two stacks take the same host names), then the
 * run. A stack that reads another stack of the project through a StackReference gets that stack's
 * planned outputs; a reference back to a stack already being planned (prod and prod-dr read each
 * other after a failover) reads as unknown, like another project's stack.
 */
export async function planStack(options: RunOptions, run: (options: RunOptions) => Promise<StackRun> = runStack): Promise<StackRun> {
    checkProject(options);
    return withReferences(options, run, []);
}

/** The config of a stack file, or undefined when the CLI or the program would refuse it. */
function validConfig(dir: string, stack: string, overrides?: Record<string, unknown>): StackConfig | undefined {
    try {
        return readStackConfig({ stack, projectDir: dir, config: overrides });
    } catch (error) {
        if (error instanceof UserError || error instanceof ConfigError) {
            return undefined;
        }
        throw error;
    }
}

/**
 * The checks across stack files. A stack whose own file is invalid is left to its run, which
 * reports why; other invalid files are left out of the comparison (their own plans report them).
 */
function checkProject(options: RunOptions): void {
    const problems = projectProblems(options.stack, projectStacks(options));
    if (problems.length > 0) {
        throw new ConfigError(options.stack, problems);
    }
}

/** The configs of every stack of the project (a stack's own with its overrides), for checks across them. */
export function projectStacks(options: Pick<RunOptions, "stack" | "projectDir" | "config">): ProjectStacks {
    const dir = options.projectDir ?? repoRoot;
    const project = loadProject(dir);
    const stacks: Record<string, StackConfig | undefined> = {};
    for (const stack of new Set([...listStacks(dir), options.stack])) {
        stacks[stack] = validConfig(dir, stack, stack === options.stack ? options.config : undefined);
    }
    return { project: project.name, stacks };
}

/** The stacks of this project a stack's config says it reads, as reference names. */
function announcedReferences(options: RunOptions): string[] {
    const config = validConfig(options.projectDir ?? repoRoot, options.stack, options.config);
    return config ? referencedStacks(config) : [];
}

async function withReferences(
    options: RunOptions,
    run: (options: RunOptions) => Promise<StackRun>,
    planning: readonly string[],
): Promise<StackRun> {
    const dir = options.projectDir ?? repoRoot;
    const project = loadProject(dir);
    const stacks = listStacks(dir);
    const references: Record<string, ReferencedOutputs> = { ...(options.stackReferences ?? {}) };
    const fabricated: FabricatedEntry[] = [...(options.fabricated ?? [])];
    /** Plans the referenced stack for its outputs (or reads it as unknown when it is being planned). */
    const resolve = async (reference: string, stack: string): Promise<void> => {
        if (stack === options.stack || planning.includes(stack)) {
            references[reference] = "unknown";
            return;
        }
        if (!stacks.includes(stack)) {
            throw new ConfigError(options.stack, [`dr.stack: no stack "${stack}" in this project (stacks here: ${stacks.join(", ")})`]);
        }
        const referenced = await withReferences({ stack, projectDir: options.projectDir, variant: options.variant }, run, [
            ...planning,
            options.stack,
        ]);
        references[reference] = referenced.outputs;
        fabricated.push(...referenced.fabricated);
    };
    for (const reference of announcedReferences(options)) {
        const stack = ownStackName(reference, project.name);
        if (stack !== undefined) {
            // The program qualifies a bare name with its organisation and project.
            await resolve(
                reference.includes("/") ? reference : `${options.organization ?? "organization"}/${project.name}/${reference}`,
                stack,
            );
        }
    }
    for (;;) {
        try {
            return await run({ ...options, stackReferences: references, fabricated });
        } catch (error) {
            // A reference the config does not announce is found by trying.
            if (!(error instanceof UnresolvedStackReference) || error.reference in references) {
                throw error;
            }
            await resolve(error.reference, error.stackName);
        }
    }
}
