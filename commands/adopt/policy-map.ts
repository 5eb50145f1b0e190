import type * as Libxml2 from "libxml2-wasm" with { "resolution-mode": "import" };
import { el, policyDocument } from "../../components/common/policies";
import { policySections } from "../../content/catalog/policy-files";
import { located, withXml } from "../../content/catalog/xml";

/**
 * How an existing policy maps onto the program's: what the gateway generates for every API
 * (components/common/policies.ts `apiPolicy`: a per-subscription rate limit, Entra ID token
 * validation with the roles of each group of methods, the GET cache, the forwarding to the API's
 * backend with its key) is recognised and moved into `api.yaml`; everything else in `inbound`,
 * `outbound` and `on-error` becomes the user's `policy.xml`, in its order, after `<base />`.
 *
 * The rule, element by element (top-level children of each section):
 * - inbound `<rate-limit calls renewal-period>` (without per-API or per-operation children), or
 *   `<rate-limit-by-key>` counted by subscription: `policy.rateLimit`.
 * - inbound `<validate-jwt>` or `<validate-azure-ad-token>`, alone or as the only child of each
 *   `<when>` of a `<choose>`: the program's token check replaces it; the values of its `roles`
 *   claim are the roles `policy.access` requires.
 * - inbound `<cache-lookup>` and outbound `<cache-store duration>`, alone or as the only child of a
 *   `<when>` on GET: `policy.cacheDuration`.
 * - inbound `<set-backend-service backend-id|base-url>`: the API's backend (its URL goes to the
 *   stack's `gateway.backends`).
 * - inbound `<set-header name exists-action="override">` whose value is `{{name}}` and nothing
 *   else, with `name` a Key Vault named value: `backendApiKey.header`.
 * - backend: `<base />` or a bare `<forward-request />` (what the global policy does); anything
 *   else cannot be placed: the program forwards every request once, from the global policy.
 * - Everything else: the user's policy file, as written.
 *
 * Elements before `<base />` move after it (the program's file merges user elements after the
 * generated ones): reported.
 */

export interface MappedPolicy {
    rateLimit?: { calls: number; renewalPeriod: number };
    cacheDuration?: number;
    /** The roles the existing token checks required; empty when there was no check or no roles claim. */
    roles: string[];
    /** Whether the policy validated tokens. */
    validatesTokens: boolean;
    backend?: { backendId?: string; baseUrl?: string };
    backendKey?: { header: string; namedValue: string };
    /** The user's elements, as XML text, by section. */
    user: { inbound: string[]; outbound: string[]; "on-error": string[] };
    /** What moved or was not kept, for the report. */
    notes: string[];
    /** What cannot be adopted at all: the tool stops. */
    refusals: string[];
}

/**
 * API Management's `rawxml` format: a policy document whose policy expressions are not
 * XML-encoded (`@(a < b)`, `@{ ... && ... }`; the 2024-05-01 spec's PolicyContentFormat: "rawxml -
 * The contents are inline and Content type is a non XML encoded policy document"). The
 * expressions are encoded, so the document is XML: `<`, `>` and a bare `&` inside `@(...)` and
 * `@{...}`, in attribute values and element text, and in an attribute its own quote character.
 * C# string and character literals are skipped when matching the brackets.
 */
export function rawXmlToXml(raw: string): string {
    let out = "";
    let i = 0;
    while (i < raw.length) {
        const open = raw[i] === "@" && (raw[i + 1] === "(" || raw[i + 1] === "{") && raw[i - 1] !== "@" ? raw[i + 1] : undefined;
        if (!open) {
            out += raw[i];
            i++;
            continue;
        }
        const close = open === "(" ? ")" : "}";
        let depth = 0;
        let j = i + 1;
        for (; j < raw.length; j++) {
            const c = raw[j]!;
            if (c === '"' || c === "'") {
                // A C# literal: up to its closing quote, escapes skipped (a verbatim @"..." doubles its quotes).
                const verbatim = raw[j - 1] === "@" && c === '"';
                for (j++; j < raw.length; j++) {
                    if (!verbatim && raw[j] === "\\") {
                        j++;
                    } else if (raw[j] === c) {
                        if (verbatim && raw[j + 1] === c) {
                            j++;
                        } else {
                            break;
                        }
                    }
                }
                continue;
            }
            if (c === open) {
                depth++;
            } else if (c === close) {
                depth--;
                if (depth === 0) {
                    break;
                }
            }
        }
        // Inside an attribute, its own quote is encoded too (rawxml leaves `condition="@(x == "y")"`).
        const quote = raw[i - 1] === '"' && raw[i - 2] === "=" ? '"' : raw[i - 1] === "'" && raw[i - 2] === "=" ? "'" : undefined;
        const expression = raw.slice(i, j + 1);
        let encoded = expression
            .replace(/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/g, "&amp;")
            .replace(/</g, "&lt;")
            .replace(/>/g, "&gt;");
        if (quote) {
            encoded = encoded.replaceAll(quote, quote === '"' ? "&quot;" : "&apos;");
        }
        out += encoded;
        i = j + 1;
    }
    return out;
}

const childElements = (node: Libxml2.XmlElement | undefined, lib: typeof Libxml2): Libxml2.XmlElement[] => {
    const children: Libxml2.XmlElement[] = [];
    for (let child = node?.firstChild ?? null; child; child = child.next) {
        if (child instanceof lib.XmlElement) {
            children.push(child);
        }
    }
    return children;
};

const attr = (element: Libxml2.XmlElement, name: string): string | undefined => element.attr(name)?.value;

/** The roles a token check requires: the values of its `roles` claim. */
function rolesOf(check: Libxml2.XmlElement, lib: typeof Libxml2): string[] {
    const claims = childElements(
        childElements(check, lib).find((child) => child.name === "required-claims"),
        lib,
    );
    return claims
        .filter((claim) => claim.name === "claim" && attr(claim, "name") === "roles")
        .flatMap((claim) =>
            childElements(claim, lib)
                .filter((value) => value.name === "value")
                .map((value) => value.content.trim()),
        );
}

const tokenChecks = new Set(["validate-jwt", "validate-azure-ad-token"]);

/** A `<choose>` whose every `<when>` holds one element named like `names`, and no `<otherwise>` or one that only refuses. */
function guarded(element: Libxml2.XmlElement, lib: typeof Libxml2, names: Set<string>): Libxml2.XmlElement[] | undefined {
    if (element.name !== "choose") {
        return undefined;
    }
    const branches = childElements(element, lib);
    const whens = branches.filter((branch) => branch.name === "when");
    const otherwise = branches.filter((branch) => branch.name === "otherwise");
    const inner = whens.map((when) => childElements(when, lib));
    if (whens.length === 0 || inner.some((children) => children.length !== 1 || !names.has(children[0]!.name))) {
        return undefined;
    }
    // The program's own access check answers other methods with 405 in <otherwise>.
    if (otherwise.some((branch) => childElements(branch, lib).some((child) => child.name !== "return-response"))) {
        return undefined;
    }
    return inner.map((children) => children[0]!);
}

const wholeNamedValue = /^\{\{([A-Za-z0-9._-]+)\}\}$/;

/**
 * Maps one existing policy (`file` names it in messages). `keyVaultNamedValues` are the names of the
 * service's Key Vault named values (a backend key must be one).
 */
export async function mapPolicy(file: string, raw: string, keyVaultNamedValues: ReadonlySet<string>): Promise<MappedPolicy> {
    const mapped: MappedPolicy = {
        roles: [],
        validatesTokens: false,
        user: { inbound: [], outbound: [], "on-error": [] },
        notes: [],
        refusals: [],
    };
    const parsed = await withXml(rawXmlToXml(raw), (doc, lib) => {
        const root = doc.root;
        if (root.name !== "policies") {
            mapped.refusals.push(`${file}: the root element is <${root.name}> (allowed: <policies>)`);
            return;
        }
        const section = (name: string) => childElements(root, lib).find((child) => child.name === name);
        const place = (name: "inbound" | "outbound" | "on-error") => {
            const children = childElements(section(name), lib);
            const baseAt = children.findIndex((child) => child.name === "base");
            children.forEach((child, i) => {
                if (child.name === "base") {
                    return;
                }
                if (name === "inbound" && recognisedInbound(child, lib)) {
                    return;
                }
                if (name === "outbound" && recognisedOutbound(child, lib)) {
                    return;
                }
                if (baseAt < 0 || i < baseAt) {
                    mapped.notes.push(
                        `${file}: ${name}: <${child.name}> (line ${child.line}) ran before the wider scopes' policies${baseAt < 0 ? " (the section had no <base />)" : ""}; in policy.xml it runs after <base />, after the gateway's rate limit and token check`,
                    );
                }
                mapped.user[name].push(child.toString());
            });
        };
        const recognisedInbound = (child: Libxml2.XmlElement, lib: typeof Libxml2): boolean => {
            if (child.name === "rate-limit" && childElements(child, lib).length === 0) {
                mapped.rateLimit = { calls: Number(attr(child, "calls")), renewalPeriod: Number(attr(child, "renewal-period")) };
                return true;
            }
            if (
                child.name === "rate-limit-by-key" &&
                /^@\(\s*context\.Subscription\.(Id|Key)\s*\)$/.test(attr(child, "counter-key") ?? "")
            ) {
                mapped.rateLimit = { calls: Number(attr(child, "calls")), renewalPeriod: Number(attr(child, "renewal-period")) };
                return true;
            }
            const checks = tokenChecks.has(child.name) ? [child] : guarded(child, lib, tokenChecks);
            if (checks) {
                mapped.validatesTokens = true;
                mapped.roles.push(...checks.flatMap((check) => rolesOf(check, lib)).filter((role) => !mapped.roles.includes(role)));
                return true;
            }
            const lookup = child.name === "cache-lookup" ? [child] : guarded(child, lib, new Set(["cache-lookup"]));
            if (lookup) {
                return true;
            }
            if (
                child.name === "set-backend-service" &&
                (attr(child, "backend-id") !== undefined || attr(child, "base-url") !== undefined)
            ) {
                const backendId = attr(child, "backend-id");
                const baseUrl = attr(child, "base-url");
                mapped.backend = { ...(backendId !== undefined ? { backendId } : {}), ...(baseUrl !== undefined ? { baseUrl } : {}) };
                return true;
            }
            if (child.name === "set-header" && attr(child, "exists-action") === "override") {
                const values = childElements(child, lib).filter((value) => value.name === "value");
                const reference = values.length === 1 ? wholeNamedValue.exec(values[0]!.content.trim()) : null;
                if (reference && keyVaultNamedValues.has(reference[1]!) && !mapped.backendKey) {
                    mapped.backendKey = { header: attr(child, "name")!, namedValue: reference[1]! };
                    return true;
                }
            }
            return false;
        };
        const recognisedOutbound = (child: Libxml2.XmlElement, lib: typeof Libxml2): boolean => {
            const stores = child.name === "cache-store" ? [child] : guarded(child, lib, new Set(["cache-store"]));
            if (stores) {
                mapped.cacheDuration = Number(attr(stores[0]!, "duration"));
                return true;
            }
            return false;
        };
        place("inbound");
        place("outbound");
        place("on-error");
        for (const child of childElements(section("backend"), lib)) {
            const bare = child.name === "forward-request" && child.attrs.length === 0 && childElements(child, lib).length === 0;
            if (child.name !== "base" && !bare) {
                mapped.refusals.push(backendRefusal(file, child.name, child.line));
            }
        }
    });
    if ("problems" in parsed) {
        mapped.refusals.push(
            ...parsed.problems.map((problem) => `${file}: ${located(problem)} (the policy is not XML even with its expressions encoded)`),
        );
    }
    if (mapped.rateLimit && (!Number.isInteger(mapped.rateLimit.calls) || !Number.isInteger(mapped.rateLimit.renewalPeriod))) {
        mapped.notes.push(`${file}: the rate limit's calls or renewal-period is an expression or missing; not adopted`);
        delete mapped.rateLimit;
    }
    if (mapped.cacheDuration !== undefined && !Number.isInteger(mapped.cacheDuration)) {
        mapped.notes.push(`${file}: the cache-store duration is not a whole number; not adopted`);
        delete mapped.cacheDuration;
    }
    return mapped;
}

/** Whether a policy's user elements hold anything but `<base />`. */
export function hasElements(user: MappedPolicy["user"]): boolean {
    return Object.values(user).some((elements) => elements.length > 0);
}

/**
 * An operation's or a product's policy as the catalog takes a policy file, its user elements by
 * section: rawxml encoded, `<base />` in every section (added first where it was missing, and said
 * in `notes`), `backend` holding `<base />` alone (a bare `<forward-request />` dropped, anything
 * else refused). Undefined when refused.
 */
export async function policyFileSections(
    file: string,
    raw: string,
    notes: string[],
    refusals: string[],
): Promise<MappedPolicy["user"] | undefined> {
    const user: MappedPolicy["user"] = { inbound: [], outbound: [], "on-error": [] };
    const before = refusals.length;
    const parsed = await withXml(rawXmlToXml(raw), (doc, lib) => {
        const root = doc.root;
        if (root.name !== "policies") {
            refusals.push(`${file}: the root element is <${root.name}> (allowed: <policies>)`);
            return;
        }
        for (const name of policySections) {
            const children = childElements(
                childElements(root, lib).find((child) => child.name === name),
                lib,
            );
            if (!children.some((child) => child.name === "base")) {
                notes.push(
                    `${file}: ${name} had no <base />; the policy file adds it first, so the wider scopes' ${name} policies run too`,
                );
            }
            for (const child of children.filter((candidate) => candidate.name !== "base")) {
                if (name !== "backend") {
                    user[name].push(child.toString());
                } else if (child.name !== "forward-request" || child.attrs.length > 0 || child.firstChild) {
                    refusals.push(backendRefusal(file, child.name, child.line));
                }
            }
        }
    });
    if ("problems" in parsed) {
        refusals.push(`${file}: ${located(parsed.problems[0]!)} (the policy is not XML even with its expressions encoded)`);
    }
    return refusals.length === before ? user : undefined;
}

/** Why an element of a policy's `backend` section cannot be adopted. */
export function backendRefusal(file: string, element: string, line: number): string {
    return `${file}: backend: <${element}> (line ${line}) cannot be adopted (allowed: <base /> or a bare <forward-request />; the program forwards every request once, from the global policy: move what it does into inbound, or keep this API out of the adoption)`;
}

/**
 * A policy file of the user's elements, `<base />` first in every section, written by the
 * program's policy builder (components/common/policies.ts): an element keeps its text as the
 * service had it, its first line indented (a policy expression is kept to the character).
 */
export function userPolicyFile(user: MappedPolicy["user"]): string {
    const section = (elements: readonly string[]) => [el("base"), ...elements.map((text) => ({ raw: text.trimStart() }))];
    return `${policyDocument({ inbound: section(user.inbound), backend: section([]), outbound: section(user.outbound), onError: section(user["on-error"]) })}\n`;
}
