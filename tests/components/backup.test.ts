import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import {
    BackupSchedule,
    BackupStorage,
    RestoreSchedule,
    backupActions,
    backupContainer,
    backupDefinition,
    backupSoftDeleteDays,
    managementApiVersion,
    listedDays,
    maxBackupAgeMinutes,
    newestCompleteXpath,
    recurrence,
    restoreActions,
    restoreDefinition,
    roleDefinitionGuid,
    type SiteSettingStep,
} from "../../components/backup";
import { validateWorkflowDefinition } from "../../content/workflows/definition";
import type { StackRun } from "../../engine";
import { runFixture } from "../helpers";

const serviceId =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-gateway/providers/Microsoft.ApiManagement/service/apim-test";
const workspaceId =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-shared/providers/Microsoft.OperationalInsights/workspaces/log-test";
const actionGroupId =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-shared/providers/Microsoft.Insights/actionGroups/ag-test";
const storageRef = {
    accountName: "stbackuptest",
    containerName: backupContainer,
    containerUrl: `https://stbackuptest.blob.core.windows.net/${backupContainer}`,
};
const steps: SiteSettingStep[] = [
    {
        path: "backends/shipment-intake-workflow",
        body: { properties: { url: "https://prod-01.northeurope.logic.azure.com/workflows/abc/triggers", protocol: "http" } },
    },
    {
        path: "apis/shipments-v1;rev=1",
        body: { properties: { serviceUrl: "https://prod-01.northeurope.logic.azure.com/workflows/abc/triggers" } },
        patch: true,
    },
    {
        path: "namedValues/shipment-intake-sig",
        body: {
            properties: {
                displayName: "shipment-intake-sig",
                secret: true,
                keyVault: { secretIdentifier: "https://kv-dr.vault.azure.net/secrets/shipment-intake-sig" },
            },
        },
    },
];

const startTime = "2026-12-01T10:30:00Z";
const schedule = (purpose: string) => ({
    resourceGroupName: "rg-workflows",
    location: "westeurope",
    names: { workflow: `logic-${purpose}`, alert: `alert-${purpose}-failed` },
    roleName: `integration-test API Management ${purpose}`,
    serviceId,
    storage: storageRef,
    adminIpRanges: ["203.0.113.0/24"],
    monitoring: { workspaceId, actionGroupId },
    tags: { environment: "test" },
});

function deploy(program: () => void): Promise<StackRun> {
    return runFixture({
        stack: "dev",
        program: async () => {
            program();
            return {};
        },
    });
}

/** The one HTTP action's inputs, wherever it is in a definition. */
function action(definition: any, ...path: string[]): any {
    return path.reduce((scope, name) => scope.actions?.[name] ?? scope[name], definition);
}

describe("backup and restore (components/backup)", () => {
    let run: StackRun;
    before(async () => {
        run = await deploy(() => {
            new BackupStorage("bk", {
                resourceGroupName: "rg-backup",
                location: "northeurope",
                accountName: "stbackuptest",
                retentionDays: 14,
                workspaceId,
                protect: true,
                tags: { environment: "test" },
            });
            new BackupSchedule("backup", { ...schedule("backup"), intervalMinutes: 60, retentionDays: 14 });
            new RestoreSchedule("restore", {
                ...schedule("restore"),
                intervalMinutes: pulumi.output(240),
                siteSettings: steps,
                backupIntervalMinutes: 60,
                firstRunDelayMinutes: 45,
            });
        });
    });

    describe("the backup storage", () => {
        it("is geo-redundant, Entra ID only, closed to every network but trusted Azure services, and protected", () => {
            const account = run.get("azure-native:storage:StorageAccount", "bk-account");
            assert.deepEqual(account.inputs.sku, { name: "Standard_GRS" });
            assert.equal(account.inputs.location, "northeurope");
            assert.equal(account.inputs.enableHttpsTrafficOnly, true);
            assert.equal(account.inputs.minimumTlsVersion, "TLS1_2");
            assert.equal(account.inputs.allowBlobPublicAccess, false);
            assert.equal(account.inputs.allowSharedKeyAccess, false);
            assert.equal(account.inputs.defaultToOAuthAuthentication, true);
            assert.equal(account.inputs.allowCrossTenantReplication, false);
            // API Management's identity and the workflows' come in as trusted services (storage-network-security,
            // "Trusted access based on a managed identity"), never through an IP rule.
            assert.deepEqual(account.inputs.networkRuleSet, {
                defaultAction: "Deny",
                bypass: "AzureServices",
                ipRules: [],
                virtualNetworkRules: [],
            });
            assert.equal(account.protect, true);
        });

        it("keeps versions and deleted blobs and containers, in one private protected container", () => {
            const blobs = run.get("azure-native:storage:BlobServiceProperties", "bk-blobs").inputs;
            assert.equal(blobs.isVersioningEnabled, true);
            assert.deepEqual(blobs.deleteRetentionPolicy, { enabled: true, days: backupSoftDeleteDays });
            assert.deepEqual(blobs.containerDeleteRetentionPolicy, { enabled: true, days: backupSoftDeleteDays });
            const container = run.get("azure-native:storage:BlobContainer", "bk-container");
            assert.deepEqual(
                [container.inputs.containerName, container.inputs.publicAccess, container.protect],
                [backupContainer, "None", true],
            );
        });

        it("deletes backups and their old versions after the retention days, and nothing outside the container", () => {
            const policy = run.get("azure-native:storage:ManagementPolicy", "bk-lifecycle").inputs.policy;
            assert.deepEqual(policy.rules, [
                {
                    name: "expire-backups",
                    enabled: true,
                    type: "Lifecycle",
                    definition: {
                        filters: { blobTypes: ["blockBlob"], prefixMatch: [`${backupContainer}/`] },
                        actions: {
                            baseBlob: { delete: { daysAfterModificationGreaterThan: 14 } },
                            version: { delete: { daysAfterCreationGreaterThan: 14 } },
                        },
                    },
                },
            ]);
        });

        it("logs every read, write and delete of a backup", () => {
            const logs = run.get("azure-native:monitor:DiagnosticSetting", "bk-logs").inputs;
            assert.equal(logs.resourceUri, `${run.get("azure-native:storage:StorageAccount", "bk-account").id}/blobServices/default`);
            assert.deepEqual(
                logs.logs.map((log: { category: string }) => log.category),
                ["StorageRead", "StorageWrite", "StorageDelete"],
            );
            assert.equal(logs.workspaceId, workspaceId);
        });

        it("refuses a retention Azure would not keep, before registering anything", () => {
            const cases: Array<[number, string]> = [
                [0, "0 keeps no backup for a day (allowed: 1-30 days)"],
                [31, "31 is longer than backups live (they expire after 30 days) (allowed: 1-30 days)"],
                [1.5, "1.5 is not a whole number (allowed: 1-30 days)"],
            ];
            for (const [days, message] of cases) {
                assert.throws(
                    () =>
                        new BackupStorage("bad", {
                            resourceGroupName: "rg",
                            location: "northeurope",
                            accountName: "st",
                            retentionDays: days,
                            workspaceId,
                        }),
                    { message: `The BackupStorage component's arguments have a problem:\n  - retentionDays: ${message}` },
                );
            }
        });
    });

    describe("the backup workflow", () => {
        const definition = backupDefinition(60, startTime) as any;

        it("runs on the interval, one run at a time, hourly as Hour and a quarter as Minute, from a first run 30 minutes after it is created (its grants have taken effect by then)", () => {
            const firstRun = run.get("time:index/offset:Offset", "backup-first-run");
            assert.equal(firstRun.inputs.offsetMinutes, 30);
            assert.deepEqual(run.get("azure-native:logic:Workflow", "backup-workflow").inputs.definition.triggers, {
                Every_interval: {
                    type: "Recurrence",
                    recurrence: { frequency: "Hour", interval: 1, startTime: firstRun.outputs.rfc3339 },
                    // logic-apps-workflow-actions-triggers#change-trigger-concurrency: a run that comes due
                    // while one is still backing up waits for it.
                    runtimeConfiguration: { concurrency: { runs: 1 } },
                },
            });
            assert.match(
                String(firstRun.outputs.rfc3339),
                /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
                "UTC, as a recurrence without a time zone takes it",
            );
            assert.equal(run.get("time:index/offset:Offset", "restore-first-run").inputs.offsetMinutes, 45);
            assert.deepEqual(recurrence(15), { frequency: "Minute", interval: 15 });
            assert.deepEqual(recurrence(1440), { frequency: "Hour", interval: 24 });
        });

        it("refuses a first run that is not some minutes away", () => {
            assert.throws(
                () => new BackupSchedule("bad", { ...schedule("bad"), intervalMinutes: 60, retentionDays: 14, firstRunDelayMinutes: 0 }),
                {
                    message:
                        "The BackupSchedule component's arguments have a problem:\n  - firstRunDelayMinutes: 0 (allowed: whole minutes, 1 or more)",
                },
            );
        });

        it("POSTs .../backup with its managed identity for ARM, asking API Management to write with its own identity, under a time-stamped name", () => {
            // api-management-howto-disaster-recovery-backup-restore ("Back up an API Management
            // service", managed identity access), REST spec apimdeployment.json 2024-05-01.
            assert.equal(action(definition, "Name").inputs, "@{concat('apim-', utcNow('yyyyMMddHHmmss'), '.apimbackup')}");
            const backUp = action(definition, "Back_up");
            assert.deepEqual(backUp.inputs, {
                method: "POST",
                uri: "https://management.azure.com@{parameters('serviceId')}/backup?api-version=2024-05-01",
                body: {
                    storageAccount: "@{parameters('storageAccountName')}",
                    containerName: "@{parameters('containerName')}",
                    backupName: "@{outputs('Name')}",
                    accessType: "SystemAssignedManagedIdentity",
                },
                authentication: { type: "ManagedServiceIdentity", audience: "https://management.azure.com/" },
            });
            assert.equal(managementApiVersion, "2024-05-01");
            // Logic Apps follows the 202 and its Location to the end (asynchronous pattern, on by default);
            // it waits up to two hours for a long backup.
            assert.equal(backUp.operationOptions, undefined, "the asynchronous pattern is not turned off");
            assert.deepEqual(backUp.limit, { timeout: "PT2H" });
        });

        it("marks a backup complete only once the operation has succeeded, with a blob PUT signed by its identity for storage", () => {
            const mark = action(definition, "Mark_complete");
            assert.deepEqual(mark.runAfter, { Back_up: ["Succeeded"] });
            assert.deepEqual(mark.inputs, {
                method: "PUT",
                uri: "@{parameters('containerUrl')}/@{outputs('Name')}.complete",
                headers: {
                    "x-ms-version": "2023-11-03",
                    "x-ms-date": "@{formatDateTime(utcNow(), 'r')}",
                    "x-ms-blob-type": "BlockBlob",
                    "Content-Type": "text/plain",
                },
                body: "@{utcNow()}",
                authentication: { type: "ManagedServiceIdentity", audience: "https://storage.azure.com/" },
            });
        });

        it("is deployed with the service and the storage as its parameters, and a system-assigned identity (the one storage admits as a trusted service)", () => {
            const workflow = run.get("azure-native:logic:Workflow", "backup-workflow").inputs;
            assert.deepEqual(workflow.identity, { type: "SystemAssigned" });
            assert.deepEqual(
                workflow.definition,
                backupDefinition(60, run.get("time:index/offset:Offset", "backup-first-run").outputs.rfc3339),
            );
            assert.deepEqual(workflow.parameters, {
                serviceId: { type: "String", value: serviceId },
                storageAccountName: { type: "String", value: storageRef.accountName },
                containerName: { type: "String", value: storageRef.containerName },
                containerUrl: { type: "String", value: storageRef.containerUrl },
            });
            assert.deepEqual([workflow.workflowName, workflow.location, workflow.state], ["logic-backup", "westeurope", "Enabled"]);
        });

        it("cannot be called by anyone, and shows its run history to the admin ranges only", () => {
            const access = run.get("azure-native:logic:Workflow", "backup-workflow").inputs.accessControl;
            assert.deepEqual(access, {
                triggers: { allowedCallerIpAddresses: [] },
                contents: { allowedCallerIpAddresses: [{ addressRange: "203.0.113.0/24" }] },
            });
        });

        it("alerts the action group, at severity 1, on any failed run, and logs its runs", () => {
            const workflow = run.get("azure-native:logic:Workflow", "backup-workflow");
            const alert = run.get("azure-native:monitor:MetricAlert", "backup-failed-runs").inputs;
            assert.deepEqual(alert.scopes, [workflow.id]);
            assert.deepEqual(alert.actions, [{ actionGroupId }]);
            assert.equal(alert.severity, 1);
            assert.deepEqual(
                alert.criteria.allOf.map((c: any) => [c.metricName, c.operator, c.threshold, c.timeAggregation]),
                [["RunsFailed", "GreaterThan", 0, "Total"]],
            );
            assert.deepEqual(run.get("azure-native:monitor:DiagnosticSetting", "backup-logs").inputs.logs, [
                { category: "WorkflowRuntime", enabled: true },
            ]);
        });
    });

    describe("the restore workflow", () => {
        const definition = restoreDefinition(240, startTime, 240) as any;

        it("runs one run at a time: a restore that comes due while one is restoring waits for it", () => {
            assert.deepEqual(definition.triggers, {
                Every_interval: {
                    type: "Recurrence",
                    recurrence: { frequency: "Hour", interval: 4, startTime },
                    runtimeConfiguration: { concurrency: { runs: 1 } },
                },
            });
        });

        it("lists one UTC day of backups a call, today first, over every day a backup younger than the limit is named after, with its identity for storage", () => {
            // 240 minutes, or a whole day, reach back into yesterday at most: two days; a minute more, three.
            assert.equal(listedDays(240), 2);
            assert.equal(listedDays(1440), 2);
            assert.equal(listedDays(1441), 3);
            assert.equal(listedDays(maxBackupAgeMinutes(1440)), 5);
            assert.deepEqual(action(definition, "Listed_at"), { type: "Compose", inputs: "@{utcNow()}", runAfter: {} });
            for (const day of [0, 1]) {
                assert.deepEqual(action(definition, `List_day_${day}`), {
                    type: "Http",
                    inputs: {
                        method: "GET",
                        uri: `@{parameters('containerUrl')}?restype=container&comp=list&prefix=apim-@{addDays(outputs('Listed_at'), -${day}, 'yyyyMMdd')}`,
                        headers: { "x-ms-version": "2023-11-03", "x-ms-date": "@{formatDateTime(utcNow(), 'r')}" },
                        authentication: { type: "ManagedServiceIdentity", audience: "https://storage.azure.com/" },
                    },
                    runAfter: { Listed_at: ["Succeeded"] },
                });
                assert.deepEqual(
                    action(definition, `Newest_of_day_${day}`).inputs,
                    `@xpath(xml(body('List_day_${day}')), '${newestCompleteXpath}')`,
                );
            }
            assert.equal(action(definition, "List_day_2"), undefined, "no third day for a 240-minute limit");
            assert.equal(
                newestCompleteXpath,
                'string((/EnumerationResults/Blobs/Blob/Name[substring(., string-length(.) - 8) = ".complete"])[last()])',
                "one string whatever matches: never an array, never a lone node",
            );
            assert.equal(
                Object.keys(restoreDefinition(240, startTime, maxBackupAgeMinutes(1440)).actions as object).filter((name) =>
                    name.startsWith("List_day_"),
                ).length,
                5,
            );
        });

        it("keeps each day's newest complete backup, newest day first, and fails the run when a day does not fit in one page", () => {
            assert.deepEqual(action(definition, "Complete_backups"), {
                type: "Query",
                inputs: { from: "@createArray(outputs('Newest_of_day_0'), outputs('Newest_of_day_1'))", where: "@not(empty(item()))" },
                runAfter: { Listing_cut_short: ["Succeeded"] },
            });
            const cut = action(definition, "Listing_cut_short");
            assert.deepEqual(cut.expression, {
                and: [
                    {
                        not: {
                            equals: [
                                "@{concat(xpath(xml(body('List_day_0')), 'string(/EnumerationResults/NextMarker)'), xpath(xml(body('List_day_1')), 'string(/EnumerationResults/NextMarker)'))}",
                                "",
                            ],
                        },
                    },
                ],
            });
            assert.deepEqual(cut.runAfter, { Newest_of_day_0: ["Succeeded"], Newest_of_day_1: ["Succeeded"] });
            assert.deepEqual(
                [cut.actions.Fail_listing_cut_short.inputs.runStatus, cut.actions.Fail_listing_cut_short.inputs.runError.code],
                ["Failed", "BackupListingCutShort"],
            );
        });

        it("with no complete backup in those days, cancels the run while the oldest backup is younger than the limit (or none exists), and fails it otherwise", () => {
            const none = action(definition, "No_complete_backup");
            assert.deepEqual(none.expression, { and: [{ equals: ["@length(body('Complete_backups'))", 0] }] });
            assert.equal(
                none.actions.List_oldest.inputs.uri,
                "@{parameters('containerUrl')}?restype=container&comp=list&prefix=apim-&maxresults=1",
            );
            assert.equal(none.actions.Oldest.inputs, "@xpath(xml(body('List_oldest')), 'string(/EnumerationResults/Blobs/Blob[1]/Name)')");
            const yet = none.actions.No_backup_yet;
            assert.deepEqual(yet.expression, { and: [{ equals: ["@outputs('Oldest')", ""] }] });
            assert.deepEqual(yet.actions.Cancel.inputs, { runStatus: "Cancelled" });
            const longAgo = yet.else.actions.Backups_stopped_long_ago;
            assert.deepEqual(longAgo.expression, {
                and: [{ less: ["@ticks(outputs('Oldest_taken'))", "@ticks(addMinutes(utcNow(), -240))"] }],
            });
            assert.deepEqual(
                [longAgo.actions.Fail_no_recent_backup.inputs.runStatus, longAgo.actions.Fail_no_recent_backup.inputs.runError.code],
                ["Failed", "StaleBackup"],
            );
            assert.deepEqual(longAgo.else.actions.Cancel_first_backup_under_way.inputs, { runStatus: "Cancelled" });
            assert.deepEqual(action(definition, "Newest").runAfter, { No_complete_backup: ["Succeeded"] });
            assert.equal(action(definition, "Newest").inputs, "@{replace(first(body('Complete_backups')), '.complete', '')}");
        });

        it("fails the run, and alerts, when the newest backup is older than three backup intervals and an hour: the backups have stopped", () => {
            assert.equal(maxBackupAgeMinutes(60), 240);
            // apim-20261129130501.apimbackup: taken 2026-11-29T13:05:01Z.
            const taken = action(definition, "Taken").inputs as string;
            const name = "apim-20261129130501.apimbackup";
            const evaluated = taken
                .replace(/^@\{concat\((.*)\)\}$/, "$1")
                .split(/, (?=substring|')/)
                .map((part) => {
                    const cut = /^substring\(outputs\('Newest'\), (\d+), (\d+)\)$/.exec(part);
                    return cut ? name.substr(Number(cut[1]), Number(cut[2])) : part.replace(/^'(.*)'$/, "$1");
                });
            assert.equal(evaluated.join(""), "2026-11-29T13:05:01Z");
            const stopped = action(definition, "Backups_stopped");
            assert.deepEqual(stopped.expression, { and: [{ less: ["@ticks(outputs('Taken'))", "@ticks(addMinutes(utcNow(), -240))"] }] });
            assert.deepEqual([stopped.actions.Fail.inputs.runStatus, stopped.actions.Fail.inputs.runError.code], ["Failed", "StaleBackup"]);
            assert.deepEqual(action(definition, "Restore").runAfter, { Backups_stopped: ["Succeeded"] });
        });

        it("POSTs .../restore with its managed identity for ARM, API Management reading with its own identity", () => {
            const restore = action(definition, "Restore");
            assert.deepEqual(restore.inputs, {
                method: "POST",
                uri: "https://management.azure.com@{parameters('serviceId')}/restore?api-version=2024-05-01",
                body: {
                    storageAccount: "@{parameters('storageAccountName')}",
                    containerName: "@{parameters('containerName')}",
                    backupName: "@{outputs('Newest')}",
                    accessType: "SystemAssignedManagedIdentity",
                },
                authentication: { type: "ManagedServiceIdentity", audience: "https://management.azure.com/" },
            });
            assert.deepEqual(restore.runAfter, { Backups_stopped: ["Succeeded"] });
            assert.deepEqual(restore.limit, { timeout: "PT2H" });
        });

        it("then puts back each site setting, one at a time, with a PUT of its path and body, its inputs kept out of the run history", () => {
            const loop = action(definition, "Put_back_site_settings");
            assert.deepEqual(loop.runAfter, { Restore: ["Succeeded"] });
            assert.equal(loop.foreach, "@parameters('siteSettings')['puts']");
            assert.deepEqual(loop.runtimeConfiguration, { concurrency: { repetitions: 1 } });
            assert.deepEqual(loop.actions.Put_back.inputs, {
                method: "PUT",
                uri: "https://management.azure.com@{parameters('serviceId')}/@{items('Put_back_site_settings')['path']}?api-version=2024-05-01",
                body: "@items('Put_back_site_settings')['body']",
                authentication: { type: "ManagedServiceIdentity", audience: "https://management.azure.com/" },
            });
            assert.deepEqual(loop.actions.Put_back.runtimeConfiguration, { secureData: { properties: ["inputs"] } });
        });

        it("and last PATCHes the site's own properties of entities the restore brings whole (examples/ApiManagementUpdateApi.json: If-Match *)", () => {
            const loop = action(definition, "Patch_site_settings");
            assert.deepEqual(loop.runAfter, { Put_back_site_settings: ["Succeeded"] });
            assert.equal(loop.foreach, "@parameters('siteSettings')['patches']");
            assert.deepEqual(loop.runtimeConfiguration, { concurrency: { repetitions: 1 } });
            assert.deepEqual(loop.actions.Patch.inputs, {
                method: "PATCH",
                uri: "https://management.azure.com@{parameters('serviceId')}/@{items('Patch_site_settings')['path']}?api-version=2024-05-01",
                headers: { "If-Match": "*" },
                body: "@items('Patch_site_settings')['body']",
                authentication: { type: "ManagedServiceIdentity", audience: "https://management.azure.com/" },
            });
        });

        it("is deployed with the steps as a secure parameter, secret in the state, and the interval that arrives later", () => {
            const workflow = run.get("azure-native:logic:Workflow", "restore-workflow");
            assert.deepEqual(workflow.inputs.parameters.siteSettings, {
                type: "SecureObject",
                value: { puts: [steps[0], steps[2]], patches: [{ path: steps[1]!.path, body: steps[1]!.body }] },
            });
            assert.ok(workflow.secretInputs.includes("parameters"));
            assert.deepEqual(workflow.inputs.identity, { type: "SystemAssigned" });
            assert.deepEqual(
                workflow.inputs.definition,
                restoreDefinition(240, run.get("time:index/offset:Offset", "restore-first-run").outputs.rfc3339, maxBackupAgeMinutes(60)),
            );
            assert.equal((workflow.inputs.definition as any).triggers.Every_interval.recurrence.interval, 4);
            assert.equal((workflow.inputs.definition as any).triggers.Every_interval.recurrence.frequency, "Hour");
        });

        it("refuses an interval shorter than a restore can take, known now or later", async () => {
            assert.throws(
                () => new RestoreSchedule("bad", { ...schedule("bad"), intervalMinutes: 30, backupIntervalMinutes: 60, siteSettings: [] }),
                {
                    message:
                        "The RestoreSchedule component's arguments have a problem:\n  - intervalMinutes: 30 (allowed: whole minutes, 60 or more)",
                },
            );
            await assert.rejects(
                deploy(
                    () =>
                        new RestoreSchedule("late", {
                            ...schedule("late"),
                            intervalMinutes: pulumi.output(45),
                            backupIntervalMinutes: 60,
                            siteSettings: [],
                        }),
                ),
                /intervalMinutes: 45 \(allowed: whole minutes, 60 or more\)/,
            );
            assert.throws(() => new BackupSchedule("bad", { ...schedule("bad"), intervalMinutes: 10, retentionDays: 14 }), {
                message:
                    "The BackupSchedule component's arguments have a problem:\n  - intervalMinutes: 10 (allowed: whole minutes, 15-14380)",
            });
        });
    });

    describe("the definitions", () => {
        it("pass the workflow definition checks every workflow file passes", () => {
            assert.deepEqual(validateWorkflowDefinition("backup", backupDefinition(60, startTime)), []);
            assert.deepEqual(validateWorkflowDefinition("restore", restoreDefinition(1440, startTime, 240)), []);
        });

        it("declare every parameter they read, the steps as a SecureObject with no default", () => {
            const restore = restoreDefinition(60, startTime, 240) as any;
            assert.deepEqual(Object.keys(restore.parameters).sort(), [
                "containerName",
                "containerUrl",
                "serviceId",
                "siteSettings",
                "storageAccountName",
            ]);
            assert.deepEqual(restore.parameters.siteSettings.type, "SecureObject");
            assert.equal(restore.parameters.siteSettings.defaultValue, undefined);
        });
    });

    describe("the custom roles", () => {
        it("let the backup workflow start a backup and follow it on the one service, nothing more", () => {
            const role = run.get("azure-native:authorization:RoleDefinition", "backup-role").inputs;
            assert.deepEqual(role.permissions, [
                {
                    actions: [
                        "Microsoft.ApiManagement/service/read",
                        "Microsoft.ApiManagement/service/backup/action",
                        "Microsoft.ApiManagement/service/operationresults/read",
                    ],
                    notActions: [],
                    dataActions: [],
                    notDataActions: [],
                },
            ]);
            assert.deepEqual(role.permissions[0].actions, backupActions);
            // Defined for the service's resource group (role-definitions#assignablescopes), assigned on the service by the stack.
            assert.deepEqual(role.assignableScopes, ["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-gateway"]);
            assert.equal(role.roleType, "CustomRole");
            assert.equal(role.roleName, "integration-test API Management backup");
        });

        it("let the restore workflow restore the one service and write back only the kinds of setting it puts back", () => {
            const role = run.get("azure-native:authorization:RoleDefinition", "restore-role").inputs;
            assert.deepEqual(role.permissions[0].actions, [
                "Microsoft.ApiManagement/service/read",
                "Microsoft.ApiManagement/service/restore/action",
                "Microsoft.ApiManagement/service/operationresults/read",
                "Microsoft.ApiManagement/service/backends/write",
                "Microsoft.ApiManagement/service/certificates/write",
                "Microsoft.ApiManagement/service/namedValues/write",
                "Microsoft.ApiManagement/service/loggers/write",
                "Microsoft.ApiManagement/service/diagnostics/write",
                "Microsoft.ApiManagement/service/identityProviders/write",
                "Microsoft.ApiManagement/service/policies/write",
                "Microsoft.ApiManagement/service/portalSettings/write",
                "Microsoft.ApiManagement/service/apis/write",
            ]);
            assert.deepEqual(role.permissions[0].actions, restoreActions);
            assert.deepEqual(role.assignableScopes, ["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-gateway"]);
            assert.ok(
                restoreActions.every((name) => !name.includes("*") && !name.endsWith("/delete")),
                "no wildcard, no delete",
            );
        });

        it("have a stable id made from their name, so a second run finds the same definition", () => {
            const role = run.get("azure-native:authorization:RoleDefinition", "backup-role").inputs;
            assert.equal(role.roleDefinitionId, roleDefinitionGuid("integration-test API Management backup"));
            assert.match(role.roleDefinitionId, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
            assert.notEqual(roleDefinitionGuid("integration-test API Management restore"), role.roleDefinitionId);
            assert.match(
                role.scope,
                /^\/subscriptions\/[0-9a-f-]{36}$/,
                "defined in the deploying subscription, assignable in the service's resource group",
            );
        });
    });
});
