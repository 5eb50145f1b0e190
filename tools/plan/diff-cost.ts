import type { CostEstimate } from "../cost";
import { priceOf } from "../cost/price-table";
import { usdText } from "../cost/text";
import type { ServiceMonthlyUsd } from "./hazards";

/**
 * The cost side of a plan diff, from the cost estimate's price table: what API Management's units
 * cost a month (for the capacity hazard), and the stack's monthly total before and after.
 */

const record = (value: unknown): Record<string, unknown> => (value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/** A unit of an API Management tier at list price, when the table has the tier. */
export function unitPrice(tier: string): number | undefined {
    try {
        return priceOf(`apiManagement.${tier}.unit`).price;
    } catch {
        return undefined;
    }
}

/** API Management's units at list price: the tier's unit in the primary region, a Premium unit in each additional one. */
export const serviceMonthlyUsd: ServiceMonthlyUsd = (inputs) => {
    const sku = record(inputs.sku);
    const capacity = Number(sku.capacity);
    if (!Number.isFinite(capacity)) {
        return undefined;
    }
    const unit = unitPrice(String(sku.name));
    if (unit === undefined) {
        return undefined;
    }
    const extra = (Array.isArray(inputs.additionalLocations) ? inputs.additionalLocations : []).reduce((sum: number, location) => sum + Number(record(record(location).sku).capacity ?? 1), 0);
    return capacity * unit + (extra > 0 ? extra * priceOf("apiManagement.Premium.additionalRegionUnit").price : 0);
};

/** The lines a diff shows about the monthly total: before and after, and the difference. */
export function costChange(before: CostEstimate | undefined, after: CostEstimate): string[] {
    const total = (estimate: CostEstimate) => usdText(estimate.total.monthlyUsd, estimate.total.maxMonthlyUsd);
    if (!before) {
        return [`Monthly cost at list prices: ${total(after)} USD (an estimate, not verified against the live price list; \`npm run cost -- ${after.stack}\` itemizes it).`];
    }
    const delta = after.total.monthlyUsd - before.total.monthlyUsd;
    const change = Math.abs(delta) < 0.005 ? "no change" : `${delta > 0 ? "+" : "-"}${usdText(Math.abs(delta))} USD`;
    return [`Monthly cost at list prices: ${total(before)} → ${total(after)} USD (${change}; an estimate, not verified against the live price list; \`npm run cost -- ${after.stack}\` itemizes it).`];
}
