import type { RegisteredResource, StackRun } from "../../engine/run";
import { ConfigError } from "../../stacks/config";
import { connectionOf, connectionTitle, isConnection, type ConnectionInputs } from "../plan/connection-inputs";
import type { Context } from "./lines";
import type { CostLine, CostVolumes } from "./types";

/**
 * The managed-connector calls of a stack, one line per API connection it creates
 * (`azure-native:web:Connection`, and the generic `Microsoft.Web/connections` resources the
 * managed-identity ones are), at the price of the connector's tier: "Standard connectors are
 * charged at the Standard connector price. Generally available Enterprise connectors are charged
 * at the Enterprise connector price", and "Custom connectors are billed as Standard connectors"
 * (learn.microsoft.com/azure/logic-apps/logic-apps-pricing).
 *
 * A connection's calls a month are its own figure in `cost.connectorCallsByConnection`, or else an
 * even share of its tier's volume (`cost.connectorCallsPerMonth` for Standard,
 * `cost.enterpriseConnectorCallsPerMonth` for Enterprise) among the tier's connections without
 * one. A tier with no such connection leaves its volume to the workflows' line, as before any
 * connection was declared.
 */

/**
 * The managed APIs of the Enterprise connectors: SAP, IBM MQ and IBM 3270 are the Enterprise
 * connectors of Logic Apps (Consumption) (learn.microsoft.com/azure/connectors/managed,
 * "Enterprise connectors"; logic-apps-pricing). UNVERIFIED: these managed API names are the ones
 * the connectors' reference pages use in their addresses (learn.microsoft.com/connectors/sap/,
 * /mq/, /ibm3270/), not read from a region's `managedApis` list
 * (`az rest --url .../providers/Microsoft.Web/locations/<region>/managedApis?api-version=2016-06-01`).
 * Every other managed API, and every custom connector, is billed as Standard.
 */
export const enterpriseManagedApis: readonly string[] = ["sap", "mq", "ibm3270"];

export type ConnectorTier = "Standard" | "Enterprise";

const tierPrices: Record<ConnectorTier, string> = {
    Standard: "logicApps.consumption.standardConnector",
    Enterprise: "logicApps.consumption.enterpriseConnector",
};

const tierVolumes: Record<ConnectorTier, "connectorCallsPerMonth" | "enterpriseConnectorCallsPerMonth"> = {
    Standard: "connectorCallsPerMonth",
    Enterprise: "enterpriseConnectorCallsPerMonth",
};

/** The tier a connection's calls are billed at. */
export function connectorTier(connection: ConnectionInputs): ConnectorTier {
    return connection.connector.kind === "managed" && enterpriseManagedApis.includes(connection.connector.api) ? "Enterprise" : "Standard";
}

/** A run's API connections, with their resources, in the order the program registered them. */
export function connectionsOf(run: StackRun): Array<{ resource: RegisteredResource; connection: ConnectionInputs }> {
    return run.resources
        .filter((resource) => resource.custom && !resource.read && isConnection(resource.type, resource.planInputs))
        .map((resource) => ({ resource, connection: connectionOf(resource.type, resource.planInputs)! }));
}

/**
 * The problems of `cost.connectorCallsByConnection` against the run: a name no connection of the
 * stack has (a typo would otherwise price nothing, silently).
 */
export function connectionVolumeProblems(run: StackRun, volumes: CostVolumes): string[] {
    const names = connectionsOf(run).map(({ connection }) => connection.name);
    return Object.keys(volumes.connectorCallsByConnection)
        .filter((name) => !names.includes(name))
        .map(
            (name) =>
                `cost.connectorCallsByConnection.${name}: no connection of this stack has this name (allowed: ${[...names].sort().join(", ") || "none: the stack creates no connection"})`,
        );
}

/** Refuses, with a ConfigError naming each key, per-connection volumes for connections the stack does not create. */
export function checkConnectionVolumes(run: StackRun, volumes: CostVolumes): void {
    const problems = connectionVolumeProblems(run, volumes);
    if (problems.length > 0) {
        throw new ConfigError(run.stack, problems);
    }
}

const count = (value: number) => value.toLocaleString("en-US", { maximumFractionDigits: 2 });
const usd = (value: number) => `$${value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: value < 1 ? 6 : 2 })}`;

/**
 * The connections' lines, and the tiers whose volume they price (the workflows' line leaves those
 * out). A tier whose price the table lacks gets lines that say so, at 0, and no invented figure.
 */
export function connectionLines(context: Context): { lines: CostLine[]; pricedTiers: ConnectorTier[] } {
    const all = connectionsOf(context.run).map((entry) => ({ ...entry, tier: connectorTier(entry.connection) }));
    const own = context.volumes.connectorCallsByConnection;
    const lines: CostLine[] = [];
    const pricedTiers: ConnectorTier[] = [];
    for (const tier of ["Standard", "Enterprise"] as const) {
        const connections = all.filter((entry) => entry.tier === tier);
        if (connections.length === 0) {
            continue;
        }
        const sharing = connections.filter(({ connection }) => own[connection.name] === undefined);
        const volumeKey = tierVolumes[tier];
        const total = context.volumes[volumeKey];
        if (sharing.length > 0) {
            pricedTiers.push(tier);
        }
        const priceKey = tierPrices[tier];
        const price = context.prices.prices[priceKey];
        for (const { resource, connection } of connections) {
            const mine = own[connection.name];
            const calls = mine ?? total / sharing.length;
            const source =
                mine !== undefined
                    ? `cost.connectorCallsByConnection.${connection.name}`
                    : `${sharing.length === 1 ? "" : `1/${sharing.length} of `}cost.${volumeKey}${total === 0 ? ": 0" : ""}`;
            const billed = connection.connector.kind === "custom" ? `${tier} as a custom connector` : tier;
            const what = `${connectionTitle(connection)}, ${billed}, ${count(calls)} calls a month (${source})`;
            lines.push({
                urn: resource.urn,
                urns: [resource.urn],
                name: resource.name,
                type: resource.type,
                what: price ? what : `${what}; not priced: commands/cost/prices.json has no ${tier} connector price (${priceKey})`,
                monthlyUsd: price ? calls * price.price : 0,
                basis: price
                    ? `${count(calls)} calls × ${usd(price.price)} per ${price.unit} (${priceKey}); the calls: ${mine !== undefined ? `cost.connectorCallsByConnection.${connection.name}` : `cost.${volumeKey} (${count(total)}) shared evenly among the stack's ${sharing.length} ${tier} ${sharing.length === 1 ? "connection" : "connections"} without a figure of their own`}; ${connection.connector.kind === "custom" ? "custom connectors are billed as Standard connectors (logic-apps-pricing); " : ""}the connection itself has no charge`
                    : `the table has no ${tier} connector price (${priceKey}): the calls are not priced`,
                prices: price ? [priceKey] : [],
                usageBased: true,
            });
        }
    }
    return { lines, pricedTiers };
}
