import { GoTime, defineKey, cloneValue, isGoInt, isGoUint64, isObject } from "./go";
import { goJson } from "./go-json";

/**
 * Config values as the CLI holds them (`sdk/go/common/resource/config/` `value.go`, `object.go`,
 * `plaintext.go`; config.go `createConfigValue`): the text a stack value or a project default
 * becomes, `secure:` values, and the object model of object values.
 */

/** A config value as the CLI holds it: a string, or JSON text for objects and lists. */
export interface ConfigValue {
    /** What the program reads: the text of a scalar, the JSON of an object or list. */
    readonly text: string;
    /**
     * The value for type checks and the program's own rules: the YAML scalar, or for an object or
     * list the tree the CLI decodes from its JSON (whole numbers beyond 64-bit signed as floats).
     */
    readonly raw: unknown;
    /** `secure:` itself, or an object or list holding one. */
    readonly secure: boolean;
    /** An object or list (the CLI's "object value"). */
    readonly object: boolean;
}

export function isSecureLeaf(value: unknown): boolean {
    return isObject(value) && Object.keys(value).length === 1 && typeof value.secure === "string";
}

function containsSecure(value: unknown): boolean {
    if (isSecureLeaf(value)) {
        return true;
    }
    return (Array.isArray(value) || isObject(value)) && Object.values(value).some(containsSecure);
}

/** How the CLI decodes an object value's JSON (object.go `UnmarshalJSON`, `UseNumber`): a whole number beyond 64-bit signed becomes a float. */
function decodedTree(tree: unknown): unknown {
    if (isGoUint64(tree)) return Number(tree);
    if (Array.isArray(tree)) return tree.map((item) => (item === undefined ? null : decodedTree(item)));
    if (isObject(tree)) {
        const out: Record<string, unknown> = {};
        for (const [key, inner] of Object.entries(tree)) {
            if (inner !== undefined) defineKey(out, key, decodedTree(inner));
        }
        return out;
    }
    return tree;
}

/** object.go `MarshalString` then `marshalValue`: the config value an object-model value becomes. */
export function marshalValue(tree: unknown): ConfigValue {
    if (typeof tree === "string") return { text: tree, raw: tree, secure: false, object: false };
    if (typeof tree === "boolean" || typeof tree === "number" || typeof tree === "bigint")
        return { text: goJson(tree), raw: tree, secure: false, object: false };
    if (isSecureLeaf(tree)) return { text: (tree as { secure: string }).secure, raw: tree, secure: true, object: false };
    const raw = decodedTree(tree);
    return { text: goJson(raw), raw, secure: containsSecure(raw), object: true };
}

/** value.go `unmarshalObject`: a config value as the object model holds it ("" when there is none). */
export function unmarshalObject(value: ConfigValue | undefined): unknown {
    if (value === undefined) return "";
    if (value.object) return cloneValue(value.raw);
    return value.secure ? { secure: value.text } : value.text;
}

/** The text Go's YAML round trip gives a stack value: timestamps as `time.Time.String()`. */
function stackTree(raw: unknown): unknown {
    if (raw instanceof GoTime) return raw.toString();
    if (Array.isArray(raw)) return raw.map(stackTree);
    if (isObject(raw)) {
        const out: Record<string, unknown> = {};
        for (const [key, inner] of Object.entries(raw)) defineKey(out, key, stackTree(inner));
        return out;
    }
    return raw;
}

/**
 * How the CLI turns a stack file's YAML value into a config value (value.go `UnmarshalYAML`,
 * object.go `MarshalString`), and the program then reads it (`Map.Decrypt`): a string as it is, a
 * number as encoding/json writes it (`1_000` is "1000", `0x1F` "31", 18446744073709551615 exact),
 * a timestamp as Go prints a `time.Time`, an object or list as JSON with sorted keys (in which a
 * whole number beyond 64-bit signed is a float). Throws {@link GoJsonError} for `.inf` and `.nan`.
 */
export function configValue(raw: unknown): ConfigValue {
    if (raw === null || raw === undefined) {
        return { text: "", raw: "", secure: false, object: false };
    }
    const value = marshalValue(stackTree(raw));
    return value.object ? value : { ...value, raw };
}

/**
 * config.go `createConfigValue`: a project default or value as a config value. A string, a whole
 * number within 64-bit signed or a boolean is its text (`fmt.Sprintf("%v")`); anything else is an
 * object value holding its JSON (timestamps in RFC 3339), which the program reads as the CLI
 * decodes it and writes it again (`Map.Decrypt`, plaintext.go `marshalText`): a string as it is,
 * anything else as JSON. Throws {@link GoJsonError} for an infinite or NaN float.
 */
export function projectConfigValue(raw: unknown): ConfigValue {
    if (typeof raw === "string") return { text: raw, raw, secure: false, object: false };
    if (typeof raw === "boolean" || isGoInt(raw)) return { text: String(raw), raw, secure: false, object: false };
    goJson(raw);
    const tree = decodedTree(jsonTree(raw));
    return { text: typeof tree === "string" ? tree : goJson(tree), raw: tree, secure: false, object: true };
}

/** A value as JSON decoding gives it back after `json.Marshal`: timestamps become their RFC 3339 text. */
function jsonTree(raw: unknown): unknown {
    if (raw instanceof GoTime) return raw.rfc3339Nano();
    if (Array.isArray(raw)) return raw.map(jsonTree);
    if (isObject(raw)) {
        const out: Record<string, unknown> = {};
        for (const [key, inner] of Object.entries(raw)) defineKey(out, key, jsonTree(inner));
        return out;
    }
    return raw;
}
