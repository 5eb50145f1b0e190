/**
 * The managed connectors (managed APIs) a workflow's connections may name, as Logic Apps
 * (Consumption) knows them: `/subscriptions/<id>/providers/Microsoft.Web/locations/<region>/managedApis/<name>`.
 *
 * Retrieved 2026-12-07, from Microsoft's pages and Microsoft's own templates:
 * - which connectors take the workflow's managed identity: "Authenticate access and connections to
 *   Azure resources with managed identities in Azure Logic Apps" (learn.microsoft.com/azure/
 *   logic-apps/authenticate-with-managed-identity, Consumption: "Azure Blob Storage ... Azure
 *   Event Hubs ... Azure Key Vault ... Azure Service Bus ... SQL Server", among others), and the
 *   parameter value set each such connection sends (`parameterValueSet`): the same page's ARM
 *   template (`managedIdentityAuth` with no values for Blob Storage), the Azure Verified Modules'
 *   Service Bus test (Azure/bicep-registry-modules, avm/res/web/connection/tests/e2e/servicebus:
 *   `managedIdentityAuth` with `namespaceEndpoint`), and public exports of designer-made
 *   connections (`oauthMI` with `vaultName` for Key Vault, `oauthMI` for SQL Server);
 * - the tier a call is billed at: "Standard connectors are charged at the Standard connector
 *   price. Generally available Enterprise connectors are charged at the Enterprise connector
 *   price" (logic-apps-pricing), Enterprise being SAP, IBM MQ and IBM 3270 (connectors/managed);
 * - which connectors sign in with OAuth, so that a connection created by a deployment still needs
 *   someone to authorize it: "you still have to authorize or use preauthorized OAuth connections"
 *   (logic-apps-deploy-azure-resource-manager-templates).
 *
 * Only connectors whose name and parameters those sources show are here; a connector missing
 * from the table is refused by name. To add one, or to check the table against Azure, list the
 * region's managed APIs with your own rights:
 * `az rest --url "https://management.azure.com/subscriptions/<id>/providers/Microsoft.Web/locations/<region>/managedApis?api-version=2016-06-01" --query "value[].name"`,
 * and take the parameters from the connector's reference page (learn.microsoft.com/connectors/<name>/).
 */

/** How a connection to a managed API signs in. */
export type ConnectionAuthentication = "managedIdentity" | "parameters" | "oauth";

/** One managed API. */
export interface ManagedApi {
    /** Its name in the portal. */
    displayName: string;
    /** The price its calls are billed at. */
    tier: "standard" | "enterprise";
    /** The ways a connection to it may sign in, best first. */
    authentication: readonly ConnectionAuthentication[];
    /** With the managed identity: the parameter value set's name, and the parameters it takes from the stack. */
    managedIdentity?: {
        valueSet: string;
        parameters: readonly string[];
        /** The data roles a workflow's identity may get on the target resource (none: the grant is made in the service itself). */
        roles: readonly string[];
        /** Where the grant is made when no Azure role gives the access. */
        grantNote?: string;
        /** The ARM type of the resource the connection reaches (`resourceId` in the stack file), when an Azure role is granted on it. */
        targetType?: string;
    };
    /**
     * With parameters: those a connection must give, those it may give, and which of them are
     * secrets (given in `connectionSecrets`, kept in Key Vault, never in a stack file).
     */
    parameters?: { required: readonly string[]; optional: readonly string[]; secrets: readonly string[] };
}

/** The date the table was last checked against its sources. */
export const managedApisRetrieved = "2026-12-07";

export const managedApis: Readonly<Record<string, ManagedApi>> = {
    azureblob: {
        displayName: "Azure Blob Storage",
        tier: "standard",
        authentication: ["managedIdentity"],
        managedIdentity: {
            valueSet: "managedIdentityAuth",
            parameters: [],
            roles: ["Storage Blob Data Contributor", "Storage Blob Data Reader"],
            targetType: "Microsoft.Storage/storageAccounts",
        },
    },
    servicebus: {
        displayName: "Service Bus",
        tier: "standard",
        authentication: ["managedIdentity"],
        managedIdentity: {
            valueSet: "managedIdentityAuth",
            parameters: ["namespaceEndpoint"],
            roles: ["Azure Service Bus Data Sender", "Azure Service Bus Data Receiver"],
            targetType: "Microsoft.ServiceBus/namespaces",
        },
    },
    eventhubs: {
        displayName: "Event Hubs",
        tier: "standard",
        authentication: ["managedIdentity"],
        managedIdentity: {
            valueSet: "managedIdentityAuth",
            parameters: ["namespaceEndpoint"],
            roles: ["Azure Event Hubs Data Sender", "Azure Event Hubs Data Receiver"],
            targetType: "Microsoft.EventHub/namespaces",
        },
    },
    keyvault: {
        displayName: "Azure Key Vault",
        tier: "standard",
        authentication: ["managedIdentity"],
        managedIdentity: {
            valueSet: "oauthMI",
            parameters: ["vaultName"],
            roles: ["Key Vault Secrets User"],
            targetType: "Microsoft.KeyVault/vaults",
        },
    },
    sql: {
        displayName: "SQL Server",
        tier: "standard",
        authentication: ["managedIdentity", "parameters"],
        managedIdentity: {
            valueSet: "oauthMI",
            parameters: [],
            roles: [],
            grantNote:
                "create a database user for the workflow's identity (CREATE USER [<workflow>] FROM EXTERNAL PROVIDER) and grant it what it needs",
        },
        parameters: { required: ["server", "database", "authType", "username", "password"], optional: [], secrets: ["password"] },
    },
    sftpwithssh: {
        displayName: "SFTP - SSH",
        tier: "standard",
        authentication: ["parameters"],
        parameters: {
            required: ["hostName", "userName", "sshPrivateKey"],
            optional: ["portNumber", "rootFolder", "sshHostKeyFingerprint", "acceptAnySshHostKey", "password", "sshPrivateKeyPassphrase"],
            secrets: ["sshPrivateKey", "password", "sshPrivateKeyPassphrase"],
        },
    },
    office365: { displayName: "Office 365 Outlook", tier: "standard", authentication: ["oauth"] },
    salesforce: { displayName: "Salesforce", tier: "standard", authentication: ["oauth"] },
};
