import * as pulumi from "@pulumi/pulumi";
/**
 * Rules more than one component checks, and the config with them: pure functions, no resources.
 * Components import from here, never from each other. A problem is a path inside the arguments
 * (`allowedIpRanges[1]`) and a message `what is wrong (allowed: ...)`; each entry point puts its
 * own prefix in front of the path (`secrets.` in the stack config). The rules on single values
 * (DNS labels, dates, URLs...) are in `values.ts`.
 */

/** A problem at a path inside some arguments. */
export interface Problem {
    readonly path: readonly (string | number)[];
    readonly message: string;
}

/**
 * `additionalLocations[0].capacity`: a path as every message shows it (the stack config's, the
 * components', the API catalog's). A number is a list index; a text part is a key, put after a dot.
 */
export function formatPath(path: readonly PropertyKey[]): string {
    return path.reduce<string>(
        (text, part) => (typeof part === "number" ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)),
        "",
    );
}

/** `path: message` lines, each path after `prefix`. */
export function problemLines(problems: readonly Problem[], prefix: readonly (string | number)[] = []): string[] {
    return problems.map((problem) => `${formatPath([...prefix, ...problem.path])}: ${problem.message}`);
}

/** The problems of each entry of a list under one rule, each at `[i]` in front of its own path. */
export function eachProblems(values: readonly unknown[], rule: (value: unknown) => Problem[]): Problem[] {
    return values.flatMap((value, i) => rule(value).map((problem) => ({ path: [i, ...problem.path], message: problem.message })));
}

/** A value as a message shows it: JSON, cut at 60 characters. */
export function shown(value: unknown): string {
    if (value === undefined) {
        return "nothing";
    }
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The message of a key that is not one of `allowed` (an object that takes only known keys). */
export function unknownKeyMessage(allowed: readonly string[]): string {
    return `unknown key (allowed: ${allowed.join(", ")})`;
}

const ipv4Range = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/;

/** What an IPv4 range may look like, for messages. */
export const ipv4RangeAllowed = "an IPv4 address or CIDR range such as 203.0.113.0/24";

/** Whether a value is an IPv4 address or a CIDR range (`203.0.113.7`, `203.0.113.0/24`). */
export function isIpv4Range(value: unknown): value is string {
    const match = typeof value === "string" ? ipv4Range.exec(value) : null;
    return !!match && match.slice(1, 5).every((octet) => Number(octet) <= 255) && (match[5] === undefined || Number(match[5]) <= 32);
}

/** A range as numbers: its first address and its prefix length. */
function rangeOf(range: string): { first: number; prefix: number; base: number } {
    const [address, prefixText] = range.split("/");
    const value = address!.split(".").reduce((sum, octet) => sum * 256 + Number(octet), 0);
    const prefix = prefixText === undefined ? 32 : Number(prefixText);
    const size = 2 ** (32 - prefix);
    return { first: value - (value % size), prefix, base: value };
}

/** `a.b.c.d` from a 32-bit number. */
function addressOf(value: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/**
 * Ranges a firewall of a public endpoint (a vault's, a workflow's) never sees callers from: the
 * private networks of RFC 1918, which Azure refuses in IP rules ("IP network rules are only
 * allowed for public IP addresses. IP address ranges reserved for private networks (as defined in
 * RFC 1918) aren't allowed in IP rules", learn.microsoft.com/azure/key-vault/general/
 * network-security), and the other ranges no internet caller has (RFC 6890).
 */
const unreachableRanges: ReadonlyArray<[string, string]> = [
    ["0.0.0.0/8", "the 'this network' range (RFC 6890)"],
    ["10.0.0.0/8", "a private range (RFC 1918)"],
    ["100.64.0.0/10", "the shared address space of carrier-grade NAT (RFC 6598)"],
    ["127.0.0.0/8", "the loopback range"],
    ["169.254.0.0/16", "the link-local range"],
    ["172.16.0.0/12", "a private range (RFC 1918)"],
    ["192.168.0.0/16", "a private range (RFC 1918)"],
];

/** Whether range `a` and range `b` share an address. */
function overlap(a: { first: number; prefix: number }, b: { first: number; prefix: number }): boolean {
    const wider = a.prefix <= b.prefix ? a : b;
    const narrower = wider === a ? b : a;
    return narrower.first - (narrower.first % 2 ** (32 - wider.prefix)) === wider.first;
}

/**
 * The problem of one IPv4 range of a public endpoint's firewall: not a range; a range wider than
 * a /8, which admits millions (0.0.0.0/0 admits everyone); host bits set (`203.0.113.77/24`, which
 * the firewall reads as 203.0.113.0/24); or a range no internet caller comes from (a private one).
 */
export function ipv4RangeEntryProblems(range: unknown): Problem[] {
    if (!isIpv4Range(range)) {
        return [{ path: [], message: `${shown(range)} is not an IPv4 range (allowed: ${ipv4RangeAllowed})` }];
    }
    const parsed = rangeOf(range);
    if (parsed.prefix < 8) {
        return [
            {
                path: [],
                message: `${shown(range)} admits ${parsed.prefix === 0 ? "every address on the internet" : `${(2 ** (32 - parsed.prefix)).toLocaleString("en")} addresses`}, which leaves the firewall open (allowed: your own public ranges, a /8 or narrower)`,
            },
        ];
    }
    if (parsed.first !== parsed.base) {
        const network = `${addressOf(parsed.first)}/${parsed.prefix}`;
        return [
            {
                path: [],
                message: `${shown(range)} has host bits set; a firewall reads it as ${network} (allowed: ${network}, or ${range.split("/")[0]} for that one address)`,
            },
        ];
    }
    const unreachable = unreachableRanges.find(([reserved]) => overlap(parsed, rangeOf(reserved)));
    if (unreachable) {
        return [
            {
                path: [],
                message: `${shown(range)} is ${unreachable[1]}: the firewall of a public endpoint sees callers' public addresses, so it admits nobody from it (allowed: public addresses, such as your network's egress range)`,
            },
        ];
    }
    return [];
}

/** Each valid range of a list that overlaps an earlier valid one, at its `[i]`. */
export function ipv4OverlapProblems(ranges: readonly unknown[]): Problem[] {
    const valid = ranges
        .map((range, index) => ({ range, index }))
        .filter(({ range }) => ipv4RangeEntryProblems(range).length === 0) as Array<{ range: string; index: number }>;
    return valid.flatMap(({ range, index }, position) => {
        const earlier = valid.slice(0, position).find((other) => overlap(rangeOf(other.range), rangeOf(range)));
        return earlier
            ? [
                  {
                      path: [index],
                      message: `${shown(range)} overlaps [${earlier.index}] ${shown(earlier.range)} (allowed: ranges that do not overlap; keep the wider one)`,
                  },
              ]
            : [];
    });
}

/** The problems of a list of IPv4 ranges, at `[i]`: each bad entry, and each range that overlaps an earlier one. */
export function ipv4RangeProblems(ranges: readonly unknown[]): Problem[] {
    return [...eachProblems(ranges, ipv4RangeEntryProblems), ...ipv4OverlapProblems(ranges)].sort(
        (a, b) => Number(a.path[0]) - Number(b.path[0]),
    );
}

/**
 * A component's arguments that it cannot be created with: every problem at once, each naming its
 * argument. A Pulumi `RunError`, so `pulumi preview` and the plan print it without a stack trace.
 */
export class ArgumentsError extends pulumi.RunError {
    constructor(
        readonly component: string,
        readonly problems: readonly string[],
    ) {
        super(
            `The ${component} component's arguments have ${problems.length === 1 ? "a problem" : `${problems.length} problems`}:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`,
        );
        this.name = "ArgumentsError";
    }
}

/** One issue of a schema library (zod's shape), as far as its wording goes. */
export interface SchemaIssue {
    readonly code: string;
    readonly message: string;
    readonly expected?: unknown;
    readonly values?: readonly unknown[];
    readonly origin?: string;
    readonly minimum?: unknown;
    readonly maximum?: unknown;
}

/** `a string`, `an array`, `a number`. */
function article(what: string): string {
    const noun = what === "array" ? "list" : what === "record" || what === "object" ? "map" : what;
    return `${/^[aeiou]/.test(noun) ? "an" : "a"} ${noun}`;
}

/**
 * An issue in the project's words: the schema's own message when a field's rule wrote one, and
 * otherwise its default ("Invalid input: expected string, received undefined") translated into
 * `is missing (allowed: a string)`, so no message a user reads is the library's.
 */
export function schemaIssueMessage(issue: SchemaIssue): string {
    if (
        !/^(Invalid input|Invalid option|Invalid string|Invalid element|Invalid key|Too small|Too big|Unrecognized key)/.test(issue.message)
    ) {
        return issue.message;
    }
    const expected = typeof issue.expected === "string" ? issue.expected : "value";
    switch (issue.code) {
        case "invalid_type":
            return /received undefined/.test(issue.message)
                ? `is missing (allowed: ${article(expected)})`
                : `is not ${article(expected)} (allowed: ${article(expected)})`;
        case "invalid_value":
            return `is not one of the values this key takes (allowed: ${(issue.values ?? []).map((value) => JSON.stringify(value)).join(", ")})`;
        case "too_small":
        case "too_big": {
            const bound = issue.code === "too_small" ? `at least ${String(issue.minimum)}` : `at most ${String(issue.maximum)}`;
            const unit = issue.origin === "string" ? " characters" : issue.origin === "array" ? " entries" : "";
            return `is ${issue.code === "too_small" ? "too short or small" : "too long or large"} (allowed: ${bound}${unit})`;
        }
        case "invalid_format":
            return "does not have the form this key takes (see docs/config-reference.md)";
        default:
            return "is not valid here (see docs/config-reference.md for this key)";
    }
}

/** Levenshtein distance between two names. */
export function nameDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length]!;
}

/** The name of `names` closest to `wanted`, within `within` edits, for "did you mean"; undefined when none is that close. */
export function closestName(wanted: string, names: readonly string[], within = 2): string | undefined {
    let best: string | undefined;
    let bestDistance = within + 1;
    for (const name of [...names].sort()) {
        const distance = nameDistance(wanted, name);
        if (distance < bestDistance) {
            best = name;
            bestDistance = distance;
        }
    }
    return best;
}
