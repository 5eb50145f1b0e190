import { builtInRoles } from "../../components/identity";
import { unknownMarker } from "../../engine/values";
import { usdChangeText } from "../cost/text";
import type { PlanResource } from "./graph";
import { policyHazards } from "./policy-hazards";
import { list, record, text } from "./summaries";
import type { PlanDiff, Step } from "./plan-diff";

/**
 * The changes a reviewer must not miss, put at the top of a diff, each said as what it does: a
 * change of the units API Management runs (or of autoscale's range) and what it does to the
 * monthly bill, a region removed, deletion protection removed, a stateful resource deleted or
 * replaced, a method that loses its token validation or that the gateway now refuses, a rate limit
 * or quota removed or raised past its factor (policy-hazards.ts), a role assignment widened, a DNS
 * record repointed.
 */

export interface Hazard {
    kind: "capacity" | "region" | "protection" | "stateful" | "policy" | "access" | "dns";
    /** The resource, as `type name`. */
    resource: string;
    message: string;
}

/** What a resource costs a month before and after the change, from the cost estimates; undefined when not priced. */
export type MonthlyUsd = (side: "before" | "after", urn: string) => number | undefined;

/** Resources whose loss loses data or identity: deleting or replacing one is never routine. */
const statefulTypes: Readonly<Record<string, string>> = {
    "azure-native:apimanagement:ApiManagementService": "API Management (its users, subscriptions and keys, its host names)",
    "azure-native:keyvault:Vault": "the Key Vault and every secret in it",
    "azure-native:keyvault:Secret": "a secret",
    "azure-native:dns:Zone": "the DNS zone (its name servers change: the domain's delegation breaks)",
    "azure-native:storage:StorageAccount": "a storage account and its data",
    "azure-native:storage:BlobContainer": "a blob container and its blobs",
    "azure-native:operationalinsights:Workspace": "the Log Analytics workspace and its logs",
    "azure-native:applicationinsights:Component": "Application Insights and its telemetry",
    "azure-native:resources:ResourceGroup": "a resource group and everything in it",
    "random:index/randomString:RandomString": "the name suffix (every globally named resource is renamed, so replaced)",
    "azuread:index/application:Application": "an Entra ID application (its client id changes)",
};

/** Roles that can change what they are granted on, or everything. */
const broadRoles: Readonly<Record<string, string>> = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
};

const label = (step: Step) => `${step.type} ${step.name}`;

function units(inputs: Record<string, unknown>): string {
    const sku = record(inputs.sku);
    const extra = list(inputs.additionalLocations).map(
        (location) => `${text(record(record(location).sku).capacity)} in ${text(record(location).location)}`,
    );
    return `${text(sku.name)}, ${text(sku.capacity)} ${text(sku.capacity) === "1" ? "unit" : "units"} in ${text(inputs.location)}${extra.length > 0 ? ` + ${extra.join(" + ")}` : ""}`;
}

function regionsOf(inputs: Record<string, unknown>): string[] {
    return [text(inputs.location), ...list(inputs.additionalLocations).map((location) => text(record(location).location))].filter(Boolean);
}

function serviceHazards(step: Step, monthlyUsd?: MonthlyUsd): Hazard[] {
    if (step.type !== "azure-native:apimanagement:ApiManagementService" || !step.before || !step.after) {
        return [];
    }
    const before = step.before.inputs;
    const after = step.after.inputs;
    const hazards: Hazard[] = [];
    if (units(before) !== units(after)) {
        const cost = monthlyUsd ? [monthlyUsd("before", step.urn), monthlyUsd("after", step.urn)] : [];
        const delta =
            cost.length === 2 && cost[0] !== undefined && cost[1] !== undefined
                ? `, ${usdChangeText(cost[1] - cost[0])} a month at list prices`
                : "";
        hazards.push({
            kind: "capacity",
            resource: label(step),
            message: `API Management goes from ${units(before)} to ${units(after)}${delta}`,
        });
    }
    const removed = regionsOf(before).filter((region) => !regionsOf(after).includes(region));
    if (removed.length > 0) {
        hazards.push({
            kind: "region",
            resource: label(step),
            message: `API Management leaves ${removed.join(", ")}: the gateway there stops serving`,
        });
    }
    return hazards;
}

/**
 * Autoscale's range: each profile's minimum-maximum units, or "off" when the setting is disabled.
 * The profile's `default` (the units when the metric cannot be read) and its rules are not the
 * range: a change to them alone is no capacity hazard.
 */
function autoscaleRange(inputs: Record<string, unknown>): string {
    if (inputs.enabled === false) {
        return "off";
    }
    return list(inputs.profiles)
        .map((profile) => record(record(profile).capacity))
        .map((capacity) => `${text(capacity.minimum)}-${text(capacity.maximum)}`)
        .join(", ");
}

function autoscaleHazards(step: Step, existing: boolean): Hazard[] {
    if (step.type !== "azure-native:monitor:AutoscaleSetting") {
        return [];
    }
    const hazard = (message: string): Hazard[] => [{ kind: "capacity", resource: label(step), message }];
    if (step.op === "delete" && step.before) {
        return hazard(`autoscale (${autoscaleRange(step.before.inputs)} units) is deleted: the units stay where it last left them`);
    }
    if (step.op === "create" && step.after) {
        return existing ? hazard(`autoscale takes over the units: ${autoscaleRange(step.after.inputs)}`) : [];
    }
    if (!step.before || !step.after) {
        return [];
    }
    const before = autoscaleRange(step.before.inputs);
    const after = autoscaleRange(step.after.inputs);
    if (before === after) {
        return [];
    }
    if (after === "off") {
        return hazard(`autoscale is turned off (${before} units before): the units stay where it last left them`);
    }
    return hazard(before === "off" ? `autoscale is turned on: ${after} units` : `autoscale's range goes from ${before} to ${after} units`);
}

function protectionHazards(step: Step): Hazard[] {
    if (step.before?.protect && step.after && !step.after.protect) {
        return [{ kind: "protection", resource: label(step), message: "deletion protection is removed" }];
    }
    if (step.before?.protect && (step.op === "delete" || step.op === "replace")) {
        return [
            {
                kind: "protection",
                resource: label(step),
                message: `is protected: pulumi up refuses to ${step.op} it until protect is turned off`,
            },
        ];
    }
    return [];
}

function statefulHazards(step: Step): Hazard[] {
    const what = statefulTypes[step.type];
    if (!what || (step.op !== "delete" && step.op !== "replace")) {
        return [];
    }
    const why =
        step.op === "replace" ? ` (replaced because ${step.replaceReasons.map((reason) => `\`${reason}\``).join(", ")} changes)` : "";
    return [{ kind: "stateful", resource: label(step), message: `${step.op === "delete" ? "deletes" : "replaces"} ${what}${why}` }];
}

function roleOf(id: unknown): string {
    const guid = text(id).split("/").pop() ?? "";
    return broadRoles[guid] ?? Object.entries(builtInRoles).find(([, value]) => value === guid)?.[0] ?? guid;
}

/** How much a scope covers: a subscription (3), a resource group (2), a resource (1); 0 when it is known only after deploy. */
function breadth(scope: unknown): number {
    if (text(scope).includes(unknownMarker)) {
        return 0;
    }
    const parts = text(scope).split("/").filter(Boolean);
    return parts.length <= 2 ? 3 : parts.length <= 4 ? 2 : 1;
}

function accessHazards(step: Step, existing: boolean): Hazard[] {
    if (step.type === "azure-native:authorization:RoleAssignment" && step.after) {
        const after = step.after.inputs;
        const role = roleOf(after.roleDefinitionId);
        const broad = Object.values(broadRoles).includes(role);
        if (step.op === "create") {
            return existing && (broad || breadth(after.scope) > 1)
                ? [{ kind: "access", resource: label(step), message: `grants ${role} on ${text(after.scope)}` }]
                : [];
        }
        const before = step.before!.inputs;
        const hazards: Hazard[] = [];
        if (roleOf(before.roleDefinitionId) !== role) {
            hazards.push({
                kind: "access",
                resource: label(step),
                message: `the role changes from ${roleOf(before.roleDefinitionId)} to ${role}`,
            });
        }
        if (breadth(before.scope) > 0 && breadth(after.scope) > breadth(before.scope)) {
            hazards.push({
                kind: "access",
                resource: label(step),
                message: `the scope widens from ${text(before.scope)} to ${text(after.scope)}`,
            });
        }
        return hazards;
    }
    if (step.type === "azure-native:authorization:RoleDefinition" && step.before && step.after) {
        const actions = (inputs: Record<string, unknown>) =>
            list(inputs.permissions).flatMap((permission) =>
                [...list(record(permission).actions), ...list(record(permission).dataActions)].map(text),
            );
        const added = actions(step.after.inputs).filter((action) => !actions(step.before!.inputs).includes(action));
        return added.length > 0 ? [{ kind: "access", resource: label(step), message: `the custom role gains ${added.join(", ")}` }] : [];
    }
    return [];
}

function dnsHazards(step: Step): Hazard[] {
    if (step.type !== "azure-native:dns:RecordSet" || !step.before) {
        return [];
    }
    const name = `${text(step.before.inputs.relativeRecordSetName)}.${text(step.before.inputs.zoneName)}`;
    if (step.op === "delete") {
        return [{ kind: "dns", resource: label(step), message: `the ${text(step.before.inputs.recordType)} record ${name} is deleted` }];
    }
    const target = (resource: PlanResource) =>
        JSON.stringify([resource.inputs.cnameRecord, resource.inputs.aRecords, resource.inputs.txtRecords]);
    if (step.after && target(step.before) !== target(step.after)) {
        const cname = (inputs: Record<string, unknown>) => text(record(inputs.cnameRecord).cname);
        const to = cname(step.after.inputs) ? `: ${cname(step.before.inputs)} → ${cname(step.after.inputs)}` : "";
        return [{ kind: "dns", resource: label(step), message: `${name} is repointed${to}` }];
    }
    return [];
}

/** The hazards of a diff, in the order of its steps. `monthlyUsd` prices a capacity change. */
export function hazardsOf(diff: PlanDiff, options: { existing: boolean; monthlyUsd?: MonthlyUsd }): Hazard[] {
    return diff.steps.flatMap((step) => [
        ...serviceHazards(step, options.monthlyUsd),
        ...autoscaleHazards(step, options.existing),
        ...protectionHazards(step),
        ...statefulHazards(step),
        ...policyHazards(step, diff),
        ...accessHazards(step, options.existing),
        ...dnsHazards(step),
    ]);
}
