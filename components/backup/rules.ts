import type { Problem } from "../common/rules";
import { backupLifetimeMinutes } from "./workflows";

/**
 * The rules of the backup and restore schedules, pure: the intervals and the retention the
 * restore's listing can serve (see `./workflows.ts`, `newestCompleteXpath`), and the ARM ids the
 * grants are derived from. The components check them before they register anything; the stack
 * config checks the same (`stacks/recovery.ts`).
 */

/** The shortest backup interval: a backup runs for several minutes and leaves the service updating. */
export const minimumBackupMinutes = 15;
/** The shortest restore interval: a restore may take 30 minutes or more, and must end before the next. */
export const minimumRestoreMinutes = 60;
/**
 * The longest backup interval: its newest backup turns stale ({@link maxBackupAgeMinutes}) before
 * backups expire (30 days). Longer, the restore could never tell stopped backups from late ones.
 */
export const maximumBackupMinutes = Math.floor((backupLifetimeMinutes - 60) / 3);

/**
 * The oldest the newest complete backup may be when a restore runs: three backup intervals and an
 * hour for the backup itself. Older, the backups have stopped, and the restore fails its run.
 */
export function maxBackupAgeMinutes(backupIntervalMinutes: number): number {
    return 3 * backupIntervalMinutes + 60;
}

/** What a backup interval may be, for messages. */
export const backupIntervalAllowed = `whole minutes, ${minimumBackupMinutes}-${maximumBackupMinutes}`;

/**
 * A backup interval the schedules can serve, or its problem (at `[]`): whole minutes, at least
 * {@link minimumBackupMinutes}, and its newest backup stale ({@link maxBackupAgeMinutes}) before
 * backups expire, so the restore's listing can still tell stopped backups from late ones.
 */
export function backupIntervalProblems(minutes: number): Problem[] {
    if (!Number.isInteger(minutes) || minutes < minimumBackupMinutes) {
        return [{ path: [], message: `${minutes} (allowed: ${backupIntervalAllowed})` }];
    }
    return minutes > maximumBackupMinutes
        ? [
              {
                  path: [],
                  message: `${minutes} minutes turns the newest backup stale only after ${maxBackupAgeMinutes(minutes)} minutes, later than backups expire (30 days): the restore could never tell that the backups have stopped (allowed: at most ${maximumBackupMinutes} minutes)`,
              },
          ]
        : [];
}

/** Whole days the backups must be kept for the restore to see the newest one turn stale. */
export function minimumRetentionDays(backupIntervalMinutes: number): number {
    return Math.ceil(maxBackupAgeMinutes(backupIntervalMinutes) / (24 * 60));
}

/**
 * A retention the restore's listing can serve with backups every `backupIntervalMinutes`, or its
 * problem (at `[]`; `interval` names the interval's field in the message): the lifecycle rule
 * deletes a backup no sooner than `retentionDays` after it was written ("the lifecycle management
 * policy will move the blob 30 days after the last write operation", lifecycle-management-policy-
 * configure), and a newest backup deleted before it is stale would make stopped backups look like
 * none yet: a cancelled run instead of an alarm.
 */
export function backupRetentionScheduleProblems(backupIntervalMinutes: number, retentionDays: number, interval: string): Problem[] {
    const days = minimumRetentionDays(backupIntervalMinutes);
    return retentionDays >= days
        ? []
        : [
              {
                  path: [],
                  message: `${retentionDays} deletes a backup before the restore can tell that the backups have stopped: a backup every ${backupIntervalMinutes} minutes (${interval}) turns stale only after ${maxBackupAgeMinutes(backupIntervalMinutes)} minutes (allowed: ${days} days or more, or a shorter ${interval})`,
              },
          ];
}

/** `/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ApiManagement/service/<name>`, the resource group part captured. */
const serviceIdPattern = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+)\/providers\/Microsoft\.ApiManagement\/service\/[^/]+$/i;

/** What an API Management service id looks like, for messages. */
export const serviceIdAllowed = "/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ApiManagement/service/<name>";

/** The ARM id of the resource group of an API Management service, or undefined when `serviceId` is not a service's id. */
export function serviceResourceGroupId(serviceId: string): string | undefined {
    return serviceIdPattern.exec(serviceId)?.[1];
}

/** `.../storageAccounts/<account>/blobServices/default/containers/<container>`, the account part captured. */
const containerIdPattern =
    /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Storage\/storageAccounts\/[^/]+)\/blobServices\/default\/containers\/[^/]+$/i;

/** The ARM id of the storage account of a blob container; throws, naming the id, when `containerId` is not a container's. */
export function storageAccountIdOf(containerId: string): string {
    const account = containerIdPattern.exec(containerId)?.[1];
    if (!account) {
        throw new Error(
            `${JSON.stringify(containerId)} is not the ARM id of a blob container (allowed: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Storage/storageAccounts/<account>/blobServices/default/containers/<name>)`,
        );
    }
    return account;
}
