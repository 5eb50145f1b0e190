import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { secretMarker } from "../../components/common/names";
import { formatPath, schemaIssueMessage } from "../../components/common/rules";
import { costSchema } from "./cost-schema";
import { configNamespace, rootSchema, rootShape, type ParsedConfig } from "./schema";

/**
 * The typed, validated configuration of one stack.
 *
 * `Pulumi.<stack>.yaml` -> {@link parseStackConfig} -> `StackConfig` -> stack assembly. Every key
 * lives in the `enterprise-integration:` namespace; the README's config reference lists them all.
 */

export { standardTagNames } from "./schema";

/** The validated configuration of a stack, with every default applied. */
export interface StackConfig extends ParsedConfig {
    /** The Pulumi stack name (`pulumi stack ls`). */
    readonly stack: string;
}

/**
 * Bad configuration. The message lists every problem, one per line, and Pulumi prints a
 * `RunError` without a stack trace.
 */
export class ConfigError extends pulumi.RunError {
    constructor(
        readonly stackName: string,
        readonly problems: readonly string[],
    ) {
        super(
            [
                `Invalid configuration for stack "${stackName}" (${problems.length} ${problems.length === 1 ? "problem" : "problems"}):`,
                ...problems.map((line) => `  - ${line}`),
                `Fix the keys in Pulumi.${stackName}.yaml (or with \`pulumi config set --path\`); docs/config-reference.md lists every key.`,
            ].join("\n"),
        );
        this.name = "ConfigError";
    }
}

function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
    const lines: string[] = [];
    for (const issue of issues) {
        if (issue.code === "unrecognized_keys") {
            for (const key of issue.keys) {
                lines.push(`${formatPath([...issue.path, key])}: ${issue.message}`);
            }
        } else {
            lines.push(`${formatPath(issue.path) || "(stack)"}: ${schemaIssueMessage(issue)}`);
        }
    }
    return lines;
}

/**
 * Validates raw configuration values (the keys of the `enterprise-integration:` namespace, without
 * the namespace, holding parsed YAML values) and returns the typed config, or throws one
 * {@link ConfigError} that lists every problem.
 */
export function parseStackConfig(stack: string, raw: Record<string, unknown>, secretKeys: readonly string[] = []): StackConfig {
    const result = rootSchema.safeParse(raw);
    const problems = result.success ? [] : formatIssues(result.error.issues);
    for (const key of mustBeSecret) {
        // Its default, an empty map, holds nothing to hide.
        const value = raw[key];
        const empty = value === undefined || (value !== null && typeof value === "object" && Object.keys(value).length === 0);
        for (const leaf of empty || !secretKeys.includes(key) ? [] : plainLeavesBesideSecrets(value)) {
            problems.push(
                `${formatPath([key, ...leaf])}: is stored in plain text beside encrypted entries (allowed: an encrypted value: \`pulumi config set --secret --path '${formatPath([key, ...leaf])}' <value>\`)`,
            );
        }
        if (!empty && !secretKeys.includes(key)) {
            problems.push(
                `${key}: is stored in plain text, and it holds secrets (allowed: an encrypted value; remove it with \`pulumi config rm ${key}\` and set each entry with \`pulumi config set --secret --path '${secretPaths[key]}' <value>\`)`,
            );
        }
    }
    if (!result.success || problems.length > 0) {
        throw new ConfigError(stack, problems);
    }
    return { ...result.data, stack };
}

/**
 * The entries of a secret map written in plain text beside encrypted ones (`sql: {password:
 * Pa55word}` next to `carrier: {api_key: {secure: ...}}`), as paths. The Pulumi CLI marks the
 * whole key secret when any entry is encrypted, so only the values tell: where the stack file is
 * read without its key (the offline plan), the encrypted entries read as {@link secretMarker} and
 * the plain ones as themselves. Decrypted values (under `pulumi up`) carry no marker, and nothing
 * is reported then: the plan of every pull request has already refused them.
 */
function plainLeavesBesideSecrets(value: unknown): Array<Array<string | number>> {
    const leaves: Array<{ path: Array<string | number>; secret: boolean }> = [];
    const visit = (node: unknown, at: Array<string | number>) => {
        if (node !== null && typeof node === "object") {
            for (const [key, inner] of Object.entries(node)) {
                visit(inner, [...at, Array.isArray(node) ? Number(key) : key]);
            }
        } else {
            leaves.push({ path: at, secret: node === secretMarker });
        }
    };
    visit(value, []);
    return leaves.some((leaf) => leaf.secret) ? leaves.filter((leaf) => !leaf.secret).map((leaf) => leaf.path) : [];
}

const costKey = z.object({ cost: costSchema.prefault({}) });

/**
 * The `cost` key's monthly volumes, checked strictly: the program takes the defaults for a `cost`
 * it cannot read (it deploys nothing from it), the cost estimate refuses one, naming the field.
 */
export function costVolumesFrom(stack: string, all: Record<string, string>): StackConfig["cost"] {
    const result = costKey.safeParse({ cost: rawConfigFromPulumi(all).cost });
    if (!result.success) {
        throw new ConfigError(stack, formatIssues(result.error.issues));
    }
    return result.data.cost;
}

/** Keys whose values are secrets: they must be set with `pulumi config set --secret`. */
export const mustBeSecret = ["backendApiKeys", "connectionSecrets"] as const;

/** How each secret key's entries are set, for messages. */
const secretPaths: Record<(typeof mustBeSecret)[number], string> = {
    backendApiKeys: "backendApiKeys.<api>",
    connectionSecrets: "connectionSecrets.<connection>.<parameter>",
};

/** The project's keys among Pulumi's secret config keys (`enterprise-integration:backendApiKeys` -> `backendApiKeys`). */
export function projectSecretKeys(keys: readonly string[]): string[] {
    const prefix = `${configNamespace}:`;
    return keys.filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length));
}

/** Keys whose values Pulumi hands over as JSON text (objects, lists), not as plain strings. */
const structuredKeys = new Set([
    "tags",
    "gateway",
    "dr",
    "dns",
    "monitoring",
    "identity",
    "secrets",
    "workflows",
    "adminIpRanges",
    "backendApiKeys",
    "connections",
    "connectionSecrets",
    "cost",
    "load",
]);

/**
 * Turns Pulumi's flat config map (`"enterprise-integration:gateway" -> '{"sku":"Premium"}'`) into
 * raw values for {@link parseStackConfig}. Keys of other namespaces (`azure-native:location`) are
 * left to their providers.
 */
export function rawConfigFromPulumi(all: Record<string, string>): Record<string, unknown> {
    const raw: Record<string, unknown> = {};
    const prefix = `${configNamespace}:`;
    for (const [fullKey, value] of Object.entries(all)) {
        if (!fullKey.startsWith(prefix)) {
            continue;
        }
        const key = fullKey.slice(prefix.length);
        raw[key] = structuredKeys.has(key) ? parseJson(value) : value;
    }
    return raw;
}

function parseJson(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

/**
 * A stack's configuration from Pulumi's flat map (namespaced keys to text) and the keys that were
 * set with `--secret`: how the program reads it, and how every tool reads it (the plan's policy
 * facts, the cost estimate, the checks across stack files), so that all of them accept and refuse
 * the same files.
 */
export function stackConfigFrom(stack: string, all: Record<string, string>, secretKeys: readonly string[]): StackConfig {
    return parseStackConfig(stack, rawConfigFromPulumi(all), projectSecretKeys(secretKeys));
}

/** Reads and validates the running stack's configuration. */
export function loadStackConfig(): StackConfig {
    const all = pulumi.runtime.allConfig();
    // Pulumi knows which keys were set with --secret; the runtime keeps that list to itself.
    const isSecret = (pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean }).isConfigSecret;
    return stackConfigFrom(
        pulumi.getStack(),
        all,
        Object.keys(all).filter((key) => isSecret?.(key) ?? false),
    );
}

/** Every top-level key the schema accepts; `Pulumi.yaml` must declare exactly these. */
export const configKeys: readonly string[] = Object.keys(rootShape);
