import * as apimanagement from "@pulumi/azure-native/apimanagement";
import { Dns, hostKinds } from "../../components/dns";
import type { Platform } from "./platform";
import type { References } from "./references";

/** The custom domain's records, where this stack owns them. */
export interface DomainRecords {
    /** The zone (or its existing group) and one record per host; only on an active site with a custom domain. */
    records: Dns | undefined;
}

/**
 * The records exist before the service: API Management checks them before it issues a managed
 * certificate, and the service is created once, with its host names. The active stack owns the
 * records and points them at itself, or at the DR site while `dns.activeSite` is `dr`; a passive
 * site only serves the same host names once they point at it.
 */
export function wireRecords(ctx: Platform & References): DomainRecords {
    const { config, domain } = ctx;
    if (!domain || config.dr.role !== "active") {
        return { records: undefined };
    }
    // The DR site's host names are read only while the records point there.
    const site = ctx.drSiteHosts ?? ctx.serviceHosts;
    const managed = hostKinds.filter((kind) => domain.certificates[kind].managed);
    const records = new Dns("dns", {
        zoneName: domain.zoneName,
        zoneResourceGroupName: config.dns.zoneResourceGroup ?? ctx.groups.dns!.name,
        existingZone: config.dns.zoneResourceGroup !== undefined,
        hosts: Object.fromEntries(
            hostKinds.map((kind) => [kind, { label: domain.hosts[kind].label, target: site.apply((hosts) => hosts[kind]) }]),
        ),
        ttl: config.dns.ttl,
        managedCertificates:
            managed.length > 0
                ? {
                      hosts: managed,
                      ownershipIdentifier: apimanagement.getApiManagementServiceDomainOwnershipIdentifierOutput().domainOwnershipIdentifier,
                  }
                : undefined,
        protect: config.protect,
        tags: ctx.tags,
    });
    return { records };
}
