import type { CostEstimate } from "../cost";
import { priceOf } from "../cost/price-table";
import { usdChangeText, usdText } from "../cost/text";
import type { MonthlyUsd } from "./hazards";

/**
 * The cost side of a plan diff, from the cost estimates of both sides: what a resource costs a
 * month (for the capacity hazard), and the stack's monthly total before and after.
 */

/** A unit of an API Management tier at list price, when the table has the tier. */
export function unitPrice(tier: string): number | undefined {
    try {
        return priceOf(`apiManagement.${tier}.unit`).price;
    } catch {
        return undefined;
    }
}

/** A resource's monthly cost before and after a change, from the two estimates (at autoscale's minimum). */
export function monthlyUsdOf(before: CostEstimate | undefined, after: CostEstimate): MonthlyUsd {
    const byUrn = (estimate: CostEstimate | undefined) =>
        new Map((estimate?.lines ?? []).flatMap((line) => line.urns.map((urn) => [urn, line.monthlyUsd] as const)));
    const sides = { before: byUrn(before), after: byUrn(after) };
    return (side, urn) => sides[side].get(urn);
}

/** The lines a diff shows about the monthly total: before and after, and the difference. */
export function costChange(before: CostEstimate | undefined, after: CostEstimate): string[] {
    const total = (estimate: CostEstimate) => usdText(estimate.total.monthlyUsd, estimate.total.maxMonthlyUsd);
    if (!before) {
        return [
            `Monthly cost at list prices: ${total(after)} USD (an estimate, not verified against the live price list; \`npm run cost -- ${after.stack}\` itemizes it).`,
        ];
    }
    const change = usdChangeText(after.total.monthlyUsd - before.total.monthlyUsd);
    return [
        `Monthly cost at list prices: ${total(before)} → ${total(after)} USD (${change}; an estimate, not verified against the live price list; \`npm run cost -- ${after.stack}\` itemizes it).`,
    ];
}
