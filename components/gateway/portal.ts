import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources";

/**
 * The developer portal's settings that azure-native has no typed resource for (the 2024-05-01
 * REST spec, apimportalsettings.json and apimportalrevisions.json):
 * - `portalsettings/signup` with `enabled: false`: with Entra ID sign-in on, the built-in
 *   username and password sign-up would still let anyone on the internet open an account, land in
 *   the Developers group and see every product shown to it;
 * - a portal revision with `isCurrent: true`, which publishes the portal: Entra ID sign-in takes
 *   effect only once the portal is published again (learn.microsoft.com/azure/api-management/
 *   api-management-howto-aad: "Republish the developer portal for the Microsoft Entra
 *   configuration to take effect").
 *
 * Both are written by an ARM deployment (`Microsoft.Resources/deployments`, incremental mode),
 * not by azure-native's generic resource: the sign-up setting exists as soon as the service does,
 * and azure-native reads a resource before it creates one and refuses one that exists ("cannot
 * create already existing resource", `provider/pkg/azure/client_azcore.go`, `CanCreate`), while a
 * deployment PUTs what its template holds whether it exists or not. Neither path has a DELETE in
 * the spec; deleting the deployment (`pulumi destroy`) removes only its record from the
 * deployment history, not what it deployed (learn.microsoft.com/azure/azure-resource-manager/
 * templates/deployment-history-deletions: "Deleting a deployment from the history doesn't affect
 * any of the resources that were deployed"). commands/plan/provider-rules.ts refuses the generic path.
 */

/** The API version of the portal's settings in the template (the one azure-native 3.28 uses for API Management). */
export const portalApiVersion = "2024-05-01";

/** The sign-up setting's properties: the built-in sign-up on or off, no terms of service. */
export function signUpProperties(enabled: boolean): Record<string, unknown> {
    return { enabled, termsOfService: { enabled: false, consentRequired: false } };
}

/**
 * The revision a sign-in configuration is published as: named after the portal's application and
 * whether the built-in sign-up is on, so that another application (another tenant included) or
 * turning the sign-up on or off publishes the portal again.
 */
export function portalRevisionName(clientId: string, signUp: boolean): string {
    return `sign-in-${clientId}-sign-up-${signUp ? "on" : "off"}`;
}

/** The ARM template: the sign-up setting, then the revision that publishes the portal. */
export function portalTemplate(signUp: boolean): Record<string, unknown> {
    const signup = "[resourceId('Microsoft.ApiManagement/service/portalsettings', parameters('serviceName'), 'signup')]";
    return {
        $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        contentVersion: "1.0.0.0",
        parameters: { serviceName: { type: "string" }, revision: { type: "string" } },
        resources: [
            {
                type: "Microsoft.ApiManagement/service/portalsettings",
                apiVersion: portalApiVersion,
                name: "[format('{0}/signup', parameters('serviceName'))]",
                properties: signUpProperties(signUp),
            },
            {
                type: "Microsoft.ApiManagement/service/portalRevisions",
                apiVersion: portalApiVersion,
                name: "[format('{0}/{1}', parameters('serviceName'), parameters('revision'))]",
                dependsOn: [signup],
                properties: {
                    description: `Published by the platform's deployment: Microsoft Entra ID sign-in, built-in sign-up ${signUp ? "on" : "off"}.`,
                    isCurrent: true,
                },
            },
        ],
    };
}

/**
 * Writes the sign-up setting and publishes the portal, in one incremental deployment in the
 * service's resource group, named after the service.
 */
export function portalSettings(
    name: string,
    resourceGroupName: pulumi.Input<string>,
    serviceName: pulumi.Input<string>,
    signIn: { clientId: pulumi.Input<string> },
    signUp: boolean,
    tags: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined,
    opts: pulumi.CustomResourceOptions,
): resources.Deployment {
    return new resources.Deployment(
        `${name}-portal-settings`,
        {
            resourceGroupName,
            deploymentName: pulumi.interpolate`${serviceName}-portal`,
            tags,
            properties: {
                mode: resources.DeploymentMode.Incremental,
                template: portalTemplate(signUp),
                parameters: {
                    serviceName: { value: serviceName },
                    revision: { value: pulumi.output(signIn.clientId).apply((clientId) => portalRevisionName(clientId, signUp)) },
                },
            },
        },
        opts,
    );
}
