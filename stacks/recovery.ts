/**
 * Disaster recovery's schedule and objectives: how often the active site backs up API
 * Management's configuration, how often the passive site restores it, and what that means for
 * the recovery point and time objectives. Pure: config in, numbers and text out; the config
 * validation refuses objectives over the stack's limits, the plan prints them.
 *
 * Sources: learn.microsoft.com/azure/api-management/api-management-howto-disaster-recovery-backup-restore
 * (what a backup holds and what it does not; a restore "may take several minutes", older
 * versions of the page "up to 30 or more minutes"; backups expire after 30 days) and
 * api-management-howto-autoscale ("It takes at least 20 minutes for the Azure API Management
 * service to scale out").
 */

/** `30m`, `1h`, `24h`: an interval in minutes or hours. */
const intervalPattern = /^(\d+)(m|h)$/;

/** The minutes of an interval, or undefined when it is not one. */
export function intervalMinutes(value: string): number | undefined {
    const match = intervalPattern.exec(value);
    return match ? Number(match[1]) * (match[2] === "h" ? 60 : 1) : undefined;
}

/** The limits the backup component holds its schedules to: the config refuses the same. */
export { maximumBackupMinutes, maximumRetentionDays, minimumBackupMinutes, minimumRestoreMinutes } from "../components/backup";

import { backupIntervalProblems, backupRetentionScheduleProblems, minimumBackupMinutes, minimumRestoreMinutes } from "../components/backup";
/** The least that what only backups carry can lag on the passive site: the shortest intervals together. */
const shortestSchedule = minimumBackupMinutes + minimumRestoreMinutes;

/** The longest backup interval of a production stack. */
export const productionMaximumBackupMinutes = 24 * 60;

/** The defaults of a stack with a DR site that says nothing: hourly backups, a daily restore. */
export const scheduleDefaults = {
    backupInterval: "1h",
    restoreInterval: "24h",
    backupRetentionDays: 7,
    maxRpoMinutes: 60,
    maxRtoMinutes: 15,
} as const;

/** Minutes to switch `dns.activeSite` and apply the records (`pulumi up` of three record sets): an estimate. */
export const recordSwitchMinutes = 5;
/** Minutes to add units to a Premium service ("at least 20 minutes"). */
export const scaleOutMinutes = 20;

/** The `dr` settings the schedule and objectives read. */
export interface DrSettings {
    backupInterval?: string;
    restoreInterval?: string;
    backupRetentionDays?: number;
    maxRpoMinutes?: number;
    maxRtoMinutes?: number;
}

/** A DR schedule with its defaults, in minutes and days. */
export interface DrSchedule {
    backupMinutes: number;
    restoreMinutes: number;
    retentionDays: number;
    maxRpoMinutes: number;
    maxRtoMinutes: number;
    /** Which limits are the defaults, not the stack's own. */
    defaulted: { maxRpoMinutes: boolean; maxRtoMinutes: boolean };
}

export function drSchedule(dr: DrSettings): DrSchedule {
    return {
        backupMinutes: intervalMinutes(dr.backupInterval ?? scheduleDefaults.backupInterval)!,
        restoreMinutes: intervalMinutes(dr.restoreInterval ?? scheduleDefaults.restoreInterval)!,
        retentionDays: dr.backupRetentionDays ?? scheduleDefaults.backupRetentionDays,
        maxRpoMinutes: dr.maxRpoMinutes ?? scheduleDefaults.maxRpoMinutes,
        maxRtoMinutes: dr.maxRtoMinutes ?? scheduleDefaults.maxRtoMinutes,
        defaulted: { maxRpoMinutes: dr.maxRpoMinutes === undefined, maxRtoMinutes: dr.maxRtoMinutes === undefined },
    };
}

/** The passive site's gateway, as far as the objectives need it. */
export interface Standby {
    stack: string;
    sku: string;
    capacity: number;
}

/** The recovery objectives of an active site and its passive site. */
export interface Objectives {
    /** Configuration that is code (APIs, policies, products, backends): redeployed, nothing lost. */
    rpoCodeMinutes: 0;
    /** What only backups carry (users, subscriptions, what they changed by hand): as old as the passive site's last restore. */
    rpoBackupMinutes: number;
    rto: {
        minutes: number;
        ttlMinutes: number;
        switchMinutes: number;
        /** Minutes to scale the standby out to the active site's minimum, when it runs fewer units; 0 when it does not; undefined when the standby is not known. */
        scaleOutMinutes?: number;
    };
    schedule: DrSchedule;
    /** The active site's minimum units: what the standby must run to take its traffic. */
    activeMinimumUnits: number;
    standby?: Standby;
}

/** The units a site's gateway never goes below: autoscale's minimum, or its fixed capacity. */
export function minimumUnits(gateway: { capacity: number; autoscale?: { minCapacity: number } }): number {
    return gateway.autoscale?.minCapacity ?? gateway.capacity;
}

/** The objectives of an active stack (its DNS TTL, its gateway's minimum) and, when known, its standby. */
export function recoveryObjectives(active: { ttlSeconds: number; minimumUnits: number; dr: DrSettings }, standby?: Standby): Objectives {
    const schedule = drSchedule(active.dr);
    const ttlMinutes = Math.ceil(active.ttlSeconds / 60);
    const scale = standby === undefined ? undefined : standby.capacity < active.minimumUnits ? scaleOutMinutes : 0;
    return {
        rpoCodeMinutes: 0,
        rpoBackupMinutes: schedule.backupMinutes + schedule.restoreMinutes,
        rto: {
            minutes: ttlMinutes + recordSwitchMinutes + (scale ?? 0),
            ttlMinutes,
            switchMinutes: recordSwitchMinutes,
            scaleOutMinutes: scale,
        },
        schedule,
        activeMinimumUnits: active.minimumUnits,
        ...(standby ? { standby } : {}),
    };
}

/** A key of `dr` and what is wrong with it. */
export interface DrProblem {
    key: "backupInterval" | "backupRetentionDays" | "maxRpoMinutes" | "maxRtoMinutes";
    message: string;
}

/**
 * The schedule's problems the passive site's restore could not serve, the same the backup
 * component refuses (`components/backup/rules.ts`): a backup interval whose newest backup turns
 * stale only after backups expire, and a retention that deletes the newest backup before it turns
 * stale (stopped backups would then look like none yet). [] when the restore can serve it.
 */
export function scheduleProblems(schedule: DrSchedule): DrProblem[] {
    const interval = backupIntervalProblems(schedule.backupMinutes);
    return interval.length > 0
        ? interval.map((problem) => ({ key: "backupInterval", message: problem.message }))
        : backupRetentionScheduleProblems(schedule.backupMinutes, schedule.retentionDays, "dr.backupInterval").map((problem) => ({
              key: "backupRetentionDays",
              message: problem.message,
          }));
}

/**
 * The schedule's problems ({@link scheduleProblems}), then the objectives over the stack's limits,
 * as messages naming the key; [] when all are within.
 */
export function objectiveProblems(objectives: Objectives): DrProblem[] {
    const { schedule, rto } = objectives;
    const problems: DrProblem[] = [...scheduleProblems(schedule)];
    if (objectives.rpoBackupMinutes > schedule.maxRpoMinutes) {
        problems.push({
            key: "maxRpoMinutes",
            message: `${schedule.maxRpoMinutes}${schedule.defaulted.maxRpoMinutes ? " (the default)" : ""}, but what only backups carry (users, subscriptions) can be ${objectives.rpoBackupMinutes} minutes old on the passive site: a backup every ${schedule.backupMinutes} minutes and a restore every ${schedule.restoreMinutes} (allowed: ${
                schedule.maxRpoMinutes >= shortestSchedule
                    ? `dr.backupInterval and dr.restoreInterval that add up to at most ${schedule.maxRpoMinutes} minutes, or a larger dr.maxRpoMinutes`
                    : `a dr.maxRpoMinutes of ${shortestSchedule} or more: the shortest schedule, a backup every ${minimumBackupMinutes} minutes and a restore every ${minimumRestoreMinutes}, adds up to ${shortestSchedule}`
            })`,
        });
    }
    if (rto.minutes > schedule.maxRtoMinutes) {
        const scale = rto.scaleOutMinutes
            ? ` + ${rto.scaleOutMinutes} to scale ${objectives.standby?.stack} out from ${objectives.standby?.capacity} to ${objectives.activeMinimumUnits} units`
            : "";
        problems.push({
            key: "maxRtoMinutes",
            message: `${schedule.maxRtoMinutes}${schedule.defaulted.maxRtoMinutes ? " (the default)" : ""}, but a failover takes ${rto.minutes} minutes: ${rto.ttlMinutes} of DNS TTL + ${rto.switchMinutes} to switch dns.activeSite${scale} (allowed: a shorter dns.ttl${rto.scaleOutMinutes ? ", a standby that runs the active site's minimum units" : ""}, or a larger dr.maxRtoMinutes)`,
        });
    }
    return problems;
}

/**
 * The plan's lines about the objectives; with `unitMonthlyUsd`, the list price of a unit of the
 * standby's tier (the cost estimate's price table), what its units cost a month.
 */
export function objectivesText(active: string, passive: string, objectives: Objectives, unitMonthlyUsd?: number): string[] {
    const { schedule, rto, standby } = objectives;
    const scale =
        rto.scaleOutMinutes === undefined
            ? `; ${passive}'s units are not known here`
            : rto.scaleOutMinutes > 0
              ? ` + ${rto.scaleOutMinutes} to scale ${passive} out from ${standby!.capacity} to ${objectives.activeMinimumUnits} units (Microsoft: at least 20 minutes)`
              : `; ${passive} already runs ${standby!.capacity} units, ${active}'s minimum is ${objectives.activeMinimumUnits}`;
    return [
        `Recovery objectives (${active} active, ${passive} passive):`,
        `  RPO, configuration in code (APIs, policies, products, backends, workflows): 0 minutes, redeployed from code`,
        `  RPO, what only backups carry (users, subscriptions, changes made by hand): ${objectives.rpoBackupMinutes} minutes, a backup every ${schedule.backupMinutes} + a restore into ${passive} every ${schedule.restoreMinutes} (limit ${schedule.maxRpoMinutes})`,
        `  RTO: ${rto.minutes} minutes, ${rto.ttlMinutes} of DNS TTL + ${rto.switchMinutes} to switch dns.activeSite and apply the records${scale} (limit ${schedule.maxRtoMinutes});`,
        `       the restore is not on the way: ${passive} is already running`,
        ...(standby && unitMonthlyUsd !== undefined
            ? [
                  `  standby: ${standby.capacity} ${standby.sku} units in ${passive}, about ${Math.round(standby.capacity * unitMonthlyUsd).toLocaleString("en-US")} USD a month at list price (an estimate, ${unitMonthlyUsd.toLocaleString("en-US")} a unit; npm run cost)`,
              ]
            : []),
        `  backups kept ${schedule.retentionDays} days`,
    ];
}
