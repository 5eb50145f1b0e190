import { z } from "zod";
import { namingRule } from "../naming";
import {
    intervalMinutes,
    maximumBackupMinutes,
    maximumRetentionDays,
    minimumBackupMinutes,
    minimumRestoreMinutes,
    scheduleDefaults,
} from "../recovery";
import {
    backupRetentionAllowed,
    backupRetentionProblems,
    dnsLabelAllowed,
    dnsLabelProblems,
    dnsZoneNameAllowed,
    dnsZoneNameProblems,
    hostLabelProblems,
    ttlAllowed,
    ttlProblems,
    type HostKind,
} from "../../components/common/values";
import { azureRegion, problem, rule, ruled, ruleIssues, strictObject, text, wholeNumber, withDocs } from "./fields";

/** The `dr` and `dns` keys: the site's role in disaster recovery, and its custom domains. */

/** An interval written as minutes or hours (`30m`, `1h`), at least `minimum` minutes. */
function interval(what: string, minimum: number) {
    const allowed = `minutes or hours such as 30m or 1h, at least ${minimum >= 60 ? `${minimum / 60}h` : `${minimum}m`}`;
    return z
        .string({ error: (issue) => problem(issue.input, "is not an interval", allowed) })
        .refine((value) => intervalMinutes(value) !== undefined, {
            error: (issue) => problem(issue.input, "is not an interval", allowed),
            abort: true,
        })
        .refine((value) => intervalMinutes(value)! >= minimum, {
            error: (issue) =>
                problem(
                    issue.input,
                    what === "restore"
                        ? "leaves no room for a restore, which can take 30 minutes or more and must end before the next"
                        : "is shorter than a backup runs",
                    allowed,
                ),
        });
}

/** The most a production stack's DNS records may be cached, so a failover is seen quickly. */
export const productionMaxTtl = 300;

export const drFields = withDocs(
    {
        role: z
            .enum(["active", "passive"], {
                error: (issue) =>
                    problem(
                        issue.input,
                        "is not a site role",
                        "active (serves traffic and owns the DNS records) or passive (the DR site, ready to serve the same host names)",
                    ),
            })
            .default("active"),
        location: azureRegion().optional(),
        stack: text("a stack name such as prod-dr, or org/project/stack", /^[A-Za-z0-9_./-]+$/, 200).optional(),
        backupInterval: interval("backup", minimumBackupMinutes).optional(),
        restoreInterval: interval("restore", minimumRestoreMinutes).optional(),
        backupRetentionDays: wholeNumber(backupRetentionAllowed).superRefine(ruleIssues(backupRetentionProblems)).optional(),
        maxRpoMinutes: wholeNumber("whole minutes, 1 or more")
            .refine((minutes) => minutes >= 1, { error: (issue) => problem(issue.input, "is not a limit", "whole minutes, 1 or more") })
            .optional(),
        maxRtoMinutes: wholeNumber("whole minutes, 1 or more")
            .refine((minutes) => minutes >= 1, { error: (issue) => problem(issue.input, "is not a limit", "whole minutes, 1 or more") })
            .optional(),
    },
    {
        role: {
            description:
                "`active` serves traffic and owns the DNS records; `passive` is a DR site: it serves the same host names, accepts the active site's tokens (read from `dr.stack`'s outputs) and creates no records.",
        },
        location: {
            description:
                "The other site's region: on an active stack, where the passive site and a DNS zone the stack owns live; on a passive stack, where the active site runs. Never the primary region. Required on a passive stack and whenever `dr.stack` is set.",
        },
        backupInterval: {
            description: `How often the active site backs up API Management's configuration to the backup storage in \`dr.location\`: \`30m\`, \`1h\`, ... (${minimumBackupMinutes}m or more, ${maximumBackupMinutes}m at most, so the newest backup turns stale before backups expire; 24h at most in production). Active site with \`dr.stack\` only.`,
            default: `\`${scheduleDefaults.backupInterval}\``,
        },
        restoreInterval: {
            description: `How often the passive site restores the newest backup (\`${minimumRestoreMinutes / 60}h\` or more: a restore can take half an hour). Set on the active site; the passive site reads it from the active site's outputs.`,
            default: `\`${scheduleDefaults.restoreInterval}\``,
        },
        backupRetentionDays: {
            description: `Days a backup is kept before the storage's lifecycle rule deletes it, 1-${maximumRetentionDays} (backups expire after ${maximumRetentionDays} days), and at least the days the passive site's restore needs to see the newest backup turn stale: ceil((3 × backup interval + 60 minutes) / 1 day), 1 day for hourly backups, 4 for daily ones.`,
            default: `\`${scheduleDefaults.backupRetentionDays}\``,
        },
        maxRpoMinutes: {
            description:
                "The most minutes of what only backups carry (users, subscriptions) a failover may lose: a backup interval plus a restore interval over it is refused.",
            default: `\`${scheduleDefaults.maxRpoMinutes}\``,
        },
        maxRtoMinutes: {
            description:
                "The most minutes a failover may take: DNS TTL, switching the records and, when the standby runs fewer units than the active site's minimum, a scale-out (20 minutes or more). Over it is refused.",
            default: `\`${scheduleDefaults.maxRtoMinutes}\``,
        },
        stack: {
            description:
                "The other site's stack (`prod-dr`, or `org/project/stack`). Required on a passive stack. A stack of this project must have a stack file; the plan plans it first and reads its outputs. Another project's stack is allowed, and the plan shows what comes from it as `(known after deploy)`. (The organisation cannot be known offline: any `org/enterprise-integration/<stack>` is taken as this project's.)",
        },
    },
);

export const drSchema = strictObject(drFields, "the disaster-recovery settings").check(
    rule(z.object(drFields), (dr, ctx) => {
        // The schedule and the objectives are the active site's: it backs up, and it decides.
        const scheduled = (["backupInterval", "restoreInterval", "backupRetentionDays", "maxRpoMinutes", "maxRtoMinutes"] as const).filter(
            (key) => dr[key] !== undefined,
        );
        for (const key of scheduled) {
            if (dr.role === "passive") {
                ctx.addIssue({
                    code: "custom",
                    path: [key],
                    message:
                        "set on a passive site; the active site's stack file holds the backup and restore schedule (allowed: move it to the active stack)",
                });
            } else if (!dr.stack) {
                ctx.addIssue({
                    code: "custom",
                    path: [key],
                    message: "set, but this stack has no DR site to back up for (allowed: remove it, or set dr.stack and dr.location)",
                });
            }
        }
        if (dr.role === "passive" && !dr.location) {
            ctx.addIssue({
                code: "custom",
                path: ["location"],
                message: "missing on a passive site (allowed: the region of the active site)",
            });
        }
        if (dr.role === "passive" && !dr.stack) {
            ctx.addIssue({
                code: "custom",
                path: ["stack"],
                message: "missing on a passive site (allowed: the name of the active stack, e.g. prod)",
            });
        }
        if (dr.role === "active" && dr.stack && !dr.location) {
            ctx.addIssue({
                code: "custom",
                path: ["location"],
                message: "missing while dr.stack is set (allowed: the region of the passive site)",
            });
        }
    }),
);

/** Host labels used when `dns.hosts` leaves them out. */
export const defaultHostLabels = { gateway: "api", portal: "developer", management: "management" } satisfies Record<HostKind, string>;

/** One key per host kind (components/common/values.ts `hostKinds`), each a DNS label. */
const hostFields = {
    gateway: ruled(dnsLabelProblems, dnsLabelAllowed).default(defaultHostLabels.gateway),
    portal: ruled(dnsLabelProblems, dnsLabelAllowed).default(defaultHostLabels.portal),
    management: ruled(dnsLabelProblems, dnsLabelAllowed).default(defaultHostLabels.management),
} satisfies Record<HostKind, z.ZodType>;

const hostsSchema = strictObject(hostFields, "the host names").check(rule(z.object(hostFields), ruleIssues(hostLabelProblems)));

/** `managed`: API Management's free certificate (gateway host only). */
export const managedCertificate = "managed";
const certificateName = /^[A-Za-z0-9-]{1,127}$/;
const certificateAllowed = "the name of a certificate in dns.certificates.vaultId (1-127 letters, digits, hyphens)";
const certificateRef = (what: string, managedToo: boolean) =>
    z
        .string({
            error: (issue) =>
                problem(issue.input, "is not a string", managedToo ? `${certificateAllowed}, or managed` : certificateAllowed),
        })
        .refine((value) => (value === managedCertificate ? managedToo : certificateName.test(value)), {
            error: (issue) =>
                issue.input === managedCertificate
                    ? `"managed" is for the gateway host only; API Management issues no managed certificate for the ${what} (allowed: ${certificateAllowed})`
                    : problem(
                          issue.input,
                          "is not a certificate name",
                          managedToo ? `${certificateAllowed}, or managed` : certificateAllowed,
                      ),
        });
const vaultIdPattern =
    /^\/subscriptions\/[0-9a-fA-F-]{36}\/resourceGroups\/[-\w.()]{1,90}\/providers\/Microsoft\.KeyVault\/vaults\/[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;

const certificateFields = {
    /** ARM id of the Key Vault holding the certificates (created and filled before the stack). */
    vaultId: text(
        "the ARM id of a Key Vault: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<name>",
        vaultIdPattern,
        300,
    ).optional(),
    /** The gateway host's certificate, or managed. Required with a zone. */
    gateway: certificateRef("gateway", true),
    /** The developer portal host's certificate. Required with a zone. */
    portal: certificateRef("developer portal", false),
    /** The management host's certificate. Required with a zone. */
    management: certificateRef("management host", false),
} satisfies Record<HostKind | "vaultId", z.ZodType>;

const certificatesSchema = strictObject(certificateFields, "the certificates").check(
    rule(z.object(certificateFields), (certificates, ctx) => {
        const fromVault = [certificates.gateway, certificates.portal, certificates.management].some((name) => name !== managedCertificate);
        if (fromVault && !certificates.vaultId) {
            ctx.addIssue({
                code: "custom",
                path: ["vaultId"],
                message: "missing while a certificate comes from Key Vault (allowed: the ARM id of the vault that holds them)",
            });
        }
    }),
);

export const dnsFields = withDocs(
    {
        zoneName: ruled(dnsZoneNameProblems, dnsZoneNameAllowed).optional(),
        zoneResourceGroup: text(
            "the resource group of an existing zone, 1-90 characters",
            namingRule("resourceGroup").pattern,
            90,
        ).optional(),
        hosts: hostsSchema.default(defaultHostLabels),
        ttl: wholeNumber(ttlAllowed).default(productionMaxTtl).superRefine(ruleIssues(ttlProblems)),
        /** The certificates of the custom hosts. Required with a zone. */
        certificates: certificatesSchema.optional(),
        /** Where the records point: this stack's gateway, or the DR stack's. Default primary. */
        activeSite: z
            .enum(["primary", "dr"], {
                error: (issue) =>
                    problem(issue.input, "is not a site", "primary (this stack's gateway) or dr (the DR stack's, after a failover)"),
            })
            .default("primary"),
    },
    {
        zoneName: {
            description: "DNS zone for the custom domains (`contoso.com`). Without it the default `*.azure-api.net` host names are used.",
        },
        zoneResourceGroup: { description: "Resource group of an existing zone to add records to, instead of creating the zone." },
        hosts: {
            description: "Host labels in the zone: `{ gateway, portal, management }`, each a single DNS label, all different.",
            default: "`{ gateway: api, portal: developer, management: management }`",
        },
        ttl: { description: "TTL of the records in seconds, 1-86400; at most 300 on a production stack so a failover is seen quickly." },
        certificates: {
            description:
                "`{ vaultId, gateway, portal, management }`: the ARM id of the Key Vault holding the certificates and each host's certificate name in it; `gateway` may be `managed` (not on a passive site).",
            default: "required with a zone",
        },
        activeSite: {
            description:
                "Where the records point: `primary` (this stack's gateway) or `dr` (the gateway of `dr.stack`, after a failover). Only on the active site.",
        },
    },
);

export const dnsSchema = strictObject(dnsFields, "the DNS settings").check(
    rule(
        z.object({ zoneName: dnsFields.zoneName, zoneResourceGroup: dnsFields.zoneResourceGroup, certificates: z.unknown() }),
        (dns, ctx) => {
            if (dns.zoneResourceGroup && !dns.zoneName) {
                ctx.addIssue({
                    code: "custom",
                    path: ["zoneName"],
                    message: "missing while dns.zoneResourceGroup is set (allowed: the name of the existing zone)",
                });
            }
            if (dns.zoneName && dns.certificates === undefined) {
                ctx.addIssue({
                    code: "custom",
                    path: ["certificates"],
                    message:
                        "missing while dns.zoneName is set; the gateway serves the custom hosts with them (allowed: { vaultId, gateway, portal, management })",
                });
            }
            if (!dns.zoneName && dns.certificates !== undefined) {
                ctx.addIssue({
                    code: "custom",
                    path: ["certificates"],
                    message: "set without dns.zoneName (allowed: remove it, or set the zone)",
                });
            }
        },
    ),
);
