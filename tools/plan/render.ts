import { stringify as toYaml } from "yaml";
import type { RegisteredResource, StackRun } from "../engine";
import { summarize } from "./summaries";

/** The JSON form of a plan: the whole graph, with the plan's markers for secrets and unknowns. */
export function planJson(run: StackRun): unknown {
    return {
        stack: run.stack,
        resources: run.resources.map((resource) => ({
            urn: resource.urn,
            type: resource.type,
            name: resource.name,
            parent: resource.parent ?? null,
            custom: resource.custom,
            inputs: resource.planInputs,
            protect: resource.protect,
            dependsOn: resource.dependsOn,
        })),
        outputs: run.planOutputs,
    };
}

interface Row {
    readonly prefix: string;
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
        rows.push({ prefix: top ? "" : `${indent}${last ? "└─ " : "├─ "}`, resource });
        const kids = children.get(resource.urn) ?? [];
        kids.forEach((kid, i) => walk(kid, top ? "" : `${indent}${last ? "   " : "│  "}`, i === kids.length - 1, false));
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

/** The text form: the tree as `pulumi preview` draws it, counts by type, then the outputs. */
export function planText(run: StackRun, options: { details?: boolean } = {}): string {
    const rows = treeRows(run);
    const typeWidth = Math.max(4, ...rows.map((row) => row.prefix.length + row.resource.type.length));
    const nameWidth = Math.max(4, ...rows.map((row) => row.resource.name.length));
    const lines: string[] = [];
    lines.push(`Plan for stack ${run.stack} (offline: mocks stand in for Azure, nothing is deployed)`);
    lines.push("");
    lines.push(`     ${"Type".padEnd(typeWidth)}  ${"Name".padEnd(nameWidth)}  Plan    Settings`);
    for (const { prefix, resource } of rows) {
        const action = resource.read ? "read  " : "create";
        const flags = [resource.protect ? "[protect]" : "", resource.secretInputs.length > 0 ? `[secret: ${resource.secretInputs.join(", ")}]` : ""]
            .filter(Boolean)
            .join(" ");
        const settings = [summarize(resource.type, resource.planInputs as Record<string, unknown>), flags].filter(Boolean).join("  ");
        lines.push(` ${resource.read ? ">" : "+"}   ${(prefix + resource.type).padEnd(typeWidth)}  ${resource.name.padEnd(nameWidth)}  ${action}  ${settings}`.trimEnd());
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
