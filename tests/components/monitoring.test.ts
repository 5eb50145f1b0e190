import * as assert from "node:assert/strict";
import { Monitoring, validateMonitoringArgs, type MonitoringArgs } from "../../components/monitoring";
import type { StackRun } from "../../engine";
import { runFixture } from "../helpers";

const args = (overrides: Partial<MonitoringArgs> = {}): MonitoringArgs => ({
    resourceGroupName: "rg-shared",
    location: "westeurope",
    names: { workspace: "log-test", appInsights: "appi-test", actionGroup: "ag-integration-test" },
    retentionDays: 90,
    alertEmails: ["ops@fabrikam.com"],
    tags: { environment: "test" },
    ...overrides,
});

describe("Monitoring component", () => {
    let run: StackRun;
    before(async () => {
        run = await runFixture({
            stack: "dev",
            program: async () => {
                const monitoring = new Monitoring("mon", args());
                return { connectionString: monitoring.appInsightsConnectionString, appInsightsId: monitoring.appInsightsId };
            },
        });
    });

    it("keeps logs in a Log Analytics workspace for the days asked", () => {
        const workspace = run.get("azure-native:operationalinsights:Workspace", "mon-workspace").inputs;
        assert.equal(workspace.workspaceName, "log-test");
        assert.equal(workspace.retentionInDays, 90);
        assert.deepEqual(workspace.sku, { name: "PerGB2018" });
    });

    it("traces to a workspace-based Application Insights that takes telemetry with Entra ID only", () => {
        // azure-ad-authentication: with local authentication off, ingestion needs an identity with
        // Monitoring Metrics Publisher; the instrumentation key alone sends nothing.
        const component = run.get("azure-native:applicationinsights:Component", "mon-appinsights").inputs;
        assert.equal(component.disableLocalAuth, true);
        assert.equal(component.ingestionMode, "LogAnalytics");
        assert.equal(component.workspaceResourceId, run.get("azure-native:operationalinsights:Workspace", "mon-workspace").id);
        // So its connection string is no secret.
        assert.ok(!run.secretOutputs.includes("connectionString"));
        assert.match(run.outputs.connectionString, /^InstrumentationKey=/);
    });

    it("e-mails every alert to the addresses given", () => {
        const group = run.get("azure-native:monitor:ActionGroup", "mon-actions").inputs;
        assert.equal(group.groupShortName, "ag-integrati");
        assert.deepEqual(group.emailReceivers, [{ name: "email-1", emailAddress: "ops@fabrikam.com", useCommonAlertSchema: true }]);
    });

    it("refuses a retention out of range and an address that is not one", () => {
        assert.throws(
            () => validateMonitoringArgs(args({ retentionDays: 10, alertEmails: ["ops"] })),
            (error: Error) =>
                error.message ===
                'The Monitoring component\'s arguments have 2 problems:\n  - retentionDays: 10 days is out of range (allowed: 30-730 days)\n  - alertEmails[0]: "ops" is not an e-mail address (allowed: an address such as api-team@contoso.com)',
        );
    });
});
