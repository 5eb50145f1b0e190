import type { Output } from "@pulumi/pulumi";
import { region } from "./regions";

/**
 * Azure resource names: `<abbreviation>-<workload>-<stack>[-<purpose>]-<region>[-<suffix>]`, with
 * the abbreviations of the Cloud Adoption Framework, cut to each type's length and character
 * rules. Names that must be unique across Azure (they become DNS names) end in the stack's random
 * suffix. Everything here is a pure function of its inputs, so the names a stack gets never drift.
 */

interface NamingRule {
    /** Cloud Adoption Framework abbreviation, first segment of the name. */
    readonly abbreviation: string;
    readonly minLength: number;
    readonly maxLength: number;
    /** Storage accounts allow no separator at all. */
    readonly separator: "-" | "";
    /** The whole name must match this (the type's documented character rules). */
    readonly pattern: RegExp;
    /** The name is a DNS label under an Azure-wide domain, so it needs the random suffix. */
    readonly globallyUnique: boolean;
}

/** Length of the random suffix that makes globally unique names unique. */
export const nameSuffixLength = 5;

const rules = {
    /** Microsoft.Resources/resourceGroups: 1-90, letters, digits, `-_.()`, not ending in `.`. */
    resourceGroup: {
        abbreviation: "rg",
        minLength: 1,
        maxLength: 90,
        separator: "-",
        pattern: /^[-\w.()]*[-\w()]$/,
        globallyUnique: false,
    },
    /** Microsoft.ApiManagement/service: 1-50, letters, digits, hyphens, starts with a letter; `<name>.azure-api.net`. */
    apiManagement: {
        abbreviation: "apim",
        minLength: 1,
        maxLength: 50,
        separator: "-",
        pattern: /^[a-zA-Z](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/,
        globallyUnique: true,
    },
    /** Microsoft.KeyVault/vaults: 3-24, letters, digits, single hyphens, starts with a letter; `<name>.vault.azure.net`. */
    keyVault: {
        abbreviation: "kv",
        minLength: 3,
        maxLength: 24,
        separator: "-",
        pattern: /^[a-zA-Z](?!.*--)[a-zA-Z0-9-]*[a-zA-Z0-9]$/,
        globallyUnique: true,
    },
    /** Microsoft.Storage/storageAccounts: 3-24 lower-case letters and digits; `<name>.blob.core.windows.net`. */
    storageAccount: { abbreviation: "st", minLength: 3, maxLength: 24, separator: "", pattern: /^[a-z0-9]+$/, globallyUnique: true },
    /** Microsoft.Logic/workflows: 1-43, letters, digits, `-_.()`. */
    workflow: { abbreviation: "logic", minLength: 1, maxLength: 43, separator: "-", pattern: /^[-\w.()]+$/, globallyUnique: false },
    /** Microsoft.ManagedIdentity/userAssignedIdentities: 3-128, letters, digits, `-_`, starts with a letter or digit. */
    userAssignedIdentity: {
        abbreviation: "id",
        minLength: 3,
        maxLength: 128,
        separator: "-",
        pattern: /^[a-zA-Z0-9][-\w]*$/,
        globallyUnique: false,
    },
    /** Microsoft.OperationalInsights/workspaces: 4-63, letters, digits, hyphens, starts and ends with a letter or digit. */
    logAnalyticsWorkspace: {
        abbreviation: "log",
        minLength: 4,
        maxLength: 63,
        separator: "-",
        pattern: /^[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]$/,
        globallyUnique: false,
    },
    /** Microsoft.Insights/components: 1-260, no `%&\?/`, not ending in a space or `.`. */
    applicationInsights: {
        abbreviation: "appi",
        minLength: 1,
        maxLength: 260,
        separator: "-",
        pattern: /^[^%&\\?/]*[^%&\\?/ .]$/,
        globallyUnique: false,
    },
    /** Microsoft.Insights/actionGroups: 1-260, no `:<>+/&%\?|` or control characters. */
    actionGroup: { abbreviation: "ag", minLength: 1, maxLength: 260, separator: "-", pattern: /^[^:<>+/&%\\?|]+$/, globallyUnique: false },
    /** Microsoft.Insights/metricAlerts: 1-260, no `*#&+:<>?@%{}\/`. */
    metricAlert: {
        abbreviation: "alert",
        minLength: 1,
        maxLength: 260,
        separator: "-",
        pattern: /^[^*#&+:<>?@%{}\\/]+$/,
        globallyUnique: false,
    },
    /** Microsoft.Insights/autoscalesettings: 1-260, no `<>%&#.,?+*:\/`. */
    autoscaleSetting: {
        abbreviation: "as",
        minLength: 1,
        maxLength: 260,
        separator: "-",
        pattern: /^[^<>%&#.,?+*:\\/]+$/,
        globallyUnique: false,
    },
    /** Microsoft.LoadTestService/loadTests: 1-64, letters, digits, hyphens, underscores, starting with a letter or digit. */
    loadTest: {
        abbreviation: "lt",
        minLength: 1,
        maxLength: 64,
        separator: "-",
        pattern: /^[A-Za-z0-9][A-Za-z0-9_-]*$/,
        globallyUnique: false,
    },
} satisfies Record<string, NamingRule>;

/** Every kind of resource the naming module names. */
export type ResourceKind = keyof typeof rules;
export const resourceKinds = Object.keys(rules) as ResourceKind[];

/** The naming rule of a kind, for tests and documentation. */
export function namingRule(kind: ResourceKind): NamingRule {
    return rules[kind];
}

/** What a name is made of. */
export interface NameParts {
    /** Workload label from config, e.g. `integration`. */
    readonly workload: string;
    /** Pulumi stack name, e.g. `prod-dr`. */
    readonly stack: string;
    /** Azure region the resource lives in, e.g. `westeurope`. */
    readonly location: string;
    /** What the resource is for, when a stack has several of a kind, e.g. `gateway`. */
    readonly purpose?: string;
    /** The stack's random suffix; required for globally unique kinds. */
    readonly suffix?: string;
}

function sanitize(segment: string, separator: "-" | ""): string {
    const lower = segment.toLowerCase();
    if (separator === "") {
        return lower.replace(/[^a-z0-9]/g, "");
    }
    return lower
        .replace(/[^a-z0-9-]/g, "-")
        .replace(/-+/g, "-")
        .replace(/^-|-$/g, "");
}

/**
 * The name of a resource of `kind`. Long workload, purpose and stack segments are shortened until
 * the name fits; the abbreviation, region and suffix are never cut.
 */
export function resourceName(kind: ResourceKind, parts: NameParts): string {
    const rule: NamingRule = rules[kind];
    if (rule.globallyUnique && !parts.suffix) {
        throw new Error(`A ${kind} name must be unique across Azure: pass the stack's random suffix`);
    }
    const fixedHead = rule.abbreviation;
    const shrinkable = [parts.workload, parts.stack, parts.purpose ?? ""].map((segment) => sanitize(segment, rule.separator));
    const fixedTail = [region(parts.location).short, parts.suffix ?? ""].map((segment) => sanitize(segment, rule.separator));
    const compose = () => [fixedHead, ...shrinkable, ...fixedTail].filter((segment) => segment.length > 0).join(rule.separator);

    // Cut the workload first, then the purpose, then the stack (which tells environments apart),
    // each down to three characters; past that, whichever is longest.
    const cutOrder = [0, 2, 1];
    let name = compose();
    while (name.length > rule.maxLength) {
        const longest = shrinkable.reduce((best, segment, i) => (segment.length > shrinkable[best].length ? i : best), 0);
        const next = cutOrder.find((i) => shrinkable[i].length > 3) ?? (shrinkable[longest].length > 1 ? longest : undefined);
        if (next === undefined) {
            break;
        }
        shrinkable[next] = shrinkable[next].slice(0, -1).replace(/-$/, "");
        name = compose();
    }
    if (name.length < rule.minLength || name.length > rule.maxLength || !rule.pattern.test(name)) {
        throw new Error(
            `Cannot make a valid ${kind} name from ${JSON.stringify(parts)}: "${name}" breaks the ${rule.minLength}-${rule.maxLength} character rule of the type`,
        );
    }
    return name;
}

/** Names every resource of one stack from its workload, stack name and primary region. */
export class Namer {
    constructor(
        private readonly workload: string,
        private readonly stack: string,
        private readonly location: string,
    ) {}

    /** The name of a resource of `kind`; `location` defaults to the stack's primary region. */
    name(kind: ResourceKind, options: { purpose?: string; location?: string; suffix?: string } = {}): string {
        return resourceName(kind, {
            workload: this.workload,
            stack: this.stack,
            location: options.location ?? this.location,
            purpose: options.purpose,
            suffix: options.suffix,
        });
    }
}

/** The kinds whose names must be unique across Azure, so they end in the stack's random suffix. */
export type GlobalResourceKind = Extract<ResourceKind, "apiManagement" | "keyVault" | "storageAccount">;

/** The name of a globally unique resource, once the stack's random suffix is known; `location` defaults to the primary region. */
export type GlobalNamer = (kind: GlobalResourceKind, options?: { purpose?: string; location?: string }) => Output<string>;

/** Names the globally unique resources of the stack that `namer` names, with its random `suffix`. */
export function globalNamer(namer: Namer, suffix: Output<string>): GlobalNamer {
    return (kind, options = {}) => suffix.apply((value) => namer.name(kind, { ...options, suffix: value }));
}

/**
 * `<workload>-<stack>`, such as `integration-prod`: how the stack is told apart in names Azure
 * leaves free (Entra ID display names, custom role names, the default identifier URI).
 */
export function stackLabel(workload: string, stack: string): string {
    return `${workload}-${stack}`;
}

/** `api://<workload>-<stack>`: the API application's identifier URI when the config gives none. */
export function defaultIdentifierUri(workload: string, stack: string): string {
    return `api://${stackLabel(workload, stack)}`;
}

/**
 * `<workload>-<stack> API Management <job>`: the custom role a scheduled job (`backup`,
 * `restore`) is granted on the service. Role names are unique in the tenant: one per stack and job.
 */
export function jobRoleName(workload: string, stack: string, job: string): string {
    return `${stackLabel(workload, stack)} API Management ${job}`;
}

/** `<workflow>-failed`: the purpose segment of the alert on a workflow's failed runs. */
export function failedRunsAlertPurpose(workflow: string): string {
    return `${workflow}-failed`;
}

/*
 * Keys of role assignments: each names its Pulumi resource (`<grants>-<key>`) and its description,
 * so a key that changes replaces the assignment.
 */

/** `operators-read-<lifecycle>`: the operators group's Reader assignment on a resource group. */
export function operatorsReadGrant(lifecycle: string): string {
    return `operators-read-${lifecycle}`;
}

/** `gateway-reads-<secret>`: the gateway's Key Vault Secrets User assignment on one secret. */
/** The grant that lets the Load Testing resource read one of its test's secrets. */
export function loadTestReadsSecretGrant(secretName: string): string {
    return `load-test-reads-${secretName}`;
}

export function gatewayReadsSecretGrant(secretName: string): string {
    return `gateway-reads-${secretName}`;
}

/** `gateway-reads-<host>-certificate`: the gateway identity's Key Vault Secrets User assignment on a custom host's certificate. */
export function gatewayReadsCertificateGrant(host: string): string {
    return `gateway-reads-${host}-certificate`;
}

/** `<workflow>-<container>`: a workflow's Storage Blob Data Contributor assignment on one container. */
export function containerWriterGrant(workflow: string, container: string): string {
    return `${workflow}-${container}`;
}
