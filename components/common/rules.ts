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

/** The problem of one IPv4 range, if it is not one. */
export function ipv4RangeEntryProblems(range: unknown): Problem[] {
    return isIpv4Range(range) ? [] : [{ path: [], message: `${shown(range)} is not an IPv4 range (allowed: ${ipv4RangeAllowed})` }];
}

/** The problems of a list of IPv4 ranges, at `[i]` for each bad entry. */
export function ipv4RangeProblems(ranges: readonly unknown[]): Problem[] {
    return eachProblems(ranges, ipv4RangeEntryProblems);
}
