import * as pulumi from "@pulumi/pulumi";
import { ArgumentsError, eachProblems, problemLines } from "../common/rules";
import { corsOriginProblems, emailProblems, hostKeyProblems, hostNameProblems, samplingPercentageProblems } from "../common/values";
import type { AdditionalRegion, CustomHosts } from "./service";
import { sizingProblems, type GatewayTier } from "./sizing";

/**
 * Why a managed certificate cannot come with the service's first create. The free managed
 * certificate "can only be configured when updating an existing API Management instance, not when
 * creating an instance" (learn.microsoft.com/azure/api-management/configure-custom-domain,
 * limitations of the free, managed certificate).
 */
export const managedCertificateOnCreate =
    "API Management issues its free managed certificate only when an existing service is updated, never in the service's first create (allowed: a certificate from Key Vault; or deploy once with one, then set the service as existing and switch to managed)";

/** Tiers whose developer portal can sign users in with Entra ID. */
export const entraSignInTiers: readonly GatewayTier[] = ["Developer", "Standard", "Premium"];

/** The Azure names of what the gateway creates, chosen by the caller (the stack's naming rules). */
export interface GatewayNames {
    /** The API Management service: globally unique, 1-50 letters, digits and hyphens. Required. */
    service: pulumi.Input<string>;
    /** The autoscale setting. Required when `autoscale` is set. */
    autoscale?: pulumi.Input<string>;
    /** The capacity alert. Required when `monitoring` is set. */
    capacityAlert?: pulumi.Input<string>;
}

/** The user-assigned identity the service runs as, created before it. */
export interface GatewayIdentityRef {
    /** ARM id of the user-assigned identity. Required. */
    resourceId: pulumi.Input<string>;
    /** Its client id, used to read the custom hosts' certificates from Key Vault. Required. */
    clientId: pulumi.Input<string>;
    /** Its principal (object) id, granted read on each certificate. Required. */
    principalId: pulumi.Input<string>;
}

/** Entra ID sign-in for the developer portal. */
export interface PortalSignInRef {
    /** The directory (tenant) id users sign in to. Required. */
    tenantId: pulumi.Input<string>;
    /** Client id of the developer portal's app registration. Required. */
    clientId: pulumi.Input<string>;
    /** That app's client secret; a secret Output, never plain text. Required. */
    clientSecret: pulumi.Input<string>;
}

/** Where the gateway's telemetry goes. */
export interface GatewayMonitoringRef {
    /** ARM id of the Log Analytics workspace for the resource logs and metrics. Required. */
    workspaceId: pulumi.Input<string>;
    /** ARM id of the workspace-based Application Insights component. Required. */
    appInsightsId: pulumi.Input<string>;
    /** Its connection string (no credential: the component takes Entra ID authentication only). Required. */
    appInsightsConnectionString: pulumi.Input<string>;
    /** Share of requests traced to Application Insights, 0-100. Default: 100. */
    samplingPercentage?: number;
    /** ARM id of the action group alerts notify. Required. */
    actionGroupId: pulumi.Input<string>;
}

export interface ApiGatewayArgs {
    /** Resource group of the service and everything in it. Required. */
    resourceGroupName: pulumi.Input<string>;
    /** The primary region, where the service and its autoscale setting live. Required. */
    location: string;
    /**
     * Display names of the primary and additional regions (`westeurope` -> `West Europe`): the values
     * of the `Location` dimension of the Capacity metric, which the autoscale rules and the capacity
     * alert filter on. Required with autoscale or monitoring, for every region of the service.
     */
    regionDisplayNames?: Record<string, string>;
    /** Azure names of the service, autoscale setting and alert. Required. */
    names: GatewayNames;
    /** API Management tier: Developer, Basic, Standard or Premium. Required. */
    sku: GatewayTier;
    /** Units in the primary region, within the tier's range. Required. */
    capacity: number;
    /** Availability zones in the primary region; Premium only. Default: none. */
    zones?: string[];
    /** Extra regions of a Premium service, each with its own units and zones. Default: none. */
    additionalLocations?: AdditionalRegion[];
    /** Organisation name shown in the developer portal and e-mails. Required. */
    publisherName: string;
    /** Address that receives the service's notifications. Required. */
    publisherEmail: string;
    /** The user-assigned identity the service runs as. Required. */
    identity: GatewayIdentityRef;
    /**
     * Resources that must exist before the service is created: the identity's role assignments on
     * the custom hosts' certificates and on Application Insights, and the wait for them to take
     * effect, so that the create call, which reads the certificates, and the logger work the first
     * time. Default: none.
     */
    identityGrants?: pulumi.Input<pulumi.Resource>[];
    /** Custom host names with Key Vault or managed certificates. Default: the azure-api.net names only. */
    customHosts?: CustomHosts;
    /**
     * The service exists already (deployed by an earlier `pulumi up`). API Management issues its
     * free managed certificate only when an existing service is updated, never in its first create,
     * so a managed certificate is refused without it. Default: false.
     */
    serviceExists?: boolean;
    /**
     * The DNS records of the custom hosts. The service waits for them, because API Management
     * checks a managed certificate's records before it issues it. Default: none.
     */
    hostRecords?: pulumi.Input<pulumi.Resource>[];
    /**
     * Browser origins allowed to call the APIs (CORS), https only, never `*`. The developer
     * portal's own origins are always added. Default: none.
     */
    corsOrigins?: string[];
    /**
     * Entra ID sign-in for the developer portal. Ignored on Basic, which does not support it (the
     * `portalSignIn` output says so). Default: no Entra ID sign-in.
     */
    portalSignIn?: PortalSignInRef;
    /**
     * With Entra ID sign-in on, also let anyone sign up with a username and password, into the
     * built-in Developers group (which sees every product shown to it). Default: false.
     */
    portalSignUp?: boolean;
    /** Application Insights, Log Analytics and the alert action group. Default: no telemetry. */
    monitoring?: GatewayMonitoringRef;
    /**
     * Scale on the Capacity metric between these units (not on Developer). With zones the service
     * scales by one unit per zone, so both bounds are multiples of the zone count. Default: fixed capacity.
     */
    autoscale?: { minCapacity: number; maxCapacity: number };
    /** Tags on the service and every other taggable resource. Default: none. */
    tags?: Record<string, string>;
    /** Protect the service from deletion. Default: false. */
    protect?: boolean;
}

/** Checks {@link ApiGatewayArgs}; throws one error that names each field, its value and what is allowed. */
export function validateApiGatewayArgs(args: ApiGatewayArgs): void {
    const problems: string[] = problemLines(
        sizingProblems({
            sku: args.sku,
            capacity: args.capacity,
            location: args.location,
            zones: args.zones ?? [],
            additionalLocations: args.additionalLocations ?? [],
            autoscale: args.autoscale,
        }),
    );
    problems.push(...problemLines(emailProblems(args.publisherEmail), ["publisherEmail"]));
    problems.push(...problemLines(hostKeyProblems(args.customHosts ?? {}), ["customHosts"]));
    for (const [kind, host] of Object.entries(args.customHosts ?? {})) {
        if (!host) {
            continue;
        }
        problems.push(...problemLines(hostNameProblems(host.hostName), ["customHosts", kind, "hostName"]));
        if (host.managedCertificate && kind === "gateway" && !args.serviceExists) {
            problems.push(`customHosts.${kind}.managedCertificate: ${managedCertificateOnCreate}`);
        }
        if (host.managedCertificate && kind !== "gateway") {
            problems.push(
                `customHosts.${kind}.managedCertificate: API Management manages certificates for the gateway host only (allowed: a Key Vault certificate)`,
            );
        }
        if (!host.managedCertificate && host.certificateSecretId === undefined) {
            problems.push(
                `customHosts.${kind}.certificateSecretId: missing (allowed: a versionless Key Vault secret id, or managedCertificate: true on the gateway host)`,
            );
        }
        if (host.managedCertificate && host.certificateSecretId !== undefined) {
            problems.push(`customHosts.${kind}: both a Key Vault certificate and a managed one (allowed: one of them)`);
        }
    }
    problems.push(...problemLines(eachProblems(args.corsOrigins ?? [], corsOriginProblems), ["corsOrigins"]));
    if (args.monitoring?.samplingPercentage !== undefined) {
        problems.push(
            ...problemLines(samplingPercentageProblems(args.monitoring.samplingPercentage), ["monitoring", "samplingPercentage"]),
        );
    }
    if (args.monitoring && !args.names.capacityAlert) {
        problems.push("names.capacityAlert: missing while monitoring is set (allowed: the alert rule's name)");
    }
    if (args.autoscale || args.monitoring) {
        for (const location of [args.location, ...(args.additionalLocations ?? []).map((extra) => extra.location)]) {
            if (!args.regionDisplayNames?.[location]) {
                problems.push(
                    `regionDisplayNames.${location}: missing; the capacity rules filter on the region's display name (allowed: such as "West Europe" for westeurope)`,
                );
            }
        }
    }
    if (args.autoscale && !args.names.autoscale) {
        problems.push("names.autoscale: missing while autoscale is set (allowed: the autoscale setting's name)");
    }
    if (problems.length > 0) {
        throw new ArgumentsError("ApiGateway", problems);
    }
}
