import * as pulumi from "@pulumi/pulumi";
import { BackupSchedule, BackupStorage, RestoreSchedule, ScheduleIdentity, type SiteSettingStep } from "../components/backup";
import { AccessGrants } from "../components/identity";
import type { StackConfig } from "./config";
import type { Namer } from "./naming";
import { drSchedule } from "./recovery";

/**
 * The backup and restore half of disaster recovery, wired for a stack: the active site (with a DR
 * site, `dr.stack`) owns the backup storage in `dr.location` and backs its service up on
 * `dr.backupInterval`; the passive site restores the newest complete backup into its own service
 * on the active site's `dr.restoreInterval`, read with the storage from the active site's outputs,
 * and puts back what its code owns. Grants are least privilege: each workflow a custom role with
 * its one operation on its one service, blob roles on the one container.
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
    config: StackConfig;
    namer: Namer;
    /** A global name (with the stack's suffix) of a storage account. */
    storageName: (purpose: string, location: string) => pulumi.Output<string>;
    groups: { workflows: pulumi.Output<string>; backup?: pulumi.Output<string> };
    gateway: { serviceId: pulumi.Output<string>; systemPrincipalId: pulumi.Output<string> };
    monitoring: { workspaceId: pulumi.Output<string>; actionGroupId: pulumi.Output<string> };
    tags: Record<string, string>;
}

/** The role names, unique in the tenant: one per stack and job. */
function roleName(config: StackConfig, job: string): string {
    return `${config.workload}-${config.stack} API Management ${job}`;
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
        accountName: ctx.storageName("bk", config.dr.location),
        retentionDays: schedule.retentionDays,
        workspaceId: ctx.monitoring.workspaceId,
        protect: config.protect,
        tags: ctx.tags,
    });
    const identity = new ScheduleIdentity("backup-identity", {
        resourceGroupName: ctx.groups.workflows,
        location: config.location,
        identityName: ctx.namer.name("userAssignedIdentity", { purpose: "backup" }),
        job: "backup",
        roleName: roleName(config, "backup"),
        serviceId: ctx.gateway.serviceId,
        tags: ctx.tags,
    });
    const access = new AccessGrants("backup-access", {
        grants: {
            // The workflow starts the backup, on this service only, and marks it complete.
            "backup-workflow-backs-up": { scope: ctx.gateway.serviceId, principalId: identity.principalId, principalType: "ServicePrincipal", role: { custom: roleName(config, "backup"), definitionId: identity.roleDefinitionId } },
            "backup-workflow-marks": { scope: storage.containerId, principalId: identity.principalId, principalType: "ServicePrincipal", role: "Storage Blob Data Contributor" },
            // API Management writes the backup with its system-assigned identity (the one a storage
            // firewall admits as a trusted service).
            "gateway-writes-backups": { scope: storage.containerId, principalId: ctx.gateway.systemPrincipalId, principalType: "ServicePrincipal", role: "Storage Blob Data Contributor" },
        },
        propagationWait: config.identity.roleAssignmentWait,
    });
    // The first backup runs as the workflow is deployed: after every grant has taken effect.
    new BackupSchedule("backup", {
        resourceGroupName: ctx.groups.workflows,
        location: config.location,
        names: { workflow: ctx.namer.name("workflow", { purpose: "backup" }), alert: ctx.namer.name("metricAlert", { purpose: "backup-failed" }) },
        identityId: identity.resourceId,
        intervalMinutes: schedule.backupMinutes,
        serviceId: ctx.gateway.serviceId,
        storage: { accountName: storage.accountName, containerName: storage.containerName, containerUrl: storage.containerUrl },
        // While the DR site serves traffic (dns.activeSite: dr), this site's configuration is the
        // stale one: no backups until traffic comes back (docs/disaster-recovery.md, "Failback").
        enabled: config.dns.activeSite !== "dr",
        after: access.applied,
        adminIpRanges: config.adminIpRanges,
        monitoring: ctx.monitoring,
        tags: ctx.tags,
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
}

/**
 * The passive site's restores: the scheduled restore into its own service, with the settings its
 * code owns put back after each; read access on the active site's backup container for its
 * service (which reads the backup) and for the workflow (which lists the backups). The active
 * site deploys first: its outputs name the container.
 */
export function passiveSiteRestore(ctx: RecoveryContext & { activeSite: pulumi.StackReference; siteSettings: pulumi.Input<SiteSettingStep[]> }): void {
    const { config } = ctx;
    if (config.dr.role !== "passive" || !config.dr.stack) {
        return;
    }
    const active = ctx.activeSite.getOutput("backup").apply((backup) => {
        if (!backup) {
            throw new Error(`Stack ${config.dr.stack} has no backup output: give it dr.stack and dr.location, and run pulumi up on it first`);
        }
        return backup as ActiveBackup;
    });
    const identity = new ScheduleIdentity("restore-identity", {
        resourceGroupName: ctx.groups.workflows,
        location: config.location,
        identityName: ctx.namer.name("userAssignedIdentity", { purpose: "restore" }),
        job: "restore",
        roleName: roleName(config, "restore"),
        serviceId: ctx.gateway.serviceId,
        tags: ctx.tags,
    });
    const access = new AccessGrants("restore-access", {
        grants: {
            "restore-workflow-restores": { scope: ctx.gateway.serviceId, principalId: identity.principalId, principalType: "ServicePrincipal", role: { custom: roleName(config, "restore"), definitionId: identity.roleDefinitionId } },
            "restore-workflow-lists-backups": { scope: active.containerId, principalId: identity.principalId, principalType: "ServicePrincipal", role: "Storage Blob Data Reader" },
            "gateway-reads-backups": { scope: active.containerId, principalId: ctx.gateway.systemPrincipalId, principalType: "ServicePrincipal", role: "Storage Blob Data Reader" },
        },
        propagationWait: config.identity.roleAssignmentWait,
    });
    // The restore interval is the active site's to set: the recurrence follows its output. The
    // first restore runs as the workflow is deployed: after every grant has taken effect.
    new RestoreSchedule("restore", {
        resourceGroupName: ctx.groups.workflows,
        location: config.location,
        names: { workflow: ctx.namer.name("workflow", { purpose: "restore" }), alert: ctx.namer.name("metricAlert", { purpose: "restore-failed" }) },
        identityId: identity.resourceId,
        intervalMinutes: active.restoreIntervalMinutes,
        serviceId: ctx.gateway.serviceId,
        storage: { accountName: active.accountName, containerName: active.containerName, containerUrl: active.containerUrl },
        siteSettings: ctx.siteSettings,
        // While this site serves traffic (the active site's dns.activeSite: dr), a restore would
        // overwrite what its users changed since the failover.
        enabled: ctx.activeSite.getOutput("dns").apply((dns: { activeSite?: string } | undefined) => dns?.activeSite !== "dr"),
        after: access.applied,
        adminIpRanges: config.adminIpRanges,
        monitoring: ctx.monitoring,
        tags: ctx.tags,
    });
}
