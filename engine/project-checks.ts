import type { StackConfig } from "../stacks/config";
import { customDomain } from "../stacks/domains";
import { Namer } from "../stacks/naming";
import { resourceGroupNames } from "../stacks/wiring/platform";
import { minimumUnits, objectiveProblems, recoveryObjectives, type Objectives } from "../stacks/recovery";
import { ownStack } from "../stacks/stack-names";

/** The name of a zone's resource group as the foundation takes it (a name, or a name and a region). */
function zoneGroupOf(group: string | { name: string; location: string } | undefined): string | undefined {
    return typeof group === "string" ? group : group?.name;
}

/**
 * Rules across the stacks of the project, which neither the Pulumi CLI nor one stack's program
 * can check, because they need the other stack files: a stack reference must name a stack of the
 * project, two stacks must not take each other's DNS records or host names (an active site
 * and its passive site share host names by design), and two stacks must not adopt the same service. The plan and the tests run them for every
 * stack; `pulumi up` cannot.
 */

export interface ProjectStacks {
    /** The project's name (the middle part of `org/project/stack`). */
    readonly project: string;
    /** Every stack that has a stack file, by name, with its config, or undefined when that file is invalid. */
    readonly stacks: Readonly<Record<string, StackConfig | undefined>>;
}

/** Whether `a` and `b` are each other's DR site: one active, one passive, each naming the other. */
function activePassivePair(a: StackConfig, b: StackConfig, project: string): boolean {
    const names = (config: StackConfig) => (config.dr.stack ? ownStack(config.dr.stack, project) : undefined);
    return names(a) === b.stack && names(b) === a.stack && a.dr.role !== b.dr.role;
}

/**
 * The recovery objectives of a DR pair as the stack files of the project give them, for either
 * stack of the pair; undefined for a stack outside one. The active site's own settings decide
 * all but the scale-out, which needs the passive site's units (when its file is in the project).
 */
export function pairObjectives(stack: string, all: ProjectStacks): { active: string; passive: string; objectives: Objectives } | undefined {
    const config = all.stacks[stack];
    if (!config?.dr.stack) {
        return undefined;
    }
    const other = ownStack(config.dr.stack, all.project);
    const activeName = config.dr.role === "active" ? stack : other;
    const passiveName = config.dr.role === "active" ? other : stack;
    const active = activeName ? all.stacks[activeName] : undefined;
    const passive = passiveName ? all.stacks[passiveName] : undefined;
    if (!active || active.dr.role !== "active") {
        return undefined;
    }
    const objectives = recoveryObjectives(
        { ttlSeconds: active.dns.ttl, minimumUnits: minimumUnits(active.gateway), dr: active.dr },
        passive ? { stack: passiveName!, sku: passive.gateway.sku, capacity: passive.gateway.capacity } : undefined,
    );
    return { active: activeName!, passive: passiveName ?? config.dr.stack, objectives };
}

/** The problems of `stack` against the others, one line each, `key: what is wrong (allowed: ...)`. */
export function projectProblems(stack: string, all: ProjectStacks): string[] {
    const config = all.stacks[stack];
    if (!config) {
        return [];
    }
    const problems: string[] = [];
    const names = Object.keys(all.stacks).sort();

    if (config.dr.stack) {
        const referenced = ownStack(config.dr.stack, all.project);
        if (referenced !== undefined && !names.includes(referenced)) {
            problems.push(`dr.stack: no stack "${referenced}" in this project (stacks here: ${names.join(", ")})`);
        }
    }

    // The failover time with the standby's units: a standby smaller than the active site's
    // minimum must scale out first (the active stack's own check cannot see that).
    const pair = pairObjectives(stack, all);
    if (pair && config.dr.role === "active" && pair.objectives.rto.scaleOutMinutes) {
        problems.push(
            ...objectiveProblems(pair.objectives)
                .filter((problem) => problem.key === "maxRtoMinutes")
                .map((problem) => `dr.${problem.key}: ${problem.message}`),
        );
    }

    // An adopted service belongs to one stack: two stacks naming it would each deploy it as theirs
    // (and a destroy of either would delete it). API Management names ignore case.
    if (config.gateway.serviceName !== undefined) {
        for (const name of names.filter((other) => other !== stack)) {
            const theirs = all.stacks[name]?.gateway.serviceName;
            if (theirs !== undefined && theirs.toLowerCase() === config.gateway.serviceName.toLowerCase()) {
                problems.push(
                    `gateway.serviceName: "${config.gateway.serviceName}" is also adopted by stack ${name} (Pulumi.${name}.yaml) (allowed: a service only one stack names; a copy of a stack leaves gateway.serviceName out, docs/adopting.md)`,
                );
            }
        }
    }

    const domain = customDomain(config);
    if (!domain) {
        return problems;
    }
    const ownsZone = (other: StackConfig) =>
        other.dr.role === "active" && other.dns.zoneName !== undefined && other.dns.zoneResourceGroup === undefined;
    for (const name of names.filter((other) => other !== stack)) {
        const other = all.stacks[name];
        const otherDomain = other ? customDomain(other) : undefined;
        if (!other || !otherDomain || activePassivePair(config, other, all.project)) {
            continue;
        }
        const theirs = new Set(Object.values(otherDomain.hosts).map((host) => host.hostName));
        for (const [kind, host] of Object.entries(domain.hosts)) {
            if (theirs.has(host.hostName)) {
                const records = config.dr.role === "active" && other.dr.role === "active" ? "; both would write its DNS record" : "";
                problems.push(
                    `dns.hosts.${kind}: "${host.hostName}" is also served by stack ${name} (Pulumi.${name}.yaml)${records} (allowed: a host label no other stack uses, or make the two stacks an active/passive pair through dr.stack and dr.role)`,
                );
            }
        }
        if (ownsZone(config) && ownsZone(other) && domain.zoneName === otherDomain.zoneName) {
            problems.push(
                `dns.zoneName: "${domain.zoneName}" is also created by stack ${name} (Pulumi.${name}.yaml) (allowed: one stack owns the zone; the others add their records to it with dns.zoneResourceGroup)`,
            );
        }
        // A stack that adds its records to a zone this project's other stack creates must name the
        // group that stack creates it in: elsewhere the zone does not exist, and the records fail.
        const ownerGroup = ownsZone(other)
            ? zoneGroupOf(resourceGroupNames(other, new Namer(other.workload, other.stack, other.location), otherDomain).dns)
            : undefined;
        if (
            !ownsZone(config) &&
            config.dns.zoneResourceGroup !== undefined &&
            ownerGroup !== undefined &&
            domain.zoneName === otherDomain.zoneName &&
            config.dns.zoneResourceGroup.toLowerCase() !== ownerGroup.toLowerCase()
        ) {
            problems.push(
                `dns.zoneResourceGroup: "${config.dns.zoneResourceGroup}" is not where stack ${name} (Pulumi.${name}.yaml) creates the zone ${domain.zoneName}: it creates it in ${ownerGroup} (allowed: ${ownerGroup})`,
            );
        }
    }
    return problems;
}
