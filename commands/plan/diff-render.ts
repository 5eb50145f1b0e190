import { createTwoFilesPatch } from "diff";
import type { Hazard } from "./hazards";
import type { NoEffect } from "./no-effect";
import { changeSummary, type Change, type Op, type PlanDiff, type Step } from "./plan-diff";
import { extraKey, previewDigest, struct, type DigestInput, type PreviewDigest } from "./preview-digest";
import { replaceRuleSource } from "./replace-rules";

/**
 * A plan diff for people (Markdown, for a pull-request comment) and for tools (`pulumi preview
 * --json`'s digest).
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
    const patch = createTwoFilesPatch(
        `base/${change.path}`,
        `head/${change.path}`,
        `${String(change.before)}\n`,
        `${String(change.after)}\n`,
        "",
        "",
        { context: 3 },
    );
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

/** Text as a code span, whatever backticks it holds (CommonMark: a longer run of backticks around it). */
function code(text: string): string {
    const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
    const fence = "`".repeat(longest + 1);
    return longest === 0 ? `${fence}${text}${fence}` : `${fence} ${text} ${fence}`;
}

function changeLines(change: Change): string[] {
    const replaces = change.replacedBy ? ` (forces replacement)` : "";
    if (change.item) {
        // A keyed list's item added or removed, or its items moved: one line, by the item's key.
        const item = change.item;
        const what =
            item.kind === "reordered"
                ? `order \`${shown(change.before)}\` → \`${shown(change.after)}\``
                : item.kind === "removed"
                  ? `removed \`${shown(item.key)}\``
                  : `added \`${shown(item.key)}\`${change.after === item.key ? "" : `: \`${shown(change.after)}\``}`;
        return [`  - \`${change.path}\`: ${what}${replaces}`];
    }
    if (isDocument(change)) {
        return [
            `  - \`${change.path}\`${replaces}:`,
            "",
            ...documentDiff(change)
                .split("\n")
                .map((line) => `    ${line}`),
            "",
        ];
    }
    return [`  - \`${change.path}\`: \`${shown(change.before)}\` → \`${shown(change.after)}\`${replaces}`];
}

function stepLines(step: Step): string[] {
    const head = `- \`${symbols[step.op]}\` **${step.op}** \`${step.name}\` (\`${step.type}\`)`;
    if (step.op === "replace") {
        const source = replaceRuleSource(step.type);
        return [
            `${head}: replaced because ${step.replaceReasons.map((reason) => `\`${reason}\``).join(", ")} cannot change in place${source ? ` (${source}; the provider may add its own rules)` : ""}`,
            ...step.changes.flatMap(changeLines),
        ];
    }
    if (step.op === "update") {
        const protection =
            step.before && step.after && step.before.protect !== step.after.protect
                ? [`  - protect: \`${step.before.protect}\` → \`${step.after.protect}\``]
                : [];
        return [head, ...step.changes.flatMap(changeLines), ...protection];
    }
    // A resource to create: its settings, as the plan's tree shows them under it.
    return step.op === "create" && step.settings ? [head, `  - ${code(step.settings)}`] : [head];
}

function summaryLine(diff: PlanDiff): string {
    const summary = changeSummary(diff);
    const parts = (["create", "update", "replace", "delete"] as const)
        .filter((op) => summary[op] > 0)
        .map((op) => `${summary[op]} to ${op}`);
    return parts.length === 0 ? `no changes (${summary.same} unchanged)` : `${parts.join(", ")}; ${summary.same} unchanged`;
}

export interface DiffReport {
    diff: PlanDiff;
    hazards: Hazard[];
    /** What the base is (`origin/main (3f2a1c9)`), and why it is empty when it is. */
    base: { label: string; note?: string };
    /** Lines about the monthly cost, when the estimate is known. */
    cost?: string[];
    /** Settings the head asks for that have no effect in the planned state (commands/plan/no-effect.ts). */
    warnings?: NoEffect[];
}

/** The Markdown section of one stack, for a pull-request comment. */
export function diffMarkdown(report: DiffReport): string {
    const { diff, hazards } = report;
    const lines = [
        `### \`${diff.stack}\`: ${summaryLine(diff)}`,
        "",
        `Compared with ${report.base.label}${report.base.note ? ` (${report.base.note})` : ""}; offline plan, no Azure call.`,
        "",
    ];
    if (hazards.length > 0) {
        lines.push(
            "> [!WARNING]",
            `> **${hazards.length === 1 ? "1 hazard" : `${hazards.length} hazards`}**`,
            ...hazards.map((hazard) => `> - \`${hazard.resource}\`: ${hazard.message}`),
            "",
        );
    }
    const warnings = report.warnings ?? [];
    if (warnings.length > 0) {
        lines.push(
            "> [!NOTE]",
            `> **${warnings.length === 1 ? "1 setting" : `${warnings.length} settings`} with no effect**`,
            ...warnings.map((warning) => `> - \`${warning.resource}\`: ${warning.message}`),
            "",
        );
    }
    if (report.cost && report.cost.length > 0) {
        lines.push(...report.cost, "");
    }
    if (diff.root?.op === "create") {
        // Counted in the summary line as pulumi preview counts it (plan-diff.ts changeSummary).
        lines.push(`- \`+\` **create** \`${diff.root.name}\` (\`pulumi:pulumi:Stack\`): the stack itself`, "");
    }
    const components = [...new Set(diff.steps.map((step) => step.component))];
    for (const component of components) {
        const steps = diff.steps.filter((step) => step.component === component);
        lines.push(
            `<details${steps.some((step) => step.op !== "create") ? " open" : ""}><summary><code>${component}</code>: ${steps.length} change${steps.length === 1 ? "" : "s"}</summary>`,
            "",
        );
        lines.push(...steps.flatMap(stepLines));
        lines.push("", "</details>", "");
    }
    return lines
        .join("\n")
        .replace(/\n{3,}/g, "\n\n")
        .trimEnd();
}

/** What the JSON digest needs besides the report: both plans and what the head's run said (commands/plan/preview-digest.ts). */
export type PreviewContext = Omit<DigestInput, "diff">;

/**
 * The diff as `pulumi preview --json` prints it: Pulumi's `PreviewDigest` (commands/plan/preview-digest.ts),
 * then, under the one key Pulumi does not have ({@link extraKey}), what this project adds: the
 * base, the hazards and the cost lines. Print it with `marshalIndent`, as Pulumi prints the digest.
 */
export function previewJson(report: DiffReport, context: PreviewContext): PreviewDigest & { [extraKey]: unknown } {
    const digest = previewDigest({ ...context, diff: report.diff });
    const extra = struct({
        base: struct({ label: report.base.label, ...(report.base.note ? { note: report.base.note } : {}) }),
        hazards: report.hazards.map((hazard) => struct({ kind: hazard.kind, resource: hazard.resource, message: hazard.message })),
        ...(report.warnings && report.warnings.length > 0
            ? { warnings: report.warnings.map((warning) => struct({ resource: warning.resource, message: warning.message })) }
            : {}),
        ...(report.cost && report.cost.length > 0 ? { cost: [...report.cost] } : {}),
    });
    return struct({ ...digest, [extraKey]: extra });
}
