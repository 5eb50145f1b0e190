import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { listStacks, repoRoot } from "../engine/project";
import { parseOptions } from "../commands/cli";
import { scaleCatalogProject } from "./scale-catalog";

/**
 * `npm run bench`: wall time and peak memory of the type-check, the full test run and the plan of
 * every stack, each also as a multiple of the floor, against the budgets. The floor is
 * `scripts/floor.ts`, the smallest program of this kind (one API Management service and one
 * workflow) run by the same engine under the same mocks and process setup as a plan; measured in
 * the same bench, before and after the rest, so a slower or busier machine moves both. Memory is
 * the peak of the summed resident memory of the whole process tree (npm, node, the compiler),
 * sampled from /proc.
 */

interface Step {
    readonly label: string;
    readonly command: string;
    readonly args: readonly string[];
    /** At most this many floors of wall time (or seconds, on this machine), and this much memory. */
    readonly budget?: { readonly floors?: number; readonly seconds?: number; readonly mib?: number };
}

interface Measurement {
    readonly seconds: number;
    readonly peakMib: number | undefined;
    readonly exitCode: number;
}

const pageSize = 4096;

function processTable(): Map<number, number> {
    const parents = new Map<number, number>();
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) {
            continue;
        }
        try {
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            parents.set(Number(entry), Number(fields[1]));
        } catch {
            // the process ended while we looked
        }
    }
    return parents;
}

function treeRssBytes(root: number): number {
    const parents = processTable();
    const tree = new Set([root]);
    let grew = true;
    while (grew) {
        grew = false;
        for (const [pid, parent] of parents) {
            if (tree.has(parent) && !tree.has(pid)) {
                tree.add(pid);
                grew = true;
            }
        }
    }
    let total = 0;
    for (const pid of tree) {
        try {
            total += Number(fs.readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]) * pageSize;
        } catch {
            // gone
        }
    }
    return total;
}

function measure(step: Step): Promise<Measurement> {
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const child = spawn(step.command, step.args, { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
        const stderr: string[] = [];
        child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
        // What a step prints is dropped, but for its last lines, which a failure shows (a test's report).
        let stdoutTail = "";
        child.stdout.on("data", (chunk: Buffer) => (stdoutTail = (stdoutTail + chunk.toString()).slice(-6000)));
        const canSample = fs.existsSync("/proc/self/statm");
        let peak = 0;
        const sample = () => {
            if (canSample && child.pid) {
                peak = Math.max(peak, treeRssBytes(child.pid));
            }
        };
        const timer = setInterval(sample, 20);
        child.on("error", reject);
        child.on("exit", (code) => {
            clearInterval(timer);
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            if (code !== 0) {
                process.stderr.write(`${step.label} exited with ${code}:\n${stderr.join("")}${stdoutTail}\n`);
            }
            resolve({ seconds, peakMib: canSample ? peak / 1024 / 1024 : undefined, exitCode: code ?? 1 });
        });
    });
}

/** A budget as the table shows it. */
function budgetText(budget: NonNullable<Step["budget"]>): string {
    return [
        budget.floors !== undefined ? `${budget.floors} floors` : undefined,
        budget.seconds !== undefined ? `${budget.seconds} s` : undefined,
        budget.mib !== undefined ? `${budget.mib} MiB` : undefined,
    ]
        .filter((part) => part !== undefined)
        .join(", ");
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
    const values = parseOptions(
        [
            "Usage: npm run bench [-- --runs <n>]",
            "",
            "Wall time and peak memory of the type-check, npm test and the plan of every stack, each also as a",
            "multiple of the floor (scripts/floor.ts), against the budgets.",
            "",
            "  --runs <n>   measure each step n times and report the median (default 1)",
            "  --help       this text",
        ].join("\n"),
        { runs: { type: "string", default: "1" } },
        argv,
    );
    if (typeof values === "number") {
        return values;
    }
    const runs = Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1) {
        process.stderr.write(`--runs must be a whole number of 1 or more, not ${values.runs}\n`);
        return 2;
    }
    const node = process.execPath;
    // As `npm run plan` starts node (package.json).
    const viaEngine = ["--max-semi-space-size=64", "--require", "./scripts/register.js", "--require", "./engine/lazy-modules.js"];
    const floor: Step = { label: "floor (scripts/floor.ts)", command: node, args: [...viaEngine, "scripts/floor.ts"] };
    // The catalog at scale (scripts/scale-catalog.ts): 200 APIs, each with a second revision of its
    // own spec, an API policy and two operation policies; and 20 of the same, for the cost of each
    // API beyond them. The 200-API plan is saved, for the plain-Pulumi reference to register.
    const scale = { large: 200, small: 20 };
    const largeProject = scaleCatalogProject(scale.large);
    const smallProject = scaleCatalogProject(scale.small);
    const savedPlan = path.join(largeProject, "plan.json");
    const largeLabel = `plan of ${scale.large} APIs (2 revisions, policies)`;
    const smallLabel = `plan of ${scale.small} APIs (2 revisions, policies)`;
    const plainLabel = `plain Pulumi: the ${scale.large}-API plan's resources`;
    const steps: Step[] = [
        {
            label: "type-check (TypeScript 7, native)",
            command: node,
            args: ["node_modules/tsc-native/bin/tsc", "-p", "tsconfig.json", "--noCheck", "false"],
        },
        { label: "npm test (type-check + mocha)", command: "npm", args: ["test", "--silent"], budget: { floors: 15, mib: 800 } },
        // The plan as npm run plan makes it: the program through Pulumi's Node.js language host and the
        // policy pack through its policy host, each a process of its own.
        ...listStacks().map<Step>((stack) => ({
            label: `plan ${stack}`,
            command: node,
            args: [...viaEngine, "commands/plan/index.ts", stack, "--json"],
            budget: { floors: 6 },
        })),
        // The same plan with the program run in process under Pulumi's mocks, as the unit tests run it.
        ...listStacks().map<Step>((stack) => ({
            label: `plan ${stack} --in-process`,
            command: node,
            args: [...viaEngine, "commands/plan/index.ts", stack, "--json", "--in-process"],
            budget: { floors: 3 },
        })),
        {
            label: smallLabel,
            command: node,
            args: [...viaEngine, "commands/plan/index.ts", "scale", "--json", "--project-dir", smallProject],
        },
        {
            label: largeLabel,
            command: node,
            args: [...viaEngine, "commands/plan/index.ts", "scale", "--json", "--out", savedPlan, "--project-dir", largeProject],
            budget: { seconds: 10, mib: 1024 },
        },
        // What Pulumi's own runtime and SDK classes cost for the same resources, with nothing of
        // this project's (scripts/plain-pulumi.ts): the floor the plan at scale is judged against.
        {
            label: plainLabel,
            command: node,
            args: ["--max-semi-space-size=64", "--require", "./scripts/register.js", "scripts/plain-pulumi.ts", savedPlan],
        },
    ];

    process.stdout.write(`Node ${process.version}, ${runs} run(s) per step, median shown\n\n`);
    const sample = async (step: Step) => {
        const results: Measurement[] = [];
        for (let i = 0; i < runs; i++) {
            results.push(await measure(step));
        }
        const mibs = results.map((result) => result.peakMib).filter((mib): mib is number => mib !== undefined);
        return {
            results,
            seconds: median(results.map((result) => result.seconds)),
            mib: mibs.length > 0 ? median(mibs) : undefined,
            failed: results.some((result) => result.exitCode !== 0),
        };
    };
    const before = await sample(floor);
    const measured = [];
    for (const step of steps) {
        measured.push({ step, ...(await sample(step)) });
    }
    const after = await sample(floor);
    const floorSeconds = median([...before.results, ...after.results].map((result) => result.seconds));

    const header = ["step", "wall", "floors", "peak memory", "budget", ""];
    const rows: string[][] = [
        [
            floor.label,
            `${floorSeconds.toFixed(2)} s`,
            "1.00",
            before.mib === undefined ? "n/a" : `${before.mib.toFixed(0)} MiB`,
            "-",
            before.failed || after.failed ? "FAILED" : "",
        ],
    ];
    let over = before.failed || after.failed;
    for (const { step, seconds, mib, failed } of measured) {
        const floors = seconds / floorSeconds;
        const within = step.budget
            ? (step.budget.floors === undefined || floors <= step.budget.floors) &&
              (step.budget.seconds === undefined || seconds <= step.budget.seconds) &&
              (step.budget.mib === undefined || mib === undefined || mib <= step.budget.mib)
            : true;
        over ||= failed || !within;
        rows.push([
            step.label,
            `${seconds.toFixed(2)} s`,
            floors.toFixed(2),
            mib === undefined ? "n/a" : `${mib.toFixed(0)} MiB`,
            step.budget ? budgetText(step.budget) : "-",
            failed ? "FAILED" : step.budget ? (within ? "ok" : "OVER") : "",
        ]);
    }
    const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)));
    const line = (cells: string[]) =>
        cells
            .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
            .join("  ")
            .trimEnd();
    process.stdout.write(`${line(header)}\n${widths.map((width) => "-".repeat(width)).join("  ")}\n${rows.map(line).join("\n")}\n`);
    // The cost of each API beyond the small catalog, and the plan at scale against plain Pulumi.
    const byLabel = new Map(measured.map((entry) => [entry.step.label, entry]));
    const large = byLabel.get(largeLabel)!;
    const small = byLabel.get(smallLabel)!;
    const plain = byLabel.get(plainLabel)!;
    const apis = scale.large - scale.small;
    const perApiMib =
        large.mib !== undefined && small.mib !== undefined ? `, ${(((large.mib - small.mib) * 1024) / apis).toFixed(0)} KiB` : "";
    process.stdout.write(
        [
            "",
            `Each API beyond ${scale.small} (from the ${scale.small}- and ${scale.large}-API plans): ${(((large.seconds - small.seconds) * 1000) / apis).toFixed(0)} ms${perApiMib}.`,
            `The ${scale.large}-API plan takes ${(large.seconds / plain.seconds).toFixed(2)}x the time${large.mib !== undefined && plain.mib !== undefined ? ` and ${(large.mib / plain.mib).toFixed(2)}x the peak memory` : ""} of plain Pulumi registering its resources (${plain.seconds.toFixed(2)} s).`,
            "",
        ].join("\n"),
    );
    return over ? 1 : 0;
}

if (require.main === module) {
    main().then(
        (code) => {
            process.exitCode = code;
        },
        (error: unknown) => {
            process.stderr.write(`${String(error)}\n`);
            process.exitCode = 1;
        },
    );
}
