import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";
import * as storage from "@pulumi/azure-native/storage";

/**
 * Settings more than one component gives its Azure resources, as data (no resources here): the
 * storage account that takes Entra ID tokens only and no network but trusted Azure services, the
 * logs of a Logic App and of a blob service, a Logic App's failed-runs alert, and Logic Apps'
 * caller ranges.
 */

/**
 * A StorageV2 account that takes HTTPS with TLS 1.2, Microsoft Entra tokens only (no account key,
 * no SAS signed with one) and no network: only trusted Azure services reach it, each with a data
 * role (storage-network-security-trusted-azure-services, "Trusted access based on a managed
 * identity": Microsoft.Logic/workflows and Microsoft.ApiManagement/service among them).
 */
export const lockedDownStorageAccount = {
    kind: storage.Kind.StorageV2,
    accessTier: storage.AccessTier.Hot,
    enableHttpsTrafficOnly: true,
    minimumTlsVersion: storage.MinimumTlsVersion.TLS1_2,
    allowBlobPublicAccess: false,
    allowCrossTenantReplication: false,
    allowSharedKeyAccess: false,
    defaultToOAuthAuthentication: true,
    publicNetworkAccess: storage.PublicNetworkAccess.Enabled,
    networkRuleSet: {
        defaultAction: storage.DefaultAction.Deny,
        bypass: storage.Bypass.AzureServices,
        ipRules: [],
        virtualNetworkRules: [],
    },
};

/** A metric alert's criteria: any failed run of the one Logic App in its scope. */
const failedRunsCriteria = {
    odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria" as const,
    allOf: [
        {
            criterionType: "StaticThresholdCriterion" as const,
            name: "runs-failed",
            metricName: "RunsFailed",
            metricNamespace: "microsoft.logic/workflows",
            operator: monitor.Operator.GreaterThan,
            threshold: 0,
            timeAggregation: monitor.AggregationTypeEnum.Total,
        },
    ],
};

/** An address range no caller has: Logic Apps' way to close an access-control list. */
export const noCaller = "0.0.0.0-0.0.0.0";

/**
 * An address as Logic Apps' access control takes it: a CIDR range or an `a-b` range, so a single
 * address gets its prefix length (`/32`, or `/128` for IPv6). The documented forms are
 * `x.x.x.x/x` and `x.x.x.x-x.x.x.x` (learn.microsoft.com/azure/logic-apps/logic-apps-securing-a-logic-app,
 * "Restrict inbound IP addresses").
 */
export function callerRange(address: string): string {
    if (address.includes("/") || address.includes("-")) {
        return address;
    }
    return `${address}/${address.includes(":") ? 128 : 32}`;
}

/** A Logic App's run history to the workspace: every run, trigger and action, and its metrics. */
export function workflowLogs(workflowId: pulumi.Input<string>, workspaceId: pulumi.Input<string>): monitor.DiagnosticSettingArgs {
    return {
        name: "to-log-analytics",
        resourceUri: workflowId,
        workspaceId,
        logs: [{ category: "WorkflowRuntime", enabled: true }],
        metrics: [{ category: "AllMetrics", enabled: true }],
    };
}

/** A storage account's blob service to the workspace: every read, write and delete, and its transactions. */
export function blobLogs(accountId: pulumi.Input<string>, workspaceId: pulumi.Input<string>): monitor.DiagnosticSettingArgs {
    return {
        name: "to-log-analytics",
        resourceUri: pulumi.interpolate`${accountId}/blobServices/default`,
        workspaceId,
        logs: ["StorageRead", "StorageWrite", "StorageDelete"].map((category) => ({ category, enabled: true })),
        metrics: [{ category: "Transaction", enabled: true }],
    };
}

/** An alert to the action group on any failed run of one Logic App, checked every five minutes. */
export function failedRunsAlert(args: {
    resourceGroupName: pulumi.Input<string>;
    ruleName: pulumi.Input<string>;
    description: string;
    severity: number;
    workflowId: pulumi.Input<string>;
    actionGroupId: pulumi.Input<string>;
    tags?: Record<string, string>;
}): monitor.MetricAlertArgs {
    return {
        resourceGroupName: args.resourceGroupName,
        ruleName: args.ruleName,
        location: "global",
        description: args.description,
        severity: args.severity,
        enabled: true,
        scopes: [args.workflowId],
        evaluationFrequency: "PT5M",
        windowSize: "PT5M",
        criteria: failedRunsCriteria,
        autoMitigate: true,
        actions: [{ actionGroupId: args.actionGroupId }],
        tags: args.tags,
    };
}

/** The workflow definition language's schema, the `$schema` of every Logic App definition. */
export const workflowSchemaUrl =
    "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#";

/**
 * Who may read a Logic App's run history contents: the admin ranges, or nobody when there are
 * none (0.0.0.0-0.0.0.0 matches no caller; an empty list would leave them open).
 */
export function runHistoryAccess(adminIpRanges: readonly string[] | undefined): {
    allowedCallerIpAddresses: Array<{ addressRange: string }>;
} {
    return {
        allowedCallerIpAddresses: (adminIpRanges?.length ? adminIpRanges : [noCaller]).map((range) => ({
            addressRange: callerRange(range),
        })),
    };
}

/**
 * A setting of an API Management service that differs between an active site and its passive
 * site (a backend's URL, a named value's vault, the logger's Application Insights, the portal's
 * sign-in app): a restore of the active site's backup overwrites it in the passive site, which
 * puts it back. The gateway writes these; the restore schedule sends them.
 */
export interface SiteSetting {
    /** The path under the service, such as `backends/orders-workflow`. */
    path: string;
    /** The body of the PUT (or PATCH): the resource's properties, or the ones to change. */
    body: { properties: Record<string, unknown> };
    /**
     * A PATCH of the properties in `body` of an entity the restore brings (an API's backend URL),
     * instead of a PUT of the whole entity. Default: false (PUT).
     */
    patch?: boolean;
}
