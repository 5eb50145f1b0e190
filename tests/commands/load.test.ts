import * as assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { main } from "../../commands/load";
import { weightedSequence } from "../../commands/load/run";
import { criteriaOf, judge, percentile, capacityLines } from "../../commands/load/report";
import { apiBaseUrl } from "../../commands/smoke/calls";
import { runStack, type StackRun } from "../../engine";
import { captured, stackFileValues, stackRun } from "../helpers";
import { Project } from "../mutations/project";
import { temporaryDirectory } from "../support/temporary";

/** A request the local gateway received. */
interface Received {
    method: string;
    path: string;
    headers: Record<string, string | string[] | undefined>;
}

/**
 * The fixture project with a load test on ledger: listItems three times for each getItem, a rate
 * limit high enough not to pace a short run, and criteria a healthy local server meets.
 */
function loadProject(change: (doc: any) => void = () => undefined): Project {
    const project = new Project();
    project.yaml("apis/ledger/api.yaml", (doc) => {
        doc.policy.rateLimit = { calls: 60_000, renewalPeriod: 60 };
        doc.load = {
            operations: [
                { operation: "listItems", path: "/items?top=1", weight: 3 },
                { operation: "getItem", path: "/items/SKU-1", weight: 1 },
            ],
            criteria: { p95Ms: 5000, errorPercent: 1, requestsPerSecond: 1 },
        };
        change(doc);
    });
    return project;
}

describe("npm run load", () => {
    let server: Server;
    let base: string;
    let received: Received[];
    /** The status of every gateway call, by path; 200 otherwise. */
    let statuses: Record<string, number>;
    let outputsFile: string;
    let outputs: Record<string, any>;
    let run: StackRun;
    const work = temporaryDirectory("load-");

    before(async () => {
        server = createServer((request: IncomingMessage, response: ServerResponse) => {
            request.resume();
            request.on("end", () => {
                received.push({ method: request.method!, path: request.url!, headers: request.headers });
                if (request.url!.includes("/oauth2/")) {
                    response.writeHead(200, { "Content-Type": "application/json" });
                    response.end(JSON.stringify({ token_type: "Bearer", expires_in: 3599, access_token: "token-from-entra" }));
                    return;
                }
                response.writeHead(statuses[request.url!] ?? 200, { "Content-Type": "application/json" });
                response.end("[]");
            });
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        // The dev stack with Azure Load Testing, its outputs as `pulumi stack output --json` shows them.
        run = await runStack({
            projectDir: new Project().dir,
            stack: "dev",
            config: { workflows: stackFileValues("dev").workflows, load: { azureLoadTesting: { engineInstances: 2 } } },
        });
        outputs = run.outputs;
        outputsFile = path.join(work, "dev-outputs.json");
        fs.writeFileSync(outputsFile, JSON.stringify(outputs, null, 2));
    });

    after(async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    beforeEach(() => {
        received = [];
        statuses = {};
    });

    const environment = (): NodeJS.ProcessEnv => ({
        SMOKE_CLIENT_SECRET: "daemon-secret",
        SMOKE_SUBSCRIPTION_KEY: "subscription-key",
        SMOKE_LOGIN_URL: base,
        SMOKE_GATEWAY_URL: base,
    });

    /** Runs the command in-process on `project`, bounded: 2 connections, 40 calls, 10 s at most. */
    const load = async (project: Project, args: string[] = []) => {
        const { result, stdout, stderr } = await captured(() =>
            main(
                [
                    "dev",
                    "--outputs",
                    outputsFile,
                    "--connections",
                    "2",
                    "--requests",
                    "40",
                    "--duration-s",
                    "10",
                    ...args,
                    "--project-dir",
                    project.dir,
                ],
                environment(),
            ),
        );
        return { code: result, stdout, stderr };
    };
    const gatewayCalls = () => received.filter((request) => !request.path.includes("/oauth2/"));

    it("deploys Azure Load Testing beside the gateway, with its own identity, on a stack with load.azureLoadTesting", () => {
        const service = run.get("azure-native:loadtestservice:LoadTest", "load-testing-service");
        assert.equal(service.inputs.loadTestName, "lt-integration-dev-gateway-weu");
        assert.equal(service.inputs.location, "westeurope");
        assert.deepEqual(service.inputs.identity, { type: "SystemAssigned" });
        assert.equal(outputs.loadTesting.name, "lt-integration-dev-gateway-weu");
    });

    it("gives the load test a gateway subscription of its own, whose generated key the vault keeps", () => {
        const subscription = run.get("azure-native:apimanagement:Subscription", "load-testing-subscription");
        assert.equal(subscription.inputs.scope, "/apis");
        assert.equal(subscription.inputs.sid, "load-test");
        assert.equal(subscription.inputs.state, "active");
        assert.ok(run.get("random:index/randomPassword:RandomPassword", "secrets-value-load-test-subscription-key"));
        assert.ok(run.get("azure-native:keyvault:Secret", "secrets-secret-load-test-subscription-key"));
        assert.equal(typeof outputs.vault.secretIds["load-test-subscription-key"], "string");
    });

    it("lets the Load Testing identity read exactly the two secrets its test uses, each on the secret", () => {
        const grants = run
            .ofType("azure-native:authorization:RoleAssignment")
            .filter((grant) => grant.name.startsWith("load-testing-secrets-"));
        assert.deepEqual(grants.map((grant) => grant.name).sort(), [
            "load-testing-secrets-load-test-reads-api-client-secret",
            "load-testing-secrets-load-test-reads-load-test-subscription-key",
        ]);
        for (const grant of grants) {
            assert.match(
                String(grant.inputs.scope),
                /\/providers\/Microsoft\.KeyVault\/vaults\/[^/]+\/secrets\/(api-client-secret|load-test-subscription-key)$/,
            );
            assert.match(String(grant.inputs.roleDefinitionId), /4633458b-17de-408a-b874-0445c86b69e6$/);
            assert.equal(grant.inputs.principalType, "ServicePrincipal");
        }
    });

    it("deploys none of it on a stack without load.azureLoadTesting", async () => {
        const plain = await stackRun("dev");
        assert.deepEqual(plain.ofType("azure-native:loadtestservice:LoadTest"), []);
        assert.deepEqual(plain.ofType("azure-native:apimanagement:Subscription"), []);
        assert.equal(plain.outputs.loadTesting, undefined);
    });

    /** The run of the plain load project, shared by the tests that only read it, with what the server received. */
    let plainRun: Promise<{ run: Awaited<ReturnType<typeof load>>; received: Received[] }> | undefined;
    const plainLoad = () => (plainRun ??= load(loadProject()).then((run) => ({ run, received: [...received] })));

    it("loads each declared operation through the gateway in the proportion of its weight, with the token and the subscription key", async () => {
        const { run, received: got } = await plainLoad();
        const { code, stderr } = run;
        assert.equal(code, 0, stderr);
        received = got;
        const calls = gatewayCalls();
        assert.ok(calls.length >= 40, `${calls.length} calls`);
        const list = calls.filter((call) => call.path === "/ledger/v1/items?top=1").length;
        const get = calls.filter((call) => call.path === "/ledger/v1/items/SKU-1").length;
        assert.equal(list + get, calls.length, "only the declared calls");
        assert.ok(list / get >= 2.5 && list / get <= 3.5, `listItems ${list}, getItem ${get}`);
        assert.ok(calls.every((call) => call.headers.authorization === "Bearer token-from-entra"));
        assert.ok(calls.every((call) => call.headers["ocp-apim-subscription-key"] === "subscription-key"));
        assert.equal(received.filter((request) => request.path.includes("/oauth2/")).length, 1, "one token for the run");
    });

    it("reports percentiles, errors and throughput per API, each criterion met, and the Capacity to expect; exits 0", async () => {
        const { code, stdout } = (await plainLoad()).run;
        assert.equal(code, 0);
        const lines = stdout.trimEnd().split("\n");
        assert.equal(
            lines[0],
            `Load test of stack dev through ${base}: 1 of 3 APIs declare one; 2 connections for 10 s each, at most 40 calls`,
        );
        assert.equal(lines[1], "ledger-v1: loading at up to 1000 calls a second (policy.rateLimit)");
        assert.match(lines[2]!, /^ {2}API +calls +p50 +p95 +p99 +errors +req\/s$/);
        assert.match(lines[3]!, /^ {2}ledger-v1 +\d+ +[\d.]+ ms +[\d.]+ ms +[\d.]+ ms +0 % +[\d.]+$/);
        assert.match(
            lines[4]!,
            /^ledger-v1: PASS p95 <= 5000 ms \(got [\d.]+ ms\); PASS errors <= 1 % \(got 0 %\); PASS >= 1 req\/s \(got [\d.]+ req\/s\)$/,
        );
        assert.match(
            lines[5]!,
            /^Capacity: [\d.]+ req\/s on 1 Developer unit in westeurope \(about 500 req\/s a unit\) should read about \d+ %\.$/,
        );
        assert.match(stdout, /--metric Capacity --aggregation Average --interval PT1M --filter "Location eq '\*'"/);
        assert.equal(lines.at(-1)!.startsWith("1 passed, 0 failed"), true, lines.at(-1));
    });

    it("exits 1 when a criterion is not met, saying which operation failed with what", async () => {
        statuses["/ledger/v1/items/SKU-1"] = 503;
        const { code, stdout } = await load(loadProject());
        assert.equal(code, 1);
        assert.match(stdout, /^ledger-v1: PASS p95 <= 5000 ms \(got [\d.]+ ms\); FAIL errors <= 1 % \(got 2\d(\.\d+)? %\); PASS/m);
        assert.match(stdout, /^ {2}failed calls of getItem: \d+ × 503$/m);
        assert.match(stdout.trimEnd().split("\n").at(-1)!, /^0 passed, 1 failed/);
    });

    it("counts a status other than an operation's declared one as a failure", async () => {
        const { code, stdout } = await load(
            loadProject((doc) => {
                doc.load.operations[1].status = 404;
            }),
        );
        assert.equal(code, 1);
        assert.match(stdout, /^ {2}failed calls of getItem: \d+ × 200$/m);
    });

    it("loads a staged revision at its ;rev= address", async () => {
        const { code, stderr } = await load(
            loadProject((doc) => {
                doc.revisions[0].staged = true;
                doc.load.revision = 2;
            }),
        );
        assert.equal(code, 0, stderr);
        const paths = new Set(gatewayCalls().map((call) => call.path));
        assert.deepEqual([...paths].sort(), ["/ledger/v1;rev=2/items/SKU-1", "/ledger/v1;rev=2/items?top=1"]);
    });

    it("judges the stack file's criteria over the API's own", async () => {
        const project = loadProject();
        project.config("dev", "load", { criteria: { p95Ms: 1 } });
        const { stdout } = await load(project);
        // The local server may answer within 1 ms; what matters is that the stack's bound is the one judged.
        assert.match(stdout, /^ledger-v1: (PASS|FAIL) p95 <= 1 ms/m);
    });

    it("refuses a stack criterion of more calls a second than an API's rate limit allows, naming both files", async () => {
        const project = loadProject((doc) => (doc.policy.rateLimit = { calls: 300, renewalPeriod: 60 }));
        project.config("dev", "load", { criteria: { requestsPerSecond: 6 } });
        const { code, stderr } = await load(project);
        assert.equal(code, 2);
        assert.equal(
            stderr.trim(),
            "Pulumi.dev.yaml: load.criteria.requestsPerSecond: 6 cannot be met by ledger-v1: its policy.rateLimit (apis/ledger/api.yaml) lets one subscription make 5 calls a second and answers 429 beyond it (allowed: at most the lowest rate limit of the APIs loaded, or raise theirs)",
        );
        assert.deepEqual(received, []);
    });

    it("says what it cannot run without, all at once, in the load test's words", async () => {
        const empty = path.join(work, "empty-outputs.json");
        fs.writeFileSync(empty, "{}");
        const { result: code, stderr } = await captured(() =>
            main(["dev", "--outputs", empty, "--project-dir", loadProject().dir], { SMOKE_SUBSCRIPTION_KEY: "key" }),
        );
        assert.equal(code, 2);
        const lines = stderr.trimEnd().split("\n");
        assert.equal(lines[0], "Cannot run the load test of stack dev (5 problems):");
        assert.equal(
            lines[1],
            `  - ${empty}: gateway.gatewayUrl is missing (allowed: the outputs of \`pulumi stack output --json --show-secrets -s dev\`)`,
        );
        assert.equal(
            lines[5],
            "  - SMOKE_CLIENT_SECRET is not set (allowed: the daemon client's secret, the Key Vault secret api-client-secret)",
        );
        assert.deepEqual(received, []);
    });

    it("refuses an API that is not in the catalog, a number that is not one, and a missing --outputs", async () => {
        const project = loadProject();
        assert.equal(
            (await load(project, ["--api", "ledgr"])).stderr,
            '--api: "ledgr" is not an API of apis/ (allowed: accounts, ledger, shipments)\n',
        );
        assert.equal(
            (await load(project, ["--connections", "ten"])).stderr,
            '--connections: "ten" is not allowed (allowed: a whole number, 1-1000, such as 10)\n',
        );
        const { result: code, stderr } = await captured(() => main(["dev", "--project-dir", project.dir], environment()));
        assert.equal(code, 2);
        assert.match(
            stderr,
            /^--outputs is missing \(allowed: a file holding the JSON of `pulumi stack output --json --show-secrets -s dev`/,
        );
    });

    /** The load project with Azure Load Testing in the dev stack file. */
    const azureProject = (change: (doc: any) => void = () => undefined) => {
        const project = loadProject(change);
        project.config("dev", "load", { azureLoadTesting: { engineInstances: 2 } });
        return project;
    };

    it("writes the Azure Load Testing test: a Locust script and the test configuration with Key Vault secrets and per-request criteria", async () => {
        const dir = path.join(work, "azure");
        const {
            result: code,
            stdout,
            stderr,
        } = await captured(() =>
            main(["dev", "--outputs", outputsFile, "--azure", dir, "--project-dir", azureProject().dir], environment()),
        );
        assert.equal(code, 0, stderr);
        assert.match(
            stdout,
            /az load test create --load-test-resource lt-integration-dev-gateway-weu --resource-group \S+ --test-id dev-catalog/,
        );
        // 10 users on each of 2 engines for 60 s, billed as 10 minutes.
        assert.match(stdout, /this run is about 3\.33 \(users × engines × hours;/);
        const config = parseYaml(fs.readFileSync(path.join(dir, "load-test.yaml"), "utf8"));
        assert.equal(config.version, "v0.1");
        assert.equal(config.testType, "Locust");
        assert.equal(config.testPlan, "locustfile.py");
        assert.equal(config.engineInstances, 2);
        const env = Object.fromEntries(config.env.map((entry: { name: string; value: string }) => [entry.name, entry.value]));
        assert.deepEqual(env, {
            LOCUST_USERS: "10",
            LOCUST_SPAWN_RATE: "10",
            LOCUST_RUN_TIME: "60",
            LOAD_GATEWAY_URL: base,
            LOAD_TOKEN_URL: `${base}/${outputs.identity.tenantId}/oauth2/v2.0/token`,
            LOAD_SCOPE: "api://integration-dev/.default",
            LOAD_CLIENT_ID: outputs.identity.clientAppClientId,
        });
        assert.deepEqual(config.secrets, [
            { name: "LOAD_CLIENT_SECRET", value: outputs.vault.secretIds["api-client-secret"] },
            { name: "LOAD_SUBSCRIPTION_KEY", value: outputs.vault.secretIds["load-test-subscription-key"] },
        ]);
        assert.deepEqual(config.failureCriteria, [
            { "ledger-v1.listItems": "p95(response_time_ms) > 5000" },
            { "ledger-v1.listItems": "percentage(error) > 1" },
            { "ledger-v1.listItems": "avg(requests_per_sec) < 0.75" },
            { "ledger-v1.getItem": "p95(response_time_ms) > 5000" },
            { "ledger-v1.getItem": "percentage(error) > 1" },
            { "ledger-v1.getItem": "avg(requests_per_sec) < 0.25" },
        ]);
        assert.match(fs.readFileSync(path.join(dir, "locustfile.py"), "utf8"), /class LedgerV1\(HttpUser\):/);
    });

    it("refuses --azure on a stack without load.azureLoadTesting", async () => {
        const project = loadProject();
        const { result: code, stderr } = await captured(() =>
            main(["test", "--outputs", outputsFile, "--azure", path.join(work, "none"), "--project-dir", project.dir], environment()),
        );
        assert.equal(code, 2);
        assert.match(stderr, /^--azure: Pulumi\.test\.yaml does not set load\.azureLoadTesting/);
    });

    describe("the generated Locust script under Locust itself", function () {
        // Debian's python3-locust (.ci/run installs it). Where it is not installed the test is
        // skipped, unless LOAD_ENGINE_REQUIRED is set, as CI sets it.
        const locust = spawnSync("locust", ["--help"], { stdio: "ignore" }).status === 0;
        let dir: string;
        before(async function () {
            if (!locust) {
                if (process.env.LOAD_ENGINE_REQUIRED) {
                    throw new Error("locust is not installed (apt-get install python3-locust), and LOAD_ENGINE_REQUIRED is set");
                }
                this.skip();
            }
            dir = path.join(work, "locust");
            const { result: code, stderr } = await captured(() =>
                main(
                    [
                        "dev",
                        "--outputs",
                        outputsFile,
                        "--azure",
                        dir,
                        "--project-dir",
                        azureProject((doc) => {
                            doc.revisions[0].staged = true;
                            doc.load.revision = 2;
                        }).dir,
                    ],
                    environment(),
                ),
            );
            assert.equal(code, 0, stderr);
        });

        /** Runs the script for 2 s with 2 users, as the test configuration would, against the local server. */
        const runLocust = () =>
            new Promise<{ code: number | null; output: string }>((resolve) => {
                const child = spawn(
                    "locust",
                    [
                        "-f",
                        "locustfile.py",
                        "--headless",
                        "--users",
                        "2",
                        "--spawn-rate",
                        "2",
                        "--run-time",
                        "2s",
                        "--only-summary",
                        "--csv",
                        "run",
                    ],
                    {
                        cwd: dir,
                        env: {
                            PATH: process.env.PATH,
                            LOAD_GATEWAY_URL: base,
                            LOAD_TOKEN_URL: `${base}/tenant/oauth2/v2.0/token`,
                            LOAD_SCOPE: "api://integration-dev/.default",
                            LOAD_CLIENT_ID: "client",
                            LOAD_CLIENT_SECRET: "daemon-secret",
                            LOAD_SUBSCRIPTION_KEY: "load-test-key",
                        },
                    },
                );
                let output = "";
                child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
                child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
                const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
                child.on("close", (code) => {
                    clearTimeout(timer);
                    resolve({ code, output });
                });
            });

        it("gets a token, calls the staged revision's operations by name with the key, and exits 0 when every call succeeds", async () => {
            const { code, output } = await runLocust();
            assert.equal(code, 0, output);
            assert.equal(received.filter((request) => request.path === "/tenant/oauth2/v2.0/token").length, 1);
            const calls = gatewayCalls();
            assert.ok(calls.length > 0);
            assert.deepEqual([...new Set(calls.map((call) => call.path))].sort(), [
                "/ledger/v1;rev=2/items/SKU-1",
                "/ledger/v1;rev=2/items?top=1",
            ]);
            assert.ok(calls.every((call) => call.headers["ocp-apim-subscription-key"] === "load-test-key"));
            assert.ok(calls.every((call) => call.headers.authorization === "Bearer token-from-entra"));
            const stats = fs.readFileSync(path.join(dir, "run_stats.csv"), "utf8");
            assert.match(stats, /^GET,ledger-v1\.listItems,\d+,0,/m);
            assert.match(stats, /^GET,ledger-v1\.getItem,\d+,0,/m);
        });

        it("fails the run when calls fail", async () => {
            statuses["/ledger/v1;rev=2/items/SKU-1"] = 500;
            const { code } = await runLocust();
            assert.equal(code, 1);
            assert.match(fs.readFileSync(path.join(dir, "run_stats.csv"), "utf8"), /^GET,ledger-v1\.getItem,(\d+),\1,/m);
        });
    });
});

describe("load test building blocks", () => {
    it("interleaves the calls in the proportion of their weights, reduced", () => {
        const names = (calls: Array<{ name: string; weight: number }>) =>
            weightedSequence(calls)
                .map((call) => call.name)
                .join("");
        assert.equal(
            names([
                { name: "a", weight: 3 },
                { name: "b", weight: 1 },
            ]),
            "abaa",
        );
        assert.equal(
            names([
                { name: "a", weight: 50 },
                { name: "b", weight: 50 },
            ]),
            "ab",
        );
        assert.equal(
            names([
                { name: "a", weight: 4 },
                { name: "b", weight: 2 },
                { name: "c", weight: 2 },
            ]),
            "abca",
        );
    });

    it("takes the nearest-rank percentile", () => {
        const values = Array.from({ length: 100 }, (_, i) => 100 - i);
        assert.equal(percentile(values, 95), 95);
        assert.equal(percentile(values, 50), 50);
        assert.equal(percentile([7], 99), 7);
        assert.equal(percentile([], 95), undefined);
    });

    it("judges the stack's criteria over the API's, key by key, and fails a latency bound when nothing answered", () => {
        assert.deepEqual(criteriaOf({ p95Ms: 500, errorPercent: 1 }, { p95Ms: 900 }), { p95Ms: 900, errorPercent: 1 });
        const judged = judge({ p95Ms: 500 }, { calls: 10, errorPercent: 100, requestsPerSecond: 0 });
        assert.deepEqual(judged, [{ criterion: "p95Ms", wanted: "p95 <= 500 ms", got: "no answer", passed: false }]);
    });

    it("says autoscale would add units when the estimate is over 66 %", () => {
        const lines = capacityLines(3000, { sku: "Premium", units: 1, autoscale: { min: 1, max: 4 }, location: "westeurope" });
        assert.equal(lines[0], "Capacity: 3000 req/s on 1 Premium unit in westeurope (about 4000 req/s a unit) should read about 75 %.");
        assert.equal(lines[1], "  That is above 66 %: sustained for 30 minutes, autoscale adds units (up to 4).");
    });

    it("addresses a staged revision with ;rev= after the API's version, before the operation's path", () => {
        assert.equal(
            apiBaseUrl("https://api.contoso.com", { path: "ledger", version: "v1" }, 3),
            "https://api.contoso.com/ledger/v1;rev=3",
        );
        assert.equal(apiBaseUrl("https://api.contoso.com", { path: "ledger", version: "v1" }), "https://api.contoso.com/ledger/v1");
    });
});
