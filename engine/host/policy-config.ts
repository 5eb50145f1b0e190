import type AjvDraft04 from "ajv-draft-04";
import type { ErrorObject } from "ajv-draft-04";
import type { EnforcementLevel, PolicyConfig, PolicyInfo } from "./analyzer";

/**
 * A policy pack's config as the Pulumi CLI reads and reconciles it before `Configure`
 * (`pkg/resource/analyzer/config.go` at 3.248.0): `parsePolicyPackConfig` reads the file given to
 * `--policy-pack-config`; `ReconcilePolicyPackConfig` lays the policies' schema defaults, the
 * pack's initial config and the file over each other (`all` first, then each policy) and
 * validates each policy's properties against its schema, with gojsonschema's messages
 * (`locales.go`, `DefaultLocale`, v1.2.0); `pkg/engine/update.go` prefixes each with
 * "validating policy config: <pack> <version>  ".
 */

const validLevels: readonly string[] = ["advisory", "mandatory", "remediate", "disabled"];

/** `parsePolicyPackConfig`: the file's text to config by policy name; errors in the CLI's words. */
export function parsePolicyPackConfig(text: string): { config: Record<string, PolicyConfig>; environments: string[] } {
    const config: Record<string, PolicyConfig> = {};
    // Gracefully allow empty content.
    if (text.trim() === "") {
        return { config, environments: [] };
    }
    const parsed = JSON.parse(text) as unknown;
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new Error(
            `json: cannot unmarshal ${Array.isArray(parsed) ? "array" : parsed === null ? "null" : typeof parsed} into Go value of type map[string]interface {}`,
        );
    }
    const entries = { ...(parsed as Record<string, unknown>) };
    let environments: string[] = [];
    if ("environments" in entries) {
        const raw = entries.environments;
        if (!Array.isArray(raw)) {
            throw new Error(`"environments" must be an array of strings, got ${goType(raw)}`);
        }
        environments = raw.map((value, i) => {
            if (typeof value !== "string") {
                throw new Error(`"environments[${i}]" must be a string, got ${goType(value)}`);
            }
            return value;
        });
        delete entries.environments;
    }
    for (const [key, value] of Object.entries(entries)) {
        let enforcementLevel: EnforcementLevel | "" = "";
        let properties: Record<string, unknown> | undefined;
        if (typeof value === "string") {
            if (!validLevels.includes(value)) {
                throw new Error(`parsing enforcement level for "${key}": "${value}" is not a valid enforcement level`);
            }
            enforcementLevel = value as EnforcementLevel;
        } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
            const props = { ...(value as Record<string, unknown>) };
            if ("enforcementLevel" in props) {
                const level = props.enforcementLevel;
                if (typeof level !== "string") {
                    throw new Error(
                        `parsing enforcement level for "${key}": ${goText(level)} is not a valid enforcement level; must be a string`,
                    );
                }
                if (!validLevels.includes(level)) {
                    throw new Error(`parsing enforcement level for "${key}": "${level}" is not a valid enforcement level`);
                }
                enforcementLevel = level as EnforcementLevel;
                delete props.enforcementLevel;
            }
            if (Object.keys(props).length > 0) {
                properties = props;
            }
        } else {
            throw new Error(`parsing "${key}": ${goText(value)} is not a valid value; must be a string or object`);
        }
        // Don't bother including empty configs.
        if (enforcementLevel === "" && !properties) {
            continue;
        }
        config[key] = { enforcementLevel, ...(properties ? { properties } : {}) };
    }
    return { config, environments };
}

function goType(value: unknown): string {
    if (value === null) {
        return "<nil>";
    }
    if (Array.isArray(value)) {
        return "[]interface {}";
    }
    switch (typeof value) {
        case "string":
            return "string";
        case "number":
            return "float64";
        case "boolean":
            return "bool";
        default:
            return "map[string]interface {}";
    }
}

/** How Go's `%v` prints a decoded JSON value. */
function goText(value: unknown): string {
    if (value === null) {
        return "<nil>";
    }
    if (Array.isArray(value)) {
        return `[${value.map(goText).join(" ")}]`;
    }
    if (typeof value === "object") {
        return `map[${Object.entries(value as Record<string, unknown>)
            .sort(([a], [b]) => (a < b ? -1 : 1))
            .map(([key, inner]) => `${key}:${goText(inner)}`)
            .join(" ")}]`;
    }
    return String(value);
}

/** `createConfigWithDefaults` then `applyConfig` twice: the config every policy runs with. */
export function reconcilePolicyPackConfig(
    policies: readonly PolicyInfo[],
    initialConfig: Readonly<Record<string, PolicyConfig>> | undefined,
    config: Readonly<Record<string, PolicyConfig>> | undefined,
): { config: Record<string, PolicyConfig>; validationErrors: string[] } {
    let result: Record<string, PolicyConfig> = {};
    for (const policy of policies) {
        let properties: Record<string, unknown> | undefined;
        for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
            if ("default" in schema) {
                properties ??= {};
                properties[key] = schema.default;
            }
        }
        result[policy.name] = { enforcementLevel: policy.enforcementLevel, ...(properties ? { properties } : {}) };
    }
    if (initialConfig) {
        result = applyConfig(result, initialConfig);
    }
    if (config) {
        result = applyConfig(result, config);
    }
    const validationErrors: string[] = [];
    for (const policy of policies) {
        if (!policy.configSchema) {
            continue;
        }
        for (const error of validateAgainst(policy.configSchema, result[policy.name]?.properties ?? {})) {
            validationErrors.push(`${policy.name}: ${error}`);
        }
    }
    return { config: result, validationErrors };
}

function applyConfig(result: Record<string, PolicyConfig>, apply: Readonly<Record<string, PolicyConfig>>): Record<string, PolicyConfig> {
    const all = apply.all;
    if (all && validLevels.includes(all.enforcementLevel)) {
        for (const [name, value] of Object.entries(result)) {
            result[name] = { ...value, enforcementLevel: all.enforcementLevel };
        }
    }
    for (const [name, given] of Object.entries(apply)) {
        const current = result[name];
        const enforcementLevel = validLevels.includes(given.enforcementLevel) ? given.enforcementLevel : (current?.enforcementLevel ?? "");
        let properties = current?.properties ? { ...current.properties } : undefined;
        if (given.properties && Object.keys(given.properties).length > 0) {
            properties = { ...(properties ?? {}), ...given.properties };
        }
        result[name] = { enforcementLevel, ...(properties ? { properties } : {}) };
    }
    return result;
}

let ajv: AjvDraft04 | undefined;

/** gojsonschema's type names: an integral number is an integer. */
function jsonType(value: unknown): string {
    if (value === null) {
        return "null";
    }
    if (Array.isArray(value)) {
        return "array";
    }
    if (typeof value === "number") {
        return Number.isInteger(value) ? "integer" : "number";
    }
    return typeof value;
}

function valueAt(document: unknown, pointer: string): unknown {
    return pointer
        .split("/")
        .slice(1)
        .reduce<unknown>(
            (current, key) =>
                current !== null && typeof current === "object"
                    ? (current as Record<string, unknown>)[key.replace(/~1/g, "/").replace(/~0/g, "~")]
                    : undefined,
            document,
        );
}

/** gojsonschema's `ResultError.String()`, with the "(root): " prefix trimmed as the CLI trims it. */
function describe(error: ErrorObject, document: unknown): string {
    const field = error.instancePath === "" ? "(root)" : error.instancePath.slice(1).replace(/\//g, ".");
    let description: string;
    switch (error.keyword) {
        case "type":
            description = `Invalid type. Expected: ${String(error.params.type).replace(/,/g, "/")}, given: ${jsonType(valueAt(document, error.instancePath))}`;
            break;
        case "required":
            description = `${String(error.params.missingProperty)} is required`;
            break;
        case "enum":
            description = `${field} must be one of the following: ${(error.params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(", ")}`;
            break;
        case "additionalProperties":
            description = `Additional property ${String(error.params.additionalProperty)} is not allowed`;
            break;
        default:
            description = error.message ?? error.keyword;
    }
    const text = `${field}: ${description}`;
    return text.startsWith("(root): ") ? text.slice("(root): ".length) : text;
}

/** `validatePolicyConfig`: the properties against `{type: object, properties, required}`. */
function validateAgainst(schema: NonNullable<PolicyInfo["configSchema"]>, properties: Record<string, unknown>): string[] {
    if (!ajv) {
        const Ajv = (require("ajv-draft-04") as { default: typeof AjvDraft04 }).default;
        ajv = new Ajv({ allErrors: true, strict: false });
    }
    const full = {
        type: "object",
        ...(Object.keys(schema.properties).length > 0 ? { properties: schema.properties } : {}),
        ...(schema.required.length > 0 ? { required: schema.required } : {}),
    };
    const validate = ajv.compile(full);
    return validate(properties) ? [] : (validate.errors ?? []).map((error) => describe(error, properties));
}
