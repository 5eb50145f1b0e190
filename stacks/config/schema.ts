import { z } from "zod";
import { ipv4OverlapProblems, ipv4RangeAllowed, ipv4RangeEntryProblems } from "../../components/common/rules";
import {
    dateAllowed,
    dateProblems,
    emailAllowed,
    emailProblems,
    identifierUriAllowed,
    identifierUriProblems,
    issuerAllowed,
    issuerProblems,
    logRetentionAllowed,
    logRetentionProblems,
} from "../../components/common/values";
// Tiers and how big each may be: the gateway component's own rule, checked on the config too.
import { managedCertificateOnCreate, sizingProblems } from "../../components/gateway";
import { longestWait, waitSeconds } from "../../components/identity";
import {
    intervalMinutes,
    minimumUnits,
    objectiveProblems,
    productionMaximumBackupMinutes,
    recoveryObjectives,
    scheduleDefaults,
} from "../recovery";
import { region } from "../regions";
import { costSchema } from "./cost-schema";
import { loadSchema } from "./load-schema";
import { azureRegion, flag, problem, rule, ruled, ruleIssues, show, strictObject, text, wholeNumber, withDocs } from "./fields";
import { gatewayFields, gatewaySchema } from "./gateway-schema";
import { defaultHostLabels, dnsFields, dnsSchema, drFields, drSchema, managedCertificate, productionMaxTtl } from "./site-schema";

export { managedCertificate, productionMaxTtl } from "./site-schema";

/**
 * The schema of a stack's configuration: one field per key of `Pulumi.yaml`, with its default,
 * and the rules that span several keys (tier limits, regions, DR site, production DNS).
 */

/** The namespace of every key this project reads (the project name in `Pulumi.yaml`). */
export const configNamespace = "enterprise-integration";

/** Tag names the project sets itself; `tags` may not override them. */
export const standardTagNames = ["environment", "workload", "owner", "costCenter", "stack", "managedBy"] as const;

const monitoringFields = withDocs(
    {
        retentionDays: wholeNumber(logRetentionAllowed).default(30).superRefine(ruleIssues(logRetentionProblems)),
        alertEmails: z
            .array(ruled(emailProblems, emailAllowed), {
                error: (issue) => problem(issue.input, "is not a list", "a list of e-mail addresses"),
            })
            .default([]),
    },
    {
        retentionDays: { description: "Days Log Analytics keeps data, 30-730." },
        alertEmails: { description: "Addresses every alert is e-mailed to." },
    },
);

const monitoringSchema = strictObject(monitoringFields, "the monitoring settings");

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// One IPv4 rule, the components' own: the message is theirs, at the list entry's path.
const ipRange = ruled(ipv4RangeEntryProblems, ipv4RangeAllowed);
/** ARM id of any resource: what a managed-identity connection reaches. */
const resourceIdPattern =
    /^\/subscriptions\/[0-9a-fA-F-]{36}\/resourceGroups\/[-\w.()]{1,90}\/providers\/[A-Za-z.]+\/[^/]+\/[^/]+(\/[^/]+\/[^/]+)*$/;

const connectionFields = {
    /** ARM id of the resource a managed-identity connection reaches, where the workflow's identity gets its role. */
    resourceId: text(
        "the ARM id of the resource the connection reaches: /subscriptions/<id>/resourceGroups/<group>/providers/<namespace>/<type>/<name>",
        resourceIdPattern,
        1000,
    ).optional(),
    /** The connection's parameters that are not secrets, by name. */
    parameters: z
        .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String), {
            error: (issue) => problem(issue.input, "is not a map", "parameter names to values"),
        })
        .optional(),
};

const ipRanges = z
    .array(ipRange, { error: (issue) => problem(issue.input, "is not a list", `a list of ranges, each ${ipv4RangeAllowed}`) })
    .superRefine(ruleIssues(ipv4OverlapProblems))
    .default([]);

const waitAllowed = "minutes and seconds such as 10m, 90s or 2m30s, at most 30m; 0s for none";

const identityFields = withDocs(
    {
        identifierUri: ruled(identifierUriProblems, identifierUriAllowed).optional(),
        operatorsGroupId: z
            .string({ error: (issue) => problem(issue.input, "is not a string", "the object id (a GUID) of an Entra ID group") })
            .refine((value) => guid.test(value), {
                error: (issue) =>
                    problem(
                        issue.input,
                        "is not a GUID",
                        "the object id of an Entra ID group, such as 0b5f5a4e-8c1d-4a63-9d6b-2f0c3e7a1b2c",
                    ),
            })
            .optional(),
        clientFederation: strictObject(
            {
                issuer: ruled(issuerProblems, issuerAllowed),
                subject: text("the external workload's subject, such as repo:contoso/orders:environment:prod", undefined, 300),
            },
            "a federated credential",
        ).optional(),
        roleAssignmentWait: z
            .string({ error: (issue) => problem(issue.input, "is not a string", waitAllowed) })
            .refine((value) => (waitSeconds(value) ?? Infinity) <= longestWait, {
                error: (issue) => problem(issue.input, "is not a wait of at most 30 minutes", waitAllowed),
            })
            .default("10m"),
    },
    {
        identifierUri: { description: "Identifier URI of the API application.", default: "`api://<workload>-<stack>`" },
        operatorsGroupId: { description: "Object id (a GUID) of an Entra ID group that gets Reader on the stack's resource groups." },
        clientFederation: {
            description: "`{ issuer, subject }`: a federated credential for the daemon client instead of a client secret.",
            default: "a client secret in Key Vault",
        },
        roleAssignmentWait: {
            description:
                "How long new role assignments are given to take effect before the identities use them (the service reading its certificates, the gateway reading its named values' secrets): Azure documents up to 10 minutes. Waited only when an assignment is added or replaced; `0s` turns the wait off, at the risk of a refused first read.",
        },
    },
);

const secretsFields = withDocs(
    {
        expiresOn: z
            // An unquoted date in a stack file is a YAML timestamp, which the Pulumi CLI hands the
            // program as `2027-11-30 00:00:00 +0000 UTC` (Go's time.Time text, yaml.v3): that is the
            // date the user wrote, taken as it.
            .preprocess(
                (value) => (typeof value === "string" ? value.replace(/^(\d{4}-\d{2}-\d{2}) 00:00:00 \+0000 UTC$/, "$1") : value),
                ruled(dateProblems, dateAllowed),
            )
            // Key Vault and Entra ID would take an expiry in the past, and the stack would deploy
            // secrets that no longer work.
            .refine((value) => dateProblems(value).length > 0 || Date.parse(value) > Date.now(), {
                error: (issue) =>
                    `${show(issue.input)} is not in the future; every secret the stack stores and its Entra ID client secrets would be created expired (allowed: a later date, YYYY-MM-DD, quoted; rotate before it)`,
            }),
        allowedIpRanges: ipRanges,
    },
    {
        expiresOn: {
            description:
                "`YYYY-MM-DD` (quoted), in the future: when every stored secret and the Entra ID client secrets expire. Rotate before it (see above).",
        },
        allowedIpRanges: { description: "IPv4 ranges let through the vault's firewall (the people and agents that read secrets)." },
    },
);

const workflowAccess = z.enum(["gateway", "nested", "triggered"], {
    error: (issue) =>
        problem(
            issue.input,
            "is not an access mode",
            "gateway (called through API Management), nested (called by other workflows) or triggered (started by its own trigger: a recurrence, a connector's)",
        ),
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
            // Azure compares tag names without regard to case ("Tag names are case-insensitive for
            // operations", learn.microsoft.com/azure/azure-resource-manager/management/tag-resources),
            // so `Environment` would collide with the project's `environment`, and `Team` with `team`.
            const seen = new Map<string, string>();
            for (const name of Object.keys(tags)) {
                const standard = standardTagNames.find((tag) => tag.toLowerCase() === name.toLowerCase());
                if (standard !== undefined) {
                    ctx.addIssue({
                        code: "custom",
                        path: [name],
                        message:
                            standard === name
                                ? `"${name}" is set by the project (allowed: a tag name other than ${standardTagNames.join(", ")})`
                                : `"${name}" is the project's tag ${standard} to Azure, which compares tag names without regard to case (allowed: a tag name other than ${standardTagNames.join(", ")}, in any case)`,
                    });
                }
                const earlier = seen.get(name.toLowerCase());
                if (earlier !== undefined && standard === undefined) {
                    ctx.addIssue({
                        code: "custom",
                        path: [name],
                        message: `"${name}" is the same tag as "${earlier}" to Azure, which compares tag names without regard to case (allowed: one of them)`,
                    });
                }
                seen.set(name.toLowerCase(), name);
            }
            const room = 50 - standardTagNames.length;
            if (Object.keys(tags).length > room) {
                ctx.addIssue({
                    code: "custom",
                    message: `${Object.keys(tags).length} tags is too many; Azure allows 50 per resource (allowed: at most ${room})`,
                });
            }
        }),
    );

export const rootShape = withDocs(
    {
        environment: text(
            "a lower-case environment label such as dev, test or prod (1-16 letters, digits, hyphens)",
            /^[a-z][a-z0-9-]{0,15}$/,
            16,
        ),
        workload: text("2-16 lower-case letters, digits and hyphens, starting with a letter", /^[a-z][a-z0-9-]{0,14}[a-z0-9]$/, 16).default(
            "integration",
        ),
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
        identity: strictObject(identityFields, "the identity settings").prefault({}),
        secrets: strictObject(secretsFields, "the secrets settings"),
        workflows: z
            .record(
                z.string().regex(/^[a-z][a-z0-9-]{0,38}[a-z0-9]$/, {
                    error: (issue) => problem(issue.input, "is not a workflow name", "the name of a file under workflows/ without .json"),
                }),
                workflowAccess,
                {
                    error: (issue) =>
                        issue.code === "invalid_key"
                            ? problem(
                                  issue.input,
                                  "is not a workflow name",
                                  "the name of a file under workflows/ without .json: lower-case letters, digits and hyphens",
                              )
                            : problem(issue.input, "is not a map", "a map of workflow names to gateway, nested or triggered"),
                },
            )
            .default({}),
        adminIpRanges: ipRanges,
        connections: z
            .record(
                z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/, {
                    error: (issue) => problem(issue.input, "is not a connection name", "a name workflows/connections.yaml declares"),
                }),
                strictObject(connectionFields, "a connection's settings"),
                {
                    error: (issue) =>
                        issue.code === "invalid_key"
                            ? problem(issue.input, "is not a connection name", "a name workflows/connections.yaml declares")
                            : problem(issue.input, "is not a map", "a map of connection names to resourceId and parameters"),
                },
            )
            .default({}),
        connectionSecrets: z
            .record(z.string(), z.record(z.string(), z.string().min(1)), {
                error: (issue) =>
                    problem(
                        issue.input,
                        "is not a map",
                        "a map of connection names to their secret parameters, set with pulumi config set --secret --path",
                    ),
            })
            .default({}),
        backendApiKeys: z
            .record(z.string(), z.string().min(1), {
                error: (issue) =>
                    problem(issue.input, "is not a map", "a map of API names to keys, set with pulumi config set --secret --path"),
            })
            .default({}),
        // Read by the cost estimate only (stacks/config/index.ts costVolumesFrom): a mistake there
        // fails the plan's estimate, never a deployment, so the program takes the defaults instead.
        cost: costSchema.prefault({}).catch(() => costSchema.parse({})),
        load: loadSchema.prefault({}),
    },
    {
        environment: {
            description:
                "Environment label for tags: 1-16 lower-case letters, digits, hyphens, starting with a letter (`dev`, `test`, `prod`). `prod-dr` also says `prod`.",
        },
        workload: { description: "Workload label in every name and tag: 2-16 lower-case letters, digits, hyphens." },
        location: {
            description:
                'Primary Azure region (`westeurope`): API Management, Logic Apps and the resource groups live here. A misspelt region gets a "did you mean".',
        },
        owner: { description: "Team or person accountable (tag), such as platform-team@contoso.com." },
        costCenter: { description: "Cost centre charged (tag), such as CC-1234." },
        production: {
            description:
                "Production rules apply: DNS TTL at most 300 s; the workflows' documents are kept geo-redundant (`Standard_GZRS`).",
        },
        protect: {
            description:
                "Protect stateful resources (resource groups, name suffix, gateway, vault and its secrets, generated keys, DNS zone, the workflows' storage account and containers) from deletion.",
        },
        tags: {
            description:
                "Extra tags for every resource, name to value. Names: 1-512 characters without `< > % & \\ ? /`; values up to 256 characters; at most 44; may not reuse the standard tags (environment, workload, owner, costCenter, stack, managedBy).",
        },
        gateway: { description: "API Management: tier, units, zones and regions, publisher, autoscale, CORS, backends, tracing." },
        dr: { description: "Disaster recovery: this site's role and the other site. Omit on stacks without a DR site." },
        dns: { description: "Custom domains in Azure DNS. Omit `zoneName` to use the default `*.azure-api.net` host names." },
        monitoring: { description: "Azure Monitor: Log Analytics retention and who alerts are e-mailed to." },
        identity: {
            description:
                "Entra ID: the API application's identifier URI, an operators group, a federated credential for the daemon client.",
        },
        secrets: { description: "Key Vault: when the stored secrets expire (required) and who may pass its firewall." },
        workflows: {
            description:
                "The workflows to deploy: definition name under `workflows/` to `gateway` (called through API Management only), `nested` (called by other workflows only) or `triggered` (started by its own trigger, a recurrence or a connector's such as a Service Bus message; called by nobody). Every `logicApp` API's workflow must be here as `gateway`.",
        },
        adminIpRanges: { description: "IPv4 ranges allowed to read workflow run history inputs and outputs." },
        connections: {
            description:
                "This stack's side of each connection `workflows/connections.yaml` declares, by name: `resourceId`, the ARM id of the resource a managed-identity connection reaches (the stack grants the workflow's identity the declared role there, and nowhere else), and `parameters`, the connection's parameters that are not secrets (`namespaceEndpoint: sb://<namespace>.servicebus.windows.net/`, a SQL server and database). Only connections the stack's workflows use.",
        },
        connectionSecrets: {
            description:
                "Secret parameters of connections, by connection and parameter name (a SQL password, an SSH key, a custom connector's `api_key`); set each with `pulumi config set --secret --path 'connectionSecrets.<connection>.<parameter>' <value>`. Kept in Key Vault and passed to the connection; never in plain text.",
            type: "map, **secret**",
        },
        backendApiKeys: {
            description:
                "Keys of catalog backends you bring, by API name; set each with `pulumi config set --secret --path 'backendApiKeys.<api>' <key>`. The program refuses a map that is not encrypted (the CLI enforces `secret` only on typed keys, and a typed secret key can have no default). Without one, the key is generated and kept in Key Vault.",
            type: "map, **secret**",
        },
        cost: {
            description:
                "Monthly volumes the cost estimate (`npm run cost -- <stack>`) prices the usage-based items with: workflow actions and connector calls, log ingestion, Key Vault operations, DNS queries, storage, alert e-mails. The program deploys nothing from them.",
        },
        load: {
            description:
                "How `npm run load -- <stack>` loads the stack's APIs (`durationSeconds`, `connections`), what every API must meet there (`criteria`, over each API's own), and `azureLoadTesting` for an Azure Load Testing resource. See docs/before-production.md.",
        },
    },
);

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
    gateway: z.object({ serviceExists: gatewayFields.serviceExists, capacity: gatewayFields.capacity, autoscale: gatewayFields.autoscale }),
    dr: z
        .object({
            location: drFields.location,
            role: drFields.role,
            stack: drFields.stack,
            backupInterval: drFields.backupInterval,
            restoreInterval: drFields.restoreInterval,
            backupRetentionDays: drFields.backupRetentionDays,
            maxRpoMinutes: drFields.maxRpoMinutes,
            maxRtoMinutes: drFields.maxRtoMinutes,
        })
        .default({ role: "active" }),
    dns: z
        .object({
            ttl: dnsFields.ttl,
            activeSite: dnsFields.activeSite,
            zoneName: dnsFields.zoneName,
            certificates: z.object({ gateway: z.string() }).optional(),
        })
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
                message:
                    "dr, but dr.stack is not set; the records would have no site to point at (allowed: set dr.stack to the DR stack, such as prod-dr, or activeSite: primary)",
            });
        }
        if (config.dns.activeSite === "dr" && config.dr.role === "passive") {
            ctx.addIssue({
                code: "custom",
                path: ["dns", "activeSite"],
                message: "dr on the passive site; the active stack owns the records (allowed: primary)",
            });
        }
        if (config.dr.role === "passive" && config.dns.certificates?.gateway === managedCertificate) {
            ctx.addIssue({
                code: "custom",
                path: ["dns", "certificates", "gateway"],
                message:
                    "managed on a passive site; API Management issues it only while the host's record points at this gateway, which is the active site's until a failover (allowed: a certificate from Key Vault)",
            });
        }
        if (config.dns.certificates?.gateway === managedCertificate && !config.gateway.serviceExists) {
            ctx.addIssue({
                code: "custom",
                path: ["dns", "certificates", "gateway"],
                message: `managed, but gateway.serviceExists is not true: ${managedCertificateOnCreate.replace("then set the service as existing", "then set gateway.serviceExists: true")}`,
            });
        }
        const backupMinutes = intervalMinutes(config.dr.backupInterval ?? scheduleDefaults.backupInterval);
        if (config.production && backupMinutes !== undefined && backupMinutes > productionMaximumBackupMinutes) {
            ctx.addIssue({
                code: "custom",
                path: ["dr", "backupInterval"],
                message: `${config.dr.backupInterval} leaves a production stack more than a day between backups (allowed: 24h or less)`,
            });
        }
        // The objectives this stack's own settings decide; the standby's units are checked with
        // both stack files (stacks/project-checks.ts).
        if (
            config.dr.role === "active" &&
            config.dr.stack &&
            backupMinutes !== undefined &&
            intervalMinutes(config.dr.restoreInterval ?? scheduleDefaults.restoreInterval) !== undefined
        ) {
            const objectives = recoveryObjectives({
                ttlSeconds: config.dns.ttl,
                minimumUnits: minimumUnits(config.gateway),
                dr: config.dr,
            });
            for (const problem of objectiveProblems(objectives)) {
                ctx.addIssue({ code: "custom", path: ["dr", problem.key], message: problem.message });
            }
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
