import * as assert from "node:assert/strict";
import { XMLParser } from "fast-xml-parser";
import * as pulumi from "@pulumi/pulumi";
import { GatewayCatalog, type GatewayCatalogArgs } from "../../components/catalog";
import { ApiGateway, type ApiGatewayArgs } from "../../components/gateway";
import type { CheckedCatalog } from "../../content/catalog";
import { loadCatalog } from "../../content";
import type { StackRun } from "../../engine";
import { fixtureContent, runFixture } from "../helpers";

/**
 * What the ApiGateway and GatewayCatalog tests share: the components' args (smallest, everything
 * on), the catalog, runs of the two components together as the stack assembles them, and readers
 * for policy documents. The runs are made once per process.
 */

export const tenantId = "72f988bf-86f1-41af-91ab-2d7cd011db47";
export const identity = {
    resourceId: "/subscriptions/0000/resourceGroups/rg-gw/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-gw",
    clientId: "11111111-1111-4111-8111-111111111111",
    principalId: "22222222-2222-4222-8222-222222222222",
};
export const vault = "https://kv-test.vault.azure.net/secrets";

/** The smallest args: a Developer service, no catalog, no telemetry. */
export function minimal(overrides: Partial<ApiGatewayArgs> = {}): ApiGatewayArgs {
    return {
        resourceGroupName: "rg-gw",
        location: "westeurope",
        names: { service: "apim-test", autoscale: "as-test", capacityAlert: "alert-test" },
        regionDisplayNames: { westeurope: "West Europe", swedencentral: "Sweden Central" },
        sku: "Developer",
        capacity: 1,
        publisherName: "Fabrikam Integration",
        publisherEmail: "api-team@fabrikam.com",
        identity,
        ...overrides,
    };
}

/** Everything on: Premium in two regions with zones, the whole catalog, telemetry, autoscale, sign-in, custom hosts. */
export function everything(overrides: Partial<ApiGatewayArgs> = {}): ApiGatewayArgs {
    return minimal({
        sku: "Premium",
        capacity: 2,
        zones: ["1", "2"],
        additionalLocations: [{ location: "swedencentral", capacity: 2, zones: ["1", "2"] }],
        customHosts: {
            gateway: { hostName: "api.fabrikam.com", certificateSecretId: `${vault}/api-fabrikam-com` },
            portal: { hostName: "developer.fabrikam.com", certificateSecretId: `${vault}/developer-fabrikam-com` },
            management: { hostName: "management.fabrikam.com", certificateSecretId: `${vault}/management-fabrikam-com` },
        },
        corsOrigins: ["https://app.fabrikam.com"],
        portalSignIn: { tenantId, clientId: "44444444-4444-4444-8444-444444444444", clientSecret: pulumi.secret("portal-secret-value") },
        monitoring: {
            workspaceId: "/subscriptions/0000/resourceGroups/rg-shared/providers/Microsoft.OperationalInsights/workspaces/log-test",
            appInsightsId: "/subscriptions/0000/resourceGroups/rg-shared/providers/Microsoft.Insights/components/appi-test",
            appInsightsConnectionString: pulumi.secret("InstrumentationKey=55555555-5555-4555-8555-555555555555"),
            samplingPercentage: 25,
            actionGroupId: "/subscriptions/0000/resourceGroups/rg-shared/providers/Microsoft.Insights/actionGroups/ag-test",
        },
        autoscale: { minCapacity: 2, maxCapacity: 6 },
        tags: { environment: "test" },
        protect: true,
        ...overrides,
    });
}

/** The whole catalog, with every input it takes. */
export function catalogArgs(catalog: CheckedCatalog, overrides: Partial<GatewayCatalogArgs> = {}): GatewayCatalogArgs {
    return {
        resourceGroupName: "rg-gw",
        serviceName: "apim-test",
        catalog,
        backends: {
            ledger: { url: "https://ledger.fabrikam.com/api", clientCertificateSecretId: `${vault}/ledger-client` },
            accounts: { url: "https://erp.fabrikam.com/services/accounts" },
        },
        workflows: {
            "shipment-intake": {
                baseUrl: "https://prod-00.westeurope.logic.azure.com/workflows/abc123/triggers",
                path: "/manual/paths/invoke",
                query: { "api-version": "2016-10-01", sp: "/triggers/manual/run", sv: "1.0" },
                signatureSecretId: `${vault}/shipment-intake-sig`,
            },
        },
        tokenValidation: {
            openIdConfigUrl: `https://login.microsoftonline.com/${tenantId}/v2.0/.well-known/openid-configuration`,
            issuer: `https://login.microsoftonline.com/${tenantId}/v2.0`,
            audiences: ["api://integration-prod", "33333333-3333-4333-8333-333333333333"],
        },
        namedValues: {
            "ledger-backend-key": `${vault}/ledger-backend-key`,
            "accounts-backend-key": `${vault}/accounts-backend-key`,
            "partner-portal-token": `${vault}/partner-portal-token`,
        },
        ...overrides,
    };
}

/** Runs the gateway and, when given, the catalog on it, as the stack does. */
export function deploy(args: ApiGatewayArgs, publish?: GatewayCatalogArgs): Promise<StackRun> {
    return runFixture({
        stack: "dev",
        program: async () => {
            const gateway = new ApiGateway("gw", args);
            const published = publish
                ? new GatewayCatalog("cat", { ...publish, serviceName: gateway.serviceName, after: [gateway] })
                : undefined;
            return {
                gatewayUrl: gateway.gatewayUrl,
                portalUrl: gateway.portalUrl,
                publicIpAddresses: gateway.publicIpAddresses,
                principalId: gateway.identityPrincipalId,
                // Only with a catalog: an undefined output would be dropped with a warning.
                ...(published ? { apiIds: published.apiIds } : {}),
                portalSignIn: gateway.portalSignIn,
            };
        },
    });
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", preserveOrder: false, parseTagValue: false });

/** The policy document as a tree; every section present. */
export function parsePolicy(value: unknown): Record<string, any> {
    const doc = xml.parse(String(value)) as { policies: Record<string, any> };
    assert.deepEqual(Object.keys(doc.policies), ["inbound", "backend", "outbound", "on-error"]);
    return doc.policies;
}

export function asList<T>(value: T | T[] | undefined): T[] {
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export const apimType = "azure-native:apimanagement:ApiManagementService";

let shared: Promise<{ catalog: CheckedCatalog; full: StackRun; small: StackRun }> | undefined;

/** The catalog of apis/, the gateway with everything on and the catalog on it, and the smallest gateway: run once per process. */
export function sharedRuns(): Promise<{ catalog: CheckedCatalog; full: StackRun; small: StackRun }> {
    shared ??= (async () => {
        const catalog = await loadCatalog(fixtureContent.catalog);
        return { catalog, full: await deploy(everything(), catalogArgs(catalog)), small: await deploy(minimal()) };
    })();
    return shared;
}

/** Runs `program` and expects it to fail with `message` before registering anything. */
export async function registersNothing(program: () => void, message: string): Promise<void> {
    const registered: string[] = [];
    await assert.rejects(
        runFixture({ stack: "dev", program: async () => program(), onRegister: (resource) => registered.push(resource.type) }),
        (error: Error) => error.message.includes(message),
    );
    assert.deepEqual(
        registered.filter((type) => type !== "pulumi:pulumi:Stack"),
        [],
    );
}
