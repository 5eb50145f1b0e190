/**
 * The backup and restore workflows' definitions, in the workflow definition language: pure data,
 * so a test reads the exact requests they send.
 *
 * The requests follow learn.microsoft.com/azure/api-management/api-management-howto-disaster-recovery-backup-restore
 * and the 2024-05-01 REST spec (apimdeployment.json): `POST .../service/{name}/backup` and
 * `.../restore` with `{ storageAccount, containerName, backupName, accessType }`, answered 202 with
 * a Location header to poll until 200 ("x-ms-long-running-operation", "final-state-via:
 * location"). The HTTP action follows that pattern by itself (Logic Apps' asynchronous pattern,
 * on by default) and signs in with the workflow's system-assigned identity ("by default, the
 * Audience property uses the https://management.azure.com/ resource ID"). API Management reads and
 * writes the blobs with its own system-assigned identity, the one a storage firewall admits as a
 * trusted service.
 *
 * Each recurrence runs one run at a time: "runtimeConfiguration": { "concurrency": { "runs": 1 } }
 * on the trigger ("Schema reference guide for trigger and action types in Azure Logic Apps",
 * learn.microsoft.com/azure/logic-apps/logic-apps-workflow-actions-triggers#change-trigger-concurrency).
 * Without it each occurrence starts a run even while the last one is still backing up or
 * restoring; with it a run that comes due then waits for the running one. The limits page
 * (logic-apps-limits-and-config, "Concurrency and debatching") calls the setting irreversible:
 * "Concurrency on (irreversible)", and up to 10 runs plus the concurrency may wait.
 */

import { workflowSchemaUrl } from "../common/azure";

/** The API version of the backup and restore calls and of the settings the restore puts back. */
export const managementApiVersion = "2024-05-01";
/** The Blob service version of the workflows' own blob calls (Microsoft Entra authorization needs 2017-11-09 or later). */
export const blobApiVersion = "2023-11-03";

/** Backups are named `apim-<UTC yyyyMMddHHmmss>.apimbackup`: sorted by name, they are sorted by time. */
export const backupPrefix = "apim-";
/** The blob that marks a backup complete: written only once the backup operation has succeeded. */
export const completeSuffix = ".complete";

/** Days API Management keeps a backup restorable ("Each backup expires after 30 days", api-management-howto-disaster-recovery-backup-restore). */
export const backupLifetimeMinutes = 30 * 24 * 60;

/**
 * How the restore finds the newest complete backup. List Blobs returns at most 5,000 names a call,
 * in alphabetical order, the rest behind a `NextMarker` ("Listing Blob storage resources",
 * learn.microsoft.com/rest/api/storageservices/enumerating-blob-resources: "The operation returns
 * entities in alphabetical order", "If the maximum number of results is not specified in the
 * request or if it's greater than 5,000, the server returns up to the maximum of 5,000 items",
 * "When the NextMarker element is empty, the listing is complete"). Oldest first, one unprefixed
 * call would never reach the newest backups once the container holds more than 5,000 names (a
 * backup every 15 minutes kept 30 days makes 5,760 names with their markers). So the restore lists one UTC
 * day at a time (`prefix=apim-<yyyyMMdd>`, the start of every backup's name, "Filter list
 * results"), each day of the staleness window ({@link listedDays}): a day holds at most two names a
 * backup, 192 at the shortest interval, far below one page; a page that comes back with a
 * `NextMarker` all the same fails the run rather than restore from part of a day.
 *
 * From each page, one XPath that returns a string whatever matches: the last name that ends in
 * `.complete`, or '' when none does. `xpath()` returns "An XML node when only a single node
 * matches", "The value from an XML node when only a single value matches" and an array only for
 * several ("Reference guide to functions in expressions", learn.microsoft.com/azure/logic-apps/
 * workflow-definition-language-functions-reference#xpath), so an array-valued XPath breaks on the
 * first backup; `string(...)` is that page's own Example 9 ("Here is the result: Paris"), and
 * `[last()]` its Example 3. Names sort by time, so the last complete one of the newest day that
 * has one is the newest complete backup.
 */
export const newestCompleteXpath = `string((/EnumerationResults/Blobs/Blob/Name[substring(., string-length(.) - ${completeSuffix.length - 1}) = "${completeSuffix}"])[last()])`;
/** A page's `NextMarker`: '' when the listing is complete. */
export const nextMarkerXpath = "string(/EnumerationResults/NextMarker)";
/** The first (oldest) name of a page, or ''. */
export const firstNameXpath = "string(/EnumerationResults/Blobs/Blob[1]/Name)";

/**
 * The UTC days the restore lists, today first: every day a backup younger than `maxBackupAgeMinutes`
 * can be named after, so a backup is found for as long as it is not stale.
 */
export function listedDays(maxBackupAgeMinutes: number): number {
    return Math.ceil(maxBackupAgeMinutes / (24 * 60)) + 1;
}

/** Sign-in with the workflow's system-assigned identity, for Azure Resource Manager or for storage. */
const arm = { type: "ManagedServiceIdentity", audience: "https://management.azure.com/" };
const storage = { type: "ManagedServiceIdentity", audience: "https://storage.azure.com/" };
/**
 * The headers every blob request needs: the service version, and the current date ("The
 * x-ms-date must be the current date. Otherwise, your workflow fails with a 403 FORBIDDEN
 * error": logic-apps/authenticate-with-managed-identity).
 */
const blobHeaders = { "x-ms-version": blobApiVersion, "x-ms-date": "@{formatDateTime(utcNow(), 'r')}" };
/** A backup or restore can take 30 minutes or more; the action waits up to two hours. */
const operationLimit = { timeout: "PT2H" };

/** The Logic Apps recurrence of an interval in minutes: in hours when it is whole hours. */
export function recurrence(minutes: number): { frequency: "Minute" | "Hour"; interval: number } {
    return minutes % 60 === 0 ? { frequency: "Hour", interval: minutes / 60 } : { frequency: "Minute", interval: minutes };
}

/** A recurrence trigger that starts one run at a time (see the head of this file). */
function everyInterval(minutes: number, startTime: string) {
    return {
        Every_interval: {
            type: "Recurrence",
            recurrence: { ...recurrence(minutes), startTime },
            runtimeConfiguration: { concurrency: { runs: 1 } },
        },
    };
}

/** The parameters of the backup workflow, as its definition declares them. */
export const backupParameters = {
    serviceId: { type: "String", metadata: { description: "ARM id of the API Management service." } },
    storageAccountName: { type: "String", metadata: { description: "The backup storage account." } },
    containerName: { type: "String", metadata: { description: "The backup container." } },
    containerUrl: { type: "String", metadata: { description: "https://<account>.blob.core.windows.net/<container>" } },
};

/** The parameters of the restore workflow: the backup's, and the settings it puts back (secure). */
export const restoreParameters = {
    ...backupParameters,
    siteSettings: {
        type: "SecureObject",
        metadata: {
            description: "{ puts: [{ path, body }], patches: [{ path, body }] }: what the restore overwrites that this site's code owns.",
        },
    },
};

/** The body of a backup or restore request. */
function operationBody(backupName: string) {
    return {
        storageAccount: "@{parameters('storageAccountName')}",
        containerName: "@{parameters('containerName')}",
        backupName,
        accessType: "SystemAssignedManagedIdentity",
    };
}

/**
 * The backup workflow: every `minutes`, back up the service under a time-stamped name, follow the
 * operation to its end, then write the name's complete marker. The first run is at `startTime`
 * (UTC, `YYYY-MM-DDThh:mm:ssZ`), the next ones on the interval from it. A failure fails the run, which the
 * failed-runs alert reports.
 */
export function backupDefinition(minutes: number, startTime: string): Record<string, unknown> {
    return {
        $schema: workflowSchemaUrl,
        contentVersion: "1.0.0.0",
        parameters: backupParameters,
        triggers: everyInterval(minutes, startTime),
        actions: {
            Name: { type: "Compose", inputs: `@{concat('${backupPrefix}', utcNow('yyyyMMddHHmmss'), '.apimbackup')}`, runAfter: {} },
            Back_up: {
                type: "Http",
                inputs: {
                    method: "POST",
                    uri: `https://management.azure.com@{parameters('serviceId')}/backup?api-version=${managementApiVersion}`,
                    body: operationBody("@{outputs('Name')}"),
                    authentication: arm,
                },
                limit: operationLimit,
                runAfter: { Name: ["Succeeded"] },
            },
            Mark_complete: {
                type: "Http",
                inputs: {
                    method: "PUT",
                    uri: `@{parameters('containerUrl')}/@{outputs('Name')}${completeSuffix}`,
                    headers: { ...blobHeaders, "x-ms-blob-type": "BlockBlob", "Content-Type": "text/plain" },
                    body: "@{utcNow()}",
                    authentication: storage,
                },
                runAfter: { Back_up: ["Succeeded"] },
            },
        },
        outputs: {},
    };
}

/** When a backup named `apim-yyyyMMddHHmmss...` (the name an expression gives) was taken: `yyyy-MM-ddTHH:mm:ssZ`. */
function takenAt(name: string): string {
    const at = backupPrefix.length;
    const part = (offset: number, length: number) => `substring(${name}, ${at + offset}, ${length})`;
    return `@{concat(${part(0, 4)}, '-', ${part(4, 2)}, '-', ${part(6, 2)}, 'T', ${part(8, 2)}, ':', ${part(10, 2)}, ':', ${part(12, 2)}, 'Z')}`;
}

/** A List Blobs call on the backup container, with the workflow's identity for storage. */
function listBlobs(query: string) {
    return {
        type: "Http",
        inputs: {
            method: "GET",
            uri: `@{parameters('containerUrl')}?restype=container&comp=list&${query}`,
            headers: blobHeaders,
            authentication: storage,
        },
    };
}

/** A run that ends without an error: nothing to restore (yet). A cancelled run carries no runError (that goes with Failed); the run history shows where it stopped. */
const cancel = { type: "Terminate", inputs: { runStatus: "Cancelled" }, runAfter: {} };

/**
 * The restore workflow: from `startTime`, every `minutes`, one run at a time, find the newest
 * complete backup (one List Blobs call a UTC day, today first, over the {@link listedDays} a backup
 * younger than `maxBackupAgeMinutes` can be named after: see {@link newestCompleteXpath}), restore
 * it into the service, then put back, one by one, the settings this site's code owns and a
 * restore overwrites with the active site's (`parameters('siteSettings')`: `puts` and `patches`,
 * each `{ path, body }`).
 *
 * No complete backup in those days: the oldest backup of all (`maxresults=1`, the first name in
 * alphabetical, that is time, order) tells why. None at all, or none older than
 * `maxBackupAgeMinutes` (the first backups are still to come or under way): the run is cancelled.
 * One older: the backups have stopped, and the run fails, as it does when the newest complete
 * backup is older than `maxBackupAgeMinutes`, a day's listing is cut short (`NextMarker`), the
 * restore fails or a step fails.
 */
export function restoreDefinition(minutes: number, startTime: string, maxBackupAgeMinutes: number): Record<string, unknown> {
    const days = Array.from({ length: listedDays(maxBackupAgeMinutes) }, (_, day) => day);
    const stale = `@ticks(addMinutes(utcNow(), -${maxBackupAgeMinutes}))`;
    const page = (day: number) => `xml(body('List_day_${day}'))`;
    return {
        $schema: workflowSchemaUrl,
        contentVersion: "1.0.0.0",
        parameters: restoreParameters,
        triggers: everyInterval(minutes, startTime),
        actions: {
            // One moment for every day's prefix, so no day is listed twice or skipped at midnight.
            Listed_at: { type: "Compose", inputs: "@{utcNow()}", runAfter: {} },
            ...Object.fromEntries(
                days.flatMap((day) => [
                    [
                        `List_day_${day}`,
                        {
                            ...listBlobs(`prefix=${backupPrefix}@{addDays(outputs('Listed_at'), -${day}, 'yyyyMMdd')}`),
                            runAfter: { Listed_at: ["Succeeded"] },
                        },
                    ],
                    [
                        `Newest_of_day_${day}`,
                        {
                            type: "Compose",
                            inputs: `@xpath(${page(day)}, '${newestCompleteXpath}')`,
                            runAfter: { [`List_day_${day}`]: ["Succeeded"] },
                        },
                    ],
                ]),
            ),
            // A day with more names than one page holds cannot happen at the intervals the
            // components allow; should it happen, the run says so rather than miss the newest.
            Listing_cut_short: {
                type: "If",
                expression: {
                    and: [
                        {
                            not: {
                                equals: [`@{concat(${days.map((day) => `xpath(${page(day)}, '${nextMarkerXpath}')`).join(", ")})}`, ""],
                            },
                        },
                    ],
                },
                actions: {
                    Fail_listing_cut_short: {
                        type: "Terminate",
                        inputs: {
                            runStatus: "Failed",
                            runError: {
                                code: "BackupListingCutShort",
                                message:
                                    "A day of backups did not fit in one List Blobs page (5,000 names): the container holds blobs this workflow did not write, or far more backups than its schedule makes.",
                            },
                        },
                        runAfter: {},
                    },
                },
                runAfter: Object.fromEntries(days.map((day) => [`Newest_of_day_${day}`, ["Succeeded"]])),
            },
            // The days' newest complete backups, newest day first, the days without one left out.
            Complete_backups: {
                type: "Query",
                inputs: {
                    from: `@createArray(${days.map((day) => `outputs('Newest_of_day_${day}')`).join(", ")})`,
                    where: "@not(empty(item()))",
                },
                runAfter: { Listing_cut_short: ["Succeeded"] },
            },
            No_complete_backup: {
                type: "If",
                expression: { and: [{ equals: ["@length(body('Complete_backups'))", 0] }] },
                actions: {
                    List_oldest: { ...listBlobs(`prefix=${backupPrefix}&maxresults=1`), runAfter: {} },
                    Oldest: {
                        type: "Compose",
                        inputs: `@xpath(xml(body('List_oldest')), '${firstNameXpath}')`,
                        runAfter: { List_oldest: ["Succeeded"] },
                    },
                    // None at all: the active site's first backup is still to come. Nothing to do, no alarm.
                    No_backup_yet: {
                        type: "If",
                        expression: { and: [{ equals: ["@outputs('Oldest')", ""] }] },
                        actions: { Cancel: cancel },
                        else: {
                            actions: {
                                Oldest_taken: { type: "Compose", inputs: takenAt("outputs('Oldest')"), runAfter: {} },
                                // Backups for longer than the limit and none complete in it: they have stopped, or all fail.
                                Backups_stopped_long_ago: {
                                    type: "If",
                                    expression: { and: [{ less: ["@ticks(outputs('Oldest_taken'))", stale] }] },
                                    actions: {
                                        Fail_no_recent_backup: {
                                            type: "Terminate",
                                            inputs: {
                                                runStatus: "Failed",
                                                runError: {
                                                    code: "StaleBackup",
                                                    message: `No backup of the last ${maxBackupAgeMinutes} minutes is complete, and the oldest, @{outputs('Oldest')}, is older: the active site's backups have stopped or fail.`,
                                                },
                                            },
                                            runAfter: {},
                                        },
                                    },
                                    // The first backups began less than the limit ago and none is complete yet.
                                    else: { actions: { Cancel_first_backup_under_way: cancel } },
                                    runAfter: { Oldest_taken: ["Succeeded"] },
                                },
                            },
                        },
                        runAfter: { Oldest: ["Succeeded"] },
                    },
                },
                runAfter: { Complete_backups: ["Succeeded"] },
            },
            Newest: {
                type: "Compose",
                inputs: `@{replace(first(body('Complete_backups')), '${completeSuffix}', '')}`,
                runAfter: { No_complete_backup: ["Succeeded"] },
            },
            // apim-yyyyMMddHHmmss.apimbackup: when the newest backup was taken, in UTC.
            Taken: { type: "Compose", inputs: takenAt("outputs('Newest')"), runAfter: { Newest: ["Succeeded"] } },
            // Backups that stopped (the active site's workflow disabled, its role removed) leave this
            // site further behind at every restore: that fails the run, and alerts.
            Backups_stopped: {
                type: "If",
                expression: { and: [{ less: ["@ticks(outputs('Taken'))", stale] }] },
                actions: {
                    Fail: {
                        type: "Terminate",
                        inputs: {
                            runStatus: "Failed",
                            runError: {
                                code: "StaleBackup",
                                message: `The newest complete backup, @{outputs('Newest')}, is more than ${maxBackupAgeMinutes} minutes old: the active site's backups have stopped.`,
                            },
                        },
                        runAfter: {},
                    },
                },
                runAfter: { Taken: ["Succeeded"] },
            },
            Restore: {
                type: "Http",
                inputs: {
                    method: "POST",
                    uri: `https://management.azure.com@{parameters('serviceId')}/restore?api-version=${managementApiVersion}`,
                    body: operationBody("@{outputs('Newest')}"),
                    authentication: arm,
                },
                limit: operationLimit,
                runAfter: { Backups_stopped: ["Succeeded"] },
            },
            Put_back_site_settings: {
                type: "Foreach",
                foreach: "@parameters('siteSettings')['puts']",
                actions: {
                    Put_back: {
                        type: "Http",
                        inputs: {
                            method: "PUT",
                            uri: `https://management.azure.com@{parameters('serviceId')}/@{items('Put_back_site_settings')['path']}?api-version=${managementApiVersion}`,
                            body: "@items('Put_back_site_settings')['body']",
                            authentication: arm,
                        },
                        // Some bodies hold secrets (the portal's client secret).
                        runtimeConfiguration: { secureData: { properties: ["inputs"] } },
                        runAfter: {},
                    },
                },
                runtimeConfiguration: { concurrency: { repetitions: 1 } },
                runAfter: { Restore: ["Succeeded"] },
            },
            // Entities the restore brings whole, of which a property is this site's (an API's
            // backend URL): a PATCH of that property ("If-Match: *", the entity being there).
            Patch_site_settings: {
                type: "Foreach",
                foreach: "@parameters('siteSettings')['patches']",
                actions: {
                    Patch: {
                        type: "Http",
                        inputs: {
                            method: "PATCH",
                            uri: `https://management.azure.com@{parameters('serviceId')}/@{items('Patch_site_settings')['path']}?api-version=${managementApiVersion}`,
                            headers: { "If-Match": "*" },
                            body: "@items('Patch_site_settings')['body']",
                            authentication: arm,
                        },
                        runAfter: {},
                    },
                },
                runtimeConfiguration: { concurrency: { repetitions: 1 } },
                runAfter: { Put_back_site_settings: ["Succeeded"] },
            },
        },
        outputs: {},
    };
}
