import { GoTime, pad } from "./go";

/**
 * Go's text for values: `strconv.FormatFloat` as fmt's `%v` writes a float, `sort.Strings`, and
 * `json.Marshal` of a value the CLI holds (encoding/json), with the error it gives for a float it
 * cannot write.
 */

/** `strconv.FormatFloat(value, 'g', -1, 64)`, as fmt's `%v` and encoding/json's errors write a float. */
export function goFloatG(value: number): string {
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
    if (value === 0) return Object.is(value, -0) ? "-0" : "0";
    const [mantissa, exponentText] = value.toExponential().split("e");
    const exponent = Number(exponentText);
    if (exponent < -4 || exponent >= 6) {
        return `${mantissa}e${exponent < 0 ? "-" : "+"}${pad(Math.abs(exponent))}`;
    }
    return String(value);
}

/** An error of encoding/json (a float it cannot write). */
export class GoJsonError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "GoJsonError";
    }
}

/** encoding/json's string: HTML characters and U+2028/U+2029 escaped, as `json.Marshal` does. */
function goJsonString(text: string): string {
    return JSON.stringify(text).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Go's `sort.Strings`: byte order of the UTF-8 text. */
export function goSort(keys: Iterable<string>): string[] {
    return [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/**
 * `json.Marshal` of a value the CLI holds: map keys sorted, HTML characters escaped, whole numbers
 * exact (bigints too), floats as Go writes them (`1e+21`, `1e-7`), timestamps as RFC 3339.
 * Throws {@link GoJsonError} for an infinite or NaN float, as encoding/json does.
 */
export function goJson(value: unknown): string {
    if (value === null || value === undefined) return "null";
    if (typeof value === "boolean") return value ? "true" : "false";
    if (typeof value === "bigint") return value.toString();
    if (typeof value === "number") {
        if (!Number.isFinite(value)) {
            throw new GoJsonError(`json: unsupported value: ${goFloatG(value)}`);
        }
        return String(value);
    }
    if (typeof value === "string") return goJsonString(value);
    if (value instanceof GoTime) return goJsonString(value.rfc3339Nano());
    if (Array.isArray(value)) return `[${value.map(goJson).join(",")}]`;
    const record = value as Record<string, unknown>;
    // A member that is undefined (a JS value laid over the file's) is left out, as JSON.stringify does.
    return `{${goSort(Object.keys(record).filter((key) => record[key] !== undefined))
        .map((key) => `${goJsonString(key)}:${goJson(record[key])}`)
        .join(",")}}`;
}
