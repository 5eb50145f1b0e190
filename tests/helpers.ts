import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import * as assert from "node:assert/strict";
import { CatalogError } from "../content/catalog";
import { loadCatalog } from "../content";
import { contentDirs } from "../stacks/program";
import { ConfigError, type StackConfig } from "../stacks/config";
import { readStackConfig } from "../engine/stack-config";
import type { PolicyAnalyzer } from "../engine/host/analyzer";
import type { PolicyReport } from "../commands/plan/policies";
import { analyzeStack, startPolicyPack } from "../commands/plan/policy-analysis";
import { planStack, runStack, type RegisteredResource, type RunOptions, type StackRun } from "../engine";
import { repoRoot } from "../engine/project";
import { main } from "../commands/plan";
import { temporaryDirectory } from "./support/temporary";

/**
 * The tests' own project: stack files, `apis/` and `workflows/` under `tests/fixtures/project/`,
 * with this repository's `Pulumi.yaml`. The shipped stack files and content are the user's to
 * change, so tests assert exact values on this copy only; the shipped project is checked by
 * tests that hold for any valid content.
 */
export const fixtureSource = path.join(repoRoot, "tests", "fixtures", "project");

let fixtureDir: string | undefined;

/** The fixture project as a project directory (made once per process, in the OS temp dir). */
export function fixtureProject(): string {
    if (!fixtureDir) {
        fixtureDir = temporaryDirectory("enterprise-integration-fixture-");
        fs.cpSync(fixtureSource, fixtureDir, { recursive: true });
        fs.copyFileSync(path.join(repoRoot, "Pulumi.yaml"), path.join(fixtureDir, "Pulumi.yaml"));
    }
    return fixtureDir;
}

/** The fixture project's catalog and workflow folders. */
export const fixtureContent = contentDirs(fixtureSource);

/** Runs a program, or the stack assembly, in the fixture project unless `projectDir` says otherwise. */
export function runFixture(options: RunOptions): Promise<StackRun> {
    return runStack({ projectDir: fixtureProject(), ...options });
}

/** The YAML config values of a fixture stack file, by bare key. */
export function stackFileValues(stack: string): Record<string, any> {
    const doc = parseYaml(fs.readFileSync(path.join(fixtureSource, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> };
    return Object.fromEntries(Object.entries(doc.config).map(([key, value]) => [key.replace(/^enterprise-integration:/, ""), value]));
}

/** Parses a fixture stack's config with `overrides` laid over it (bare keys; undefined removes). */
export function configOf(stack: string, overrides: Record<string, unknown> = {}): StackConfig {
    return readStackConfig({ stack, projectDir: fixtureProject(), config: overrides });
}

/** The problem lines of the config error, or [] when the config is valid. */
export function problemsOf(stack: string, overrides: Record<string, unknown>): string[] {
    try {
        configOf(stack, overrides);
        return [];
    } catch (error) {
        if (error instanceof ConfigError) {
            return [...error.problems];
        }
        throw error;
    }
}

/** The stack file's gateway settings with `patch` applied. */
export function gatewayWith(stack: string, patch: Record<string, unknown>): Record<string, unknown> {
    return { ...stackFileValues(stack).gateway, ...patch };
}

/**
 * A throw-away project directory: this Pulumi.yaml, the content (`apis/`, `workflows/`) of
 * `contentFrom` (default: the fixture project) and the given stack files.
 */
export function tempProject(stackFiles: Record<string, string>, contentFrom: string = fixtureSource): string {
    const dir = temporaryDirectory("enterprise-integration-");
    fs.copyFileSync(path.join(repoRoot, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    for (const folder of ["apis", "workflows"]) {
        fs.cpSync(path.join(contentFrom, folder), path.join(dir, folder), { recursive: true });
    }
    for (const [stack, text] of Object.entries(stackFiles)) {
        fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), text);
    }
    return dir;
}

const taggableCache = new Map<string, boolean>();

/**
 * Whether an Azure resource type takes ARM tags (a `tags` map among its args), read from the
 * azure-native SDK's own declarations so the answer never drifts from the provider.
 */
export function isTaggable(type: string): boolean {
    const known = taggableCache.get(type);
    if (known !== undefined) {
        return known;
    }
    const match = /^azure-native:([a-z0-9]+):([A-Za-z0-9]+)$/.exec(type);
    let taggable = false;
    if (match) {
        const [, module, name] = match;
        const file = path.join(
            repoRoot,
            "node_modules",
            "@pulumi",
            "azure-native",
            module,
            `${name[0].toLowerCase()}${name.slice(1)}.d.ts`,
        );
        const text = fs.readFileSync(file, "utf8");
        const args = text.slice(text.indexOf(`export interface ${name}Args {`));
        taggable = /\n {4}tags\?: pulumi\.Input<\{/.test(args.slice(0, args.indexOf("\n}")));
    }
    taggableCache.set(type, taggable);
    return taggable;
}

const sharedRuns = new Map<string, Promise<StackRun>>();

/**
 * The run of a fixture stack with its own stack file and nothing else changed, shared by every
 * test file in this process: the program is deterministic under the mocks, so one run per stack
 * serves all. Runs with other options (a temp project, config overrides, another program) are
 * never shared.
 */
export function stackRun(options: RunOptions | string): Promise<StackRun> {
    const opts: RunOptions = { projectDir: fixtureProject(), ...(typeof options === "string" ? { stack: options } : options) };
    const plain = Object.keys(opts).every((key) => key === "stack" || (key === "projectDir" && opts.projectDir === fixtureProject()));
    if (!plain) {
        return runStack(opts);
    }
    let run = sharedRuns.get(opts.stack);
    if (!run) {
        // A stack that reads another (prod-dr reads prod's identity) gets that stack's shared run
        // when there is one; the plan's own resolution handles the rest.
        run = planStack(opts, (options) =>
            options.stack !== opts.stack && !options.variant && sharedRuns.has(options.stack)
                ? sharedRuns.get(options.stack)!
                : runStack(options),
        );
        sharedRuns.set(opts.stack, run);
    }
    return run;
}

let sharedPack: Promise<PolicyAnalyzer> | undefined;

/**
 * The policy pack's verdict through one pack process for the whole suite, started through
 * Pulumi's entry point on first use and pointed at each stack in turn (`ConfigureStack`, then
 * `Configure` with the stack's policy config). The plan command starts one per plan, as the CLI does.
 */
export function sharedPolicyAnalysis(projectDir: string, run: StackRun): Promise<PolicyReport> {
    return analyzeStack(projectDir, run, policyPack(), { keepOpen: true });
}

/** The suite's one policy pack process (see sharedPolicyAnalysis), started on first use. */
export function policyPack(): Promise<PolicyAnalyzer> {
    if (!sharedPack) {
        sharedPack = startPolicyPack({ projectDir: fixtureProject(), stack: "prod" });
        sharedPack.then(
            (analyzer) => {
                analyzer.unref();
                process.on("exit", () => analyzer.close());
            },
            () => undefined,
        );
    }
    return sharedPack;
}

let backgroundQueue: Promise<unknown> = Promise.resolve();

/**
 * Runs a child process in the background while the suite goes on in this process, one child at a
 * time (so their memory never adds up). Start it when a test file loads; await it in the test.
 */
export function inBackground<T>(task: () => Promise<T>): Promise<T> {
    const result = backgroundQueue.then(task, task);
    backgroundQueue = result.catch(() => undefined);
    return result;
}

/** What `task` writes to stdout and stderr, and what it returns. */
export async function captured<T>(task: () => Promise<T>): Promise<{ result: T; stdout: string; stderr: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const write = { stdout: process.stdout.write, stderr: process.stderr.write };
    process.stdout.write = ((chunk: string) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
        const result = await task();
        return { result, stdout: out.join(""), stderr: err.join("") };
    } finally {
        process.stdout.write = write.stdout;
        process.stderr.write = write.stderr;
    }
}

/**
 * Runs the plan command in-process, as `npm run plan -- <argv>` would, and returns its exit code
 * and output. Without `--project-dir` it plans the fixture project, whose stacks come from the
 * shared runs.
 */
export async function plan(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const args = argv.includes("--project-dir") ? argv : [...argv, "--project-dir", fixtureProject()];
    // A fixture stack, with its own file, plans the same as its shared run.
    const { result, stdout, stderr } = await captured(() =>
        main(
            args,
            (options) =>
                options.projectDir === fixtureProject() && !options.variant && !options.config
                    ? stackRun(options.stack)
                    : runStack(options),
            {},
            sharedPolicyAnalysis,
        ),
    );
    return { code: result, stdout, stderr };
}

/**
 * A complete stack file written from scratch, for any content of a project's `apis/` and
 * `workflows/` (default: the fixture project's): every `openapi` and `soap` API gets a backend, every
 * `logicApp` API's workflow is deployed for the gateway and every other workflow as nested.
 * `config` (bare keys) is laid over the rest.
 */
export async function stackFileFor(config: Record<string, unknown> = {}, root: string = fixtureSource): Promise<string> {
    const { catalog: catalogDir, workflows: workflowsDir } = contentDirs(root);
    const catalog = await loadCatalog(catalogDir);
    const gatewayWorkflows = new Set(catalog.apis.filter((api) => api.kind === "logicApp").map((api) => api.workflow!));
    const workflows = Object.fromEntries(
        fs
            .readdirSync(workflowsDir)
            .filter((file) => file.endsWith(".json"))
            .map((file) => file.replace(/\.json$/, ""))
            .map((name) => [name, gatewayWorkflows.has(name) ? "gateway" : "nested"]),
    );
    const backends = Object.fromEntries(
        catalog.apis.filter((api) => api.kind !== "logicApp").map((api) => [api.name, { url: `https://${api.name}.example.com/api` }]),
    );
    const values: Record<string, unknown> = {
        environment: "fixture",
        location: "westeurope",
        owner: "team@example.com",
        costCenter: "CC-0",
        gateway: { sku: "Developer", publisherName: "Example", publisherEmail: "api@example.com", backends },
        secrets: { expiresOn: "2099-12-31" },
        workflows,
        ...config,
    };
    // YAML 1.1 quotes what yaml.v3 would read as something else (a date as a timestamp, 1_000 as a number), as a user writes a stack file.
    return toYaml(
        { config: Object.fromEntries(Object.entries(values).map(([key, value]) => [`enterprise-integration:${key}`, value])) },
        { schema: "yaml-1.1" },
    );
}

/**
 * Whether `dependent` waits for `dependency`, directly or through what it waits for (a role
 * assignment's propagation wait, say): Pulumi creates and updates it only once that is done.
 */
export function waitsFor(run: StackRun, dependent: RegisteredResource, dependency: RegisteredResource): boolean {
    const byUrn = new Map(run.resources.map((resource) => [resource.urn, resource]));
    const seen = new Set<string>();
    const pending = [...dependent.dependsOn];
    while (pending.length > 0) {
        const urn = pending.pop()!;
        if (urn === dependency.urn) {
            return true;
        }
        if (!seen.has(urn)) {
            seen.add(urn);
            pending.push(...(byUrn.get(urn)?.dependsOn ?? []));
        }
    }
    return false;
}

/** The problems of loading a catalog folder, or [] when it loads. */
export async function catalogProblems(dir: string): Promise<string[]> {
    try {
        await loadCatalog(dir);
        return [];
    } catch (error) {
        assert.ok(error instanceof CatalogError, String(error));
        return error.problems;
    }
}

/** The connector examples (`tests/fixtures/connectors/workflows`): four workflows, their connections.yaml and a custom connector. */
export const connectorExamples = path.join(repoRoot, "tests", "fixtures", "connectors", "workflows");

/**
 * A throw-away copy of the fixture project with the connector examples added to its `workflows/`,
 * and its dev stack file.
 */
export function connectorProject(): string {
    const dir = tempProject({ dev: fs.readFileSync(path.join(fixtureSource, "Pulumi.dev.yaml"), "utf8") });
    fs.cpSync(connectorExamples, path.join(dir, "workflows"), { recursive: true });
    return dir;
}

/** The target of the Service Bus example's managed-identity connection. */
export const serviceBusNamespaceId =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-messaging/providers/Microsoft.ServiceBus/namespaces/sb-shipments-dev";

/**
 * The dev stack's config for the connector examples, as `pulumi config set` writes it (the
 * secrets as `secure:` leaves), with `overrides` laid over it (bare keys; undefined removes).
 */
export function connectorConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        workflows: {
            ...stackFileValues("dev").workflows,
            "shipment-events": "nested",
            "ledger-report": "nested",
            "shipment-mail": "nested",
            "carrier-booking": "nested",
            "shipment-arrivals": "triggered",
        },
        connections: {
            servicebus: {
                resourceId: serviceBusNamespaceId,
                parameters: { namespaceEndpoint: "sb://sb-shipments-dev.servicebus.windows.net/" },
            },
            "servicebus-in": {
                resourceId: serviceBusNamespaceId,
                parameters: { namespaceEndpoint: "sb://sb-shipments-dev.servicebus.windows.net/" },
            },
            sql: {
                parameters: {
                    server: "sql-ledger-dev.database.windows.net",
                    database: "ledger",
                    authType: "basic",
                    username: "ledger_reader",
                },
            },
        },
        connectionSecrets: {
            sql: { password: { secure: "v1:Y2lwaGVydGV4dA==" } },
            carrier: { api_key: { secure: "v1:Y2lwaGVydGV4dA==" } },
        },
        ...overrides,
    };
}
