import * as pulumi from "@pulumi/pulumi";
import * as dns from "@pulumi/azure-native/dns";
import { ArgumentsError, eachProblems, problemLines } from "../common/rules";
import {
    dnsLabelProblems,
    dnsZoneNameProblems,
    hostKeyProblems,
    hostKindProblems,
    hostKinds,
    hostKindsAllowed,
    hostLabelProblems,
    ttlProblems,
    type HostKind,
} from "../common/values";

/**
 * Azure DNS for the custom domains: the zone (or records in an existing zone the stack does not
 * own, so `dev` can live under production's zone as `api-dev.contoso.com`), a CNAME per host that
 * points at an API Management default host name, and the `apimuid` ownership records API
 * Management needs before it issues a managed certificate. Repointing the CNAMEs at another
 * site's host names is the disaster-recovery switch.
 */

/** The custom hosts: gateway, developer portal and management endpoint. */
export { hostKinds, type HostKind } from "../common/values";

/** One host: its label in the zone and the default host name its record points at. */
export interface HostRecord {
    /** The label, such as api or api-dev. Required. */
    label: string;
    /** The host name the CNAME points at, such as apim-x.azure-api.net. Required. */
    target: pulumi.Input<string>;
}

export interface DnsArgs {
    /** The zone, such as contoso.com. Required. */
    zoneName: string;
    /** Resource group of the zone: where it is created, or where the existing one lives. Required. */
    zoneResourceGroupName: pulumi.Input<string>;
    /** Add records to an existing zone instead of creating it. Default: false (create the zone). */
    existingZone?: boolean;
    /** The records, by host kind. Required, one or more. */
    hosts: Partial<Record<HostKind, HostRecord>>;
    /** Seconds resolvers may cache the records. Required. */
    ttl: number;
    /**
     * The hosts whose certificate API Management issues and manages; each gets the
     * `apimuid.<label>` TXT record with the subscription's domain ownership identifier. Default: none.
     */
    managedCertificates?: { hosts: HostKind[]; ownershipIdentifier: pulumi.Input<string> };
    /** Protect the zone from deletion. Default: false. */
    protect?: boolean;
    /** Tags on the zone. Default: none. */
    tags?: Record<string, string>;
}

/** Checks {@link DnsArgs}; throws one error naming each field, its value and what is allowed. */
export function validateDnsArgs(args: DnsArgs): void {
    const problems = problemLines(dnsZoneNameProblems(args.zoneName), ["zoneName"]);
    if (Object.keys(args.hosts).length === 0) {
        problems.push(`hosts: empty (allowed: one or more of ${hostKindsAllowed})`);
    }
    problems.push(...problemLines(hostKeyProblems(args.hosts), ["hosts"]));
    const labels: Partial<Record<HostKind, string>> = {};
    for (const kind of hostKinds) {
        const host = args.hosts[kind];
        if (host) {
            problems.push(...problemLines(dnsLabelProblems(host.label), ["hosts", kind, "label"]));
            labels[kind] = host.label;
        }
    }
    // The rule reports a label at its host kind; here the label is that host's `label` field.
    problems.push(
        ...problemLines(
            hostLabelProblems(labels).map((problem) => ({ path: [...problem.path, "label"], message: problem.message })),
            ["hosts"],
        ),
    );
    problems.push(...problemLines(ttlProblems(args.ttl), ["ttl"]));
    const managed = args.managedCertificates?.hosts ?? [];
    problems.push(...problemLines(eachProblems(managed, hostKindProblems), ["managedCertificates", "hosts"]));
    for (const kind of managed) {
        if ((hostKinds as readonly string[]).includes(kind) && !args.hosts[kind]) {
            problems.push(`managedCertificates.hosts: "${kind}" has no record (allowed: ${Object.keys(args.hosts).join(", ")})`);
        }
    }
    if (problems.length > 0) {
        throw new ArgumentsError("Dns", problems);
    }
}

export class Dns extends pulumi.ComponentResource {
    /** The zone's name servers, to delegate to from the parent zone (empty for an existing zone). */
    readonly nameServers: pulumi.Output<string[]>;
    /** The fully qualified host names, by kind. */
    readonly hostNames: Partial<Record<HostKind, string>>;
    /** The records' resources: the gateway waits for them before a managed certificate is issued. */
    readonly records: pulumi.Resource[];

    constructor(name: string, args: DnsArgs, opts?: pulumi.ComponentResourceOptions) {
        validateDnsArgs(args);
        super("enterprise-integration:dns:Dns", name, {}, opts);

        const zone = args.existingZone
            ? undefined
            : new dns.Zone(
                  `${name}-zone`,
                  { resourceGroupName: args.zoneResourceGroupName, zoneName: args.zoneName, location: "global", tags: args.tags },
                  { parent: this, protect: args.protect ?? false },
              );
        const zoneName = zone ? zone.name : pulumi.output(args.zoneName);
        this.nameServers = zone ? zone.nameServers.apply((servers) => servers ?? []) : pulumi.output([]);

        this.records = [];
        this.hostNames = {};
        for (const kind of hostKinds) {
            const host = args.hosts[kind];
            if (!host) {
                continue;
            }
            this.hostNames[kind] = `${host.label}.${args.zoneName}`;
            this.records.push(
                new dns.RecordSet(
                    `${name}-cname-${kind}`,
                    {
                        resourceGroupName: args.zoneResourceGroupName,
                        zoneName,
                        relativeRecordSetName: host.label,
                        recordType: "CNAME",
                        ttl: args.ttl,
                        cnameRecord: { cname: host.target },
                        metadata: { host: kind },
                    },
                    { parent: this },
                ),
            );
        }
        for (const kind of args.managedCertificates?.hosts ?? []) {
            this.records.push(
                new dns.RecordSet(
                    `${name}-apimuid-${kind}`,
                    {
                        resourceGroupName: args.zoneResourceGroupName,
                        zoneName,
                        relativeRecordSetName: `apimuid.${args.hosts[kind]!.label}`,
                        recordType: "TXT",
                        ttl: 3600,
                        txtRecords: [{ value: [args.managedCertificates!.ownershipIdentifier] }],
                        metadata: { host: kind },
                    },
                    { parent: this },
                ),
            );
        }
        this.registerOutputs({ nameServers: this.nameServers, hostNames: this.hostNames });
    }
}
