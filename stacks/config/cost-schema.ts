import { z } from "zod";
import { problem, strictObject, wholeNumber, withDocs } from "./fields";

/**
 * The `cost` key: the monthly volumes the cost estimate (`npm run cost`) prices the usage-based
 * items with. The program deploys nothing from them; every key has a default, so a stack file
 * needs none of them.
 */

/** A whole number of 0 or more `what`, such as "queries a month". */
function volume(what: string, fallback: number) {
    const allowed = `a whole number of ${what}, 0 or more`;
    return wholeNumber(allowed)
        .default(fallback)
        .refine((count) => count >= 0, { error: (issue) => problem(issue.input, "is negative", allowed) });
}

export const costFields = withDocs(
    {
        logicAppActionsPerMonth: volume("action executions a month", 100_000),
        connectorCallsPerMonth: volume("standard connector calls a month", 0),
        enterpriseConnectorCallsPerMonth: volume("enterprise connector calls a month", 0),
        connectorCallsByConnection: z
            .record(z.string(), volume("calls a month through this connection", 0), {
                error: (issue) => problem(issue.input, "is not a map", "connection names, each with a whole number of calls a month"),
            })
            .default({}),
        logIngestionGbPerMonth: volume("GB a month", 5),
        keyVaultOperationsPerMonth: volume("operations a month", 100_000),
        dnsQueriesPerMonth: volume("queries a month", 1_000_000),
        storageGbPerAccount: volume("GB per account", 1),
        storageOperationsPerMonth: volume("operations a month per account", 100_000),
        alertEmailsPerMonth: volume("e-mails a month", 100),
    },
    {
        logicAppActionsPerMonth: {
            description:
                "Trigger and built-in action executions a month of the workflows called over HTTP, all of them together: each run counts its trigger and every action it runs. Scheduled workflows (backup, restore) are counted from their schedules instead.",
        },
        connectorCallsPerMonth: {
            description:
                "Standard managed-connector calls a month, all workflows together (0 while no workflow uses a managed connector); custom connectors are billed as Standard. The estimate shares them evenly among the stack's Standard connections that have no figure in `connectorCallsByConnection`.",
        },
        enterpriseConnectorCallsPerMonth: {
            description:
                "Enterprise managed-connector calls a month (SAP, IBM MQ and the like), all workflows together, shared evenly among the stack's Enterprise connections that have no figure in `connectorCallsByConnection`.",
        },
        connectorCallsByConnection: {
            description:
                "Calls a month through each connection, by its name in `workflows/connections.yaml` (`{ servicebus: 20000 }`). A connection named here is priced at its own figure; the stack's other connections share `connectorCallsPerMonth` (Enterprise ones `enterpriseConnectorCallsPerMonth`) evenly. A name the stack has no connection of is refused by the estimate.",
        },
        logIngestionGbPerMonth: {
            description:
                "GB a month ingested into the Log Analytics workspace, Application Insights telemetry and diagnostic logs included.",
        },
        keyVaultOperationsPerMonth: {
            description: "Key Vault operations a month (secret reads by API Management's named values and certificates, deployments).",
        },
        dnsQueriesPerMonth: {
            description: "DNS queries a month to the zone, on a stack that creates one (`dns.zoneName` without `zoneResourceGroup`).",
        },
        storageGbPerAccount: {
            description:
                "GB kept in each storage account the stack creates (the workflows' documents; backups on an active site with a DR site).",
        },
        storageOperationsPerMonth: {
            description: "Blob operations a month on each storage account the stack creates, priced roughly at the write rate.",
        },
        alertEmailsPerMonth: { description: "Alert e-mails a month the action group sends." },
    },
);

export const costSchema = strictObject(costFields, "the cost estimate's volumes");
