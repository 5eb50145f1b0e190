import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as apimanagement from "@pulumi/azure-native/apimanagement";
import { Dns, hostKinds, type HostKind } from "../components/dns";
import { Foundation } from "../components/foundation";
import { ApiGateway, GatewayCatalog, GatewayIdentity, defaultHosts, signatureNamedValue, type WorkflowTriggerRef } from "../components/gateway";
import { AccessGrants, Identity, type Grant } from "../components/identity";
import { Monitoring } from "../components/monitoring";
import { Secrets, VaultSecrets, type SecretEntry } from "../components/secrets";
import { Workflows, camelCase } from "../components/workflows";
import { loadStackConfig, type StackConfig } from "./config";
import { loadCatalog, loadWorkflowDefinitions } from "../content";
import { activeSiteBackup, passiveSiteRestore, type BackupOutputs } from "./disaster-recovery";
import { certificateGrants, customDomain, gatewayHosts } from "./domains";
import { apiRoles, backendKeyNames, checkCatalogConfig } from "./gateway";
import { Namer, nameSuffixLength } from "./naming";
import { region } from "./regions";
import { stackTags } from "./tags";

/** The resource-group lifecycles of every stack: what is deployed, changed and removed together. */
export const lifecycles = ["gateway", "workflows", "shared"] as const;
export type Lifecycle = (typeof lifecycles)[number];

/**
 * The project's directory, which holds `Pulumi.yaml`, the stack files and the user's content:
 * `apis/` (the catalog the gateway publishes) and `workflows/` (the definitions). The Pulumi CLI
 * tells the program where it is (`getRootDirectory`); with a CLI that does not, it is the
 * directory above this file.
 */
export function projectDir(): string {
    const root = pulumi.runtime.getRootDirectory();
    return root && path.isAbsolute(root) && fs.existsSync(path.join(root, "Pulumi.yaml")) ? root : path.join(__dirname, "..");
}

/** Where a project keeps its catalog and its workflow definitions. */
export function contentDirs(root: string): { catalog: string; workflows: string } {
    return { catalog: path.join(root, "apis"), workflows: path.join(root, "workflows") };
}

/** What `pulumi stack output` shows, and what other stacks read through a StackReference. */
export interface StackOutputs {
    environment: string;
    location: string;
    production: boolean;
    drRole: StackConfig["dr"]["role"];
    /** By lifecycle; `dns` too on a stack that owns its zone. */
    resourceGroups: Record<Lifecycle, pulumi.Output<string>> & { dns?: pulumi.Output<string> };
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
    };
    dns?: {
        zoneName: string;
        hostNames: Partial<Record<HostKind, string>>;
        /** Where the records point: this stack (primary) or the DR stack (dr); none on a passive site. */
        activeSite: "primary" | "dr" | "none";
        nameServers: pulumi.Output<string[]>;
    };
}

/**
 * The stack assembly: typed config in, components out. Only this file knows how the components
 * connect; each component takes what it needs as arguments. The order follows what each needs:
 * Entra ID applications, then the vault that keeps their secrets, then the gateway's identity and
 * its vault access, then the gateway, then the workflows that admit only the gateway's addresses,
 * then the catalog that forwards to their triggers.
 */
export async function program(): Promise<StackOutputs> {
    const config = loadStackConfig();
    const content = contentDirs(projectDir());
    const catalog = await loadCatalog(content.catalog);
    // What API Management will do differently from what a file says (a converted Swagger, an
    // operation no access group covers): shown, not refused.
    for (const note of catalog.notes) {
        void pulumi.log.warn(note);
    }
    const definitions = loadWorkflowDefinitions(content.workflows, Object.keys(config.workflows));
    checkCatalogConfig(config, catalog);
    const namer = new Namer(config.workload, config.stack, config.location);
    const domain = customDomain(config);
    const tags = stackTags(config);
    const globalName = (kind: "apiManagement" | "keyVault" | "storageAccount", purpose?: string) =>
        foundation.nameSuffix.apply((suffix) => namer.name(kind, { suffix, purpose }));

    // A zone this stack creates lives in a group of its own in the DR region: changing the records
    // is the failover, and a group's metadata (so any change to what is in it) lives in its region.
    const ownsZone = domain !== undefined && config.dr.role === "active" && config.dns.zoneResourceGroup === undefined;
    const zoneLocation = config.dr.location ?? config.location;
    // The backups of an active site with a DR site live in the DR region, in a group of their own.
    const backsUp = config.dr.role === "active" && config.dr.stack !== undefined && config.dr.location !== undefined;
    const foundation = new Foundation("foundation", {
        location: config.location,
        resourceGroups: {
            ...Object.fromEntries(lifecycles.map((lifecycle) => [lifecycle, namer.name("resourceGroup", { purpose: lifecycle })])),
            ...(ownsZone ? { dns: { name: namer.name("resourceGroup", { purpose: "dns", location: zoneLocation }), location: zoneLocation } } : {}),
            ...(backsUp ? { backup: { name: namer.name("resourceGroup", { purpose: "backup", location: config.dr.location }), location: config.dr.location! } } : {}),
        },
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

    // A passive site reads the active site's outputs: its API application and its backups.
    const activeSite = config.dr.role === "passive" ? new pulumi.StackReference("active-site", { name: qualifiedStackName(config.dr.stack!) }) : undefined;
    const serviceName = globalName("apiManagement");
    const ownHosts = serviceName.apply(defaultHosts);
    const identity = new Identity("identity", {
        displayNamePrefix: `${config.workload}-${config.stack}`,
        // A passive site validates the active site's tokens, so clients keep working after a failover.
        sharedApi: activeSite ? activeSiteApi(activeSite) : undefined,
        identifierUri: config.identity.identifierUri ?? `api://${config.workload}-${config.stack}`,
        apiRoles: apiRoles(catalog),
        clientFederation: config.identity.clientFederation,
        portalHosts: [ownHosts.portal, ...(domain ? [domain.hosts.portal.hostName] : [])],
        secretExpiresOn: config.secrets.expiresOn,
    });

    // Backend keys: the user's (a Pulumi secret) where given, otherwise generated and kept in the vault.
    const keyNames = backendKeyNames(catalog);
    const stored: Record<string, SecretEntry> = {
        "developer-portal-client-secret": { value: identity.portalClientSecret, contentType: "Entra ID client secret of the developer portal application" },
    };
    if (identity.clientAppSecret) {
        stored["api-client-secret"] = { value: identity.clientAppSecret, contentType: "Entra ID client secret of the daemon client application" };
    }
    for (const [api, secretName] of Object.entries(keyNames)) {
        const supplied = config.backendApiKeys[api];
        stored[secretName] = supplied
            ? { value: pulumi.secret(supplied), contentType: `API key of the ${api} backend (from backendApiKeys)` }
            : { generate: { length: 48 }, contentType: `API key of the ${api} backend (generated; give it to the backend's owners)` };
    }
    const secrets = new Secrets("secrets", {
        resourceGroupName: groups.shared.name,
        location: config.location,
        vaultName: globalName("keyVault"),
        tenantId: identity.tenantId,
        allowedIpRanges: config.secrets.allowedIpRanges,
        workspaceId: monitoring.workspaceId,
        secrets: stored,
        expiresOn: config.secrets.expiresOn,
        protect: config.protect,
        tags,
    });

    const gatewayIdentity = new GatewayIdentity("gateway-identity", {
        resourceGroupName: groups.gateway.name,
        location: config.location,
        identityName: namer.name("userAssignedIdentity", { purpose: "gateway" }),
        tags,
    });
    // What the service needs from its first create on, each granted before it: its certificates,
    // each on its own, and Application Insights, which takes telemetry with Entra ID only.
    const beforeService: Record<string, Grant> = {
        ...(domain ? certificateGrants(domain, gatewayIdentity.principalId) : {}),
        "gateway-publishes-telemetry": { scope: monitoring.appInsightsId, principalId: gatewayIdentity.principalId, principalType: "ServicePrincipal", role: "Monitoring Metrics Publisher" },
    };
    const grants: Record<string, Grant> = { ...beforeService };
    if (config.identity.operatorsGroupId) {
        for (const [lifecycle, group] of Object.entries(groups)) {
            grants[`operators-read-${lifecycle}`] = { scope: group.id, principalId: config.identity.operatorsGroupId, principalType: "Group", role: "Reader" };
        }
    }
    const access = new AccessGrants("access", { grants, propagationWait: config.identity.roleAssignmentWait });

    // The records exist before the service: API Management checks them before it issues a managed
    // certificate, and the service is created once, with its host names. The active stack owns the
    // records; a passive site only serves the same host names once they point at it.
    let records: Dns | undefined;
    if (domain && config.dr.role === "active") {
        const site = config.dns.activeSite === "dr" ? drHosts(config.dr.stack!) : ownHosts;
        const managed = hostKinds.filter((kind) => domain.certificates[kind].managed);
        records = new Dns("dns", {
            zoneName: domain.zoneName,
            zoneResourceGroupName: config.dns.zoneResourceGroup ?? groups.dns!.name,
            existingZone: config.dns.zoneResourceGroup !== undefined,
            hosts: Object.fromEntries(hostKinds.map((kind) => [kind, { label: domain.hosts[kind].label, target: site.apply((hosts) => hosts[kind]) }])),
            ttl: config.dns.ttl,
            managedCertificates:
                managed.length > 0 ? { hosts: managed, ownershipIdentifier: apimanagement.getApiManagementServiceDomainOwnershipIdentifierOutput().domainOwnershipIdentifier } : undefined,
            protect: config.protect,
            tags,
        });
    }

    const gateway = new ApiGateway("gateway", {
        resourceGroupName: groups.gateway.name,
        location: config.location,
        names: {
            service: serviceName,
            autoscale: namer.name("autoscaleSetting", { purpose: "gateway" }),
            capacityAlert: namer.name("metricAlert", { purpose: "gateway-capacity" }),
        },
        sku: config.gateway.sku,
        capacity: config.gateway.capacity,
        zones: config.gateway.zones,
        additionalLocations: config.gateway.additionalLocations,
        regionDisplayNames: Object.fromEntries(
            [config.location, ...config.gateway.additionalLocations.map((extra) => extra.location)].map((location) => [location, region(location).display]),
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
        hostRecords: records?.records,
        corsOrigins: config.gateway.corsOrigins,
        portalSignIn: { tenantId: identity.tenantId, clientId: identity.portalClientId, clientSecret: identity.portalClientSecret },
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

    // Definition parameters the stack fills: each backend's base URL and key, by API name.
    // The config's backends are already in the shape the catalog takes: { url, clientCertificateSecretId }.
    const backends = config.gateway.backends;
    const parameterValues: Record<string, pulumi.Input<unknown>> = {};
    for (const [api, backend] of Object.entries(backends)) {
        parameterValues[`${camelCase(api)}BaseUrl`] = backend.url;
    }
    for (const [api, secretName] of Object.entries(keyNames)) {
        parameterValues[`${camelCase(api)}ApiKey`] = secrets.secretValues[secretName]!;
    }
    // A stack without workflows (`workflows` is optional) deploys none, and no storage for them.
    const deployed = Object.keys(config.workflows).length > 0;
    const created = deployed
        ? new Workflows("workflows", {
              resourceGroupName: groups.workflows.name,
              location: config.location,
              definitions,
              workflows: Object.fromEntries(
                  Object.entries(config.workflows).map(([name, access]) => [
                      name,
                      { workflowName: namer.name("workflow", { purpose: name }), access, alertName: namer.name("metricAlert", { purpose: `${name}-failed` }) },
                  ]),
              ),
              parameterValues,
              gatewayIpAddresses: gateway.publicIpAddresses,
              adminIpRanges: config.adminIpRanges,
              // Order documents must outlive a region in production: a geo-redundant copy in the pair.
              storage: { accountName: globalName("storageAccount", "wf"), geoRedundant: config.production, protect: config.protect },
              monitoring: { workspaceId: monitoring.workspaceId, actionGroupId: monitoring.actionGroupId },
              tags,
          })
        : undefined;
    const workflows = {
        triggers: created?.triggers ?? {},
        containerWriters: created?.containerWriters ?? [],
        workflowIds: created?.workflowIds ?? {},
        principalIds: created?.principalIds ?? {},
    };

    // Trigger signatures go into the vault; the gateway reads them there.
    const laterSecrets: Record<string, SecretEntry> = {};
    for (const [name, trigger] of Object.entries(workflows.triggers)) {
        laterSecrets[signatureNamedValue(name)] = { value: trigger.signature, contentType: `Signature (sig) of the ${name} workflow's HTTP trigger` };
    }
    const vaultSecrets = new VaultSecrets("workflow-secrets", {
        resourceGroupName: groups.shared.name,
        vaultName: secrets.vaultName,
        secrets: laterSecrets,
        expiresOn: config.secrets.expiresOn,
        protect: config.protect,
        tags,
    });

    // The gateway reads exactly the secrets its named values hold, each granted on its own: not the
    // portal's or the client's Entra ID secrets. It reads them with its
    // system-assigned identity, the one the vault's firewall admits as a trusted service.
    const namedValueSecrets = [...Object.values(keyNames), ...Object.keys(workflows.triggers).map(signatureNamedValue)];
    const secretAccess = new AccessGrants("gateway-secrets", {
        grants: Object.fromEntries(
            namedValueSecrets.map((secretName) => [
                `gateway-reads-${secretName}`,
                { scope: pulumi.interpolate`${secrets.vaultId}/secrets/${secretName}`, principalId: gateway.systemPrincipalId, principalType: "ServicePrincipal", role: "Key Vault Secrets User" },
            ]),
        ),
        after: [secrets, vaultSecrets],
        propagationWait: config.identity.roleAssignmentWait,
    });

    // Each workflow writes to its own containers, and to nothing else in the account.
    const storageAccess = new AccessGrants("workflow-storage", {
        grants: Object.fromEntries(
            workflows.containerWriters.map((writer) => [
                `${writer.workflow}-${writer.container}`,
                { scope: writer.containerId, principalId: writer.principalId, principalType: "ServicePrincipal", role: "Storage Blob Data Contributor" },
            ]),
        ),
        propagationWait: config.identity.roleAssignmentWait,
    });

    const triggers: Record<string, WorkflowTriggerRef> = Object.fromEntries(
        Object.entries(workflows.triggers).map(([name, trigger]) => [
            name,
            { baseUrl: trigger.baseUrl, path: trigger.path, query: trigger.query, signatureSecretId: vaultSecrets.secretIds[signatureNamedValue(name)]! },
        ]),
    );
    const published = new GatewayCatalog("catalog", {
        resourceGroupName: groups.gateway.name,
        serviceName: gateway.serviceName,
        products: catalog.products,
        apis: catalog.apis,
        backends,
        workflows: triggers,
        tokenValidation: { openIdConfigUrl: identity.openIdConfigUrl, issuer: identity.issuer, audiences: identity.audiences },
        namedValues: Object.fromEntries(Object.values(keyNames).map((secretName) => [secretName, secrets.secretIds[secretName]!])),
        // A named value is checked against the vault when it is created: after the grants applied.
        // And no API reaches a workflow before it may write to its containers.
        after: [gateway, ...secretAccess.applied, ...storageAccess.applied],
    });

    // Disaster recovery's backups: the active site backs up, the passive site restores.
    const recovery = {
        config,
        namer,
        storageName: (purpose: string, location: string) => foundation.nameSuffix.apply((suffix) => namer.name("storageAccount", { suffix, purpose, location })),
        groups: { workflows: groups.workflows.name, backup: groups.backup?.name },
        gateway: { serviceId: gateway.serviceId, systemPrincipalId: gateway.systemPrincipalId },
        monitoring: { workspaceId: monitoring.workspaceId, actionGroupId: monitoring.actionGroupId },
        tags,
    };
    const backup = activeSiteBackup(recovery);
    if (activeSite) {
        // What a restore of the active site's backup overwrites that this site's code owns.
        const siteSettings = pulumi.all([gateway.siteSettings, published.siteSettings]).apply(([own, catalogued]) => [...own, ...catalogued]);
        passiveSiteRestore({ ...recovery, activeSite, siteSettings });
    }

    return {
        environment: config.environment,
        location: config.location,
        production: config.production,
        drRole: config.dr.role,
        resourceGroups: Object.fromEntries(Object.entries(groups).map(([lifecycle, group]) => [lifecycle, group.name])) as Record<Lifecycle, pulumi.Output<string>>,
        nameSuffix: foundation.nameSuffix,
        gateway: {
            serviceId: gateway.serviceId,
            serviceName: gateway.serviceName,
            defaultHosts: gateway.serviceName.apply(defaultHosts),
            gatewayUrl: gateway.gatewayUrl,
            portalUrl: gateway.portalUrl,
            publicIpAddresses: gateway.publicIpAddresses,
            identityPrincipalId: gateway.identityPrincipalId,
            systemPrincipalId: gateway.systemPrincipalId,
            apiIds: published.apiIds,
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
        vault: { id: secrets.vaultId, uri: secrets.vaultUri, secretIds: { ...secrets.secretIds, ...vaultSecrets.secretIds } },
        ...(backup ? { backup } : {}),
        workflows: {
            ids: workflows.workflowIds,
            principalIds: workflows.principalIds,
            callbackUrls: pulumi.secret(
                pulumi.all(Object.fromEntries(Object.entries(workflows.triggers).map(([name, trigger]) => [name, trigger.callbackUrl]))) as pulumi.Output<Record<string, string>>,
            ),
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

/**
 * The stacks of this project a stack reads through a StackReference: the active site's (on a
 * passive site, for its API application) and the DR site's (while the records point there).
 */
export function referencedStacks(config: StackConfig): string[] {
    const stack = config.dr.stack;
    return stack && (config.dr.role === "passive" || config.dns.activeSite === "dr") ? [stack] : [];
}

/**
 * The full name of another stack of this project: `org/project/stack`. A bare name would be looked
 * up in the CLI's default organisation, which is not always the stack's.
 */
export function qualifiedStackName(stack: string): string {
    return stack.includes("/") ? stack : `${pulumi.getOrganization()}/${pulumi.getProject()}/${stack}`;
}

/** The active site's API application, read from its outputs. */
function activeSiteApi(activeSite: pulumi.StackReference) {
    const identity = activeSite.requireOutput("identity") as pulumi.Output<{
        tenantId: string;
        apiClientId: string;
        identifierUri: string;
        roles: string[];
    }>;
    return { tenantId: identity.tenantId, clientId: identity.apiClientId, identifierUri: identity.identifierUri, roles: identity.roles };
}

/** The DR stack's default host names, read from its outputs: where the records point after a failover. */
function drHosts(stack: string): pulumi.Output<Record<HostKind, string>> {
    const reference = new pulumi.StackReference(`dr-site`, { name: qualifiedStackName(stack) });
    return reference.requireOutput("gateway").apply((gateway) => {
        const hosts = (gateway as { defaultHosts?: Record<HostKind, string> }).defaultHosts;
        if (!hosts) {
            throw new Error(`Stack ${stack} has no gateway.defaultHosts output; run pulumi up on it first`);
        }
        return hosts;
    });
}
