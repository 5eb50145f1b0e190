import * as assert from "node:assert/strict";
import * as adopt from "../../commands/adopt";
import * as cost from "../../commands/cost/cli";
import * as plan from "../../commands/plan";
import * as smoke from "../../commands/smoke";
import { captured, fixtureProject } from "../helpers";
import { Project } from "./project";
import { rows } from "./table";

describe("every mistake refused where it is made, every valid variation accepted (tests/mutations/table.ts)", () => {
    it("has at least 150 rows", () => {
        assert.ok(rows.length >= 150, `${rows.length} rows`);
    });
    for (const [what, change, expect, stack] of rows) {
        it(`${stack ?? "dev"}: ${what}`, async () => {
            const project = new Project();
            change(project);
            assert.deepEqual(await project.problems(stack), [...expect]);
        });
    }
});

/** A command line and how the command answers it: exit code and the first line it writes to stderr. */
type CommandRow = [what: string, command: "plan" | "cost" | "smoke" | "adopt", argv: string[], code: number, firstLine: string];

// prettier-ignore
const commandRows: readonly CommandRow[] = [
    ["plan without a stack", "plan", [], 2, "Name the stack to plan."],
    ["plan with two stacks", "plan", ["dev", "prod"], 2, "Name one stack."],
    ["plan with an option misspelt", "plan", ["dev", "--jsno"], 2, "Unknown option --jsno; did you mean --json?"],
    ["plan with an unknown option", "plan", ["dev", "--verbose"], 2, "Unknown option --verbose (allowed: --json, --details, --diff, --mermaid, --show-secrets, --out, --project-dir, --in-process, --help)"],
    ["plan of a stack without a stack file", "plan", ["qa", "--project-dir", "<fixture>"], 1, "Stack \"qa\" has no stack file Pulumi.qa.yaml (allowed: dev, prod, prod-dr, test)"],
    ["plan of a project folder that does not exist", "plan", ["dev", "--project-dir", "<fixture>/nothing"], 1, "<fixture>/nothing does not exist (allowed: the folder of a project, with its Pulumi.yaml; --project-dir defaults to this repository)"],
    ["cost without a stack", "cost", [], 2, "Name the stack to estimate."],
    ["cost with an option misspelt", "cost", ["dev", "--jsn"], 2, "Unknown option --jsn; did you mean --json?"],
    ["smoke without --outputs", "smoke", ["dev", "--project-dir", "<fixture>"], 2, "--outputs is missing (allowed: a file holding the JSON of `pulumi stack output --json --show-secrets -s dev`, or - to read it from standard input)"],
    ["smoke with a timeout in seconds", "smoke", ["dev", "--project-dir", "<fixture>", "--outputs", "x.json", "--timeout-ms", "15s"], 2, "--timeout-ms: \"15s\" is not a number of milliseconds (allowed: a whole number of 1 or more, such as 15000)"],
    ["smoke of a stack without a stack file", "smoke", ["qa", "--project-dir", "<fixture>", "--outputs", "x.json"], 2, "Stack \"qa\" has no stack file Pulumi.qa.yaml (allowed: dev, prod, prod-dr, test)"],
    ["smoke with an option misspelt", "smoke", ["dev", "--output", "x.json"], 2, "Unknown option --output; did you mean --outputs?"],
    ["adopt without a stack", "adopt", ["--from", "export"], 2, "Name the stack to adopt the service into."],
    ["adopt with --from misspelt", "adopt", ["dev", "--form", "export"], 2, "Unknown option --form; did you mean --from?"],
    ["adopt from an export folder that does not exist", "adopt", ["dev", "--from", "<fixture>/export", "--project-dir", "<fixture>"], 1, "--from <fixture>/export: is not a directory (allowed: the directory npm run export-apim wrote)"],
];

describe("every command line refused with what was wrong and what is allowed, no stack trace", () => {
    for (const [what, command, argv, code, firstLine] of commandRows) {
        it(`${command}: ${what}`, async () => {
            const fixture = fixtureProject();
            const args = argv.map((arg) => arg.replace("<fixture>", fixture));
            const main = command === "plan" ? planMain : command === "cost" ? costMain : command === "adopt" ? adoptMain : smokeMain;
            const { result, stderr } = await captured(() => main(args, process.env));
            assert.equal(result, code, stderr);
            assert.equal(stderr.split("\n")[0]!.split(fixture).join("<fixture>"), firstLine);
            assert.doesNotMatch(stderr, /\n\s+at /, "no stack trace");
        });
    }
});

/** The commands as their npm scripts start them, with this process's environment. */
const planMain = (argv: string[], env: NodeJS.ProcessEnv) => plan.main(argv, undefined, env);
const costMain = (argv: string[], env: NodeJS.ProcessEnv) => cost.main(argv, undefined, env);
const smokeMain = (argv: string[], env: NodeJS.ProcessEnv) => smoke.main(argv, env);
const adoptMain = (argv: string[], env: NodeJS.ProcessEnv) => adopt.main(argv, undefined, env);
