import type { StackConfig } from "../../stacks/config";

/** The monthly volumes the usage-based lines are priced with: the stack's `cost` config. */
export type CostVolumes = StackConfig["cost"];

/** One line of an estimate: a resource (or several priced together) and what it costs a month. */
export interface CostLine {
    /** URN of the resource priced; the first one when the line prices several. */
    readonly urn: string;
    /** URNs of every resource the line prices. */
    readonly urns: readonly string[];
    /** Logical name(s) of the resource(s). */
    readonly name: string;
    /** Type token, such as `azure-native:apimanagement:ApiManagementService`. */
    readonly type: string;
    /** What is priced, from the resource's inputs: "2-6 Premium units in westeurope (autoscale) + 2 in swedencentral". */
    readonly what: string;
    /** USD a month; with autoscale, at its minimum. */
    readonly monthlyUsd: number;
    /** USD a month with autoscale at its maximum; only on a line whose figure is a range. */
    readonly maxMonthlyUsd?: number;
    /** How the figure is made: the prices (with their keys in prices.json), the volumes, what is left out. */
    readonly basis: string;
    /** Keys of the prices used, in `commands/cost/prices.json`. */
    readonly prices: readonly string[];
    /** Whether the figure comes from the `cost.*` volumes rather than from the resource alone. */
    readonly usageBased: boolean;
}

/** A monthly list-price estimate of one stack's run. */
export interface CostEstimate {
    readonly stack: string;
    readonly currency: "USD";
    readonly lines: readonly CostLine[];
    /** The sum of the lines: at autoscale's minimum, and at its maximum (the same without autoscale). */
    readonly total: { readonly monthlyUsd: number; readonly maxMonthlyUsd: number };
    /** The volumes the usage-based lines used. */
    readonly volumes: CostVolumes;
    /** The date the price table was read. */
    readonly pricesReadOn: string;
    /** Always false: the prices are not verified against the live Azure price list. */
    readonly verified: false;
    /** Azure resource types in the run with no price in the table and no rule that they cost nothing of their own. */
    readonly unpriced: ReadonlyArray<{ readonly type: string; readonly count: number; readonly why: string }>;
}
