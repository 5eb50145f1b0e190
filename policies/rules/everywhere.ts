import type { Rule } from "../rule";

/** Rules for every resource of the stack: tags, protection, role assignments. */

/** The tags every Azure resource that takes tags carries (the architecture's tagging standard). */
export const requiredTags = ["environment", "workload", "owner", "costCenter", "stack", "managedBy"];

/** What losing loses state: protected in production stacks. */
export const statefulTypes = [
    "azure-native:resources:ResourceGroup",
    "azure-native:apimanagement:ApiManagementService",
    "azure-native:keyvault:Vault",
    "azure-native:keyvault:Secret",
    "azure-native:storage:StorageAccount",
    "azure-native:storage:BlobContainer",
    "azure-native:dns:Zone",
    "random:index/randomString:RandomString",
    "random:index/randomPassword:RandomPassword",
];

/** Built-in roles that manage everything in their scope, by definition id. */
export const privilegedRoles: Readonly<Record<string, string>> = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
};

export const everywhereRules: Rule[] = [
    {
        kind: "resource",
        id: "required-tags",
        // Tracked Azure resources (they have a location) take tags.
        types: (resource) => resource.type.startsWith("azure-native:") && typeof resource.props.location === "string",
        level: "mandatory",
        description: "A resource without the standard tags has no owner, cost centre or stack to trace it to.",
        remediation: `Tag every Azure resource that has a location with ${requiredTags.join(", ")} (the program does it from the stack file).`,
        source: "PSRule for Azure Azure.Resource.RequiredTags; Azure Policy: Require a tag on resources; the architecture's tagging standard",
        url: "https://learn.microsoft.com/azure/azure-resource-manager/management/tag-policies",
        check: (resource) => {
            const tags = (resource.props.tags ?? {}) as Record<string, unknown>;
            const missing = requiredTags.filter((tag) => typeof tags[tag] !== "string" || tags[tag] === "");
            return missing.length > 0 ? [`has no ${missing.join(", ")} tag${missing.length > 1 ? "s" : ""}`] : [];
        },
    },
    {
        kind: "resource",
        id: "stateful-protected-production",
        types: statefulTypes,
        level: "mandatory",
        facts: ["production"],
        description:
            "In production, a stateful resource that is not protected is deleted by a mistaken pulumi destroy or a removed line of code.",
        remediation: "Set protect: true in production stacks (the program does with protect: true in the stack file).",
        source: "The architecture: stateful production resources are protected",
        url: "https://www.pulumi.com/docs/iac/concepts/options/protect/",
        check: (resource, facts) => (facts.production && !resource.protect ? ["is not protected"] : []),
    },
    {
        kind: "resource",
        id: "role-assignment-scope",
        types: ["azure-native:authorization:RoleAssignment"],
        level: "mandatory",
        description: "A role assignment at subscription scope reaches every resource in the subscription, this platform's and others'.",
        remediation: "Assign roles on a resource group or a resource.",
        source: "Microsoft Learn, Best practices for Azure RBAC (Only grant the access users need)",
        url: "https://learn.microsoft.com/azure/role-based-access-control/best-practices",
        check: (assignment) =>
            /^\/subscriptions\/[^/]+\/?$/i.test(String(assignment.props.scope ?? ""))
                ? [`is scoped to the whole subscription ${String(assignment.props.scope)}`]
                : [],
    },
    {
        kind: "resource",
        id: "role-assignment-not-privileged",
        types: ["azure-native:authorization:RoleAssignment"],
        level: "mandatory",
        description:
            "Owner, Contributor and User Access Administrator let a workload identity change or take over everything in its scope.",
        remediation:
            "Grant a workload identity the narrowest built-in data role it needs (Key Vault Secrets User, Storage Blob Data Contributor, ...).",
        source: "Microsoft Learn, Best practices for Azure RBAC (use a narrow scope for privileged administrator roles); Checkov has no check for assignments",
        url: "https://learn.microsoft.com/azure/role-based-access-control/best-practices",
        check: (assignment) => {
            const role =
                privilegedRoles[
                    String(assignment.props.roleDefinitionId ?? "")
                        .split("/")
                        .pop()!
                        .toLowerCase()
                ];
            return role && String(assignment.props.principalType ?? "ServicePrincipal") === "ServicePrincipal"
                ? [`gives a workload identity ${role}`]
                : [];
        },
    },
];
