import { builtInRoles } from "../../components/identity";
import { unknownMarker } from "../../engine/values";
import { usdChangeText } from "../cost/text";
import type { PlanResource } from "./graph";
import { list, record, text } from "./summaries";
import type { PlanDiff, Step } from "./plan-diff";

/**
 * The changes a reviewer must not miss, put at the top of a diff: a tier or capacity change and
 * what it does to the monthly bill, a region removed, deletion protection removed, a stateful
 * resource deleted or replaced, a policy weakened, a role assignment widened, a DNS record
 * repointed.
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

/** Policy elements whose removal opens an API up. */
const guards: Readonly<Record<string, string>> = {
    "validate-jwt": "token validation",
    "validate-azure-ad-token": "token validation",
    "rate-limit": "rate limit",
    "rate-limit-by-key": "rate limit",
    quota: "quota",
    "quota-by-key": "quota",
    "ip-filter": "IP restriction",
    "check-header": "header check",
};

const policyTypes = new Set([
    "azure-native:apimanagement:Policy",
    "azure-native:apimanagement:ApiPolicy",
    "azure-native:apimanagement:ApiOperationPolicy",
    "azure-native:apimanagement:ProductPolicy",
]);

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

function autoscaleHazards(step: Step): Hazard[] {
    if (step.type !== "azure-native:monitor:AutoscaleSetting" || !step.before || !step.after) {
        return [];
    }
    const capacity = (inputs: Record<string, unknown>) => list(inputs.profiles).map((profile) => record(record(profile).capacity));
    const before = capacity(step.before.inputs);
    const after = capacity(step.after.inputs);
    return JSON.stringify(before) === JSON.stringify(after)
        ? []
        : [
              {
                  kind: "capacity",
                  resource: label(step),
                  message: `autoscale's range goes from ${before.map((c) => `${text(c.minimum)}-${text(c.maximum)}`).join(", ")} to ${after.map((c) => `${text(c.minimum)}-${text(c.maximum)}`).join(", ")} units`,
              },
          ];
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

/** The guards a policy document applies, counted. */
function guardCounts(xml: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const element of Object.keys(guards)) {
        const found = xml.match(new RegExp(`<${element}[\\s/>]`, "g"))?.length ?? 0;
        if (found > 0) {
            counts.set(element, found);
        }
    }
    return counts;
}

function policyHazards(step: Step): Hazard[] {
    if (!policyTypes.has(step.type) || !step.before) {
        return [];
    }
    const before = guardCounts(text(step.before.inputs.value));
    const after = guardCounts(step.after ? text(step.after.inputs.value) : "");
    const weakened = [...before.entries()].filter(([element, count]) => (after.get(element) ?? 0) < count).map(([element]) => element);
    return weakened.map((element) => ({
        kind: "policy" as const,
        resource: label(step),
        message: `${step.op === "delete" ? "the policy is deleted, and with it" : "the policy loses"} ${guards[element]} (<${element}>)`,
    }));
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
        ...autoscaleHazards(step),
        ...protectionHazards(step),
        ...statefulHazards(step),
        ...policyHazards(step),
        ...accessHazards(step, options.existing),
        ...dnsHazards(step),
    ]);
}
