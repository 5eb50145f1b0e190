import * as pulumi from "@pulumi/pulumi";
import { BackupSchedule, BackupStorage, RestoreSchedule, storageAccountIdOf, type SiteSettingStep } from "../components/backup";
import { AccessGrants, waitSeconds } from "../components/identity";
import type { StackConfig } from "./config";
import { failedRunsAlertPurpose, jobRoleName, type GlobalNamer, type Namer } from "./naming";
import { drSchedule } from "./recovery";

/**
 * The backup and restore half of disaster recovery, wired for a stack: the active site (with a DR
 * site, `dr.stack`) owns the backup storage in `dr.location` and backs its service up on
 * `dr.backupInterval`; the passive site restores the newest complete backup into its own service
 * on the active site's `dr.restoreInterval`, read with the storage from the active site's outputs,
 * and puts back what its code owns. Grants are least privilege: each workflow a custom role with
 * its one operation on its one service (defined for the service's resource group, assigned on the
 * service), the workflows' blob roles on the one container, and API Management's the role and
 * scope Microsoft's backup and restore guide names.
 */

/** What the active site tells its passive site (its `backup` stack output). */
export interface BackupOutputs {
    accountName: pulumi.Output<string>;
    containerName: pulumi.Output<string>;
    containerUrl: pulumi.Output<string>;
    containerId: pulumi.Output<string>;
    restoreIntervalMinutes: number;
    backupIntervalMinutes: number;
}

/** What the wiring needs from the rest of the stack. */
export interface RecoveryContext {
    /** The stack's config: `dr` above all. */
    config: StackConfig;
    /** Names the schedules' workflows and alerts. */
    namer: Namer;
    /** Names the backup storage account (with the stack's suffix, in the DR region). */
    globalName: GlobalNamer;
    /** The names of the workflows group (the schedules) and, on an active site with a DR site, the backup group. */
    groups: { workflows: pulumi.Output<string>; backup?: pulumi.Output<string> };
    /** The service backed up or restored into, and the identity it reads and writes backups with. */
    gateway: { serviceId: pulumi.Output<string>; systemPrincipalId: pulumi.Output<string> };
    /** Where the schedules log and whom their alerts tell. */
    monitoring: { workspaceId: pulumi.Output<string>; actionGroupId: pulumi.Output<string> };
    /** The stack's tags. */
    tags: Record<string, string>;
}

/**
 * Minutes from a schedule's creation to its first run: the grants come after the workflow (they
 * need its identity), then their propagation wait; twenty minutes more leave room for both.
 */
function firstRunDelay(config: StackConfig): number {
    return 20 + Math.ceil((waitSeconds(config.identity.roleAssignmentWait) ?? 0) / 60);
}

/** What a backup and a restore schedule have alike: where, their names, their role's, when first, whom they alert. */
function scheduleArgs(ctx: RecoveryContext, job: "backup" | "restore") {
    const { config } = ctx;
    return {
        resourceGroupName: ctx.groups.workflows,
        location: config.location,
        names: {
            workflow: ctx.namer.name("workflow", { purpose: job }),
            alert: ctx.namer.name("metricAlert", { purpose: failedRunsAlertPurpose(job) }),
        },
        roleName: roleName(config, job),
        serviceId: ctx.gateway.serviceId,
        firstRunDelayMinutes: firstRunDelay(config),
        adminIpRanges: config.adminIpRanges,
        monitoring: ctx.monitoring,
        tags: ctx.tags,
    };
}

/** The role names, unique in the tenant: one per stack and job. */
function roleName(config: StackConfig, job: string): string {
    return jobRoleName(config.workload, config.stack, job);
}

/** The active site's backups: storage in the DR region, the scheduled backup, their grants. */
export function activeSiteBackup(ctx: RecoveryContext): BackupOutputs | undefined {
    const { config } = ctx;
    if (config.dr.role !== "active" || !config.dr.stack || !config.dr.location || !ctx.groups.backup) {
        return undefined;
    }
    const schedule = drSchedule(config.dr);
    const storage = new BackupStorage("backup-storage", {
        resourceGroupName: ctx.groups.backup,
        location: config.dr.location,
        accountName: ctx.globalName("storageAccount", { purpose: "bk", location: config.dr.location }),
        retentionDays: schedule.retentionDays,
        workspaceId: ctx.monitoring.workspaceId,
        protect: config.protect,
        tags: ctx.tags,
    });
    // The first backup runs a while after the workflow is created, once its grants have taken effect.
    const backup = new BackupSchedule("backup", {
        ...scheduleArgs(ctx, "backup"),
        intervalMinutes: schedule.backupMinutes,
        // The newest backup must still be listed when the restore deems it stale.
        retentionDays: schedule.retentionDays,
        storage: { accountName: storage.accountName, containerName: storage.containerName, containerUrl: storage.containerUrl },
        // While the DR site serves traffic (dns.activeSite: dr), this site's configuration is the
        // stale one: no backups until traffic comes back (docs/disaster-recovery.md, "Failback").
        enabled: config.dns.activeSite !== "dr",
    });
    new AccessGrants("backup-access", {
        grants: {
            // The workflow starts the backup, on this service only, and marks it complete.
            "backup-workflow-backs-up": {
                scope: ctx.gateway.serviceId,
                principalId: backup.principalId,
                principalType: "ServicePrincipal",
                role: { custom: roleName(config, "backup"), definitionId: backup.roleDefinitionId },
            },
            "backup-workflow-marks": {
                scope: storage.containerId,
                principalId: backup.principalId,
                principalType: "ServicePrincipal",
                role: "Storage Blob Data Contributor",
            },
            // API Management writes the backup with its system-assigned identity (the one a storage
            // firewall admits as a trusted service).
            "gateway-writes-backups": {
                scope: storage.containerId,
                principalId: ctx.gateway.systemPrincipalId,
                principalType: "ServicePrincipal",
                role: "Storage Blob Data Contributor",
            },
        },
        propagationWait: config.identity.roleAssignmentWait,
    });
    return {
        accountName: storage.accountName,
        containerName: storage.containerName,
        containerUrl: storage.containerUrl,
        containerId: storage.containerId,
        restoreIntervalMinutes: schedule.restoreMinutes,
        backupIntervalMinutes: schedule.backupMinutes,
    };
}

/** The active site's `backup` output, as the passive site reads it. */
interface ActiveBackup {
    accountName: string;
    containerName: string;
    containerUrl: string;
    containerId: string;
    restoreIntervalMinutes: number;
    backupIntervalMinutes: number;
}

/**
 * The passive site's restores: the scheduled restore into its own service, with the settings its
 * code owns put back after each; read access on the active site's backup container for the
 * workflow (which lists the backups), and for the service, which reads the backup, the role and
 * scope the backup and restore guide names. The active site deploys first: its outputs name the
 * container.
 */
export function passiveSiteRestore(
    ctx: RecoveryContext & { activeSite: pulumi.StackReference; siteSettings: pulumi.Input<SiteSettingStep[]> },
): void {
    const { config } = ctx;
    if (config.dr.role !== "passive" || !config.dr.stack) {
        return;
    }
    const active = ctx.activeSite.getOutput("backup").apply((backup) => {
        if (!backup) {
            throw new Error(
                `Stack ${config.dr.stack} has no backup output: give it dr.stack and dr.location, and run pulumi up on it first`,
            );
        }
        return backup as ActiveBackup;
    });
    // The restore interval is the active site's to set: the recurrence follows its output. The
    // first restore runs a while after the workflow is created, once its grants have taken effect.
    const restore = new RestoreSchedule("restore", {
        ...scheduleArgs(ctx, "restore"),
        intervalMinutes: active.restoreIntervalMinutes,
        backupIntervalMinutes: active.backupIntervalMinutes,
        storage: { accountName: active.accountName, containerName: active.containerName, containerUrl: active.containerUrl },
        siteSettings: ctx.siteSettings,
        // While this site serves traffic (the active site's dns.activeSite: dr), a restore would
        // overwrite what its users changed since the failover.
        enabled: ctx.activeSite.getOutput("dns").apply((dns: { activeSite?: string } | undefined) => dns?.activeSite !== "dr"),
    });
    new AccessGrants("restore-access", {
        grants: {
            "restore-workflow-restores": {
                scope: ctx.gateway.serviceId,
                principalId: restore.principalId,
                principalType: "ServicePrincipal",
                role: { custom: roleName(config, "restore"), definitionId: restore.roleDefinitionId },
            },
            "restore-workflow-lists-backups": {
                scope: active.containerId,
                principalId: restore.principalId,
                principalType: "ServicePrincipal",
                role: "Storage Blob Data Reader",
            },
            // "Assign the identity the Storage Blob Data Contributor role, scoped to the storage account
            // used for backup and restore" ("How to implement disaster recovery using service backup
            // and restore in Azure API Management", learn.microsoft.com/azure/api-management/
            // api-management-howto-disaster-recovery-backup-restore, "Configure API Management managed
            // identity"; "If you will back up and restore to different API Management instances,
            // enable a managed identity in both the source and target instances"). No page documents
            // a read-only role or a container scope as enough for a restore, so this follows the guide.
            "gateway-restores-from-backups": {
                scope: active.containerId.apply(storageAccountIdOf),
                principalId: ctx.gateway.systemPrincipalId,
                principalType: "ServicePrincipal",
                role: "Storage Blob Data Contributor",
            },
        },
        propagationWait: config.identity.roleAssignmentWait,
    });
}
