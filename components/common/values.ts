import { shown, unknownKeyMessage, type Problem } from "./rules";

/**
 * The rules on single values that the stack config and the components both check, each defined
 * once: a pure function from the value to its problems (`[]` when it is fine), each problem at a
 * path inside the value (`[]` for the value itself) with the message `<value> <what is wrong>
 * (allowed: ...)`, and the `allowed` wording the rule's messages end with. The config applies them
 * through `stacks/config/fields.ts` (`ruled`, `ruleIssues`), a component through its
 * `validate*Args` (`problemLines`, `eachProblems`), so both say the same at the same path.
 */

/** A problem of the value itself: `<value> <what> (allowed: <allowed>)`. */
function refused(value: unknown, what: string, allowed: string): Problem[] {
    return [{ path: [], message: `${shown(value)} ${what} (allowed: ${allowed})` }];
}

/** A whole number within `min`-`max`, in `unit`: not a whole number, or out of range. */
function wholeNumberProblems(value: unknown, min: number, max: number, unit: string, allowed: string): Problem[] {
    if (typeof value !== "number" || !Number.isInteger(value)) {
        return refused(value, "is not a whole number", allowed);
    }
    return value >= min && value <= max ? [] : refused(value, `${unit} is out of range`, allowed);
}

// DNS

const label = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** What a DNS label (one part of a host name, such as a host's label in the zone) may be. */
export const dnsLabelAllowed = "1-63 lower-case letters, digits and hyphens, not starting or ending with a hyphen, such as api or api-dev";

/** A DNS label: `api`, `api-dev`. */
export function dnsLabelProblems(value: unknown): Problem[] {
    return typeof value === "string" && label.test(value) ? [] : refused(value, "is not a DNS label", dnsLabelAllowed);
}

/** A fully qualified DNS name such as `contoso.com` or `api.contoso.com`: two or more labels, 253 characters at most, the last with a letter. */
export function isDnsName(value: unknown): value is string {
    if (typeof value !== "string" || value.length > 253) {
        return false;
    }
    const labels = value.split(".");
    return labels.length >= 2 && labels.every((part) => label.test(part)) && /[a-z]/.test(labels[labels.length - 1]!);
}

/** What a DNS zone's name may be. */
export const dnsZoneNameAllowed = "a DNS zone such as contoso.com: two or more lower-case labels of letters, digits and hyphens";

/** The name of a DNS zone. */
export function dnsZoneNameProblems(value: unknown): Problem[] {
    return isDnsName(value) ? [] : refused(value, "is not a DNS zone name", dnsZoneNameAllowed);
}

/** What a custom host's name may be. */
export const hostNameAllowed = "a fully qualified name such as api.contoso.com";

/** A fully qualified host name (a label in a zone). */
export function hostNameProblems(value: unknown): Problem[] {
    return isDnsName(value) ? [] : refused(value, "is not a host name", hostNameAllowed);
}

/** What a DNS record's TTL may be. */
export const ttlAllowed = "1-86400 seconds";

/** Seconds resolvers may cache a record. */
export function ttlProblems(value: unknown): Problem[] {
    return wholeNumberProblems(value, 1, 86400, "seconds", ttlAllowed);
}

// Custom hosts

/** The custom hosts: gateway, developer portal and management endpoint. */
export const hostKinds = ["gateway", "portal", "management"] as const;
export type HostKind = (typeof hostKinds)[number];

/** The host kinds, as messages list them. */
export const hostKindsAllowed = hostKinds.join(", ");

/** A host kind given as a value (`managedCertificates.hosts: [gateway]`). */
export function hostKindProblems(value: unknown): Problem[] {
    return (hostKinds as readonly unknown[]).includes(value) ? [] : refused(value, "is not a host kind", hostKindsAllowed);
}

/** Host kinds given as keys (`hosts: { gateway: ... }`): each other key, at its own path. */
export function hostKeyProblems(record: object): Problem[] {
    return Object.keys(record)
        .filter((key) => !(hostKinds as readonly string[]).includes(key))
        .map((key) => ({ path: [key], message: unknownKeyMessage(hostKinds) }));
}

/** The hosts' labels in one zone, by kind: each its own (a label used twice is reported at the later kind). */
export function hostLabelProblems(labels: Readonly<Partial<Record<HostKind, string>>>): Problem[] {
    const entries = hostKinds.flatMap((kind) => (labels[kind] === undefined ? [] : [[kind, labels[kind]] as const]));
    return entries.flatMap(([kind, value], i) => {
        const first = entries.find(([, other]) => other === value)!;
        return entries.indexOf(first) < i
            ? [{ path: [kind], message: `${shown(value)} is also the ${first[0]} host (allowed: a label of its own)` }]
            : [];
    });
}

// Monitoring

/** Days Log Analytics may keep data. */
export const logRetentionAllowed = "30-730 days";

/** Days Log Analytics keeps data. */
export function logRetentionProblems(value: unknown): Problem[] {
    return wholeNumberProblems(value, 30, 730, "days", logRetentionAllowed);
}

/** What the share of requests traced may be. */
export const samplingPercentageAllowed = "0-100";

/** The share of requests traced to Application Insights, in percent. */
export function samplingPercentageProblems(value: unknown): Problem[] {
    return typeof value === "number" && value >= 0 && value <= 100 ? [] : refused(value, "is not a percentage", samplingPercentageAllowed);
}

// The HTML5 address rule, as zod's `z.email()` applies it.
const email = /^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;

/** What an e-mail address may be. */
export const emailAllowed = "an address such as api-team@contoso.com";

/** An e-mail address (the publisher's, an alert recipient's). */
export function emailProblems(value: unknown): Problem[] {
    return typeof value === "string" && email.test(value) ? [] : refused(value, "is not an e-mail address", emailAllowed);
}

// Dates

/** What a date may be. */
export const dateAllowed = "a calendar date such as 2027-06-30 (YYYY-MM-DD)";

/** Whether a value is a real calendar date written `YYYY-MM-DD` (`2027-02-30` is not). */
export function isCalendarDate(value: unknown): value is string {
    const match = typeof value === "string" ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
    if (!match) {
        return false;
    }
    const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
    const date = new Date(Date.UTC(year, month - 1, day));
    return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A date such as a secret's expiry. */
export function dateProblems(value: unknown): Problem[] {
    return isCalendarDate(value) ? [] : refused(value, "is not a date", dateAllowed);
}

// Backups

/** Days API Management's backups live: a backup kept longer is of no use. */
export const maximumRetentionDays = 30;

/** What a backup's retention may be. */
export const backupRetentionAllowed = `1-${maximumRetentionDays} days`;

/** Days a backup is kept before it is deleted. */
export function backupRetentionProblems(value: unknown): Problem[] {
    if (typeof value !== "number" || !Number.isInteger(value)) {
        return refused(value, "is not a whole number", backupRetentionAllowed);
    }
    if (value < 1) {
        return refused(value, "keeps no backup for a day", backupRetentionAllowed);
    }
    return value > maximumRetentionDays
        ? refused(value, `is longer than backups live (they expire after ${maximumRetentionDays} days)`, backupRetentionAllowed)
        : [];
}

// URLs

/** What a browser origin allowed to call the APIs (CORS) may be. */
export const corsOriginAllowed = "https://host[:port] in lower case, no path";

/** A CORS origin: an exact https origin, never a wildcard. */
export function corsOriginProblems(value: unknown): Problem[] {
    if (typeof value === "string" && value.includes("*")) {
        return refused(
            value,
            "would let any site call the APIs with its users' tokens",
            "exact https origins such as https://app.contoso.com",
        );
    }
    return typeof value === "string" && /^https:\/\/[a-z0-9.-]+(:\d{1,5})?$/.test(value)
        ? []
        : refused(value, "is not an https origin", corsOriginAllowed);
}

/** What a backend's URL may be. */
export const httpsUrlAllowed = "an https URL such as https://inventory.contoso.com/api, without query or fragment, at most 2000 characters";

/** An https URL such as a backend's base URL. */
export function httpsUrlProblems(value: unknown): Problem[] {
    const valid = typeof value === "string" && value.length <= 2000 && /^https:\/\/[a-z0-9.-]+(:\d{1,5})?(\/[^\s?#]*)?$/i.test(value);
    return valid ? [] : refused(value, "is not an https URL", httpsUrlAllowed);
}

/** What the API application's identifier URI may be. */
export const identifierUriAllowed = "api://<name>, or an https URL on a verified domain of the tenant, at most 200 characters";

/** The identifier URI of an Entra ID application. */
export function identifierUriProblems(value: unknown): Problem[] {
    const valid =
        typeof value === "string" &&
        value.length <= 200 &&
        /^(api:\/\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*|https:\/\/[a-z0-9.-]+(\/[A-Za-z0-9._-]+)*)$/.test(value);
    return valid ? [] : refused(value, "is not an identifier URI", identifierUriAllowed);
}

/** What a federated credential's issuer may be. */
export const issuerAllowed =
    "the https issuer URL of the external identity provider, such as https://token.actions.githubusercontent.com, at most 300 characters";

/** The issuer of an external identity provider (a federated credential's). */
export function issuerProblems(value: unknown): Problem[] {
    return typeof value === "string" && value.length <= 300 && /^https:\/\/\S+$/.test(value)
        ? []
        : refused(value, "is not an https URL", issuerAllowed);
}

// Regions

/** Availability zones a region may name. */
export const availabilityZones = ["1", "2", "3"] as const;

/** The availability zones, as messages list them. */
export const availabilityZoneAllowed = '"1", "2" or "3"';

/** An availability zone. */
export function availabilityZoneProblems(value: unknown): Problem[] {
    return (availabilityZones as readonly unknown[]).includes(value)
        ? []
        : refused(value, "is not an availability zone", availabilityZoneAllowed);
}
