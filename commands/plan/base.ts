import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import type { CostVolumes } from "../cost";
import { stackVolumes } from "../cost/volumes";
import { parsePlanGraph, type PlanGraph } from "./graph";

const run = promisify(execFile);

/**
 * The plan a diff starts from: a saved `--json` plan, or the plan of another revision, made from a
 * temporary git worktree of that revision that uses this checkout's `node_modules` (so it needs no
 * install and no network). A stack the base revision has no file for is new: its base is empty.
 */
export interface Base {
    graph: PlanGraph;
    /** What the base is, for the reader: `origin/main (3f2a1c9)`, or the file's name. */
    label: string;
    /** Why the base is empty, when it is. */
    note?: string;
    /** The monthly volumes its stack file gives the cost estimate; unknown for a saved plan. */
    volumes?: CostVolumes;
}

/** The cost volumes of a stack file at a revision, when this revision's rules can read it. */
function volumesAt(stack: string, projectDir: string): CostVolumes | undefined {
    try {
        return stackVolumes({ stack, projectDir });
    } catch {
        return undefined;
    }
}

/**
 * A saved plan's text without what npm prints before a script's output, when the plan was saved
 * with `npm run plan -- <stack> --json > file`: a blank line, the `> ` lines that name the package
 * and the command, a blank line; only when the plan's `{` follows.
 */
export function withoutNpmBanner(text: string): string {
    const banner = /^(?:\r?\n)?(?:> [^\r\n]*\r?\n)+\r?\n(?=\{)/.exec(text);
    return banner ? text.slice(banner[0].length) : text;
}

/** A base that cannot be planned or read: the user's to fix, printed without a stack trace. */
export class BaseError extends Error {}

/** An empty plan of `stack`: what a stack that does not exist yet has. */
function emptyGraph(stack: string): PlanGraph {
    return { stack, resources: [], outputs: {} };
}

function asBaseError<T>(task: () => T): T {
    try {
        return task();
    } catch (error) {
        throw new BaseError((error as Error).message);
    }
}

async function git(cwd: string, ...args: string[]): Promise<string> {
    const { stdout } = await run("git", args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout.trim();
}

/**
 * Loads the base of a diff: `base` is a path to a saved plan when such a file exists, otherwise a
 * git revision of the repository that holds `projectDir`.
 */
export async function loadBase(base: string, stack: string, projectDir: string, options: { inProcess?: boolean } = {}): Promise<Base> {
    if (fs.existsSync(base) && fs.statSync(base).isFile()) {
        const graph = asBaseError(() => parsePlanGraph(withoutNpmBanner(fs.readFileSync(base, "utf8")), base));
        if (graph.stack !== stack) {
            throw new BaseError(`${base}: is the plan of stack ${graph.stack}, not ${stack}`);
        }
        return { graph, label: path.basename(base) };
    }
    let root: string;
    let commit: string;
    try {
        root = await git(projectDir, "rev-parse", "--show-toplevel");
        commit = await git(root, "rev-parse", "--verify", "--quiet", `${base}^{commit}`);
    } catch {
        throw new BaseError(
            `--diff ${base}: is neither a saved plan (npm run plan -- ${stack} --json --out <file>) nor a git revision of this repository`,
        );
    }
    const label = commit.startsWith(base) ? commit.slice(0, Math.max(7, base.length)) : `${base} (${commit.slice(0, 7)})`;
    const relative = path.relative(root, projectDir);
    const stackFile = path.posix.join(relative.split(path.sep).join("/"), `Pulumi.${stack}.yaml`).replace(/^\.\//, "");
    const listed = await git(root, "ls-tree", "--name-only", commit, "--", stackFile);
    if (!listed) {
        return { graph: emptyGraph(stack), label, note: `${base} has no Pulumi.${stack}.yaml: the stack is new` };
    }
    const worktree = fs.mkdtempSync(path.join(os.tmpdir(), "plan-base-"));
    try {
        await git(root, "worktree", "add", "--detach", "--force", worktree, commit);
        fs.symlinkSync(path.join(root, "node_modules"), path.join(worktree, "node_modules"), "dir");
        // The revision's own plan command, as its package.json runs it.
        const args = [
            "run",
            "--silent",
            "plan",
            "--",
            stack,
            "--json",
            // The revision is planned the way this plan runs: in process when this one is.
            ...(options.inProcess ? ["--in-process"] : []),
            ...(relative ? ["--project-dir", path.join(worktree, relative)] : []),
        ];
        let stdout: string;
        try {
            ({ stdout } = await run("npm", args, { cwd: worktree, maxBuffer: 256 * 1024 * 1024 }));
        } catch (error) {
            // A mandatory policy violation exits 1 after printing the plan; anything else has no plan.
            const failed = error as { stdout?: string; stderr?: string };
            if (failed.stdout && failed.stdout.trimStart().startsWith("{")) {
                stdout = failed.stdout;
            } else {
                throw new BaseError(
                    `the plan of ${stack} at ${label} failed, so there is nothing to compare with:\n${(failed.stderr ?? String(error)).trim()}`,
                );
            }
        }
        return {
            graph: asBaseError(() => parsePlanGraph(stdout, `the plan of ${stack} at ${label}`)),
            label,
            volumes: volumesAt(stack, relative ? path.join(worktree, relative) : worktree),
        };
    } finally {
        await git(root, "worktree", "remove", "--force", worktree).catch(() => fs.rmSync(worktree, { recursive: true, force: true }));
        await git(root, "worktree", "prune").catch(() => undefined);
    }
}
