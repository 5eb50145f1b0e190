import * as pulumi from "@pulumi/pulumi";
import * as apimanagement from "@pulumi/azure-native/apimanagement";

/**
 * The settings of the API Management service itself, as pure functions of the gateway's args so
 * that each can be tested on its own: sku and regions, TLS hardening, custom host names.
 */

import type { GatewayTier } from "./sizing";

/** An extra Premium region: its own units and zones, gateway on. */
export interface AdditionalRegion {
    /** Azure region name, such as swedencentral. Required. */
    location: string;
    /** Gateway units in that region. Required. */
    capacity: number;
    /** Availability zones in that region. Default none. */
    zones?: string[];
}

const security = "Microsoft.WindowsAzure.ApiManagement.Gateway.Security";

/**
 * Cipher suites without forward secrecy, or with CBC and SHA-1, which the service allows unless
 * told otherwise and which can be turned off.
 */
export const weakCiphers = [
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_CBC_SHA256",
    "TLS_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_RSA_WITH_AES_256_CBC_SHA",
    "TLS_RSA_WITH_AES_128_CBC_SHA",
] as const;

/**
 * `customProperties` that leave TLS 1.2 and later with forward-secret suites only: SSL 3.0, TLS 1.0
 * and 1.1 off towards clients and backends, Triple DES and the weak suites off, HTTP/2 on. The
 * ECDHE CBC suites with SHA-256 and SHA-384 stay on: the 2024-05-01 REST spec says they "can't be
 * disabled since they are required by internal platform components" (apimdeployment.json,
 * customProperties), with the AES-GCM and TLS 1.3 suites. Every key is set explicitly, because a
 * later PATCH that omits one resets it to its default.
 */
export function hardenedTlsProperties(): Record<string, string> {
    const off = "False";
    return {
        [`${security}.Protocols.Ssl30`]: off,
        [`${security}.Protocols.Tls10`]: off,
        [`${security}.Protocols.Tls11`]: off,
        [`${security}.Backend.Protocols.Ssl30`]: off,
        [`${security}.Backend.Protocols.Tls10`]: off,
        [`${security}.Backend.Protocols.Tls11`]: off,
        [`${security}.Ciphers.TripleDes168`]: off,
        ...Object.fromEntries(weakCiphers.map((cipher) => [`${security}.Ciphers.${cipher}`, off])),
        "Microsoft.WindowsAzure.ApiManagement.Gateway.Protocols.Server.Http2": "True",
    };
}

/**
 * The oldest management API version the service accepts. 2021-08-01 is the first that stops
 * returning secrets (subscription keys, named values) from list and get calls.
 */
export const minApiVersion = "2021-08-01";

/** The primary region's sku and zones, and every extra region with the gateway enabled. */
export function skuAndRegions(tier: GatewayTier, capacity: number, zones: readonly string[], additional: readonly AdditionalRegion[]) {
    return {
        sku: { name: apimanagement.SkuType[tier], capacity },
        zones: zones.length > 0 ? [...zones] : undefined,
        additionalLocations:
            additional.length > 0
                ? additional.map((extra) => ({
                      location: extra.location,
                      sku: { name: apimanagement.SkuType[tier], capacity: extra.capacity },
                      zones: extra.zones && extra.zones.length > 0 ? [...extra.zones] : undefined,
                      disableGateway: false,
                  }))
                : undefined,
    };
}

/** A custom host name and the certificate behind it. */
export interface CustomHost {
    /** The fully qualified host name, such as api.contoso.com. Required. */
    hostName: string;
    /**
     * Versionless Key Vault secret id of the certificate
     * (`https://<vault>.vault.azure.net/secrets/<name>`), so a renewed certificate rolls out by itself.
     * Required unless `managedCertificate` is set.
     */
    certificateSecretId?: pulumi.Input<string>;
    /**
     * Let API Management issue and renew the certificate (gateway host only; its CNAME and
     * `apimuid` TXT record must exist first). Default: false.
     */
    managedCertificate?: boolean;
}

/** The service's custom host names, one per endpoint. Each is optional. */
export interface CustomHosts {
    /** The gateway (proxy) host, such as api.contoso.com. */
    gateway?: CustomHost;
    /** The developer portal host, such as developer.contoso.com. */
    portal?: CustomHost;
    /** The management API host, such as management.contoso.com. */
    management?: CustomHost;
}

const hostTypes = {
    gateway: apimanagement.HostnameType.Proxy,
    portal: apimanagement.HostnameType.DeveloperPortal,
    management: apimanagement.HostnameType.Management,
} as const;

/** Host name configurations read from Key Vault with the gateway's user-assigned identity. */
export function hostnameConfigurations(hosts: CustomHosts, identityClientId: pulumi.Input<string>) {
    const configured = (Object.keys(hostTypes) as (keyof CustomHosts)[]).filter((key) => hosts[key] !== undefined);
    if (configured.length === 0) {
        return undefined;
    }
    return configured.map((key) => {
        const host = hosts[key]!;
        const certificate = host.managedCertificate
            ? { certificateSource: apimanagement.CertificateSource.Managed }
            : { keyVaultId: host.certificateSecretId, identityClientId, certificateSource: apimanagement.CertificateSource.KeyVault };
        return {
            type: hostTypes[key],
            hostName: host.hostName,
            ...certificate,
            negotiateClientCertificate: false,
            defaultSslBinding: key === "gateway",
        };
    });
}

/** The service's default host names, derived from its name. */
export function defaultHosts(serviceName: string) {
    return {
        gateway: `${serviceName}.azure-api.net`,
        portal: `${serviceName}.developer.azure-api.net`,
        management: `${serviceName}.management.azure-api.net`,
    };
}
