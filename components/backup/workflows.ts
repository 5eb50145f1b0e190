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
        triggers: { Every_interval: { type: "Recurrence", recurrence: { ...recurrence(minutes), startTime } } },
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

/**
 * The restore workflow: from `startTime`, every `minutes`, list the backups (in name order, which is time order:
 * "blobs are listed in alphabetical order"), take the newest with its complete marker, restore it
 * into the service, then put back, one by one, the settings this site's code owns and a restore
 * overwrites with the active site's (`parameters('siteSettings')`: `puts` and `patches`, each
 * `{ path, body }`).
 * No complete backup yet cancels the run; a newest backup older than `maxBackupAgeMinutes`, a
 * failed restore or a failed step fails it.
 */
export function restoreDefinition(minutes: number, startTime: string, maxBackupAgeMinutes: number): Record<string, unknown> {
    return {
        $schema: workflowSchemaUrl,
        contentVersion: "1.0.0.0",
        parameters: restoreParameters,
        triggers: { Every_interval: { type: "Recurrence", recurrence: { ...recurrence(minutes), startTime } } },
        actions: {
            List_backups: {
                type: "Http",
                inputs: {
                    method: "GET",
                    uri: `@{parameters('containerUrl')}?restype=container&comp=list&prefix=${backupPrefix}`,
                    headers: blobHeaders,
                    authentication: storage,
                },
                runAfter: {},
            },
            Complete_backups: {
                type: "Query",
                inputs: {
                    from: "@xpath(xml(body('List_backups')), '/EnumerationResults/Blobs/Blob/Name/text()')",
                    where: `@endsWith(item(), '${completeSuffix}')`,
                },
                runAfter: { List_backups: ["Succeeded"] },
            },
            // None yet (the active site's first backup is still to come): nothing to do, no alarm.
            No_complete_backup: {
                type: "If",
                expression: { and: [{ equals: ["@length(body('Complete_backups'))", 0] }] },
                actions: {
                    // A cancelled run carries no error (runError goes with Failed): the run history shows where it stopped.
                    Cancel: { type: "Terminate", inputs: { runStatus: "Cancelled" }, runAfter: {} },
                },
                runAfter: { Complete_backups: ["Succeeded"] },
            },
            Newest: {
                type: "Compose",
                inputs: `@{replace(last(body('Complete_backups')), '${completeSuffix}', '')}`,
                runAfter: { No_complete_backup: ["Succeeded"] },
            },
            // apim-yyyyMMddHHmmss.apimbackup: when the newest backup was taken, in UTC.
            Taken: {
                type: "Compose",
                inputs: "@{concat(substring(outputs('Newest'), 5, 4), '-', substring(outputs('Newest'), 9, 2), '-', substring(outputs('Newest'), 11, 2), 'T', substring(outputs('Newest'), 13, 2), ':', substring(outputs('Newest'), 15, 2), ':', substring(outputs('Newest'), 17, 2), 'Z')}",
                runAfter: { Newest: ["Succeeded"] },
            },
            // Backups that stopped (the active site's workflow disabled, its role removed) leave this
            // site further behind at every restore: that fails the run, and alerts.
            Backups_stopped: {
                type: "If",
                expression: { and: [{ less: ["@ticks(outputs('Taken'))", `@ticks(addMinutes(utcNow(), -${maxBackupAgeMinutes}))`] }] },
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
