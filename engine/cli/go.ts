/**
 * Go's side of the values the CLI holds: the 64-bit integer bounds, `time.Time` (how yaml.v3 gives
 * a timestamp), `strconv`'s integer and float parsing, which Go type a parsed value is (fmt's `%T`,
 * its JSON type), and copies of parsed values. The other modules of the CLI's config rules share
 * these.
 */

/** The bounds of Go's `int64` and `uint64`. */
export const int64Min = -(2n ** 63n);
export const int64Max = 2n ** 63n - 1n;
export const uint64Max = 2n ** 64n - 1n;

/** Decimal digits padded with zeros, as Go's time and float formats write them. */
export const pad = (value: number, width = 2) => String(value).padStart(width, "0");

/**
 * A YAML timestamp as yaml.v3 decodes an unquoted one (resolve.go `parseTimestamp`): a Go
 * `time.Time`, in UTC or, with a non-zero offset, in a zone that has only that offset.
 */
export class GoTime {
    constructor(
        readonly year: number,
        readonly month: number,
        readonly day: number,
        readonly hour: number,
        readonly minute: number,
        readonly second: number,
        /** Nanoseconds. */
        readonly nanos: number,
        /** Minutes east of UTC; 0 is UTC. */
        readonly offset: number,
    ) {}

    private fraction(): string {
        return this.nanos === 0 ? "" : `.${pad(this.nanos, 9).replace(/0+$/, "")}`;
    }

    private zone(colon: boolean): string {
        const sign = this.offset < 0 ? "-" : "+";
        const minutes = Math.abs(this.offset);
        return `${sign}${pad(Math.floor(minutes / 60))}${colon ? ":" : ""}${pad(minutes % 60)}`;
    }

    private clock(): string {
        return `${pad(this.year, 4)}-${pad(this.month)}-${pad(this.day)}`;
    }

    /** `time.Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST` (a zone with only an offset has no name). */
    toString(): string {
        const zone = this.offset === 0 ? "+0000 UTC" : `${this.zone(false)} ${this.zone(false)}`;
        return `${this.clock()} ${pad(this.hour)}:${pad(this.minute)}:${pad(this.second)}${this.fraction()} ${zone}`;
    }

    /** `time.RFC3339Nano`, as yaml.v3 writes a timestamp and encoding/json marshals one. */
    rfc3339Nano(): string {
        return `${this.clock()}T${pad(this.hour)}:${pad(this.minute)}:${pad(this.second)}${this.fraction()}${this.offset === 0 ? "Z" : this.zone(true)}`;
    }
}

/** A whole number as the CLI holds it: a JS number when exact, a bigint beyond 2^53. */
export function goInt(value: bigint): number | bigint {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** `strconv.ParseUint(text, base, 64)` (base 0: the `0b`, `0o`, `0x` and `0` prefixes). */
export function goParseUint(text: string, base: number): bigint | undefined {
    let digits = text;
    if (digits === "") {
        return undefined;
    }
    if (base === 0) {
        base = 10;
        if (digits[0] === "0") {
            const prefix = digits.length >= 3 ? digits[1].toLowerCase() : "";
            base = prefix === "b" ? 2 : prefix === "o" ? 8 : prefix === "x" ? 16 : 8;
            digits = digits.slice(prefix === "b" || prefix === "o" || prefix === "x" ? 2 : 1);
        }
    }
    let value = 0n;
    for (const char of digits) {
        const lower = char.toLowerCase();
        const digit =
            lower >= "0" && lower <= "9" ? lower.charCodeAt(0) - 48 : lower >= "a" && lower <= "z" ? lower.charCodeAt(0) - 87 : 99;
        if (digit >= base) {
            return undefined;
        }
        value = value * BigInt(base) + BigInt(digit);
        if (value > uint64Max) {
            return undefined;
        }
    }
    return value;
}

/** `strconv.ParseInt(text, base, 64)`. */
export function goParseInt(text: string, base: number): bigint | undefined {
    const negative = text[0] === "-";
    const unsigned = goParseUint(text[0] === "-" || text[0] === "+" ? text.slice(1) : text, base);
    if (unsigned === undefined) {
        return undefined;
    }
    const value = negative ? -unsigned : unsigned;
    return value >= int64Min && value <= int64Max ? value : undefined;
}

/** `strconv.ParseFloat(text, 64)` for the decimal forms yaml.v3 hands it; undefined when out of range. */
export function goParseFloat(text: string): number | undefined {
    if (!/^[-+]?(\.\d+|\d+(\.\d*)?)([eE][-+]?\d+)?$/.test(text)) {
        return undefined;
    }
    const value = Number(text);
    return Number.isFinite(value) ? value : undefined;
}

/** `strconv.Atoi`: an optional sign and decimal digits, within 64 bits. */
export function isGoInteger(text: string): boolean {
    if (!/^[+-]?\d+$/.test(text)) {
        return false;
    }
    const value = BigInt(text);
    return value >= int64Min && value <= int64Max;
}

/** A map as yaml.v3 gives one (not a list, not a timestamp). */
export function isObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof GoTime);
}

/** fmt's `%T` of a value yaml.v3 gives. */
export function goTypeName(value: unknown): string {
    if (value === null || value === undefined) return "<nil>";
    if (typeof value === "boolean") return "bool";
    if (isGoUint64(value)) return "uint64";
    if (typeof value === "bigint") return "int";
    if (typeof value === "number") return Number.isInteger(value) ? "int" : "float64";
    if (value instanceof GoTime) return "time.Time";
    if (Array.isArray(value)) return "[]interface {}";
    return typeof value === "string" ? "string" : "map[string]interface {}";
}

/** The JSON type a value is, as the CLI's messages name it (a timestamp is its own). */
export function jsonType(value: unknown): string {
    if (value === null) return "null";
    if (Array.isArray(value)) return "array";
    if (value instanceof GoTime) return "timestamp";
    if (typeof value === "bigint") return "integer";
    if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
    return typeof value;
}

/** Whether a value is a Go `int` as yaml.v3 gives one (a whole number within 64-bit signed). */
export function isGoInt(value: unknown): boolean {
    return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "bigint" && value >= int64Min && value <= int64Max);
}

/** Whether a value is a Go `uint64` (yaml.v3 gives one beyond 64-bit signed). */
export function isGoUint64(value: unknown): boolean {
    return typeof value === "bigint" && value > int64Max;
}

/** Sets a member as a plain data property, whatever its name (`__proto__` included). */
export function defineKey(target: Record<string, unknown>, key: string, value: unknown): void {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A copy of a parsed value (timestamps are immutable and kept). */
export function cloneValue<T>(value: T): T {
    if (Array.isArray(value)) {
        return value.map(cloneValue) as T;
    }
    if (isObject(value)) {
        const out: Record<string, unknown> = {};
        for (const [key, inner] of Object.entries(value)) {
            defineKey(out, key, cloneValue(inner));
        }
        return out as T;
    }
    return value;
}
