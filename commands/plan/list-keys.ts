/**
 * The lists whose items have an identity, per resource type: an app role is its `value`, a host
 * name configuration its `hostName`, an IP rule its range. The plan diff compares such a list item
 * by item on that identity, so removing one item is one line, not every later item renamed to the
 * next one's values. Lists not named here (an autoscale profile's rules, a role definition's
 * permission blocks, a workflow expression's operands, whose order is their meaning) compare by index.
 *
 * Each entry is a path as commands/plan/diff.ts writes a pattern (`[*]` for every item of a list
 * above it) and what the key of an item is: one of its fields, or the item itself for a list of
 * strings that is a set (zones, scopes, header names).
 *
 * Found by listing every list-valued input of the plans of the four stacks (`npm run --silent plan
 * -- <stack> --json`), plus the keyed lists of the same resource types the program may set
 * (storage and Key Vault network rules, Key Vault access policies, the other receivers of an
 * action group). Role assignments are resources, not items: the diff pairs resources by URN, and
 * the program names each grant after its purpose (`access-gateway-reads-gateway-certificate`,
 * `identity-client-Ledger.Read`), never after its position.
 */

/** The key of a list item, or undefined when the item has none (the list then compares by index). */
export type ItemKey = (item: unknown) => string | undefined;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The item's field `name`, when it is a string. */
const field =
    (name: string): ItemKey =>
    (item) => {
        const value = isRecord(item) ? item[name] : undefined;
        return typeof value === "string" ? value : undefined;
    };

/** The first of the fields the item has (a diagnostic setting's log is a `category` or a `categoryGroup`). */
const firstField =
    (...names: string[]): ItemKey =>
    (item) =>
        names.map((name) => field(name)(item)).find((key) => key !== undefined);

/** A string of a list that is a set. */
const itself: ItemKey = (item) => (typeof item === "string" ? item : undefined);

/** An access policy of a Key Vault: its principal, and the application it acts through when there is one. */
const accessPolicy: ItemKey = (item) => {
    const objectId = field("objectId")(item);
    const applicationId = field("applicationId")(item);
    return objectId === undefined ? undefined : applicationId ? `${objectId} via ${applicationId}` : objectId;
};

/** The receivers of an action group, each by its `name` (azure-native monitor ActionGroupArgs). */
const receivers = [
    "armRoleReceivers",
    "automationRunbookReceivers",
    "azureAppPushReceivers",
    "azureFunctionReceivers",
    "emailReceivers",
    "eventHubReceivers",
    "incidentReceivers",
    "itsmReceivers",
    "logicAppReceivers",
    "smsReceivers",
    "voiceReceivers",
    "webhookReceivers",
];

/** The caller IP ranges of each part of a Logic Apps workflow's access control, by range. */
const callerRanges = ["actions", "contents", "triggers", "workflowManagement"].map(
    (part) => [`accessControl.${part}.allowedCallerIpAddresses`, field("addressRange")] as const,
);

const keyedLists: Readonly<Record<string, Readonly<Record<string, ItemKey>>>> = {
    "azuread:index/application:Application": {
        appRoles: field("value"),
        "appRoles[*].allowedMemberTypes": itself,
        "api.oauth2PermissionScopes": field("value"),
        "optionalClaims.accessTokens": field("name"),
        "optionalClaims.idTokens": field("name"),
        "optionalClaims.saml2Tokens": field("name"),
        requiredResourceAccesses: field("resourceAppId"),
        "requiredResourceAccesses[*].resourceAccesses": field("id"),
        identifierUris: itself,
        owners: itself,
        "publicClient.redirectUris": itself,
        "singlePageApplication.redirectUris": itself,
        "web.redirectUris": itself,
    },
    "azuread:index/servicePrincipal:ServicePrincipal": { owners: itself },
    "azure-native:apimanagement:ApiManagementService": {
        additionalLocations: field("location"),
        "additionalLocations[*].zones": itself,
        hostnameConfigurations: field("hostName"),
        zones: itself,
    },
    "azure-native:apimanagement:Api": { protocols: itself },
    "azure-native:apimanagement:IdentityProvider": { allowedTenants: itself },
    "azure-native:apimanagement:Diagnostic": Object.fromEntries(
        ["frontend", "backend"].flatMap((side) => ["request", "response"].map((way) => [`${side}.${way}.headers`, itself])),
    ),
    "azure-native:authorization:RoleDefinition": {
        assignableScopes: itself,
        "permissions[*].actions": itself,
        "permissions[*].dataActions": itself,
        "permissions[*].notActions": itself,
        "permissions[*].notDataActions": itself,
    },
    "azure-native:keyvault:Vault": {
        "properties.accessPolicies": accessPolicy,
        "properties.networkAcls.ipRules": field("value"),
        "properties.networkAcls.virtualNetworkRules": field("id"),
    },
    "azure-native:storage:StorageAccount": {
        "networkRuleSet.ipRules": field("iPAddressOrRange"),
        "networkRuleSet.resourceAccessRules": field("resourceId"),
        "networkRuleSet.virtualNetworkRules": field("virtualNetworkResourceId"),
    },
    "azure-native:storage:ManagementPolicy": {
        "policy.rules": field("name"),
        "policy.rules[*].definition.filters.blobTypes": itself,
        "policy.rules[*].definition.filters.prefixMatch": itself,
    },
    "azure-native:logic:Workflow": Object.fromEntries(callerRanges),
    "azure-native:monitor:ActionGroup": Object.fromEntries(receivers.map((list) => [list, field("name")])),
    "azure-native:monitor:AutoscaleSetting": {
        profiles: field("name"),
        "profiles[*].rules[*].metricTrigger.dimensions": field("dimensionName"),
        "profiles[*].rules[*].metricTrigger.dimensions[*].values": itself,
    },
    "azure-native:monitor:DiagnosticSetting": { logs: firstField("category", "categoryGroup"), metrics: field("category") },
    "azure-native:monitor:MetricAlert": {
        actions: field("actionGroupId"),
        "criteria.allOf": field("name"),
        "criteria.allOf[*].dimensions": field("name"),
        "criteria.allOf[*].dimensions[*].values": itself,
        scopes: itself,
    },
    "azure-native:resources:Deployment": { "properties.template.resources": field("name") },
};

/** How the items of the list at `pattern` (`appRoles`, `criteria.allOf[*].dimensions`) of a resource of `type` are keyed; undefined when by index. */
export function listKeyOf(type: string, pattern: string): ItemKey | undefined {
    return keyedLists[type]?.[pattern];
}

/** The keyed lists of a type, for what compares a resource's inputs (commands/plan/diff.ts). */
export function listKeys(type: string): (pattern: string) => ItemKey | undefined {
    return (pattern) => listKeyOf(type, pattern);
}
