import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ArgumentsError } from "../../components/common/rules";
import { validateMonitoringArgs } from "../../components/monitoring";

describe("a component's refusal of its arguments", () => {
    it("is a Pulumi RunError, which pulumi preview prints without a stack trace, in the project's words", () => {
        assert.throws(
            () =>
                validateMonitoringArgs({
                    resourceGroupName: "rg",
                    location: "westeurope",
                    workspaceName: "log",
                    appInsightsName: "appi",
                    actionGroupName: "ag",
                    retentionDays: 10,
                    alertEmails: [],
                } as never),
            (error: unknown) =>
                error instanceof ArgumentsError &&
                pulumi.RunError.isInstance(error) &&
                error.message ===
                    "The Monitoring component's arguments have a problem:\n  - retentionDays: 10 days is out of range (allowed: 30-730 days)" &&
                !/Invalid|Zod|expected/.test(error.message),
        );
    });
});
