import { isAlias, isMap, isScalar, isSeq, type Document, type Node as YamlNode, type Scalar } from "yaml";
import { GoTime, defineKey, goInt, goParseFloat, goParseInt, goParseUint } from "./go";
import { goFloatG } from "./go-json";

/**
 * Values as the CLI's YAML reader (gopkg.in/yaml.v3 v3.0.1, `resolve.go`, `decode.go`) gives
 * them: what a plain scalar resolves to, timestamps, tags, aliases and `<<` merge keys.
 */

/** Go's `time.Month` lengths. */
function daysIn(month: number, year: number): number {
    if (month === 2) {
        return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
    }
    return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** yaml.v3 resolve.go `parseTimestamp` with its `allowedTimestampFormats`, as Go's `time.Parse` reads them. */
export function parseYamlTimestamp(text: string): GoTime | undefined {
    if (!/^\d{4}-/.test(text)) {
        return undefined;
    }
    const match =
        /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,](\d+))?(Z|[+-]\d{2}:\d{2}))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,](\d+))?))?$/.exec(
            text,
        );
    if (!match) {
        return undefined;
    }
    const [year, month, day] = [match[1], match[2], match[3]].map(Number);
    const [hour, minute, second] = [match[4] ?? match[9] ?? "0", match[5] ?? match[10] ?? "0", match[6] ?? match[11] ?? "0"].map(Number);
    const digits = (match[7] ?? match[12] ?? "").slice(0, 9);
    const nanos = digits === "" ? 0 : Number(digits.padEnd(9, "0"));
    const zone = match[8];
    let offset = 0;
    if (zone && zone !== "Z") {
        const hours = Number(zone.slice(1, 3));
        const minutes = Number(zone.slice(4, 6));
        if (hours > 24 || minutes > 60) {
            return undefined;
        }
        offset = (zone[0] === "-" ? -1 : 1) * (hours * 60 + minutes);
    }
    if (month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 || second > 59) {
        return undefined;
    }
    if (offset === 0) {
        return new GoTime(year, month, day, hour, minute, second, nanos, 0);
    }
    return new GoTime(year, month, day, hour, minute, second, nanos, offset);
}

const resolveMap = new Map<string, unknown>([
    ...["true", "True", "TRUE"].map((text) => [text, true] as const),
    ...["false", "False", "FALSE"].map((text) => [text, false] as const),
    ...["", "~", "null", "Null", "NULL"].map((text) => [text, null] as const),
    ...[".nan", ".NaN", ".NAN"].map((text) => [text, Number.NaN] as const),
    ...[".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"].map((text) => [text, Number.POSITIVE_INFINITY] as const),
    ...["-.inf", "-.Inf", "-.INF"].map((text) => [text, Number.NEGATIVE_INFINITY] as const),
]);
const yamlStyleFloat = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/**
 * What yaml.v3 makes of an unquoted, untagged scalar (resolve.go `resolve`): `true`/`True`/`TRUE`
 * and the `false` forms are booleans, `~`/`null`/`Null`/`NULL` and nothing are null, `.inf`/`.nan`
 * are floats, and a scalar that starts with a digit or a sign is a timestamp (`2006-1-2`, with a
 * time and zone), an integer (underscores dropped; `0x`, `0o`, `0b` and the YAML 1.1 `0` octal
 * prefixes; 64-bit signed, or unsigned beyond that) or a float; anything else is a string (`yes`,
 * `on`, `12:30` are strings). Integers are JS numbers when exact and bigints beyond 2^53.
 */
export function resolvePlainScalar(text: string, timestamps = true): unknown {
    const first = text[0];
    const hint =
        text === ""
            ? "N"
            : /[-+]/.test(first)
              ? "S"
              : /\d/.test(first)
                ? "D"
                : "yYnNtTfFoO~".includes(first)
                  ? "M"
                  : first === "."
                    ? "."
                    : "";
    if (hint === "") {
        return text;
    }
    if (resolveMap.has(text)) {
        return resolveMap.get(text);
    }
    if (hint === "M" || hint === "N") {
        return text;
    }
    if (hint === ".") {
        return goParseFloat(text) ?? text;
    }
    if (timestamps) {
        const time = parseYamlTimestamp(text);
        if (time) {
            return time;
        }
    }
    const plain = text.replaceAll("_", "");
    const signed = goParseInt(plain, 0);
    if (signed !== undefined) {
        return goInt(signed);
    }
    const unsigned = goParseUint(plain, 0);
    if (unsigned !== undefined) {
        return unsigned;
    }
    if (yamlStyleFloat.test(plain)) {
        const float = goParseFloat(plain);
        if (float !== undefined) {
            return float;
        }
    }
    for (const [prefix, base] of [
        ["0b", 2],
        ["0o", 8],
    ] as const) {
        if (plain.startsWith(prefix)) {
            const value = goParseInt(plain.slice(2), base) ?? goParseUint(plain.slice(2), base);
            if (value !== undefined) {
                return goInt(value);
            }
        } else if (plain.startsWith(`-${prefix}`)) {
            const value = goParseInt(`-${plain.slice(3)}`, base);
            if (value !== undefined) {
                return goInt(value);
            }
        }
    }
    return text;
}

/** A value yaml.v3 refuses (a tag that does not fit its scalar, bad `!!binary`), with where it is. */
export class YamlValueError extends Error {
    constructor(
        message: string,
        /** Offset of the node in the source. */
        readonly offset: number,
    ) {
        super(message);
        this.name = "YamlValueError";
    }
}

const kindOf = (value: unknown): string =>
    value === null
        ? "!!null"
        : typeof value === "boolean"
          ? "!!bool"
          : value instanceof GoTime
            ? "!!timestamp"
            : typeof value === "string"
              ? "!!str"
              : isGoFloat(value)
                ? "!!float"
                : "!!int";

/** Whether a resolved number is a float (yaml.v3 float64); whole numbers read as integers. */
function isGoFloat(value: unknown): boolean {
    return typeof value === "number" && !Number.isInteger(value);
}

/** decode.go `scalar` with resolve.go's tag checks: quoted scalars are strings, plain ones resolved. */
function scalarValue(node: Scalar): unknown {
    const source = node.source ?? (node.value === null || node.value === undefined ? "" : String(node.value));
    const plain = node.type === "PLAIN" || node.type === undefined;
    const tag = node.tag ? node.tag.replace(/^tag:yaml\.org,2002:/, "!!") : undefined;
    if (tag === undefined) {
        return plain ? resolvePlainScalar(source) : source;
    }
    switch (tag) {
        case "!!str":
        case "!":
            return source;
        case "!!binary": {
            const compact = source.replace(/[\r\n]/g, "");
            if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) {
                throw new YamlValueError("!!binary value contains invalid base64 data", node.range?.[0] ?? 0);
            }
            return Buffer.from(compact, "base64").toString("utf8");
        }
        case "!!int":
        case "!!float":
        case "!!bool":
        case "!!null":
        case "!!timestamp": {
            const value = resolvePlainScalar(source, tag === "!!timestamp");
            const kind = kindOf(value);
            if (kind === tag || (tag === "!!float" && kind === "!!int")) {
                return typeof value === "bigint" && tag === "!!float" ? Number(value) : value;
            }
            throw new YamlValueError(`yaml: cannot decode ${kind} \`${source}\` as a ${tag}`, node.range?.[0] ?? 0);
        }
        default:
            // Other tags (`!Ref`, `!!set`): the CLI keeps the scalar's text.
            return source;
    }
}

/** fmt's `%v` of a non-string map key, as Go writes a key it turns into text. */
function goKeyText(value: unknown): string {
    if (value === null) return "<nil>";
    if (typeof value === "number" && !Number.isInteger(value)) return goFloatG(value);
    return String(value);
}

/**
 * A parsed YAML document as the CLI reads it with yaml.v3: scalars resolved by its rules (see
 * {@link resolvePlainScalar}), aliases expanded, `<<` merge keys applied (the map's own keys win,
 * then the merged maps in order), and map keys that are not strings written as Go's `%v` does.
 */
export function yamlV3Value(doc: Document): unknown {
    const convert = (node: unknown): unknown => {
        if (node === null || node === undefined) {
            return null;
        }
        if (isAlias(node)) {
            return convert(node.resolve(doc));
        }
        if (isScalar(node)) {
            return scalarValue(node);
        }
        if (isSeq(node)) {
            return node.items.map(convert);
        }
        if (isMap(node)) {
            const out: Record<string, unknown> = {};
            const merged: unknown[] = [];
            for (const pair of node.items) {
                const key = pair.key as YamlNode | null;
                if (isScalar(key) && key.source === "<<" && (key.tag === undefined || key.tag === "tag:yaml.org,2002:merge")) {
                    const target = isAlias(pair.value) ? pair.value.resolve(doc) : pair.value;
                    merged.push(...(isSeq(target) ? target.items : [target]));
                    continue;
                }
                const resolved = convert(key);
                defineKey(out, typeof resolved === "string" ? resolved : goKeyText(resolved), convert(pair.value));
            }
            for (const source of merged) {
                const value = convert(source);
                if (value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof GoTime)) {
                    for (const [key, inner] of Object.entries(value)) {
                        if (!Object.prototype.hasOwnProperty.call(out, key)) {
                            defineKey(out, key, inner);
                        }
                    }
                } else {
                    throw new YamlValueError(
                        "yaml: map merge requires map or sequence of maps as the value",
                        (source as YamlNode | null)?.range?.[0] ?? 0,
                    );
                }
            }
            return out;
        }
        return null;
    };
    return convert(doc.contents);
}
