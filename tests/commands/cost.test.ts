import * as assert from "node:assert/strict";
import type { RegisteredResource, StackRun } from "../../engine";
import { runStack } from "../../engine";
import { listStacks } from "../../engine/project";
import { costText, defaultVolumes, estimateCost, priceTable, type CostEstimate, type CostLine } from "../../commands/cost";
import { main } from "../../commands/cost/cli";
import { stackVolumes } from "../../commands/cost/volumes";
import { ConfigError } from "../../stacks/config";
import { captured, configOf, fixtureProject, problemsOf, stackFileFor, stackFileValues, stackRun, tempProject } from "../helpers";

const price = (key: string) => {
    const found = priceTable.prices[key];
    assert.ok(found, `prices.json has ${key}`);
    return found.price;
};

/** The one line that prices a resource of this type and logical name. */
function lineOf(estimate: CostEstimate, type: string, name: string): CostLine {
    const found = estimate.lines.filter((line) => line.type === type && line.name.split(", ").includes(name));
    assert.equal(found.length, 1, `one line for ${type} ${name}: ${JSON.stringify(estimate.lines.map((line) => line.name))}`);
    return found[0];
}

/** A run with only the resources `keep` keeps: the estimate of a different program, without running one. */
function withResources(run: StackRun, keep: (resource: RegisteredResource) => boolean): StackRun {
    const resources = run.resources.filter(keep);
    return {
        ...run,
        resources,
        ofType: (type) => resources.filter((resource) => resource.type === type),
        get: (type, name) => resources.find((resource) => resource.type === type && resource.name === name)!,
    };
}

/** Runs the cost command in-process on the fixture project, as `npm run cost -- <argv>` would. */
async function cost(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const args = argv.includes("--project-dir") ? argv : [...argv, "--project-dir", fixtureProject()];
    const { result, stdout, stderr } = await captured(() =>
        main(
            args,
            (options) =>
                options.projectDir === fixtureProject() && !options.variant && !options.config
                    ? stackRun(options.stack)
                    : runStack(options),
            {},
        ),
    );
    return { code: result, stdout, stderr };
}

const apim = "azure-native:apimanagement:ApiManagementService";
const close = (actual: number, expected: number, what: string) =>
    assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} is not ${expected}`);

describe("the cost estimate (npm run cost)", () => {
    const runs: Record<string, StackRun> = {};
    before(async () => {
        for (const stack of listStacks(fixtureProject())) {
            runs[stack] = await stackRun(stack);
        }
    });

    it("prices dev's API Management as one Developer unit, with no range", () => {
        const estimate = estimateCost(runs.dev);
        const gateway = lineOf(estimate, apim, "gateway-apim");
        assert.equal(gateway.what, `1 Developer unit in ${stackFileValues("dev").location}`);
        assert.equal(gateway.monthlyUsd, price("apiManagement.Developer.unit"));
        assert.equal(gateway.maxMonthlyUsd, undefined);
        assert.deepEqual(gateway.prices, ["apiManagement.Developer.unit"]);
    });

    it("prices prod's Premium gateway as its primary units plus each additional region's, every unit at the Premium price, over autoscale's range", () => {
        const { gateway, location } = stackFileValues("prod");
        const extra = (gateway.additionalLocations as Array<{ location: string; capacity: number }>).reduce(
            (sum, region) => sum + region.capacity,
            0,
        );
        const line = lineOf(estimateCost(runs.prod), apim, "gateway-apim");
        const premium = price("apiManagement.Premium.unit");
        assert.equal(
            price("apiManagement.Premium.additionalRegionUnit"),
            premium,
            "a unit in an additional region costs as a Premium unit",
        );
        close(line.monthlyUsd, (gateway.autoscale.minCapacity + extra) * premium, "at autoscale's minimum");
        close(line.maxMonthlyUsd!, (gateway.autoscale.maxCapacity + extra) * premium, "at autoscale's maximum");
        assert.equal(
            line.what,
            [
                `${gateway.autoscale.minCapacity}-${gateway.autoscale.maxCapacity} Premium units in ${location} (autoscale)`,
                ...gateway.additionalLocations.map(
                    (region: { location: string; capacity: number }) => `${region.capacity} in ${region.location}`,
                ),
            ].join(" + "),
        );
        assert.match(line.basis, /autoscale keeps the primary region at \d+-\d+ units/);
    });

    it("reads the range from the autoscale setting: without one, the service's own units, and no range", () => {
        const run = withResources(runs.prod, (resource) => resource.type !== "azure-native:monitor:AutoscaleSetting");
        const { gateway } = stackFileValues("prod");
        const extra = (gateway.additionalLocations as Array<{ capacity: number }>).reduce((sum, region) => sum + region.capacity, 0);
        const line = lineOf(estimateCost(run), apim, "gateway-apim");
        close(line.monthlyUsd, (gateway.capacity + extra) * price("apiManagement.Premium.unit"), "fixed units");
        assert.equal(line.maxMonthlyUsd, undefined);
        assert.doesNotMatch(line.what, /autoscale/);
    });

    it("totals the lines, at autoscale's minimum and at its maximum", () => {
        for (const [stack, run] of Object.entries(runs)) {
            const estimate = estimateCost(run);
            close(
                estimate.total.monthlyUsd,
                estimate.lines.reduce((sum, line) => sum + line.monthlyUsd, 0),
                `${stack} minimum`,
            );
            close(
                estimate.total.maxMonthlyUsd,
                estimate.lines.reduce((sum, line) => sum + (line.maxMonthlyUsd ?? line.monthlyUsd), 0),
                `${stack} maximum`,
            );
            assert.ok(estimate.total.maxMonthlyUsd >= estimate.total.monthlyUsd, stack);
        }
        const dev = estimateCost(runs.dev);
        assert.equal(dev.total.maxMonthlyUsd, dev.total.monthlyUsd, "no range without autoscale");
    });

    it("prices the workflows called over HTTP from the monthly volumes, in proportion: a config change moves only their line", () => {
        const base = estimateCost(runs.prod, configOf("prod").cost);
        const tripled = estimateCost(
            runs.prod,
            configOf("prod", { cost: { logicAppActionsPerMonth: 3 * defaultVolumes.logicAppActionsPerMonth } }).cost,
        );
        const calledLine = (estimate: CostEstimate) =>
            estimate.lines.find((line) => line.type === "azure-native:logic:Workflow" && line.usageBased)!;
        close(
            calledLine(base).monthlyUsd,
            defaultVolumes.logicAppActionsPerMonth * price("logicApps.consumption.action"),
            "default volume",
        );
        close(calledLine(tripled).monthlyUsd, 3 * calledLine(base).monthlyUsd, "three times the actions");
        const withConnectors = estimateCost(runs.prod, {
            ...defaultVolumes,
            connectorCallsPerMonth: 1000,
            enterpriseConnectorCallsPerMonth: 10,
        });
        close(
            calledLine(withConnectors).monthlyUsd,
            calledLine(base).monthlyUsd +
                1000 * price("logicApps.consumption.standardConnector") +
                10 * price("logicApps.consumption.enterpriseConnector"),
            "connector calls",
        );
        const others = (estimate: CostEstimate) =>
            estimate.lines.filter((line) => line !== calledLine(estimate)).map((line) => [line.name, line.monthlyUsd]);
        assert.deepEqual(others(tripled), others(base));
        assert.deepEqual(
            calledLine(base).urns,
            runs.prod
                .ofType("azure-native:logic:Workflow")
                .filter((workflow) => !JSON.stringify(workflow.inputs.definition?.triggers ?? {}).includes('"Recurrence"'))
                .map((workflow) => workflow.urn),
        );
    });

    it("prices a scheduled workflow from its recurrence: runs a month times its trigger and actions", () => {
        const backup = runs.prod.get("azure-native:logic:Workflow", "backup-workflow");
        const recurrence = (Object.values(backup.inputs.definition.triggers)[0] as { recurrence: { frequency: string; interval: number } })
            .recurrence;
        assert.equal(recurrence.frequency, "Hour");
        const runsPerMonth = priceTable.hoursPerMonth / recurrence.interval;
        const executions = 1 + Object.keys(backup.inputs.definition.actions).length;
        const line = lineOf(estimateCost(runs.prod), "azure-native:logic:Workflow", "backup-workflow");
        close(line.monthlyUsd, runsPerMonth * executions * price("logicApps.consumption.action"), "backup runs");
        assert.equal(line.usageBased, false);
    });

    it("prices storage by its redundancy, log retention beyond 31 days, the DNS zone on the stack that creates it, and alerts by time series", () => {
        const volumes = { ...defaultVolumes, storageGbPerAccount: 50, logIngestionGbPerMonth: 20, dnsQueriesPerMonth: 3_000_000 };
        const prod = estimateCost(runs.prod, volumes);
        for (const account of runs.prod.ofType("azure-native:storage:StorageAccount")) {
            const kind = String(account.inputs.sku.name).replace("Standard_", "");
            const operations = kind.startsWith("G") ? "storage.operations.geo" : "storage.operations.local";
            close(
                lineOf(prod, account.type, account.name).monthlyUsd,
                50 * price(`storage.hot.${kind}`) + (volumes.storageOperationsPerMonth / 10_000) * price(operations),
                account.name,
            );
        }
        const days = stackFileValues("prod").monitoring.retentionDays;
        close(
            lineOf(prod, "azure-native:operationalinsights:Workspace", "monitoring-workspace").monthlyUsd,
            20 * price("logAnalytics.ingestion") + ((20 * (days - 31)) / (priceTable.hoursPerMonth / 24)) * price("logAnalytics.retention"),
            "ingestion and retention",
        );
        close(
            lineOf(prod, "azure-native:dns:Zone", "dns-zone").monthlyUsd,
            price("dns.zone") + 3 * price("dns.queries"),
            "zone and queries",
        );
        assert.equal(
            estimateCost(runs.dev).lines.filter((line) => line.type === "azure-native:dns:Zone").length,
            0,
            "dev writes records into prod's zone and pays for no zone",
        );
        // The capacity alert watches every region of the gateway: a time series each.
        const regions = 1 + stackFileValues("prod").gateway.additionalLocations.length;
        close(
            lineOf(prod, "azure-native:monitor:MetricAlert", "gateway-capacity-alert").monthlyUsd,
            regions * price("monitor.metricAlert.timeSeries"),
            "capacity alert",
        );
    });

    it("leaves nothing a fixture stack deploys unpriced, and uses only prices the table has", () => {
        for (const [stack, run] of Object.entries(runs)) {
            const estimate = estimateCost(run);
            assert.deepEqual(estimate.unpriced, [], stack);
            for (const line of estimate.lines) {
                assert.ok(line.prices.length > 0 && line.prices.every((key) => key in priceTable.prices), `${stack} ${line.name}`);
                assert.ok(Number.isFinite(line.monthlyUsd) && line.monthlyUsd >= 0, `${stack} ${line.name}`);
            }
        }
    });

    it("refuses a bad cost volume with a message naming the key, while the program, which deploys nothing from it, takes the defaults", () => {
        const problems = (cost: unknown) => {
            try {
                stackVolumes({ stack: "dev", projectDir: fixtureProject(), config: { cost } });
                return [];
            } catch (error) {
                assert.ok(error instanceof ConfigError, String(error));
                return error.problems;
            }
        };
        const bad = { logIngestionGbPerMonth: -1, dnsQueriesPerMonth: "many", keyVaultOperationsPerMonth: 1.5 };
        assert.deepEqual(problems(bad), [
            "cost.logIngestionGbPerMonth: -1 is negative (allowed: a whole number of GB a month, 0 or more)",
            "cost.keyVaultOperationsPerMonth: 1.5 is not a whole number (allowed: a whole number of operations a month, 0 or more)",
            'cost.dnsQueriesPerMonth: "many" is not a whole number (allowed: a whole number of queries a month, 0 or more)',
        ]);
        assert.deepEqual(problems({ actionsPerMonth: 5 }), [
            "cost.actionsPerMonth: unknown key (allowed: logicAppActionsPerMonth, connectorCallsPerMonth, enterpriseConnectorCallsPerMonth, connectorCallsByConnection, logIngestionGbPerMonth, keyVaultOperationsPerMonth, dnsQueriesPerMonth, storageGbPerAccount, storageOperationsPerMonth, alertEmailsPerMonth)",
        ]);
        // The program: no problem, the defaults.
        assert.deepEqual(problemsOf("dev", { cost: bad }), []);
        assert.deepEqual(configOf("dev", { cost: bad }).cost, defaultVolumes);
        // Quoted numbers are taken, as everywhere in the structured keys; a stack file needs no cost key at all.
        assert.equal(
            stackVolumes({ stack: "dev", projectDir: fixtureProject(), config: { cost: { dnsQueriesPerMonth: "2000" } } })
                .dnsQueriesPerMonth,
            2000,
        );
        assert.deepEqual(stackVolumes({ stack: "dev", projectDir: fixtureProject(), config: { cost: undefined } }), defaultVolumes);
    });

    it("keeps every price in prices.json with its unit, USD, a source, the date it was read and the unverified flag", () => {
        assert.equal(priceTable.verified, false);
        assert.match(priceTable.readOn, /^\d{4}-\d{2}-\d{2}$/);
        for (const [key, entry] of Object.entries(priceTable.prices)) {
            assert.ok(typeof entry.price === "number" && entry.price > 0, key);
            assert.ok(entry.unit.length > 0 && entry.item.length > 0, key);
            assert.equal(entry.currency, "USD", key);
            assert.match(entry.source, /^https:\/\/\S+$/, key);
            assert.ok(["official", "third-party summary"].includes(entry.sourceKind), key);
            assert.match(entry.readOn, /^\d{4}-\d{2}-\d{2}$/, key);
            assert.ok(!Number.isNaN(Date.parse(entry.readOn)), key);
            assert.equal(entry.verified, false, key);
        }
        for (const tier of ["Developer", "Basic", "Standard", "Premium"]) {
            assert.ok(`apiManagement.${tier}.unit` in priceTable.prices, tier);
        }
    });

    it("prints the table, the total and the estimate sentence with the table's date, and exits 0", async () => {
        const printed = await cost("prod");
        assert.equal(printed.code, 0, printed.stderr);
        const estimate = estimateCost(runs.prod, configOf("prod").cost);
        assert.equal(printed.stdout, `${costText(estimate)}\n`);
        assert.match(printed.stdout, /^Monthly cost estimate for stack prod\n\n {2}resource +what +monthly USD\n/);
        assert.match(
            printed.stdout,
            /\n {2}gateway-apim +\d+-\d+ Premium units in \S+ \(autoscale\)[^\n]* {2,}[\d,]+\.\d\d - [\d,]+\.\d\d\n/,
        );
        assert.match(printed.stdout, /\n {2}total {2,}[\d,]+\.\d\d - [\d,]+\.\d\d\n/);
        assert.match(
            printed.stdout.replace(/\s+/g, " "),
            new RegExp(
                `This is an estimate at list prices \\(pay-as-you-go, USD\\), not verified against the live Azure price list: the prices in commands/cost/prices.json were read from public pages on ${priceTable.readOn}`,
            ),
        );
        assert.ok(printed.stdout.split("\n").every((line) => line.length <= 160));
    });

    it("gives every line with its basis as JSON with --json", async () => {
        const printed = await cost("dev", "--json");
        assert.equal(printed.code, 0, printed.stderr);
        const parsed = JSON.parse(printed.stdout) as CostEstimate;
        assert.deepEqual(parsed, JSON.parse(JSON.stringify(estimateCost(runs.dev, configOf("dev").cost))));
        assert.ok(parsed.lines.every((line) => line.basis.length > 0 && line.urn.startsWith("urn:pulumi:dev::")));
        assert.equal(parsed.verified, false);
    });

    it("refuses a stack file with a bad cost volume the way the plan refuses config, and a usage mistake with 2", async () => {
        const dir = tempProject({ qa: await stackFileFor({ cost: { storageGbPerAccount: -3 } }) });
        const refused = await cost("qa", "--project-dir", dir);
        assert.equal(refused.code, 1);
        assert.match(refused.stderr, /cost\.storageGbPerAccount: -3 is negative \(allowed: a whole number of GB per account, 0 or more\)/);
        assert.equal(refused.stdout, "");
        const usage = await cost();
        assert.equal(usage.code, 2);
        assert.match(usage.stderr, /^Name the stack to estimate\./);
    });
});
