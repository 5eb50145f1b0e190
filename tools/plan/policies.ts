import * as fs from "node:fs";
import * as path from "node:path";
import { appliesTo, factsFrom, type Level, type Resource, type Rule, type StackFacts } from "../../policies/rule";
import { rules } from "../../policies/rules";
import { parseStackConfig, rawConfigFromPulumi } from "../../stacks/config";
import { UserError, type StackRun } from "../engine";
import { loadProject, loadStackFile, programConfig } from "../engine/project";

/**
 * The policy pack, run offline on a planned stack as `pulumi preview --policy-pack policies`
 * runs it: every resource rule on every resource it applies to, every stack rule on the whole
 * set, each at the level the stack's policy config gives it (`policies/config/<stack>.json`, the
 * file `--policy-pack-config` takes), with the facts of the stack (production, whether the
 * service exists) as the rules' config.
 */

/** One violation: the rule, its level, the resource and what is wrong. */
export interface PolicyViolation {
    rule: string;
    level: Exclude<Level, "disabled">;
    resource: string;
    type: string;
    message: string;
}

export interface PolicyReport {
    /** The rules that ran (not disabled). */
    rules: number;
    violations: PolicyViolation[];
}

/** A policy config as `--policy-pack-config` takes it: by rule name (or `all`), a level or an object with one and the rule's config. */
export type PolicyConfig = Record<string, Level | ({ enforcementLevel?: Level } & Record<string, unknown>)>;

const levels: readonly Level[] = ["mandatory", "advisory", "disabled"];

/** The file of a stack's policy config, in a project. */
function policyConfigFile(projectDir: string, stack: string): string {
    return path.join(projectDir, "policies", "config", `${stack}.json`);
}

/**
 * Reads a stack's policy config, checked as the CLI checks it (known rules, known levels), and
 * against what the stack file says: a fact the config sets must be the stack's (a config that
 * says production: false for a production stack would switch rules off). Without a file: {}.
 */
export function readPolicyConfig(projectDir: string, stack: string, derived: Pick<StackFacts, "production" | "serviceExists">): PolicyConfig {
    const file = policyConfigFile(projectDir, stack);
    const shown = path.relative(projectDir, file);
    // The facts a real preview needs from this file: where the stack differs from the defaults.
    const needed = rules.flatMap((rule) =>
        (rule.facts ?? []).filter((fact): fact is "production" | "serviceExists" => (fact === "production" || fact === "serviceExists") && derived[fact]).map((fact) => ({ rule: rule.id, fact })),
    );
    const expected = JSON.stringify(Object.fromEntries(needed.map(({ rule, fact }) => [rule, { [fact]: true }])));
    if (!fs.existsSync(file)) {
        if (needed.length > 0) {
            throw new UserError(
                `${shown}: missing; pulumi preview --policy-pack policies reads from it what Pulumi.${stack}.yaml says (${needed.map(({ fact }) => `${fact}: true`).filter((fact, i, all) => all.indexOf(fact) === i).join(", ")}) (allowed: a file holding at least ${expected})`,
            );
        }
        return {};
    }
    let config: unknown;
    try {
        config = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new UserError(`${shown}: is not valid JSON: ${(error as Error).message}`);
    }
    if (!config || typeof config !== "object" || Array.isArray(config)) {
        throw new UserError(`${shown}: is not a policy config (allowed: an object keyed by rule name or all)`);
    }
    const names = ["all", ...rules.map((rule) => rule.id)];
    const problems: string[] = [];
    for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
        if (!names.includes(key)) {
            problems.push(`${key}: not a rule of the pack (allowed: all, or one of ${rules.map((rule) => rule.id).join(", ")})`);
            continue;
        }
        const level = typeof value === "string" ? value : (value as { enforcementLevel?: unknown } | null)?.enforcementLevel;
        if (level !== undefined && !levels.includes(level as Level)) {
            problems.push(`${key}: "${String(level)}" is not an enforcement level (allowed: ${levels.join(", ")})`);
        }
        if (value && typeof value === "object") {
            for (const fact of ["production", "serviceExists"] as const) {
                const given = (value as Record<string, unknown>)[fact];
                if (given !== undefined && given !== derived[fact]) {
                    problems.push(`${key}.${fact}: ${JSON.stringify(given)}, but Pulumi.${stack}.yaml says ${derived[fact]} (allowed: ${derived[fact]}, as the stack file says)`);
                }
            }
        }
    }
    for (const { rule, fact } of needed) {
        const own = (config as Record<string, unknown>)[rule];
        if (!own || typeof own !== "object" || (own as Record<string, unknown>)[fact] === undefined) {
            problems.push(`${rule}.${fact}: missing; Pulumi.${stack}.yaml says ${fact}: true, and pulumi preview --policy-pack reads it from here (allowed: "${rule}": { "${fact}": true })`);
        }
    }
    if (problems.length > 0) {
        throw new UserError(`${shown}: ${problems.length === 1 ? "a problem" : `${problems.length} problems`}:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    }
    return config as PolicyConfig;
}

function levelOf(config: PolicyConfig, rule: { id: string; level: Exclude<Level, "disabled"> }): Level {
    const read = (value: PolicyConfig[string] | undefined) => (typeof value === "string" ? value : value?.enforcementLevel);
    return read(config[rule.id]) ?? read(config.all) ?? rule.level;
}

/**
 * The resources of a run as the pack sees them: every registered resource but those only read,
 * its inputs as props (a copy: a rule cannot change the run), and what it depends on.
 */
export function policyResources(run: StackRun): Resource[] {
    const byUrn = new Map<string, Resource>();
    const registered = run.resources.filter((resource) => !resource.read);
    const resources: Resource[] = registered.map((resource) => {
        const converted: Resource = { type: resource.type, name: resource.name, urn: resource.urn, props: structuredClone(resource.inputs), protect: resource.protect, dependencies: [] };
        byUrn.set(resource.urn, converted);
        return converted;
    });
    for (const resource of registered) {
        (byUrn.get(resource.urn)!.dependencies as Resource[]).push(...resource.dependsOn.map((urn) => byUrn.get(urn)).filter((found): found is Resource => found !== undefined));
    }
    return resources;
}

/** The violations of one rule on a set of resources, with the facts of the stack. */
export function ruleViolations(rule: Rule, resources: readonly Resource[], facts: StackFacts): Array<{ resource: Resource; message: string }> {
    return rule.kind === "resource"
        ? resources.filter((resource) => appliesTo(rule, resource)).flatMap((resource) => rule.check(resource, facts).map((message) => ({ resource, message })))
        : rule.check(resources, facts);
}

/** The pack's verdict on a planned stack. */
export function runPolicies(run: StackRun, config: PolicyConfig, derived: Pick<StackFacts, "production" | "serviceExists">): PolicyReport {
    const resources = policyResources(run);
    const violations: PolicyViolation[] = [];
    let ran = 0;
    for (const rule of rules) {
        const level = levelOf(config, rule);
        if (level === "disabled") {
            continue;
        }
        ran++;
        const own = config[rule.id];
        const facts = factsFrom({ ...(own && typeof own === "object" ? own : {}), ...derived });
        const found = ruleViolations(rule, resources, facts);
        violations.push(...found.map(({ resource, message }) => ({ rule: rule.id, level, resource: resource.name, type: resource.type, message })));
    }
    return { rules: ran, violations };
}

/** The plan's policy section. */
export function policyText(report: PolicyReport): string {
    if (report.violations.length === 0) {
        return `Policies (policies/, ${report.rules} rules): all pass`;
    }
    const count = (level: string) => report.violations.filter((violation) => violation.level === level).length;
    // By level, mandatory first; within a level, in the pack's order.
    const ordered = [...report.violations].sort((a, b) => (a.level === b.level ? 0 : a.level === "mandatory" ? -1 : 1));
    const lines = ordered.map((violation) => `  ${violation.level.padEnd(9)}  ${violation.rule}  ${violation.resource} (${violation.type}): ${violation.message}`);
    return [`Policies (policies/, ${report.rules} rules): ${count("mandatory")} mandatory and ${count("advisory")} advisory violations`, ...lines].join("\n");
}

/** The policy verdict as Markdown, for a pull-request comment. */
export function policyMarkdown(report: PolicyReport): string {
    if (report.violations.length === 0) {
        return `Policies (${report.rules} rules): all pass.`;
    }
    const ordered = [...report.violations].sort((a, b) => (a.level === b.level ? 0 : a.level === "mandatory" ? -1 : 1));
    return [
        `Policies (${report.rules} rules): ${report.violations.length} violation${report.violations.length === 1 ? "" : "s"}`,
        "",
        ...ordered.map((violation) => `- **${violation.level}** \`${violation.rule}\` on \`${violation.resource}\` (\`${violation.type}\`): ${violation.message}`),
    ].join("\n");
}

/** What a stack file says that the rules need: its production setting, whether its service exists. */
export function stackFacts(projectDir: string, stack: string): Pick<StackFacts, "production" | "serviceExists"> {
    const project = loadProject(projectDir);
    const config = parseStackConfig(stack, rawConfigFromPulumi(programConfig(project, loadStackFile(project, stack)).config));
    return { production: config.production, serviceExists: config.gateway.serviceExists };
}

/** The pack's verdict on a planned stack of a project, with the stack's policy config. */
export function checkStack(projectDir: string, run: StackRun): PolicyReport {
    const derived = stackFacts(projectDir, run.stack);
    return runPolicies(run, readPolicyConfig(projectDir, run.stack, derived), derived);
}
