import type { RegisteredResource, StackRun } from "../../engine/run";
import { priceOf, type PriceTable } from "./price-table";
import type { CostLine, CostVolumes } from "./types";

/**
 * How each priced resource type turns its inputs into a monthly figure. Each function returns the
 * lines of the resources it prices; the resources it reads but does not price (an autoscale
 * setting, a workflow's storage) are listed in `estimateCost`'s free types.
 */

export interface Context {
    readonly run: StackRun;
    readonly volumes: CostVolumes;
    readonly prices: PriceTable;
}

const usd = (value: number) => `$${value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: value < 1 ? 6 : 2 })}`;
const count = (value: number) => value.toLocaleString("en-US", { maximumFractionDigits: 2 });
const plural = (n: number, one: string, many = `${one}s`) => `${count(n)} ${n === 1 ? one : many}`;

/** "$2,795.17 per unit-month (apiManagement.Premium.unit)". */
function rate(context: Context, key: string): string {
    const price = priceOf(key, context.prices);
    return `${usd(price.price)} per ${price.unit} (${key})`;
}

function line(resource: RegisteredResource, fields: Omit<CostLine, "urn" | "urns" | "name" | "type">): CostLine {
    return { urn: resource.urn, urns: [resource.urn], name: resource.name, type: resource.type, ...fields };
}

// --- API Management ---------------------------------------------------------------------------

const unitKeys: Record<string, string> = {
    Developer: "apiManagement.Developer.unit",
    Basic: "apiManagement.Basic.unit",
    Standard: "apiManagement.Standard.unit",
    Premium: "apiManagement.Premium.unit",
};

/** The unit range autoscale keeps the service's primary region in, when it has an autoscale setting. */
function autoscaleRange(run: StackRun, service: RegisteredResource): { min: number; max: number } | undefined {
    const settings = run
        .ofType("azure-native:monitor:AutoscaleSetting")
        .filter(
            (setting) =>
                setting.inputs.enabled !== false &&
                (setting.inputs.targetResourceUri === service.id || setting.dependsOn.includes(service.urn)),
        );
    const capacities = settings.flatMap((setting) =>
        (setting.inputs.profiles ?? []).map((profile: { capacity?: { minimum?: string; maximum?: string } }) => profile.capacity ?? {}),
    );
    const minimums = capacities.map((capacity: { minimum?: string }) => Number(capacity.minimum)).filter(Number.isFinite);
    const maximums = capacities.map((capacity: { maximum?: string }) => Number(capacity.maximum)).filter(Number.isFinite);
    return minimums.length > 0 && maximums.length > 0 ? { min: Math.min(...minimums), max: Math.max(...maximums) } : undefined;
}

export function apiManagement(context: Context, service: RegisteredResource): CostLine | undefined {
    const tier = String(service.inputs.sku?.name ?? "");
    const key = unitKeys[tier];
    if (!key) {
        return undefined;
    }
    const unitPrice = priceOf(key, context.prices).price;
    const capacity = Number(service.inputs.sku?.capacity ?? 1);
    const range = autoscaleRange(context.run, service);
    const primary = range ?? { min: capacity, max: capacity };
    const extra: Array<{ location: string; capacity: number }> = (service.inputs.additionalLocations ?? []).map(
        (location: { location: string; sku?: { capacity?: number } }) => ({
            location: location.location,
            capacity: Number(location.sku?.capacity ?? 1),
        }),
    );
    const extraUnits = extra.reduce((sum, location) => sum + location.capacity, 0);
    const extraPrice = extra.length > 0 ? priceOf("apiManagement.Premium.additionalRegionUnit", context.prices).price : 0;
    const units = primary.min === primary.max ? `${plural(primary.min, `${tier} unit`)}` : `${primary.min}-${primary.max} ${tier} units`;
    const what = [
        `${units} in ${service.inputs.location}${range ? " (autoscale)" : ""}`,
        ...extra.map((location) => `${location.capacity} in ${location.location}`),
    ].join(" + ");
    const monthly = (primaryUnits: number) => primaryUnits * unitPrice + extraUnits * extraPrice;
    const basis = [
        `${rate(context, key)} for each unit in the primary region`,
        ...(extra.length > 0
            ? [`each unit in an additional region is a Premium unit, ${rate(context, "apiManagement.Premium.additionalRegionUnit")}`]
            : []),
        ...(range
            ? [
                  `autoscale keeps the primary region at ${range.min}-${range.max} units (its setting's minimum and maximum): ${primary.min + extraUnits} units in all at its minimum, ${primary.max + extraUnits} at its maximum`,
              ]
            : []),
        ...((service.inputs.zones ?? []).length > 0 ? ["availability zones spread these units; they are not priced apart"] : []),
    ].join("; ");
    return line(service, {
        what,
        monthlyUsd: monthly(primary.min),
        ...(range && range.max !== range.min ? { maxMonthlyUsd: monthly(primary.max) } : {}),
        basis,
        prices: extra.length > 0 ? [key, "apiManagement.Premium.additionalRegionUnit"] : [key],
        usageBased: false,
    });
}

// --- Logic Apps -------------------------------------------------------------------------------

interface Action {
    readonly type?: string;
    readonly actions?: Record<string, Action>;
    readonly else?: { actions?: Record<string, Action> };
    readonly cases?: Record<string, { actions?: Record<string, Action> }>;
    readonly default?: { actions?: Record<string, Action> };
}

const connectorTypes = new Set(["ApiConnection", "ApiConnectionWebhook"]);

/** The actions of a definition, nested ones included, each counted once (a branch as if it ran). */
function actionsOf(actions: Record<string, Action> | undefined): Action[] {
    return Object.values(actions ?? {}).flatMap((action) => [
        action,
        ...actionsOf(action.actions),
        ...actionsOf(action.else?.actions),
        ...Object.values(action.cases ?? {}).flatMap((branch) => actionsOf(branch.actions)),
        ...actionsOf(action.default?.actions),
    ]);
}

const hoursPer: Record<string, number> = { Second: 1 / 3600, Minute: 1 / 60, Hour: 1, Day: 24, Week: 168 };

/** Runs a month of a recurrence (`Month` is once a month per interval). */
function runsPerMonth(recurrence: { frequency?: string; interval?: number }, hoursPerMonth: number): number | undefined {
    const interval = Number(recurrence.interval ?? 1);
    if (recurrence.frequency === "Month") {
        return 1 / interval;
    }
    const hours = hoursPer[recurrence.frequency ?? ""];
    return hours === undefined || !(interval > 0) ? undefined : hoursPerMonth / (hours * interval);
}

function recurrenceOf(workflow: RegisteredResource): { frequency?: string; interval?: number } | undefined {
    const triggers: Array<{ type?: string; recurrence?: { frequency?: string; interval?: number } }> = Object.values(
        workflow.inputs.definition?.triggers ?? {},
    );
    return triggers.find((trigger) => trigger.type === "Recurrence")?.recurrence;
}

/** A scheduled workflow: its runs a month from its recurrence, each run its trigger and its actions. */
function scheduledWorkflow(
    context: Context,
    workflow: RegisteredResource,
    recurrence: { frequency?: string; interval?: number },
): CostLine {
    const actions = actionsOf(workflow.inputs.definition?.actions);
    const connectorCalls = actions.filter((action) => connectorTypes.has(action.type ?? "")).length;
    const builtIn = 1 + actions.length - connectorCalls;
    const runs = workflow.inputs.state === "Disabled" ? 0 : (runsPerMonth(recurrence, context.prices.hoursPerMonth) ?? 0);
    const actionPrice = priceOf("logicApps.consumption.action", context.prices).price;
    const connectorPrice = priceOf("logicApps.consumption.standardConnector", context.prices).price;
    const interval = Number(recurrence.interval ?? 1);
    const every = `every ${interval === 1 ? "" : `${interval} `}${String(recurrence.frequency ?? "?").toLowerCase()}${interval === 1 ? "" : "s"}`;
    return line(workflow, {
        what: `${count(runs)} scheduled runs a month (${every}) × ${builtIn} executions (trigger + ${plural(actions.length - connectorCalls, "action")})${connectorCalls > 0 ? ` + ${plural(connectorCalls, "connector call")}` : ""}`,
        monthlyUsd: runs * (builtIn * actionPrice + connectorCalls * connectorPrice),
        basis: `${rate(context, "logicApps.consumption.action")}${connectorCalls > 0 ? `, ${rate(context, "logicApps.consumption.standardConnector")}` : ""}; runs from the recurrence (${context.prices.hoursPerMonth} hours a month), each action counted once a run (a branch as if it ran); the subscription's free built-in actions are not subtracted${workflow.inputs.state === "Disabled" ? "; the workflow is disabled" : ""}`,
        prices:
            connectorCalls > 0
                ? ["logicApps.consumption.action", "logicApps.consumption.standardConnector"]
                : ["logicApps.consumption.action"],
        usageBased: false,
    });
}

/**
 * The workflows: one line per scheduled workflow, one for all the others from the volumes. The
 * connector calls of a tier whose calls the connections' lines price (`connectionTiers`,
 * commands/cost/connections.ts) are left to those lines.
 */
export function workflows(
    context: Context,
    all: readonly RegisteredResource[],
    connectionTiers: ReadonlyArray<"Standard" | "Enterprise"> = [],
): CostLine[] {
    const lines: CostLine[] = [];
    const called: RegisteredResource[] = [];
    for (const workflow of all) {
        const recurrence = recurrenceOf(workflow);
        if (recurrence) {
            lines.push(scheduledWorkflow(context, workflow, recurrence));
        } else {
            called.push(workflow);
        }
    }
    if (called.length > 0) {
        const { logicAppActionsPerMonth: actions } = context.volumes;
        const price = (key: string) => priceOf(key, context.prices).price;
        const tiers = [
            {
                tier: "Standard",
                volume: "connectorCallsPerMonth",
                key: "logicApps.consumption.standardConnector",
                words: "standard connector call",
            },
            {
                tier: "Enterprise",
                volume: "enterpriseConnectorCallsPerMonth",
                key: "logicApps.consumption.enterpriseConnector",
                words: "enterprise connector call",
            },
        ] as const;
        const here = tiers.filter((entry) => !connectionTiers.includes(entry.tier));
        const elsewhere = tiers.filter((entry) => connectionTiers.includes(entry.tier));
        lines.push({
            urn: called[0].urn,
            urns: called.map((workflow) => workflow.urn),
            name: called.map((workflow) => workflow.name).join(", "),
            type: called[0].type,
            what: `${[plural(actions, "action execution"), ...here.map((entry) => plural(context.volumes[entry.volume], entry.words))].join(", ")} a month, the ${called.length === 1 ? "workflow" : `${called.length} workflows`} together${elsewhere.length > 0 ? `; ${elsewhere.map((entry) => entry.tier).join(" and ")} connector calls on the connections' lines` : ""}`,
            monthlyUsd:
                actions * price("logicApps.consumption.action") +
                here.reduce((sum, entry) => sum + context.volumes[entry.volume] * price(entry.key), 0),
            basis: `${[
                `cost.logicAppActionsPerMonth × ${rate(context, "logicApps.consumption.action")}`,
                ...here.map((entry) => `cost.${entry.volume} × ${rate(context, entry.key)}`),
            ].join(" + ")}; the subscription's free built-in actions are not subtracted`,
            prices: ["logicApps.consumption.action", ...here.map((entry) => entry.key)],
            usageBased: true,
        });
    }
    return lines;
}

// --- Monitoring -------------------------------------------------------------------------------

/** The workspace: ingestion, and retention beyond the days included. */
export function workspace(context: Context, resource: RegisteredResource): CostLine {
    const gb = context.volumes.logIngestionGbPerMonth;
    const days = Number(resource.inputs.retentionInDays ?? 30);
    const includedDays = 31;
    const daysPerMonth = context.prices.hoursPerMonth / 24;
    // In a steady state each month's data is kept `days`; what is kept beyond the included days is billed by the GB-month.
    const retainedGbMonths = (gb * Math.max(0, days - includedDays)) / daysPerMonth;
    const ingestion = priceOf("logAnalytics.ingestion", context.prices).price;
    const retention = priceOf("logAnalytics.retention", context.prices).price;
    return line(resource, {
        what: `${count(gb)} GB ingested a month, kept ${days} days${days > includedDays ? ` (${count(Math.round(retainedGbMonths * 100) / 100)} GB-months beyond ${includedDays} days)` : ""}`,
        monthlyUsd: gb * ingestion + retainedGbMonths * retention,
        basis: `cost.logIngestionGbPerMonth × ${rate(context, "logAnalytics.ingestion")}, Application Insights telemetry included; retention beyond ${includedDays} days (retentionInDays ${days}) at ${rate(context, "logAnalytics.retention")}; the billing account's free GB are not subtracted`,
        prices: ["logAnalytics.ingestion", "logAnalytics.retention"],
        usageBased: true,
    });
}

export function applicationInsights(context: Context, resource: RegisteredResource): CostLine {
    return line(resource, {
        what: "workspace-based: priced with the workspace's ingestion",
        monthlyUsd: 0,
        basis: `priced with the workspace at ${rate(context, "applicationInsights.ingestion")}, in cost.logIngestionGbPerMonth`,
        prices: ["applicationInsights.ingestion"],
        usageBased: true,
    });
}

/** Time series a metric alert rule monitors: each scope, for each condition, each combination of its dimension values. */
function timeSeries(alert: RegisteredResource): number {
    const scopes = Math.max(1, (alert.inputs.scopes ?? []).length);
    const criteria: Array<{ dimensions?: Array<{ values?: string[] }> }> = alert.inputs.criteria?.allOf ?? [{}];
    const perScope = criteria.reduce(
        (sum, criterion) =>
            sum +
            (criterion.dimensions ?? []).reduce(
                (product, dimension) => product * (dimension.values?.includes("*") ? 1 : Math.max(1, dimension.values?.length ?? 1)),
                1,
            ),
        0,
    );
    return scopes * Math.max(1, perScope);
}

/** "PT5M" -> "5 minutes", "PT1H" -> "hour". */
function durationText(duration: string): string {
    const match = /^PT(\d+)([HMS])$/.exec(duration);
    if (!match) {
        return duration;
    }
    const unit = { H: "hour", M: "minute", S: "second" }[match[2] as "H" | "M" | "S"];
    return match[1] === "1" ? unit : `${match[1]} ${unit}s`;
}

export function metricAlert(context: Context, alert: RegisteredResource): CostLine {
    const series = alert.inputs.enabled === false ? 0 : timeSeries(alert);
    return line(alert, {
        what: `${plural(series, "time series", "time series")} monitored, evaluated every ${durationText(String(alert.inputs.evaluationFrequency ?? "PT1M"))}`,
        monthlyUsd: series * priceOf("monitor.metricAlert.timeSeries", context.prices).price,
        basis: `${rate(context, "monitor.metricAlert.timeSeries")}; a time series per scope, condition and dimension value; the subscription's free time series are not subtracted`,
        prices: ["monitor.metricAlert.timeSeries"],
        usageBased: false,
    });
}

export function actionGroup(context: Context, group: RegisteredResource): CostLine {
    const receivers = (group.inputs.emailReceivers ?? []).length;
    const emails = receivers > 0 ? context.volumes.alertEmailsPerMonth : 0;
    const price = priceOf("monitor.actionGroup.email", context.prices).price;
    return line(group, {
        what: `${plural(receivers, "e-mail receiver")}, ${plural(emails, "e-mail")} a month`,
        monthlyUsd: (emails / 100_000) * price,
        basis: `cost.alertEmailsPerMonth × ${rate(context, "monitor.actionGroup.email")}; no charge of its own; the free e-mails a month are not subtracted`,
        prices: ["monitor.actionGroup.email"],
        usageBased: true,
    });
}

// --- Key Vault, DNS, storage ------------------------------------------------------------------

export function vault(context: Context, resource: RegisteredResource): CostLine | undefined {
    if (String(resource.inputs.properties?.sku?.name ?? "standard").toLowerCase() !== "standard") {
        return undefined;
    }
    const operations = context.volumes.keyVaultOperationsPerMonth;
    return line(resource, {
        what: `${plural(operations, "operation")} a month (Standard)`,
        monthlyUsd: (operations / 10_000) * priceOf("keyVault.standard.operations", context.prices).price,
        basis: `cost.keyVaultOperationsPerMonth × ${rate(context, "keyVault.standard.operations")}; stored secrets have no charge of their own`,
        prices: ["keyVault.standard.operations"],
        usageBased: true,
    });
}

export function dnsZone(context: Context, zone: RegisteredResource): CostLine | undefined {
    if (zone.inputs.zoneType === "Private") {
        return undefined;
    }
    const queries = context.volumes.dnsQueriesPerMonth;
    return line(zone, {
        what: `zone ${zone.inputs.zoneName}, ${plural(queries, "query", "queries")} a month`,
        monthlyUsd: priceOf("dns.zone", context.prices).price + (queries / 1_000_000) * priceOf("dns.queries", context.prices).price,
        basis: `${rate(context, "dns.zone")} + cost.dnsQueriesPerMonth × ${rate(context, "dns.queries")}; record sets have no charge of their own, and queries to records other stacks write into this zone are billed here`,
        prices: ["dns.zone", "dns.queries"],
        usageBased: true,
    });
}

const redundancies: Record<string, { readonly stored: string; readonly operations: string }> = {
    Standard_LRS: { stored: "storage.hot.LRS", operations: "storage.operations.local" },
    Standard_ZRS: { stored: "storage.hot.ZRS", operations: "storage.operations.local" },
    Standard_GRS: { stored: "storage.hot.GRS", operations: "storage.operations.geo" },
    Standard_GZRS: { stored: "storage.hot.GZRS", operations: "storage.operations.geo" },
};

export function storageAccount(context: Context, account: RegisteredResource): CostLine | undefined {
    const sku = String(account.inputs.sku?.name ?? "");
    const keys = redundancies[sku];
    if (!keys || (account.inputs.accessTier ?? "Hot") !== "Hot") {
        return undefined;
    }
    const { storageGbPerAccount: gb, storageOperationsPerMonth: operations } = context.volumes;
    return line(account, {
        what: `${sku.replace("Standard_", "")} in ${account.inputs.location}, ${count(gb)} GB kept, ${plural(operations, "operation")} a month`,
        monthlyUsd:
            gb * priceOf(keys.stored, context.prices).price + (operations / 10_000) * priceOf(keys.operations, context.prices).price,
        basis: `cost.storageGbPerAccount × ${rate(context, keys.stored)} + cost.storageOperationsPerMonth × ${rate(context, keys.operations)} (every operation at the write rate: rough, and high)`,
        prices: [keys.stored, keys.operations],
        usageBased: true,
    });
}
