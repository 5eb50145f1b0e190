import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources";

/**
 * The developer portal's settings that azure-native has no typed resource for, as generic ARM
 * resources of the service at a pinned API version (the 2024-05-01 REST spec,
 * apimportalsettings.json and apimportalrevisions.json):
 * - `portalsettings/signup` with `enabled: false`: with Entra ID sign-in on, the built-in
 *   username and password sign-up would still let anyone on the internet open an account, land in
 *   the Developers group and see every product shown to it;
 * - a portal revision with `isCurrent: true`, which publishes the portal: Entra ID sign-in takes
 *   effect only once the portal is published again (learn.microsoft.com/azure/api-management/
 *   api-management-howto-aad: "Republish the developer portal for the Microsoft Entra
 *   configuration to take effect").
 */

/** The API version of the generic resources (the one azure-native 3.28 uses for API Management). */
export const portalApiVersion = "2024-05-01";

/** The generic resource args of a child of the service. */
function serviceChild(resourceGroupName: pulumi.Input<string>, serviceName: pulumi.Input<string>, resourceType: string, resourceName: pulumi.Input<string>, properties: unknown) {
    return {
        resourceGroupName,
        resourceProviderNamespace: "Microsoft.ApiManagement",
        parentResourcePath: pulumi.interpolate`service/${serviceName}`,
        resourceType,
        resourceName,
        apiVersion: portalApiVersion,
        properties,
    };
}

/** The portal's sign-up settings: the built-in username and password sign-up, off unless asked for. */
export function portalSignUp(name: string, resourceGroupName: pulumi.Input<string>, serviceName: pulumi.Input<string>, enabled: boolean, opts: pulumi.CustomResourceOptions): resources.Resource {
    return new resources.Resource(
        `${name}-portal-signup`,
        serviceChild(resourceGroupName, serviceName, "portalsettings", "signup", { enabled, termsOfService: { enabled: false, consentRequired: false } }),
        opts,
    );
}

/**
 * The revision a sign-in configuration is published as: named after the portal's application and
 * whether the built-in sign-up is on, so that another application (another tenant included) or
 * turning the sign-up on or off publishes the portal again.
 */
export function portalRevisionName(clientId: string, signUp: boolean): string {
    return `sign-in-${clientId}-sign-up-${signUp ? "on" : "off"}`;
}

/**
 * Publishes the portal as a new current revision. A revision stays in Azure when a newer one
 * replaces it (the service keeps its revisions; there is no delete).
 */
export function publishPortal(
    name: string,
    resourceGroupName: pulumi.Input<string>,
    serviceName: pulumi.Input<string>,
    signIn: { clientId: pulumi.Input<string> },
    signUp: boolean,
    opts: pulumi.CustomResourceOptions,
): resources.Resource {
    const revision = pulumi.output(signIn.clientId).apply((clientId) => portalRevisionName(clientId, signUp));
    const description = `Published by the platform's deployment: Microsoft Entra ID sign-in, built-in sign-up ${signUp ? "on" : "off"}.`;
    return new resources.Resource(
        `${name}-portal-revision`,
        serviceChild(resourceGroupName, serviceName, "portalRevisions", revision, { description, isCurrent: true }),
        { ...opts, retainOnDelete: true },
    );
}
