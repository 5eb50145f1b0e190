import { configGet, configSet, parseConfigKey, parsePropertyPath } from "./config-paths";
import { GoJsonError, goSort } from "./go-json";
import { fullTypeName, validateConfigValue, type ConfigItemsType, type ProjectDeclarations } from "./project-file";
import { projectConfigValue, type ConfigValue } from "./values";
import { closestKey, listQuoted } from "./wording";

/**
 * The stack's config as the CLI makes it before the program runs (config.go `mergeConfig`,
 * `ValidateStackConfigAndApplyProjectConfig`): the project's defaults and values merged into the
 * stack's values, then the missing keys, then the secret and type checks of typed keys.
 */

/** A refusal of the stack's config: the CLI's message, and what would satisfy it. */
export interface StackConfigProblem {
    /** The CLI's own message. */
    readonly message: string;
    /** The namespaced key it is about, when there is one. */
    readonly key?: string;
    /** What is allowed, in this project's words. */
    readonly allowed: string;
}

export interface MergedConfig {
    /** Namespaced key -> value: the stack's, then the project's defaults and values. */
    readonly values: ReadonlyMap<string, ConfigValue>;
    readonly problems: readonly StackConfigProblem[];
}

const typeWords: Readonly<Record<string, readonly [string, string]>> = {
    string: ["a string", "strings"],
    integer: ["a whole number", "whole numbers"],
    boolean: ["true or false", "booleans (true or false)"],
    object: ["a map", "maps"],
};

/** What a type asks for, in words. */
function typeInWords(type: string, items: ConfigItemsType | undefined, plural = false): string {
    if (items) {
        const inner = typeInWords(items.type, items.items, true);
        return plural ? `lists of ${inner}` : `a list of ${inner}`;
    }
    const [one, many] = typeWords[type] ?? [`a ${type}`, `${type} values`];
    return plural ? many : one;
}

function shown(value: ConfigValue): string {
    const text = value.object ? value.text : JSON.stringify(value.text);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `json.Unmarshal` into `any` (numbers as floats); text that is not JSON stays text. */
function decodedJson(text: string): unknown {
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return text;
    }
}

/** Whether a project key's name is a path into an object value (`outer.inner`). */
function isPathKey(key: string): boolean {
    const path = parsePropertyPath(key.includes(":") ? key.slice(key.lastIndexOf(":") + 1) : key);
    return typeof path !== "string" && path.length > 1;
}

const pathAllowed = 'a key name, or a path into an object value such as outer.inner, outer["a.b"] or names[0]';

/**
 * `mergeConfig` with validation on: the project's defaults and values fill the keys the stack
 * leaves out; a project key with neither, missing from the stack, is reported (all of them in one
 * message); then each explicitly typed key is checked, sorted by key: a secret one must be
 * `secure:`, and the value must have the declared type. A project key may be a path
 * (`outer.inner`): it is looked up, and its default set, inside the stack's object value
 * (map.go `Get`/`Set` with `path` true). `secure:` values cannot be decrypted offline, so their
 * type is not checked.
 */
export function mergeStackConfig(
    stack: string,
    project: ProjectDeclarations,
    stackConfig: ReadonlyMap<string, ConfigValue>,
    stackFile = `Pulumi.${stack}.yaml`,
): MergedConfig {
    const values = new Map(stackConfig);
    const problems: StackConfigProblem[] = [];
    const missing: string[] = [];
    const keys = goSort(project.config.keys());
    const fullKey = (key: string) => (key.includes(":") ? key : `${project.name}:${key}`);
    const unusable = new Set<string>();
    for (const key of keys) {
        const declaration = project.config.get(key)!;
        const full = fullKey(key);
        const parsed = key.includes(":") ? parseConfigKey(full) : { namespace: project.name, name: key };
        if (!parsed) {
            problems.push({
                message: `could not parse ${full} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`,
                allowed: "a key name without colons, or <namespace>:<name>",
            });
            unusable.add(key);
            continue;
        }
        const found = configGet(values, parsed);
        if ("error" in found) {
            problems.push({
                message: `getting stack config value for key '${parsed.namespace}:${parsed.name}': ${found.error}`,
                key: full,
                allowed: pathAllowed,
            });
            unusable.add(key);
            continue;
        }
        const hasDefault = "default" in declaration;
        const hasValue = "value" in declaration;
        if (!found.found && !hasDefault && !hasValue && parsed.namespace === project.name) {
            missing.push(key);
        } else if (!found.found && (hasDefault || hasValue)) {
            let value: ConfigValue;
            try {
                value = projectConfigValue(hasDefault ? declaration.default : declaration.value);
            } catch (error) {
                if (!(error instanceof GoJsonError)) throw error;
                problems.push({
                    message: error.message,
                    key: full,
                    allowed: `a finite number as the ${hasDefault ? "default" : "value"} of ${key} in Pulumi.yaml`,
                });
                unusable.add(key);
                continue;
            }
            const error = configSet(values, parsed, value);
            if (error) {
                problems.push({ message: error, key: full, allowed: pathAllowed });
                unusable.add(key);
            }
        }
    }
    if (missing.length > 0) {
        const keyList = missing.map(fullKey).join(", ");
        const paths = missing.filter(isPathKey);
        const pathNote =
            paths.length > 0
                ? ` (${paths.map(fullKey).join(", ")} ${paths.length > 1 ? "are members" : "is a member"} of an object value: pulumi config set --path)`
                : "";
        // The project's own addition: a key of the stack file, in the project's namespace, that the
        // project does not declare and that is within two edits of a missing one is most likely it,
        // misspelt (costCentre for costCenter).
        const prefix = `${project.name}:`;
        const undeclared = [...stackConfig.keys()]
            .filter((key) => key.startsWith(prefix) && !project.config.has(key.slice(prefix.length)) && !project.config.has(key))
            .map((key) => key.slice(prefix.length));
        const misspelt = missing
            .map((key) => [key, closestKey(key, undeclared)] as const)
            .filter((pair): pair is readonly [string, string] => pair[1] !== undefined)
            .map(([key, found]) => `; ${stackFile} sets ${prefix}${found}: did you mean ${key}?`)
            .join("");
        problems.push({
            message: `Stack '${stack}' is missing configuration ${missing.length > 1 ? "values" : "value"} ${listQuoted(missing)}`,
            key: missing.length === 1 ? fullKey(missing[0]) : undefined,
            allowed: `set ${keyList} in ${stackFile}${pathNote}, or give ${missing.length > 1 ? "them defaults" : "it a default"} in Pulumi.yaml${misspelt}`,
        });
    }
    for (const key of keys) {
        const declaration = project.config.get(key)!;
        if (declaration.type === undefined || unusable.has(key) || missing.includes(key)) {
            continue;
        }
        const full = fullKey(key);
        const parsed = key.includes(":") ? parseConfigKey(full)! : { namespace: project.name, name: key };
        const found = configGet(values, parsed);
        // A key the stack does not hold reads as "" (the zero config.Value).
        const value = "error" in found ? undefined : (found.value ?? { text: "", raw: "", secure: false, object: false });
        if (value === undefined) {
            continue;
        }
        if (declaration.secret && !value.secure) {
            problems.push({
                message: `Stack '${stack}' with configuration key '${key}' must be encrypted as it's secret`,
                key: full,
                allowed: `an encrypted value: remove it from ${stackFile} and run pulumi config set --secret ${isPathKey(key) ? "--path " : ""}${key} <value> -s ${stack}`,
            });
            continue;
        }
        if (value.secure) {
            continue;
        }
        // validateStackConfigValue: an object value is its JSON decoded (numbers as floats), any other its text.
        if (!validateConfigValue(declaration.type, declaration.items, value.object ? decodedJson(value.text) : value.text)) {
            problems.push({
                message: `Stack '${stack}' with configuration key '${key}' must be of type '${fullTypeName(declaration.type, declaration.items)}'`,
                key: full,
                allowed: `${full} is ${shown(value)}; ${typeInWords(declaration.type, declaration.items)}`,
            });
        }
    }
    return { values, problems };
}
