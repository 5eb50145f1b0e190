import * as pulumi from "@pulumi/pulumi";
import * as apimanagement from "@pulumi/azure-native/apimanagement";
import * as monitor from "@pulumi/azure-native/monitor";
import { entraSignInTiers, validateApiGatewayArgs, type ApiGatewayArgs } from "./args";
import { globalPolicy } from "../common/policies";
import { portalSettings, signUpProperties } from "./portal";
import { autoscaleProfile, capacityAlertCriteria, scalePolicy } from "./scale";
import { hardenedTlsProperties, hostnameConfigurations, minApiVersion, skuAndRegions } from "./service";
import { siteSetting, type SiteSetting } from "../common/site-settings";

export { entraSignInTiers, managedCertificateOnCreate, validateApiGatewayArgs } from "./args";
export type * from "./args";
export { GatewayIdentity, type GatewayIdentityArgs } from "./identity";
export { defaultHosts } from "./service";
export type { SiteSetting } from "../common/site-settings";
export type { AdditionalRegion, CustomHost, CustomHosts } from "./service";
export { availabilityZones, gatewayTiers, sizingProblems, tierCapacity, type GatewaySizing, type GatewayTier } from "./sizing";

/**
 * API Management for the integration platform: the service (tier, regions, zones, hardened TLS,
 * custom domains from Key Vault, its user-assigned identity), the service-wide policy, Entra ID
 * sign-in for the developer portal, Application Insights tracing, resource logs, autoscale and a
 * capacity alert. The service is created by one operation and never updated by this program. The
 * API catalog is published on it by the GatewayCatalog component (`components/catalog`).
 */
export class ApiGateway extends pulumi.ComponentResource {
    /** The API Management service's ARM id. */
    readonly serviceId: pulumi.Output<string>;
    /** The service's name. */
    readonly serviceName: pulumi.Output<string>;
    /** Base URL callers use: the custom gateway host when set, else `https://<service>.azure-api.net`. */
    readonly gatewayUrl: pulumi.Output<string>;
    /** The developer portal's URL: the custom portal host when set, else the default one. */
    readonly portalUrl: pulumi.Output<string>;
    /** Public IP addresses of the gateway in every region (primary first), for the workflows' access control. */
    readonly publicIpAddresses: pulumi.Output<string[]>;
    /** Principal id of the user-assigned identity the service runs as (certificates). */
    readonly identityPrincipalId: pulumi.Output<string>;
    /** Principal id of the service's system-assigned identity (named values in a firewalled vault). */
    readonly systemPrincipalId: pulumi.Output<string>;
    /** Whether the developer portal signs users in with Entra ID, and why not when it does not. */
    readonly portalSignIn: string;
    /**
     * What a restore of another site's backup overwrites that this component owns (the global
     * policy, the portal's sign-in and sign-up, the logger and its diagnostic), as the requests
     * that put them back.
     */
    readonly siteSettings: pulumi.Output<SiteSetting[]>;

    constructor(name: string, args: ApiGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        validateApiGatewayArgs(args);
        super("enterprise-integration:gateway:ApiGateway", name, {}, opts);

        const zones = args.zones ?? [];
        const customHosts = args.customHosts ?? {};
        const service = new apimanagement.ApiManagementService(
            `${name}-apim`,
            {
                resourceGroupName: args.resourceGroupName,
                serviceName: args.names.service,
                location: args.location,
                ...skuAndRegions(args.sku, args.capacity, zones, args.additionalLocations ?? []),
                publisherName: args.publisherName,
                publisherEmail: args.publisherEmail,
                // The user-assigned identity exists before the service (its certificates); the
                // system-assigned one is what a firewalled vault admits (the named values).
                identity: {
                    type: apimanagement.ApimIdentityType.SystemAssigned_UserAssigned,
                    userAssignedIdentities: pulumi.output(args.identity.resourceId).apply((id) => ({ [id]: {} })),
                },
                customProperties: hardenedTlsProperties(),
                apiVersionConstraint: { minApiVersion },
                hostnameConfigurations: hostnameConfigurations(customHosts, args.identity.clientId),
                developerPortalStatus: apimanagement.DeveloperPortalStatus.Enabled,
                publicNetworkAccess: apimanagement.PublicNetworkAccess.Enabled,
                tags: args.tags,
            },
            {
                parent: this,
                protect: args.protect ?? false,
                dependsOn: [...(args.identityGrants ?? []), ...(args.hostRecords ?? [])],
                // Autoscale owns the unit count once it is on; writing it back would update the service.
                ignoreChanges: args.autoscale ? ["sku.capacity"] : [],
            },
        );
        this.serviceId = service.id;
        this.serviceName = service.name;
        this.identityPrincipalId = pulumi.output(args.identity.principalId);
        this.systemPrincipalId = service.identity.apply((identity) => identity?.principalId ?? "");
        this.gatewayUrl = customHosts.gateway ? pulumi.output(`https://${customHosts.gateway.hostName}`) : service.gatewayUrl;
        this.portalUrl = customHosts.portal
            ? pulumi.output(`https://${customHosts.portal.hostName}`)
            : service.developerPortalUrl.apply((url) => url ?? "");
        this.publicIpAddresses = pulumi
            .all([service.publicIPAddresses, service.additionalLocations])
            .apply(([primary, extra]) => [...primary, ...(extra ?? []).flatMap((location) => location.publicIPAddresses)]);

        const portalOrigins = pulumi
            .all([service.developerPortalUrl, customHosts.portal?.hostName])
            .apply(([url, custom]) => [...(url ? [url] : []), ...(custom ? [`https://${custom}`] : [])]);
        // The settings a restore of another site's backup would overwrite with that site's own:
        // the global policy (its portal's origin), the portal's sign-in and sign-up, the logger.
        const siteSettings: pulumi.Output<SiteSetting>[] = [];
        const policyArgs = {
            resourceGroupName: args.resourceGroupName,
            serviceName: service.name,
            policyId: "policy",
            format: apimanagement.PolicyContentFormat.Xml,
            value: portalOrigins.apply((origins) =>
                globalPolicy({ allowedOrigins: [...new Set([...origins, ...(args.corsOrigins ?? [])])] }),
            ),
        };
        siteSettings.push(siteSetting("policies/policy", policyArgs, "policyId"));
        new apimanagement.Policy(`${name}-policy`, policyArgs, { parent: this });

        if (!args.portalSignIn) {
            this.portalSignIn = "off: no portal application was given";
        } else if (!entraSignInTiers.includes(args.sku)) {
            this.portalSignIn = `skipped: the ${args.sku} tier has no Entra ID sign-in for the developer portal (allowed on ${entraSignInTiers.join(", ")})`;
        } else {
            const signIn = args.portalSignIn;
            const providerArgs = {
                resourceGroupName: args.resourceGroupName,
                serviceName: service.name,
                identityProviderName: apimanagement.IdentityProviderType.Aad,
                type: apimanagement.IdentityProviderType.Aad,
                clientId: signIn.clientId,
                clientSecret: pulumi.secret(signIn.clientSecret),
                clientLibrary: "MSAL-2",
                authority: "login.microsoftonline.com",
                signinTenant: signIn.tenantId,
                allowedTenants: [signIn.tenantId],
            };
            siteSettings.push(siteSetting("identityProviders/aad", providerArgs, "identityProviderName"));
            const provider = new apimanagement.IdentityProvider(`${name}-portal-aad`, providerArgs, { parent: this });
            // With Entra ID sign-in on, nobody signs up with a username and password unless asked
            // for; then the portal is published, which is when the sign-in settings take effect.
            const signUpOn = args.portalSignUp ?? false;
            portalSettings(name, args.resourceGroupName, service.name, signIn, signUpOn, args.tags, {
                parent: this,
                dependsOn: [provider],
            });
            siteSettings.push(
                pulumi
                    .output("portalsettings/signup")
                    .apply((path): SiteSetting => ({ path, body: { properties: signUpProperties(signUpOn) } })),
            );
            this.portalSignIn = `on: Entra ID, built-in sign-up ${signUpOn ? "on" : "off"}`;
        }

        const monitoring = args.monitoring;
        if (monitoring) {
            const loggerArgs = {
                resourceGroupName: args.resourceGroupName,
                serviceName: service.name,
                loggerId: "appinsights",
                loggerType: apimanagement.LoggerType.ApplicationInsights,
                description: "Application Insights of the integration platform",
                resourceId: monitoring.appInsightsId,
                isBuffered: true,
                // Application Insights takes telemetry with Entra ID only (local auth off): the
                // logger signs in as the service's user-assigned identity, granted Monitoring
                // Metrics Publisher on the component before the service exists
                // (learn.microsoft.com/azure/api-management/api-management-howto-app-insights).
                credentials: { connectionString: monitoring.appInsightsConnectionString, identityClientId: args.identity.clientId },
            };
            siteSettings.push(siteSetting("loggers/appinsights", loggerArgs, "loggerId"));
            const logger = new apimanagement.Logger(`${name}-logger`, loggerArgs, { parent: this });
            const headers = { headers: ["Content-Type", "traceparent"], body: { bytes: 0 } };
            const diagnosticArgs = {
                resourceGroupName: args.resourceGroupName,
                serviceName: service.name,
                diagnosticId: "applicationinsights",
                loggerId: logger.id,
                alwaysLog: apimanagement.AlwaysLog.AllErrors,
                sampling: { samplingType: apimanagement.SamplingType.Fixed, percentage: monitoring.samplingPercentage ?? 100 },
                httpCorrelationProtocol: apimanagement.HttpCorrelationProtocol.W3C,
                verbosity: apimanagement.Verbosity.Information,
                logClientIp: true,
                metrics: true,
                operationNameFormat: apimanagement.OperationNameFormat.Name,
                frontend: { request: headers, response: headers },
                backend: { request: headers, response: headers },
            };
            // Each site samples at its own rate, into its own logger.
            siteSettings.push(siteSetting("diagnostics/applicationinsights", diagnosticArgs, "diagnosticId"));
            new apimanagement.Diagnostic(`${name}-diagnostic`, diagnosticArgs, { parent: this });
            new monitor.DiagnosticSetting(
                `${name}-logs`,
                {
                    name: "to-log-analytics",
                    resourceUri: service.id,
                    workspaceId: monitoring.workspaceId,
                    logAnalyticsDestinationType: "Dedicated",
                    logs: [{ categoryGroup: "allLogs", enabled: true }],
                    metrics: [{ category: "AllMetrics", enabled: true }],
                },
                { parent: this },
            );
            const allLocations = [args.location, ...(args.additionalLocations ?? []).map((extra) => extra.location)];
            new monitor.MetricAlert(
                `${name}-capacity-alert`,
                {
                    resourceGroupName: args.resourceGroupName,
                    ruleName: args.names.capacityAlert,
                    location: "global",
                    description: `API Management capacity has averaged over ${scalePolicy.scaleOutAbove} % for 30 minutes in one region: scale out (autoscale scales the primary region; the others by config), or check that autoscale is keeping up.`,
                    severity: 2,
                    enabled: true,
                    scopes: [service.id],
                    evaluationFrequency: "PT5M",
                    windowSize: scalePolicy.window,
                    criteria: capacityAlertCriteria(allLocations.map((location) => args.regionDisplayNames![location]!)),
                    autoMitigate: true,
                    actions: [{ actionGroupId: monitoring.actionGroupId }],
                    tags: args.tags,
                },
                { parent: this },
            );
        }

        if (args.autoscale) {
            new monitor.AutoscaleSetting(
                `${name}-autoscale`,
                {
                    resourceGroupName: args.resourceGroupName,
                    autoscaleSettingName: args.names.autoscale,
                    location: args.location,
                    enabled: true,
                    targetResourceUri: service.id,
                    profiles: [
                        autoscaleProfile(
                            service.id,
                            { ...args.autoscale, defaultCapacity: args.capacity },
                            Math.max(1, zones.length),
                            args.regionDisplayNames![args.location]!,
                        ),
                    ],
                    tags: args.tags,
                },
                { parent: this },
            );
        }

        this.siteSettings = pulumi.all(siteSettings);
        this.registerOutputs({
            serviceId: this.serviceId,
            serviceName: this.serviceName,
            gatewayUrl: this.gatewayUrl,
            portalUrl: this.portalUrl,
            publicIpAddresses: this.publicIpAddresses,
            identityPrincipalId: this.identityPrincipalId,
            systemPrincipalId: this.systemPrincipalId,
            portalSignIn: this.portalSignIn,
        });
    }
}
