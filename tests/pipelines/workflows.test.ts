import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { register } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import type * as WorkflowParser from "@actions/workflow-parser" with { "resolution-mode": "import" };
import { repoRoot } from "../../engine/project";
import { stackRun } from "../helpers";

/**
 * The GitHub Actions workflows under `.github/workflows/`, read with GitHub's own parser
 * (`@actions/workflow-parser`, the one behind the Actions language service), then held to the
 * rules the pipelines are built on: actions pinned to commits, a read-only token unless a job
 * needs more, OpenID Connect instead of stored secrets, and the README's commands.
 */

type Token = NonNullable<WorkflowParser.TemplateParseResult["value"]>;
type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };
type Mapping = { [key: string]: Plain };

interface Step {
    readonly id?: string;
    readonly name?: string;
    readonly uses?: string;
    readonly run?: string;
    readonly if?: string;
    readonly workingDirectory?: string;
    readonly with: Mapping;
    readonly env: Mapping;
}

interface Job {
    readonly id: string;
    /** A job that calls a reusable workflow names it here. */
    readonly uses?: string;
    readonly needs: string[];
    readonly if?: string;
    readonly permissions?: Plain;
    readonly environment?: Plain;
    readonly env: Mapping;
    readonly strategy: Mapping;
    readonly steps: Step[];
}

interface Workflow {
    readonly file: string;
    readonly raw: string;
    /** The parser's errors: YAML, schema (keys, values, permission scopes) and expressions. */
    readonly errors: string[];
    readonly tree: Mapping;
    readonly jobs: Job[];
}

const workflowsDir = path.join(repoRoot, ".github", "workflows");
const packageJson = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
    engines: { node: string };
    dependencies: Record<string, string>;
};

let loading: Promise<typeof WorkflowParser> | undefined;

/**
 * The parser, an ES module. Its modules import its JSON schema without an import attribute (they
 * are written for bundlers), which Node refuses; a load hook adds `type: "json"` to exactly those
 * imports, so the published package runs as it is.
 */
function workflowParser(): Promise<typeof WorkflowParser> {
    const hook = [
        "export async function load(url, context, nextLoad) {",
        '    if (url.includes("/node_modules/@actions/workflow-parser/") && url.endsWith(".json") && context.importAttributes?.type === undefined) {',
        '        return nextLoad(url, { ...context, importAttributes: { ...context.importAttributes, type: "json" } });',
        "    }",
        "    return nextLoad(url, context);",
        "}",
    ].join("\n");
    loading ??= (() => {
        register(`data:text/javascript,${encodeURIComponent(hook)}`);
        return import("@actions/workflow-parser");
    })();
    return loading;
}

/** A parsed token as plain data; an expression keeps its source text (`${{ ... }}`). */
function plain(parser: typeof WorkflowParser, token: Token): Plain {
    if (parser.isMapping(token)) {
        return Object.fromEntries([...token].map(({ key, value }) => [String(plain(parser, key)), plain(parser, value)]));
    }
    if (parser.isSequence(token)) {
        return [...token].map((item) => plain(parser, item));
    }
    if (parser.isBasicExpression(token)) {
        return token.source ?? `\${{ ${token.expression} }}`;
    }
    return token.toJSON() as Plain;
}

function mapping(value: Plain | undefined): Mapping {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? value : {};
}

function optionalText(value: Plain | undefined): string | undefined {
    return value === undefined || value === null ? undefined : String(value);
}

function readJob(id: string, value: Plain): Job {
    const job = mapping(value);
    const steps = Array.isArray(job.steps) ? job.steps : [];
    const needs = job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs.map(String) : [String(job.needs)];
    return {
        id,
        uses: optionalText(job.uses),
        needs,
        if: optionalText(job.if),
        permissions: job.permissions,
        environment: job.environment,
        env: mapping(job.env),
        strategy: mapping(job.strategy),
        steps: steps.map((item) => {
            const step = mapping(item);
            return {
                id: optionalText(step.id),
                name: optionalText(step.name),
                uses: optionalText(step.uses),
                run: optionalText(step.run),
                if: optionalText(step.if),
                workingDirectory: optionalText(step["working-directory"]),
                with: mapping(step.with),
                env: mapping(step.env),
            };
        }),
    };
}

async function readWorkflow(parser: typeof WorkflowParser, file: string, raw: string): Promise<Workflow> {
    const result = parser.parseWorkflow({ name: file, content: raw }, new parser.NoOperationTraceWriter());
    if (result.value !== undefined) {
        // Conversion to the workflow model adds its own checks (job graph, needs, matrix) to the context's errors.
        await parser.convertWorkflowTemplate(result.context, result.value);
    }
    const errors = result.context.errors.getErrors().map((error) => error.message);
    const tree = result.value === undefined ? {} : mapping(plain(parser, result.value));
    return { file, raw, errors, tree, jobs: Object.entries(mapping(tree.jobs)).map(([id, job]) => readJob(id, job)) };
}

/** The action a `uses:` names, without its ref: `owner/repo[/path]`, lower case (GitHub ignores case). */
function actionName(uses: string): string {
    return uses.replace(/@.*$/, "").toLowerCase();
}

function usesAction(job: Job, action: string): boolean {
    return job.steps.some((step) => step.uses !== undefined && actionName(step.uses) === action);
}

/** Whether a job posts a pull-request comment: through the REST API from a script, or through pulumi/actions. */
function commentsOnPullRequest(job: Job): boolean {
    return job.steps.some(
        (step) =>
            step.uses !== undefined &&
            ((actionName(step.uses) === "actions/github-script" &&
                /\b(createComment|updateComment)\b/.test(String(step.with.script ?? ""))) ||
                (actionName(step.uses) === "pulumi/actions" && String(step.with["comment-on-pr"]) === "true")),
    );
}

function runLines(job: Job): string[] {
    return job.steps.flatMap((step) => (step.run ?? "").split("\n").map((line) => line.trim()));
}

function jobById(workflow: Workflow, id: string): Job {
    const job = workflow.jobs.find((candidate) => candidate.id === id);
    assert.ok(job, `${workflow.file} has a job "${id}"`);
    return job;
}

/** A step of a job of a workflow, with its place in the job. */
interface Located {
    readonly workflow: Workflow;
    readonly job: Job;
    readonly index: number;
    readonly step: Step;
    /** For messages: `file job "step"`. */
    readonly where: string;
}

function allSteps(workflows: Workflow[]): Located[] {
    return workflows.flatMap((workflow) =>
        workflow.jobs.flatMap((job) =>
            job.steps.map((step, index) => ({
                workflow,
                job,
                index,
                step,
                where: `${workflow.file} ${job.id} "${step.name ?? step.uses ?? index}"`,
            })),
        ),
    );
}

function isAction(step: Step, action: string): boolean {
    return step.uses !== undefined && actionName(step.uses) === action;
}

/** A run script without its comment lines, so a command named in a comment is not taken for one that runs. */
function script(step: Step): string {
    return (step.run ?? "")
        .split("\n")
        .filter((line) => !/^\s*#/.test(line))
        .join("\n");
}

/**
 * Whether a step runs one of these Pulumi CLI commands ("up", "stack output", ...): pulumi/actions
 * with that `command` (its `output` is `pulumi stack output`, `update` is `up`), or the CLI in a
 * run script. pulumi/actions without a command only installs the CLI.
 */
function runsPulumi(step: Step, commands: readonly string[]): boolean {
    if (isAction(step, "pulumi/actions")) {
        const command = step.with.command === undefined ? undefined : String(step.with.command);
        const cli = command === "update" ? "up" : command === "output" ? "stack output" : command;
        return cli !== undefined && commands.includes(cli);
    }
    const pattern = new RegExp(
        `(^|[\\s;&|(])pulumi\\s+(${commands.map((command) => command.replace(/ /g, "\\s+")).join("|")})(\\s|$)`,
        "m",
    );
    return pattern.test(script(step));
}

/** Environment a step sees: the workflow's, the job's, then its own. */
function stepEnv(located: Located): Mapping {
    return { ...mapping(located.workflow.tree.env), ...located.job.env, ...located.step.env };
}

/** Runs a step's script as GitHub's runners run `shell: bash` (`bash --noprofile --norc -eo pipefail`), in the repository root. */
function runScript(
    run: string,
    env: Record<string, string>,
    cwd: string = repoRoot,
): { status: number | null; stdout: string; stderr: string } {
    const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", run], {
        cwd,
        env: { ...process.env, ...env },
        encoding: "utf8",
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The stacks: one per Pulumi.<stack>.yaml at the root. */
function stackNames(): string[] {
    return fs
        .readdirSync(repoRoot)
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

/** The Quickstart's commands: the install (first command of the first line) and the test command (the line whose comment says it runs the tests). */
function quickstartCommands(readme: string): { install: string; test: string } {
    const section = readme.split(/^## /m).find((part) => part.startsWith("Quickstart"));
    assert.ok(section, "the README has a Quickstart section");
    const block = /```bash\n([\s\S]*?)```/.exec(section);
    assert.ok(block, "the Quickstart has a bash block");
    const lines = block[1]
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => {
            const [command, comment = ""] = line.split(/\s+#\s+/, 2);
            return { command: command.trim(), comment };
        });
    const test = lines.find((line) => /\btests?\b/.test(line.comment));
    assert.ok(test, "a Quickstart line runs the tests");
    return { install: lines[0].command.split("&&")[0].trim(), test: test.command };
}

describe("the GitHub Actions pipelines (.github/workflows/)", () => {
    let workflows: Workflow[];
    let parser: typeof WorkflowParser;

    before(async () => {
        parser = await workflowParser();
        const files = fs
            .readdirSync(workflowsDir)
            .filter((file) => /\.ya?ml$/.test(file))
            .sort();
        workflows = await Promise.all(
            files.map((file) => readWorkflow(parser, file, fs.readFileSync(path.join(workflowsDir, file), "utf8"))),
        );
    });

    const workflow = (file: string): Workflow => {
        const found = workflows.find((candidate) => candidate.file === file);
        assert.ok(found, `.github/workflows/${file} exists`);
        return found;
    };

    it("parse with GitHub's workflow parser without an error", async () => {
        for (const file of ["ci.yml", "preview.yml", "deploy.yml", "replica.yml"]) {
            workflow(file);
        }
        for (const candidate of workflows) {
            assert.deepEqual(candidate.errors, [], candidate.file);
            assert.ok(candidate.jobs.length > 0, `${candidate.file} has jobs`);
        }
        // The parser reports what GitHub would refuse: an unknown permission level, a step with both uses and run.
        const broken = await readWorkflow(
            parser,
            "broken.yml",
            "on: push\npermissions:\n  contents: reed\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        run: echo\n",
        );
        assert.ok(
            broken.errors.some((error) => error.includes("reed")),
            broken.errors.join("\n"),
        );
        assert.ok(broken.errors.length >= 2, broken.errors.join("\n"));
    });

    it("pin every action to a full commit SHA, with the release in a comment, the same one everywhere", () => {
        const pins = new Map<string, Set<string>>();
        for (const candidate of workflows) {
            // Steps' actions, and the reusable workflows jobs call, in file order.
            const parsed = candidate.jobs.flatMap((job) =>
                [job.uses, ...job.steps.map((step) => step.uses)].filter((uses): uses is string => uses !== undefined),
            );
            const lines = candidate.raw.split("\n").filter((line) => /^\s*(-\s+)?uses:/.test(line));
            assert.deepEqual(
                lines.map((line) => /uses:\s*(\S+)/.exec(line)?.[1]),
                parsed,
                `${candidate.file}: every uses: line is one the parser sees`,
            );
            for (const line of lines) {
                if (/uses:\s*\.\//.test(line)) {
                    continue; // an action of this repository, at the checked-out commit
                }
                const match = /^\s*(?:-\s+)?uses:\s*(\S+)\s+#\s*(v\d+(?:\.\d+)*\S*)\s*$/.exec(line);
                assert.ok(match, `${candidate.file}: "${line.trim()}" has a "# vX.Y.Z" comment`);
                const [, uses, release] = match;
                assert.match(
                    uses,
                    /^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+(\/[^@\s]+)?@[0-9a-f]{40}$/,
                    `${candidate.file}: ${uses} is owner/repo[/path]@<40-hex commit>`,
                );
                const name = actionName(uses);
                pins.set(name, (pins.get(name) ?? new Set()).add(`${uses.replace(/^.*@/, "")} ${release}`));
            }
        }
        for (const [name, versions] of pins) {
            assert.equal(versions.size, 1, `${name} is pinned to one commit and release everywhere: ${[...versions].join(", ")}`);
        }
        for (const action of ["actions/checkout", "actions/setup-node", "actions/github-script", "azure/login", "pulumi/actions"]) {
            assert.ok(pins.has(action), `${action} is used`);
        }
    });

    it("keep the workflow token read-only and grant each write only to the jobs that need it", () => {
        for (const candidate of workflows) {
            assert.deepEqual(candidate.tree.permissions, { contents: "read" }, `${candidate.file}: the top-level permissions`);
            for (const job of candidate.jobs) {
                const where = `${candidate.file} ${job.id}`;
                if (job.permissions === undefined) {
                    continue;
                }
                assert.ok(
                    typeof job.permissions === "object" && job.permissions !== null && !Array.isArray(job.permissions),
                    `${where}: permissions are listed scope by scope`,
                );
                const permissions = job.permissions as Mapping;
                const writes = Object.keys(permissions)
                    .filter((scope) => permissions[scope] === "write")
                    .sort();
                const needed = [
                    ...(usesAction(job, "azure/login") ? ["id-token"] : []),
                    ...(commentsOnPullRequest(job) ? ["pull-requests"] : []),
                ].sort();
                assert.deepEqual(
                    writes,
                    needed,
                    `${where}: id-token: write only with azure/login, pull-requests: write only where a comment is posted`,
                );
            }
        }
    });

    it("sign in to Azure with OpenID Connect only: client, tenant and subscription ids, no stored secret", () => {
        const logins = workflows.flatMap((candidate) =>
            candidate.jobs.flatMap((job) => job.steps.filter((step) => step.uses !== undefined && actionName(step.uses) === "azure/login")),
        );
        assert.ok(logins.length > 0);
        for (const login of logins) {
            assert.deepEqual(Object.keys(login.with).sort(), ["client-id", "subscription-id", "tenant-id"]);
        }
        for (const candidate of workflows) {
            assert.doesNotMatch(
                candidate.raw,
                /\b(ARM|AZURE)_CLIENT_SECRET\b|client-secret:|creds:|AZURE_STORAGE_KEY|PULUMI_CONFIG_PASSPHRASE/,
                candidate.file,
            );
            // Every job that runs Pulumi against Azure signs in first, and the Azure providers use OpenID Connect.
            for (const job of candidate.jobs) {
                const pulumiStep = job.steps.findIndex(
                    (step) =>
                        (step.uses !== undefined && actionName(step.uses) === "pulumi/actions" && step.with.command !== undefined) ||
                        /^\s*pulumi /m.test(step.run ?? ""),
                );
                if (pulumiStep < 0) {
                    continue;
                }
                const login = job.steps.findIndex((step) => step.uses !== undefined && actionName(step.uses) === "azure/login");
                assert.ok(login >= 0 && login < pulumiStep, `${candidate.file} ${job.id}: azure/login runs before Pulumi`);
                const env = { ...mapping(candidate.tree.env), ...job.env };
                assert.equal(String(env.ARM_USE_OIDC), "true", `${candidate.file} ${job.id}: ARM_USE_OIDC`);
                for (const name of ["ARM_CLIENT_ID", "ARM_TENANT_ID", "ARM_SUBSCRIPTION_ID", "AZURE_STORAGE_ACCOUNT"]) {
                    assert.match(
                        String(env[name]),
                        /^\$\{\{ vars\.[A-Z_]+ \}\}$/,
                        `${candidate.file} ${job.id}: ${name} comes from a repository variable`,
                    );
                }
            }
        }
    });

    it("set up Node.js with the npm cache, and install the Pulumi CLI of the SDK's release", () => {
        for (const candidate of workflows) {
            for (const job of candidate.jobs) {
                for (const step of job.steps) {
                    if (step.uses !== undefined && actionName(step.uses) === "actions/setup-node") {
                        assert.equal(step.with.cache, "npm", `${candidate.file} ${job.id}`);
                    }
                    if (step.uses !== undefined && actionName(step.uses) === "pulumi/actions") {
                        assert.equal(
                            String(step.with["pulumi-version"]),
                            packageJson.dependencies["@pulumi/pulumi"],
                            `${candidate.file} ${job.id}: pulumi-version is @pulumi/pulumi's release in package.json`,
                        );
                    }
                }
            }
        }
    });

    it("ci runs the README's commands, and plans every stack file, on each Node.js major package.json supports", () => {
        const ci = workflow("ci.yml");
        assert.ok("push" in mapping(ci.tree.on) && "pull_request" in mapping(ci.tree.on));
        const readme = quickstartCommands(fs.readFileSync(path.join(repoRoot, "README.md"), "utf8"));
        assert.deepEqual(readme, { install: "npm ci", test: "npm test" });
        const test = ci.jobs.find((job) => runLines(job).includes(readme.test));
        assert.ok(test, `ci.yml runs the README's test command (${readme.test})`);
        const lines = runLines(test);
        assert.ok(
            lines.indexOf(readme.install) >= 0 && lines.indexOf(readme.install) < lines.indexOf(readme.test),
            "npm ci, then npm test",
        );
        const planning = test.steps.find((step) => /npm run plan -- "\$stack"/.test(step.run ?? ""));
        assert.ok(planning, "ci.yml runs npm run plan -- <stack>");
        assert.ok(
            test.steps.indexOf(planning) > test.steps.findIndex((step) => step.run === readme.test),
            "the plans come after the tests",
        );
        // Stacks are discovered from the files, so a new Pulumi.<stack>.yaml is planned too.
        assert.match(planning.run ?? "", /for file in (Pulumi\.\*\.yaml|"\$\{files\[@\]\}")/);
        assert.match(planning.run ?? "", /files=\(Pulumi\.\*\.yaml\)/);
        const majors = [...packageJson.engines.node.matchAll(/(\d+)\.\d+\.\d+/g)].map((match) => match[1]);
        assert.deepEqual(majors, ["20", "22"]);
        assert.deepEqual(mapping(test.strategy.matrix).node, majors.map(Number), "the matrix is package.json's engines");
        const setup = test.steps.find((step) => step.uses !== undefined && actionName(step.uses) === "actions/setup-node");
        assert.equal(setup?.with["node-version"], "${{ matrix.node }}");
    });

    it("preview posts the offline plan diff as one comment without cloud credentials, and previews for real only with them, never for forks", () => {
        const preview = workflow("preview.yml");
        assert.deepEqual(Object.keys(mapping(preview.tree.on)), ["pull_request"]);

        const diff = jobById(preview, "plan-diff");
        assert.deepEqual(diff.permissions, { contents: "read", "pull-requests": "write" });
        const checkout = diff.steps.find((step) => step.uses !== undefined && actionName(step.uses) === "actions/checkout");
        assert.equal(String(checkout?.with["fetch-depth"]), "0", "the base branch's history, for --diff origin/<base>");
        const planning = diff.steps.find((step) => /npm run plan -- "\$stack" --diff "origin\/\$BASE_REF"/.test(step.run ?? ""));
        assert.ok(planning, "plan-diff runs npm run plan -- <stack> --diff origin/<base>");
        assert.match(
            planning!.run ?? "",
            /npm run plan -- "\$stack" --diff "origin\/\$BASE_REF" --mermaid/,
            "each stack's diagram goes with its diff",
        );
        assert.equal(planning.env.BASE_REF, "${{ github.base_ref }}");
        assert.match(planning.run ?? "", /for file in Pulumi\.\*\.yaml/);
        assert.match(planning.run ?? "", /<!-- enterprise-integration-plan-diff -->/);
        const post = diff.steps.find((step) => step.uses !== undefined && actionName(step.uses) === "actions/github-script");
        const script = String(post?.with.script ?? "");
        assert.match(script, /<!-- enterprise-integration-plan-diff -->/);
        assert.match(script, /updateComment/);
        assert.match(script, /createComment/);
        assert.match(
            post?.if ?? "",
            /github\.event\.pull_request\.head\.repo\.full_name == github\.repository/,
            "a fork's read-only token does not try to post",
        );

        const real = preview.jobs.filter((job) =>
            job.steps.some((step) => step.uses !== undefined && actionName(step.uses) === "pulumi/actions"),
        );
        assert.equal(real.length, 1);
        const [job] = real;
        const step = job.steps.find((candidate) => candidate.uses !== undefined && actionName(candidate.uses) === "pulumi/actions");
        assert.equal(step?.with.command, "preview");
        assert.equal(String(step?.with["comment-on-pr"]), "true");
        // Its condition, or that of the job it needs, requires the credentials and a branch of this repository.
        const conditions = [job.if ?? "", ...job.needs.map((need) => jobById(preview, need).if ?? "")].join(" && ");
        assert.match(conditions, /vars\.AZURE_CLIENT_ID != ''/);
        assert.match(conditions, /github\.event\.pull_request\.head\.repo\.full_name == github\.repository/);
        assert.ok(!usesAction(diff, "azure/login"), "the offline plan diff needs no cloud credentials");
    });

    it("deploy goes dev, a throw-away copy of test that is smoke tested and always destroyed, then prod and prod-dr behind production, one run at a time", () => {
        const deploy = workflow("deploy.yml");
        assert.deepEqual(mapping(deploy.tree.on), { push: { branches: ["main"] }, workflow_dispatch: null });
        assert.equal(mapping(deploy.tree.concurrency)["cancel-in-progress"], false);
        assert.ok(String(mapping(deploy.tree.concurrency).group).length > 0);

        const dev = jobById(deploy, "dev");
        const replica = jobById(deploy, "test-replica");
        const prod = jobById(deploy, "prod");
        const dr = jobById(deploy, "prod-dr");
        assert.deepEqual([replica.needs, prod.needs, dr.needs], [["dev"], ["test-replica"], ["prod"]]);
        assert.equal(prod.environment, "production");
        assert.equal(dr.environment, "production");
        for (const [job, stack] of [
            [dev, "dev"],
            [prod, "prod"],
            [dr, "prod-dr"],
        ] as const) {
            const up = job.steps.find((step) => step.uses !== undefined && actionName(step.uses) === "pulumi/actions");
            assert.deepEqual([up?.with.command, up?.with["stack-name"]], ["up", stack], job.id);
            assert.match(String(up?.with["cloud-url"]), /^azblob:\/\//, job.id);
        }

        assert.match(String(replica.env.STACK), /^test-\$\{\{ github\.run_id \}\}/, "a new stack name per run");
        const runs = replica.steps.map((step) => step.run ?? "");
        const index = (pattern: RegExp): number => runs.findIndex((run) => pattern.test(run));
        const init = index(/cp Pulumi\.test\.yaml "Pulumi\.\$STACK\.yaml"/);
        assert.ok(init >= 0, "the stack file is a copy of test's");
        assert.match(runs[init], /pulumi stack init "\$STACK" --secrets-provider "\$PULUMI_SECRETS_PROVIDER"/);
        assert.match(runs[init], /pulumi login "azblob:\/\/\$PULUMI_STATE_CONTAINER"/);
        const up = index(/pulumi up --yes --stack "\$STACK"/);
        const smoke = index(/npm run smoke -- "\$STACK" --outputs outputs\.json/);
        const destroy = index(/pulumi destroy --yes/);
        const remove = index(/pulumi stack rm --yes --stack "\$STACK"/);
        assert.ok(init < up && up < smoke && smoke < destroy && destroy < remove, "init, up, smoke tests, destroy, stack rm");
        assert.match(runs[smoke], /pulumi stack output --stack "\$STACK" --json --show-secrets > outputs\.json/);
        assert.match(runs[smoke], /SMOKE_CLIENT_SECRET=/);
        assert.match(runs[smoke], /SMOKE_SUBSCRIPTION_KEY=/);
        assert.match(runs[smoke], /az keyvault secret show/);
        assert.match(replica.steps[destroy].if ?? "", /always\(\)/, "destroy runs whatever failed before");
        assert.match(replica.steps[remove].if ?? "", /always\(\)/, "stack rm runs whatever failed before");
        assert.equal(replica.environment, undefined);
    });

    describe("the replica of prod (replica.yml)", () => {
        const replicaWorkflow = () => workflow("replica.yml");
        /** The jobs of replica.yml that touch Azure: sign in, or run Pulumi. */
        const deploying = () =>
            replicaWorkflow().jobs.filter(
                (job) => usesAction(job, "azure/login") || job.steps.some((step) => /(^|\n)\s*pulumi\s/.test(script(step))),
            );
        /** Every job a job waits for, through needs, transitively. */
        const upstream = (job: Job): string[] => {
            const found = new Set<string>();
            const visit = (id: string) => {
                for (const need of jobById(replicaWorkflow(), id).needs) {
                    if (!found.has(need)) {
                        found.add(need);
                        visit(need);
                    }
                }
            };
            visit(job.id);
            return [...found];
        };
        /** The environment a job names: `environment: name`, or `environment: { name }`. */
        const environmentName = (job: Job): string | undefined =>
            typeof job.environment === "string" ? job.environment : optionalText(mapping(job.environment ?? undefined).name);

        it("runs by hand only, one at a time, never cancelling a running one", () => {
            const replica = replicaWorkflow();
            assert.deepEqual(Object.keys(mapping(replica.tree.on)), ["workflow_dispatch"]);
            assert.equal(mapping(replica.tree.concurrency)["cancel-in-progress"], false);
        });

        it("waits for a reviewer of the prod-replica environment before any job signs in to Azure or runs Pulumi", () => {
            const jobs = deploying();
            assert.deepEqual(
                jobs.map((job) => job.id),
                ["replica"],
            );
            for (const job of jobs) {
                assert.equal(environmentName(job), "prod-replica", `${job.id}: approved in the prod-replica environment`);
            }
        });

        it("prints the replica's cost per hour to the run's summary in a job before the approval, without Azure", () => {
            const replica = replicaWorkflow();
            const pricing = replica.jobs.filter((job) =>
                job.steps.some(
                    (step) => /npm run (--silent )?replica -- prod/.test(script(step)) && /GITHUB_STEP_SUMMARY/.test(script(step)),
                ),
            );
            assert.equal(pricing.length, 1, "one job puts the price in the summary");
            const [cost] = pricing;
            assert.equal(cost.environment, undefined, "the price comes before any approval");
            assert.ok(!usesAction(cost, "azure/login"), "pricing is offline");
            assert.deepEqual(cost.permissions, { contents: "read" });
            for (const job of deploying()) {
                assert.ok(upstream(job).includes(cost.id), `${job.id} waits for ${cost.id}`);
            }

            // The step, run with a stand-in for npm that answers as the command does: the hourly
            // line lands in the summary, and the command priced the run's own stack.
            const step = cost.steps.find((candidate) => /GITHUB_STEP_SUMMARY/.test(script(candidate)))!;
            const work = fs.mkdtempSync(path.join(os.tmpdir(), "pipelines-"));
            try {
                const calls = path.join(work, "calls");
                const hourly =
                    "Cost per hour of prod-replica-7-2: 15.34 - 30.66 USD (the monthly estimate, 11,197.57 - 22,378.25 USD, over 730 hours)";
                fs.writeFileSync(
                    path.join(work, "npm"),
                    `#!/bin/sh\nprintf '%s ' "$@" >> "${calls}"\necho "Wrote Pulumi.prod-replica-7-2.yaml, a replica of prod; what differs:"\necho "${hourly}"\n`,
                    { mode: 0o755 },
                );
                const summary = path.join(work, "summary.md");
                fs.writeFileSync(summary, "");
                const env = { ...mapping(replica.tree.env), ...cost.env, ...step.env } as Record<string, string>;
                const result = runScript(
                    step.run ?? "",
                    {
                        ...env,
                        STACK: "prod-replica-7-2",
                        GITHUB_STEP_SUMMARY: summary,
                        PATH: `${work}${path.delimiter}${process.env.PATH ?? ""}`,
                    },
                    work,
                );
                assert.equal(result.status, 0, result.stderr);
                assert.match(fs.readFileSync(calls, "utf8"), /^run --silent replica -- prod --name prod-replica-7-2 $/);
                assert.ok(fs.readFileSync(summary, "utf8").includes(hourly), fs.readFileSync(summary, "utf8"));
            } finally {
                fs.rmSync(work, { recursive: true, force: true });
            }
        });

        it("deploys a new stack every run and re-run, named by the run's id and attempt, and passes that name everywhere", () => {
            const replica = replicaWorkflow();
            const job = jobById(replica, "replica");
            const name = String({ ...mapping(replica.tree.env), ...job.env }.STACK);
            assert.match(name, /\$\{\{ github\.run_id \}\}/, "a new name per run");
            assert.match(name, /\$\{\{ github\.run_attempt \}\}/, "a new name per re-run");
            for (const located of allSteps([replica])) {
                assert.ok(!("STACK" in located.step.env), `${located.where}: no step names another stack`);
                // Pulumi's --stack, the replica command's --name, pulumi stack init's stack.
                const named = [
                    ...script(located.step).matchAll(/\bpulumi\s[^\n]*--stack\s+(\S+)/g),
                    ...script(located.step).matchAll(/\bnpm run (?:--silent )?replica -- \S+ --name\s+(\S+)/g),
                    ...script(located.step).matchAll(/\bpulumi stack init\s+(\S+)/g),
                ];
                for (const match of named) {
                    assert.equal(match[1], '"$STACK"', `${located.where}: ${match[0]}`);
                }
            }
            const runs = job.steps.map((step) => script(step));
            assert.ok(runs.some((run) => /npm run replica -- prod --name "\$STACK"/.test(run)));
            assert.ok(runs.some((run) => /pulumi stack init "\$STACK" --secrets-provider "\$PULUMI_SECRETS_PROVIDER"/.test(run)));
        });

        it("deploys with the policy pack, then smoke tests and load tests it, then always destroys and removes it", () => {
            const job = jobById(replicaWorkflow(), "replica");
            const runs = job.steps.map((step) => script(step));
            const index = (pattern: RegExp): number => runs.findIndex((run) => pattern.test(run));
            const write = index(/npm run replica -- prod --name "\$STACK"/);
            const init = job.steps.findIndex((step) => step.id === "init");
            assert.match(runs[init], /pulumi stack init "\$STACK"/, "the step with id init creates the stack");
            const up = index(/pulumi up --yes --stack "\$STACK" "\$\{policy\[@\]\}"/);
            const tests = index(/npm run smoke -- "\$STACK" --outputs outputs\.json/);
            const destroy = index(/pulumi destroy --yes/);
            const remove = index(/pulumi stack rm --yes --stack "\$STACK"/);
            assert.ok(
                write >= 0 && write < init && init < up && up < tests && tests < destroy && destroy < remove,
                "replica file, init, up, smoke and load tests, destroy, stack rm",
            );
            assert.match(runs[tests], /pulumi stack output --stack "\$STACK" --json --show-secrets > outputs\.json/);
            assert.match(runs[tests], /az keyvault secret show/);
            const smoke = runs[tests].indexOf("npm run smoke --");
            const load = runs[tests].indexOf('npm run load -- "$STACK" --outputs outputs.json');
            assert.ok(smoke >= 0 && load > smoke, "the load test after the smoke tests");
            for (const command of ["smoke", "load"]) {
                assert.match(
                    runs[tests],
                    new RegExp(
                        `SMOKE_CLIENT_SECRET="\\$client_secret" SMOKE_SUBSCRIPTION_KEY="\\$subscription_key" \\\\\\n\\s*npm run ${command} -- "\\$STACK"`,
                    ),
                    `${command} gets the client secret and the subscription key`,
                );
            }
            assert.equal(job.steps[destroy].id, "destroy");
            assert.equal(job.steps[destroy].if, "always() && steps.init.outcome == 'success'", "destroy runs whatever failed before");
            assert.equal(job.steps[remove].if, "always() && steps.destroy.outcome == 'success'", "stack rm once destroy succeeded");
        });
    });

    it("read from the stack outputs only what the program outputs (the smoke steps' jq paths, on the test stack)", async () => {
        // Every stack outputs the same keys; the test stack's run stands for the replica of prod too,
        // with Azure Load Testing, whose outputs the replica's last test step reads.
        const outputs = (await stackRun({ stack: "test", config: { load: { azureLoadTesting: {} } } })).outputs;
        for (const file of ["deploy.yml", "replica.yml"]) {
            const text = fs.readFileSync(path.join(workflowsDir, file), "utf8");
            const paths = [...text.matchAll(/jq [^'\n]*'(\.[A-Za-z][^']*)' outputs\.json/g)].map((match) => match[1]!);
            assert.ok(paths.length >= 3, `${file}: ${paths.join(" ")}`);
            checkOutputPaths(paths, outputs);
        }
    });

    function checkOutputPaths(paths: string[], outputs: Record<string, unknown>): void {
        for (const jqPath of paths) {
            // .a.b["c"]: keys and quoted keys, as the step writes them.
            const keys = [...jqPath.matchAll(/\.([A-Za-z][\w]*)|\["([^"]+)"\]/g)].map((match) => match[1] ?? match[2]!);
            const value = keys.reduce<unknown>(
                (at, key) => (at && typeof at === "object" ? (at as Record<string, unknown>)[key] : undefined),
                outputs,
            );
            assert.ok(typeof value === "string" && value.length > 0, `${jqPath} is an output of the stack`);
        }
    }

    describe("a job that runs Pulumi for real", () => {
        let scratch: string;

        before(() => {
            scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pipelines-"));
        });

        after(() => {
            fs.rmSync(scratch, { recursive: true, force: true });
        });

        /** The outputs a step writes to $GITHUB_OUTPUT when its script runs with these variables. */
        const stepOutputs = (located: Located, env: Record<string, string>, cwd?: string): Record<string, string> => {
            const file = path.join(scratch, `output-${Math.random().toString(36).slice(2)}`);
            fs.writeFileSync(file, "");
            const result = runScript(located.step.run ?? "", { ...env, GITHUB_OUTPUT: file }, cwd);
            assert.equal(result.status, 0, `${located.where}: ${result.stderr}`);
            return Object.fromEntries(
                fs
                    .readFileSync(file, "utf8")
                    .split("\n")
                    .filter((line) => line.includes("="))
                    .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
            );
        };

        /** The arguments a run script passes to `pulumi`, run against a stand-in that records them. */
        const pulumiArguments = (located: Located, env: Record<string, string>): string[][] => {
            const bin = fs.mkdtempSync(path.join(scratch, "bin-"));
            const record = path.join(bin, "calls");
            fs.writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\nprintf '%s\\037' "$@" >> "${record}"\nprintf '\\n' >> "${record}"\n`, {
                mode: 0o755,
            });
            const result = runScript(located.step.run ?? "", { ...env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}` });
            assert.equal(result.status, 0, `${located.where}: ${result.stderr}`);
            return fs
                .readFileSync(record, "utf8")
                .split("\n")
                .filter((line) => line !== "")
                .map((line) => line.split("\u001f").filter((arg) => arg !== ""));
        };

        const realPreviewsAndUps = (): Located[] => allSteps(workflows).filter((located) => runsPulumi(located.step, ["preview", "up"]));

        it("passes the policy pack and the stack's policy config to every real preview and up", () => {
            const configDir = path.join(repoRoot, "policies", "config");
            const withConfig = fs
                .readdirSync(configDir)
                .filter((file) => file.endsWith(".json"))
                .map((file) => file.replace(/\.json$/, ""))
                .sort();
            const stacks = stackNames();
            const located = realPreviewsAndUps();
            assert.deepEqual(
                located.map((step) => `${step.workflow.file} ${step.job.id}`),
                [
                    "deploy.yml dev",
                    "deploy.yml test-replica",
                    "deploy.yml prod",
                    "deploy.yml prod-dr",
                    "preview.yml preview",
                    "replica.yml replica",
                ],
            );
            const upStacks = new Set<string>();
            for (const real of located) {
                const { job, step, where } = real;
                const viaAction = isAction(step, "pulumi/actions");
                // pulumi/actions v7.0.0 (action.yml): policyPacks and policyPackConfigs, one value a line (or comma-separated).
                const reference = viaAction ? String(step.with.policyPackConfigs ?? "") : String(step.env.POLICY_CONFIG ?? "");
                if (viaAction) {
                    assert.equal(step.with.policyPacks, "policies", `${where}: policyPacks`);
                }
                const match = /^\$\{\{ steps\.([\w-]+)\.outputs\.config \}\}$/.exec(reference);
                assert.ok(match, `${where}: the policy config comes from the step that finds it (${reference})`);
                const finder = job.steps.findIndex((candidate) => candidate.id === match[1]);
                assert.ok(finder >= 0 && finder < real.index, `${where}: step ${match[1]} runs before it`);
                const finderStep: Located = { ...real, index: finder, step: job.steps[finder], where: `${where} (step ${match[1]})` };

                // The stacks the finder may be asked for, and that they are the stacks the step runs.
                const policyStack = String(finderStep.step.env.POLICY_STACK);
                let served: string[];
                if (policyStack === "${{ env.STACK }}") {
                    // The replica of prod: its own policy config, which `npm run replica` writes
                    // (commands/replica/policy.ts) in a step before the finder.
                    const writer = job.steps.findIndex((candidate) => /npm run replica -- prod --name "\$STACK"/.test(script(candidate)));
                    assert.ok(writer >= 0 && writer < finder, `${where}: npm run replica writes the stack's files before the finder runs`);
                    const project = fs.mkdtempSync(path.join(scratch, "project-"));
                    fs.mkdirSync(path.join(project, "policies", "config"), { recursive: true });
                    fs.writeFileSync(path.join(project, "policies", "config", "prod-replica-1-1.json"), "{}\n");
                    const found = stepOutputs(finderStep, { POLICY_STACK: "prod-replica-1-1" }, project).config;
                    assert.equal(found, "policies/config/prod-replica-1-1.json", `${where}: the replica's own policy config`);
                    const calls = pulumiArguments(real, { STACK: "prod-replica-1-1", POLICY_CONFIG: found }).filter(
                        (args) => args[0] === "up",
                    );
                    assert.equal(calls.length, 1, where);
                    const args = calls[0];
                    const flag = (name: string): string[] => args.flatMap((arg, i) => (arg === name ? [args[i + 1]] : []));
                    assert.deepEqual(flag("--policy-pack"), ["policies"], `${where}: ${args.join(" ")}`);
                    assert.deepEqual(flag("--policy-pack-config"), [found], `${where}: ${args.join(" ")}`);
                    continue;
                } else if (policyStack === "${{ matrix.stack }}") {
                    assert.equal(step.with["stack-name"], "${{ matrix.stack }}", where);
                    served = stacks;
                } else {
                    assert.ok(stacks.includes(policyStack), `${where}: POLICY_STACK ${policyStack} has a stack file`);
                    if (viaAction) {
                        assert.equal(step.with["stack-name"], policyStack, `${where}: the config is the stack's own`);
                    } else {
                        assert.ok(
                            job.steps.some((candidate) => script(candidate).includes(`cp Pulumi.${policyStack}.yaml "Pulumi.$STACK.yaml"`)),
                            `${where}: the stack it deploys is a copy of ${policyStack}'s`,
                        );
                    }
                    served = [policyStack];
                }

                for (const stack of served) {
                    const expected = withConfig.includes(stack) ? `policies/config/${stack}.json` : undefined;
                    const found = stepOutputs(finderStep, { POLICY_STACK: stack }).config;
                    assert.equal(found, expected, `${where}: the policy config of ${stack}`);
                    if (found !== undefined) {
                        assert.ok(fs.statSync(path.join(repoRoot, found)).isFile(), `${where}: ${found} exists`);
                        // pulumi/actions splits a value at commas and line breaks (src/libs/utils.ts).
                        assert.doesNotMatch(found, /[,\n]/);
                    }
                    if (!viaAction) {
                        const calls = pulumiArguments(real, { STACK: `${stack}-copy`, POLICY_CONFIG: found ?? "" }).filter(
                            (args) => args[0] === "up",
                        );
                        assert.equal(calls.length, 1, where);
                        const args = calls[0];
                        const flag = (name: string): string[] => args.flatMap((arg, i) => (arg === name ? [args[i + 1]] : []));
                        assert.deepEqual(flag("--policy-pack"), ["policies"], `${where}: ${args.join(" ")}`);
                        assert.deepEqual(flag("--policy-pack-config"), found === undefined ? [] : [found], `${where}: ${args.join(" ")}`);
                    }
                    if (runsPulumi(step, ["up"])) {
                        upStacks.add(stack);
                    }
                }
            }

            // Every stack with a policy config is a stack, and a real `pulumi up` passes it its config.
            assert.ok(withConfig.length > 0);
            for (const stack of withConfig) {
                assert.ok(stacks.includes(stack), `policies/config/${stack}.json belongs to a stack file`);
                assert.ok(upStacks.has(stack), `a pulumi up of ${stack} runs with policies/config/${stack}.json`);
            }
            // A config file named outright in a workflow exists.
            for (const candidate of workflows) {
                for (const [named] of candidate.raw.matchAll(/policies\/config\/[\w-]+\.json/g)) {
                    assert.ok(fs.existsSync(path.join(repoRoot, named)), `${candidate.file} names ${named}`);
                }
            }
        });

        it("installs the root's dependencies, which the policy pack resolves its imports from, before any step runs the pack", () => {
            // policies/ has a package.json but no node_modules: Node looks for its packages in the
            // root's node_modules (tests/policies/config.test.ts keeps their versions the project's).
            assert.ok(fs.existsSync(path.join(repoRoot, "policies", "package.json")));
            const usingPack = allSteps(workflows).filter(
                ({ step }) => step.with.policyPacks !== undefined || /--policy-pack\b/.test(script(step)),
            );
            assert.equal(usingPack.length, 6, usingPack.map((located) => located.where).join(", "));
            for (const { workflow, job, index, where } of usingPack) {
                assert.equal(
                    mapping(mapping(workflow.tree.defaults).run)["working-directory"],
                    undefined,
                    `${workflow.file}: steps run in the root`,
                );
                const install = job.steps.findIndex((step) => step.run?.trim() === "npm ci" && step.workingDirectory === undefined);
                assert.ok(install >= 0 && install < index, `${where}: npm ci at the root runs before it`);
            }
        });

        it("hands GITHUB_TOKEN to every step that may download a Pulumi plugin", () => {
            // The CLI downloads a missing plugin on preview, up, destroy, refresh, import, stack output
            // and plugin install; from GitHub releases it authenticates with GITHUB_TOKEN, when set.
            const downloading = allSteps(workflows).filter(({ step }) =>
                runsPulumi(step, ["preview", "up", "destroy", "refresh", "import", "stack output", "plugin install"]),
            );
            assert.deepEqual(
                downloading.map(({ workflow, job, step }) => `${workflow.file} ${job.id} ${step.name}`),
                [
                    "deploy.yml dev pulumi up",
                    "deploy.yml test-replica pulumi up",
                    "deploy.yml test-replica Smoke tests",
                    "deploy.yml test-replica pulumi destroy",
                    "deploy.yml prod pulumi up",
                    "deploy.yml prod-dr pulumi up",
                    "preview.yml preview pulumi preview",
                    "replica.yml replica pulumi up",
                    "replica.yml replica Smoke and load tests",
                    "replica.yml replica Azure Load Testing, when the stack has it",
                    "replica.yml replica pulumi destroy",
                ],
            );
            for (const located of downloading) {
                assert.ok(
                    ["${{ secrets.GITHUB_TOKEN }}", "${{ github.token }}"].includes(String(stepEnv(located).GITHUB_TOKEN)),
                    `${located.where}: GITHUB_TOKEN`,
                );
            }
        });

        it("makes the throw-away copy of test without an adopted service's name or group, so it never deploys or destroys test's service", () => {
            const located = allSteps(workflows).find(
                ({ workflow, job, step }) =>
                    workflow.file === "deploy.yml" && job.id === "test-replica" && step.name === "Create the throw-away stack",
            );
            assert.ok(located, 'deploy.yml test-replica has the step "Create the throw-away stack"');
            const cwd = fs.mkdtempSync(path.join(scratch, "copy-"));
            fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(cwd, "node_modules"));
            fs.writeFileSync(
                path.join(cwd, "Pulumi.test.yaml"),
                [
                    "secretsprovider: azurekeyvault://kv-pulumi.vault.azure.net/keys/pulumi",
                    "config:",
                    "  enterprise-integration:gateway:",
                    "    sku: Developer # the tier",
                    "    serviceName: apim-contoso-test",
                    "    resourceGroup: rg-apim-test",
                    "    serviceExists: true",
                    "",
                ].join("\n"),
            );
            const bin = fs.mkdtempSync(path.join(scratch, "bin-"));
            fs.writeFileSync(path.join(bin, "pulumi"), "#!/bin/sh\n", { mode: 0o755 });
            const result = runScript(
                located.step.run ?? "",
                { STACK: "test-copy", PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}` },
                cwd,
            );
            assert.equal(result.status, 0, result.stderr);
            assert.equal(
                fs.readFileSync(path.join(cwd, "Pulumi.test-copy.yaml"), "utf8"),
                ["config:", "  enterprise-integration:gateway:", "    sku: Developer # the tier", "    serviceExists: true", ""].join("\n"),
            );
        });

        it("signs in to Azure again right before every pulumi up, and before reading the outputs of an update", () => {
            // Between the sign-in and the step, only the short steps that use the sign-in: the
            // state backend's SAS, and the throw-away stack's login and init.
            const usesSignIn = /\baz storage container generate-sas\b|(^|\n)\s*pulumi (login|stack init)\b/;
            const steps = allSteps(workflows).filter(({ step }) => runsPulumi(step, ["up", "stack output"]));
            assert.equal(steps.length, 8, steps.map((located) => located.where).join(", "));
            for (const { job, index, where } of steps) {
                let at = index - 1;
                while (at >= 0 && !isAction(job.steps[at], "azure/login")) {
                    const between = job.steps[at];
                    assert.ok(
                        between.uses === undefined && usesSignIn.test(script(between)),
                        `${where}: "${between.name}" runs between azure/login and it`,
                    );
                    at--;
                }
                assert.ok(at >= 0, `${where}: azure/login runs before it`);
            }
        });

        it("names the state identity's data role beside the SAS delegator role, in the docs' pipeline setup and at every user-delegation SAS", () => {
            const page = fs.readFileSync(path.join(repoRoot, "docs", "pull-requests-and-pipelines.md"), "utf8");
            const section = page.split(/^## /m).find((part) => part.startsWith("Pipelines"));
            assert.ok(section, "docs/pull-requests-and-pipelines.md has a Pipelines section");
            assert.match(section, /\*Storage Blob Data Contributor\* on the state\s+container/);
            assert.match(section, /\*Storage Blob Delegator\* on its storage\s+account/);
            const sas = allSteps(workflows).filter(({ step }) => /generate-sas\b[\s\S]*--as-user\b/.test(script(step)));
            assert.equal(sas.length, 6, sas.map((located) => located.where).join(", "));
            for (const { step, where } of sas) {
                // A user delegation SAS grants no more than the signer's own data role.
                assert.match(step.run ?? "", /Storage Blob Data\s+(#\s+)?Contributor/, where);
                assert.match(step.run ?? "", /Storage Blob Delegator/, where);
            }
        });
    });
});
