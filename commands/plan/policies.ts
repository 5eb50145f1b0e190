import * as fs from "node:fs";
import * as path from "node:path";
import { appliesTo, type Level, type Resource, type Rule, type StackFacts } from "../../policies/rule";
import { rules } from "../../policies/rules";
import { UserError, type StackRun } from "../../engine";

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
    /** The pack's name and version, as it reports them. */
    pack: string;
    version: string;
    /** The rules that ran (not disabled). */
    rules: number;
    /** What `pulumi preview` reports. */
    violations: PolicyViolation[];
    /**
     * The rules the pack could not run on a resource during the preview, because they read a
     * value known only after deploy: `pulumi preview` reports each as advisory "can't run policy
     * ... during preview"; `pulumi up` runs them, at their own level, once the values are known.
     */
    duringUp: PolicyViolation[];
    /**
     * What those checks find when they run on the values the mocks invented in place of the
     * deployed ones: what `pulumi up` would stop at (mandatory) or warn about, as far as the
     * invented values stand for the real ones.
     */
    upViolations: PolicyViolation[];
}

/** A policy config as `--policy-pack-config` takes it: by rule name (or `all`), a level or an object with one and the rule's config. */
export type PolicyConfig = Record<string, Level | ({ enforcementLevel?: Level } & Record<string, unknown>)>;

/** The levels of `@pulumi/policy` 1.21 (`EnforcementLevel`); `remediate` counts as mandatory for a rule that only validates. */
const levels: readonly string[] = ["mandatory", "advisory", "remediate", "disabled"];

/** The file of a stack's policy config, in a project. */
function policyConfigFile(projectDir: string, stack: string): string {
    return path.join(projectDir, "policies", "config", `${stack}.json`);
}

/**
 * Reads a stack's policy config, checked as the CLI checks it (known rules, known levels), and
 * against what the stack file says: a fact the config sets must be the stack's (a config that
 * says production: false for a production stack would switch rules off). Without a file: {}.
 */
export function readPolicyConfig(
    projectDir: string,
    stack: string,
    derived: Pick<StackFacts, "production" | "serviceExists">,
): PolicyConfig {
    const file = policyConfigFile(projectDir, stack);
    const shown = path.relative(projectDir, file);
    // The facts a real preview needs from this file: where the stack differs from the defaults.
    const needed = rules.flatMap((rule) =>
        (rule.facts ?? [])
            .filter((fact): fact is "production" | "serviceExists" => (fact === "production" || fact === "serviceExists") && derived[fact])
            .map((fact) => ({ rule: rule.id, fact })),
    );
    const expected = JSON.stringify(Object.fromEntries(needed.map(({ rule, fact }) => [rule, { [fact]: true }])));
    if (!fs.existsSync(file)) {
        if (needed.length > 0) {
            throw new UserError(
                `${shown}: missing; pulumi preview --policy-pack policies reads from it what Pulumi.${stack}.yaml says (${needed
                    .map(({ fact }) => `${fact}: true`)
                    .filter((fact, i, all) => all.indexOf(fact) === i)
                    .join(", ")}) (allowed: a file holding at least ${expected})`,
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
                    problems.push(
                        `${key}.${fact}: ${JSON.stringify(given)}, but Pulumi.${stack}.yaml says ${derived[fact]} (allowed: ${derived[fact]}, as the stack file says)`,
                    );
                }
            }
        }
    }
    for (const { rule, fact } of needed) {
        const own = (config as Record<string, unknown>)[rule];
        if (!own || typeof own !== "object" || (own as Record<string, unknown>)[fact] === undefined) {
            problems.push(
                `${rule}.${fact}: missing; Pulumi.${stack}.yaml says ${fact}: true, and pulumi preview --policy-pack reads it from here (allowed: "${rule}": { "${fact}": true })`,
            );
        }
    }
    if (problems.length > 0) {
        throw new UserError(
            `${shown}: ${problems.length === 1 ? "a problem" : `${problems.length} problems`}:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`,
        );
    }
    return config as PolicyConfig;
}

/**
 * The resources of a run as the pack sees them: every registered resource but those only read,
 * its inputs as props (a copy: a rule cannot change the run), and what it depends on.
 */
export function policyResources(run: StackRun): Resource[] {
    const byUrn = new Map<string, Resource>();
    const registered = run.resources.filter((resource) => !resource.read);
    const resources: Resource[] = registered.map((resource) => {
        const converted: Resource = {
            type: resource.type,
            name: resource.name,
            urn: resource.urn,
            props: structuredClone(resource.inputs),
            protect: resource.protect,
            dependencies: [],
        };
        byUrn.set(resource.urn, converted);
        return converted;
    });
    for (const resource of registered) {
        (byUrn.get(resource.urn)!.dependencies as Resource[]).push(
            ...resource.dependsOn.map((urn) => byUrn.get(urn)).filter((found): found is Resource => found !== undefined),
        );
    }
    return resources;
}

/** The violations of one rule on a set of resources, with the facts of the stack. */
export function ruleViolations(
    rule: Rule,
    resources: readonly Resource[],
    facts: StackFacts,
): Array<{ resource: Resource; message: string }> {
    return rule.kind === "resource"
        ? resources
              .filter((resource) => appliesTo(rule, resource))
              .flatMap((resource) => rule.check(resource, facts).map((message) => ({ resource, message })))
        : rule.check(resources, facts);
}

/** What a "can't run during preview" check reads: `.scope` from "string value at .scope can't be known during preview". */
function unknownInput(message: string): string {
    return /value at (\.\S+) can't be known/.exec(message)?.[1] ?? message;
}

/**
 * The checks the preview could not run, a line per level, rule and input read, naming the
 * resources: wrapped under 160 columns, as every line of the plan, or as `markdown` writes a group.
 */
function groupedChecks(
    checks: readonly PolicyViolation[],
    markdown?: (group: { level: string; rule: string; message: string; resources: string[] }) => string,
): string[] {
    const groups = new Map<string, { level: string; rule: string; message: string; resources: string[] }>();
    for (const check of byLevel(checks)) {
        const key = `${check.level}\u0000${check.rule}\u0000${unknownInput(check.message)}`;
        const group = groups.get(key) ?? { level: check.level, rule: check.rule, message: check.message, resources: [] };
        group.resources.push(check.resource);
        groups.set(key, group);
    }
    if (markdown) {
        return [...groups.values()].map(markdown);
    }
    const lines: string[] = [];
    for (const { level, rule, message, resources } of groups.values()) {
        const head = `  ${level.padEnd(9)}  ${rule} (${unknownInput(message)}):`;
        let line = head;
        for (const [i, resource] of resources.entries()) {
            const part = ` ${resource}${i < resources.length - 1 ? "," : ""}`;
            if (line.length + part.length > 160) {
                lines.push(line);
                line = `             ${part.trimStart()}`;
            } else {
                line += part;
            }
        }
        lines.push(line);
    }
    return lines;
}

/** By level, mandatory first; within a level, in the order the pack reported them. */
function byLevel(violations: readonly PolicyViolation[]): PolicyViolation[] {
    return [...violations].sort((a, b) => (a.level === b.level ? 0 : a.level === "mandatory" ? -1 : 1));
}

const duringUpNote =
    "read a value known only after deploy: pulumi preview reports each as advisory (can't run during preview), pulumi up runs it";

/** Whether `pulumi preview` or, as far as the invented values tell, `pulumi up` would stop at a mandatory violation. */
export function stopsDeployment(report: PolicyReport): boolean {
    return [...report.violations, ...report.upViolations].some((violation) => violation.level === "mandatory");
}

/** The plan's policy section: what `pulumi preview` reports, then the rules only `pulumi up` can run. */
export function policyText(report: PolicyReport): string {
    const head = `Policies (${report.pack} ${report.version}, ${report.rules} rules, as pulumi preview --policy-pack policies runs them)`;
    const count = (level: string) => report.violations.filter((violation) => violation.level === level).length;
    const lines =
        report.violations.length === 0
            ? [`${head}: all pass`]
            : [
                  `${head}: ${count("mandatory")} mandatory and ${count("advisory")} advisory violations`,
                  ...byLevel(report.violations).map(
                      (violation) =>
                          `  ${violation.level.padEnd(9)}  ${violation.rule}  ${violation.resource} (${violation.type}): ${violation.message}`,
                  ),
              ];
    if (report.duringUp.length > 0) {
        lines.push(
            `Run only during pulumi up: ${report.duringUp.length} ${report.duringUp.length === 1 ? "check" : "checks"} ${duringUpNote}`,
            ...groupedChecks(report.duringUp),
            report.upViolations.length === 0
                ? "  Run here on the values the mocks invent in place of the deployed ones: all pass"
                : `  Run here on the values the mocks invent in place of the deployed ones, pulumi up would report:`,
            ...byLevel(report.upViolations).map(
                (violation) =>
                    `  ${violation.level.padEnd(9)}  ${violation.rule}  ${violation.resource} (${violation.type}): ${violation.message}`,
            ),
        );
    }
    return lines.join("\n");
}

/** The policy verdict as Markdown, for a pull-request comment. */
export function policyMarkdown(report: PolicyReport): string {
    const lines =
        report.violations.length === 0
            ? [`Policies (${report.pack} ${report.version}, ${report.rules} rules): all pass.`]
            : [
                  `Policies (${report.pack} ${report.version}, ${report.rules} rules): ${report.violations.length} violation${report.violations.length === 1 ? "" : "s"}`,
                  "",
                  ...byLevel(report.violations).map(
                      (violation) =>
                          `- **${violation.level}** \`${violation.rule}\` on \`${violation.resource}\` (\`${violation.type}\`): ${violation.message}`,
                  ),
              ];
    if (report.duringUp.length > 0) {
        lines.push(
            "",
            `Run only during \`pulumi up\` (${report.duringUp.length}): these ${duringUpNote}.`,
            "",
            ...groupedChecks(
                report.duringUp,
                (check) =>
                    `- ${check.level} \`${check.rule}\` (\`${unknownInput(check.message)}\`): ${check.resources.map((resource) => `\`${resource}\``).join(", ")}`,
            ),
            "",
            report.upViolations.length === 0
                ? "Run on the values the mocks invent in place of the deployed ones, they all pass."
                : "Run on the values the mocks invent in place of the deployed ones, `pulumi up` would report:",
            ...byLevel(report.upViolations).map(
                (violation) =>
                    `- **${violation.level}** \`${violation.rule}\` on \`${violation.resource}\` (\`${violation.type}\`): ${violation.message}`,
            ),
        );
    }
    return lines.join("\n");
}
