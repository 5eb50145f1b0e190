import type * as pulumi from "@pulumi/pulumi";
import { ApiGateway, GatewayIdentity } from "../../components/gateway";
import { AccessGrants, type Grant } from "../../components/identity";
import { certificateGrants, gatewayHosts } from "../domains";
import { operatorsReadGrant } from "../naming";
import { region } from "../regions";
import type { IdentityAndSecrets } from "./identity";
import type { Platform } from "./platform";
import type { DomainRecords } from "./records";

/** The API Management service. */
export interface Gateway {
    /** The service, its regions, scaling, portal and diagnostics. */
    gateway: ApiGateway;
}

/**
 * The grants made before the service. What the service needs from its first create on, each
 * granted to its user-assigned identity before it: its certificates, each on its own, and
 * Application Insights, which takes telemetry with Entra ID only. With them, the operators group's
 * Reader role on every resource group.
 */
export function serviceGrants(
    ctx: Pick<Platform, "config" | "domain" | "groups" | "monitoring">,
    principalId: pulumi.Output<string>,
): Record<string, Grant> {
    const grants: Record<string, Grant> = {
        ...(ctx.domain ? certificateGrants(ctx.domain, principalId) : {}),
        "gateway-publishes-telemetry": {
            scope: ctx.monitoring.appInsightsId,
            principalId,
            principalType: "ServicePrincipal",
            role: "Monitoring Metrics Publisher",
        },
    };
    const operators = ctx.config.identity.operatorsGroupId;
    if (operators) {
        for (const [lifecycle, group] of Object.entries(ctx.groups)) {
            grants[operatorsReadGrant(lifecycle)] = { scope: group.id, principalId: operators, principalType: "Group", role: "Reader" };
        }
    }
    return grants;
}

/** The gateway: its user-assigned identity, that identity's grants, then the service. */
export function wireGateway(ctx: Platform & IdentityAndSecrets & DomainRecords): Gateway {
    const { config, namer, domain, monitoring } = ctx;
    const gatewayIdentity = new GatewayIdentity("gateway-identity", {
        resourceGroupName: ctx.groups.gateway.name,
        location: config.location,
        identityName: namer.name("userAssignedIdentity", { purpose: "gateway" }),
        tags: ctx.tags,
    });
    const access = new AccessGrants("access", {
        grants: serviceGrants(ctx, gatewayIdentity.principalId),
        propagationWait: config.identity.roleAssignmentWait,
    });

    const gateway = new ApiGateway("gateway", {
        resourceGroupName: ctx.groups.gateway.name,
        location: config.location,
        names: {
            service: ctx.serviceName,
            autoscale: namer.name("autoscaleSetting", { purpose: "gateway" }),
            capacityAlert: namer.name("metricAlert", { purpose: "gateway-capacity" }),
        },
        sku: config.gateway.sku,
        capacity: config.gateway.capacity,
        zones: config.gateway.zones,
        additionalLocations: config.gateway.additionalLocations,
        regionDisplayNames: Object.fromEntries(
            [config.location, ...config.gateway.additionalLocations.map((extra) => extra.location)].map((location) => [
                location,
                region(location).display,
            ]),
        ),
        autoscale: config.gateway.autoscale,
        publisherName: config.gateway.publisherName,
        publisherEmail: config.gateway.publisherEmail,
        identity: gatewayIdentity,
        // The certificates are read in the service's create call, so the grants must have taken effect.
        identityGrants: access.applied,
        customHosts: domain ? gatewayHosts(domain) : undefined,
        serviceExists: config.gateway.serviceExists,
        portalSignUp: config.gateway.portalSignUp,
        hostRecords: ctx.records?.records,
        corsOrigins: config.gateway.corsOrigins,
        portalSignIn: {
            tenantId: ctx.identity.tenantId,
            clientId: ctx.identity.portalClientId,
            clientSecret: ctx.identity.portalClientSecret,
        },
        monitoring: {
            workspaceId: monitoring.workspaceId,
            appInsightsId: monitoring.appInsightsId,
            appInsightsConnectionString: monitoring.appInsightsConnectionString,
            samplingPercentage: config.gateway.samplingPercentage,
            actionGroupId: monitoring.actionGroupId,
        },
        tags: ctx.tags,
        protect: config.protect,
    });
    return { gateway };
}
