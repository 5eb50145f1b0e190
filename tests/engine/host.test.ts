import * as assert from "node:assert/strict";
import * as os from "node:os";
import * as path from "node:path";
import { planStack, type RunOptions, type StackRun } from "../../engine";
import {
    HostSetupError,
    defaultParallel,
    hostCommand,
    nodeRuntimeOptions,
    programLocation,
    shellWords,
} from "../../engine/host/language-host";
import { engineFeatures } from "../../engine/host/monitor";
import { ProgramError, runThroughHost } from "../../engine/host/run";
import { listStacks, repoRoot } from "../../engine/project";
import { runStack } from "../../engine/run";

/**
 * The plan runs the program the way `pulumi preview` does: through Pulumi's own Node.js entry
 * point (`@pulumi/pulumi/cmd/run`), started as `pulumi-language-nodejs` starts it, connected to the
 * engine's services over gRPC. The rules of the host and the CLI come from pulumi/pulumi at the
 * installed SDK's release (3.248.0): `sdk/nodejs/cmd/pulumi-language-nodejs/main.go`
 * (`constructArguments`, `constructConfig`, `execRuntime`, `parseOptions`) and
 * `pkg/engine/project.go` (`getPwdMain`).
 */

const fixtures = path.join(repoRoot, "tests", "fixtures", "host");
const program = path.join(fixtures, "program");

function hostRun(stack: string, options: Partial<RunOptions> & { preload?: boolean } = {}): Promise<StackRun> {
    return runThroughHost({ stack, projectDir: program, ...options });
}

async function failureOf(run: Promise<unknown>): Promise<ProgramError> {
    try {
        await run;
    } catch (error) {
        assert.ok(error instanceof ProgramError, String(error));
        return error;
    }
    assert.fail("expected the program to fail");
}

/** What a run registers, in a form two runs can be compared by. */
function registered(run: StackRun) {
    return run.resources.map((resource) => ({
        urn: resource.urn,
        parent: resource.parent,
        custom: resource.custom,
        read: resource.read,
        protect: resource.protect,
        ignoreChanges: resource.ignoreChanges,
        retainOnDelete: resource.retainOnDelete,
        dependsOn: [...resource.dependsOn].sort(),
        provider: resource.provider,
        inputs: resource.inputs,
        secretInputs: resource.secretInputs,
        outputs: resource.outputs,
        planInputs: resource.planInputs,
    }));
}

// The programs the host runs start now, each in a process of its own on the other core, while the
// rest of the suite runs here.
const fixtureRuns = {
    dev: hostRun("dev"),
    duplicate: failureOf(hostRun("duplicate")),
    throws: failureOf(hostRun("broken")),
    nested: failureOf(runThroughHost({ stack: "dev", projectDir: path.join(fixtures, "nested") })),
    withoutPreload: hostRun("dev", { preload: false }),
};
for (const run of Object.values(fixtureRuns)) {
    run.catch(() => undefined);
}

/**
 * Every stack of this project, through the host and in process, planned the way the plan command
 * plans them (a stack another reads is planned once, first); and dev without the plan's preload.
 */
const projectRuns = (async () => {
    const through: Record<string, StackRun> = {};
    const inProcess: Record<string, StackRun> = {};
    /** A referenced stack's run made already (as tests/helpers.ts stackRun shares them), else a new one. */
    const reuse =
        (runs: Record<string, StackRun>, planned: string, run: (options: RunOptions) => Promise<StackRun>) => (options: RunOptions) =>
            options.stack !== planned && runs[options.stack] ? Promise.resolve(runs[options.stack]!) : run(options);
    for (const stack of listStacks(repoRoot)) {
        through[stack] = await planStack({ stack }, reuse(through, stack, runThroughHost));
        inProcess[stack] = await planStack({ stack }, reuse(inProcess, stack, runStack));
    }
    const stack = listStacks(repoRoot)[0]!;
    const withoutPreload = await planStack({ stack }, (options) => runThroughHost({ ...options, preload: false }));
    return { through, inProcess, withoutPreload };
})();
projectRuns.catch(() => undefined);

describe("the command Pulumi's Node.js language host starts", () => {
    const request = {
        rootDirectory: repoRoot,
        runtimeOptions: { typescript: true },
        organization: "organization",
        project: "enterprise-integration",
        stack: "dev",
        config: { "enterprise-integration:owner": "team", "azure-native:location": "westeurope" },
        secretKeys: ["enterprise-integration:backendApiKeys"],
        dryRun: true,
        parallel: 8,
        monitorAddress: "127.0.0.1:1001",
        engineAddress: "127.0.0.1:1002",
    };

    it("runs @pulumi/pulumi/cmd/run with the host's flags in its order, the program directory as --pwd and the entry point last", () => {
        const command = hostCommand(request);
        assert.equal(command.command, process.execPath);
        assert.deepEqual(command.args, [
            require.resolve("@pulumi/pulumi/cmd/run", { paths: [repoRoot] }),
            "--monitor",
            "127.0.0.1:1001",
            "--engine",
            "127.0.0.1:1002",
            "--organization",
            "organization",
            "--project",
            "enterprise-integration",
            "--root-directory",
            repoRoot,
            "--stack",
            "dev",
            "--pwd",
            repoRoot,
            "--dry-run",
            "--parallel",
            "8",
            ".",
        ]);
    });

    it("hands the config over with <namespace>:config:<name> keys, the secret keys as they are, and the TypeScript switches", () => {
        const command = hostCommand({ ...request, runtimeOptions: { typescript: true, tsconfig: "tsconfig.pulumi.json" } });
        assert.deepEqual(JSON.parse(command.env.PULUMI_CONFIG!), {
            "enterprise-integration:config:owner": "team",
            "azure-native:config:location": "westeurope",
        });
        assert.deepEqual(JSON.parse(command.env.PULUMI_CONFIG_SECRET_KEYS!), ["enterprise-integration:backendApiKeys"]);
        assert.equal(command.env.PULUMI_NODEJS_TYPESCRIPT, "true");
        assert.equal(command.env.PULUMI_NODEJS_TSCONFIG_PATH, "tsconfig.pulumi.json");
        const plain = hostCommand({ ...request, runtimeOptions: { typescript: false } });
        assert.equal(plain.env.PULUMI_NODEJS_TYPESCRIPT, undefined);
        assert.equal(plain.env.PULUMI_NODEJS_TSCONFIG_PATH, undefined);
    });

    it("puts nodeargs before the entry script, split as a shell splits them, and leaves out --dry-run for an update", () => {
        const command = hostCommand({
            ...request,
            dryRun: false,
            runtimeOptions: { nodeargs: `--max-old-space-size=4096 --require "./a b.js"` },
        });
        assert.deepEqual(command.args.slice(0, 3), ["--max-old-space-size=4096", "--require", "./a b.js"]);
        assert.ok(!command.args.includes("--dry-run"));
        assert.deepEqual(shellWords(`a 'b c' "d \\"e\\"" f\\ g # comment`), ["a", "b c", 'd "e"', "f g"]);
        assert.throws(() => shellWords(`"open`), /EOF found when expecting closing quote/);
    });

    it("starts the program where main says: the project directory, a folder, or a file's folder with its base name as the entry", () => {
        assert.deepEqual(programLocation(repoRoot, undefined), { programDirectory: repoRoot, entryPoint: "." });
        assert.deepEqual(programLocation(repoRoot, "stacks"), { programDirectory: path.join(repoRoot, "stacks"), entryPoint: "." });
        assert.deepEqual(programLocation(repoRoot, "stacks/index.ts"), {
            programDirectory: path.join(repoRoot, "stacks"),
            entryPoint: "index.ts",
        });
        assert.throws(
            () => programLocation(repoRoot, "src/index.ts"),
            (error: Error) =>
                error instanceof HostSetupError &&
                error.message ===
                    `project 'main' could not be read: stat ${path.join(repoRoot, "src", "index.ts")}: no such file or directory`,
        );
    });

    it("refuses runtime options of the wrong type with the host's words", () => {
        assert.throws(() => nodeRuntimeOptions({ typescript: "yes" }), /^HostSetupError: typescript option must be a boolean$/);
        assert.throws(() => nodeRuntimeOptions({ nodeargs: 1 }), /^HostSetupError: nodeargs option must be a string$/);
        assert.throws(
            () => nodeRuntimeOptions({ packagemanager: "pip" }),
            /^HostSetupError: packagemanager option must be one of auto, npm, yarn, pnpm or bun, got "pip"$/,
        );
        assert.deepEqual(nodeRuntimeOptions({}), { typescript: true, tsconfig: undefined, nodeargs: undefined });
    });

    it("runs as many resource operations at once as the CLI's default, four per core, or PULUMI_PARALLEL", () => {
        assert.equal(defaultParallel({}), os.availableParallelism() * 4);
        assert.equal(defaultParallel({ PULUMI_PARALLEL: "3" }), 3);
    });

    it("answers SupportsFeature as the engine's monitor does", () => {
        for (const feature of [
            "secrets",
            "resourceReferences",
            "outputValues",
            "aliasSpecs",
            "deletedWith",
            "transforms",
            "parameterization",
            "resourceHooks",
        ]) {
            assert.ok(engineFeatures.has(feature), feature);
        }
        assert.ok(!engineFeatures.has("someFutureFeature"));
    });
});

describe("a program run through @pulumi/pulumi/cmd/run", () => {
    it("registers what the program declares, with the engine's URNs, the stack's config and secrets, the root directory and the program's warnings", async () => {
        const run = await fixtureRuns.dev;
        assert.equal(run.transport, "language-host");
        const urn = (type: string, name: string) => `urn:pulumi:dev::host-fixture::${type}::${name}`;
        assert.deepEqual(
            run.resources.map((resource) => resource.urn),
            [
                urn("pulumi:pulumi:Stack", "host-fixture-dev"),
                urn("host-fixture:index:Group", "group"),
                urn("host-fixture:index:Group$host-fixture:index:Thing", "group-member"),
                urn("host-fixture:index:Thing", "thing"),
            ],
        );
        const member = run.get("host-fixture:index:Thing", "group-member");
        assert.equal(member.parent, urn("host-fixture:index:Group", "group"));
        assert.equal(member.protect, true);
        assert.deepEqual(member.ignoreChanges, ["size"]);
        const thing = run.get("host-fixture:index:Thing", "thing");
        // The ES2022 call compiled: ts-node read the tsconfig.json beside the program.
        assert.deepEqual(thing.inputs, { label: "hello", token: "[secret]", root: program, own: true });
        assert.deepEqual(thing.secretInputs, ["token"]);
        assert.deepEqual(run.config.secretKeys, ["host-fixture:token"]);
        assert.deepEqual(run.outputs, { thingUrn: urn("host-fixture:index:Thing", "thing") });
        assert.deepEqual(run.warnings, ["host-fixture: a warning from the program"]);
    });

    it("registers the same without the plan's preload, which switches off only what serves debugging", async () => {
        assert.deepEqual(registered(await fixtureRuns.withoutPreload), registered(await fixtureRuns.dev));
    });

    it("refuses a second resource with the same URN in the engine's words", async () => {
        const failure = await fixtureRuns.duplicate;
        assert.match(
            failure.message,
            /^Running program '.+index\.ts' failed with an unhandled exception:\nError: failed to register new resource thing \[host-fixture:index:Thing\]: 2 UNKNOWN: Duplicate resource URN 'urn:pulumi:duplicate::host-fixture::host-fixture:index:Thing::thing'; try giving it a unique name\n/,
        );
        assert.equal(failure.exitCode, 32);
    });

    it("fails with what the program logs when it throws a RunError, without a stack trace", async () => {
        const failure = await fixtureRuns.throws;
        assert.equal(failure.message, "host-fixture: the program refuses this stack (mode: throw)");
    });

    it("fails with ts-node's type errors when main names a file in a folder without a tsconfig.json, as pulumi up does", async () => {
        const failure = await fixtureRuns.nested;
        assert.match(
            failure.message,
            /^Running program '.+src[/\\]index\.ts' failed with an unhandled exception:\nTSError: ⨯ Unable to compile TypeScript:\nindex\.ts\(\d+,\d+\): error TS2550: Property 'hasOwn' does not exist on type 'ObjectConstructor'/,
        );
    });
});

describe("every stack of this project under the language host", function () {
    // Five whole programs through the language host, in child processes started when the file
    // loads: longer than the default when another worker (`npm test -- --parallel`) shares the cores.
    this.timeout(120000);
    it("registers exactly what the in-process run registers, with the same outputs and warnings", async () => {
        const { through, inProcess } = await projectRuns;
        assert.deepEqual(Object.keys(through), listStacks(repoRoot));
        for (const stack of Object.keys(through)) {
            const host = through[stack]!;
            const local = inProcess[stack]!;
            assert.equal(host.transport, "language-host", stack);
            assert.deepEqual(registered(host), registered(local), stack);
            assert.deepEqual(host.outputs, local.outputs, stack);
            assert.deepEqual(host.planOutputs, local.planOutputs, stack);
            assert.deepEqual(host.warnings, local.warnings, stack);
        }
    });

    it("registers the same without the plan's preload (no callsites, no promise annotations, lazy modules, errors without colour)", async () => {
        const { through, withoutPreload } = await projectRuns;
        assert.deepEqual(registered(withoutPreload), registered(through[withoutPreload.stack]!));
        assert.deepEqual(withoutPreload.outputs, through[withoutPreload.stack]!.outputs);
    });
});
