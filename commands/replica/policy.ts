import type { ReplicaChange } from "./replica";

/**
 * The replica's policy config (`policies/config/<replica>.json`, what `--policy-pack-config`
 * takes): the source's, with the two facts the replica changes put right. A production stack
 * needs its facts in that file (the plan refuses one without, as `pulumi preview` would run the
 * production rules off), and the replica is a production stack when its source is.
 *
 * - `stateful-protected-production` is disabled while it keeps `production: true`: the replica is
 *   unprotected on purpose (`protect: false`, so that it can be destroyed), and the rule would
 *   refuse every stateful resource of it; every other production rule (zones, geo-redundant
 *   storage) holds the replica as it holds the source.
 * - `serviceExists` goes from every rule: the replica's service is new.
 */

/** The rule that refuses an unprotected stateful resource in production. */
export const protectionRule = "stateful-protected-production";

type PolicyConfig = Record<string, unknown>;

/**
 * The replica's policy config from the source's (undefined when the source has none), or
 * undefined when the replica needs none (the source has none, and the replica is no production
 * stack). `production` is what the replica's stack file says; the replica is never protected.
 */
export function replicaPolicyConfig(
    source: PolicyConfig | undefined,
    replica: { production: boolean },
): { config: PolicyConfig; changes: ReplicaChange[] } | undefined {
    if (source === undefined && !replica.production) {
        return undefined;
    }
    const changes: ReplicaChange[] = [];
    const config: PolicyConfig = {};
    for (const [rule, setting] of Object.entries(source ?? {})) {
        if (setting !== null && typeof setting === "object" && !Array.isArray(setting) && "serviceExists" in setting) {
            const { serviceExists: _dropped, ...rest } = setting as Record<string, unknown>;
            changes.push({ key: `${rule}.serviceExists`, what: "removed: the replica's service is new" });
            if (Object.keys(rest).length > 0) {
                config[rule] = rest;
            }
            continue;
        }
        config[rule] = setting;
    }
    if (replica.production) {
        const own = config[protectionRule];
        config[protectionRule] = {
            ...(own !== null && typeof own === "object" && !Array.isArray(own) ? own : {}),
            enforcementLevel: "disabled",
            production: true,
        };
        changes.push({
            key: protectionRule,
            what: "disabled (production: true kept): the replica is unprotected so that it can be destroyed; the other production rules hold it",
        });
    }
    return { config, changes };
}
