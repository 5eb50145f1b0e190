import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { Foundation } from "../components/foundation";
import { ApiGateway, GatewayIdentity, loadCatalog } from "../components/gateway";
import { Monitoring } from "../components/monitoring";
import { loadStackConfig, type StackConfig } from "./config";
import { gatewayBackends, gatewaySizing } from "./gateway";
import { Namer, nameSuffixLength } from "./naming";
import { stackTags } from "./tags";

/** The resource-group lifecycles of every stack: what is deployed, changed and removed together. */
export const lifecycles = ["gateway", "workflows", "shared"] as const;
export type Lifecycle = (typeof lifecycles)[number];

/** What `pulumi stack output` shows, and what other stacks read through a StackReference. */
export interface StackOutputs {
    environment: string;
    location: string;
    production: boolean;
    drRole: StackConfig["dr"]["role"];
    resourceGroups: Record<Lifecycle, pulumi.Output<string>>;
    nameSuffix: pulumi.Output<string>;
    gateway: {
        serviceName: pulumi.Output<string>;
        gatewayUrl: pulumi.Output<string>;
        portalUrl: pulumi.Output<string>;
        publicIpAddresses: pulumi.Output<string[]>;
        identityPrincipalId: pulumi.Output<string>;
        apiIds: Record<string, pulumi.Output<string>>;
        portalSignIn: string;
    };
}

/** The API catalog the gateway publishes, beside the program. */
export const catalogDir = path.join(__dirname, "..", "apis");

/**
 * The stack assembly: typed config in, components out. Only this file knows how the components
 * connect; each component takes what it needs as arguments.
 */
export async function program(): Promise<StackOutputs> {
    const config = loadStackConfig();
    const catalog = await loadCatalog(catalogDir);
    gatewayBackends(config, catalog);
    const namer = new Namer(config.workload, config.stack, config.location);
    const tags = stackTags(config);

    const foundation = new Foundation("foundation", {
        location: config.location,
        resourceGroups: Object.fromEntries(lifecycles.map((lifecycle) => [lifecycle, namer.name("resourceGroup", { purpose: lifecycle })])),
        tags,
        protect: config.protect,
        suffixLength: nameSuffixLength,
    });

    const groups = foundation.resourceGroups;
    const monitoring = new Monitoring("monitoring", {
        resourceGroupName: groups.shared.name,
        location: config.location,
        names: {
            workspace: namer.name("logAnalyticsWorkspace"),
            appInsights: namer.name("applicationInsights"),
            actionGroup: namer.name("actionGroup"),
        },
        retentionDays: config.monitoring.retentionDays,
        alertEmails: config.monitoring.alertEmails,
        tags,
    });

    const gatewayIdentity = new GatewayIdentity("gateway-identity", {
        resourceGroupName: groups.gateway.name,
        location: config.location,
        identityName: namer.name("userAssignedIdentity", { purpose: "gateway" }),
        tags,
    });

    const gateway = new ApiGateway("gateway", {
        resourceGroupName: groups.gateway.name,
        location: config.location,
        names: {
            service: foundation.nameSuffix.apply((suffix) => namer.name("apiManagement", { suffix })),
            autoscale: namer.name("autoscaleSetting", { purpose: "gateway" }),
            capacityAlert: namer.name("metricAlert", { purpose: "gateway-capacity" }),
        },
        ...gatewaySizing(config),
        publisherName: config.gateway.publisherName,
        publisherEmail: config.gateway.publisherEmail,
        identity: gatewayIdentity,
        corsOrigins: config.gateway.corsOrigins,
        products: catalog.products,
        backends: {},
        monitoring: {
            workspaceId: monitoring.workspaceId,
            appInsightsId: monitoring.appInsightsId,
            appInsightsConnectionString: monitoring.appInsightsConnectionString,
            samplingPercentage: config.gateway.samplingPercentage,
            actionGroupId: monitoring.actionGroupId,
        },
        tags,
        protect: config.protect,
    });

    return {
        environment: config.environment,
        location: config.location,
        production: config.production,
        drRole: config.dr.role,
        resourceGroups: Object.fromEntries(lifecycles.map((lifecycle) => [lifecycle, foundation.resourceGroups[lifecycle].name])) as Record<
            Lifecycle,
            pulumi.Output<string>
        >,
        nameSuffix: foundation.nameSuffix,
        gateway: {
            serviceName: gateway.serviceName,
            gatewayUrl: gateway.gatewayUrl,
            portalUrl: gateway.portalUrl,
            publicIpAddresses: gateway.publicIpAddresses,
            identityPrincipalId: gateway.identityPrincipalId,
            apiIds: gateway.apiIds,
            portalSignIn: gateway.portalSignIn,
        },
    };
}
