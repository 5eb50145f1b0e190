import * as pulumi from "@pulumi/pulumi";
import { hostKinds, type HostKind } from "../../components/dns";
import { defaultHosts } from "../../components/gateway";
import type { StackConfig } from "../config";
import type { BackupOutputs } from "../disaster-recovery";
import type { Publication } from "./catalog";
import type { Gateway } from "./gateway";
import type { IdentityAndSecrets } from "./identity";
import type { Lifecycle, Platform } from "./platform";
import type { DomainRecords } from "./records";
import type { Recovery } from "./recovery";
import type { Testing } from "./testing";
import type { DeployedWorkflows } from "./workflows";

/** What `pulumi stack output` shows, and what other stacks read through a StackReference. */
export interface StackOutputs {
    environment: string;
    location: string;
    production: boolean;
    drRole: StackConfig["dr"]["role"];
    /** By lifecycle; `dns` too on a stack that owns its zone, `backup` on an active site with a DR site. */
    resourceGroups: Record<Lifecycle, pulumi.Output<string>> & { dns?: pulumi.Output<string>; backup?: pulumi.Output<string> };
    nameSuffix: pulumi.Output<string>;
    gateway: {
        serviceId: pulumi.Output<string>;
        serviceName: pulumi.Output<string>;
        /** The service's azure-api.net host names: what custom hosts point at (read by the active stack on failover). */
        defaultHosts: pulumi.Output<Record<HostKind, string>>;
        gatewayUrl: pulumi.Output<string>;
        portalUrl: pulumi.Output<string>;
        publicIpAddresses: pulumi.Output<string[]>;
        identityPrincipalId: pulumi.Output<string>;
        systemPrincipalId: pulumi.Output<string>;
        apiIds: Record<string, pulumi.Output<string>>;
        /** Revisions staged for testing, by API id, with the address each answers at (none when none is staged). */
        stagedRevisions?: Record<string, string[]>;
        portalSignIn: string;
    };
    identity: {
        tenantId: pulumi.Output<string>;
        apiClientId: pulumi.Output<string>;
        identifierUri: pulumi.Output<string>;
        roles: pulumi.Output<string[]>;
        openIdConfigUrl: pulumi.Output<string>;
        issuer: pulumi.Output<string>;
        /** The daemon client (none on a passive site, which shares the active site's). */
        clientAppClientId?: pulumi.Output<string>;
        portalClientId: pulumi.Output<string>;
    };
    vault: { id: pulumi.Output<string>; uri: pulumi.Output<string>; secretIds: Record<string, pulumi.Output<string>> };
    /** The active site's backups, for its passive site: the storage and the schedule. */
    backup?: BackupOutputs;
    workflows: {
        ids: Record<string, pulumi.Output<string>>;
        principalIds: Record<string, pulumi.Output<string>>;
        /** The gateway-facing triggers' callback URLs (secret: they carry the signature). */
        callbackUrls: pulumi.Output<Record<string, string>>;
        /** The API connections the workflows use, each with its connector, how it signs in and whether it awaits someone's consent (none when no workflow uses one). */
        connections?: Record<
            string,
            {
                id: pulumi.Output<string>;
                connector: string;
                authentication: string;
                consent: "needed after the first pulumi up" | "not needed";
            }
        >;
    };
    /** Azure Load Testing, on a stack with `load.azureLoadTesting`: where `az load test create` makes the generated test. */
    loadTesting?: { id: pulumi.Output<string>; name: pulumi.Output<string>; dataPlaneUri: pulumi.Output<string> };
    dns?: {
        zoneName: string;
        hostNames: Partial<Record<HostKind, string>>;
        /** Where the records point: this stack (primary) or the DR stack (dr); none on a passive site. */
        activeSite: "primary" | "dr" | "none";
        nameServers: pulumi.Output<string[]>;
    };
}

/** Everything the stack made, which its outputs report. */
export type AssembledStack = Platform & IdentityAndSecrets & DomainRecords & Gateway & DeployedWorkflows & Publication & Testing & Recovery;

/** The stack's outputs, from what every step made. */
export function stackOutputs(ctx: AssembledStack): StackOutputs {
    const { config, domain, records, gateway, identity, workflows, backup } = ctx;
    return {
        environment: config.environment,
        location: config.location,
        production: config.production,
        drRole: config.dr.role,
        resourceGroups: Object.fromEntries(
            Object.entries(ctx.groups).map(([lifecycle, group]) => [lifecycle, group.name]),
        ) as StackOutputs["resourceGroups"],
        nameSuffix: ctx.nameSuffix,
        gateway: {
            serviceId: gateway.serviceId,
            serviceName: gateway.serviceName,
            defaultHosts: gateway.serviceName.apply(defaultHosts),
            gatewayUrl: gateway.gatewayUrl,
            portalUrl: gateway.portalUrl,
            publicIpAddresses: gateway.publicIpAddresses,
            identityPrincipalId: gateway.identityPrincipalId,
            systemPrincipalId: gateway.systemPrincipalId,
            apiIds: ctx.published.apiIds,
            ...(Object.keys(ctx.published.stagedRevisions).length > 0 ? { stagedRevisions: ctx.published.stagedRevisions } : {}),
            portalSignIn: gateway.portalSignIn,
        },
        identity: {
            tenantId: identity.tenantId,
            apiClientId: identity.apiClientId,
            identifierUri: identity.identifierUri,
            roles: identity.roleValues,
            openIdConfigUrl: identity.openIdConfigUrl,
            issuer: identity.issuer,
            ...(identity.clientAppClientId ? { clientAppClientId: identity.clientAppClientId } : {}),
            portalClientId: identity.portalClientId,
        },
        vault: { id: ctx.secrets.vaultId, uri: ctx.secrets.vaultUri, secretIds: { ...ctx.secrets.secretIds, ...ctx.signatures.secretIds } },
        ...(backup ? { backup } : {}),
        ...(ctx.loadTesting
            ? {
                  loadTesting: {
                      id: ctx.loadTesting.loadTestId,
                      name: ctx.loadTesting.loadTestName,
                      dataPlaneUri: ctx.loadTesting.dataPlaneUri,
                  },
              }
            : {}),
        workflows: {
            ids: workflows.workflowIds,
            principalIds: workflows.principalIds,
            callbackUrls: pulumi.secret(
                pulumi.all(
                    Object.fromEntries(Object.entries(workflows.triggers).map(([name, trigger]) => [name, trigger.callbackUrl])),
                ) as pulumi.Output<Record<string, string>>,
            ),
            ...(Object.keys(ctx.apiConnections.connectionIds).length > 0
                ? {
                      connections: Object.fromEntries(
                          Object.entries(ctx.apiConnections.connectionIds).map(([name, id]) => {
                              const declaration = ctx.connectionDeclarations.connections[name]!;
                              return [
                                  name,
                                  {
                                      id,
                                      connector:
                                          declaration.connector.kind === "managed"
                                              ? declaration.connector.api
                                              : `custom (workflows/${declaration.connector.file})`,
                                      authentication: declaration.authentication,
                                      consent: ctx.apiConnections.needsConsent.includes(name)
                                          ? ("needed after the first pulumi up" as const)
                                          : ("not needed" as const),
                                  },
                              ];
                          }),
                      ),
                  }
                : {}),
        },
        ...(domain
            ? {
                  dns: {
                      zoneName: domain.zoneName,
                      hostNames: Object.fromEntries(hostKinds.map((kind) => [kind, domain.hosts[kind].hostName])),
                      activeSite: records ? config.dns.activeSite : "none",
                      nameServers: records?.nameServers ?? pulumi.output([]),
                  },
              }
            : {}),
    };
}
