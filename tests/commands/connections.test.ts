import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { StackRun } from "../../engine";
import { runStack } from "../../engine";
import { defaultVolumes, estimateCost, priceTable, type CostEstimate, type CostLine, type PriceTable } from "../../commands/cost";
import { main as costMain } from "../../commands/cost/cli";
import { planGraph, runOfGraph, type PlanGraph } from "../../commands/plan/graph";
import { summarize } from "../../commands/plan/summaries";
import { captured, plan } from "../helpers";
import { connectorStackProject, devRun } from "../support/connector-stacks";
import { temporaryDirectory } from "../support/temporary";

/**
 * The connector examples (four connections: Service Bus with the managed identity, SQL Server
 * with a password, Office 365 with OAuth, the carrier's custom connector with an API key) in the
 * plan's lines, the pull-request diff and the cost estimate.
 */

/** The settings lines under a resource of a text plan, joined. */
function settingsOf(text: string, name: string): string {
    const lines = text.split("\n");
    const at = lines.findIndex((line) => new RegExp(`^ [+>] {3}.* ${name} +(create|read)$`).test(line));
    assert.ok(at >= 0, `${name} in the plan`);
    const settings: string[] = [];
    for (const line of lines.slice(at + 1)) {
        if (/^ [+>] {3}/.test(line) || line === "") {
            break;
        }
        settings.push(line.replace(/^ {5}(?:[│ ] {2})*/, ""));
    }
    return settings.join(" ");
}

const price = (key: string) => priceTable.prices[key]!.price;
const standard = "logicApps.consumption.standardConnector";
const enterprise = "logicApps.consumption.enterpriseConnector";
const close = (actual: number, expected: number, what: string) =>
    assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} is not ${expected}`);

const connectionLines = (estimate: CostEstimate) => estimate.lines.filter((line) => line.name.startsWith("connections-"));
const calledLine = (estimate: CostEstimate) =>
    estimate.lines.find((line) => line.type === "azure-native:logic:Workflow" && line.usageBased)!;
const byName = (lines: readonly CostLine[]) => Object.fromEntries(lines.map((line) => [line.name, line]));

/** A copy of a run with one resource's plan inputs changed (what the program would register for another declaration). */
function withPlanInputs(run: StackRun, name: string, change: (inputs: Record<string, any>) => void): StackRun {
    const resources = run.resources.map((resource) => {
        if (resource.name !== name) {
            return resource;
        }
        const planInputs = structuredClone(resource.planInputs) as Record<string, any>;
        const inputs = structuredClone(resource.inputs);
        change(planInputs);
        change(inputs);
        return { ...resource, planInputs, inputs };
    });
    return {
        ...run,
        resources,
        ofType: (type) => resources.filter((resource) => resource.type === type),
        get: (type, resourceName) => resources.find((resource) => resource.type === type && resource.name === resourceName)!,
    };
}

/** A copy of a plan graph with the Service Bus connection's namespace endpoint set to `endpoint`. */
function withEndpoint(graph: PlanGraph, endpoint: string): PlanGraph {
    const copy = JSON.parse(JSON.stringify(graph)) as PlanGraph;
    const servicebus = copy.resources.find((resource) => resource.name === "connections-servicebus")!;
    (servicebus.inputs.properties as any).parameterValueSet.values.namespaceEndpoint.value = endpoint;
    return copy;
}

describe("API connections in npm run plan and npm run cost", () => {
    let project: string;
    let run: StackRun;
    let text: string;
    before(async function () {
        // A stack run and a whole plan with its policy analysis: on a fresh checkout the first
        // analysis starts the policy pack, which takes seconds more beside the type-check.
        this.timeout(120_000);
        project = connectorStackProject();
        run = await devRun(project);
        const printed = await plan("dev", "--project-dir", project);
        assert.equal(printed.code, 0, printed.stderr);
        text = printed.stdout;
    });

    describe("the plan's line under each connection", () => {
        it("says each connection's API, how it signs in and whether it needs consent, naming parameters and never a secret's value", () => {
            assert.equal(
                settingsOf(text, "connections-servicebus"),
                "servicebus (managed API servicebus), signs in with the workflows' managed identity, namespaceEndpoint sb://sb-shipments-dev.servicebus.windows.net/",
            );
            assert.equal(
                settingsOf(text, "connections-office365"),
                "office365 (managed API office365), OAuth: needs consent in the portal after the first pulumi up",
            );
            assert.equal(
                settingsOf(text, "connections-sql"),
                "sql (managed API sql), parameters authType, database, server, username; secret password  [secret: properties]",
            );
            assert.equal(
                settingsOf(text, "connections-carrier"),
                "carrier (custom connector), parameters; secret api_key  [secret: properties]",
            );
            assert.equal(
                settingsOf(text, "connections-custom-carrier-connector"),
                "Carrier pickups, Swagger 2.0, 1 operation, calls https://api.carrier.example/v1, connections give api_key",
            );
            // The password the stack file gives as a secure value never shows, nor its ciphertext.
            assert.ok(!text.includes("Y2lwaGVydGV4dA"), "no secret value in the plan");
        });

        it("reads the line from the inputs alone: a connection without sign-in, one whose parameters are hidden as a whole, one known only after deploy", () => {
            const api = (name: string) => ({
                id: `/subscriptions/(known after deploy)/providers/Microsoft.Web/locations/westeurope/managedApis/${name}`,
            });
            assert.equal(
                summarize("azure-native:web:Connection", {
                    connectionName: "pickups",
                    properties: { api: { id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/customApis/carrier-connector" } },
                }),
                "pickups (custom connector carrier-connector), no sign-in",
            );
            assert.equal(
                summarize("azure-native:web:Connection", {
                    connectionName: "sql",
                    properties: { api: api("sql"), parameterValues: "[secret]" },
                }),
                "sql (managed API sql), parameters [secret]",
            );
            assert.equal(
                summarize("azure-native:web:Connection", { connectionName: "sql", properties: "(known after deploy)" }),
                "sql, settings (known after deploy)",
            );
            assert.equal(
                summarize("azure-native:web:Connection", {
                    connectionName: "files",
                    properties: {
                        api: api("SFTPWithSSH"),
                        parameterValues: { hostName: "sftp.example.com", sshPrivateKey: "[secret]", password: "[secret]" },
                    },
                }),
                "files (managed API sftpwithssh), parameters hostName; secret sshPrivateKey, password",
            );
        });

        it("names any other generic resource by its ARM path, with no parent where it has none", () => {
            assert.equal(
                summarize("azure-native:resources:Resource", {
                    resourceProviderNamespace: "Microsoft.ApiManagement",
                    parentResourcePath: "service/apim-x",
                    resourceType: "portalsettings",
                    resourceName: "signin",
                    apiVersion: "2024-05-01",
                    properties: { enabled: true },
                }),
                'Microsoft.ApiManagement/service/apim-x/portalsettings/signin (API 2024-05-01), {"enabled":true}',
            );
            assert.equal(
                summarize("azure-native:resources:Resource", {
                    resourceProviderNamespace: "Microsoft.Insights",
                    parentResourcePath: "",
                    resourceType: "workbooks",
                    resourceName: "ops",
                    apiVersion: "2023-06-01",
                }),
                "Microsoft.Insights/workbooks/ops (API 2023-06-01), {}",
            );
            assert.doesNotMatch(text, / of {2}\(API /, "no empty parent path in any line");
        });
    });

    describe("the pull-request diff", () => {
        it("shows a changed connection parameter as one line, an update in place, and a secret parameter never", async () => {
            const saved = path.join(temporaryDirectory("connections-base-"), "dev.json");
            const base = withEndpoint(planGraph(run), "sb://sb-shipments-old.servicebus.windows.net/");
            const sql = base.resources.find((resource) => resource.name === "connections-sql")!;
            assert.equal((sql.inputs.properties as any).parameterValues.password, "[secret]");
            fs.writeFileSync(saved, JSON.stringify(base));
            const { code, stdout, stderr } = await plan("dev", "--project-dir", project, "--diff", saved);
            assert.equal(code, 0, stderr);
            assert.match(stdout, /^### `dev`: 1 to update; \d+ unchanged\n/);
            const section = stdout.slice(stdout.indexOf("- `~` **update** `connections-servicebus`"));
            assert.deepEqual(section.split("\n").slice(0, 3), [
                "- `~` **update** `connections-servicebus` (`azure-native:resources:Resource`)",
                '  - `properties.parameterValueSet.values.namespaceEndpoint.value`: `"sb://sb-shipments-old.servicebus.windows.net/"` → `"sb://sb-shipments-dev.servicebus.windows.net/"`',
                "",
            ]);
            assert.doesNotMatch(stdout, /password/);
        });
    });

    describe("the cost estimate", () => {
        it("prices each connection's calls at Standard, custom connectors included, sharing cost.connectorCallsPerMonth evenly, and leaves them off the workflows' line", () => {
            const volumes = { ...defaultVolumes, connectorCallsPerMonth: 5000, enterpriseConnectorCallsPerMonth: 10 };
            const estimate = estimateCost(run, volumes);
            const lines = byName(connectionLines(estimate));
            assert.deepEqual(Object.keys(lines).sort(), [
                "connections-carrier",
                "connections-office365",
                "connections-servicebus",
                "connections-servicebus-in",
                "connections-sql",
            ]);
            assert.equal(
                lines["connections-servicebus"]!.what,
                "servicebus (managed API servicebus), Standard, 1,000 calls a month (1/5 of cost.connectorCallsPerMonth)",
            );
            assert.equal(
                lines["connections-carrier"]!.what,
                "carrier (custom connector), Standard as a custom connector, 1,000 calls a month (1/5 of cost.connectorCallsPerMonth)",
            );
            assert.match(lines["connections-carrier"]!.basis, /custom connectors are billed as Standard connectors \(logic-apps-pricing\)/);
            for (const line of Object.values(lines)) {
                close(line.monthlyUsd, 1000 * price(standard), line.name);
                assert.deepEqual(line.prices, [standard]);
                assert.equal(line.usageBased, true);
            }
            // The Standard calls are priced once, on the connections; the Enterprise ones, with no Enterprise connection, stay with the workflows.
            const workflows = calledLine(estimate);
            close(
                workflows.monthlyUsd,
                volumes.logicAppActionsPerMonth * price("logicApps.consumption.action") + 10 * price(enterprise),
                "the workflows' line",
            );
            assert.match(
                workflows.what,
                /, 10 enterprise connector calls a month, the 7 workflows together; Standard connector calls on the connections' lines$/,
            );
            assert.doesNotMatch(workflows.basis, /connectorCallsPerMonth/);
            assert.deepEqual(estimate.unpriced, [], "the connections and the custom connector are all accounted for");
        });

        it("takes a connection's own volume from cost.connectorCallsByConnection; the others share the rest evenly", () => {
            const estimate = estimateCost(run, {
                ...defaultVolumes,
                connectorCallsPerMonth: 4000,
                connectorCallsByConnection: { servicebus: 20000 },
            });
            const lines = byName(connectionLines(estimate));
            assert.equal(
                lines["connections-servicebus"]!.what,
                "servicebus (managed API servicebus), Standard, 20,000 calls a month (cost.connectorCallsByConnection.servicebus)",
            );
            close(lines["connections-servicebus"]!.monthlyUsd, 20000 * price(standard), "its own volume");
            assert.equal(
                lines["connections-sql"]!.what,
                "sql (managed API sql), Standard, 1,000 calls a month (1/4 of cost.connectorCallsPerMonth)",
            );
            close(
                connectionLines(estimate).reduce((sum, line) => sum + line.monthlyUsd, 0),
                (20000 + 4000) * price(standard),
                "the connections together",
            );
        });

        it("says where to set the calls while the volume is 0, and prices the same lines from a saved plan (the diff's estimate)", () => {
            const estimate = estimateCost(run);
            assert.equal(
                byName(connectionLines(estimate))["connections-office365"]!.what,
                "office365 (managed API office365), Standard, 0 calls a month (1/5 of cost.connectorCallsPerMonth: 0)",
            );
            const volumes = { ...defaultVolumes, connectorCallsPerMonth: 4000 };
            const fromGraph = estimateCost(runOfGraph(planGraph(run)), volumes);
            assert.deepEqual(
                connectionLines(fromGraph).map((line) => [line.name, line.what, line.monthlyUsd]),
                connectionLines(estimateCost(run, volumes)).map((line) => [line.name, line.what, line.monthlyUsd]),
            );
        });

        it("bills SAP, IBM MQ and IBM 3270 connections as Enterprise from their own volume, and says so when the table has no Enterprise price", () => {
            for (const api of ["sap", "mq", "ibm3270"]) {
                const changed = withPlanInputs(run, "connections-office365", (inputs) => {
                    inputs.properties.api.id = String(inputs.properties.api.id).replace(/office365$/, api);
                });
                const estimate = estimateCost(changed, {
                    ...defaultVolumes,
                    connectorCallsPerMonth: 4000,
                    enterpriseConnectorCallsPerMonth: 500,
                });
                const line = byName(connectionLines(estimate))["connections-office365"]!;
                assert.equal(
                    line.what,
                    `office365 (managed API ${api}), Enterprise, 500 calls a month (cost.enterpriseConnectorCallsPerMonth)`,
                    api,
                );
                close(line.monthlyUsd, 500 * price(enterprise), api);
                assert.deepEqual(line.prices, [enterprise]);
                close(
                    byName(connectionLines(estimate))["connections-sql"]!.monthlyUsd,
                    1000 * price(standard),
                    "the other four share the Standard calls",
                );
                assert.match(
                    calledLine(estimate).what,
                    /^100,000 action executions a month, the 7 workflows together; Standard and Enterprise connector calls on the connections' lines$/,
                    "both tiers on the connections' lines",
                );
            }
            const sap = withPlanInputs(run, "connections-office365", (inputs) => {
                inputs.properties.api.id = String(inputs.properties.api.id).replace(/office365$/, "sap");
            });
            const { [enterprise]: omitted, ...prices } = priceTable.prices;
            void omitted;
            const table: PriceTable = { ...priceTable, prices };
            const line = byName(connectionLines(estimateCost(sap, { ...defaultVolumes, enterpriseConnectorCallsPerMonth: 500 }, table)))[
                "connections-office365"
            ]!;
            assert.equal(
                line.what,
                "office365 (managed API sap), Enterprise, 500 calls a month (cost.enterpriseConnectorCallsPerMonth); not priced: commands/cost/prices.json has no Enterprise connector price (logicApps.consumption.enterpriseConnector)",
            );
            assert.equal(line.monthlyUsd, 0);
            assert.deepEqual(line.prices, []);
        });

        it("prints a line per connection in npm run cost, and refuses (as the plan does) a per-connection volume for a connection the stack does not have", async () => {
            const cost = async (dir: string) =>
                captured(() =>
                    costMain(
                        ["dev", "--project-dir", dir],
                        (options) => (options.projectDir === project ? devRun(project) : runStack(options)),
                        {},
                    ),
                );
            const printed = await cost(project);
            assert.equal(printed.result, 0, printed.stderr);
            assert.match(
                printed.stdout,
                /\n {2}connections-sql {2,}sql \(managed API sql\), Standard, 0 calls a month \(1\/5 of {2,}0\.00\n/,
            );
            assert.doesNotMatch(printed.stdout, /Not priced/);
            const typo = connectorStackProject({ cost: { connectorCallsByConnection: { servicebsu: 5 } } });
            const refused = await cost(typo);
            assert.equal(refused.result, 1);
            assert.equal(refused.stdout, "");
            assert.match(
                refused.stderr,
                /\n {2}- cost\.connectorCallsByConnection\.servicebsu: no connection of this stack has this name \(allowed: carrier, office365, servicebus, servicebus-in, sql\)\n/,
            );
            // The plan prices the stack too, and refuses the same.
            const planned = await plan("dev", "--project-dir", typo);
            assert.equal(planned.code, 1);
            const error = refused.stderr.slice(refused.stderr.indexOf('Invalid configuration for stack "dev"'));
            assert.match(error, /^Invalid configuration for stack "dev" \(1 problem\):\n/);
            assert.ok(planned.stderr.endsWith(error), planned.stderr.slice(-400));
        });
    });
});
