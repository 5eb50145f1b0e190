import { GoTime, goTypeName, isGoInt, isGoInteger, isGoUint64, isObject, jsonType } from "./go";
import { projectFileKeys, projectNameProblem, projectSchemaProblems, runtimeOptionProblems, schemaJsonType } from "./project-schema";
import { closestKey, listQuoted } from "./wording";

/**
 * `Pulumi.yaml` as `LoadProjectBytes` reads it (loaders.go, project.go): its config declarations
 * after the short-hand rewrite, `Project.Validate`, and the type rules of declared keys
 * (`ValidateConfigValue`, `InferFullTypeName`).
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
    /** `stackConfigDir` (or the old spelling `config: <dir>`): where the stack files are. */
    readonly stackConfigDir?: string;
    /** Config keys as written in `Pulumi.yaml` (bare, or namespaced like `azure-native:location`). */
    readonly config: ReadonlyMap<string, ConfigDeclaration>;
    /** Problems, in the CLI's words. */
    readonly problems: readonly string[];
    /** What the CLI accepts but does not do what it seems to. */
    readonly warnings: readonly string[];
}

const simpleTypes = ["string", "integer", "boolean", "array", "object"] as const;
const declarationAttributes = ["default", "description", "items", "secret", "type", "value"];

/**
 * project.go `ValidateConfigValue`. A whole number is an integer (a Go `int`, or a float with no
 * fraction); one beyond 64-bit signed (a `uint64`) is not; a timestamp is of no type.
 */
export function validateConfigValue(type: string, items: ConfigItemsType | undefined, value: unknown): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            // YAML gives whole numbers; the CLI also takes strings that parse as integers.
            return isGoInt(value) || (typeof value === "string" && isGoInteger(value));
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
 * Reads a parsed `Pulumi.yaml` as `LoadProjectBytes` does: the checks of `ValidateProject` (the
 * `name` checks, then the JSON schema `project.json`), `RewriteConfigPathIntoStackConfigDir`, the
 * short-hand rewrite (`key: value` is a default for a project key and a value for another
 * namespace's), then `Project.Validate`. Then what stops `pulumi preview` before the program runs:
 * a project name the CLI refuses when it resolves the stack, and a runtime or runtime options the
 * Node.js language host refuses. Refused too, as the CLI ignores them: top-level attributes it does
 * not know and runtime options the host does not read.
 */
export function readProjectDeclarations(doc: unknown, file = "Pulumi.yaml"): ProjectDeclarations {
    const problems: string[] = [];
    const warnings: string[] = [];
    const schema = (message: string) => problems.push(`could not validate '${file}': ${message}`);
    const validate = (message: string) => problems.push(`could not unmarshal '${file}': ${message}`);
    if (!isObject(doc)) {
        schema(`expected project to be an object, was '${goTypeName(doc)}'`);
        return { name: "", runtime: { name: "", options: {} }, config: new Map(), problems, warnings };
    }
    if (!("name" in doc)) {
        const closest = closestKey("name", Object.keys(doc));
        schema(closest ? `project is missing a 'name' attribute; found '${closest}' instead` : "project is missing a 'name' attribute");
    } else if (typeof doc.name !== "string" || doc.name === "") {
        schema("project is missing a non-empty string 'name' attribute");
    }
    const name = typeof doc.name === "string" ? doc.name : "";
    projectSchemaProblems(doc).forEach(schema);
    for (const key of Object.keys(doc).filter((key) => !(projectFileKeys as readonly string[]).includes(key))) {
        const closest = closestKey(key, projectFileKeys);
        problems.push(
            `${file}: the top-level key '${key}' is not a project setting, and the CLI ignores it${closest ? `; did you mean '${closest}'?` : ""} (allowed: ${[...projectFileKeys].sort().join(", ")})`,
        );
    }
    const runtime = isObject(doc.runtime)
        ? {
              name: typeof doc.runtime.name === "string" ? doc.runtime.name : "",
              options: isObject(doc.runtime.options) ? doc.runtime.options : {},
          }
        : { name: typeof doc.runtime === "string" ? doc.runtime : "", options: {} };
    const main = typeof doc.main === "string" && doc.main !== "" ? doc.main : undefined;
    let stackConfigDir = typeof doc.stackConfigDir === "string" && doc.stackConfigDir !== "" ? doc.stackConfigDir : undefined;
    const config = new Map<string, ConfigDeclaration>();
    const section = doc.config;
    if (typeof section === "string") {
        // RewriteConfigPathIntoStackConfigDir: a string is the old spelling of stackConfigDir.
        if ("stackConfigDir" in doc) {
            problems.push(
                `${file}: Should not use both config and stackConfigDir to define the stack directory. Use only stackConfigDir instead. (allowed: stackConfigDir: ${JSON.stringify(section)} alone, and config: for the config keys)`,
            );
        } else if (section !== "") {
            stackConfigDir = section;
        }
    } else if (section !== undefined && section !== null && !isObject(section)) {
        schema(`#/config: got ${jsonType(section)}, want object, string or null`);
    } else if (isObject(section)) {
        readConfigSection(section, name, config, schema);
    }

    // Project.Validate. A declaration it refuses takes no part in the stack's checks: the CLI
    // stops at the project file.
    for (const [key, declaration] of config) {
        if (declaration.secret && declaration.type === undefined && isProjectKey(name, key)) {
            warnings.push(
                `${file}: '${key}' is declared secret: true without a type; the CLI enforces secret only on typed keys, so a plain-text value passes it`,
            );
        }
        const problem = declarationProblem(name, key, declaration);
        if (problem) {
            validate(problem);
            config.delete(key);
        }
    }

    if (name !== "") {
        const problem = projectNameProblem(name);
        if (problem) {
            problems.push(
                `${file}: \`name\`: ${problem} (allowed: 1 to 100 letters, digits, hyphens, underscores and periods; the CLI checks the name when it resolves the stack)`,
            );
        }
    }
    if (runtime.name === "") {
        if (!("runtime" in doc) || doc.runtime === null || (isObject(doc.runtime) && !("name" in doc.runtime))) {
            problems.push(
                `${file}: \`runtime\` is missing: project.json does not require it, but without it \`pulumi preview\` has no language host to run the program (allowed: runtime: nodejs, or runtime: {name: nodejs, options: {...}})`,
            );
        }
    } else if (runtime.name !== "nodejs") {
        problems.push(
            `${file}: \`runtime\`: '${runtime.name}' starts another language host than the Node.js one this program is written for (allowed: nodejs)`,
        );
    } else {
        problems.push(...runtimeOptionProblems(file, runtime.options));
    }
    return { name, runtime, main, stackConfigDir, config, problems, warnings };
}

/** The `config:` section: its JSON-schema checks and the short-hand rewrite. */
function readConfigSection(
    section: Record<string, unknown>,
    project: string,
    config: Map<string, ConfigDeclaration>,
    schema: (message: string) => void,
): void {
    for (const [key, entry] of Object.entries(section)) {
        const where = `#/config/${key}`;
        const goType = entry instanceof GoTime ? "time.Time" : isGoUint64(entry) ? "uint64" : undefined;
        if (goType) {
            // The schema library's jsonType panics on a value that is not JSON; the CLI prints that.
            schema(`jsonschema: invalid jsonType: ${goType} (${where} holds a value that is not JSON; quote it to make it a string)`);
            continue;
        }
        if (key === "secret" && typeof entry !== "boolean") {
            // project.json declares `config.properties.secret` as a boolean: a config key named
            // `secret` takes only true or false.
            schema(
                `${where}: expected boolean, but got ${schemaJsonType(entry, where)} (a config key named 'secret' takes only true or false)`,
            );
            continue;
        }
        if (typeof entry === "string" || typeof entry === "boolean" || isGoInt(entry) || Array.isArray(entry)) {
            // RewriteShorthandConfigValues.
            config.set(key, isProjectKey(project, key) ? { default: entry } : { value: entry });
            continue;
        }
        if (!isObject(entry)) {
            schema(
                `${where}: got ${jsonType(entry)}, want a string, an integer, a boolean, an array or an object with ${listQuoted(declarationAttributes)}`,
            );
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
        if (
            declaration.type !== undefined &&
            hasDefault &&
            !validateConfigValue(declaration.type, declaration.items, declaration.default)
        ) {
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
