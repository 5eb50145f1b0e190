import { GoTime, isGoUint64, isObject } from "./go";
import { closestKey, listQuoted } from "./wording";

/**
 * The checks of `Pulumi.yaml` beyond its config declarations: the JSON schema `project.json` at
 * v3.248.0 as santhosh-tekuri/jsonschema v5.0.0 checks it (project.go `ValidateProject`, in the
 * library's words), the attributes the CLI reads, the project name (tokens/project.go
 * `ValidateProjectName`) and the Node.js language host's runtime options (`parseOptions`,
 * `sdk/nodejs/cmd/pulumi-language-nodejs/main.go`).
 */

/** The top-level attributes of `Pulumi.yaml` the CLI reads (the fields of `Project` in project.go). */
export const projectFileKeys = [
    "name",
    "runtime",
    "main",
    "description",
    "author",
    "website",
    "license",
    "config",
    "stackConfigDir",
    "template",
    "backend",
    "options",
    "packages",
    "plugins",
    "requiredPulumiVersion",
] as const;
/** The options the Node.js language host reads (`parseOptions`); it ignores any other. */
export const nodejsRuntimeOptions = ["typescript", "tsconfig", "nodeargs", "packagemanager"] as const;
const packageManagers = ["auto", "npm", "yarn", "pnpm", "bun"];

interface SchemaNode {
    readonly type?: string | readonly string[];
    readonly const?: string;
    readonly minLength?: number;
    readonly required?: readonly string[];
    readonly properties?: Readonly<Record<string, SchemaNode>>;
    readonly additionalProperties?: boolean | SchemaNode;
    readonly items?: SchemaNode;
    readonly oneOf?: readonly SchemaNode[];
    readonly $ref?: "packageSpec" | "pluginOptions";
}

const stringOrNull: SchemaNode = { type: ["string", "null"] };
const schemaDefs: Readonly<Record<"packageSpec" | "pluginOptions", SchemaNode>> = {
    packageSpec: {
        type: "object",
        additionalProperties: false,
        required: ["source"],
        properties: {
            source: { type: "string" },
            version: { type: "string" },
            parameters: { type: "array", items: { type: "string" } },
            pluginDownloadURL: { type: "string" },
            checksums: { type: "object", additionalProperties: { type: "string" } },
        },
    },
    pluginOptions: {
        type: "object",
        additionalProperties: false,
        required: ["name", "path"],
        properties: { name: { type: "string" }, path: { type: "string" }, version: { type: "string" } },
    },
};

/**
 * `project.json` at v3.248.0 without `name` and `config` (their checks are below): every other
 * top-level attribute the schema describes. Unknown top-level attributes are allowed by it.
 */
const projectSchema: SchemaNode = {
    type: "object",
    properties: {
        description: stringOrNull,
        author: stringOrNull,
        website: stringOrNull,
        license: stringOrNull,
        runtime: {
            oneOf: [
                { type: "string", minLength: 1 },
                {
                    type: "object",
                    properties: { name: { type: "string", minLength: 1 }, options: { type: "object", additionalProperties: true } },
                    additionalProperties: false,
                },
            ],
        },
        main: stringOrNull,
        stackConfigDir: stringOrNull,
        backend: { type: ["object", "null"], properties: { url: { type: "string" } }, additionalProperties: false },
        options: { type: ["object", "null"], properties: { refresh: { type: "string", const: "always" } }, additionalProperties: false },
        template: {
            type: ["object", "null"],
            properties: {
                displayName: stringOrNull,
                description: stringOrNull,
                quickstart: stringOrNull,
                important: { type: ["boolean", "null"] },
                metadata: { type: ["object", "null"], additionalProperties: { type: "string" } },
                config: {
                    type: ["object", "null"],
                    additionalProperties: { properties: { description: stringOrNull, default: {}, secret: { type: ["boolean", "null"] } } },
                },
            },
            additionalProperties: false,
        },
        packages: { type: "object", additionalProperties: { oneOf: [{ type: "string" }, { $ref: "packageSpec" }] } },
        plugins: {
            type: "object",
            properties: {
                providers: { type: "array", items: { $ref: "pluginOptions" } },
                analyzers: { type: "array", items: { $ref: "pluginOptions" } },
                languages: { type: "array", items: { $ref: "pluginOptions" } },
            },
        },
    },
    additionalProperties: true,
};

interface SchemaError {
    readonly location: string;
    readonly keyword: string;
    readonly message: string;
    readonly causes: readonly SchemaError[];
    /** For an attribute that is not allowed: the attributes the schema node has. */
    readonly allowed?: readonly string[];
}

/** The library's panic on a Go value that is not JSON (`InvalidJSONTypeError`). */
class InvalidJsonType extends Error {
    constructor(
        readonly goType: string,
        readonly location: string,
    ) {
        super(`jsonschema: invalid jsonType: ${goType}`);
    }
}

/** The library's `jsonType`: yaml.v3's ints and floats are both "number". */
export function schemaJsonType(value: unknown, location: string): string {
    if (value === null || value === undefined) return "null";
    if (typeof value === "boolean") return "boolean";
    if (isGoUint64(value)) throw new InvalidJsonType("uint64", location);
    if (value instanceof GoTime) throw new InvalidJsonType("time.Time", location);
    if (typeof value === "number" || typeof value === "bigint") return "number";
    if (typeof value === "string") return "string";
    return Array.isArray(value) ? "array" : "object";
}

/** JSON-pointer escaping of a property name (`~0`, `~1`). */
const escapePointer = (name: string) => name.replace(/~/g, "~0").replace(/\//g, "~1");

/** The library's `quote`: single quotes around the name. */
const schemaQuote = (name: string) => `'${name.replace(/\\/g, "\\\\")}'`;

/** `Schema.validate` for the keywords project.json uses, in the library's order and words. */
function validateSchema(schema: SchemaNode, value: unknown, location: string): SchemaError | undefined {
    const error = (keyword: string, message: string, causes: readonly SchemaError[] = []): SchemaError => ({
        location,
        keyword,
        message,
        causes,
    });
    if (schema.type !== undefined) {
        const types = typeof schema.type === "string" ? [schema.type] : schema.type;
        const actual = schemaJsonType(value, location);
        const matched = types.some(
            (type) =>
                type === actual || (type === "integer" && actual === "number" && (typeof value === "bigint" || Number.isInteger(value))),
        );
        if (!matched) {
            return error("type", `expected ${types.join(" or ")}, but got ${actual}`);
        }
    }
    const errors: SchemaError[] = [];
    if (schema.const !== undefined && value !== schema.const) {
        errors.push(error("const", `value must be ${JSON.stringify(schema.const)}`));
    }
    if (isObject(value)) {
        const missing = (schema.required ?? []).filter((name) => !(name in value));
        if (missing.length > 0) {
            errors.push(error("required", `missing properties: ${missing.map(schemaQuote).join(", ")}`));
        }
        for (const [name, inner] of Object.entries(value)) {
            const property = schema.properties?.[name];
            if (property) {
                const found = validateSchema(property, inner, `${location}/${escapePointer(name)}`);
                if (found) errors.push(found);
            } else if (schema.additionalProperties === false) {
                errors.push({
                    ...error("additionalProperties", `additionalProperties ${schemaQuote(name)} not allowed`),
                    allowed: Object.keys(schema.properties ?? {}),
                });
            } else if (typeof schema.additionalProperties === "object") {
                const found = validateSchema(schema.additionalProperties, inner, `${location}/${escapePointer(name)}`);
                if (found) errors.push(found);
            }
        }
    }
    if (Array.isArray(value) && schema.items) {
        value.forEach((item, index) => {
            const found = validateSchema(schema.items!, item, `${location}/${index}`);
            if (found) errors.push(found);
        });
    }
    if (typeof value === "string" && schema.minLength !== undefined) {
        const length = [...value].length;
        if (length < schema.minLength) {
            errors.push(error("minLength", `length must be >= ${schema.minLength}, but got ${length}`));
        }
    }
    if (schema.$ref) {
        const found = validateSchema(schemaDefs[schema.$ref], value, location);
        if (found) errors.push(error("$ref", `doesn't validate with '/$defs/${schema.$ref}'`, [found]));
    }
    if (schema.oneOf) {
        const causes = schema.oneOf.map((branch) => validateSchema(branch, value, location));
        if (causes.every((cause) => cause !== undefined)) {
            errors.push(error("oneOf", "oneOf failed", causes as SchemaError[]));
        }
    }
    return errors.length === 0 ? undefined : errors.length === 1 ? errors[0] : error("", "", errors);
}

/** project.go `getSchemaPathAttributes`: the attributes the schema lists at an instance location. */
function schemaPathAttributes(location: string): string[] {
    let current: SchemaNode | undefined = projectSchema;
    for (const segment of location.split("/").filter(Boolean)) {
        if (current?.$ref) current = schemaDefs[current.$ref];
        const property: SchemaNode | undefined = current?.properties?.[segment.replace(/~1/g, "/").replace(/~0/g, "~")];
        if (property) {
            current = property;
        } else if (/^\d+$/.test(segment) && current?.items) {
            current = current.items;
        } else {
            return [];
        }
    }
    if (current?.$ref) current = schemaDefs[current.$ref];
    return Object.keys(current?.properties ?? {});
}

/** Whether a branch of a `oneOf` failed on the value's JSON type alone. */
function typeMismatch(error: SchemaError): boolean {
    return error.keyword === "type" || (error.keyword === "$ref" && error.causes.length === 1 && typeMismatch(error.causes[0]));
}

/**
 * project.go `ValidateProject`'s `appendError`: every error with a location and a message, its
 * causes after it, with the CLI's "did you mean" for an attribute that is not allowed. A `oneOf`
 * the value's type picks one branch of gives that branch's errors; otherwise one line with the
 * causes (`oneOf failed: expected string, but got number; expected object, but got number`).
 */
function flattenSchemaError(error: SchemaError): { location: string; message: string }[] {
    if (error.keyword === "oneOf") {
        const fitting = error.causes.filter((cause) => !typeMismatch(cause));
        if (fitting.length === 1) {
            return flattenSchemaError(fitting[0]);
        }
        const causes = error.causes.flatMap(flattenSchemaError).map((line) => line.message);
        return [{ location: error.location, message: `oneOf failed: ${causes.join("; ")}` }];
    }
    const lines: { location: string; message: string }[] = [];
    if (error.location !== "" && error.message !== "" && error.keyword !== "$ref") {
        let message = error.message;
        const match = /'(\w[a-zA-Z0-9_]*)' not allowed$/.exec(message);
        if (match) {
            const attributes = schemaPathAttributes(error.location);
            const closest = closestKey(match[1], attributes);
            if (closest) {
                message += `; did you mean '${closest}'?`;
            } else if (attributes.length > 1) {
                message += `; the allowed attributes are ${listQuoted(attributes)}`;
            } else if (attributes.length === 1) {
                message += `; the only allowed attribute is '${attributes[0]}'`;
            } else if (error.allowed && error.allowed.length > 0) {
                // The CLI finds no attributes where the schema is reached through a oneOf or a map's
                // values; the schema node itself says what is allowed.
                const nearest = closestKey(match[1], error.allowed);
                message += `${nearest ? `; did you mean '${nearest}'?` : ""} (allowed: ${listQuoted(error.allowed)})`;
            }
        }
        lines.push({ location: error.location, message });
    }
    for (const cause of error.causes) {
        lines.push(...flattenSchemaError(cause));
    }
    return lines;
}

/** The JSON-schema problems of every top-level attribute but `name` and `config`, one line each. */
export function projectSchemaProblems(doc: Record<string, unknown>): string[] {
    const problems: string[] = [];
    for (const [name, value] of Object.entries(doc)) {
        const schema = projectSchema.properties?.[name];
        if (!schema) {
            continue;
        }
        try {
            const error = validateSchema(schema, value, `/${escapePointer(name)}`);
            if (error) problems.push(...flattenSchemaError(error).map((line) => `#${line.location}: ${line.message}`));
        } catch (invalid) {
            if (!(invalid instanceof InvalidJsonType)) throw invalid;
            problems.push(`${invalid.message} (#${invalid.location} holds a value that is not JSON; quote it to make it a string)`);
        }
    }
    return problems;
}

/** tokens/project.go `ValidateProjectName`, which the CLI applies when it resolves the stack. */
export function projectNameProblem(name: string): string | undefined {
    if (Buffer.byteLength(name) > 100) {
        return "project names are limited to 100 characters";
    }
    return /^[A-Za-z0-9_.-]+$/.test(name) ? undefined : "project names may only contain alphanumerics, hyphens, underscores, and periods";
}

/** The Node.js language host's `parseOptions`, every refusal at once, and the options it ignores. */
export function runtimeOptionProblems(file: string, options: Record<string, unknown>): string[] {
    const problems: string[] = [];
    const where = (option: string) => `${file}: \`runtime.options.${option}\``;
    if ("typescript" in options && typeof options.typescript !== "boolean") {
        problems.push(`${where("typescript")}: typescript option must be a boolean (allowed: true or false)`);
    }
    if ("tsconfig" in options && typeof options.tsconfig !== "string") {
        problems.push(
            `${where("tsconfig")}: tsconfigpath option must be a string (allowed: the path of a tsconfig.json, relative to the program)`,
        );
    }
    if ("nodeargs" in options && typeof options.nodeargs !== "string") {
        problems.push(`${where("nodeargs")}: nodeargs option must be a string (allowed: node's arguments, as one string)`);
    }
    if ("packagemanager" in options) {
        const value = options.packagemanager;
        if (typeof value !== "string") {
            problems.push(`${where("packagemanager")}: packagemanager option must be a string (allowed: ${packageManagers.join(", ")})`);
        } else if (!packageManagers.includes(value)) {
            problems.push(
                `${where("packagemanager")}: packagemanager option must be one of auto, npm, yarn, pnpm or bun, got ${JSON.stringify(value)} (allowed: ${packageManagers.join(", ")})`,
            );
        }
    }
    for (const option of Object.keys(options).filter((option) => !(nodejsRuntimeOptions as readonly string[]).includes(option))) {
        const closest = closestKey(option, nodejsRuntimeOptions);
        problems.push(
            `${where(option)}: not an option of the Node.js language host, which ignores it${closest ? `; did you mean '${closest}'?` : ""} (allowed: ${nodejsRuntimeOptions.join(", ")})`,
        );
    }
    return problems;
}
