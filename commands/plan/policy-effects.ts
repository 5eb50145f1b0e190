import { XMLParser } from "fast-xml-parser";

/**
 * What an API Management policy document does to a request, read from its XML for the plan diff's
 * hazards (hazards.ts): per HTTP method, whether the inbound section validates a token before the
 * request goes on, answers it itself (a `<return-response>`: the 405 of a method no access group
 * covers) or lets it through unchecked; and the rate limits and quotas it applies. A hazard then
 * says what changes for a caller, not which elements the text lost.
 *
 * Each document is read alone: a `<base />` stands for the enclosing scope's policy, the same on
 * both sides of a diff, so it changes nothing in a comparison.
 */

/** The methods a request may have (content/catalog/schema.ts `httpMethods`, the access groups' methods). */
export const methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/** The elements that validate a token before the request goes on. */
export const tokenValidators = ["validate-jwt", "validate-azure-ad-token"] as const;

/**
 * What a request of one method meets: `validated` (a token is checked first), `open` (it goes on
 * without a check) or `refused <status>` (the policy answers it: `refused 405 Method Not Allowed`).
 */
export type Outcome = "validated" | "open" | `refused ${string}`;

type Node = Record<string, unknown>;

const tagOf = (node: Node) => Object.keys(node).find((key) => key !== ":@" && key !== "#text" && key !== "#comment");
const childrenOf = (node: Node, tag: string) => (Array.isArray(node[tag]) ? (node[tag] as Node[]) : []);
const attributesOf = (node: Node) => (node[":@"] as Record<string, string> | undefined) ?? {};

/** The elements of a section of a policy document, in order; undefined when the document is not XML or has no such section. */
function section(xml: string, name: string): Node[] | undefined {
    let parsed: Node[];
    try {
        parsed = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: "" }).parse(xml) as Node[];
    } catch {
        return undefined;
    }
    const root = parsed.find((node) => tagOf(node) === "policies");
    const found = root ? childrenOf(root, "policies").find((node) => tagOf(node) === name) : undefined;
    return found ? childrenOf(found, name) : undefined;
}

/**
 * The methods a `<when>` condition tests for (`@(context.Request.Method == "GET" || ...)`), or
 * undefined when it tests something else: such a branch may or may not run.
 */
export function conditionMethods(condition: string): Set<string> | undefined {
    const body = /^@\(([\s\S]*)\)$/.exec(condition.trim().replace(/&quot;/g, '"'))?.[1];
    if (body === undefined) {
        return undefined;
    }
    const found = new Set<string>();
    for (const part of body.split("||")) {
        const match =
            /^\s*context\.Request\.Method\s*==\s*"([A-Za-z]+)"\s*$/.exec(part) ??
            /^\s*"([A-Za-z]+)"\s*==\s*context\.Request\.Method\s*$/.exec(part);
        if (!match) {
            return undefined;
        }
        found.add(match[1]!.toUpperCase());
    }
    return found;
}

/** The outcomes a request of `method` may meet through `nodes`, from each of `states`. */
function run(nodes: readonly Node[], method: string, states: ReadonlySet<Outcome>): Set<Outcome> {
    let current = new Set(states);
    for (const node of nodes) {
        const tag = tagOf(node);
        if (!tag) {
            continue;
        }
        current = new Set([...current].flatMap((state) => (state === "open" ? [...through(node, tag, method)] : [state])));
    }
    return current;
}

/** What one element does to a request that has gone unchecked so far. */
function through(node: Node, tag: string, method: string): Set<Outcome> {
    if ((tokenValidators as readonly string[]).includes(tag)) {
        return new Set(["validated"]);
    }
    if (tag === "return-response") {
        const status = childrenOf(node, tag).find((child) => tagOf(child) === "set-status");
        const { code = "200", reason = "" } = status ? attributesOf(status) : {};
        return new Set<Outcome>([`refused ${`${code} ${reason}`.trim()}`]);
    }
    if (tag !== "choose") {
        return new Set(["open"]);
    }
    const outcomes = new Set<Outcome>();
    const branches = childrenOf(node, tag);
    for (const branch of branches.filter((candidate) => tagOf(candidate) === "when")) {
        const tested = conditionMethods(attributesOf(branch).condition ?? "");
        if (tested && !tested.has(method)) {
            continue;
        }
        run(childrenOf(branch, "when"), method, new Set(["open"])).forEach((outcome) => outcomes.add(outcome));
        if (tested) {
            return outcomes;
        }
    }
    const otherwise = branches.find((candidate) => tagOf(candidate) === "otherwise");
    run(otherwise ? childrenOf(otherwise, "otherwise") : [], method, new Set(["open"])).forEach((outcome) => outcomes.add(outcome));
    return outcomes;
}

/** Per method, what a request meets in the document's inbound section; undefined when the document cannot be read. */
export function methodOutcomes(xml: string): Map<string, Set<Outcome>> | undefined {
    const inbound = section(xml, "inbound");
    if (!inbound) {
        return undefined;
    }
    return new Map(methods.map((method) => [method, run(inbound, method, new Set(["open"]))]));
}

/** A rate limit or a quota the document applies. */
export interface Limit {
    element: string;
    kind: "rate limit" | "quota";
    /** `counter-key` (the `-by-key` elements), "" for the others. */
    counterKey: string;
    /** Calls allowed per period, when a number. */
    calls?: number;
    /** Kilobytes allowed per period (quotas), when a number. */
    bandwidth?: number;
    /** The period in seconds (`renewal-period`), when a number. */
    period?: number;
    /** `calls` and `bandwidth` as written, a number or not (a policy expression, a named value). */
    written: { calls?: string; bandwidth?: string };
}

const limitElements: Readonly<Record<string, Limit["kind"]>> = {
    "rate-limit": "rate limit",
    "rate-limit-by-key": "rate limit",
    quota: "quota",
    "quota-by-key": "quota",
};

const numberOf = (value: string | undefined) => (value !== undefined && /^\d+$/.test(value.trim()) ? Number(value) : undefined);

/** The rate limits and quotas of the inbound section, in document order (in every branch); undefined when the document cannot be read. */
export function limitsOf(xml: string): Limit[] | undefined {
    const inbound = section(xml, "inbound");
    if (!inbound) {
        return undefined;
    }
    const found: Limit[] = [];
    const walk = (nodes: readonly Node[]) => {
        for (const node of nodes) {
            const tag = tagOf(node);
            if (!tag) {
                continue;
            }
            const kind = limitElements[tag];
            if (kind) {
                const attributes = attributesOf(node);
                const calls = numberOf(attributes.calls);
                const bandwidth = numberOf(attributes.bandwidth);
                const period = numberOf(attributes["renewal-period"]);
                found.push({
                    element: tag,
                    kind,
                    counterKey: attributes["counter-key"] ?? "",
                    ...(calls !== undefined ? { calls } : {}),
                    ...(bandwidth !== undefined ? { bandwidth } : {}),
                    ...(period !== undefined ? { period } : {}),
                    written: {
                        ...(attributes.calls !== undefined ? { calls: attributes.calls } : {}),
                        ...(attributes.bandwidth !== undefined ? { bandwidth: attributes.bandwidth } : {}),
                    },
                });
                // A product's <rate-limit> may hold per-API limits: the element's own is what is compared.
                continue;
            }
            walk(childrenOf(node, tag));
        }
    };
    walk(inbound);
    return found;
}

/**
 * The limits of two documents paired: first the same element with the same counter key, in order,
 * then what is left of the same kind, in order. What has no partner on the other side is removed
 * (or added).
 */
export function pairLimits(before: readonly Limit[], after: readonly Limit[]): { pairs: [Limit, Limit][]; removed: Limit[] } {
    const used = new Set<Limit>();
    const pairs: [Limit, Limit][] = [];
    const unpaired: Limit[] = [];
    for (const limit of before) {
        const partner = after.find(
            (candidate) => !used.has(candidate) && candidate.element === limit.element && candidate.counterKey === limit.counterKey,
        );
        if (partner) {
            used.add(partner);
            pairs.push([limit, partner]);
        } else {
            unpaired.push(limit);
        }
    }
    const removed: Limit[] = [];
    for (const limit of unpaired) {
        const partner = after.find((candidate) => !used.has(candidate) && candidate.kind === limit.kind);
        if (partner) {
            used.add(partner);
            pairs.push([limit, partner]);
        } else {
            removed.push(limit);
        }
    }
    return { pairs, removed };
}
