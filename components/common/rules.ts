/**
 * Rules more than one component checks, and the config with them: pure functions, no resources.
 * Components import from here, never from each other. A problem is a path inside the arguments
 * (`allowedIpRanges[1]`) and a message `what is wrong (allowed: ...)`; each entry point puts its
 * own prefix in front of the path (`secrets.` in the stack config).
 */

/** A problem at a path inside some arguments. */
export interface Problem {
    readonly path: readonly (string | number)[];
    readonly message: string;
}

/** `additionalLocations[0].capacity`: a path as every message shows it. */
export function formatPath(path: readonly (string | number)[]): string {
    return path.reduce<string>((text, part) => (typeof part === "number" ? `${text}[${part}]` : text ? `${text}.${part}` : part), "");
}

/** `path: message` lines, each path after `prefix`. */
export function problemLines(problems: readonly Problem[], prefix: readonly (string | number)[] = []): string[] {
    return problems.map((problem) => `${formatPath([...prefix, ...problem.path])}: ${problem.message}`);
}

/** A value as a message shows it: JSON, cut at 60 characters. */
export function shown(value: unknown): string {
    if (value === undefined) {
        return "nothing";
    }
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const ipv4Range = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/;

/** What an IPv4 range may look like, for messages. */
export const ipv4RangeAllowed = "an IPv4 address or CIDR range such as 203.0.113.0/24";

/** Whether a value is an IPv4 address or a CIDR range (`203.0.113.7`, `203.0.113.0/24`). */
export function isIpv4Range(value: unknown): value is string {
    const match = typeof value === "string" ? ipv4Range.exec(value) : null;
    return !!match && match.slice(1, 5).every((octet) => Number(octet) <= 255) && (match[5] === undefined || Number(match[5]) <= 32);
}

/** The problems of a list of IPv4 ranges, at `[i]` for each bad entry. */
export function ipv4RangeProblems(ranges: readonly unknown[]): Problem[] {
    return ranges.flatMap((range, i) => (isIpv4Range(range) ? [] : [{ path: [i], message: `${shown(range)} is not an IPv4 range (allowed: ${ipv4RangeAllowed})` }]));
}
