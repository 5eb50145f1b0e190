import * as pulumi from "@pulumi/pulumi";
import { activeSiteBackup, passiveSiteRestore, type BackupOutputs, type RecoveryContext } from "../disaster-recovery";
import type { Publication } from "./catalog";
import type { Gateway } from "./gateway";
import type { Platform } from "./platform";
import type { References } from "./references";

/** Disaster recovery's backups, as the active site tells its passive site. */
export interface Recovery {
    /** The active site's backup storage and schedule; undefined on any other stack. */
    backup: BackupOutputs | undefined;
}

/**
 * Disaster recovery's backups (`../disaster-recovery.ts`): the active site backs its service up;
 * the passive site restores the active site's backups into its own and then puts back what its
 * code owns, the gateway's settings and the catalog's.
 */
export function wireRecovery(ctx: Platform & References & Gateway & Publication): Recovery {
    const { gateway, monitoring } = ctx;
    const recovery: RecoveryContext = {
        config: ctx.config,
        namer: ctx.namer,
        globalName: ctx.globalName,
        groups: { workflows: ctx.groups.workflows.name, backup: ctx.groups.backup?.name },
        gateway: { serviceId: gateway.serviceId, systemPrincipalId: gateway.systemPrincipalId },
        monitoring: { workspaceId: monitoring.workspaceId, actionGroupId: monitoring.actionGroupId },
        tags: ctx.tags,
    };
    const backup = activeSiteBackup(recovery);
    if (ctx.activeSite) {
        // What a restore of the active site's backup overwrites that this site's code owns.
        const siteSettings = pulumi
            .all([gateway.siteSettings, ctx.published.siteSettings])
            .apply(([own, catalogued]) => [...own, ...catalogued]);
        passiveSiteRestore({ ...recovery, activeSite: ctx.activeSite, siteSettings });
    }
    return { backup };
}
