import * as assert from "node:assert/strict";
import { backupActions, backupContainer, maxBackupAgeMinutes, restoreActions, type SiteSettingStep } from "../../components/backup";
import { builtInRoles, waitSeconds } from "../../components/identity";
import { intervalMinutes, scheduleDefaults } from "../../stacks/recovery";
import type { RegisteredResource, StackRun } from "../../engine";
import { planGraph, type PlanResource } from "../../commands/plan/graph";
import { diffPlans } from "../../commands/plan/plan-diff";
import { runFixture, stackFileValues, stackRun } from "../helpers";

const roleAssignment = "azure-native:authorization:RoleAssignment";
const workflowType = "azure-native:logic:Workflow";

/** The role a role assignment grants: a built-in role's name, or the custom role definition's id. */
function roleOf(run: StackRun, assignment: RegisteredResource): string {
    const id = String(assignment.inputs.roleDefinitionId);
    const builtIn = Object.entries(builtInRoles).find(([, guid]) => id.endsWith(`/roleDefinitions/${guid}`));
    if (builtIn) {
        return builtIn[0];
    }
    const custom = run.ofType("azure-native:authorization:RoleDefinition").find((definition) => definition.id === id);
    return custom ? `custom ${String(custom.inputs.roleName)}` : id;
}

/** Every grant of a stack as `role to principal on scope`. */
function grantsOf(run: StackRun, name: string): Record<string, { role: string; principalId: string; scope: string }> {
    return Object.fromEntries(
        run
            .ofType(roleAssignment)
            .filter((assignment) => assignment.name.startsWith(`${name}-`))
            .map((assignment) => [
                assignment.name.slice(name.length + 1),
                {
                    role: roleOf(run, assignment),
                    principalId: String(assignment.inputs.principalId),
                    scope: String(assignment.inputs.scope),
                },
            ]),
    );
}

const service = (run: StackRun) => run.ofType("azure-native:apimanagement:ApiManagementService")[0]!;

/**
 * The resources of the service a restore overwrites: every entity under it (API Management's
 * configuration), but not the service's own settings (host names, identities, capacity: "Restore
 * operation doesn't change custom hostname configuration of the target service"; identities are
 * not in a backup) and not the developer portal's content (not in a backup either).
 */
function restoredBy(run: StackRun): RegisteredResource[] {
    const serviceName = service(run).inputs.serviceName;
    return [
        ...run.resources.filter(
            (resource) =>
                resource.custom &&
                (resource.inputs.serviceName === serviceName || resource.inputs.parentResourcePath === `service/${serviceName}`) &&
                resource.type !== "azure-native:apimanagement:ApiManagementService" &&
                !(resource.type === "azure-native:resources:Resource" && resource.inputs.resourceType === "portalRevisions"),
        ),
        ...run.ofType("azure-native:resources:Deployment").flatMap((deployment) => templateResources(deployment, serviceName)),
    ];
}

/**
 * The settings of the service an ARM deployment writes (the portal's sign-up setting), each as a
 * generic resource of the service would register it; a portal revision is no setting.
 */
function templateResources(deployment: RegisteredResource, serviceName: unknown): RegisteredResource[] {
    const properties = deployment.inputs.properties as {
        parameters?: Record<string, { value?: unknown }>;
        template?: { resources?: Array<{ type: string; name: string; properties: unknown }> };
    };
    if (properties.parameters?.serviceName?.value !== serviceName) {
        return [];
    }
    return (properties.template?.resources ?? [])
        .filter((resource) => resource.type.startsWith("Microsoft.ApiManagement/service/") && !resource.type.endsWith("/portalRevisions"))
        .map((resource) => {
            const resourceType = resource.type.split("/").pop()!;
            const resourceName = /format\('\{0\}\/([^']+)'/.exec(resource.name)?.[1] ?? resource.name;
            return {
                ...deployment,
                type: "azure-native:resources:Resource",
                name: `${deployment.name}/${resourceType}`,
                inputs: { resourceType, resourceName, properties: resource.properties },
            };
        });
}

/** A resource's inputs as one site's and the other's compare: where it is left out, the service's own id made neutral. */
function siteNeutral(run: StackRun, inputs: Record<string, unknown>): string {
    const { resourceGroupName, serviceName, parentResourcePath, ...rest } = inputs;
    void [resourceGroupName, serviceName, parentResourcePath];
    return JSON.stringify(rest).split(service(run).id!).join("<service>");
}

/** The path under the service a resource's PUT goes to, as the restore's steps name it. */
function pathOf(resource: RegisteredResource): string {
    const inputs = resource.inputs;
    const byType: Record<string, () => string> = {
        "azure-native:apimanagement:Backend": () => `backends/${inputs.backendId}`,
        "azure-native:apimanagement:NamedValue": () => `namedValues/${inputs.namedValueId}`,
        "azure-native:apimanagement:Certificate": () => `certificates/${inputs.certificateId}`,
        "azure-native:apimanagement:Logger": () => `loggers/${inputs.loggerId}`,
        "azure-native:apimanagement:Diagnostic": () => `diagnostics/${inputs.diagnosticId}`,
        "azure-native:apimanagement:IdentityProvider": () => `identityProviders/${inputs.identityProviderName}`,
        "azure-native:apimanagement:Policy": () => `policies/${inputs.policyId}`,
        "azure-native:apimanagement:Api": () => `apis/${inputs.apiId}`,
        "azure-native:resources:Resource": () => `${inputs.resourceType}/${inputs.resourceName}`,
    };
    return byType[resource.type]?.() ?? `${resource.type} ${resource.name}`;
}

/** The properties of a resource's PUT: its inputs but those that name it. */
function propertiesOf(resource: RegisteredResource): Record<string, unknown> {
    if (resource.type === "azure-native:resources:Resource") {
        return resource.inputs.properties as Record<string, unknown>;
    }
    const naming = [
        "resourceGroupName",
        "serviceName",
        "backendId",
        "namedValueId",
        "certificateId",
        "identityProviderName",
        "policyId",
        "apiId",
        ...(resource.type === "azure-native:apimanagement:Logger" ? ["loggerId"] : []),
        "diagnosticId",
    ];
    return Object.fromEntries(Object.entries(resource.inputs).filter(([key]) => !naming.includes(key)));
}

describe("disaster recovery: prod backs up, prod-dr restores and puts its own settings back", () => {
    let prod: StackRun;
    let dr: StackRun;
    before(async () => {
        prod = await stackRun("prod");
        dr = await stackRun("prod-dr");
    });

    describe("the active site (prod)", () => {
        it("keeps its backups in the DR site's region, in a resource group of its own, for the days its stack file says", () => {
            const drConfig = stackFileValues("prod").dr;
            const account = prod.get("azure-native:storage:StorageAccount", "backup-storage-account");
            assert.equal(account.inputs.location, drConfig.location);
            assert.notEqual(account.inputs.location, stackFileValues("prod").location, "the backups survive the primary region");
            const group = prod.get("azure-native:resources:ResourceGroup", "foundation-rg-backup");
            assert.equal(account.inputs.resourceGroupName, group.inputs.resourceGroupName);
            assert.equal(group.inputs.location, drConfig.location);
            assert.equal(group.protect, true);
            const rule = (prod.get("azure-native:storage:ManagementPolicy", "backup-storage-lifecycle").inputs.policy as any).rules[0];
            assert.equal(
                rule.definition.actions.baseBlob.delete.daysAfterModificationGreaterThan,
                drConfig.backupRetentionDays ?? scheduleDefaults.backupRetentionDays,
            );
            assert.ok(
                account.protect && prod.get("azure-native:storage:BlobContainer", "backup-storage-container").protect,
                "a production stack protects its backups",
            );
        });

        it("backs up on its interval, as an identity that may only back up its service and mark the one container; API Management writes with its own identity", () => {
            const workflow = prod.get(workflowType, "backup-workflow");
            const minutes = intervalMinutes(stackFileValues("prod").dr.backupInterval ?? scheduleDefaults.backupInterval)!;
            const { startTime, ...every } = (workflow.inputs.definition as any).triggers.Every_interval.recurrence;
            void startTime;
            assert.deepEqual(
                every,
                minutes % 60 === 0 ? { frequency: "Hour", interval: minutes / 60 } : { frequency: "Minute", interval: minutes },
            );
            assert.equal((workflow.inputs.parameters as any).serviceId.value, service(prod).id);
            const principal = (workflow.outputs.identity as { principalId: string }).principalId;
            const container = prod.get("azure-native:storage:BlobContainer", "backup-storage-container");
            const systemIdentity = (service(prod).outputs.identity as { principalId: string }).principalId;
            assert.deepEqual(grantsOf(prod, "backup-access"), {
                "backup-workflow-backs-up": {
                    role: "custom integration-prod API Management backup",
                    principalId: principal,
                    scope: service(prod).id,
                },
                "backup-workflow-marks": { role: "Storage Blob Data Contributor", principalId: principal, scope: container.id },
                "gateway-writes-backups": { role: "Storage Blob Data Contributor", principalId: systemIdentity, scope: container.id },
            });
            // Defined for the service's resource group (role-definitions#assignablescopes), assigned on the service above.
            const role = prod.get("azure-native:authorization:RoleDefinition", "backup-role").inputs;
            assert.deepEqual(
                [(role.permissions as any)[0].actions, role.assignableScopes],
                [backupActions, [service(prod).id!.slice(0, service(prod).id!.indexOf("/providers/"))]],
            );
            // The grants need the workflow's identity, so they come after it: its first run waits
            // for their propagation wait and 20 minutes more.
            const wait = waitSeconds(stackFileValues("prod").identity?.roleAssignmentWait ?? "10m")!;
            assert.equal(prod.get("time:index/offset:Offset", "backup-first-run").inputs.offsetMinutes, 20 + Math.ceil(wait / 60));
            assert.equal(
                (workflow.inputs.definition as any).triggers.Every_interval.recurrence.startTime,
                prod.get("time:index/offset:Offset", "backup-first-run").outputs.rfc3339,
            );
        });

        it("tells its DR site where the backups are and how often to restore them", () => {
            const container = prod.get("azure-native:storage:BlobContainer", "backup-storage-container");
            const account = prod.get("azure-native:storage:StorageAccount", "backup-storage-account");
            assert.deepEqual(prod.outputs.backup, {
                accountName: account.outputs.name,
                containerName: backupContainer,
                containerId: container.id,
                containerUrl: `${String((account.outputs.primaryEndpoints as { blob: string }).blob).replace(/\/$/, "")}/${backupContainer}`,
                backupIntervalMinutes: intervalMinutes(stackFileValues("prod").dr.backupInterval ?? scheduleDefaults.backupInterval),
                restoreIntervalMinutes: intervalMinutes(stackFileValues("prod").dr.restoreInterval ?? scheduleDefaults.restoreInterval),
            });
        });

        it("is the only site that backs up: a stack without a DR site has no backups, the DR site no backup storage", async () => {
            const dev = await stackRun("dev");
            for (const run of [dev, dr]) {
                assert.equal(run.ofType("enterprise-integration:backup:BackupStorage").length, 0, run.stack);
                assert.equal(run.ofType("enterprise-integration:backup:BackupSchedule").length, 0, run.stack);
            }
            assert.equal(dev.ofType("enterprise-integration:backup:RestoreSchedule").length, 0);
            assert.equal(dev.outputs.backup, undefined);
        });
    });

    describe("the passive site (prod-dr)", () => {
        const steps = (): { puts: SiteSettingStep[]; patches: SiteSettingStep[] } =>
            (dr.get(workflowType, "restore-workflow").inputs.parameters as any).siteSettings.value;

        it("restores prod's backups on prod's restore interval, from the container prod's outputs name", () => {
            const workflow = dr.get(workflowType, "restore-workflow");
            const minutes = prod.outputs.backup.restoreIntervalMinutes;
            assert.deepEqual(
                [
                    (workflow.inputs.definition as any).triggers.Every_interval.recurrence.frequency,
                    (workflow.inputs.definition as any).triggers.Every_interval.recurrence.interval,
                ],
                ["Hour", minutes / 60],
            );
            const parameters = workflow.inputs.parameters as any;
            assert.deepEqual(
                [
                    parameters.serviceId.value,
                    parameters.storageAccountName.value,
                    parameters.containerName.value,
                    parameters.containerUrl.value,
                ],
                [service(dr).id, prod.outputs.backup.accountName, backupContainer, prod.outputs.backup.containerUrl],
            );
            assert.equal(
                workflow.inputs.location,
                stackFileValues("prod-dr").location,
                "in the DR region, next to its service and the backups",
            );
            const stopped = (workflow.inputs.definition as any).actions.Backups_stopped.expression.and[0].less[1];
            assert.equal(
                stopped,
                `@ticks(addMinutes(utcNow(), -${maxBackupAgeMinutes(prod.outputs.backup.backupIntervalMinutes)}))`,
                "prod's backups are stale after three of prod's intervals",
            );
        });

        it("lists the backups with a read-only role on prod's container, restores with the service's Storage Blob Data Contributor on prod's backup account (the backup and restore guide), and may restore and write its settings on its own service alone", () => {
            const principal = (dr.get(workflowType, "restore-workflow").outputs.identity as { principalId: string }).principalId;
            const systemIdentity = (service(dr).outputs.identity as { principalId: string }).principalId;
            assert.deepEqual(grantsOf(dr, "restore-access"), {
                "restore-workflow-restores": {
                    role: "custom integration-prod-dr API Management restore",
                    principalId: principal,
                    scope: service(dr).id,
                },
                "restore-workflow-lists-backups": {
                    role: "Storage Blob Data Reader",
                    principalId: principal,
                    scope: prod.outputs.backup.containerId,
                },
                "gateway-restores-from-backups": {
                    role: "Storage Blob Data Contributor",
                    principalId: systemIdentity,
                    scope: prod.get("azure-native:storage:StorageAccount", "backup-storage-account").id,
                },
            });
            const role = dr.get("azure-native:authorization:RoleDefinition", "restore-role").inputs;
            assert.deepEqual(
                [(role.permissions as any)[0].actions, role.assignableScopes],
                [restoreActions, [service(dr).id!.slice(0, service(dr).id!.indexOf("/providers/"))]],
            );
        });

        it("puts back every setting a restore brings from prod that differs on prod-dr", () => {
            const ours = new Map(restoredBy(prod).map((resource) => [`${resource.type} ${resource.name}`, resource]));
            const differing = restoredBy(dr).filter((resource) => {
                const theirs = ours.get(`${resource.type} ${resource.name}`);
                return theirs !== undefined && siteNeutral(dr, resource.inputs) !== siteNeutral(prod, theirs.inputs);
            });
            const stepPaths = [...steps().puts, ...steps().patches].map((step) => step.path);
            assert.ok(differing.length >= 4, "the sites differ in backends, named values, the logger, the policy");
            for (const resource of differing) {
                assert.ok(
                    stepPaths.includes(pathOf(resource)),
                    `${resource.type} ${resource.name} (${pathOf(resource)}) differs between the sites, and the restore puts it back`,
                );
            }
        });

        it("puts back exactly what prod-dr's plan deploys: each step the path and properties of one of its resources", () => {
            const byPath = new Map(restoredBy(dr).map((resource) => [pathOf(resource), resource]));
            for (const step of steps().puts) {
                const resource = byPath.get(step.path);
                assert.ok(resource, `${step.path} is a resource prod-dr deploys`);
                assert.deepEqual(step.body.properties, propertiesOf(resource), step.path);
            }
            // The restore workflow's role may write every kind of setting it puts back (RBAC names are case-insensitive).
            const writes = restoreActions.map((action) => action.toLowerCase());
            for (const step of [...steps().puts, ...steps().patches]) {
                const kind = step.path.split("/")[0]!;
                assert.ok(
                    writes.includes(`microsoft.apimanagement/service/${kind.toLowerCase()}/write`),
                    `the restore role may write ${kind}`,
                );
            }
            assert.ok(steps().patches.length > 0);
            for (const step of steps().patches) {
                const resource = byPath.get(step.path);
                assert.ok(resource?.type === "azure-native:apimanagement:Api", `${step.path} is an API revision prod-dr deploys`);
                assert.deepEqual(step.body.properties, { serviceUrl: resource.inputs.serviceUrl });
            }
        });

        it("keeps the settings it puts back secret in its state (the portal's client secret is one)", () => {
            assert.ok(dr.get(workflowType, "restore-workflow").secretInputs.includes("parameters"));
            const provider = steps().puts.find((step) => step.path === "identityProviders/aad");
            assert.ok(provider && typeof provider.body.properties.clientSecret === "string");
        });

        it("after a restore, a refreshed plan puts prod-dr's own values back, and changes nothing else", () => {
            // The state as a restore leaves it: what the restore overwrites holds prod's inputs (on
            // prod-dr's service: its own names and ids stay).
            const ours = new Map(restoredBy(prod).map((resource) => [`${resource.type} ${resource.name}`, resource]));
            const restored = new Set(restoredBy(dr).map((resource) => resource.urn));
            const deployed = planGraph(dr, { deployed: true });
            const refreshed = deployed.resources.map((resource): PlanResource => {
                const theirs = ours.get(`${resource.type} ${resource.name}`);
                if (!restored.has(resource.urn) || !theirs) {
                    return resource;
                }
                const inputs = JSON.parse(JSON.stringify(theirs.inputs).split(service(prod).id!).join(service(dr).id!));
                // Where it is stays prod-dr's: its group, its service (by name, or as a generic resource's parent path).
                const where = Object.fromEntries(
                    ["resourceGroupName", "serviceName", "parentResourcePath"]
                        .filter((key) => key in resource.inputs)
                        .map((key) => [key, resource.inputs[key]]),
                );
                return { ...resource, inputs: { ...inputs, ...where } };
            });
            const diff = diffPlans({ ...deployed, resources: refreshed }, deployed);
            const changes = diff.steps;
            assert.ok(changes.length > 0);
            assert.ok(
                changes.every((change) => change.op === "update" && restored.has(change.urn)),
                JSON.stringify(changes.map((change) => [change.op, change.name])),
            );
            const backend = changes.find((change) => change.name === "catalog-backend-ledger");
            const ledger = dr.get("azure-native:apimanagement:Backend", "catalog-backend-ledger").inputs.url;
            assert.deepEqual(backend?.changes, [
                {
                    path: "url",
                    before: prod.get("azure-native:apimanagement:Backend", "catalog-backend-ledger").inputs.url,
                    after: ledger,
                },
            ]);
            const vault = changes.find((change) => change.name === "catalog-nv-shipment-intake-sig");
            assert.deepEqual(
                vault?.changes.map((change) => [change.path, change.after]),
                [
                    [
                        "keyVault.secretIdentifier",
                        dr.get("azure-native:apimanagement:NamedValue", "catalog-nv-shipment-intake-sig").inputs.keyVault![
                            "secretIdentifier" as never
                        ],
                    ],
                ],
            );
            // Every setting the plan puts back is one the restore workflow puts back as well.
            const stepPaths = [...steps().puts, ...steps().patches].map((step) => step.path);
            for (const change of changes) {
                assert.ok(
                    stepPaths.includes(pathOf(dr.resources.find((resource) => resource.urn === change.urn)!)),
                    `${change.name} is also put back after each restore`,
                );
            }
        });

        it("stops restoring while it serves traffic, and prod stops backing up, both on prod's dns.activeSite alone", async () => {
            assert.equal(dr.get(workflowType, "restore-workflow").inputs.state, "Enabled");
            assert.equal(prod.get(workflowType, "backup-workflow").inputs.state, "Enabled");
            const failedOver = { ...prod.outputs, dns: { ...prod.outputs.dns, activeSite: "dr" } };
            const drServing = await runFixture({
                stack: "prod-dr",
                stackReferences: { "organization/enterprise-integration/prod": failedOver },
            });
            assert.equal(drServing.get(workflowType, "restore-workflow").inputs.state, "Disabled");
            const prodSwitched = await runFixture({
                stack: "prod",
                config: { dns: { ...stackFileValues("prod").dns, activeSite: "dr" } },
                stackReferences: { "organization/enterprise-integration/prod-dr": dr.outputs },
            });
            assert.equal(prodSwitched.get(workflowType, "backup-workflow").inputs.state, "Disabled");
        });

        it("cannot be planned before its active site has deployed its backups", async () => {
            const { backup, ...withoutBackups } = prod.outputs;
            void backup;
            await assert.rejects(
                runFixture({ stack: "prod-dr", stackReferences: { "organization/enterprise-integration/prod": withoutBackups } }),
                /Stack prod has no backup output: give it dr\.stack and dr\.location, and run pulumi up on it first/,
            );
        });
    });
});
