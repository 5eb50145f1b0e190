/**
 * The Pulumi CLI's project-config rules, ported so that the offline plan stops wherever
 * `pulumi preview` would stop before the program runs. Sources (pulumi/pulumi, 3.259):
 * - `sdk/go/common/workspace/loaders.go`: how `Pulumi.yaml` and `Pulumi.<stack>.yaml` are read
 *   (byte-order mark stripped, short-hand declarations rewritten, bare stack keys namespaced with
 *   the project, `null` values warned about and read as "");
 * - `sdk/go/common/workspace/project.go`: `ValidateProject` (the JSON schema `project.json`) and
 *   `Project.Validate`, `ValidateConfigValue`, `InferFullTypeName`;
 * - `pkg/workspace/config.go`: `mergeConfig` / `ValidateStackConfigAndApplyProjectConfig` (the
 *   merge of project defaults and values into the stack's config, then the missing keys, then the
 *   secret and type checks of explicitly typed keys);
 * - `sdk/go/common/resource/config/key.go` and `object.go`: key syntax and `secure:` values.
 *
 * The messages keep the CLI's wording. The CLI stops at its first error (except the missing keys,
 * which it lists in one message); here every problem is reported. The JSON-schema messages are the
 * CLI's framing (`could not validate 'Pulumi.yaml': #/config/<key>: ...`) with a plain description
 * of the schema rule: the CLI prints its JSON-schema library's own text there.
 *
 * Pure functions over parsed YAML: reading files lives in `project.ts`.
 */

/** `items` of an array-typed key. */
export interface ConfigItemsType {
    readonly type: string;
    readonly items?: ConfigItemsType;
}

/** One `config:` entry of `Pulumi.yaml`, after the CLI's short-hand rewrite. */
export interface ConfigDeclaration {
    readonly type?: string;
    readonly items?: ConfigItemsType;
    readonly description?: string;
    readonly secret?: boolean;
    /** Present when the declaration has a non-null `default`. */
    readonly default?: unknown;
    /** Present when the declaration has a non-null `value`. */
    readonly value?: unknown;
}

export interface ProjectDeclarations {
    readonly name: string;
    /** `runtime`: its name and options (the short form `runtime: nodejs` has none). */
    readonly runtime: { readonly name: string; readonly options: Readonly<Record<string, unknown>> };
    /** `main`: where the program is, relative to the project directory. */
    readonly main?: string;
    /** Config keys as written in `Pulumi.yaml` (bare, or namespaced like `azure-native:location`). */
    readonly config: ReadonlyMap<string, ConfigDeclaration>;
    /** Problems, in the CLI's words. */
    readonly problems: readonly string[];
    /** What the CLI accepts but does not do what it seems to. */
    readonly warnings: readonly string[];
}

/** A config value as the CLI holds it: a string, or JSON text for objects and lists. */
export interface ConfigValue {
    /** What the program reads: the text of a scalar, the JSON of an object or list. */
    readonly text: string;
    /** The YAML value, for type checks (`object` values) and for the program's own rules. */
    readonly raw: unknown;
    /** `secure:` itself, or an object or list holding one. */
    readonly secure: boolean;
    /** An object or list (the CLI's "object value"). */
    readonly object: boolean;
}

export interface StackDeclarations {
    /** Namespaced key -> value. */
    readonly config: ReadonlyMap<string, ConfigValue>;
    /** Whether the file imports Pulumi ESC environments. */
    readonly environments: boolean;
    readonly problems: readonly string[];
    readonly warnings: readonly string[];
}

const simpleTypes = ["string", "integer", "boolean", "array", "object"] as const;
const declarationAttributes = ["default", "description", "items", "secret", "type", "value"];
/** The top-level keys of a stack file (`ProjectStack` in project.go); the CLI ignores any other. */
export const stackFileKeys = ["secretsprovider", "encryptedkey", "encryptionsalt", "config", "environment"] as const;

function isObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

function jsonType(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "array";
    if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
    return typeof value;
}

/** Levenshtein distance, case-insensitive (project.go `findClosestKey`). */
function distance(a: string, b: string): number {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    let previous = Array.from({ length: y.length + 1 }, (_, i) => i);
    for (let i = 1; i <= x.length; i++) {
        const current = [i];
        for (let j = 1; j <= y.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[y.length];
}

/** The attribute within distance 2 of `needle`, first alphabetically among the closest. */
export function closestKey(needle: string, haystack: readonly string[]): string | undefined {
    let match: string | undefined;
    let closest = 3;
    for (const key of [...haystack].sort()) {
        const d = distance(needle, key);
        if (d < closest) {
            closest = d;
            match = key;
        }
    }
    return match;
}

function listQuoted(keys: readonly string[]): string {
    const quoted = [...keys].sort().map((key) => `'${key}'`);
    return quoted.length > 1 ? `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}` : quoted[0];
}

/** `strconv.Atoi`: an optional sign and decimal digits, within 64 bits. */
function isGoInteger(text: string): boolean {
    if (!/^[+-]?\d+$/.test(text)) {
        return false;
    }
    const value = BigInt(text);
    return value >= -(2n ** 63n) && value < 2n ** 63n;
}

/** project.go `ValidateConfigValue`. */
export function validateConfigValue(type: string, items: ConfigItemsType | undefined, value: unknown): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            // YAML gives whole numbers; the CLI also takes strings that parse as integers.
            return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && isGoInteger(value));
        case "boolean":
            return value === "true" || value === "false" || typeof value === "boolean";
        case "object":
            return isObject(value);
        default:
            return Array.isArray(value) && items !== undefined && value.every((item) => validateConfigValue(items.type, items.items, item));
    }
}

/** project.go `InferFullTypeName`. */
export function fullTypeName(type: string, items: ConfigItemsType | undefined): string {
    return items ? `array<${fullTypeName(items.type, items.items)}>` : type;
}

/** Whether a `Pulumi.yaml` config key belongs to the project (project.go `configKeyIsNamespacedByProject`). */
export function isProjectKey(project: string, key: string): boolean {
    return !key.includes(":") || key.startsWith(`${project}:`);
}

/** The JSON-schema checks of `items` (project.json `configItemsType`). */
function itemsProblems(where: string, items: unknown): string[] {
    if (!isObject(items)) {
        return [`${where}: got ${jsonType(items)}, want object`];
    }
    const problems: string[] = [];
    if (!("type" in items)) {
        problems.push(`${where}: missing property 'type'`);
    } else if (isObject(items.type)) {
        problems.push(...itemsProblems(`${where}/type`, items.type));
    } else if (!(simpleTypes as readonly unknown[]).includes(items.type)) {
        problems.push(`${where}/type: value must be one of ${simpleTypes.map((type) => `"${type}"`).join(", ")}`);
    }
    if (items.type === "array" && !("items" in items)) {
        problems.push(`${where}: missing property 'items'`);
    }
    if ("items" in items) {
        problems.push(...itemsProblems(`${where}/items`, items.items));
    }
    return problems;
}

/**
 * Reads the `name` and `config` of a parsed `Pulumi.yaml`: the JSON-schema checks of
 * `ValidateProject`, the short-hand rewrite (`key: value` is a default for a project key and a
 * value for another namespace's), then `Project.Validate`.
 */
export function readProjectDeclarations(doc: unknown, file = "Pulumi.yaml"): ProjectDeclarations {
    const problems: string[] = [];
    const warnings: string[] = [];
    const schema = (message: string) => problems.push(`could not validate '${file}': ${message}`);
    const validate = (message: string) => problems.push(`could not unmarshal '${file}': ${message}`);
    if (!isObject(doc)) {
        schema(`expected project to be an object, was '${jsonType(doc)}'`);
        return { name: "", runtime: { name: "", options: {} }, config: new Map(), problems, warnings };
    }
    if (!("name" in doc)) {
        const closest = closestKey("name", Object.keys(doc));
        schema(closest ? `project is missing a 'name' attribute; found '${closest}' instead` : "project is missing a 'name' attribute");
    } else if (typeof doc.name !== "string" || doc.name === "") {
        schema("project is missing a non-empty string 'name' attribute");
    }
    const name = typeof doc.name === "string" ? doc.name : "";
    const runtime = isObject(doc.runtime)
        ? { name: typeof doc.runtime.name === "string" ? doc.runtime.name : "", options: isObject(doc.runtime.options) ? doc.runtime.options : {} }
        : { name: typeof doc.runtime === "string" ? doc.runtime : "", options: {} };
    const main = typeof doc.main === "string" && doc.main !== "" ? doc.main : undefined;
    const config = new Map<string, ConfigDeclaration>();
    const section = doc.config;
    if (section === undefined || section === null || typeof section === "string") {
        // A string is the old spelling of stackConfigDir.
        return { name, runtime, main, config, problems, warnings };
    }
    if (!isObject(section)) {
        schema(`#/config: got ${jsonType(section)}, want object, string or null`);
        return { name, runtime, main, config, problems, warnings };
    }
    for (const [key, entry] of Object.entries(section)) {
        const where = `#/config/${key}`;
        if (typeof entry === "string" || typeof entry === "boolean" || (typeof entry === "number" && Number.isInteger(entry)) || Array.isArray(entry)) {
            // RewriteShorthandConfigValues.
            config.set(key, isProjectKey(name, key) ? { default: entry } : { value: entry });
            continue;
        }
        if (!isObject(entry)) {
            schema(`${where}: got ${jsonType(entry)}, want a string, an integer, a boolean, an array or an object with ${listQuoted(declarationAttributes)}`);
            continue;
        }
        let valid = true;
        for (const attribute of Object.keys(entry).filter((attribute) => !declarationAttributes.includes(attribute))) {
            const closest = closestKey(attribute, declarationAttributes);
            schema(
                `${where}: additional properties '${attribute}' not allowed; ${closest ? `did you mean '${closest}'?` : `the allowed attributes are ${listQuoted(declarationAttributes)}`}`,
            );
            valid = false;
        }
        if ("type" in entry && !(simpleTypes as readonly unknown[]).includes(entry.type)) {
            schema(`${where}/type: value must be one of ${simpleTypes.map((type) => `"${type}"`).join(", ")}`);
            valid = false;
        }
        if ("items" in entry) {
            const found = itemsProblems(`${where}/items`, entry.items);
            found.forEach(schema);
            valid &&= found.length === 0;
        }
        if ("description" in entry && typeof entry.description !== "string") {
            schema(`${where}/description: got ${jsonType(entry.description)}, want string`);
            valid = false;
        }
        if ("secret" in entry && typeof entry.secret !== "boolean") {
            schema(`${where}/secret: got ${jsonType(entry.secret)}, want boolean`);
            valid = false;
        }
        if (!valid) {
            continue;
        }
        const declaration: { -readonly [K in keyof ConfigDeclaration]: ConfigDeclaration[K] } = {};
        if (typeof entry.type === "string") declaration.type = entry.type;
        if (entry.items !== undefined) declaration.items = entry.items as ConfigItemsType;
        if (typeof entry.description === "string") declaration.description = entry.description;
        if (entry.secret === true) declaration.secret = true;
        if (entry.default !== undefined && entry.default !== null) declaration.default = entry.default;
        if (entry.value !== undefined && entry.value !== null) declaration.value = entry.value;
        config.set(key, declaration);
    }

    // Project.Validate. A declaration it refuses takes no part in the stack's checks: the CLI
    // stops at the project file.
    for (const [key, declaration] of config) {
        if (declaration.secret && declaration.type === undefined && isProjectKey(name, key)) {
            warnings.push(`${file}: '${key}' is declared secret: true without a type; the CLI enforces secret only on typed keys, so a plain-text value passes it`);
        }
        const problem = declarationProblem(name, key, declaration);
        if (problem) {
            validate(problem);
            config.delete(key);
        }
    }
    return { name, runtime, main, config, problems, warnings };
}

/** `Project.Validate` for one declaration: its problem in the CLI's words, if any. */
function declarationProblem(project: string, key: string, declaration: ConfigDeclaration): string | undefined {
    const hasDefault = "default" in declaration;
    const hasValue = "value" in declaration;
    if (hasDefault && hasValue) {
        return `project config '${key}' cannot have both a 'default' and 'value' attribute`;
    }
    if (isProjectKey(project, key)) {
        if (declaration.type === "array" && !declaration.items) {
            return `The configuration key '${key}' declares an array but does not specify the underlying type via the 'items' attribute`;
        }
        if (declaration.type !== undefined && hasDefault && !validateConfigValue(declaration.type, declaration.items, declaration.default)) {
            return `The default value specified for configuration key '${key}' is not of the expected type '${fullTypeName(declaration.type, declaration.items)}'`;
        }
        return undefined;
    }
    if (declaration.type !== undefined) {
        return `Configuration key '${key}' is not namespaced by the project and should not define a type`;
    }
    if (hasDefault) {
        return `Configuration key '${key}' is not namespaced by the project and should not define a default value. Did you mean to use the 'value' attribute instead of 'default'?`;
    }
    return hasValue ? undefined : `Configuration key '${key}' is namespaced and must provide an attribute 'value'`;
}

/** key.go `ParseKey`: `<namespace>:<name>`, or the old `<namespace>:config:<name>`. */
export function parseConfigKey(key: string): { namespace: string; name: string } | undefined {
    const parts = key.split(":");
    if (parts.length === 2) {
        return { namespace: parts[0], name: parts[1] };
    }
    if (parts.length === 3 && parts[1] === "config" && parts[0] !== "" && parts[2] !== "") {
        return { namespace: parts[0], name: parts[2] };
    }
    return undefined;
}

function isSecureLeaf(value: unknown): boolean {
    return isObject(value) && Object.keys(value).length === 1 && typeof value.secure === "string";
}

function containsSecure(value: unknown): boolean {
    if (isSecureLeaf(value)) {
        return true;
    }
    return value !== null && typeof value === "object" && Object.values(value).some(containsSecure);
}

/** How the CLI turns a YAML value into a config value (object.go `MarshalString`). */
export function configValue(raw: unknown): ConfigValue {
    if (raw === null || raw === undefined) {
        return { text: "", raw: "", secure: false, object: false };
    }
    if (isSecureLeaf(raw)) {
        return { text: String((raw as { secure: string }).secure), raw, secure: true, object: false };
    }
    if (typeof raw === "object") {
        return { text: JSON.stringify(raw), raw, secure: containsSecure(raw), object: true };
    }
    return { text: String(raw), raw, secure: false, object: false };
}

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
        problems.push(`${file}: expected project to be an object, was '${jsonType(doc)}'`);
        return { config, environments: false, problems, warnings };
    }
    for (const key of Object.keys(doc).filter((key) => !(stackFileKeys as readonly string[]).includes(key))) {
        const closest = closestKey(key, stackFileKeys);
        warnings.push(`${file}: the top-level key '${key}' is not a stack setting and is ignored${closest ? `; did you mean '${closest}'?` : ` (stack files hold ${listQuoted(stackFileKeys)})`}`);
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
            problems.push(`${file}: could not parse ${full} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`);
            continue;
        }
        const canonical = `${parsed.namespace}:${parsed.name}`;
        const earlier = written.get(canonical);
        if (earlier !== undefined) {
            warnings.push(`${file}: '${earlier}' and '${key}' are the same key ${canonical}; the CLI keeps either one (remove one of them)`);
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
        config.set(canonical, configValue(raw));
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
    const text = JSON.stringify(value.object ? value.raw : value.text);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * `mergeConfig` with validation on: the project's defaults and values fill the keys the stack
 * leaves out; a project key with neither, missing from the stack, is reported (all of them in one
 * message); then each explicitly typed key is checked, sorted by key: a secret one must be
 * `secure:`, and the value must have the declared type. `secure:` values cannot be decrypted
 * offline, so their type is not checked.
 */
export function mergeStackConfig(stack: string, project: ProjectDeclarations, stackConfig: ReadonlyMap<string, ConfigValue>, stackFile = `Pulumi.${stack}.yaml`): MergedConfig {
    const values = new Map(stackConfig);
    const problems: StackConfigProblem[] = [];
    const missing: string[] = [];
    const keys = [...project.config.keys()].sort();
    const fullKey = (key: string) => (key.includes(":") ? key : `${project.name}:${key}`);
    for (const key of keys) {
        const declaration = project.config.get(key)!;
        const full = fullKey(key);
        const parsed = parseConfigKey(full);
        if (!parsed) {
            problems.push({
                message: `could not parse ${full} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`,
                allowed: "a key name without colons, or <namespace>:<name>",
            });
            continue;
        }
        const found = values.has(full);
        const hasDefault = "default" in declaration;
        const hasValue = "value" in declaration;
        if (!found && !hasDefault && !hasValue && parsed.namespace === project.name) {
            missing.push(key);
        } else if (!found && (hasDefault || hasValue)) {
            values.set(full, configValue(hasDefault ? declaration.default : declaration.value));
        }
    }
    if (missing.length > 0) {
        const keyList = missing.map(fullKey).join(", ");
        problems.push({
            message: `Stack '${stack}' is missing configuration ${missing.length > 1 ? "values" : "value"} ${listQuoted(missing)}`,
            key: missing.length === 1 ? fullKey(missing[0]) : undefined,
            allowed: `set ${keyList} in ${stackFile}, or give ${missing.length > 1 ? "them defaults" : "it a default"} in Pulumi.yaml`,
        });
    }
    for (const key of keys) {
        const declaration = project.config.get(key)!;
        const full = fullKey(key);
        const value = values.get(full);
        if (declaration.type === undefined || value === undefined) {
            continue;
        }
        if (declaration.secret && !value.secure) {
            problems.push({
                message: `Stack '${stack}' with configuration key '${key}' must be encrypted as it's secret`,
                key: full,
                allowed: `an encrypted value: remove it from ${stackFile} and run pulumi config set --secret ${key} <value> -s ${stack}`,
            });
            continue;
        }
        if (value.secure) {
            continue;
        }
        if (!validateConfigValue(declaration.type, declaration.items, value.object ? value.raw : value.text)) {
            problems.push({
                message: `Stack '${stack}' with configuration key '${key}' must be of type '${fullTypeName(declaration.type, declaration.items)}'`,
                key: full,
                allowed: `${full} is ${shown(value)}; ${typeInWords(declaration.type, declaration.items)}`,
            });
        }
    }
    return { values, problems };
}
