import * as pulumi from "@pulumi/pulumi";
import type { CustomHosts } from "../components/gateway";
import { hostKinds, type HostKind } from "../components/dns";
import type { Grant } from "../components/identity";
import type { StackConfig } from "./config";
import { managedCertificate } from "./config/schema";
import { gatewayReadsCertificateGrant } from "./naming";

/**
 * The custom domain of a stack, from `dns` in its config: the one place host names are made, for
 * the DNS records, the gateway's host names, the portal's sign-in redirect and CORS.
 */
export interface CustomDomain {
    zoneName: string;
    /** Label and fully qualified name of each host. */
    hosts: Record<HostKind, { label: string; hostName: string }>;
    /** Where each host's certificate comes from. */
    certificates: Record<HostKind, { managed: true } | { managed: false; secretName: string; secretId: string; scope: string }>;
}

/** The stack's custom domain, or undefined when it uses the default azure-api.net host names. */
export function customDomain(config: StackConfig): CustomDomain | undefined {
    const { zoneName, certificates } = config.dns;
    if (!zoneName || !certificates) {
        return undefined;
    }
    const vaultName = certificates.vaultId?.split("/").pop();
    const hosts = {} as CustomDomain["hosts"];
    const sources = {} as CustomDomain["certificates"];
    for (const kind of hostKinds) {
        const label = config.dns.hosts[kind];
        hosts[kind] = { label, hostName: `${label}.${zoneName}` };
        const name = certificates[kind];
        sources[kind] =
            name === managedCertificate
                ? { managed: true }
                : {
                      managed: false,
                      secretName: name,
                      secretId: `https://${vaultName}.vault.azure.net/secrets/${name}`,
                      scope: `${certificates.vaultId}/secrets/${name}`,
                  };
    }
    return { zoneName, hosts, certificates: sources };
}

/** The gateway's custom hosts. */
export function gatewayHosts(domain: CustomDomain): CustomHosts {
    return Object.fromEntries(
        hostKinds.map((kind) => {
            const source = domain.certificates[kind];
            return [
                kind,
                source.managed
                    ? { hostName: domain.hosts[kind].hostName, managedCertificate: true }
                    : { hostName: domain.hosts[kind].hostName, certificateSecretId: source.secretId },
            ];
        }),
    );
}

/** Key Vault Secrets User for the gateway's identity on each certificate it reads: the narrowest scope, one secret. */
export function certificateGrants(domain: CustomDomain, principalId: pulumi.Input<string>): Record<string, Grant> {
    const grants: Record<string, Grant> = {};
    for (const kind of hostKinds) {
        const source = domain.certificates[kind];
        if (!source.managed) {
            grants[gatewayReadsCertificateGrant(kind)] = {
                scope: source.scope,
                principalId,
                principalType: "ServicePrincipal",
                role: "Key Vault Secrets User",
            };
        }
    }
    return grants;
}
