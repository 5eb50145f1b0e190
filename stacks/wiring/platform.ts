import * as pulumi from "@pulumi/pulumi";
import type { HostKind } from "../../components/dns";
import { Foundation, type FoundationArgs, type ResourceGroupRef } from "../../components/foundation";
import { defaultHosts } from "../../components/gateway";
import { Monitoring } from "../../components/monitoring";
import type { StackConfig } from "../config";
import { customDomain, type CustomDomain } from "../domains";
import { Namer, globalNamer, nameSuffixLength, type GlobalNamer } from "../naming";
import { stackTags } from "../tags";
import type { StackInputs } from "./inputs";

/** The resource-group lifecycles of every stack: what is deployed, changed and removed together. */
export const lifecycles = ["gateway", "workflows", "shared"] as const;
/** One of {@link lifecycles}. */
export type Lifecycle = (typeof lifecycles)[number];

/**
 * The stack's resource groups: one per lifecycle; `dns` on a stack that owns its zone; `backup` on
 * an active site with a DR site.
 */
export type ResourceGroups = Record<Lifecycle, ResourceGroupRef> & Partial<Record<"dns" | "backup", ResourceGroupRef>>;

/** What every later step stands on: the stack's inputs, its names and tags, its groups and its monitoring. */
export interface Platform extends StackInputs {
    /** Names every resource of the stack from its workload, stack name and primary region. */
    namer: Namer;
    /** The tags every taggable resource carries. */
    tags: Record<string, string>;
    /** The stack's custom domain; undefined when it uses the default azure-api.net host names. */
    domain: CustomDomain | undefined;
    /** The resource groups, by lifecycle (see {@link ResourceGroups}). */
    groups: ResourceGroups;
    /** The stack's random suffix, which ends every globally unique name. */
    nameSuffix: pulumi.Output<string>;
    /** The name of a globally unique resource (API Management, Key Vault, storage), with the suffix. */
    globalName: GlobalNamer;
    /** Log Analytics, Application Insights and the action group every alert goes to. */
    monitoring: Monitoring;
    /** The API Management service's name, known before the service (the portal's redirect URIs and the records need it). */
    serviceName: pulumi.Output<string>;
    /** The service's default (azure-api.net) host names, from its name. */
    serviceHosts: pulumi.Output<Record<HostKind, string>>;
}

/**
 * The resource groups a stack creates, with their Azure names. A zone this stack creates lives in
 * a group of its own in the DR region: changing the records is the failover, and a group's metadata
 * (so any change to what is in it) lives in its region. The backups of an active site with a DR
 * site live in the DR region, in a group of their own.
 */
export function resourceGroupNames(config: StackConfig, namer: Namer, domain: CustomDomain | undefined): FoundationArgs["resourceGroups"] {
    const ownsZone = domain !== undefined && config.dr.role === "active" && config.dns.zoneResourceGroup === undefined;
    const zoneLocation = config.dr.location ?? config.location;
    const backsUp = config.dr.role === "active" && config.dr.stack !== undefined && config.dr.location !== undefined;
    return {
        ...Object.fromEntries(lifecycles.map((lifecycle) => [lifecycle, namer.name("resourceGroup", { purpose: lifecycle })])),
        // An adopted service stays in its own group (gateway.resourceGroup).
        ...(config.gateway.resourceGroup !== undefined ? { gateway: config.gateway.resourceGroup } : {}),
        ...(ownsZone
            ? { dns: { name: namer.name("resourceGroup", { purpose: "dns", location: zoneLocation }), location: zoneLocation } }
            : {}),
        ...(backsUp
            ? {
                  backup: {
                      name: namer.name("resourceGroup", { purpose: "backup", location: config.dr.location }),
                      location: config.dr.location!,
                  },
              }
            : {}),
    };
}

/** The platform: the resource groups and the name suffix (the foundation), then monitoring. */
export function wirePlatform(inputs: StackInputs): Platform {
    const { config } = inputs;
    const namer = new Namer(config.workload, config.stack, config.location);
    const domain = customDomain(config);
    const tags = stackTags(config);
    const foundation = new Foundation("foundation", {
        location: config.location,
        resourceGroups: resourceGroupNames(config, namer, domain),
        tags,
        protect: config.protect,
        suffixLength: nameSuffixLength,
    });
    // Keyed like the resource groups given: every lifecycle, and `dns` and `backup` when made.
    const groups = foundation.resourceGroups as ResourceGroups;
    const globalName = globalNamer(namer, foundation.nameSuffix);

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

    // An adopted service keeps its name (gateway.serviceName): the name is in its resource id.
    const serviceName = config.gateway.serviceName !== undefined ? pulumi.output(config.gateway.serviceName) : globalName("apiManagement");
    return {
        ...inputs,
        namer,
        tags,
        domain,
        groups,
        nameSuffix: foundation.nameSuffix,
        globalName,
        monitoring,
        serviceName,
        serviceHosts: serviceName.apply(defaultHosts),
    };
}
