import { stringify as toYaml } from "yaml";
import type { RegisteredResource, StackRun } from "../../engine";
import { summarize, summaryContextOf, type SummaryContext } from "./summaries";

/** The widest line the text plan prints; `--details` shows everything a line leaves out. */
export const maxLineWidth = 160;

interface Row {
    readonly prefix: string;
    /** What lines under this resource start with, so the tree's lines go on past them. */
    readonly continuation: string;
    readonly resource: RegisteredResource;
}

function treeRows(run: StackRun): Row[] {
    const rows: Row[] = [];
    const children = new Map<string | undefined, RegisteredResource[]>();
    for (const resource of run.resources) {
        const siblings = children.get(resource.parent) ?? [];
        siblings.push(resource);
        children.set(resource.parent, siblings);
    }
    const known = new Set(run.resources.map((resource) => resource.urn));
    const roots = run.resources.filter((resource) => !resource.parent || !known.has(resource.parent));
    const walk = (resource: RegisteredResource, indent: string, last: boolean, top: boolean) => {
        const childIndent = top ? "" : `${indent}${last ? "   " : "│  "}`;
        const kids = children.get(resource.urn) ?? [];
        rows.push({
            prefix: top ? "" : `${indent}${last ? "└─ " : "├─ "}`,
            continuation: `${childIndent}${kids.length > 0 ? "│  " : "   "}`,
            resource,
        });
        kids.forEach((kid, i) => walk(kid, childIndent, i === kids.length - 1, false));
    };
    roots.forEach((root) => walk(root, "", true, true));
    return rows;
}

function indentBlock(text: string, indent: string): string {
    return text
        .trimEnd()
        .split("\n")
        .map((line) => `${indent}${line}`)
        .join("\n");
}

/**
 * Splits a settings line into lines of at most `width` characters, at its ", " and "  "
 * separators where it can.
 */
export function wrapSettings(text: string, width: number): string[] {
    const lines: string[] = [];
    let line = "";
    for (const part of text.split(/(?<=, | {2})/)) {
        if (line.length + part.trimEnd().length > width && line.length > 0) {
            lines.push(line.trimEnd());
            line = "";
        }
        let rest = part;
        while (rest.trimEnd().length > width) {
            lines.push(rest.slice(0, width));
            rest = rest.slice(width);
        }
        line += rest;
    }
    if (line.trim().length > 0) {
        lines.push(line.trimEnd());
    }
    return lines;
}

/** What the summaries may look up across the run: app roles by id. */
function summaryContext(run: StackRun): SummaryContext {
    return summaryContextOf(
        run.resources.map((resource) => ({ type: resource.type, inputs: resource.planInputs as Record<string, unknown> })),
    );
}

/**
 * The text form: the tree as `pulumi preview` draws it, each resource's settings on the lines
 * under it (at most {@link maxLineWidth} wide), counts by type, then the outputs.
 */
export function planText(run: StackRun, options: { details?: boolean } = {}): string {
    const rows = treeRows(run);
    const context = summaryContext(run);
    const typeWidth = Math.max(4, ...rows.map((row) => row.prefix.length + row.resource.type.length));
    const nameWidth = Math.max(4, ...rows.map((row) => row.resource.name.length));
    const lines: string[] = [];
    lines.push(`Plan for stack ${run.stack} (offline: mocks stand in for Azure, nothing is deployed)`);
    lines.push("");
    lines.push(`     ${"Type".padEnd(typeWidth)}  ${"Name".padEnd(nameWidth)}  Plan`);
    for (const { prefix, continuation, resource } of rows) {
        const action = resource.read ? "read" : "create";
        const flags = [
            resource.protect ? "[protect]" : "",
            resource.secretInputs.length > 0 ? `[secret: ${resource.secretInputs.join(", ")}]` : "",
        ]
            .filter(Boolean)
            .join(" ");
        const settings = [summarize(resource.type, resource.planInputs as Record<string, unknown>, context), flags]
            .filter(Boolean)
            .join("  ");
        lines.push(
            ` ${resource.read ? ">" : "+"}   ${(prefix + resource.type).padEnd(typeWidth)}  ${resource.name.padEnd(nameWidth)}  ${action}`,
        );
        const margin = `     ${continuation}`;
        for (const part of wrapSettings(settings, maxLineWidth - margin.length)) {
            lines.push(`${margin}${part}`);
        }
        if (options.details && resource.custom && Object.keys(resource.planInputs).length > 0) {
            lines.push(indentBlock(toYaml(resource.planInputs, { lineWidth: 0 }), "        "));
        }
    }

    const managed = run.resources.filter((resource) => !resource.read);
    const counts = new Map<string, number>();
    for (const resource of managed) {
        counts.set(resource.type, (counts.get(resource.type) ?? 0) + 1);
    }
    lines.push("");
    lines.push("Resources:");
    lines.push(`    + ${managed.length} to create`);
    const countWidth = Math.max(...[...counts.values()].map((count) => String(count).length));
    for (const [type, count] of [...counts.entries()].sort(([a], [b]) => a.localeCompare(b))) {
        lines.push(`      ${String(count).padStart(countWidth)}  ${type}`);
    }
    const protectedCount = managed.filter((resource) => resource.protect).length;
    if (protectedCount > 0) {
        lines.push(`    ${protectedCount} protected from deletion`);
    }

    lines.push("");
    lines.push("Outputs:");
    const outputs = Object.keys(run.planOutputs).length > 0 ? toYaml(run.planOutputs, { lineWidth: 0 }) : "(none)";
    lines.push(indentBlock(outputs, "    "));
    lines.push("");
    lines.push('"(known after deploy)" marks values Azure assigns when the stack is deployed; "[secret]" marks secrets.');
    return lines.join("\n");
}
