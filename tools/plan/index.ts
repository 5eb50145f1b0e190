import * as path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, parseStackConfig, projectSecretKeys, rawConfigFromPulumi } from "../../stacks/config";
import { referencedStacks } from "../../stacks/program";
import { runStack, type RunOptions, type StackRun } from "../engine";
import { StackNotFoundError, listStacks, loadProject, loadStackFile, programConfig, repoRoot } from "../engine/project";
import { planJson, planText } from "./render";

const usage = `Usage: npm run plan -- <stack> [--json] [--details] [--project-dir <dir>]

Shows what \`pulumi up -s <stack>\` would deploy, offline: the program runs against mocks with the
stack's Pulumi.<stack>.yaml, and nothing reaches Azure.

  --json      the whole resource graph as JSON on stdout
  --details   every input of every resource under the tree
  --project-dir <dir>
              the directory of Pulumi.yaml and the stack files (default: this repository)
  --help      this text

Stacks here: ${listStacks().join(", ")}`;

/**
 * Runs a stack; when it reads another stack of this project through a StackReference (the DR
 * switch reads the DR stack's host names), runs that stack first and hands its outputs over.
 */
export async function withStackReferences(
    run: (options: RunOptions) => Promise<StackRun>,
    options: RunOptions,
    planning: readonly string[] = [],
): Promise<StackRun> {
    const references: Record<string, Record<string, unknown>> = { ...(options.stackReferences ?? {}) };
    const fabricated = new Set(options.fabricated ?? []);
    const take = (name: string, referenced: StackRun) => {
        references[name] = referenced.outputs;
        referenced.fabricated.forEach((value) => fabricated.add(value));
    };
    const project = loadProject(options.projectDir ?? repoRoot);
    const stacks = listStacks(options.projectDir);
    const ownStack = (name: string) => {
        const parts = name.split("/");
        const stack = parts.pop()!;
        return stacks.includes(stack) && (parts.length === 0 || parts[parts.length - 1] === project.name) ? stack : undefined;
    };
    /** Plans a referenced stack of this project for its outputs; false when it is not one. */
    const resolve = async (name: string): Promise<boolean> => {
        const stack = ownStack(name);
        if (!stack || name in references) {
            return false;
        }
        if (stack === options.stack || planning.includes(stack)) {
            // The stacks read each other (prod points its records at prod-dr, which reads prod's
            // identity). Offline, any stack of the same program gives outputs of the same shape,
            // every value invented: a stack that reads no other stands in for this one.
            const standIn = stacks.find((candidate) => candidate !== stack && !planning.includes(candidate) && announcedReferences({ ...options, stack: candidate }).length === 0);
            if (!standIn) {
                return false;
            }
            take(name, await run({ stack: standIn, projectDir: options.projectDir }));
            return true;
        }
        take(name, await withStackReferences(run, { stack, projectDir: options.projectDir }, [...planning, options.stack]));
        return true;
    };
    // The references the config announces are planned first; any other is found by trying.
    for (const stack of announcedReferences(options)) {
        await resolve(stack.includes("/") ? stack : `${options.organization ?? "organization"}/${project.name}/${stack}`);
    }
    for (;;) {
        try {
            return await run(Object.keys(references).length > 0 ? { ...options, stackReferences: references, fabricated: [...fabricated] } : options);
        } catch (error) {
            const name = /No outputs for the stack reference "([^"]+)"/.exec(String((error as Error).message ?? error))?.[1];
            if (!name || !(await resolve(name))) {
                throw error;
            }
        }
    }
}

/** The stacks a stack's config says it reads; none when the config cannot be read (the run reports why). */
function announcedReferences(options: RunOptions): string[] {
    try {
        const project = loadProject(options.projectDir ?? repoRoot);
        const { config, secretKeys } = programConfig(project, loadStackFile(project, options.stack), options.config);
        return referencedStacks(parseStackConfig(options.stack, rawConfigFromPulumi(config), projectSecretKeys(secretKeys)));
    } catch {
        return [];
    }
}

/** Runs the command; returns the process exit code. `run` runs a stack (tests pass one that reuses runs). */
export async function main(argv: string[], run: (options: RunOptions) => Promise<StackRun> = runStack): Promise<number> {
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            allowPositionals: true,
            options: {
                json: { type: "boolean" },
                details: { type: "boolean" },
                "project-dir": { type: "string" },
                help: { type: "boolean", short: "h" },
            },
        });
    } catch (error) {
        process.stderr.write(`${(error as Error).message}\n\n${usage}\n`);
        return 2;
    }
    if (parsed.values.help) {
        process.stdout.write(`${usage}\n`);
        return 0;
    }
    if (parsed.positionals.length !== 1) {
        process.stderr.write(`${parsed.positionals.length === 0 ? "Name the stack to plan." : "Name one stack."}\n\n${usage}\n`);
        return 2;
    }
    const stack = parsed.positionals[0];
    try {
        const projectDir = parsed.values["project-dir"];
        const result = await withStackReferences(run, { stack, projectDir: projectDir ? path.resolve(projectDir) : undefined });
        process.stdout.write(parsed.values.json ? `${JSON.stringify(planJson(result), null, 2)}\n` : `${planText(result, { details: parsed.values.details })}\n`);
        return 0;
    } catch (error) {
        if (error instanceof ConfigError || error instanceof StackNotFoundError) {
            process.stderr.write(`${error.message}\n`);
            return 1;
        }
        throw error;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => {
            process.exitCode = code;
        },
        (error: unknown) => {
            process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
            process.exitCode = 1;
        },
    );
}
