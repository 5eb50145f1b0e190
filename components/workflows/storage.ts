import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";
import * as storage from "@pulumi/azure-native/storage";
import { blobLogs, lockedDownStorageAccount } from "../common/azure";
import type { WorkflowDefinition } from "../../content/workflows/definition";

/**
 * Where the workflows keep documents: one storage account with a private blob container for each
 * `<name>ContainerUrl` parameter a definition declares, which the component fills with the
 * container's URL. Workflows write with the HTTP action and their system-assigned identity
 * (`authentication: { type: ManagedServiceIdentity, audience: https://storage.azure.com/ }`),
 * each granted a data role on its own containers by the stack.
 *
 * Why not the Azure Blob Storage connector: it signs in with the account key, and a managed
 * connector cannot reach an account whose firewall denies by default when both are in the same
 * region; the HTTP action with a managed identity can, Logic Apps being a trusted service
 * (learn.microsoft.com/azure/connectors/connectors-create-api-azureblobstorage, "Access storage
 * accounts behind firewalls"; learn.microsoft.com/azure/storage/common/storage-network-security,
 * trusted access based on a managed identity lists Microsoft.Logic/workflows). So the account
 * takes no shared key, admits no network but trusted Azure services, and is reached with
 * Microsoft Entra tokens only.
 */

/** `ordersContainerUrl`, `failedOrdersContainerUrl`: a parameter that names a container. */
const containerParameter = /^([a-z][a-zA-Z0-9]*)ContainerUrl$/;

/** The container a parameter names (`failedOrdersContainerUrl` -> `failed-orders`), or undefined when it names none. */
export function containerOf(parameter: string): string | undefined {
    const match = containerParameter.exec(parameter);
    return match ? match[1]!.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`) : undefined;
}

/** Container names this component creates: 3-20 lower-case letters, digits and single hyphens. */
const containerName = /^[a-z0-9](?:[a-z0-9]|-(?!-)){1,18}[a-z0-9]$/;

/** The containers a definition writes to, keyed by the parameter that names each, and a problem for each it cannot have. */
export function containersOf(definition: WorkflowDefinition): { containers: Record<string, string>; problems: string[] } {
    const containers: Record<string, string> = {};
    const problems: string[] = [];
    for (const [parameter, declared] of Object.entries(definition.parameters)) {
        const container = containerOf(parameter);
        if (container === undefined) {
            continue;
        }
        if (!containerName.test(container)) {
            problems.push(
                `${definition.file}: parameters.${parameter}: names the container "${container}" (allowed: a container of 3-20 lower-case letters, digits and single hyphens, in camel case before ContainerUrl, such as ordersContainerUrl or failedOrdersContainerUrl)`,
            );
        } else if (declared.type.toLowerCase() !== "string") {
            problems.push(
                `${definition.file}: parameters.${parameter}.type: "${declared.type}" is not a string parameter (allowed: String, which is filled with the container's URL)`,
            );
        } else {
            containers[parameter] = container;
        }
    }
    return { containers, problems };
}

export interface WorkflowStorageArgs {
    /** Resource group (the stack's workflows group). Required. */
    resourceGroupName: pulumi.Input<string>;
    /** Region: the workflows' own. Required. */
    location: string;
    /** Azure name of the account, 3-24 lower-case letters and digits, globally unique. Required. */
    accountName: pulumi.Input<string>;
    /** The containers to create. Required, one or more. */
    containers: string[];
    /**
     * Keep the data in a second region too: `Standard_GZRS` (zones here, and a copy in the paired
     * region) rather than `Standard_ZRS` (zones here only). Default: false.
     */
    geoRedundant?: boolean;
    /** Protect the account and its containers from deletion. Default: false. */
    protect?: boolean;
    /** Log Analytics workspace that receives the blob service's read, write and delete logs. Required. */
    workspaceId: pulumi.Input<string>;
    /** Tags. Default: none. */
    tags?: Record<string, string>;
}

/** Days a deleted blob or container can be restored. */
export const softDeleteDays = 30;

export class WorkflowStorage extends pulumi.ComponentResource {
    readonly accountId: pulumi.Output<string>;
    /** ARM ids of the containers, keyed by name: the scopes of the workflows' data roles. */
    readonly containerIds: Record<string, pulumi.Output<string>>;
    /** URLs of the containers, keyed by name, such as `https://<account>.blob.core.windows.net/orders`. */
    readonly containerUrls: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: WorkflowStorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super("enterprise-integration:workflows:WorkflowStorage", name, {}, opts);
        const account = new storage.StorageAccount(
            `${name}-account`,
            {
                resourceGroupName: args.resourceGroupName,
                accountName: args.accountName,
                location: args.location,
                ...lockedDownStorageAccount,
                // Zone-redundant; in production geo-zone-redundant as well.
                sku: { name: args.geoRedundant ? storage.SkuName.Standard_GZRS : storage.SkuName.Standard_ZRS },
                tags: args.tags,
            },
            { parent: this, protect: args.protect },
        );
        this.accountId = account.id;
        new storage.BlobServiceProperties(
            `${name}-blobs`,
            {
                resourceGroupName: args.resourceGroupName,
                accountName: account.name,
                blobServicesName: "default",
                deleteRetentionPolicy: { enabled: true, days: softDeleteDays },
                containerDeleteRetentionPolicy: { enabled: true, days: softDeleteDays },
            },
            { parent: this },
        );
        new monitor.DiagnosticSetting(`${name}-logs`, blobLogs(account.id, args.workspaceId), { parent: this });
        this.containerIds = {};
        this.containerUrls = {};
        for (const container of [...new Set(args.containers)].sort()) {
            this.containerIds[container] = new storage.BlobContainer(
                `${name}-container-${container}`,
                {
                    resourceGroupName: args.resourceGroupName,
                    accountName: account.name,
                    containerName: container,
                    publicAccess: storage.PublicAccess.None,
                },
                { parent: this, protect: args.protect },
            ).id;
            this.containerUrls[container] = account.primaryEndpoints.apply(
                (endpoints) => `${endpoints.blob.replace(/\/$/, "")}/${container}`,
            );
        }
        this.registerOutputs({ accountId: this.accountId, containerIds: this.containerIds });
    }
}
