import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import {
    BackupSchedule,
    RestoreSchedule,
    backupContainer,
    listedDays,
    maxBackupAgeMinutes,
    maximumBackupMinutes,
    minimumRetentionDays,
    serviceResourceGroupId,
    storageAccountIdOf,
} from "../../components/backup";
import { builtInRoles, grantName } from "../../components/identity";
import { scheduleProblems, drSchedule } from "../../stacks/recovery";
import type { RegisteredResource, StackRun } from "../../engine";
import { problemsOf, runFixture, stackFileValues, stackRun } from "../helpers";

/**
 * What the schedules refuse (the schedules the restore's listing cannot serve, a service id that
 * names no service), in the components and in the stack config alike, before anything is
 * registered; and the exact roles the stacks grant: the custom roles defined for the service's
 * resource group and assigned on the service, the restoring service's Storage Blob Data
 * Contributor on the backup storage account ("How to implement disaster recovery using service
 * backup and restore in Azure API Management", "Configure API Management managed identity").
 */

const subscription = "00000000-0000-0000-0000-000000000000";
const serviceId = `/subscriptions/${subscription}/resourceGroups/rg-gateway/providers/Microsoft.ApiManagement/service/apim-test`;
const workspaceId = `/subscriptions/${subscription}/resourceGroups/rg-shared/providers/Microsoft.OperationalInsights/workspaces/log-test`;
const actionGroupId = `/subscriptions/${subscription}/resourceGroups/rg-shared/providers/Microsoft.Insights/actionGroups/ag-test`;

const schedule = (purpose: string) => ({
    resourceGroupName: "rg-workflows",
    location: "westeurope",
    names: { workflow: `logic-${purpose}`, alert: `alert-${purpose}-failed` },
    roleName: `integration-test API Management ${purpose}`,
    serviceId,
    storage: {
        accountName: "stbackuptest",
        containerName: backupContainer,
        containerUrl: `https://stbackuptest.blob.core.windows.net/${backupContainer}`,
    },
    monitoring: { workspaceId, actionGroupId },
});

/** Runs `program` under the mocks; the error it throws, if any, is kept, and the run goes on. */
async function deployCatching(program: () => void): Promise<{ run: StackRun; error?: Error }> {
    let error: Error | undefined;
    const run = await runFixture({
        stack: "dev",
        program: async () => {
            try {
                program();
            } catch (thrown) {
                error = thrown as Error;
            }
            return {};
        },
    });
    return { run, error };
}

describe("the backup schedules' limits (components/backup, stack config)", () => {
    describe("the rules", () => {
        it("keep the newest backup stale before it expires: 14380 minutes at most, a stale limit of 30 days less 60 minutes", () => {
            assert.equal(maximumBackupMinutes, 14380);
            assert.ok(maxBackupAgeMinutes(maximumBackupMinutes) <= 30 * 24 * 60);
            assert.ok(maxBackupAgeMinutes(maximumBackupMinutes + 1) > 30 * 24 * 60);
        });

        it("ask the backups to be kept until the newest is stale: 1 day for hourly backups, 4 for daily ones, 30 at the longest interval", () => {
            assert.deepEqual(
                [
                    minimumRetentionDays(15),
                    minimumRetentionDays(60),
                    minimumRetentionDays(1440),
                    minimumRetentionDays(maximumBackupMinutes),
                ],
                [1, 1, 4, 30],
            );
            // And the restore lists that window's days, at most 31 List Blobs calls.
            assert.equal(listedDays(maxBackupAgeMinutes(maximumBackupMinutes)), 31);
        });

        it("find the resource group of a service and the storage account of a container, and say what an id must look like", () => {
            assert.equal(serviceResourceGroupId(serviceId), `/subscriptions/${subscription}/resourceGroups/rg-gateway`);
            assert.equal(serviceResourceGroupId("/subscriptions/x/resourceGroups/rg/providers/Microsoft.Web/sites/app"), undefined);
            assert.equal(
                storageAccountIdOf(
                    `/subscriptions/${subscription}/resourceGroups/rg-bk/providers/Microsoft.Storage/storageAccounts/stbk/blobServices/default/containers/apim-backups`,
                ),
                `/subscriptions/${subscription}/resourceGroups/rg-bk/providers/Microsoft.Storage/storageAccounts/stbk`,
            );
            assert.throws(() => storageAccountIdOf("stbk/apim-backups"), {
                message:
                    '"stbk/apim-backups" is not the ARM id of a blob container (allowed: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Storage/storageAccounts/<account>/blobServices/default/containers/<name>)',
            });
        });
    });

    describe("the components refuse, before registering anything,", () => {
        it("a retention that deletes the newest backup before the restore deems it stale, naming both fields", async () => {
            const { run, error } = await deployCatching(
                () => new BackupSchedule("bad", { ...schedule("bad"), intervalMinutes: 1440, retentionDays: 3 }),
            );
            assert.equal(
                error?.message,
                "The BackupSchedule component's arguments have a problem:\n  - retentionDays: 3 deletes a backup before the restore can tell that the backups have stopped: a backup every 1440 minutes (intervalMinutes) turns stale only after 4380 minutes (allowed: 4 days or more, or a shorter intervalMinutes)",
            );
            assert.equal(run.ofType("enterprise-integration:backup:BackupSchedule").length, 0);
            assert.equal(run.ofType("azure-native:authorization:RoleDefinition").length, 0);
            assert.equal(run.ofType("azure-native:logic:Workflow").length, 0);
            // Four days serve it.
            assert.doesNotThrow(() => new BackupSchedule("ok", { ...schedule("ok"), intervalMinutes: 1440, retentionDays: 4 }));
        });

        it("a backup interval whose newest backup turns stale only after backups expire, and every problem at once", () => {
            assert.throws(
                () => new BackupSchedule("bad", { ...schedule("bad"), intervalMinutes: 20000, retentionDays: 0, firstRunDelayMinutes: 0 }),
                {
                    message: [
                        "The BackupSchedule component's arguments have 3 problems:",
                        "  - intervalMinutes: 20000 minutes turns the newest backup stale only after 60060 minutes, later than backups expire (30 days): the restore could never tell that the backups have stopped (allowed: at most 14380 minutes)",
                        "  - retentionDays: 0 keeps no backup for a day (allowed: 1-30 days)",
                        "  - firstRunDelayMinutes: 0 (allowed: whole minutes, 1 or more)",
                    ].join("\n"),
                },
            );
        });

        it("a restore of backups whose interval the listing cannot serve, known now or when it arrives from the active site", async () => {
            assert.throws(
                () =>
                    new RestoreSchedule("bad", {
                        ...schedule("bad"),
                        intervalMinutes: 240,
                        backupIntervalMinutes: 20000,
                        siteSettings: [],
                    }),
                {
                    message:
                        "The RestoreSchedule component's arguments have a problem:\n  - backupIntervalMinutes: 20000 minutes turns the newest backup stale only after 60060 minutes, later than backups expire (30 days): the restore could never tell that the backups have stopped (allowed: at most 14380 minutes)",
                },
            );
            await assert.rejects(
                runFixture({
                    stack: "dev",
                    program: async () => {
                        new RestoreSchedule("late", {
                            ...schedule("late"),
                            intervalMinutes: 240,
                            backupIntervalMinutes: pulumi.output(10),
                            siteSettings: [],
                        });
                        return {};
                    },
                }),
                /backupIntervalMinutes: 10 \(allowed: whole minutes, 15-14380\)/,
            );
        });

        it("a service id that names no API Management service (its resource group is the custom role's assignable scope)", () => {
            assert.throws(
                () =>
                    new BackupSchedule("bad", {
                        ...schedule("bad"),
                        serviceId: "/subscriptions/x/resourceGroups/rg",
                        intervalMinutes: 60,
                        retentionDays: 7,
                    }),
                {
                    message:
                        'The BackupSchedule component\'s arguments have a problem:\n  - serviceId: "/subscriptions/x/resourceGroups/rg" is not the ARM id of an API Management service (allowed: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ApiManagement/service/<name>)',
                },
            );
        });
    });

    describe("the stack config refuses the same", () => {
        const active = () => ({ ...stackFileValues("prod").dr, maxRpoMinutes: 50000 });

        it("a dr.backupRetentionDays the restore cannot serve with dr.backupInterval, and takes the shortest one it can", () => {
            assert.deepEqual(problemsOf("prod", { dr: { ...active(), backupInterval: "24h", backupRetentionDays: 3 } }), [
                "dr.backupRetentionDays: 3 deletes a backup before the restore can tell that the backups have stopped: a backup every 1440 minutes (dr.backupInterval) turns stale only after 4380 minutes (allowed: 4 days or more, or a shorter dr.backupInterval)",
            ]);
            assert.deepEqual(problemsOf("prod", { dr: { ...active(), backupInterval: "24h", backupRetentionDays: 4 } }), []);
        });

        it("a dr.backupInterval whose newest backup turns stale only after backups expire", () => {
            assert.deepEqual(
                problemsOf("prod", { production: false, dr: { ...active(), backupInterval: "14400m", backupRetentionDays: 30 } }),
                [
                    "dr.backupInterval: 14400 minutes turns the newest backup stale only after 43260 minutes, later than backups expire (30 days): the restore could never tell that the backups have stopped (allowed: at most 14380 minutes)",
                ],
            );
        });

        it("and nothing in the defaults: hourly backups kept 7 days", () => {
            assert.deepEqual(scheduleProblems(drSchedule({})), []);
        });
    });
});

describe("the grants of the backups (prod backs up, prod-dr restores)", () => {
    let prod: StackRun;
    let dr: StackRun;
    before(async () => {
        prod = await stackRun("prod");
        dr = await stackRun("prod-dr");
    });

    const service = (run: StackRun) => run.ofType("azure-native:apimanagement:ApiManagementService")[0]!;
    const groupOf = (id: string) => id.slice(0, id.indexOf("/providers/"));
    const principal = (resource: RegisteredResource) => (resource.outputs.identity as { principalId: string }).principalId;

    it("define each custom role for its service's resource group and assign it on the service alone", () => {
        for (const [run, job, access] of [
            [prod, "backup", "backup-access-backup-workflow-backs-up"],
            [dr, "restore", "restore-access-restore-workflow-restores"],
        ] as const) {
            const role = run.get("azure-native:authorization:RoleDefinition", `${job}-role`);
            assert.deepEqual(role.inputs.assignableScopes, [groupOf(service(run).id!)], run.stack);
            assert.match(String(role.inputs.scope), /^\/subscriptions\/[0-9a-f-]{36}$/);
            const assignment = run.get("azure-native:authorization:RoleAssignment", access).inputs;
            assert.deepEqual(
                [assignment.scope, assignment.roleDefinitionId, assignment.principalId, assignment.principalType],
                [service(run).id, role.id, principal(run.get("azure-native:logic:Workflow", `${job}-workflow`)), "ServicePrincipal"],
                run.stack,
            );
        }
    });

    it("give prod-dr's service Storage Blob Data Contributor on prod's backup storage account, as the backup and restore guide says, and no container-scoped reader role", () => {
        const account = prod.get("azure-native:storage:StorageAccount", "backup-storage-account").id!;
        const identity = principal(service(dr));
        const roleDefinitionId = `${account.slice(0, account.indexOf("/resourceGroups/"))}/providers/Microsoft.Authorization/roleDefinitions/${builtInRoles["Storage Blob Data Contributor"]}`;
        assert.deepEqual(dr.get("azure-native:authorization:RoleAssignment", "restore-access-gateway-restores-from-backups").inputs, {
            scope: account,
            principalId: identity,
            principalType: "ServicePrincipal",
            roleDefinitionId,
            roleAssignmentName: grantName(account, identity, builtInRoles["Storage Blob Data Contributor"]),
            description: "Storage Blob Data Contributor for gateway-restores-from-backups",
        });
        assert.equal(account, storageAccountIdOf(prod.outputs.backup.containerId));
        assert.ok(
            dr
                .ofType("azure-native:authorization:RoleAssignment")
                .every(
                    (assignment) =>
                        assignment.inputs.principalId !== identity || assignment.inputs.scope !== prod.outputs.backup.containerId,
                ),
            "the service has no grant on the container itself",
        );
    });

    it("run both schedules one run at a time", () => {
        for (const [run, job] of [
            [prod, "backup"],
            [dr, "restore"],
        ] as const) {
            const trigger = (run.get("azure-native:logic:Workflow", `${job}-workflow`).inputs.definition as any).triggers.Every_interval;
            assert.deepEqual(trigger.runtimeConfiguration, { concurrency: { runs: 1 } }, run.stack);
        }
    });

    it("list, on prod-dr, every day one of prod's backups can be fresh in", () => {
        const actions = (dr.get("azure-native:logic:Workflow", "restore-workflow").inputs.definition as any).actions;
        const days = listedDays(maxBackupAgeMinutes(prod.outputs.backup.backupIntervalMinutes));
        assert.deepEqual(
            Object.keys(actions).filter((name) => name.startsWith("List_day_")),
            Array.from({ length: days }, (_, day) => `List_day_${day}`),
        );
    });
});
