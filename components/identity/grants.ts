import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as time from "@pulumiverse/time";
import { stableGuid } from "../common/guid";
import { ArgumentsError } from "../common/rules";

/**
 * Azure role assignments, least privilege: the built-in roles listed here, or a custom role the
 * stack defines for one job (the scheduled backup and restore), each at the narrowest scope that
 * works (a vault, a container, a service), never the subscription, never Owner or Contributor. Each assignment's name is a GUID derived from scope, principal and role, so a re-run
 * or a second deployment of the same grant never duplicates it.
 */

/** The built-in roles the platform grants, by their fixed role definition ids. */
export const builtInRoles = {
    /** Send messages to Service Bus queues and topics (a workflow's Service Bus connection). */
    "Azure Service Bus Data Sender": "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
    /** Receive messages from Service Bus queues and subscriptions. */
    "Azure Service Bus Data Receiver": "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",
    /** Send events to Event Hubs. */
    "Azure Event Hubs Data Sender": "2b629674-e913-4c01-ae53-ef4638d8f975",
    /** Receive events from Event Hubs. */
    "Azure Event Hubs Data Receiver": "a638d3c7-ab3a-418d-83e6-5f17a39d4fde",
    /** Read secret contents (API Management named values and certificates). */
    "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
    /** Read-only on everything in the scope. */
    Reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    /** Send metrics and telemetry with Microsoft Entra authentication (Application Insights without local auth). */
    "Monitoring Metrics Publisher": "3913510d-42f4-4e42-8a64-420c390055eb",
    /** Read, write and delete blobs (a workflow on its own containers; API Management on its backup container). */
    "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    /** Read and list blobs (the passive site's restore, on the backup container). */
    "Storage Blob Data Reader": "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
} as const;
export type BuiltInRole = keyof typeof builtInRoles;

/** One role assignment. */
export interface Grant {
    /** ARM id of the scope. Never a subscription. Required. */
    scope: pulumi.Input<string>;
    /** Object id of the identity, group or service principal. Required. */
    principalId: pulumi.Input<string>;
    /** Kind of principal: ServicePrincipal (managed identities, apps), Group or User. Required. */
    principalType: "ServicePrincipal" | "Group" | "User";
    /** The built-in role, or a custom role the stack defines (its name, for messages, and its definition's ARM id). Required. */
    role: BuiltInRole | CustomRole;
}

/** A custom role: one the platform defines for one job on one resource (the scheduled backup, say). */
export interface CustomRole {
    custom: string;
    definitionId: pulumi.Input<string>;
}

export interface AccessGrantsArgs {
    /** The assignments, keyed by a stable name (it names the Pulumi resource). Required. */
    grants: Record<string, Grant>;
    /**
     * What every assignment waits for, such as the secrets it is scoped to when their ids are
     * built from names. Default: nothing beyond its inputs.
     */
    after?: pulumi.Input<pulumi.Resource>[];
    /**
     * How long the assignments take to apply, waited for once they exist and before anything that
     * depends on {@link AccessGrants.applied} goes on: a duration such as `10m`, `90s` or `2m30s`,
     * at most 30 minutes; `0s` waits for nothing. Azure documents that a new role assignment takes
     * up to 10 minutes to take effect (learn.microsoft.com/azure/role-based-access-control/
     * troubleshooting; Key Vault's RBAC guide states the same latency), and an identity that reads
     * a secret before then is refused. The wait runs again whenever an assignment is added or
     * replaced, never when nothing changed. Default: `0s`.
     */
    propagationWait?: string;
}

/** A wait, in the Go duration form the time provider takes, limited to minutes and seconds. */
const duration = /^(?:(\d+)m)?(?:(\d+)s)?$/;

/** The seconds of a {@link AccessGrantsArgs.propagationWait}, or undefined when it is not one. */
export function waitSeconds(wait: string): number | undefined {
    const match = duration.exec(wait);
    if (!match || wait === "") {
        return undefined;
    }
    return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
}

/** The longest wait a stack may ask for. */
export const longestWait = 30 * 60;

/** The deterministic name of an assignment: a GUID from scope, principal and role. */
export function grantName(scope: string, principalId: string, roleId: string): string {
    return stableGuid(`${scope.toLowerCase()}|${principalId.toLowerCase()}|${roleId}`);
}

const grantKey = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Checks {@link AccessGrantsArgs}; throws one error naming each field, its value and what is allowed. */
export function validateAccessGrantsArgs(args: AccessGrantsArgs): void {
    const problems: string[] = [];
    for (const [key, grant] of Object.entries(args.grants)) {
        if (!grantKey.test(key)) {
            problems.push(`grants: key "${key}" is not a name (allowed: 1-63 lower-case letters, digits and hyphens)`);
        }
        if (typeof grant.role === "string" ? !(grant.role in builtInRoles) : !grant.role.custom) {
            problems.push(
                `grants.${key}.role: "${String(typeof grant.role === "string" ? grant.role : grant.role.custom)}" is not a role this platform grants (allowed: ${Object.keys(builtInRoles).join(", ")}, or a custom role the stack defines)`,
            );
        }
        if (typeof grant.scope === "string" && /^\/subscriptions\/[^/]+\/?$/.test(grant.scope)) {
            problems.push(`grants.${key}.scope: "${grant.scope}" is a whole subscription (allowed: a resource group or a resource)`);
        }
    }
    if (args.propagationWait !== undefined) {
        const seconds = waitSeconds(args.propagationWait);
        if (seconds === undefined || seconds > longestWait) {
            problems.push(
                `propagationWait: "${args.propagationWait}" is not a wait of at most 30 minutes (allowed: minutes and seconds such as 10m, 90s or 2m30s; 0s for none)`,
            );
        }
    }
    if (problems.length > 0) {
        throw new ArgumentsError("AccessGrants", problems);
    }
}

export class AccessGrants extends pulumi.ComponentResource {
    /** The role assignments, keyed like {@link AccessGrantsArgs.grants}. */
    readonly assignments: Record<string, authorization.RoleAssignment>;
    /**
     * What to depend on to use the grants: the assignments, and after them the propagation wait
     * when {@link AccessGrantsArgs.propagationWait} asks for one.
     */
    readonly applied: pulumi.Resource[];

    constructor(name: string, args: AccessGrantsArgs, opts?: pulumi.ComponentResourceOptions) {
        validateAccessGrantsArgs(args);
        super("enterprise-integration:identity:AccessGrants", name, {}, opts);
        const subscription = authorization.getClientConfigOutput({ parent: this }).subscriptionId;
        this.assignments = {};
        for (const [key, grant] of Object.entries(args.grants).sort(([a], [b]) => a.localeCompare(b))) {
            const role = grant.role;
            // A built-in role's definition in the scope's own subscription (a certificate vault may
            // live in another); a custom role's, as the stack created it.
            const roleDefinitionId =
                typeof role === "string"
                    ? pulumi
                          .all([grant.scope, subscription])
                          .apply(
                              ([scope, deploying]) =>
                                  `/subscriptions/${/^\/subscriptions\/([^/]+)/i.exec(scope)?.[1] ?? deploying}/providers/Microsoft.Authorization/roleDefinitions/${builtInRoles[role]}`,
                          )
                    : pulumi.output(role.definitionId);
            this.assignments[key] = new authorization.RoleAssignment(
                `${name}-${key}`,
                {
                    scope: grant.scope,
                    principalId: grant.principalId,
                    principalType: grant.principalType,
                    roleDefinitionId,
                    roleAssignmentName: pulumi
                        .all([grant.scope, grant.principalId, roleDefinitionId])
                        .apply(([scope, principal, definition]) => grantName(scope, principal, definition.split("/").pop()!)),
                    description: `${typeof role === "string" ? role : role.custom} for ${key}`,
                },
                { parent: this, dependsOn: args.after ?? [] },
            );
        }
        const assignments = Object.values(this.assignments);
        const seconds = waitSeconds(args.propagationWait ?? "0s") ?? 0;
        // The time provider's sleep: created after the assignments, it returns once the wait is
        // over; its triggers (the assignments' ids) make a new or replaced assignment wait again.
        this.applied =
            seconds > 0 && assignments.length > 0
                ? [
                      new time.Sleep(
                          `${name}-propagation`,
                          {
                              createDuration: args.propagationWait,
                              triggers: Object.fromEntries(
                                  Object.entries(this.assignments).map(([key, assignment]) => [key, assignment.id]),
                              ),
                          },
                          { parent: this, dependsOn: assignments },
                      ),
                  ]
                : assignments;
        this.registerOutputs({});
    }
}
