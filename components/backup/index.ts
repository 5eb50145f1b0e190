import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as logic from "@pulumi/azure-native/logic";
import * as time from "@pulumiverse/time";
import * as monitor from "@pulumi/azure-native/monitor";
import * as storage from "@pulumi/azure-native/storage";
import { blobLogs, failedRunsAlert, lockedDownStorageAccount, runHistoryAccess, workflowLogs, type SiteSetting } from "../common/azure";
import { stableGuid } from "../common/guid";
import { ArgumentsError, problemLines } from "../common/rules";
import { backupRetentionProblems } from "../common/values";
import {
    backupIntervalProblems,
    backupRetentionScheduleProblems,
    maxBackupAgeMinutes,
    minimumRestoreMinutes,
    serviceIdAllowed,
    serviceResourceGroupId,
} from "./rules";
import { backupDefinition, backupParameters, restoreDefinition, restoreParameters } from "./workflows";

export {
    backupIntervalAllowed,
    backupIntervalProblems,
    backupRetentionScheduleProblems,
    maxBackupAgeMinutes,
    maximumBackupMinutes,
    minimumBackupMinutes,
    minimumRestoreMinutes,
    minimumRetentionDays,
    serviceResourceGroupId,
    storageAccountIdOf,
} from "./rules";

export {
    backupDefinition,
    backupLifetimeMinutes,
    listedDays,
    managementApiVersion,
    newestCompleteXpath,
    recurrence,
    restoreDefinition,
} from "./workflows";

/**
 * API Management's backup and restore, scheduled: the storage the backups live in (in the DR
 * region, owned by the active site, which writes there), the active site's backup workflow and
 * the passive site's restore workflow, each with a custom role that allows exactly its operation
 * on its one service. The stack grants the roles and the storage access (`AccessGrants`).
 */

/** Backups expire after 30 days: keeping them longer keeps nothing restorable. */
export { maximumRetentionDays } from "../common/values";

/** The container of the backups. */
export const backupContainer = "apim-backups";

/** What the backup workflow's identity may do on the active site's service. */
export const backupActions = [
    "Microsoft.ApiManagement/service/read",
    "Microsoft.ApiManagement/service/backup/action",
    "Microsoft.ApiManagement/service/operationresults/read",
];

/** The settings of a service a restore overwrites with the active site's, and the passive site's code owns: the restore puts them back. */
const siteSettingKinds = [
    "backends",
    "certificates",
    "namedValues",
    "loggers",
    "diagnostics",
    "identityProviders",
    "policies",
    "portalsettings",
    "apis",
] as const;
type SiteSettingKind = (typeof siteSettingKinds)[number];

/** The RBAC name of a setting kind's write, as the operations list spells it (`portalSettings`, the REST path `portalsettings`). */
const writeAction = (kind: SiteSettingKind) =>
    `Microsoft.ApiManagement/service/${kind === "portalsettings" ? "portalSettings" : kind}/write`;

/**
 * What the restore workflow's identity may do on the passive site's service: restore, and put its
 * own settings back (role-based-access-control/permissions/integration: `service/restore/action`,
 * `service/operationresults/read`, `service/<kind>/write`).
 */
export const restoreActions = [
    "Microsoft.ApiManagement/service/read",
    "Microsoft.ApiManagement/service/restore/action",
    "Microsoft.ApiManagement/service/operationresults/read",
    ...siteSettingKinds.map(writeAction),
];

/** One setting the restore puts back (see {@link SiteSetting}). */
export type SiteSettingStep = SiteSetting;

/** The steps as the restore workflow takes them: the PUTs, then the PATCHes. */
function restoreSteps(steps: readonly SiteSettingStep[]): {
    puts: Array<Omit<SiteSettingStep, "patch">>;
    patches: Array<Omit<SiteSettingStep, "patch">>;
} {
    const strip = ({ path, body }: SiteSettingStep) => ({ path, body });
    return { puts: steps.filter((step) => !step.patch).map(strip), patches: steps.filter((step) => step.patch).map(strip) };
}

export interface BackupStorageArgs {
    /** Resource group in the DR region. Required. */
    resourceGroupName: pulumi.Input<string>;
    /** The DR region: the backups must survive the primary region. Required. */
    location: string;
    /** Azure name of the account, 3-24 lower-case letters and digits. Required. */
    accountName: pulumi.Input<string>;
    /** Days a backup is kept before the lifecycle rule deletes it (versions too). Required. */
    retentionDays: number;
    /** Log Analytics workspace for the blob service's read, write and delete logs. Required. */
    workspaceId: pulumi.Input<string>;
    /** Protect the account and the container from deletion. Default: false. */
    protect?: boolean;
    /** Tags. Default: none. */
    tags?: Record<string, string>;
}

/** Days deleted blobs, versions and containers can be restored. */
export const backupSoftDeleteDays = 14;

/** Checks {@link BackupStorageArgs}; throws one error naming each field, its value and what is allowed. */
export function validateBackupStorageArgs(args: BackupStorageArgs): void {
    const problems = problemLines(backupRetentionProblems(args.retentionDays), ["retentionDays"]);
    if (problems.length > 0) {
        throw new ArgumentsError("BackupStorage", problems);
    }
}

export class BackupStorage extends pulumi.ComponentResource {
    readonly accountId: pulumi.Output<string>;
    readonly accountName: pulumi.Output<string>;
    readonly containerId: pulumi.Output<string>;
    readonly containerName: pulumi.Output<string>;
    /** `https://<account>.blob.core.windows.net/<container>`. */
    readonly containerUrl: pulumi.Output<string>;

    constructor(name: string, args: BackupStorageArgs, opts?: pulumi.ComponentResourceOptions) {
        validateBackupStorageArgs(args);
        super("enterprise-integration:backup:BackupStorage", name, {}, opts);
        const account = new storage.StorageAccount(
            `${name}-account`,
            {
                resourceGroupName: args.resourceGroupName,
                accountName: args.accountName,
                location: args.location,
                ...lockedDownStorageAccount,
                // A copy in the DR region's pair as well: a backup outlives the loss of its region too.
                sku: { name: storage.SkuName.Standard_GRS },
                // API Management's identity and the workflows' come in as trusted services. The
                // gateway's trusted connectivity retired in March 2026; backup and restore,
                // control-plane operations, keep it (breaking-changes/trusted-service-connectivity-retirement-march-2026).
                tags: args.tags,
            },
            { parent: this, protect: args.protect },
        );
        new storage.BlobServiceProperties(
            `${name}-blobs`,
            {
                resourceGroupName: args.resourceGroupName,
                accountName: account.name,
                blobServicesName: "default",
                isVersioningEnabled: true,
                deleteRetentionPolicy: { enabled: true, days: backupSoftDeleteDays },
                containerDeleteRetentionPolicy: { enabled: true, days: backupSoftDeleteDays },
            },
            { parent: this },
        );
        const container = new storage.BlobContainer(
            `${name}-container`,
            {
                resourceGroupName: args.resourceGroupName,
                accountName: account.name,
                containerName: backupContainer,
                publicAccess: storage.PublicAccess.None,
            },
            { parent: this, protect: args.protect },
        );
        new storage.ManagementPolicy(
            `${name}-lifecycle`,
            {
                resourceGroupName: args.resourceGroupName,
                accountName: account.name,
                managementPolicyName: "default",
                policy: {
                    rules: [
                        {
                            name: "expire-backups",
                            enabled: true,
                            type: storage.RuleType.Lifecycle,
                            definition: {
                                filters: { blobTypes: ["blockBlob"], prefixMatch: [`${backupContainer}/`] },
                                actions: {
                                    baseBlob: { delete: { daysAfterModificationGreaterThan: args.retentionDays } },
                                    version: { delete: { daysAfterCreationGreaterThan: args.retentionDays } },
                                },
                            },
                        },
                    ],
                },
            },
            { parent: this, dependsOn: [container] },
        );
        new monitor.DiagnosticSetting(`${name}-logs`, blobLogs(account.id, args.workspaceId), { parent: this });
        this.accountId = account.id;
        this.accountName = account.name;
        this.containerId = container.id;
        this.containerName = container.name;
        this.containerUrl = pulumi
            .all([account.primaryEndpoints, container.name])
            .apply(([endpoints, containerName]) => `${endpoints.blob.replace(/\/$/, "")}/${containerName}`);
        this.registerOutputs({ accountId: this.accountId, containerId: this.containerId, containerUrl: this.containerUrl });
    }
}

/** The backup storage a schedule uses: as the active site's outputs give it to the passive site. */
export interface BackupStorageRef {
    /** Azure name of the storage account. Required. */
    accountName: pulumi.Input<string>;
    /** Name of the backups' container. Required. */
    containerName: pulumi.Input<string>;
    /** `https://<account>.blob.core.windows.net/<container>`, for the workflows' own blob calls. Required. */
    containerUrl: pulumi.Input<string>;
}

interface ScheduleArgs {
    /** Resource group of the workflow (the stack's workflows group). Required. */
    resourceGroupName: pulumi.Input<string>;
    /** Region of the workflow: the service's. Required. */
    location: string;
    /** Azure names of the workflow and of its failed-runs alert. Required. */
    names: { workflow: pulumi.Input<string>; alert: pulumi.Input<string> };
    /** The name of its custom role, unique in the tenant. Required. */
    roleName: string;
    /** Minutes between runs: whole minutes, 15-14380 for a backup ({@link maximumBackupMinutes}), 60 or more for a restore. Required. */
    intervalMinutes: pulumi.Input<number>;
    /**
     * ARM id of the API Management service: the workflow's custom role is defined for its resource
     * group and assigned on the service alone. Required.
     */
    serviceId: pulumi.Input<string>;
    /** The backup storage. Required. */
    storage: BackupStorageRef;
    /**
     * Whether the schedule runs. Off while the other site serves traffic: a restore then would
     * overwrite what changed there, and a backup of the site that does not serve is stale.
     * Default: true.
     */
    enabled?: pulumi.Input<boolean>;
    /**
     * Minutes from the schedule's creation to its first run: time to grant the workflow's new
     * identity its roles and for them to take effect (a recurrence without a start time would run
     * at once: "Run immediately and repeat every n ...", connectors-native-recurrence). Default: 30.
     */
    firstRunDelayMinutes?: number;
    /** Ranges allowed to read run history contents. Default: nobody. */
    adminIpRanges?: string[];
    /** Where the runs are logged, and whom their failure alerts. Required. */
    monitoring: { workspaceId: pulumi.Input<string>; actionGroupId: pulumi.Input<string> };
    /** Tags. Default: none. */
    tags?: Record<string, string>;
}

export interface BackupScheduleArgs extends ScheduleArgs {
    /**
     * Days the backup storage keeps a backup (its {@link BackupStorageArgs.retentionDays}): at
     * least {@link minimumRetentionDays} of `intervalMinutes`, so the newest backup is still listed
     * when the restore deems it stale. Required.
     */
    retentionDays: number;
}

export interface RestoreScheduleArgs extends ScheduleArgs {
    /**
     * The active site's backup interval, in minutes (15-14380): how old the newest backup may be
     * ({@link maxBackupAgeMinutes}), and so how many days the restore lists ({@link listedDays}). Required.
     */
    backupIntervalMinutes: pulumi.Input<number>;
    /** What the restore overwrites that this site's code owns, put back after each restore (secret: it may hold the portal's client secret). Required. */
    siteSettings: pulumi.Input<SiteSettingStep[]>;
}

/** A role definition's id: a GUID made from its name, so a re-run finds the same definition. */
export function roleDefinitionGuid(roleName: string): string {
    return stableGuid(`role-definition|${roleName}`);
}

/** Throws the one error of a component that lists `problems`, when there are any. */
function refuse(component: string, problems: readonly string[]): void {
    if (problems.length > 0) {
        throw new ArgumentsError(component, problems);
    }
}

/**
 * A value checked at once when it is known, and when it arrives otherwise (a passive site reads
 * the restore's intervals from the active site's outputs; the service id is known after deploy).
 */
function checked<T extends number | string>(component: string, value: pulumi.Input<T>, problems: (value: T) => string[]): pulumi.Output<T> {
    return pulumi.output(value).apply((arrived) => {
        refuse(component, problems(arrived as T));
        return arrived as T;
    });
}

/** The problems a value has when it is known now, or none yet. */
function knownProblems<T>(value: pulumi.Input<T>, problems: (value: T) => string[]): string[] {
    return typeof value === "number" || typeof value === "string" ? problems(value as T) : [];
}

/** The service id's problem: it must name a service, whose resource group the custom role is defined for. */
function serviceIdProblems(serviceId: string): string[] {
    return serviceResourceGroupId(serviceId)
        ? []
        : [`serviceId: ${JSON.stringify(serviceId)} is not the ARM id of an API Management service (allowed: ${serviceIdAllowed})`];
}

/** The problems of what every schedule takes alike, those known now. */
function scheduleArgsProblems(args: ScheduleArgs): string[] {
    const delay = args.firstRunDelayMinutes ?? 30;
    return [
        ...(Number.isInteger(delay) && delay >= 1 ? [] : [`firstRunDelayMinutes: ${delay} (allowed: whole minutes, 1 or more)`]),
        ...knownProblems(args.serviceId, serviceIdProblems),
    ];
}

/** A scheduled workflow with its custom role, its first run's time, its logs and its failed-runs alert. */
abstract class Schedule extends pulumi.ComponentResource {
    /** The workflow's system-assigned identity. */
    readonly principalId: pulumi.Output<string>;
    /** The custom role's definition id, to assign on the service. */
    readonly roleDefinitionId: pulumi.Output<string>;
    readonly workflowId: pulumi.Output<string>;
    /** When the first run is due (UTC, RFC 3339); the runs follow on the interval from then. */
    readonly firstRunAt: pulumi.Output<string>;

    /** Called once the subclass has refused what it can check now ({@link scheduleArgsProblems} among it). */
    protected constructor(
        type: string,
        name: string,
        args: ScheduleArgs,
        what: string,
        actions: string[],
        definition: (startTime: string) => pulumi.Input<Record<string, unknown>>,
        declared: Record<string, { type: string }>,
        parameters: Record<string, pulumi.Input<unknown>>,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        const component = type.split(":").pop()!;
        super(type, name, {}, opts);
        const subscription = authorization.getClientConfigOutput({ parent: this }).subscriptionId;
        // Custom roles are defined for a management group, a subscription or a resource group, and
        // assigned there or on any resource below it ("The AssignableScopes property specifies the
        // scopes (root, management group, subscriptions, or resource groups) where a role definition
        // can be assigned ... You must use at least one management group, subscription, or resource
        // group": "Understand Azure role definitions", learn.microsoft.com/azure/role-based-access-
        // control/role-definitions#assignablescopes). So the role is defined for the service's
        // resource group and assigned by the stack on the service alone. Defining it takes
        // Microsoft.Authorization/roleDefinitions/write on every assignable scope (custom-roles).
        const resourceGroup = checked(component, args.serviceId, serviceIdProblems).apply((id) => serviceResourceGroupId(id)!);
        const role = new authorization.RoleDefinition(
            `${name}-role`,
            {
                scope: pulumi.interpolate`/subscriptions/${subscription}`,
                roleDefinitionId: roleDefinitionGuid(args.roleName),
                roleName: args.roleName,
                description: `${what} one API Management service (assigned on that service alone, to its scheduled workflow's identity).`,
                roleType: "CustomRole",
                permissions: [{ actions, notActions: [], dataActions: [], notDataActions: [] }],
                assignableScopes: [resourceGroup],
            },
            { parent: this },
        );
        // Fixed when first created, so later deployments keep the schedule where it is.
        const firstRun = new time.Offset(`${name}-first-run`, { offsetMinutes: args.firstRunDelayMinutes ?? 30 }, { parent: this });
        const workflow = new logic.Workflow(
            `${name}-workflow`,
            {
                resourceGroupName: args.resourceGroupName,
                workflowName: args.names.workflow,
                location: args.location,
                state: pulumi
                    .output(args.enabled ?? true)
                    .apply((enabled) => (enabled ? logic.WorkflowState.Enabled : logic.WorkflowState.Disabled)),
                // The identity API Management's storage firewall admits as a trusted service
                // (storage-network-security-trusted-azure-services: Microsoft.Logic/workflows).
                identity: { type: logic.ManagedServiceIdentityType.SystemAssigned },
                definition: firstRun.rfc3339.apply(definition),
                // Each value with the type its definition declares; a secure one secret in the state too.
                parameters: Object.fromEntries(
                    Object.entries(parameters).map(([key, value]) => {
                        const type = declared[key]!.type;
                        return [key, { type, value: type.startsWith("Secure") ? pulumi.secret(value) : value }];
                    }),
                ),
                // A recurrence has no caller; nobody may call the workflow's trigger.
                accessControl: { triggers: { allowedCallerIpAddresses: [] }, contents: runHistoryAccess(args.adminIpRanges) },
                tags: args.tags,
            },
            { parent: this },
        );
        new monitor.DiagnosticSetting(`${name}-logs`, workflowLogs(workflow.id, args.monitoring.workspaceId), { parent: this });
        new monitor.MetricAlert(
            `${name}-failed-runs`,
            failedRunsAlert({
                resourceGroupName: args.resourceGroupName,
                ruleName: args.names.alert,
                description: `A scheduled ${what.toLowerCase()} failed: the disaster-recovery site is not being kept in step (docs/disaster-recovery.md).`,
                severity: 1,
                workflowId: workflow.id,
                actionGroupId: args.monitoring.actionGroupId,
                tags: args.tags,
            }),
            { parent: this },
        );
        this.principalId = workflow.identity.apply((identity) => identity?.principalId ?? "");
        this.roleDefinitionId = role.id;
        this.workflowId = workflow.id;
        this.firstRunAt = firstRun.rfc3339;
        this.registerOutputs({ principalId: this.principalId, roleDefinitionId: this.roleDefinitionId, firstRunAt: this.firstRunAt });
    }
}

/** The active site's scheduled backup: API Management writes with its system-assigned identity. */
export class BackupSchedule extends Schedule {
    constructor(name: string, args: BackupScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
        const component = "BackupSchedule";
        const retention = problemLines(backupRetentionProblems(args.retentionDays), ["retentionDays"]);
        const interval = (minutes: number) => {
            const own = problemLines(backupIntervalProblems(minutes), ["intervalMinutes"]);
            return own.length > 0 || retention.length > 0
                ? own
                : problemLines(backupRetentionScheduleProblems(minutes, args.retentionDays, "intervalMinutes"), ["retentionDays"]);
        };
        refuse(component, [...knownProblems(args.intervalMinutes, interval), ...retention, ...scheduleArgsProblems(args)]);
        const minutes = checked(component, args.intervalMinutes, interval);
        super(
            "enterprise-integration:backup:BackupSchedule",
            name,
            args,
            "Back up",
            backupActions,
            (startTime) => minutes.apply((every) => backupDefinition(every, startTime)),
            backupParameters,
            {
                serviceId: args.serviceId,
                storageAccountName: args.storage.accountName,
                containerName: args.storage.containerName,
                containerUrl: args.storage.containerUrl,
            },
            opts,
        );
    }
}

/** The restore interval's problem: whole minutes, long enough for a restore to end before the next. */
function restoreIntervalProblems(minutes: number): string[] {
    return Number.isInteger(minutes) && minutes >= minimumRestoreMinutes
        ? []
        : [`intervalMinutes: ${minutes} (allowed: whole minutes, ${minimumRestoreMinutes} or more)`];
}

/** The passive site's scheduled restore of the newest complete backup, then its own settings put back. */
export class RestoreSchedule extends Schedule {
    constructor(name: string, args: RestoreScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
        const component = "RestoreSchedule";
        const backups = (minutes: number) => problemLines(backupIntervalProblems(minutes), ["backupIntervalMinutes"]);
        refuse(component, [
            ...knownProblems(args.intervalMinutes, restoreIntervalProblems),
            ...knownProblems(args.backupIntervalMinutes, backups),
            ...scheduleArgsProblems(args),
        ]);
        const minutes = checked(component, args.intervalMinutes, restoreIntervalProblems);
        const backupMinutes = checked(component, args.backupIntervalMinutes, backups);
        super(
            "enterprise-integration:backup:RestoreSchedule",
            name,
            args,
            "Restore",
            restoreActions,
            (startTime) =>
                pulumi
                    .all([minutes, backupMinutes])
                    .apply(([every, backupEvery]) => restoreDefinition(every, startTime, maxBackupAgeMinutes(backupEvery))),
            restoreParameters,
            {
                serviceId: args.serviceId,
                storageAccountName: args.storage.accountName,
                containerName: args.storage.containerName,
                containerUrl: args.storage.containerUrl,
                siteSettings: pulumi.output(args.siteSettings).apply(restoreSteps),
            },
            opts,
        );
    }
}
