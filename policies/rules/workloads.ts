import { dependsOn, isSet, list, ofType, type Resource, type Rule, type StackFacts } from "../rule";

/** Logic Apps, Key Vault, Storage and monitoring: the services the workflows and the gateway stand on. */

const workflowType = "azure-native:logic:Workflow";
const vaultType = "azure-native:keyvault:Vault";
const accountType = "azure-native:storage:StorageAccount";
const diagnosticType = "azure-native:monitor:DiagnosticSetting";

/** The diagnostic settings that send a resource's logs to a Log Analytics workspace. */
function logSettings(resources: readonly Resource[], target: Resource): Resource[] {
    return ofType(resources, diagnosticType).filter(
        (setting) =>
            dependsOn(setting, target) &&
            isSet(setting.props, "workspaceId") &&
            list(setting.props.logs).some((log: any) => log.enabled !== false),
    );
}

/** A stack rule: every resource of `type` has its logs in Log Analytics. */
function logsRule(
    id: string,
    type: string,
    what: string,
    source: string,
    url: string,
    also?: (setting: Resource) => string | undefined,
): Rule {
    return {
        kind: "stack",
        id,
        level: "mandatory",
        description: `Without resource logs in Log Analytics, what ${what} did cannot be investigated or alerted on.`,
        remediation: `Give every ${what} a diagnostic setting that sends its logs to the stack's Log Analytics workspace.`,
        source,
        url,
        check: (resources) =>
            ofType(resources, type).flatMap((resource) => {
                const settings = logSettings(resources, resource);
                if (settings.length === 0) {
                    return [{ resource, message: "sends no logs to Log Analytics" }];
                }
                // With a further requirement (the vault's audit category), one setting must meet it.
                const problems = also ? settings.map(also) : [];
                return problems.length > 0 && problems.every((problem) => problem !== undefined)
                    ? [{ resource, message: problems[0]! }]
                    : [];
            }),
    };
}

const geoRedundant = ["Standard_GRS", "Standard_RAGRS", "Standard_GZRS", "Standard_RAGZRS"];

/**
 * The managed APIs whose connections take the workflow's managed identity in Logic Apps
 * (Consumption): "Authenticate access and connections to Azure resources with managed identities
 * in Azure Logic Apps" (https://learn.microsoft.com/azure/logic-apps/authenticate-with-managed-identity,
 * the Consumption list of managed connectors that support a managed identity: Azure Blob Storage,
 * Azure Event Hubs, Azure Key Vault, Azure Service Bus, SQL Server, among others). The pack keeps
 * its own list (it stands alone); only these five are checked.
 */
export const managedIdentityApis: readonly string[] = ["azureblob", "servicebus", "eventhubs", "keyvault", "sql"];

/** Whether a resource is an API connection: the typed one, or a generic `Microsoft.Web/connections`. */
function isApiConnection(resource: Resource): boolean {
    if (resource.type === "azure-native:web:Connection") {
        return true;
    }
    return (
        resource.type === "azure-native:resources:Resource" &&
        isSet(resource.props, "resourceProviderNamespace") &&
        String(resource.props.resourceProviderNamespace).toLowerCase() === "microsoft.web" &&
        String(resource.props.resourceType).toLowerCase() === "connections"
    );
}

/** The managed API a connection's `properties.api.id` names (`.../managedApis/<name>`), if any. */
function managedApiOf(connection: Resource): string | undefined {
    const id: unknown = connection.props.properties?.api?.id;
    return typeof id === "string" ? /\/managedApis\/([^/]+)$/i.exec(id)?.[1]?.toLowerCase() : undefined;
}

export const workloadRules: Rule[] = [
    // Logic Apps
    {
        kind: "resource",
        id: "logic-trigger-callers-restricted",
        types: [workflowType],
        level: "mandatory",
        description: "A request trigger without an access control list can be called from any address by whoever has its URL.",
        remediation:
            "Set accessControl.triggers.allowedCallerIpAddresses: the gateway's addresses, or [] for a workflow only other Logic Apps call.",
        source: "PSRule for Azure Azure.LogicApp.LimitHTTPTrigger",
        url: "https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.LogicApp.LimitHTTPTrigger/",
        check: (workflow) =>
            Array.isArray(workflow.props.accessControl?.triggers?.allowedCallerIpAddresses)
                ? []
                : ["its triggers accept calls from any address"],
    },
    {
        kind: "resource",
        id: "logic-run-history-restricted",
        types: [workflowType],
        level: "mandatory",
        description:
            "Run history holds every input and output of a run (order data, backend responses); open, anyone with read access to the workflow reads it from anywhere.",
        remediation: "Set accessControl.contents.allowedCallerIpAddresses to the administrators' ranges (0.0.0.0-0.0.0.0 for nobody).",
        source: "Microsoft Learn, Secure access and data in Azure Logic Apps (Restrict access to run history by IP address range)",
        url: "https://learn.microsoft.com/azure/logic-apps/logic-apps-securing-a-logic-app",
        check: (workflow) => {
            const ranges = list<Record<string, unknown>>(workflow.props.accessControl?.contents?.allowedCallerIpAddresses).map((entry) =>
                String(entry.addressRange),
            );
            if (ranges.length === 0) {
                return ["its run history is readable from any address"];
            }
            return ranges
                .filter((range) => range === "0.0.0.0/0" || range === "0.0.0.0-255.255.255.255")
                .map((range) => `its run history is readable from ${range}`);
        },
    },
    {
        kind: "resource",
        id: "logic-schema-validation",
        types: [workflowType],
        level: "mandatory",
        description: "A request trigger's schema only describes the body unless validation is on: any body starts a run.",
        remediation: "Set operationOptions: EnableSchemaValidation on every Request trigger that declares a schema.",
        source: "Microsoft Learn, Receive and respond to inbound HTTPS calls (Schema Validation)",
        url: "https://learn.microsoft.com/azure/connectors/connectors-native-reqres",
        check: (workflow) =>
            Object.entries((workflow.props.definition?.triggers ?? {}) as Record<string, Record<string, any>>)
                .filter(
                    ([, trigger]) =>
                        String(trigger.type).toLowerCase() === "request" &&
                        trigger.inputs?.schema &&
                        Object.keys(trigger.inputs.schema).length > 0,
                )
                .filter(([, trigger]) => !/enableschemavalidation/i.test(String(trigger.operationOptions ?? "")))
                .map(([name]) => `trigger ${name} declares a schema but does not enforce it`),
    },
    {
        kind: "resource",
        id: "logicapp-connection-managed-identity",
        types: isApiConnection,
        level: "advisory",
        description:
            "A connection that signs in with stored credentials (a password, a connection string, a key) keeps a secret that must be rotated and can leak, where the connector could take the workflow's managed identity, which has no secret.",
        remediation:
            "Declare the connection with authentication: managedIdentity in workflows/connections.yaml, give the workflow's identity its role on the target, and remove its stored parameters.",
        source: "Microsoft Learn, Authenticate access and connections to Azure resources with managed identities in Azure Logic Apps",
        url: "https://learn.microsoft.com/azure/logic-apps/authenticate-with-managed-identity",
        check: (connection) => {
            // Whether parameter values are set, without reading them (they hold the secret); then
            // the connector (a custom connector's id is known only after deploy, and never a managed API's).
            if (!isSet(connection.props.properties, "parameterValues")) {
                return [];
            }
            const api = managedApiOf(connection);
            if (api === undefined || !managedIdentityApis.includes(api)) {
                return [];
            }
            const name = String(connection.props.connectionName ?? connection.props.resourceName ?? connection.name);
            return [
                `connection ${name} signs in to ${api} with stored credentials; the connector takes the workflow's managed identity (allowed: authentication: managedIdentity in workflows/connections.yaml)`,
            ];
        },
    },
    logsRule(
        "logic-diagnostics",
        workflowType,
        "workflow",
        "Azure Policy built-in: Resource logs in Logic Apps should be enabled",
        "https://learn.microsoft.com/azure/logic-apps/monitor-workflows-collect-diagnostic-data",
    ),

    // Key Vault
    {
        kind: "resource",
        id: "keyvault-rbac",
        types: [vaultType],
        level: "mandatory",
        description:
            "Access policies grant a principal every secret of the vault; Azure RBAC grants one secret at a time and shows in one place.",
        remediation: "Set properties.enableRbacAuthorization: true.",
        source: "PSRule for Azure Azure.KeyVault.RBAC; Azure Policy: Azure Key Vault should use RBAC permission model",
        url: "https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.KeyVault.RBAC/",
        check: (vault) => (vault.props.properties?.enableRbacAuthorization === true ? [] : ["uses access policies, not Azure RBAC"]),
    },
    {
        kind: "resource",
        id: "keyvault-soft-delete",
        types: [vaultType],
        level: "mandatory",
        description: "Without soft delete a deleted vault or secret is gone at once.",
        remediation: "Keep soft delete on (enableSoftDelete not false) with softDeleteRetentionInDays of 7 to 90.",
        source: "PSRule for Azure Azure.KeyVault.SoftDelete; Checkov CKV_AZURE_111",
        url: "https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.KeyVault.SoftDelete/",
        check: (vault) => {
            const properties = vault.props.properties ?? {};
            const days = Number(properties.softDeleteRetentionInDays ?? 90);
            return [
                ...(properties.enableSoftDelete === false ? ["soft delete is off"] : []),
                ...(days < 7 || days > 90 ? [`soft delete keeps ${days} days (allowed: 7-90)`] : []),
            ];
        },
    },
    {
        kind: "resource",
        id: "keyvault-purge-protection",
        types: [vaultType],
        level: "mandatory",
        description: "Without purge protection a soft-deleted vault or secret can be purged before its retention ends.",
        remediation: "Set properties.enablePurgeProtection: true.",
        source: "PSRule for Azure Azure.KeyVault.PurgeProtect; Checkov CKV_AZURE_110",
        url: "https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.KeyVault.PurgeProtect/",
        check: (vault) => (vault.props.properties?.enablePurgeProtection === true ? [] : ["purge protection is off"]),
    },
    {
        kind: "resource",
        id: "keyvault-network-deny",
        types: [vaultType],
        level: "mandatory",
        description: "A vault open to every network can be tried from anywhere with a stolen token.",
        remediation: "Set properties.networkAcls.defaultAction: Deny, with bypass: AzureServices and the admins' ranges in ipRules.",
        source: "PSRule for Azure Azure.KeyVault.Firewall; Checkov CKV_AZURE_109",
        url: "https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.KeyVault.Firewall/",
        check: (vault) =>
            vault.props.properties?.networkAcls?.defaultAction === "Deny" ? [] : ["its firewall allows every network by default"],
    },
    logsRule(
        "keyvault-audit-logs",
        vaultType,
        "vault",
        "PSRule for Azure Azure.KeyVault.Logs",
        "https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.KeyVault.Logs/",
        (setting) =>
            list(setting.props.logs).some(
                (log: any) =>
                    log.enabled !== false &&
                    (log.category === "AuditEvent" || log.categoryGroup === "audit" || log.categoryGroup === "allLogs"),
            )
                ? undefined
                : "sends no AuditEvent logs to Log Analytics",
    ),
    {
        kind: "resource",
        id: "keyvault-secret-expiry",
        types: ["azure-native:keyvault:Secret"],
        level: "mandatory",
        description: "A secret without an expiry date is never forced into rotation.",
        remediation: "Set properties.attributes.expires (the stack's secrets.expiresOn).",
        source: "Azure Policy built-in: Key Vault secrets should have an expiration date; Checkov CKV_AZURE_41",
        url: "https://learn.microsoft.com/azure/key-vault/secrets/about-secrets",
        check: (secret) => (secret.props.properties?.attributes?.expires !== undefined ? [] : ["has no expiry date"]),
    },

    // Storage
    {
        kind: "resource",
        id: "storage-https-tls12",
        types: [accountType],
        level: "mandatory",
        description: "A storage account that takes HTTP or TLS below 1.2 lets data and tokens travel unprotected.",
        remediation: "Keep enableHttpsTrafficOnly true and set minimumTlsVersion TLS1_2.",
        source: "PSRule for Azure Azure.Storage.SecureTransfer and Azure.Storage.MinTLS; Checkov CKV_AZURE_3 and CKV_AZURE_44",
        url: "https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.Storage.MinTLS/",
        check: (account) => [
            ...(account.props.enableHttpsTrafficOnly === false ? ["takes HTTP"] : []),
            ...(account.props.minimumTlsVersion !== "TLS1_2" && account.props.minimumTlsVersion !== "TLS1_3"
                ? [`minimum TLS ${String(account.props.minimumTlsVersion ?? "TLS1_0 (the default)")}`]
                : []),
        ],
    },
    {
        kind: "resource",
        id: "storage-no-public-blobs",
        types: [accountType],
        level: "mandatory",
        description: "With public blob access allowed, one container set to public exposes its documents to the internet.",
        remediation: "Set allowBlobPublicAccess: false.",
        source: "PSRule for Azure Azure.Storage.BlobPublicAccess; Checkov CKV_AZURE_190",
        url: "https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.Storage.BlobPublicAccess/",
        check: (account) => (account.props.allowBlobPublicAccess === false ? [] : ["allows public blob access"]),
    },
    {
        kind: "resource",
        id: "storage-network-deny",
        types: [accountType],
        level: "mandatory",
        description: "A storage account open to every network can be reached from anywhere with a stolen credential.",
        remediation: "Set networkRuleSet.defaultAction: Deny with bypass: AzureServices (the workflows reach it as a trusted service).",
        source: "PSRule for Azure Azure.Storage.Firewall; Checkov CKV_AZURE_35",
        url: "https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.Storage.Firewall/",
        check: (account) => {
            const rules = account.props.networkRuleSet ?? {};
            return [
                ...(rules.defaultAction !== "Deny" ? ["its firewall allows every network by default"] : []),
                ...(!String(rules.bypass ?? "").includes("AzureServices")
                    ? ["its firewall does not let trusted Azure services through"]
                    : []),
            ];
        },
    },
    {
        kind: "resource",
        id: "storage-shared-key-off",
        types: [accountType],
        level: "mandatory",
        facts: ["sharedKeyExemptions"],
        description: "An account key opens every container of the account, never expires on its own and names no caller.",
        remediation:
            "Set allowSharedKeyAccess: false and use Entra ID (managed identities); an exception names the resource and its reason in this rule's config (sharedKeyExemptions).",
        source: "PSRule for Azure Azure.Storage.LocalAuth; Checkov CKV2_AZURE_40; Microsoft Learn, Prevent Shared Key authorization for an Azure Storage account",
        url: "https://learn.microsoft.com/azure/storage/common/shared-key-authorization-prevent",
        check: (account, facts: StackFacts) =>
            account.props.allowSharedKeyAccess === false || facts.sharedKeyExemptions[account.name]
                ? []
                : ["allows shared-key (account key) access"],
    },
    {
        kind: "resource",
        id: "storage-geo-redundant-production",
        types: [accountType],
        level: "mandatory",
        facts: ["production"],
        description: "In production, data kept in one region is lost with the region.",
        remediation: `In a production stack, use a geo-redundant sku: ${geoRedundant.join(", ")}.`,
        source: "PSRule for Azure Azure.Storage.UseReplication; Checkov CKV_AZURE_206; the architecture: Availability",
        url: "https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.Storage.UseReplication/",
        check: (account, facts) =>
            !facts.production || geoRedundant.includes(String(account.props.sku?.name))
                ? []
                : [`${String(account.props.sku?.name)} keeps no copy in another region`],
    },
    {
        kind: "stack",
        id: "storage-soft-delete",
        level: "mandatory",
        description: "Without soft delete a deleted or overwritten blob, or a deleted container, cannot be restored.",
        remediation: "Give the account blob service properties with deleteRetentionPolicy and containerDeleteRetentionPolicy enabled.",
        source: "PSRule for Azure Azure.Storage.SoftDelete and Azure.Storage.ContainerSoftDelete; Checkov CKV2_AZURE_38",
        url: "https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.Storage.SoftDelete/",
        check: (resources) =>
            ofType(resources, accountType).flatMap((account) => {
                const services = ofType(resources, "azure-native:storage:BlobServiceProperties").filter((service) =>
                    dependsOn(service, account),
                );
                const blobs = services.some((service) => service.props.deleteRetentionPolicy?.enabled === true);
                const containers = services.some((service) => service.props.containerDeleteRetentionPolicy?.enabled === true);
                return [
                    ...(blobs ? [] : [{ resource: account, message: "deleted blobs cannot be restored (no blob soft delete)" }]),
                    ...(containers
                        ? []
                        : [{ resource: account, message: "deleted containers cannot be restored (no container soft delete)" }]),
                ];
            }),
    },

    // Monitoring
    {
        kind: "resource",
        id: "appinsights-workspace-entra-only",
        types: ["azure-native:applicationinsights:Component"],
        level: "mandatory",
        description:
            "A classic Application Insights resource keeps telemetry outside Log Analytics; with local authentication on, anyone with the connection string can send telemetry.",
        remediation: "Set workspaceResourceId (ingestionMode LogAnalytics) and disableLocalAuth: true.",
        source: "PSRule for Azure Azure.AppInsights.Workspace and Azure.AppInsights.LocalAuth; Azure Policy: Application Insights components should block non-Azure Active Directory based ingestion",
        url: "https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.AppInsights.Workspace/",
        check: (component) => [
            ...(isSet(component.props, "workspaceResourceId") ? [] : ["is not workspace-based"]),
            ...(component.props.disableLocalAuth === true
                ? []
                : ["takes telemetry with its instrumentation key (local authentication is on)"]),
        ],
    },
    logsRule(
        "apim-logs",
        "azure-native:apimanagement:ApiManagementService",
        "API Management service",
        "Microsoft Learn, Monitor API Management (resource logs for auditing and troubleshooting); Azure Policy: Enable logging by category group for API Management services to Log Analytics",
        "https://learn.microsoft.com/azure/api-management/api-management-howto-use-azure-monitor",
    ),
];
