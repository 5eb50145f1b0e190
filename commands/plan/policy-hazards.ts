import type { Hazard } from "./hazards";
import type { PlanDiff, Step } from "./plan-diff";
import { limitsOf, methodOutcomes, methods, pairLimits, tokenValidators, type Limit, type Outcome } from "./policy-effects";
import { text } from "./summaries";

/**
 * The hazards of an API Management policy changed or deleted, said as what changes for a caller
 * (policy-effects.ts reads the documents): a method that loses its token validation, a method the
 * gateway now lets through unchecked or now refuses, a rate limit or quota removed or raised past
 * {@link limitRaiseFactor}. What the documents' meaning does not cover (an IP filter, a header
 * check) is judged by its elements: one fewer is a guard fewer.
 */

/**
 * How far a rate limit or a quota may rise (calls, or kilobytes, per second) before the rise is a
 * hazard: ×10. A limit tuned to what callers need moves by small factors (300 to 600 calls a
 * minute); a rise of more than an order of magnitude (300 to 30,000) means the limit no longer
 * protects the backend it was sized for, whatever the intent.
 */
export const limitRaiseFactor = 10;

const label = (step: Step) => `${step.type} ${step.name}`;

/** Policy elements whose removal opens an API up. */
const guards: Readonly<Record<string, string>> = {
    "validate-jwt": "token validation",
    "validate-azure-ad-token": "token validation",
    "rate-limit": "rate limit",
    "rate-limit-by-key": "rate limit",
    quota: "quota",
    "quota-by-key": "quota",
    "ip-filter": "IP restriction",
    "check-header": "header check",
};

const policyTypes = new Set([
    "azure-native:apimanagement:Policy",
    "azure-native:apimanagement:ApiPolicy",
    "azure-native:apimanagement:ApiOperationPolicy",
    "azure-native:apimanagement:ProductPolicy",
]);

/** The guards a policy document applies, counted. */
function guardCounts(xml: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const element of Object.keys(guards)) {
        const found = xml.match(new RegExp(`<${element}[\\s/>]`, "g"))?.length ?? 0;
        if (found > 0) {
            counts.set(element, found);
        }
    }
    return counts;
}

/** What a policy applies to, as the inputs that name it, and the type of that resource: a policy whose scope is deleted too protects nothing any more. */
const policyScopes: Readonly<Record<string, ReadonlyArray<{ type: string; keys: readonly string[] }>>> = {
    "azure-native:apimanagement:Policy": [{ type: "azure-native:apimanagement:ApiManagementService", keys: ["serviceName"] }],
    "azure-native:apimanagement:ApiPolicy": [{ type: "azure-native:apimanagement:Api", keys: ["serviceName", "apiId"] }],
    "azure-native:apimanagement:ApiOperationPolicy": [
        { type: "azure-native:apimanagement:ApiOperation", keys: ["serviceName", "apiId", "operationId"] },
        { type: "azure-native:apimanagement:Api", keys: ["serviceName", "apiId"] },
    ],
    "azure-native:apimanagement:ProductPolicy": [{ type: "azure-native:apimanagement:Product", keys: ["serviceName", "productId"] }],
};

/** Whether the API, operation, product or service a deleted policy applied to is deleted by the same diff. */
function scopeDeleted(step: Step, diff: PlanDiff): boolean {
    const inputs = step.before!.inputs;
    return (policyScopes[step.type] ?? []).some((scope) =>
        diff.steps.some(
            (other) =>
                other.op === "delete" &&
                other.type === scope.type &&
                scope.keys.every((key) => JSON.stringify(other.before!.inputs[key]) === JSON.stringify(inputs[key])),
        ),
    );
}

/** `GET, HEAD` in the order of {@link methods}. */
const methodList = (found: readonly string[]) => methods.filter((method) => found.includes(method)).join(", ");

/**
 * A method's token validation lost: it was checked on every path before (or refused), and some path
 * now lets it through unchecked; a method the policy refused and now lets through unchecked is
 * said too. A method the policy now refuses (the 405 of a method no access group covers any more)
 * loses nothing, but its callers are turned away: that is said instead.
 */
function tokenHazards(step: Step, before: string, after: string): Hazard[] | undefined {
    const was = methodOutcomes(before);
    const is = methodOutcomes(after);
    if (!was || !is) {
        return undefined;
    }
    const checked = (outcomes: ReadonlySet<Outcome>) => !outcomes.has("open") && outcomes.has("validated");
    const served = (outcomes: ReadonlySet<Outcome>) => outcomes.has("open") || outcomes.has("validated");
    const lost = methods.filter((method) => checked(was.get(method)!) && is.get(method)!.has("open"));
    // Refused on every path before (no access group covered it), now let through without a check.
    const opened = methods.filter((method) => !served(was.get(method)!) && is.get(method)!.has("open"));
    const refused = new Map<string, string[]>();
    for (const method of methods) {
        const now = [...is.get(method)!];
        if (served(was.get(method)!) && now.length === 1 && now[0]!.startsWith("refused ")) {
            const status = now[0]!.slice("refused ".length);
            refused.set(status, [...(refused.get(status) ?? []), method]);
        }
    }
    const validators = tokenValidators.filter((element) => new RegExp(`<${element}[\\s/>]`).test(before));
    return [
        ...(lost.length > 0
            ? [
                  {
                      kind: "policy" as const,
                      resource: label(step),
                      message: `the policy loses token validation (${validators.map((element) => `<${element}>`).join(", ")}) for ${methodList(lost)}`,
                  },
              ]
            : []),
        ...(opened.length > 0
            ? [
                  {
                      kind: "policy" as const,
                      resource: label(step),
                      message: `the policy now lets ${methodList(opened)} through without token validation (it refused ${opened.length === 1 ? "it" : "them"} before)`,
                  },
              ]
            : []),
        ...[...refused].map(([status, refusedMethods]) => ({
            kind: "policy" as const,
            resource: label(step),
            message: `the policy now answers ${methodList(refusedMethods)} with ${status}: their callers are refused`,
        })),
    ];
}

const thousands = (value: number) => value.toLocaleString("en-US");

/** `300 calls per 60 s`, `10,000 KB per 86,400 s`. */
function limitText(limit: Limit, measure: "calls" | "bandwidth"): string {
    const amount = `${thousands(limit[measure]!)}${measure === "calls" ? " calls" : " KB"}`;
    return limit.period !== undefined ? `${amount} per ${thousands(limit.period)} s` : amount;
}

/** A rate limit or quota removed, or raised by more than {@link limitRaiseFactor} (per second, so a longer period counts). */
function limitHazards(step: Step, before: string, after: string): Hazard[] | undefined {
    const was = limitsOf(before);
    const is = limitsOf(after);
    if (!was || !is) {
        return undefined;
    }
    const hazard = (message: string): Hazard => ({ kind: "policy", resource: label(step), message });
    const { pairs, removed } = pairLimits(was, is);
    const measured = (limit: Limit) => (["calls", "bandwidth"] as const).filter((measure) => limit[measure] !== undefined);
    const amounts = (limit: Limit) => {
        const measures = measured(limit).map((measure) => limitText(limit, measure));
        return measures.length > 0 ? `: ${measures.join(", ")}` : "";
    };
    const raised = ([old, now]: [Limit, Limit]): Hazard[] =>
        measured(old).flatMap((measure) => {
            if (now[measure] === undefined) {
                // Still set, but not to a number (a policy expression, a named value): it cannot be judged.
                return now.written[measure] !== undefined
                    ? []
                    : [hazard(`the ${old.kind} (<${now.element}>) no longer limits ${measure} (${limitText(old, measure)} before)`)];
            }
            if (old.period === undefined || now.period === undefined || old[measure] === 0) {
                return [];
            }
            const factor = now[measure]! / now.period / (old[measure]! / old.period);
            if (factor <= limitRaiseFactor) {
                return [];
            }
            const from = old.period === now.period ? thousands(old[measure]!) : limitText(old, measure);
            const times = thousands(Math.round(factor * 10) / 10);
            return [
                hazard(
                    `the ${old.kind} (<${now.element}>) goes from ${from} to ${limitText(now, measure)}: ×${times}, more than ×${limitRaiseFactor}`,
                ),
            ];
        });
    return [
        ...removed.map((limit) => hazard(`the policy loses its ${limit.kind} (<${limit.element}>${amounts(limit)})`)),
        ...pairs.flatMap(raised),
    ];
}

/**
 * The hazards of a policy updated, replaced or deleted: what changes for the requests it sees
 * (tokenHazards, limitHazards), then the other guards by their elements. A deleted policy loses
 * every guard it had, unless the API, operation, product or service it applied to goes with it.
 */
export function policyHazards(step: Step, diff: PlanDiff): Hazard[] {
    if (!policyTypes.has(step.type) || !step.before) {
        return [];
    }
    const beforeXml = text(step.before.inputs.value);
    if (step.op === "delete") {
        // The policy goes, its API (operation, product, service) stays: what it guarded is open.
        if (scopeDeleted(step, diff)) {
            return [];
        }
        return [...guardCounts(beforeXml).keys()].map((element) => ({
            kind: "policy" as const,
            resource: label(step),
            message: `the policy is deleted, and with it ${guards[element]} (<${element}>)`,
        }));
    }
    const afterXml = step.after ? text(step.after.inputs.value) : "";
    const tokens = tokenHazards(step, beforeXml, afterXml);
    const limits = limitHazards(step, beforeXml, afterXml);
    // What the documents' meaning does not cover (or a document that cannot be read): an element fewer is a guard fewer.
    const before = guardCounts(beforeXml);
    const after = guardCounts(afterXml);
    const judged = new Set([
        ...(tokens ? tokenValidators : []),
        ...(limits ? Object.keys(guards).filter((element) => /^(rate-limit|quota)/.test(element)) : []),
    ]);
    const weakened = [...before.entries()]
        .filter(([element, count]) => !judged.has(element) && (after.get(element) ?? 0) < count)
        .map(([element]) => element);
    return [
        ...(tokens ?? []),
        ...(limits ?? []),
        ...weakened.map((element) => ({
            kind: "policy" as const,
            resource: label(step),
            message: `the policy loses ${guards[element]} (<${element}>)`,
        })),
    ];
}
