import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { UnresolvedStackReference, ownStackName, type ReferencedOutputs } from "./references";
import { plainValue } from "./values";

/**
 * Mocks that answer like Azure would: ARM resource ids, the API Management host names and public
 * IP addresses of every region, Logic Apps callback URLs, Entra ID object and client ids, Key Vault
 * URIs. Values are derived from a hash of the resource, so a plan is the same on every run.
 *
 * Every value the mocks make up is recorded in {@link Fabricated}: the plan shows it as
 * "(known after deploy)" rather than as a fact.
 */

/**
 * A value the mocks invented: a whole value, or a piece of a longer one that the program may take
 * apart, recognised after a fixed context (`sv=` then `1.0` in a callback URL's query).
 */
export type FabricatedEntry = string | { readonly whole: string } | readonly [context: string, value: string];

/** Values the mocks invented, whole or as pieces, so the plan can mark them wherever they end up. */
export class Fabricated {
    private readonly values = new Set<string>();
    private readonly wholeOnly = new Set<string>();
    private readonly pieces = new Map<string, readonly [string, string]>();
    /**
     * Invented values a real `pulumi preview` would know: what a function call with no pending
     * input answers (the signed-in identity), and what another stack's deployed state holds.
     */
    private readonly previewKnown = new Set<string>();

    /** Records `value` as invented and returns it. */
    add<T extends string>(value: T): T {
        this.values.add(value);
        return value;
    }

    /** Records `value` as invented where it is a whole value (too common to look for inside others). */
    addWhole<T extends string>(value: T): T {
        this.wholeOnly.add(value);
        return value;
    }

    /** Records `value` as invented where it follows `context`, and returns it. */
    addAfter<T extends string>(context: string, value: T): T {
        this.pieces.set(`${context}\u0000${value}`, [context, value]);
        return value;
    }

    /** Records `value` as invented here, while a real preview would know it; returns it. */
    addKnownInPreview<T extends string>(value: T): T {
        this.previewKnown.add(value);
        return this.add(value);
    }

    /**
     * Records entries another run invented. With `knownInPreview`, they come from a stack that a
     * real preview reads deployed (a stack reference): known there, invented here.
     */
    addAll(entries: readonly FabricatedEntry[], options: { knownInPreview?: boolean } = {}): void {
        for (const entry of entries) {
            if (typeof entry === "string") {
                this.add(entry);
                if (options.knownInPreview) {
                    this.previewKnown.add(entry);
                }
            } else if ("whole" in entry) {
                this.addWhole(entry.whole);
                if (options.knownInPreview) {
                    this.previewKnown.add(entry.whole);
                }
            } else {
                this.addAfter(entry[0], entry[1]);
            }
        }
    }

    /** The invented values a real preview would know. */
    knownInPreview(): string[] {
        return [...this.previewKnown];
    }

    has(value: string): boolean {
        return this.values.has(value) || this.wholeOnly.has(value);
    }

    /** Every invented value and piece. */
    all(): FabricatedEntry[] {
        return [...this.values, ...[...this.wholeOnly].map((whole) => ({ whole })), ...this.pieces.values()];
    }

    /** Invented values long enough to be recognised inside other strings, longest first. */
    embeddable(minLength: number): string[] {
        return [...this.values].filter((value) => value.length >= minLength).sort((a, b) => b.length - a.length);
    }

    /** Invented pieces with their context. */
    contextual(): Array<readonly [string, string]> {
        return [...this.pieces.values()];
    }
}

export interface MockEnvironment {
    /** Subscription the stack deploys to (the Azure login's, in a real run). */
    readonly subscriptionId: string;
    /** Entra ID tenant of the login. */
    readonly tenantId: string;
    /** Object id of the deploying identity. */
    readonly deployerObjectId: string;
    /** Client id of the deploying identity. */
    readonly deployerClientId: string;
    /** Outputs of other stacks, by reference name, for `StackReference`. */
    readonly stackReferences: Readonly<Record<string, ReferencedOutputs>>;
    /** The project's name: references to its stacks need their outputs, others read as unknown. */
    readonly project: string;
    /**
     * Which set of values to invent. Every value the mocks make up differs between variants, so
     * two runs that differ only in the variant show what the plan takes from the mocks. Default 0.
     */
    readonly variant: number;
}

// ---------------------------------------------------------------------------------------------
// Deterministic values.

function digest(seed: string): Buffer {
    return createHash("sha256").update(seed).digest();
}

export function hexOf(seed: string, length: number): string {
    let hex = "";
    for (let round = 0; hex.length < length; round++) {
        hex += digest(`${round}:${seed}`).toString("hex");
    }
    return hex.slice(0, length);
}

/** A version-4 shaped GUID. */
export function guidOf(seed: string): string {
    const hex = hexOf(seed, 32).split("");
    hex[12] = "4";
    hex[16] = "89ab"[parseInt(hex[16], 16) % 4];
    const text = hex.join("");
    return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

/** A public IPv4 address in 20.0.0.0/8, a range Azure uses for service addresses. */
export function ipOf(seed: string): string {
    const bytes = digest(seed);
    return `20.${bytes[0]}.${bytes[1]}.${(bytes[2] % 254) + 1}`;
}

function textOf(seed: string, length: number, alphabet: string): string {
    const bytes = Buffer.concat([digest(`a:${seed}`), digest(`b:${seed}`), digest(`c:${seed}`)]);
    let out = "";
    for (let i = 0; out.length < length; i++) {
        out += alphabet[bytes[i % bytes.length] % alphabet.length];
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// ARM ids.

const rg = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}";
const apim = `${rg}/providers/Microsoft.ApiManagement/service/{serviceName}`;
const storage = `${rg}/providers/Microsoft.Storage/storageAccounts/{accountName}`;

/**
 * ARM id templates by type token, one for each Azure type the program creates (a test holds the
 * two lists together); `{x}` is the resource's input `x`.
 */
export const idTemplates: Readonly<Record<string, string>> = {
    "azure-native:resources:ResourceGroup": rg,
    "azure-native:resources:Deployment": `${rg}/providers/Microsoft.Resources/deployments/{deploymentName}`,
    // The generic resource the program creates only at the top of a resource group (a
    // managed-identity API connection, parentResourcePath ""): <namespace>/<type>/<name>.
    "azure-native:resources:Resource": `${rg}/providers/{resourceProviderNamespace}/{resourceType}/{resourceName}`,
    "azure-native:web:Connection": `${rg}/providers/Microsoft.Web/connections/{connectionName}`,
    "azure-native:web:CustomApi": `${rg}/providers/Microsoft.Web/customApis/{apiName}`,
    "azure-native:apimanagement:ApiManagementService": apim,
    "azure-native:apimanagement:Api": `${apim}/apis/{apiId}`,
    "azure-native:apimanagement:ApiPolicy": `${apim}/apis/{apiId}/policies/{policyId}`,
    "azure-native:apimanagement:ApiOperationPolicy": `${apim}/apis/{apiId}/operations/{operationId}/policies/{policyId}`,
    "azure-native:apimanagement:ApiRelease": `${apim}/apis/{apiId}/releases/{releaseId}`,
    "azure-native:apimanagement:ApiVersionSet": `${apim}/apiVersionSets/{versionSetId}`,
    "azure-native:apimanagement:Backend": `${apim}/backends/{backendId}`,
    "azure-native:apimanagement:Certificate": `${apim}/certificates/{certificateId}`,
    "azure-native:apimanagement:Diagnostic": `${apim}/diagnostics/{diagnosticId}`,
    "azure-native:apimanagement:IdentityProvider": `${apim}/identityProviders/{identityProviderName}`,
    "azure-native:apimanagement:Logger": `${apim}/loggers/{loggerId}`,
    "azure-native:apimanagement:NamedValue": `${apim}/namedValues/{namedValueId}`,
    "azure-native:apimanagement:Policy": `${apim}/policies/{policyId}`,
    "azure-native:apimanagement:Product": `${apim}/products/{productId}`,
    "azure-native:apimanagement:ProductPolicy": `${apim}/products/{productId}/policies/{policyId}`,
    "azure-native:apimanagement:ProductApi": `${apim}/products/{productId}/apis/{apiId}`,
    "azure-native:apimanagement:ProductGroup": `${apim}/products/{productId}/groups/{groupId}`,
    "azure-native:apimanagement:Subscription": `${apim}/subscriptions/{sid}`,
    "azure-native:loadtestservice:LoadTest": `${rg}/providers/Microsoft.LoadTestService/loadTests/{loadTestName}`,
    "azure-native:managedidentity:UserAssignedIdentity": `${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}`,
    "azure-native:logic:Workflow": `${rg}/providers/Microsoft.Logic/workflows/{workflowName}`,
    "azure-native:keyvault:Vault": `${rg}/providers/Microsoft.KeyVault/vaults/{vaultName}`,
    "azure-native:keyvault:Secret": `${rg}/providers/Microsoft.KeyVault/vaults/{vaultName}/secrets/{secretName}`,
    "azure-native:operationalinsights:Workspace": `${rg}/providers/Microsoft.OperationalInsights/workspaces/{workspaceName}`,
    "azure-native:applicationinsights:Component": `${rg}/providers/Microsoft.Insights/components/{resourceName}`,
    "azure-native:monitor:ActionGroup": `${rg}/providers/Microsoft.Insights/actionGroups/{actionGroupName}`,
    "azure-native:monitor:MetricAlert": `${rg}/providers/Microsoft.Insights/metricAlerts/{ruleName}`,
    "azure-native:monitor:AutoscaleSetting": `${rg}/providers/Microsoft.Insights/autoscalesettings/{autoscaleSettingName}`,
    "azure-native:monitor:DiagnosticSetting": "{resourceUri}/providers/Microsoft.Insights/diagnosticSettings/{name}",
    "azure-native:authorization:RoleAssignment": "{scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}",
    "azure-native:authorization:RoleDefinition": "{scope}/providers/Microsoft.Authorization/roleDefinitions/{roleDefinitionId}",
    "azure-native:dns:Zone": `${rg}/providers/Microsoft.Network/dnsZones/{zoneName}`,
    "azure-native:dns:RecordSet": `${rg}/providers/Microsoft.Network/dnsZones/{zoneName}/{recordType}/{relativeRecordSetName}`,
    "azure-native:storage:StorageAccount": storage,
    "azure-native:storage:BlobContainer": `${storage}/blobServices/default/containers/{containerName}`,
    "azure-native:storage:BlobServiceProperties": `${storage}/blobServices/{blobServicesName}`,
    "azure-native:storage:ManagementPolicy": `${storage}/managementPolicies/{managementPolicyName}`,
};

/** The ARM id of a resource, or undefined when its type has no template here. */
export function armId(type: string, inputs: Record<string, unknown>, subscriptionId: string): string | undefined {
    const template = idTemplates[type];
    if (!template) {
        return undefined;
    }
    return template.replace(/\{(\w+)\}/g, (_, key: string) => {
        if (key === "subscriptionId") {
            return subscriptionId;
        }
        const value = inputs[key];
        if (typeof value !== "string" || value.length === 0) {
            throw new Error(`${type} has no "${key}" input, which its ARM id needs`);
        }
        return value;
    });
}

// ---------------------------------------------------------------------------------------------
// Outputs by type.

type Inputs = Record<string, unknown>;

/** What one run's mocks remember between calls: the access endpoint of each workflow, by name. */
interface Session {
    readonly workflowEndpoints: Map<string, string>;
}

/** Constants Azure returns that a variant replaces, so that nothing the plan shows rests on them. */
const variantConstants = [
    {
        callbackApiVersion: "2016-10-01",
        callbackVersion: "1.0",
        callbackPermissions: (trigger: string) => `/triggers/${trigger}/run`,
        publisherDomain: "contoso.onmicrosoft.com",
    },
    {
        callbackApiVersion: "2016-06-01",
        callbackVersion: "1.1",
        callbackPermissions: (trigger: string) => `/triggers/${trigger}/run,/triggers/${trigger}/read`,
        publisherDomain: "fabrikam.onmicrosoft.com",
    },
] as const;

function constantsOf(env: MockEnvironment) {
    return variantConstants[env.variant % variantConstants.length];
}

/** A workflow's access endpoint: its scale unit's host and its id, both invented. */
function workflowEndpoint(seed: string, location: string, fabricated: Fabricated): string {
    const host = fabricated.add(
        `prod-${String(parseInt(hexOf(`${seed}:unit`, 4), 16) % 100).padStart(2, "0")}.${location}.logic.azure.com`,
    );
    return fabricated.add(`https://${host}:443/workflows/${fabricated.add(hexOf(seed, 32))}`);
}

interface Maker {
    /** Records an invented value and returns it. */
    fab<T extends string>(value: T): T;
    readonly fabricated: Fabricated;
    readonly session: Session;
    readonly seed: string;
    readonly env: MockEnvironment;
    readonly name: string;
    readonly id: string;
}

type OutputFactory = (inputs: Inputs, make: Maker) => Inputs;

function identityOutputs(identity: unknown, make: Maker): Inputs | undefined {
    if (!identity || typeof identity !== "object") {
        return undefined;
    }
    const spec = identity as { type?: string; userAssignedIdentities?: unknown };
    const out: Inputs = { ...spec };
    if (String(spec.type ?? "").includes("SystemAssigned")) {
        out.principalId = make.fab(guidOf(`${make.seed}:principal`));
        out.tenantId = make.env.tenantId;
    }
    const assigned = spec.userAssignedIdentities;
    const ids = Array.isArray(assigned) ? assigned : assigned && typeof assigned === "object" ? Object.keys(assigned) : [];
    if (ids.length > 0) {
        out.userAssignedIdentities = Object.fromEntries(
            ids.map((id) => [
                String(id),
                { principalId: make.fab(guidOf(`${String(id)}:principal`)), clientId: make.fab(guidOf(`${String(id)}:client`)) },
            ]),
        );
    }
    return out;
}

const outputFactories: Readonly<Record<string, OutputFactory>> = {
    "azure-native:resources:ResourceGroup": () => ({ properties: { provisioningState: "Succeeded" } }),

    "azure-native:apimanagement:ApiManagementService": (inputs, make) => {
        const host = make.name;
        const location = String(inputs.location ?? "");
        const extra = Array.isArray(inputs.additionalLocations) ? (inputs.additionalLocations as Inputs[]) : [];
        return {
            gatewayUrl: make.fab(`https://${host}.azure-api.net`),
            gatewayRegionalUrl: make.fab(`https://${host}-${location}-01.regional.azure-api.net`),
            developerPortalUrl: make.fab(`https://${host}.developer.azure-api.net`),
            portalUrl: make.fab(`https://${host}.portal.azure-api.net`),
            managementApiUrl: make.fab(`https://${host}.management.azure-api.net`),
            scmUrl: make.fab(`https://${host}.scm.azure-api.net`),
            publicIPAddresses: [make.fab(ipOf(`${make.seed}:ip:${location}`))],
            outboundPublicIPAddresses: [make.fab(ipOf(`${make.seed}:ip:${location}`))],
            privateIPAddresses: [],
            platformVersion: "stv2",
            provisioningState: "Succeeded",
            additionalLocations: extra.map((region) => {
                const where = String(region.location ?? "");
                const ip = make.fab(ipOf(`${make.seed}:ip:${where}`));
                return {
                    ...region,
                    gatewayRegionalUrl: make.fab(`https://${host}-${where}-01.regional.azure-api.net`),
                    publicIPAddresses: [ip],
                    outboundPublicIPAddresses: [ip],
                    privateIPAddresses: [],
                    platformVersion: "stv2",
                };
            }),
            identity: identityOutputs(inputs.identity, make),
        };
    },

    "azure-native:managedidentity:UserAssignedIdentity": (_inputs, make) => ({
        principalId: make.fab(guidOf(`${make.id}:principal`)),
        clientId: make.fab(guidOf(`${make.id}:client`)),
        tenantId: make.env.tenantId,
    }),

    "azure-native:logic:Workflow": (inputs, make) => {
        const accessEndpoint = workflowEndpoint(make.seed, String(inputs.location ?? ""), make.fabricated);
        make.session.workflowEndpoints.set(`${String(inputs.resourceGroupName)}/${make.name}`, accessEndpoint);
        return {
            accessEndpoint,
            version: make.fab(hexOf(`${make.seed}:version`, 20).toUpperCase()),
            provisioningState: "Succeeded",
            identity: identityOutputs(inputs.identity, make),
        };
    },

    // The data-plane URI has the form the service's examples show (<id>.<region>.cnt-prod.loadtesting.azure.com).
    "azure-native:loadtestservice:LoadTest": (inputs, make) => ({
        dataPlaneURI: make.fab(`${guidOf(`${make.seed}:data-plane`)}.${String(inputs.location ?? "")}.cnt-prod.loadtesting.azure.com`),
        provisioningState: "Succeeded",
        identity: identityOutputs(inputs.identity, make),
    }),

    "azure-native:keyvault:Vault": (inputs, make) => ({
        properties: {
            ...(inputs.properties as Inputs | undefined),
            vaultUri: make.fab(`https://${make.name}.vault.azure.net/`),
            provisioningState: "Succeeded",
        },
    }),

    "azure-native:keyvault:Secret": (inputs, make) => {
        const { value: _value, ...properties } = (inputs.properties ?? {}) as Inputs;
        const uri = `https://${String(inputs.vaultName)}.vault.azure.net/secrets/${make.name}`;
        return {
            // ARM never returns a secret's value.
            properties: {
                ...properties,
                secretUri: make.fab(uri),
                secretUriWithVersion: make.fab(`${uri}/${hexOf(`${make.seed}:version`, 32)}`),
            },
        };
    },

    "azure-native:operationalinsights:Workspace": (_inputs, make) => ({
        customerId: make.fab(guidOf(`${make.id}:customer`)),
        provisioningState: "Succeeded",
    }),

    "azure-native:applicationinsights:Component": (inputs, make) => {
        const key = make.fab(guidOf(`${make.id}:ikey`));
        const location = String(inputs.location ?? "");
        return {
            appId: make.fab(guidOf(`${make.id}:app`)),
            instrumentationKey: key,
            connectionString: make.fab(
                `InstrumentationKey=${key};IngestionEndpoint=https://${location}-0.in.applicationinsights.azure.com/;LiveEndpoint=https://${location}.livediagnostics.monitor.azure.com/`,
            ),
        };
    },

    "azure-native:dns:Zone": (_inputs, make) => {
        const n = ((parseInt(hexOf(make.seed, 2), 16) + make.env.variant) % 9) + 1;
        return {
            nameServers: [
                `ns1-0${n}.azure-dns.com.`,
                `ns2-0${n}.azure-dns.net.`,
                `ns3-0${n}.azure-dns.org.`,
                `ns4-0${n}.azure-dns.info.`,
            ].map((server) => make.fab(server)),
            numberOfRecordSets: 2,
        };
    },

    "azure-native:dns:RecordSet": (inputs) => ({ fqdn: `${String(inputs.relativeRecordSetName)}.${String(inputs.zoneName)}.` }),

    "azure-native:storage:StorageAccount": (_inputs, make) => ({
        primaryEndpoints: {
            blob: make.fab(`https://${make.name}.blob.core.windows.net/`),
            queue: make.fab(`https://${make.name}.queue.core.windows.net/`),
            table: make.fab(`https://${make.name}.table.core.windows.net/`),
            file: make.fab(`https://${make.name}.file.core.windows.net/`),
        },
        provisioningState: "Succeeded",
    }),

    // The time of the deployment that creates it (invented), and that time moved by the offset.
    "time:index/offset:Offset": (inputs, make) => {
        const base = Date.UTC(2026, 0, 1) + (parseInt(hexOf(make.seed, 6), 16) % (365 * 24 * 60)) * 60_000;
        const minutes = Number(inputs.offsetMinutes ?? 0) + 60 * Number(inputs.offsetHours ?? 0) + 24 * 60 * Number(inputs.offsetDays ?? 0);
        const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
        return { baseRfc3339: make.fab(rfc3339(base)), rfc3339: make.fab(rfc3339(base + minutes * 60_000)) };
    },

    "random:index/randomString:RandomString": (inputs, make) => {
        let alphabet = "";
        if (inputs.lower !== false) alphabet += "abcdefghijklmnopqrstuvwxyz";
        if (inputs.upper !== false) alphabet += "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        if (inputs.numeric !== false && inputs.number !== false) alphabet += "0123456789";
        if (inputs.special !== false) alphabet += String(inputs.overrideSpecial ?? "!@#$%&*()-_=+[]{}<>:?");
        return { result: make.fab(textOf(make.seed, Number(inputs.length ?? 16), alphabet || "abcdefghijklmnopqrstuvwxyz")) };
    },

    "random:index/randomPassword:RandomPassword": (inputs, make) => ({
        result: make.fab(
            textOf(make.seed, Number(inputs.length ?? 32), "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!#%*-_=+"),
        ),
        bcryptHash: make.fab(
            `$2a$10$${textOf(`${make.seed}:bcrypt`, 53, "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")}`,
        ),
    }),

    "random:index/randomUuid:RandomUuid": (_inputs, make) => ({ result: make.fab(guidOf(make.seed)) }),

    "azuread:index/application:Application": (inputs, make) => {
        const roles = Array.isArray(inputs.appRoles) ? (inputs.appRoles as Inputs[]) : [];
        const scopes = ((inputs.api as Inputs | undefined)?.oauth2PermissionScopes ?? []) as Inputs[];
        return {
            clientId: make.fab(guidOf(`${make.seed}:client`)),
            objectId: make.fab(guidOf(`${make.seed}:object`)),
            publisherDomain: make.fab(constantsOf(make.env).publisherDomain),
            appRoleIds: Object.fromEntries(
                roles.map((role) => [String(role.value), String(role.id ?? guidOf(`${make.seed}:role:${String(role.value)}`))]),
            ),
            oauth2PermissionScopeIds: Object.fromEntries(
                scopes.map((scope) => [String(scope.value), String(scope.id ?? guidOf(`${make.seed}:scope:${String(scope.value)}`))]),
            ),
        };
    },

    "azuread:index/servicePrincipal:ServicePrincipal": (inputs, make) => ({
        objectId: make.fab(guidOf(`${make.seed}:object`)),
        applicationTenantId: make.env.tenantId,
        displayName: inputs.displayName ?? make.name,
        type: "Application",
    }),

    "azuread:index/applicationPassword:ApplicationPassword": (_inputs, make) => ({
        keyId: make.fab(guidOf(`${make.seed}:key`)),
        value: make.fab(textOf(`${make.seed}:value`, 40, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789~._-")),
    }),
};

/** The Azure resource id format of Entra ID objects, which azuread uses as the resource id. */
const graphIdTypes: Readonly<Record<string, string>> = {
    "azuread:index/application:Application": "/applications/{objectId}",
    "azuread:index/servicePrincipal:ServicePrincipal": "/servicePrincipals/{objectId}",
};

// ---------------------------------------------------------------------------------------------
// Invokes.

type InvokeFactory = (
    inputs: Inputs,
    env: MockEnvironment,
    fab: (value: string) => string,
    fabricated: Fabricated,
    session: Session,
) => Inputs;

/**
 * The functions whose results a real `pulumi preview` knows: they take no input that waits for a
 * resource of this deployment, so the provider answers them during the preview (the signed-in
 * identity, the subscription's domain-ownership identifier). A trigger's callback URL waits for
 * its workflow, and stays unknown.
 */
const invokesKnownInPreview: ReadonlySet<string> = new Set([
    "azure-native:authorization:getClientConfig",
    "azuread:index/getClientConfig:getClientConfig",
    "azure-native:apimanagement:getApiManagementServiceDomainOwnershipIdentifier",
]);

const invokeFactories: Readonly<Record<string, InvokeFactory>> = {
    "azure-native:authorization:getClientConfig": (_inputs, env, fab) => ({
        clientId: fab(env.deployerClientId),
        objectId: fab(env.deployerObjectId),
        subscriptionId: fab(env.subscriptionId),
        tenantId: fab(env.tenantId),
    }),
    "azuread:index/getClientConfig:getClientConfig": (_inputs, env, fab) => ({
        id: fab(env.deployerClientId),
        clientId: fab(env.deployerClientId),
        objectId: fab(env.deployerObjectId),
        tenantId: fab(env.tenantId),
    }),
    // One identifier per subscription: the value of every apimuid TXT record.
    "azure-native:apimanagement:getApiManagementServiceDomainOwnershipIdentifier": (_inputs, env, fab) => ({
        domainOwnershipIdentifier: fab(Buffer.from(hexOf(`${env.subscriptionId}:apimuid`, 32), "hex").toString("base64")),
    }),
    // The trigger's URL: the workflow's access endpoint, the trigger's path, and a query whose
    // values the program takes apart (the gateway's policy rebuilds it): each is recorded after its
    // key, so the plan marks it wherever it ends up.
    "azure-native:logic:listWorkflowTriggerCallbackUrl": (inputs, env, fab, fabricated, session) => {
        const group = String(inputs.resourceGroupName);
        const workflow = String(inputs.workflowName);
        const trigger = String(inputs.triggerName);
        const seed = `${env.subscriptionId}/${group}/${workflow}`;
        const endpoint = session.workflowEndpoints.get(`${group}/${workflow}`) ?? workflowEndpoint(seed, "westeurope", fabricated);
        const base = fab(`${endpoint}/triggers/${trigger}/paths/invoke`);
        const constants = constantsOf(env);
        const sig = fab(textOf(`${seed}:${trigger}:sig`, 43, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"));
        const query = {
            "api-version": constants.callbackApiVersion,
            sp: constants.callbackPermissions(trigger),
            sv: constants.callbackVersion,
        };
        for (const [key, value] of Object.entries(query)) {
            fabricated.addWhole(value);
            fabricated.addAfter(`${key}=`, encodeURIComponent(value));
        }
        const search = Object.entries(query)
            .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
            .join("&");
        return {
            value: fab(`${base}?${search}&sig=${sig}`),
            basePath: base,
            method: "POST",
            relativePath: "",
            queries: { apiVersion: query["api-version"], sp: query.sp, sv: query.sv, sig },
        };
    },
};

// ---------------------------------------------------------------------------------------------

/** Whether an input the resource's ARM id is made of is unknown in this preview. */
function unknownIdPart(type: string, inputs: Inputs): boolean {
    const template = idTemplates[type];
    return !!template && [...template.matchAll(/\{(\w+)\}/g)].some(([, key]) => key !== "subscriptionId" && pulumi.isUnknown(inputs[key]));
}

/** The input that names an Azure resource (its ARM name), from the id template. */
function armName(type: string, inputs: Inputs): string | undefined {
    const template = idTemplates[type];
    const last = template ? /\{(\w+)\}$/.exec(template)?.[1] : undefined;
    const value = last ? inputs[last] : undefined;
    return typeof value === "string" ? value : undefined;
}

/**
 * Builds the mocks for one run. Resource types without a factory echo their inputs and get an id,
 * so the program can use any type; invokes without a factory fail, naming the token, because
 * their results cannot be guessed.
 */
export function createMocks(env: MockEnvironment, fabricated: Fabricated): pulumi.runtime.Mocks {
    const session: Session = { workflowEndpoints: new Map() };
    return {
        newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
            // Secret inputs arrive wrapped; the factories read plain values, while the state
            // echoes the wrapped inputs so their secrecy carries over to the outputs.
            const inputs = plainValue(args.inputs) as Inputs;
            if (args.custom === false) {
                return { id: undefined, state: {} };
            }
            if (args.type === "pulumi:pulumi:StackReference") {
                const name = String(inputs.name ?? args.id ?? args.name);
                let outputs = env.stackReferences[name];
                const own = ownStackName(name, env.project);
                if (outputs === undefined && own !== undefined) {
                    throw new UnresolvedStackReference(name, own);
                }
                // Another project's stack: what it outputs is known only when it is deployed.
                outputs ??= "unknown";
                return {
                    id: name,
                    state: { name, outputs: outputs === "unknown" ? pulumi.runtime.unknownValue : outputs, secretOutputNames: [] },
                };
            }
            const seed = `${env.subscriptionId}/${args.type}::${args.name}`;
            const name = armName(args.type, inputs) ?? args.name;
            // A preview leaves an id unknown when a part of it is (a name computed from another
            // project's outputs, say): so does the mock.
            if (unknownIdPart(args.type, args.inputs as Inputs)) {
                return { id: pulumi.runtime.unknownValue, state: { ...(args.inputs as Inputs) } };
            }
            const arm = armId(args.type, inputs, env.subscriptionId);
            const graphTemplate = graphIdTypes[args.type];
            const make: Maker = {
                fabricated,
                session,
                seed,
                env,
                name,
                id: arm ?? seed,
                fab: (value) => fabricated.add(value),
            };
            const computed = outputFactories[args.type]?.(inputs, make) ?? {};
            let id: string;
            if (arm) {
                id = arm;
            } else if (graphTemplate) {
                id = graphTemplate.replace("{objectId}", String(computed.objectId));
            } else if (typeof computed.result === "string") {
                id = computed.result;
            } else {
                id = `${args.name}-${hexOf(seed, 8)}`;
            }
            fabricated.add(id);
            const state: Inputs = { ...(args.inputs as Inputs), ...computed };
            if (args.type.startsWith("azure-native:")) {
                state.name = name;
                state.azureApiVersion = state.azureApiVersion ?? "2024-05-01";
            }
            return { id, state };
        },

        call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
            const factory = invokeFactories[args.token];
            if (!factory) {
                throw new Error(`No mock for the function ${args.token}; add one to engine/mocks.ts`);
            }
            // A call with no input pending answers in a preview too: what it returns is known there.
            const fab = invokesKnownInPreview.has(args.token)
                ? (value: string) => fabricated.addKnownInPreview(value)
                : (value: string) => fabricated.add(value);
            return factory(plainValue(args.inputs) as Inputs, env, fab, fabricated, session);
        },
    };
}
