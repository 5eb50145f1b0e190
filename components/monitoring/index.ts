import * as pulumi from "@pulumi/pulumi";
import * as applicationinsights from "@pulumi/azure-native/applicationinsights";
import * as monitor from "@pulumi/azure-native/monitor";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import { ArgumentsError, eachProblems, problemLines } from "../common/rules";
import { emailProblems, logRetentionProblems } from "../common/values";

/**
 * Where the platform's telemetry goes (Azure Monitor, as the reference architecture recommends):
 * a Log Analytics workspace for resource logs and metrics, a workspace-based Application Insights
 * component for API Management request tracing, and the action group every alert notifies.
 */
export interface MonitoringArgs {
    /** Resource group (the stack's shared one). Required. */
    resourceGroupName: pulumi.Input<string>;
    /** Region of the workspace and component: the stack's primary region. Required. */
    location: pulumi.Input<string>;
    /** Azure names. Required. */
    names: {
        /** The Log Analytics workspace. Required. */
        workspace: pulumi.Input<string>;
        /** The Application Insights component. Required. */
        appInsights: pulumi.Input<string>;
        /** The action group. Required. */
        actionGroup: pulumi.Input<string>;
    };
    /** Days the workspace keeps data, 30-730. Default: 30. */
    retentionDays?: number;
    /** Addresses alerts are e-mailed to. Default: none (the action group then only records alerts). */
    alertEmails?: string[];
    /** Tags. Default: none. */
    tags?: Record<string, string>;
}

/** The short name (at most 12 characters) an action group shows in e-mails and SMS. */
export function actionGroupShortName(text: string): string {
    return text.replace(/[^A-Za-z0-9-]/g, "").slice(0, 12) || "alerts";
}

/** Checks {@link MonitoringArgs}; throws one error naming each field, its value and what is allowed. */
export function validateMonitoringArgs(args: MonitoringArgs): void {
    const problems = [
        ...problemLines(logRetentionProblems(args.retentionDays ?? 30), ["retentionDays"]),
        ...problemLines(eachProblems(args.alertEmails ?? [], emailProblems), ["alertEmails"]),
    ];
    if (problems.length > 0) {
        throw new ArgumentsError("Monitoring", problems);
    }
}

export class Monitoring extends pulumi.ComponentResource {
    /** ARM id of the Log Analytics workspace. */
    readonly workspaceId: pulumi.Output<string>;
    /** ARM id of the Application Insights component. */
    readonly appInsightsId: pulumi.Output<string>;
    /** The component's connection string (secret). */
    readonly appInsightsConnectionString: pulumi.Output<string>;
    /** ARM id of the action group. */
    readonly actionGroupId: pulumi.Output<string>;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        validateMonitoringArgs(args);
        super("enterprise-integration:monitoring:Monitoring", name, {}, opts);

        const workspace = new operationalinsights.Workspace(
            `${name}-workspace`,
            {
                resourceGroupName: args.resourceGroupName,
                workspaceName: args.names.workspace,
                location: args.location,
                sku: { name: operationalinsights.WorkspaceSkuNameEnum.PerGB2018 },
                retentionInDays: args.retentionDays ?? 30,
                features: { enableLogAccessUsingOnlyResourcePermissions: true },
                tags: args.tags,
            },
            { parent: this },
        );
        const appInsights = new applicationinsights.Component(
            `${name}-appinsights`,
            {
                resourceGroupName: args.resourceGroupName,
                resourceName: args.names.appInsights,
                location: args.location,
                kind: "web",
                applicationType: applicationinsights.ApplicationType.Web,
                ingestionMode: applicationinsights.IngestionMode.LogAnalytics,
                workspaceResourceId: workspace.id,
                // Telemetry only with Microsoft Entra authentication: the instrumentation key in the
                // connection string is then no credential (learn.microsoft.com/azure/azure-monitor/app/azure-ad-authentication).
                disableLocalAuth: true,
                tags: args.tags,
            },
            { parent: this },
        );
        const actionGroup = new monitor.ActionGroup(
            `${name}-actions`,
            {
                resourceGroupName: args.resourceGroupName,
                actionGroupName: args.names.actionGroup,
                location: "global",
                groupShortName: pulumi.output(args.names.actionGroup).apply(actionGroupShortName),
                enabled: true,
                emailReceivers: (args.alertEmails ?? []).map((emailAddress, i) => ({
                    name: `email-${i + 1}`,
                    emailAddress,
                    useCommonAlertSchema: true,
                })),
                tags: args.tags,
            },
            { parent: this },
        );

        this.workspaceId = workspace.id;
        this.appInsightsId = appInsights.id;
        this.appInsightsConnectionString = appInsights.connectionString;
        this.actionGroupId = actionGroup.id;
        this.registerOutputs({
            workspaceId: this.workspaceId,
            appInsightsId: this.appInsightsId,
            appInsightsConnectionString: this.appInsightsConnectionString,
            actionGroupId: this.actionGroupId,
        });
    }
}
