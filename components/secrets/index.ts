import * as pulumi from "@pulumi/pulumi";
import { ArgumentsError, ipv4RangeProblems, problemLines } from "../common/rules";
import { dateProblems } from "../common/values";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as monitor from "@pulumi/azure-native/monitor";
import * as random from "@pulumi/random";

/**
 * Key Vault: one vault per stack holding every secret of the platform. RBAC authorization (no access
 * policies), soft delete with purge protection and 90 days' retention, a firewall that denies by
 * default (trusted Azure services such as API Management and the deploying agent's ranges pass),
 * and audit logs to Log Analytics. Secrets the project owns are generated here; secrets a user
 * brings arrive as Pulumi secrets. Both get a content type and an expiry.
 */

/** A secret the project generates: a random value of this length (letters, digits, symbols). */
export interface GeneratedSecret {
    /** Characters, 16-128. Required. */
    generate: { length: number };
    /** MIME type or short description shown in the vault. Required. */
    contentType: string;
}

/** A secret the user brings, from `pulumi config set --secret`. */
export interface SuppliedSecret {
    /** The value; a secret Output. Required. */
    value: pulumi.Input<string>;
    /** MIME type or short description shown in the vault. Required. */
    contentType: string;
}

export type SecretEntry = GeneratedSecret | SuppliedSecret;

export interface SecretsArgs {
    /** Resource group (the stack's shared one). Required. */
    resourceGroupName: pulumi.Input<string>;
    /** Region: the stack's primary region. Required. */
    location: pulumi.Input<string>;
    /** Azure name of the vault, 3-24 characters, globally unique. Required. */
    vaultName: pulumi.Input<string>;
    /** The Entra ID tenant that authorizes access. Required. */
    tenantId: pulumi.Input<string>;
    /** IPv4 addresses or CIDR ranges allowed through the firewall (the deploying agents). Default: none. */
    allowedIpRanges?: string[];
    /** ARM id of the Log Analytics workspace for the audit logs. Default: no diagnostic setting. */
    workspaceId?: pulumi.Input<string>;
    /** The secrets to store, keyed by their name in the vault. Default: none. */
    secrets?: Record<string, SecretEntry>;
    /** Expiry of every secret, a calendar date such as 2027-06-30 (YYYY-MM-DD); rotate before it. Required. */
    expiresOn: string;
    /** Protect the vault and its secrets from deletion. Default: false. */
    protect?: boolean;
    /** Tags on the vault. Default: none. */
    tags?: Record<string, string>;
}

/** Days deleted vaults and secrets are kept, the most Key Vault allows. */
export const softDeleteRetentionDays = 90;

const secretName = /^[A-Za-z0-9-]{1,127}$/;

/** Seconds since 1970 at the end of the given ISO date (UTC), as Key Vault's `expires` wants. */
export function expiryEpoch(date: string): number {
    return Math.floor(Date.parse(`${date}T23:59:59Z`) / 1000);
}

/** Checks {@link SecretsArgs}; throws one error naming each field, its value and what is allowed. */
export function validateSecretsArgs(args: SecretsArgs): void {
    const problems: string[] = problemLines(ipv4RangeProblems(args.allowedIpRanges ?? []), ["allowedIpRanges"]);
    problems.push(...secretProblems(args.secrets ?? {}, args.expiresOn));
    if (problems.length > 0) {
        throw new ArgumentsError("Secrets", problems);
    }
}

/** The problems of secret entries and their expiry, for both components that store secrets. */
function secretProblems(secrets: Record<string, SecretEntry>, expiresOn: string): string[] {
    const problems: string[] = [];
    for (const [name, entry] of Object.entries(secrets)) {
        if (!secretName.test(name)) {
            problems.push(`secrets: "${name}" is not a Key Vault secret name (allowed: 1-127 letters, digits and hyphens)`);
        }
        if (
            "generate" in entry &&
            (!Number.isInteger(entry.generate.length) || entry.generate.length < 16 || entry.generate.length > 128)
        ) {
            problems.push(`secrets.${name}.generate.length: ${entry.generate.length} is out of range (allowed: 16-128)`);
        }
    }
    problems.push(...problemLines(dateProblems(expiresOn), ["expiresOn"]));
    return problems;
}

/** Stores each secret (generating the project's own) with its content type and expiry. */
function storeSecrets(
    parent: pulumi.Resource,
    name: string,
    args: {
        resourceGroupName: pulumi.Input<string>;
        vaultName: pulumi.Input<string>;
        secrets: Record<string, SecretEntry>;
        expiresOn: string;
        protect: boolean;
        tags?: Record<string, string>;
    },
) {
    const expires = expiryEpoch(args.expiresOn);
    const ids: Record<string, pulumi.Output<string>> = {};
    const values: Record<string, pulumi.Output<string>> = {};
    for (const [secretName, entry] of Object.entries(args.secrets).sort(([a], [b]) => a.localeCompare(b))) {
        const value =
            "generate" in entry
                ? new random.RandomPassword(
                      `${name}-value-${secretName}`,
                      { length: entry.generate.length, special: true, overrideSpecial: "-_.~!*" },
                      { parent, protect: args.protect },
                  ).result
                : pulumi.secret(entry.value);
        const secret = new keyvault.Secret(
            `${name}-secret-${secretName}`,
            {
                resourceGroupName: args.resourceGroupName,
                vaultName: args.vaultName,
                secretName,
                properties: { value: pulumi.secret(value), contentType: entry.contentType, attributes: { enabled: true, expires } },
                tags: args.tags,
            },
            { parent, protect: args.protect },
        );
        ids[secretName] = secret.properties.apply((properties) => properties.secretUri);
        values[secretName] = pulumi.secret(value);
    }
    return { ids, values };
}

export class Secrets extends pulumi.ComponentResource {
    /** ARM id of the vault: the scope of role assignments on it. */
    readonly vaultId: pulumi.Output<string>;
    /** The vault's name. */
    readonly vaultName: pulumi.Output<string>;
    /** `https://<vault>.vault.azure.net/`. */
    readonly vaultUri: pulumi.Output<string>;
    /** Versionless secret ids (`https://<vault>.vault.azure.net/secrets/<name>`), keyed by name. */
    readonly secretIds: Record<string, pulumi.Output<string>>;
    /** Secret values, keyed by name, for deploy-time secure parameters; every one a secret Output. */
    readonly secretValues: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: SecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        validateSecretsArgs(args);
        super("enterprise-integration:secrets:Secrets", name, {}, opts);
        const protect = args.protect ?? false;

        const vault = new keyvault.Vault(
            `${name}-vault`,
            {
                resourceGroupName: args.resourceGroupName,
                vaultName: args.vaultName,
                location: args.location,
                properties: {
                    tenantId: args.tenantId,
                    sku: { family: keyvault.SkuFamily.A, name: keyvault.SkuName.Standard },
                    enableRbacAuthorization: true,
                    enableSoftDelete: true,
                    softDeleteRetentionInDays: softDeleteRetentionDays,
                    enablePurgeProtection: true,
                    enabledForDeployment: false,
                    enabledForDiskEncryption: false,
                    enabledForTemplateDeployment: false,
                    publicNetworkAccess: "Enabled",
                    networkAcls: {
                        defaultAction: keyvault.NetworkRuleAction.Deny,
                        bypass: keyvault.NetworkRuleBypassOptions.AzureServices,
                        ipRules: (args.allowedIpRanges ?? []).map((value) => ({ value })),
                    },
                },
                tags: args.tags,
            },
            { parent: this, protect },
        );
        this.vaultId = vault.id;
        this.vaultName = vault.name;
        this.vaultUri = vault.properties.apply((properties) => properties.vaultUri ?? "");

        if (args.workspaceId !== undefined) {
            new monitor.DiagnosticSetting(
                `${name}-audit`,
                {
                    name: "audit-to-log-analytics",
                    resourceUri: vault.id,
                    workspaceId: args.workspaceId,
                    logAnalyticsDestinationType: "Dedicated",
                    logs: [{ categoryGroup: "audit", enabled: true }],
                    metrics: [{ category: "AllMetrics", enabled: true }],
                },
                { parent: this },
            );
        }

        const stored = storeSecrets(this, name, {
            resourceGroupName: args.resourceGroupName,
            vaultName: vault.name,
            secrets: args.secrets ?? {},
            expiresOn: args.expiresOn,
            protect,
            tags: args.tags,
        });
        this.secretIds = stored.ids;
        this.secretValues = stored.values;

        this.registerOutputs({ vaultId: this.vaultId, vaultName: this.vaultName, vaultUri: this.vaultUri, secretIds: this.secretIds });
    }
}

export interface VaultSecretsArgs {
    /** Resource group of the vault. Required. */
    resourceGroupName: pulumi.Input<string>;
    /** Name of the vault (the {@link Secrets} component's). Required. */
    vaultName: pulumi.Input<string>;
    /** The secrets, keyed by name in the vault. Required. */
    secrets: Record<string, SecretEntry>;
    /** Expiry of every secret, an ISO date. Required. */
    expiresOn: string;
    /** Protect the secrets from deletion. Default: false. */
    protect?: boolean;
    /** Tags on the secrets. Default: none. */
    tags?: Record<string, string>;
}

/**
 * Secrets added to the stack's vault by what is created after it: a workflow trigger's signature,
 * a connector's storage key. Same rules as {@link Secrets}: content type, expiry, values secret.
 */
export class VaultSecrets extends pulumi.ComponentResource {
    /** Versionless secret ids, keyed by name. */
    readonly secretIds: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: VaultSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems = secretProblems(args.secrets, args.expiresOn);
        if (problems.length > 0) {
            throw new ArgumentsError("VaultSecrets", problems);
        }
        super("enterprise-integration:secrets:VaultSecrets", name, {}, opts);
        this.secretIds = storeSecrets(this, name, { ...args, protect: args.protect ?? false }).ids;
        this.registerOutputs({ secretIds: this.secretIds });
    }
}
