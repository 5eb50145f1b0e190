import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { validateBackupStorageArgs } from "../../components/backup";
import { validateDnsArgs, type DnsArgs } from "../../components/dns";
import { validateGatewayCatalogArgs, type GatewayCatalogArgs } from "../../components/catalog";
import { validateApiGatewayArgs, type ApiGatewayArgs } from "../../components/gateway";
import { checkCatalog, type ApiDefinition } from "../../content/catalog";
import { validateIdentityArgs, type IdentityArgs } from "../../components/identity";
import { validateMonitoringArgs, type MonitoringArgs } from "../../components/monitoring";
import { validateSecretsArgs, type SecretsArgs } from "../../components/secrets";
import { checkWorkflows } from "../../components/workflows";
import { ConfigError, parseStackConfig } from "../../stacks/config";

/**
 * Rules the stack config and a component both check are one rule: each bad case goes to both
 * entry points, and both refuse it with the same message at the same path, each path under its
 * own prefix (`gateway.` in the config, none in the component's arguments).
 */

/** A valid stack config, from scratch, with the gateway's and the rest's fields laid over it. */
function configProblems(gateway: Record<string, unknown>, rest: Record<string, unknown> = {}): string[] {
    try {
        parseStackConfig("rules", {
            environment: "rules",
            location: "westeurope",
            owner: "team@example.com",
            costCenter: "CC-0",
            gateway: { sku: "Developer", publisherName: "Example", publisherEmail: "api@example.com", ...gateway },
            secrets: { expiresOn: "2099-12-31" },
            ...rest,
        });
        return [];
    } catch (error) {
        if (error instanceof ConfigError) {
            return [...error.problems];
        }
        throw error;
    }
}

/** The lines of a component's "Invalid ... arguments" error, or [] when it accepts them. */
function componentProblems(check: () => unknown): string[] {
    try {
        check();
        return [];
    } catch (error) {
        return (error as Error).message
            .split("\n")
            .slice(1)
            .map((line) => line.replace(/^ {2}- /, ""));
    }
}

const gatewayArgs = (sizing: Partial<ApiGatewayArgs>): ApiGatewayArgs => ({
    resourceGroupName: "rg",
    location: "westeurope",
    names: { service: "apim-rules", autoscale: "autoscale-rules" },
    regionDisplayNames: { westeurope: "West Europe", swedencentral: "Sweden Central" },
    sku: "Developer",
    capacity: 1,
    publisherName: "Example",
    publisherEmail: "api@example.com",
    identity: {
        resourceId: "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id",
        clientId: "c",
        principalId: "p",
    },
    ...sizing,
});

/** Sizing cases: the fields as both entry points name them (the config's keys are the component's), the path, the message. */
const sizingCases: Array<[string, Record<string, unknown>, string, string]> = [
    ["two units on Developer", { capacity: 2 }, "capacity", "2 units is outside the Developer tier's range (allowed: 1)"],
    ["five units on Standard", { sku: "Standard", capacity: 5 }, "capacity", "5 units is outside the Standard tier's range (allowed: 1-4)"],
    [
        "zones on Standard",
        { sku: "Standard", capacity: 2, zones: ["1", "2"] },
        "zones",
        "availability zones need the Premium tier, not Standard (allowed: set sku: Premium or remove zones)",
    ],
    [
        "an additional region on Basic",
        { sku: "Basic", additionalLocations: [{ location: "swedencentral", capacity: 1 }] },
        "additionalLocations",
        "additional regions need the Premium tier, not Basic (allowed: set sku: Premium or remove additionalLocations)",
    ],
    [
        "a zone listed twice",
        { sku: "Premium", capacity: 2, zones: ["1", "1"] },
        "zones",
        '["1","1"] lists a zone twice (allowed: each of "1", "2", "3" at most once)',
    ],
    [
        "units that do not spread over the zones",
        { sku: "Premium", capacity: 3, zones: ["1", "2"] },
        "capacity",
        "3 units cannot be spread evenly over 2 zones (allowed: a multiple of 2)",
    ],
    [
        "the same additional region twice",
        {
            sku: "Premium",
            additionalLocations: [
                { location: "swedencentral", capacity: 1 },
                { location: "swedencentral", capacity: 1 },
            ],
        },
        "additionalLocations[1].location",
        '"swedencentral" is listed twice (allowed: each additional region once)',
    ],
    [
        "the primary region as an additional one",
        { sku: "Premium", additionalLocations: [{ location: "westeurope", capacity: 1 }] },
        "additionalLocations[0].location",
        '"westeurope" is the primary location (allowed: a region other than westeurope)',
    ],
    [
        "an additional region over Premium's units",
        { sku: "Premium", additionalLocations: [{ location: "swedencentral", capacity: 13 }] },
        "additionalLocations[0].capacity",
        "13 units is outside the Premium tier's range (allowed: 1-12)",
    ],
    [
        "autoscale on Developer",
        { autoscale: { minCapacity: 1, maxCapacity: 1 } },
        "autoscale",
        "the Developer tier cannot scale (allowed: remove autoscale, or use Basic, Standard or Premium)",
    ],
    [
        "autoscale with min above max",
        { sku: "Standard", capacity: 2, autoscale: { minCapacity: 3, maxCapacity: 2 } },
        "autoscale.minCapacity",
        "3 is more than maxCapacity 2 (allowed: minCapacity <= maxCapacity)",
    ],
    [
        "autoscale over the tier's units",
        { sku: "Standard", capacity: 2, autoscale: { minCapacity: 1, maxCapacity: 6 } },
        "autoscale",
        "1-6 units is outside the Standard tier's range (allowed: within 1-4)",
    ],
    [
        "autoscale bounds that break the zone spread",
        { sku: "Premium", capacity: 2, zones: ["1", "2"], autoscale: { minCapacity: 2, maxCapacity: 5 } },
        "autoscale",
        "2-5 units cannot stay spread evenly over 2 zones; autoscale adds and removes 2 units at a time (allowed: minCapacity and maxCapacity multiples of 2)",
    ],
    [
        "units outside the autoscale range",
        { sku: "Standard", capacity: 1, autoscale: { minCapacity: 2, maxCapacity: 4 } },
        "capacity",
        "1 unit is outside the autoscale range (allowed: 2-4)",
    ],
];

/** Valid arguments of each component that takes a value a shared rule checks, with the value laid in by the case. */
const dnsArgs = (overrides: Partial<DnsArgs>): DnsArgs => ({
    zoneName: "fabrikam.com",
    zoneResourceGroupName: "rg",
    hosts: {
        gateway: { label: "api", target: "apim-rules.azure-api.net" },
        portal: { label: "developer", target: "apim-rules.developer.azure-api.net" },
    },
    ttl: 60,
    ...overrides,
});
const monitoringArgs = (overrides: Partial<MonitoringArgs>): MonitoringArgs => ({
    resourceGroupName: "rg",
    location: "westeurope",
    names: { workspace: "log", appInsights: "appi", actionGroup: "ag" },
    ...overrides,
});
const secretsArgs = (overrides: Partial<SecretsArgs>): SecretsArgs => ({
    resourceGroupName: "rg",
    location: "westeurope",
    vaultName: "kv-rules",
    tenantId: "t",
    expiresOn: "2099-12-31",
    ...overrides,
});
const identityArgs = (overrides: Partial<IdentityArgs>): IdentityArgs => ({
    displayNamePrefix: "integration-rules",
    identifierUri: "api://integration-rules",
    apiRoles: [{ value: "Shipments.Read", description: "Reads shipments." }],
    portalHosts: ["apim-rules.developer.azure-api.net"],
    secretExpiresOn: "2099-12-31",
    ...overrides,
});
/** An openapi API named ledger: all a catalog needs for its backend to be checked. */
const ledgerApi = {
    name: "ledger",
    version: "v1",
    apiId: "ledger-v1",
    path: "ledger",
    folder: "ledger",
    kind: "openapi",
    products: [],
    revisions: [],
    operationPolicies: {},
} as unknown as ApiDefinition;
const catalogArgs = (overrides: Partial<GatewayCatalogArgs>): GatewayCatalogArgs => ({
    resourceGroupName: "rg",
    serviceName: "apim-rules",
    catalog: checkCatalog({ products: {}, apis: [ledgerApi], notes: [] }),
    tokenValidation: {
        openIdConfigUrl: "https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration",
        issuer: "https://login.microsoftonline.com/t/v2.0",
        audiences: ["api://integration-rules"],
    },
    ...overrides,
});
const monitored = {
    workspaceId: "w",
    appInsightsId: "a",
    appInsightsConnectionString: "InstrumentationKey=0",
    actionGroupId: "g",
};

/** One shared rule: its bad values and their messages, where the config reports it, and each component that checks it (with its path). */
interface SharedRule {
    rule: string;
    cases: ReadonlyArray<readonly [unknown, string]>;
    /** The arguments of `configProblems`: the gateway's fields and the other keys, with the value laid in. */
    config: (value: unknown) => [Record<string, unknown>, Record<string, unknown>?];
    configPath: string;
    components: ReadonlyArray<{ name: string; check: (value: unknown) => unknown; path: string }>;
}

const dnsLabel = "(allowed: 1-63 lower-case letters, digits and hyphens, not starting or ending with a hyphen, such as api or api-dev)";
const date = "(allowed: a calendar date such as 2027-06-30 (YYYY-MM-DD))";
const email = "(allowed: an address such as api-team@contoso.com)";

const valueRules: SharedRule[] = [
    {
        rule: "DNS label (dnsLabelProblems)",
        cases: [
            ["api.v2", `"api.v2" is not a DNS label ${dnsLabel}`],
            ["developer-", `"developer-" is not a DNS label ${dnsLabel}`],
            ["API", `"API" is not a DNS label ${dnsLabel}`],
        ],
        config: (value) => [{}, { dns: { hosts: { gateway: value } } }],
        configPath: "dns.hosts.gateway",
        components: [
            {
                name: "Dns",
                check: (value) => validateDnsArgs(dnsArgs({ hosts: { gateway: { label: value as string, target: "t" } } })),
                path: "hosts.gateway.label",
            },
        ],
    },
    {
        rule: "a label for each host (hostLabelProblems)",
        cases: [["api", '"api" is also the gateway host (allowed: a label of its own)']],
        config: (value) => [{}, { dns: { hosts: { gateway: "api", portal: value } } }],
        configPath: "dns.hosts.portal",
        components: [
            {
                name: "Dns",
                check: (value) =>
                    validateDnsArgs(
                        dnsArgs({ hosts: { gateway: { label: "api", target: "t" }, portal: { label: value as string, target: "t" } } }),
                    ),
                path: "hosts.portal.label",
            },
        ],
    },
    {
        rule: "host kinds (hostKeyProblems)",
        cases: [["api", "unknown key (allowed: gateway, portal, management)"]],
        config: (value) => [{}, { dns: { hosts: { [value as string]: "api" } } }],
        configPath: "dns.hosts.api",
        components: [
            {
                name: "Dns",
                check: (value) =>
                    validateDnsArgs(dnsArgs({ hosts: { [value as string]: { label: "api", target: "t" } } as DnsArgs["hosts"] })),
                path: "hosts.api",
            },
        ],
    },
    {
        rule: "DNS zone name (dnsZoneNameProblems)",
        cases: [
            [
                "fabrikam",
                '"fabrikam" is not a DNS zone name (allowed: a DNS zone such as contoso.com: two or more lower-case labels of letters, digits and hyphens)',
            ],
            [
                "Fabrikam.com",
                '"Fabrikam.com" is not a DNS zone name (allowed: a DNS zone such as contoso.com: two or more lower-case labels of letters, digits and hyphens)',
            ],
        ],
        config: (value) => [{}, { dns: { zoneName: value } }],
        configPath: "dns.zoneName",
        components: [{ name: "Dns", check: (value) => validateDnsArgs(dnsArgs({ zoneName: value as string })), path: "zoneName" }],
    },
    {
        rule: "TTL (ttlProblems)",
        cases: [
            [0, "0 seconds is out of range (allowed: 1-86400 seconds)"],
            [86401, "86401 seconds is out of range (allowed: 1-86400 seconds)"],
            [1.5, "1.5 is not a whole number (allowed: 1-86400 seconds)"],
        ],
        config: (value) => [{}, { dns: { ttl: value } }],
        configPath: "dns.ttl",
        components: [{ name: "Dns", check: (value) => validateDnsArgs(dnsArgs({ ttl: value as number })), path: "ttl" }],
    },
    {
        rule: "Log Analytics retention (logRetentionProblems)",
        cases: [
            [10, "10 days is out of range (allowed: 30-730 days)"],
            [731, "731 days is out of range (allowed: 30-730 days)"],
            [45.5, "45.5 is not a whole number (allowed: 30-730 days)"],
        ],
        config: (value) => [{}, { monitoring: { retentionDays: value } }],
        configPath: "monitoring.retentionDays",
        components: [
            {
                name: "Monitoring",
                check: (value) => validateMonitoringArgs(monitoringArgs({ retentionDays: value as number })),
                path: "retentionDays",
            },
        ],
    },
    {
        rule: "an alert recipient's e-mail address (emailProblems)",
        cases: [
            ["ops", `"ops" is not an e-mail address ${email}`],
            ["ops@fabrikam", `"ops@fabrikam" is not an e-mail address ${email}`],
            ["ops(at)fabrikam.com", `"ops(at)fabrikam.com" is not an e-mail address ${email}`],
        ],
        config: (value) => [{}, { monitoring: { alertEmails: ["ops@fabrikam.com", value] } }],
        configPath: "monitoring.alertEmails[1]",
        components: [
            {
                name: "Monitoring",
                check: (value) => validateMonitoringArgs(monitoringArgs({ alertEmails: ["ops@fabrikam.com", value as string] })),
                path: "alertEmails[1]",
            },
        ],
    },
    {
        rule: "the publisher's e-mail address (emailProblems)",
        cases: [["api-team(at)fabrikam.com", `"api-team(at)fabrikam.com" is not an e-mail address ${email}`]],
        config: (value) => [{ publisherEmail: value }],
        configPath: "gateway.publisherEmail",
        components: [
            {
                name: "ApiGateway",
                check: (value) => validateApiGatewayArgs(gatewayArgs({ publisherEmail: value as string })),
                path: "publisherEmail",
            },
        ],
    },
    {
        rule: "the secrets' expiry (dateProblems)",
        cases: [
            ["2027-13-45", `"2027-13-45" is not a date ${date}`],
            ["2027-02-30", `"2027-02-30" is not a date ${date}`],
            ["30/06/2027", `"30/06/2027" is not a date ${date}`],
        ],
        config: (value) => [{}, { secrets: { expiresOn: value } }],
        configPath: "secrets.expiresOn",
        components: [
            { name: "Secrets", check: (value) => validateSecretsArgs(secretsArgs({ expiresOn: value as string })), path: "expiresOn" },
            // The stack hands secrets.expiresOn to the client secrets Identity creates.
            {
                name: "Identity",
                check: (value) => validateIdentityArgs(identityArgs({ secretExpiresOn: value as string })),
                path: "secretExpiresOn",
            },
        ],
    },
    {
        rule: "CORS origins (corsOriginProblems)",
        cases: [
            [
                "*",
                '"*" would let any site call the APIs with its users\' tokens (allowed: exact https origins such as https://app.contoso.com)',
            ],
            [
                "https://*.fabrikam.com",
                '"https://*.fabrikam.com" would let any site call the APIs with its users\' tokens (allowed: exact https origins such as https://app.contoso.com)',
            ],
            [
                "http://app.fabrikam.com",
                '"http://app.fabrikam.com" is not an https origin (allowed: https://host[:port] in lower case, no path)',
            ],
            [
                "https://App.fabrikam.com",
                '"https://App.fabrikam.com" is not an https origin (allowed: https://host[:port] in lower case, no path)',
            ],
            [
                "https://app.fabrikam.com/",
                '"https://app.fabrikam.com/" is not an https origin (allowed: https://host[:port] in lower case, no path)',
            ],
        ],
        config: (value) => [{ corsOrigins: ["https://app.fabrikam.com", value] }],
        configPath: "gateway.corsOrigins[1]",
        components: [
            {
                name: "ApiGateway",
                check: (value) => validateApiGatewayArgs(gatewayArgs({ corsOrigins: ["https://app.fabrikam.com", value as string] })),
                path: "corsOrigins[1]",
            },
        ],
    },
    {
        rule: "a backend's https URL (httpsUrlProblems)",
        cases: [
            [
                "http://erp.fabrikam.com",
                '"http://erp.fabrikam.com" is not an https URL (allowed: an https URL such as https://inventory.contoso.com/api, without query or fragment, at most 2000 characters)',
            ],
            [
                "https://erp.fabrikam.com/api?key=1",
                '"https://erp.fabrikam.com/api?key=1" is not an https URL (allowed: an https URL such as https://inventory.contoso.com/api, without query or fragment, at most 2000 characters)',
            ],
        ],
        config: (value) => [{ backends: { ledger: { url: value } } }],
        configPath: "gateway.backends.ledger.url",
        components: [
            {
                name: "GatewayCatalog",
                check: (value) => validateGatewayCatalogArgs(catalogArgs({ backends: { ledger: { url: value as string } } })),
                path: "backends.ledger.url",
            },
        ],
    },
    {
        rule: "availability zones (availabilityZoneProblems)",
        cases: [["4", '"4" is not an availability zone (allowed: "1", "2" or "3")']],
        config: (value) => [{ sku: "Premium", zones: [value] }],
        configPath: "gateway.zones[0]",
        components: [
            {
                name: "ApiGateway",
                check: (value) => validateApiGatewayArgs(gatewayArgs({ sku: "Premium", zones: [value as string] })),
                path: "zones[0]",
            },
        ],
    },
    {
        rule: "an additional region's availability zones (availabilityZoneProblems)",
        cases: [["0", '"0" is not an availability zone (allowed: "1", "2" or "3")']],
        config: (value) => [{ sku: "Premium", additionalLocations: [{ location: "swedencentral", zones: [value] }] }],
        configPath: "gateway.additionalLocations[0].zones[0]",
        components: [
            {
                name: "ApiGateway",
                check: (value) =>
                    validateApiGatewayArgs(
                        gatewayArgs({
                            sku: "Premium",
                            additionalLocations: [{ location: "swedencentral", capacity: 1, zones: [value as string] }],
                        }),
                    ),
                path: "additionalLocations[0].zones[0]",
            },
        ],
    },
    {
        rule: "the share of requests traced (samplingPercentageProblems)",
        cases: [
            [150, "150 is not a percentage (allowed: 0-100)"],
            [-1, "-1 is not a percentage (allowed: 0-100)"],
        ],
        config: (value) => [{ samplingPercentage: value }],
        configPath: "gateway.samplingPercentage",
        components: [
            {
                // The stack hands gateway.samplingPercentage to the gateway's monitoring.
                name: "ApiGateway",
                check: (value) =>
                    validateApiGatewayArgs(
                        gatewayArgs({
                            names: { service: "apim-rules", capacityAlert: "alert-rules" },
                            monitoring: { ...monitored, samplingPercentage: value as number },
                        }),
                    ),
                path: "monitoring.samplingPercentage",
            },
        ],
    },
    {
        rule: "identifier URI (identifierUriProblems)",
        cases: [
            [
                "integration",
                '"integration" is not an identifier URI (allowed: api://<name>, or an https URL on a verified domain of the tenant, at most 200 characters)',
            ],
            [
                "http://fabrikam.com/api",
                '"http://fabrikam.com/api" is not an identifier URI (allowed: api://<name>, or an https URL on a verified domain of the tenant, at most 200 characters)',
            ],
        ],
        config: (value) => [{}, { identity: { identifierUri: value } }],
        configPath: "identity.identifierUri",
        components: [
            {
                name: "Identity",
                check: (value) => validateIdentityArgs(identityArgs({ identifierUri: value as string })),
                path: "identifierUri",
            },
        ],
    },
    {
        rule: "a federated credential's issuer (issuerProblems)",
        cases: [
            [
                "http://token.actions.githubusercontent.com",
                '"http://token.actions.githubusercontent.com" is not an https URL (allowed: the https issuer URL of the external identity provider, such as https://token.actions.githubusercontent.com, at most 300 characters)',
            ],
            [
                "https://token actions",
                '"https://token actions" is not an https URL (allowed: the https issuer URL of the external identity provider, such as https://token.actions.githubusercontent.com, at most 300 characters)',
            ],
        ],
        config: (value) => [{}, { identity: { clientFederation: { issuer: value, subject: "repo:fabrikam/shipments:environment:prod" } } }],
        configPath: "identity.clientFederation.issuer",
        components: [
            {
                name: "Identity",
                check: (value) =>
                    validateIdentityArgs(
                        identityArgs({
                            clientFederation: { issuer: value as string, subject: "repo:fabrikam/shipments:environment:prod" },
                        }),
                    ),
                path: "clientFederation.issuer",
            },
        ],
    },
    {
        rule: "a backup's retention (backupRetentionProblems)",
        cases: [
            [0, "0 keeps no backup for a day (allowed: 1-30 days)"],
            [45, "45 is longer than backups live (they expire after 30 days) (allowed: 1-30 days)"],
            [2.5, "2.5 is not a whole number (allowed: 1-30 days)"],
        ],
        config: (value) => [{}, { dr: { role: "active", location: "northeurope", stack: "rules-dr", backupRetentionDays: value } }],
        configPath: "dr.backupRetentionDays",
        components: [
            {
                name: "BackupStorage",
                check: (value) =>
                    validateBackupStorageArgs({
                        resourceGroupName: "rg",
                        location: "northeurope",
                        accountName: "stbackup",
                        retentionDays: value as number,
                        workspaceId: "w",
                    }),
                path: "retentionDays",
            },
        ],
    },
];

describe("rules the stack config and the components share", () => {
    describe("the gateway's sizing: refused by the config (under gateway.) and by ApiGateway alike", () => {
        for (const [what, fields, path, message] of sizingCases) {
            it(what, () => {
                assert.deepEqual(configProblems(fields), [`gateway.${path}: ${message}`]);
                assert.deepEqual(
                    componentProblems(() => validateApiGatewayArgs(gatewayArgs(fields as Partial<ApiGatewayArgs>))),
                    [`${path}: ${message}`],
                );
            });
        }
    });

    describe("IPv4 ranges: refused by the config and by the component that takes them alike", () => {
        /** Ranges after 203.0.113.0/24, and the problem at each one's index. */
        const cases: Array<[string, string[], string]> = [
            [
                "not a range",
                ["10.0.0.300"],
                '"10.0.0.300" is not an IPv4 range (allowed: an IPv4 address or CIDR range such as 203.0.113.0/24)',
            ],
            [
                "everyone",
                ["0.0.0.0/0"],
                '"0.0.0.0/0" admits every address on the internet, which leaves the firewall open (allowed: your own public ranges, a /8 or narrower)',
            ],
            [
                "a range wider than a /8",
                ["64.0.0.0/3"],
                '"64.0.0.0/3" admits 536,870,912 addresses, which leaves the firewall open (allowed: your own public ranges, a /8 or narrower)',
            ],
            [
                "host bits set",
                ["198.51.100.77/24"],
                '"198.51.100.77/24" has host bits set; a firewall reads it as 198.51.100.0/24 (allowed: 198.51.100.0/24, or 198.51.100.77 for that one address)',
            ],
            [
                "a private range, which a public endpoint never sees",
                ["10.0.0.0/8"],
                "\"10.0.0.0/8\" is a private range (RFC 1918): the firewall of a public endpoint sees callers' public addresses, so it admits nobody from it (allowed: public addresses, such as your network's egress range)",
            ],
            [
                "a range inside the first one",
                ["203.0.113.128/25"],
                '"203.0.113.128/25" overlaps [0] "203.0.113.0/24" (allowed: ranges that do not overlap; keep the wider one)',
            ],
        ];
        const workflows = {
            resourceGroupName: "rg",
            location: "westeurope",
            definitions: {},
            workflows: {},
            gatewayIpAddresses: [],
            monitoring: { workspaceId: "w", actionGroupId: "a" },
        };
        const secrets = {
            resourceGroupName: "rg",
            location: "westeurope",
            vaultName: "kv-rules",
            tenantId: pulumi.output("t"),
            expiresOn: "2099-12-31",
        };
        for (const [what, added, message] of cases) {
            const ranges = ["203.0.113.0/24", ...added];
            it(`${what}: secrets.allowedIpRanges and Secrets allowedIpRanges, adminIpRanges and Workflows adminIpRanges`, () => {
                assert.deepEqual(configProblems({}, { secrets: { expiresOn: "2099-12-31", allowedIpRanges: ranges } }), [
                    `secrets.allowedIpRanges[1]: ${message}`,
                ]);
                assert.deepEqual(
                    componentProblems(() => validateSecretsArgs({ ...secrets, allowedIpRanges: ranges })),
                    [`allowedIpRanges[1]: ${message}`],
                );
                assert.deepEqual(configProblems({}, { adminIpRanges: ranges }), [`adminIpRanges[1]: ${message}`]);
                assert.ok(
                    componentProblems(() => checkWorkflows({ ...workflows, adminIpRanges: ranges })).includes(
                        `adminIpRanges[1]: ${message}`,
                    ),
                );
            });
        }

        it("takes public addresses and ranges that do not overlap", () => {
            const ranges = ["203.0.113.0/24", "198.51.100.7", "192.0.2.0/25", "20.0.0.0/8"];
            assert.deepEqual(
                configProblems({}, { adminIpRanges: ranges, secrets: { expiresOn: "2099-12-31", allowedIpRanges: ranges } }),
                [],
            );
        });
    });

    describe("each shared value rule (components/common/values.ts): refused by the config and by every component that takes the value alike", () => {
        for (const shared of valueRules) {
            describe(shared.rule, () => {
                for (const [value, message] of shared.cases) {
                    it(`${JSON.stringify(value)}: ${shared.configPath} and ${shared.components.map((component) => `${component.name} ${component.path}`).join(", ")}`, () => {
                        assert.deepEqual(configProblems(...shared.config(value)), [`${shared.configPath}: ${message}`]);
                        for (const component of shared.components) {
                            assert.deepEqual(
                                componentProblems(() => component.check(value)),
                                [`${component.path}: ${message}`],
                                component.name,
                            );
                        }
                    });
                }
            });
        }
    });
});
