import { z } from "zod";
import { ipv4RangeAllowed, ipv4RangeProblems } from "../../components/common/rules";
// Tiers and how big each may be: the gateway component's own rule, checked on the config too.
import { gatewayTiers, sizingProblems } from "../../components/gateway";
import { namingRule } from "../naming";
import { region } from "../regions";
import { azureRegion, decimalNumber, dnsLabel, flag, isDnsZoneName, problem, rule, show, strictObject, text, wholeNumber, zone } from "./fields";

/**
 * The schema of a stack's configuration: one field per key of `Pulumi.yaml`, with its default,
 * and the rules that span several keys (tier limits, regions, DR site, production DNS).
 */

/** The namespace of every key this project reads (the project name in `Pulumi.yaml`). */
export const configNamespace = "enterprise-integration";


/** Tag names the project sets itself; `tags` may not override them. */
export const standardTagNames = ["environment", "workload", "owner", "costCenter", "stack", "managedBy"] as const;

/** The most a production stack's DNS records may be cached, so a failover is seen quickly. */
export const productionMaxTtl = 300;

const tierAllowed = gatewayTiers.join(", ");

const additionalLocationSchema = strictObject(
    {
        /** Region of the extra gateway. Required. */
        location: azureRegion(),
        /** Gateway units in that region. Default 1. */
        capacity: wholeNumber("1-12 units").default(1),
        /** Availability zones in that region. Default none. */
        zones: z.array(zone, { error: (issue) => problem(issue.input, "is not a list", `a list of zones such as ["1", "2"]`) }).default([]),
    },
    "an additional location",
);

const autoscaleSchema = strictObject(
    {
        /** Fewest units autoscale keeps. Required with autoscale. */
        minCapacity: wholeNumber("1 or more units"),
        /** Most units autoscale adds. Required with autoscale. */
        maxCapacity: wholeNumber("up to the tier's maximum units"),
    },
    "an autoscale setting",
);

const httpsUrl = /^https:\/\/[a-z0-9.-]+(:\d{1,5})?(\/[^\s?#]*)?$/i;
const keyVaultSecretId = /^https:\/\/[a-z0-9-]{3,24}\.vault\.azure\.net\/secrets\/[A-Za-z0-9-]{1,127}\/?$/;

const backendSchema = strictObject(
    {
        /** Base URL of the backend, https only. Required. */
        url: text("an https URL such as https://inventory.contoso.com/api", httpsUrl, 2000),
        /** Versionless Key Vault secret id of a client certificate for mutual TLS. Default none. */
        clientCertificateSecretId: text("a versionless Key Vault secret id such as https://kv-name.vault.azure.net/secrets/inventory-client", keyVaultSecretId, 300).optional(),
    },
    "a backend",
);

const corsOrigin = z.string({ error: (issue) => problem(issue.input, "is not a string", "an https origin such as https://app.contoso.com") }).refine(
    (origin) => !origin.includes("*") && /^https:\/\/[a-z0-9.-]+(:\d{1,5})?$/.test(origin),
    {
        error: (issue) =>
            String(issue.input).includes("*")
                ? `${show(issue.input)} would let any site call the APIs with its users' tokens (allowed: exact https origins such as https://app.contoso.com)`
                : problem(issue.input, "is not an https origin", "https://host[:port] in lower case, no path"),
    },
);

const gatewayFields = {
    sku: z.enum(gatewayTiers, { error: (issue) => problem(issue.input, "is not an API Management tier", tierAllowed) }),
    capacity: wholeNumber("1-12 units, as the tier allows").default(1),
    zones: z.array(zone, { error: (issue) => problem(issue.input, "is not a list", `a list of zones such as ["1", "2"]`) }).default([]),
    additionalLocations: z
        .array(additionalLocationSchema, {
            error: (issue) => problem(issue.input, "is not a list", "a list of { location, capacity, zones }"),
        })
        .default([]),
    publisherName: text("the organisation name shown in the developer portal, 1-100 characters", undefined, 100),
    publisherEmail: z.email({
        error: (issue) => problem(issue.input, "is not an e-mail address", "an address such as api-team@contoso.com"),
    }),
    autoscale: autoscaleSchema.optional(),
    corsOrigins: z.array(corsOrigin, { error: (issue) => problem(issue.input, "is not a list", "a list of https origins") }).default([]),
    backends: z
        .record(z.string(), backendSchema, { error: (issue) => problem(issue.input, "is not a map", "a map of API names to { url, clientCertificateSecretId }") })
        .default({}),
    samplingPercentage: decimalNumber("0-100")
        .refine((value) => value >= 0, { error: (issue) => problem(issue.input, "is not a percentage", "0-100") })
        .refine((value) => value <= 100, { error: (issue) => problem(issue.input, "is not a percentage", "0-100") })
        .default(100),
};

const gatewaySchema = strictObject(gatewayFields, "the gateway settings");

const drFields = {
    role: z
        .enum(["active", "passive"], {
            error: (issue) => problem(issue.input, "is not a site role", "active (serves traffic) or passive (restored from the active site's backups)"),
        })
        .default("active"),
    location: azureRegion().optional(),
    stack: text("a stack name such as prod-dr, or org/project/stack", /^[A-Za-z0-9_.\/-]+$/, 200).optional(),
};

const drSchema = strictObject(drFields, "the disaster-recovery settings").check(
    rule(z.object(drFields), (dr, ctx) => {
        if (dr.role === "passive" && !dr.location) {
            ctx.addIssue({ code: "custom", path: ["location"], message: "missing on a passive site (allowed: the region of the active site)" });
        }
        if (dr.role === "passive" && !dr.stack) {
            ctx.addIssue({ code: "custom", path: ["stack"], message: "missing on a passive site (allowed: the name of the active stack, e.g. prod)" });
        }
        if (dr.role === "active" && dr.stack && !dr.location) {
            ctx.addIssue({ code: "custom", path: ["location"], message: "missing while dr.stack is set (allowed: the region of the passive site)" });
        }
    }),
);

/** Host labels used when `dns.hosts` leaves them out. */
const defaultHostLabels = { gateway: "api", portal: "developer", management: "management" };

const hostFields = {
    gateway: text("a DNS label such as api or api-dev", dnsLabel, 63).default(defaultHostLabels.gateway),
    portal: text("a DNS label such as developer", dnsLabel, 63).default(defaultHostLabels.portal),
    management: text("a DNS label such as management", dnsLabel, 63).default(defaultHostLabels.management),
};

const hostsSchema = strictObject(hostFields, "the host names").check(
    rule(z.object(hostFields), (hosts, ctx) => {
        const labels = Object.entries(hosts);
        labels.forEach(([key, label], i) => {
            if (labels.findIndex(([, other]) => other === label) < i) {
                ctx.addIssue({ code: "custom", path: [key], message: `"${label}" is used by another host (allowed: a label of its own)` });
            }
        });
    }),
);

const zoneAllowed = "a DNS zone such as contoso.com: two or more lower-case labels of letters, digits and hyphens";

/** `managed`: API Management's free certificate (gateway host only). */
export const managedCertificate = "managed";
const certificateName = /^[A-Za-z0-9-]{1,127}$/;
const certificateAllowed = "the name of a certificate in dns.certificates.vaultId (1-127 letters, digits, hyphens)";
const certificateRef = (what: string, managedToo: boolean) =>
    z.string({ error: (issue) => problem(issue.input, "is not a string", managedToo ? `${certificateAllowed}, or managed` : certificateAllowed) }).refine(
        (value) => (value === managedCertificate ? managedToo : certificateName.test(value)),
        {
            error: (issue) =>
                issue.input === managedCertificate
                    ? `"managed" is for the gateway host only; API Management issues no managed certificate for the ${what} (allowed: ${certificateAllowed})`
                    : problem(issue.input, "is not a certificate name", managedToo ? `${certificateAllowed}, or managed` : certificateAllowed),
        },
    );
const vaultIdPattern = /^\/subscriptions\/[0-9a-fA-F-]{36}\/resourceGroups\/[-\w.()]{1,90}\/providers\/Microsoft\.KeyVault\/vaults\/[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;

const certificateFields = {
    /** ARM id of the Key Vault holding the certificates (created and filled before the stack). */
    vaultId: text("the ARM id of a Key Vault: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.KeyVault/vaults/<name>", vaultIdPattern, 300).optional(),
    /** The gateway host's certificate, or managed. Required with a zone. */
    gateway: certificateRef("gateway", true),
    /** The developer portal host's certificate. Required with a zone. */
    portal: certificateRef("developer portal", false),
    /** The management host's certificate. Required with a zone. */
    management: certificateRef("management host", false),
};

const certificatesSchema = strictObject(certificateFields, "the certificates").check(
    rule(z.object(certificateFields), (certificates, ctx) => {
        const fromVault = [certificates.gateway, certificates.portal, certificates.management].some((name) => name !== managedCertificate);
        if (fromVault && !certificates.vaultId) {
            ctx.addIssue({ code: "custom", path: ["vaultId"], message: "missing while a certificate comes from Key Vault (allowed: the ARM id of the vault that holds them)" });
        }
    }),
);

const dnsFields = {
    zoneName: z
        .string({ error: (issue) => problem(issue.input, "is not a string", zoneAllowed) })
        .refine(isDnsZoneName, { error: (issue) => problem(issue.input, "is not a DNS zone name", zoneAllowed) })
        .optional(),
    zoneResourceGroup: text("the resource group of an existing zone, 1-90 characters", namingRule("resourceGroup").pattern, 90).optional(),
    hosts: hostsSchema.default(defaultHostLabels),
    ttl: wholeNumber("1-86400 seconds")
        .default(productionMaxTtl)
        .refine((ttl) => ttl >= 1 && ttl <= 86400, { error: (issue) => problem(issue.input, "seconds is out of range", "1-86400 seconds") }),
    /** The certificates of the custom hosts. Required with a zone. */
    certificates: certificatesSchema.optional(),
    /** Where the records point: this stack's gateway, or the DR stack's. Default primary. */
    activeSite: z
        .enum(["primary", "dr"], { error: (issue) => problem(issue.input, "is not a site", "primary (this stack's gateway) or dr (the DR stack's, after a failover)") })
        .default("primary"),
};

const dnsSchema = strictObject(dnsFields, "the DNS settings").check(
    rule(z.object({ zoneName: dnsFields.zoneName, zoneResourceGroup: dnsFields.zoneResourceGroup, certificates: z.unknown() }), (dns, ctx) => {
        if (dns.zoneResourceGroup && !dns.zoneName) {
            ctx.addIssue({ code: "custom", path: ["zoneName"], message: "missing while dns.zoneResourceGroup is set (allowed: the name of the existing zone)" });
        }
        if (dns.zoneName && dns.certificates === undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["certificates"],
                message: "missing while dns.zoneName is set; the gateway serves the custom hosts with them (allowed: { vaultId, gateway, portal, management })",
            });
        }
        if (!dns.zoneName && dns.certificates !== undefined) {
            ctx.addIssue({ code: "custom", path: ["certificates"], message: "set without dns.zoneName (allowed: remove it, or set the zone)" });
        }
    }),
);

const monitoringFields = {
    /** Days the Log Analytics workspace keeps data. Default 30. */
    retentionDays: wholeNumber("30-730 days")
        .default(30)
        .refine((days) => days >= 30 && days <= 730, { error: (issue) => problem(issue.input, "days is out of range", "30-730 days") }),
    /** Addresses alerts are e-mailed to. Default none. */
    alertEmails: z
        .array(z.email({ error: (issue) => problem(issue.input, "is not an e-mail address", "an address such as ops@contoso.com") }), {
            error: (issue) => problem(issue.input, "is not a list", "a list of e-mail addresses"),
        })
        .default([]),
};

const monitoringSchema = strictObject(monitoringFields, "the monitoring settings");

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// One IPv4 rule, the components' own: the message is theirs, at the list entry's path.
const ipRange = z.string({ error: (issue) => problem(issue.input, "is not a string", ipv4RangeAllowed) }).superRefine((value, ctx) => {
    for (const found of ipv4RangeProblems([value])) {
        ctx.addIssue({ code: "custom", message: found.message });
    }
});
const ipRanges = z.array(ipRange, { error: (issue) => problem(issue.input, "is not a list", `a list of ranges, each ${ipv4RangeAllowed}`) }).default([]);

const identityFields = {
    /** Identifier URI of the API application. Default api://<workload>-<stack>. */
    identifierUri: text("api://<name>, or an https URL on a verified domain of the tenant", /^(api:\/\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*|https:\/\/[a-z0-9.-]+(\/[A-Za-z0-9._-]+)*)$/, 200).optional(),
    /** Object id of an Entra ID group that gets Reader on the stack's resource groups. Default none. */
    operatorsGroupId: z
        .string({ error: (issue) => problem(issue.input, "is not a string", "the object id (a GUID) of an Entra ID group") })
        .refine((value) => guid.test(value), { error: (issue) => problem(issue.input, "is not a GUID", "the object id of an Entra ID group, such as 0b5f5a4e-8c1d-4a63-9d6b-2f0c3e7a1b2c") })
        .optional(),
    /** A federated credential for the daemon client instead of a client secret. Default: a client secret in Key Vault. */
    clientFederation: strictObject(
        {
            issuer: text("the https issuer URL of the external identity provider", /^https:\/\/\S+$/, 300),
            subject: text("the external workload's subject, such as repo:contoso/orders:environment:prod", undefined, 300),
        },
        "a federated credential",
    ).optional(),
};

const secretsFields = {
    /** Expiry of every secret the stack stores and of its Entra ID client secrets. Required. */
    expiresOn: z
        .string({ error: (issue) => problem(issue.input, "is not a string", "a date such as 2027-06-30 (YYYY-MM-DD, quoted)") })
        .refine((value) => /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)), {
            error: (issue) => problem(issue.input, "is not a date", "a date such as 2027-06-30 (YYYY-MM-DD, quoted)"),
            abort: true,
        })
        // Key Vault and Entra ID would take an expiry in the past, and the stack would deploy
        // secrets that no longer work.
        .refine((value) => Date.parse(value) > Date.now(), {
            error: (issue) => `${show(issue.input)} is not in the future; every secret the stack stores and its Entra ID client secrets would be created expired (allowed: a later date, YYYY-MM-DD, quoted; rotate before it)`,
        }),
    /** Ranges allowed through the vault's firewall: the deploying agents. Default none. */
    allowedIpRanges: ipRanges,
};

const workflowAccess = z.enum(["gateway", "nested"], {
    error: (issue) => problem(issue.input, "is not an access mode", "gateway (called through API Management) or nested (called by other workflows)"),
});

const tagName = /^[^<>%&\\?/]{1,512}$/;

const tagsSchema = z
    .record(
        z.string().refine((name) => tagName.test(name), {
            error: (issue) => problem(issue.input, "is not a valid tag name", "1-512 characters without < > % & \\ ? /"),
        }),
        z.string({ error: (issue) => problem(issue.input, "is not a string", "a tag value of up to 256 characters") }).max(256, {
            error: (issue) => problem(issue.input, "is too long", "a tag value of up to 256 characters"),
        }),
        {
            error: (issue) =>
                issue.code === "invalid_key"
                    ? problem(issue.input, "is not a valid tag name", "1-512 characters without < > % & \\ ? /")
                    : problem(issue.input, "is not a map", "a map of tag names to values"),
        },
    )
    .check(
        rule(z.record(z.string(), z.unknown()), (tags, ctx) => {
            for (const name of Object.keys(tags)) {
                if ((standardTagNames as readonly string[]).includes(name)) {
                    ctx.addIssue({
                        code: "custom",
                        path: [name],
                        message: `"${name}" is set by the project (allowed: a tag name other than ${standardTagNames.join(", ")})`,
                    });
                }
            }
            const room = 50 - standardTagNames.length;
            if (Object.keys(tags).length > room) {
                ctx.addIssue({ code: "custom", message: `${Object.keys(tags).length} tags is too many; Azure allows 50 per resource (allowed: at most ${room})` });
            }
        }),
    );

export const rootShape = {
    environment: text("a lower-case environment label such as dev, test or prod (1-16 letters, digits, hyphens)", /^[a-z][a-z0-9-]{0,15}$/, 16),
    workload: text("2-16 lower-case letters, digits and hyphens, starting with a letter", /^[a-z][a-z0-9-]{0,14}[a-z0-9]$/, 16).default("integration"),
    location: azureRegion(),
    owner: text("the team or person accountable, e.g. platform-team@contoso.com"),
    costCenter: text("the cost centre charged, e.g. CC-1234"),
    production: flag("production").default(false),
    protect: flag("protect").default(false),
    tags: tagsSchema.default({}),
    gateway: gatewaySchema,
    dr: drSchema.default({ role: "active" }),
    dns: dnsSchema.default({ hosts: defaultHostLabels, ttl: productionMaxTtl, activeSite: "primary" }),
    monitoring: monitoringSchema.default({ retentionDays: 30, alertEmails: [] }),
    identity: strictObject(identityFields, "the identity settings").default({}),
    secrets: strictObject(secretsFields, "the secrets settings"),
    workflows: z
        .record(
            z.string().regex(/^[a-z][a-z0-9-]{0,38}[a-z0-9]$/, { error: (issue) => problem(issue.input, "is not a workflow name", "the name of a file under workflows/ without .json") }),
            workflowAccess,
            { error: (issue) => problem(issue.input, "is not a map", "a map of workflow names to gateway or nested") },
        )
        .default({}),
    adminIpRanges: ipRanges,
    backendApiKeys: z
        .record(z.string(), z.string().min(1), { error: (issue) => problem(issue.input, "is not a map", "a map of API names to keys, set with pulumi config set --secret --path") })
        .default({}),
};

/** The gateway's sizing as the component's rule reads it, with the primary region. */
const gatewaySizing = z.object({
    // Checked on its own; the sizing rules run whatever it holds.
    location: z.unknown().transform((value) => (typeof value === "string" ? value : "")),
    gateway: z.object({
        sku: gatewayFields.sku,
        capacity: gatewayFields.capacity,
        zones: gatewayFields.zones,
        additionalLocations: gatewayFields.additionalLocations,
        autoscale: gatewayFields.autoscale,
    }),
});

const siteLayout = z.object({
    location: rootShape.location,
    production: rootShape.production,
    dr: z.object({ location: drFields.location, role: drFields.role, stack: drFields.stack }).default({ role: "active" }),
    dns: z
        .object({ ttl: dnsFields.ttl, activeSite: dnsFields.activeSite, zoneName: dnsFields.zoneName, certificates: z.object({ gateway: z.string() }).optional() })
        .default({ ttl: productionMaxTtl, activeSite: "primary" }),
});

export const rootSchema = strictObject(rootShape, "the stack configuration").check(
    rule(gatewaySizing, (config, ctx) => {
        for (const problem of sizingProblems({ ...config.gateway, location: config.location })) {
            ctx.addIssue({ code: "custom", path: ["gateway", ...problem.path], message: problem.message });
        }
    }),
    rule(siteLayout, (config, ctx) => {
        if (config.dr.location && config.dr.location === config.location) {
            const pair = region(config.location).paired;
            ctx.addIssue({
                code: "custom",
                path: ["dr", "location"],
                message: `"${config.dr.location}" is the primary location; the other site must survive its outage (allowed: a region other than ${config.location}${pair ? `, such as its pair ${pair}` : ""})`,
            });
        }
        if (config.dns.activeSite === "dr" && !config.dr.stack) {
            ctx.addIssue({
                code: "custom",
                path: ["dns", "activeSite"],
                message: "dr, but dr.stack is not set; the records would have no site to point at (allowed: set dr.stack to the DR stack, such as prod-dr, or activeSite: primary)",
            });
        }
        if (config.dns.activeSite === "dr" && config.dr.role === "passive") {
            ctx.addIssue({ code: "custom", path: ["dns", "activeSite"], message: "dr on the passive site; the active stack owns the records (allowed: primary)" });
        }
        if (config.dr.role === "passive" && config.dns.certificates?.gateway === managedCertificate) {
            ctx.addIssue({
                code: "custom",
                path: ["dns", "certificates", "gateway"],
                message: "managed on a passive site; API Management issues it only while the host's record points at this gateway, which is the active site's until a failover (allowed: a certificate from Key Vault)",
            });
        }
        if (config.production && config.dns.ttl > productionMaxTtl) {
            ctx.addIssue({
                code: "custom",
                path: ["dns", "ttl"],
                message: `${config.dns.ttl} seconds is too long for a production stack; a failover would take that long to be seen (allowed: 1-${productionMaxTtl})`,
            });
        }
    }),
);

export type ParsedConfig = z.output<typeof rootSchema>;
