import { createTwoFilesPatch } from "diff";
import type { Hazard } from "./hazards";
import { changeSummary, type Change, type Op, type PlanDiff, type Step } from "./plan-diff";
import { replaceRuleSource } from "./replace-rules";

/**
 * A plan diff for people (Markdown, for a pull-request comment) and for tools (the shape of
 * `pulumi preview --json`).
 */

const symbols: Record<Op, string> = { create: "+", update: "~", replace: "+-", delete: "-" };
/** A value longer than this is cut in the Markdown (`--json` has it whole). */
const maxValueLength = 160;

/** A value as the comment shows it: JSON, cut when long; the plan's markers stay readable. */
function shown(value: unknown): string {
    if (value === undefined) {
        return "(none)";
    }
    const json = JSON.stringify(value);
    return json.length > maxValueLength ? `${json.slice(0, maxValueLength - 1)}…` : json;
}

/** A document that reads better as lines: a policy, or any string of several lines. */
function isDocument(change: Change): boolean {
    const lines = (value: unknown) => (typeof value === "string" ? value.split("\n").length : 0);
    return typeof change.after === "string" && typeof change.before === "string" && (lines(change.before) > 2 || lines(change.after) > 2);
}

/** A multi-line value's change as a unified diff of its lines. */
function documentDiff(change: Change): string {
    const patch = createTwoFilesPatch(`base/${change.path}`, `head/${change.path}`, `${String(change.before)}\n`, `${String(change.after)}\n`, "", "", { context: 3 });
    // Without the `===` line createTwoFilesPatch starts with, and the empty headers' tabs.
    const body = patch
        .split("\n")
        .filter((line) => !/^={10,}$/.test(line))
        .map((line) => line.replace(/\t$/, ""))
        .join("\n")
        .trimEnd();
    const fence = body.includes("```") ? "````" : "```";
    return `${fence}diff\n${body}\n${fence}`;
}

function changeLines(change: Change): string[] {
    const replaces = change.replacedBy ? ` (forces replacement)` : "";
    if (isDocument(change)) {
        return [`  - \`${change.path}\`${replaces}:`, "", ...documentDiff(change).split("\n").map((line) => `    ${line}`), ""];
    }
    return [`  - \`${change.path}\`: \`${shown(change.before)}\` → \`${shown(change.after)}\`${replaces}`];
}

function stepLines(step: Step): string[] {
    const head = `- \`${symbols[step.op]}\` **${step.op}** \`${step.name}\` (\`${step.type}\`)`;
    if (step.op === "replace") {
        const source = replaceRuleSource(step.type);
        return [`${head}: replaced because ${step.replaceReasons.map((reason) => `\`${reason}\``).join(", ")} cannot change in place${source ? ` (${source}; the provider may add its own rules)` : ""}`, ...step.changes.flatMap(changeLines)];
    }
    if (step.op === "update") {
        const protection = step.before && step.after && step.before.protect !== step.after.protect ? [`  - protect: \`${step.before.protect}\` → \`${step.after.protect}\``] : [];
        return [head, ...step.changes.flatMap(changeLines), ...protection];
    }
    return [head];
}

function summaryLine(diff: PlanDiff): string {
    const summary = changeSummary(diff);
    const parts = (["create", "update", "replace", "delete"] as const).filter((op) => summary[op] > 0).map((op) => `${summary[op]} to ${op}`);
    return parts.length === 0 ? `no changes (${summary.same} unchanged)` : `${parts.join(", ")}; ${summary.same} unchanged`;
}

export interface DiffReport {
    diff: PlanDiff;
    hazards: Hazard[];
    /** What the base is (`origin/main (3f2a1c9)`), and why it is empty when it is. */
    base: { label: string; note?: string };
    /** Lines about the monthly cost, when the estimate is known. */
    cost?: string[];
}

/** The Markdown section of one stack, for a pull-request comment. */
export function diffMarkdown(report: DiffReport): string {
    const { diff, hazards } = report;
    const lines = [`### \`${diff.stack}\`: ${summaryLine(diff)}`, "", `Compared with ${report.base.label}${report.base.note ? ` (${report.base.note})` : ""}; offline plan, no Azure call.`, ""];
    if (hazards.length > 0) {
        lines.push("> [!WARNING]", `> **${hazards.length === 1 ? "1 hazard" : `${hazards.length} hazards`}**`, ...hazards.map((hazard) => `> - \`${hazard.resource}\`: ${hazard.message}`), "");
    }
    if (report.cost && report.cost.length > 0) {
        lines.push(...report.cost, "");
    }
    const components = [...new Set(diff.steps.map((step) => step.component))];
    for (const component of components) {
        const steps = diff.steps.filter((step) => step.component === component);
        lines.push(`<details${steps.some((step) => step.op !== "create") ? " open" : ""}><summary><code>${component}</code>: ${steps.length} change${steps.length === 1 ? "" : "s"}</summary>`, "");
        lines.push(...steps.flatMap(stepLines));
        lines.push("", "</details>", "");
    }
    return lines.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd();
}

/** A `detailedDiff` kind, as `pulumi preview --json` writes it. */
function diffKind(change: Change): string {
    const kind = change.before === undefined ? "add" : change.after === undefined ? "delete" : "update";
    return change.replacedBy ? `${kind}-replace` : kind;
}

function state(resource: Step["before"]) {
    return resource && { urn: resource.urn, custom: resource.custom, type: resource.type, parent: resource.parent ?? "", protect: resource.protect, inputs: resource.inputs };
}

/**
 * The diff in the shape of `pulumi preview --json` (pkg/backend/display/json.go, PreviewDigest):
 * `steps` with `op`, `urn`, `oldState`, `newState`, `diffReasons`, `replaceReasons` and
 * `detailedDiff`; `changeSummary`; the hazards as warning `diagnostics`.
 */
export function previewJson(report: DiffReport): unknown {
    const summary = changeSummary(report.diff);
    return {
        steps: report.diff.steps.map((step) => ({
            op: step.op,
            urn: step.urn,
            ...(step.before ? { oldState: state(step.before) } : {}),
            ...(step.after ? { newState: state(step.after) } : {}),
            ...(step.changes.length > 0 ? { diffReasons: [...new Set(step.changes.map((change) => change.path.split(/[.[]/)[0]))] } : {}),
            ...(step.replaceReasons.length > 0 ? { replaceReasons: step.replaceReasons } : {}),
            detailedDiff: Object.fromEntries(step.changes.map((change) => [change.path, { kind: diffKind(change), inputDiff: true }])),
        })),
        diagnostics: report.hazards.map((hazard) => ({ prefix: "hazard: ", message: `${hazard.resource}: ${hazard.message}`, severity: "warning" })),
        changeSummary: Object.fromEntries(Object.entries(summary).filter(([, count]) => count > 0)),
    };
}
