import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as storage from "@pulumi/azure-native/storage";
import * as web from "@pulumi/azure-native/web";
import type { WorkflowDefinition } from "./definition";

/**
 * The managed connectors the workflows use, through API connections (`Microsoft.Web/connections`),
 * and what they connect to. Azure Blob Storage is the one supported: a hardened storage account
 * with a private `orders` container. The SDK's API connection version has no managed-identity
 * setting (`parameterValueSet`), so the connection authenticates with the account key, which is
 * read at deployment and only ever travels as a Pulumi secret (and is kept in Key Vault).
 */

/** Connectors this component can create connections for, with the containers each needs. */
export const supportedConnectors = { azureblob: { containers: ["orders"] } } as const;
export type Connector = keyof typeof supportedConnectors;

/** `parameters('$connections')['azureblob']` anywhere in a definition. */
const connectionReference = /parameters\(\s*'\$connections'\s*\)\s*\[\s*'([^']+)'\s*\]/g;

/** The connectors a definition uses, and a problem for each one that is not supported. */
export function connectorsOf(definition: WorkflowDefinition): { names: Connector[]; problems: string[] } {
    const text = JSON.stringify(definition.definition);
    const used = [...new Set([...text.matchAll(connectionReference)].map((match) => match[1]!))].sort();
    const names = used.filter((name): name is Connector => name in supportedConnectors);
    const problems = used
        .filter((name) => !(name in supportedConnectors))
        .map((name) => `${definition.file}: $connections: "${name}" is not a connector this project connects (allowed: ${Object.keys(supportedConnectors).join(", ")})`);
    return { names, problems };
}

export interface WorkflowConnectionsArgs {
    resourceGroupName: pulumi.Input<string>;
    location: string;
    /** Azure name of the storage account, 3-24 lower-case letters and digits. */
    storageAccountName: pulumi.Input<string>;
    /** Prefix of the API connections' names; the connector name follows it. */
    connectionNamePrefix: string;
    /** The connectors to connect. */
    connectors: Connector[];
    tags?: Record<string, string>;
}

export class WorkflowConnections extends pulumi.ComponentResource {
    readonly storageAccountId: pulumi.Output<string>;
    readonly storageAccountName: pulumi.Output<string>;
    /** ARM ids of the blob containers, keyed by name: the scopes of the workflows' data roles. */
    readonly containerIds: Record<string, pulumi.Output<string>>;
    /** The account key the blob connection uses (secret). */
    readonly accessKey: pulumi.Output<string>;
    private readonly connections: Record<string, { id: pulumi.Output<string>; name: pulumi.Output<string>; apiId: pulumi.Output<string> }> = {};

    constructor(name: string, args: WorkflowConnectionsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("enterprise-integration:workflows:WorkflowConnections", name, {}, opts);
        const account = new storage.StorageAccount(
            `${name}-storage`,
            {
                resourceGroupName: args.resourceGroupName,
                accountName: args.storageAccountName,
                location: args.location,
                kind: storage.Kind.StorageV2,
                sku: { name: storage.SkuName.Standard_ZRS },
                enableHttpsTrafficOnly: true,
                minimumTlsVersion: storage.MinimumTlsVersion.TLS1_2,
                allowBlobPublicAccess: false,
                allowCrossTenantReplication: false,
                // The blob connector signs in with the account key (see above).
                allowSharedKeyAccess: true,
                tags: args.tags,
            },
            { parent: this },
        );
        this.storageAccountId = account.id;
        this.storageAccountName = account.name;
        this.containerIds = {};
        for (const connector of args.connectors) {
            for (const container of supportedConnectors[connector].containers) {
                this.containerIds[container] = new storage.BlobContainer(
                    `${name}-container-${container}`,
                    { resourceGroupName: args.resourceGroupName, accountName: account.name, containerName: container, publicAccess: storage.PublicAccess.None },
                    { parent: this },
                ).id;
            }
        }
        const keys = storage.listStorageAccountKeysOutput({ resourceGroupName: args.resourceGroupName, accountName: account.name }, { parent: this, dependsOn: [account] });
        this.accessKey = pulumi.secret(keys.apply((result) => result.keys[0]?.value ?? ""));

        const subscription = authorization.getClientConfigOutput({ parent: this }).subscriptionId;
        for (const connector of args.connectors) {
            const apiId = pulumi.interpolate`/subscriptions/${subscription}/providers/Microsoft.Web/locations/${args.location}/managedApis/${connector}`;
            const connection = new web.Connection(
                `${name}-${connector}`,
                {
                    resourceGroupName: args.resourceGroupName,
                    connectionName: `${args.connectionNamePrefix}-${connector}`,
                    location: args.location,
                    properties: {
                        displayName: `${connector} for the integration workflows`,
                        api: { id: apiId },
                        parameterValues: { accountName: account.name, accessKey: this.accessKey },
                    },
                    tags: args.tags,
                },
                { parent: this },
            );
            this.connections[connector] = { id: connection.id, name: connection.name, apiId };
        }
        this.registerOutputs({ storageAccountId: this.storageAccountId, containerIds: this.containerIds });
    }

    /** The `$connections` parameter value for a workflow that uses `connectors`. */
    connectionsValue(connectors: Connector[]): pulumi.Output<Record<string, { connectionId: string; connectionName: string; id: string }>> {
        return pulumi
            .all(connectors.map((connector) => pulumi.all([this.connections[connector]!.id, this.connections[connector]!.name, this.connections[connector]!.apiId])))
            .apply((values) => Object.fromEntries(values.map(([connectionId, connectionName, id], i) => [connectors[i]!, { connectionId, connectionName, id }])));
    }
}
