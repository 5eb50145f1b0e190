import type { StackRun } from "../../engine";
import { estimateCost } from "../cost";
import type { CostVolumes } from "../cost/types";
import { costChange, monthlyUsdOf } from "./diff-cost";
import type { DiffReport } from "./diff-render";
import { planGraph, runOfGraph, type PlanGraph } from "./graph";
import { hazardsOf } from "./hazards";
import { noEffectWarnings } from "./no-effect";
import { diffPlans } from "./plan-diff";

/** What a pull-request diff is made from: the base (its plan, how to name it, its stack file's volumes) and the head's run. */
export interface DiffInputs {
    base: { graph: PlanGraph; label: string; note?: string; volumes?: CostVolumes };
    head: StackRun;
    /** The head stack file's cost volumes. */
    volumes: CostVolumes;
}

/**
 * The diff of a head run against a base plan, with its hazards, its cost change and the settings
 * that have no effect: what `npm run plan -- <stack> --diff <base>` prints, and what the docs'
 * sample is generated from (scripts/docs.ts).
 */
export function diffReportOf({ base, head, volumes }: DiffInputs): DiffReport {
    const estimate = estimateCost(head, volumes);
    const diff = diffPlans(base.graph, planGraph(head));
    const existing = base.graph.resources.length > 0;
    // The base priced with its own stack file's volumes (a saved plan has none: the head's).
    const baseEstimate = existing ? estimateCost(runOfGraph(base.graph), base.volumes ?? volumes) : undefined;
    return {
        diff,
        hazards: hazardsOf(diff, { existing, monthlyUsd: monthlyUsdOf(baseEstimate, estimate) }),
        base: { label: base.label, note: base.note },
        cost: costChange(baseEstimate, estimate),
        warnings: noEffectWarnings(diff),
    };
}
