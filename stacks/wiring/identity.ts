import * as pulumi from "@pulumi/pulumi";
import { Identity } from "../../components/identity";
import { Secrets, type SecretEntry } from "../../components/secrets";
import type { StackConfig } from "../config";
import { connectionSecretName } from "../connections";
import { apiRoles, backendKeyNames } from "../gateway";
import { defaultIdentifierUri, stackLabel } from "../naming";
import type { Platform } from "./platform";
import { activeSiteApi, type References } from "./references";

/** The stack's Entra ID applications, and the vault that keeps their secrets and the backend keys. */
export interface IdentityAndSecrets {
    /** The API application (or the active site's, on a passive site), the daemon client and the developer portal's application. */
    identity: Identity;
    /** The Key Vault, with the secrets known before the workflows exist. */
    secrets: Secrets;
    /** The vault secret of each backend key, by API name: one for each API that sends its backend a key. */
    backendKeys: Record<string, string>;
}

/**
 * What the vault keeps from the start: the portal's and the daemon client's Entra ID secrets, and
 * each backend key, the user's (a Pulumi secret) where given, otherwise generated.
 */
export function storedSecrets(config: StackConfig, identity: Identity, backendKeys: Record<string, string>): Record<string, SecretEntry> {
    const stored: Record<string, SecretEntry> = {
        "developer-portal-client-secret": {
            value: identity.portalClientSecret,
            contentType: "Entra ID client secret of the developer portal application",
        },
    };
    if (identity.clientAppSecret) {
        stored["api-client-secret"] = {
            value: identity.clientAppSecret,
            contentType: "Entra ID client secret of the daemon client application",
        };
    }
    for (const [connection, parameters] of Object.entries(config.connectionSecrets)) {
        for (const [parameter, value] of Object.entries(parameters)) {
            stored[connectionSecretName(connection, parameter)] = {
                value: pulumi.secret(value),
                contentType: `The ${parameter} of the ${connection} connection (from connectionSecrets)`,
            };
        }
    }
    if (config.load.azureLoadTesting) {
        stored[loadTestSubscriptionKeySecret] = {
            generate: { length: 48 },
            contentType: "Primary key of the gateway's load-test subscription (generated; read by Azure Load Testing)",
        };
    }
    for (const [api, secretName] of Object.entries(backendKeys)) {
        const supplied = config.backendApiKeys[api];
        stored[secretName] = supplied
            ? { value: pulumi.secret(supplied), contentType: `API key of the ${api} backend (from backendApiKeys)` }
            : { generate: { length: 48 }, contentType: `API key of the ${api} backend (generated; give it to the backend's owners)` };
    }
    return stored;
}

/** The vault secret that holds the load-test subscription's key (on a stack with `load.azureLoadTesting`). */
export const loadTestSubscriptionKeySecret = "load-test-subscription-key";

/** Identity and secrets: the Entra ID applications first, then the vault that keeps their secrets. */
export function wireIdentity(ctx: Platform & References): IdentityAndSecrets {
    const { config, domain } = ctx;
    const identity = new Identity("identity", {
        displayNamePrefix: stackLabel(config.workload, config.stack),
        // A passive site validates the active site's tokens, so clients keep working after a failover.
        sharedApi: ctx.activeSite ? activeSiteApi(ctx.activeSite) : undefined,
        identifierUri: config.identity.identifierUri ?? defaultIdentifierUri(config.workload, config.stack),
        apiRoles: apiRoles(ctx.catalog),
        clientFederation: config.identity.clientFederation,
        portalHosts: [ctx.serviceHosts.portal, ...(domain ? [domain.hosts.portal.hostName] : [])],
        secretExpiresOn: config.secrets.expiresOn,
    });

    const backendKeys = backendKeyNames(ctx.catalog);
    const secrets = new Secrets("secrets", {
        resourceGroupName: ctx.groups.shared.name,
        location: config.location,
        vaultName: ctx.globalName("keyVault"),
        tenantId: identity.tenantId,
        allowedIpRanges: config.secrets.allowedIpRanges,
        workspaceId: ctx.monitoring.workspaceId,
        secrets: storedSecrets(config, identity, backendKeys),
        expiresOn: config.secrets.expiresOn,
        protect: config.protect,
        tags: ctx.tags,
    });
    return { identity, secrets, backendKeys };
}
