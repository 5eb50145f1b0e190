import * as pulumi from "@pulumi/pulumi";
import * as managedidentity from "@pulumi/azure-native/managedidentity";

/**
 * The user-assigned identity API Management runs as. It is its own component because it must exist,
 * and be granted read on the custom hosts' certificates, before the service is created: a
 * system-assigned identity only appears with the service, too late for the certificates on the
 * first create. (The named values are read later, with the system-assigned identity, the one a
 * firewalled vault admits as a trusted service.) The stack creates this, grants it access, then
 * creates the {@link ApiGateway} with it.
 */
export interface GatewayIdentityArgs {
    /** Resource group of the identity (the gateway's). Required. */
    resourceGroupName: pulumi.Input<string>;
    /** Region of the identity: the gateway's primary region. Required. */
    location: pulumi.Input<string>;
    /** Azure name of the identity. Required. */
    identityName: pulumi.Input<string>;
    /** Tags. Default: none. */
    tags?: Record<string, string>;
}

export class GatewayIdentity extends pulumi.ComponentResource {
    /** ARM id of the identity. */
    readonly resourceId: pulumi.Output<string>;
    /** Client id, used by API Management to read Key Vault. */
    readonly clientId: pulumi.Output<string>;
    /** Principal (object) id, to which roles are granted. */
    readonly principalId: pulumi.Output<string>;

    constructor(name: string, args: GatewayIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("enterprise-integration:gateway:GatewayIdentity", name, {}, opts);
        const identity = new managedidentity.UserAssignedIdentity(
            `${name}-uai`,
            { resourceGroupName: args.resourceGroupName, location: args.location, resourceName: args.identityName, tags: args.tags },
            { parent: this },
        );
        this.resourceId = identity.id;
        this.clientId = identity.clientId;
        this.principalId = identity.principalId;
        this.registerOutputs({ resourceId: this.resourceId, clientId: this.clientId, principalId: this.principalId });
    }
}
