import { goTypeName, isObject, jsonType } from "./go";
import { GoJsonError } from "./go-json";
import { parseConfigKey } from "./config-paths";
import { configValue, type ConfigValue } from "./values";
import { closestKey, listQuoted } from "./wording";

/**
 * `Pulumi.<stack>.yaml` as `LoadProjectStackBytes` reads it (loaders.go): bare keys put in the
 * project's namespace, `null` values read as "" with the CLI's warning, each value made a config
 * value.
 */

export interface StackDeclarations {
    /** Namespaced key -> value. */
    readonly config: ReadonlyMap<string, ConfigValue>;
    /** Whether the file imports Pulumi ESC environments. */
    readonly environments: boolean;
    readonly problems: readonly string[];
    readonly warnings: readonly string[];
}

/** The top-level keys of a stack file (`ProjectStack` in project.go); the CLI ignores any other. */
export const stackFileKeys = ["secretsprovider", "encryptedkey", "encryptionsalt", "config", "environment"] as const;

/**
 * Reads a parsed stack file the way `LoadProjectStackBytes` does: bare config keys are put in the
 * project's namespace, `null` values become "" with the CLI's warning. Warns, as the CLI does not,
 * about top-level keys it ignores, config keys of a namespace the project never reads, and ESC
 * environments, which only the CLI can open.
 */
export function readStackDeclarations(doc: unknown, project: string, file: string, knownNamespaces: readonly string[]): StackDeclarations {
    const problems: string[] = [];
    const warnings: string[] = [];
    const config = new Map<string, ConfigValue>();
    if (doc === null || doc === undefined) {
        return { config, environments: false, problems, warnings };
    }
    if (!isObject(doc)) {
        problems.push(`${file}: expected project to be an object, was '${goTypeName(doc)}'`);
        return { config, environments: false, problems, warnings };
    }
    for (const key of Object.keys(doc).filter((key) => !(stackFileKeys as readonly string[]).includes(key))) {
        const closest = closestKey(key, stackFileKeys);
        warnings.push(
            `${file}: the top-level key '${key}' is not a stack setting and is ignored${closest ? `; did you mean '${closest}'?` : ` (stack files hold ${listQuoted(stackFileKeys)})`}`,
        );
    }
    const environments = doc.environment !== undefined && doc.environment !== null;
    if (environments) {
        warnings.push(
            `${file}: imports Pulumi ESC environments (environment:), which only the Pulumi CLI can open; this plan uses the values the file itself holds, so keys the environments set are missing here`,
        );
    }
    const section = doc.config;
    if (section === undefined || section === null) {
        return { config, environments, problems, warnings };
    }
    if (!isObject(section)) {
        problems.push(`${file}: config must be a map of keys to values, not ${jsonType(section)}`);
        return { config, environments, problems, warnings };
    }
    const empty: string[] = [];
    const written = new Map<string, string>();
    for (const [key, raw] of Object.entries(section)) {
        // stackConfigNamespacedWithProject.
        const full = key.includes(":") ? key : `${project}:${key}`;
        const parsed = parseConfigKey(full);
        if (!parsed) {
            problems.push(
                `${file}: could not parse ${full} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`,
            );
            continue;
        }
        const canonical = `${parsed.namespace}:${parsed.name}`;
        const earlier = written.get(canonical);
        if (earlier !== undefined) {
            warnings.push(
                `${file}: '${earlier}' and '${key}' are the same key ${canonical}; the CLI keeps either one (remove one of them)`,
            );
        }
        written.set(canonical, key);
        if (raw === null) {
            empty.push(key);
        }
        if (parsed.namespace !== project && !knownNamespaces.includes(parsed.namespace)) {
            warnings.push(
                `${file}: '${key}' is in the namespace of another project or package, '${parsed.namespace}'; this program never reads it (the keys here are ${project}:<key>, or a provider's such as ${knownNamespaces.filter((namespace) => namespace !== "pulumi")[0] ?? "azure-native"}:<key>)`,
            );
        }
        try {
            config.set(canonical, configValue(raw));
        } catch (error) {
            if (!(error instanceof GoJsonError)) throw error;
            problems.push(
                `${file}: invalid YAML file: ${error.message} (${canonical} holds a float that is not a number; allowed: a finite number, or a string in quotes)`,
            );
        }
    }
    if (empty.length > 0) {
        // checkForEmptyConfig, in the CLI's words.
        const keys = empty.map((key) => `"${key}"`);
        const suffix = keys.length > 1 ? "s" : "";
        const listed = keys.length === 2 ? keys.join(" and ") : keys.join(", ");
        warnings.push(
            `${file}: No value for configuration key${suffix} ${listed}. This is currently treated as an empty string \`""\`, but will be treated as \`null\` in a future version of pulumi. Set the value${suffix} to \`""\` to avoid this warning.`,
        );
    }
    return { config, environments, problems, warnings };
}
