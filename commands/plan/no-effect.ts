import type { IgnoredChange, PlanDiff } from "./plan-diff";

/**
 * The changes of a diff that Pulumi leaves alone (an input in the resource's `ignoreChanges`),
 * said as settings with no effect: the plan prints them as warnings (on stderr, as the program's
 * own, and in the Markdown).
 */

/** A setting the head asks for that has no effect in the planned state, for the plan's warnings. */
export interface NoEffect {
    /** The resource, as `type name`. */
    resource: string;
    message: string;
}

/**
 * Why this program has a resource ignore an input (`ignoreChanges`), and the stack-file key the
 * input comes from: what a warning about a change with no effect names (components/gateway/index.ts:
 * with `gateway.autoscale`, the service ignores `sku.capacity`).
 */
const ignoredInputs: Readonly<Record<string, { key: string; why: string }>> = {
    "azure-native:apimanagement:ApiManagementService sku.capacity": {
        key: "gateway.capacity",
        why: "autoscale owns the units (`gateway.autoscale`); the value counts only when the service is created, and as autoscale's default count",
    },
};

const valueText = (value: unknown) => (value === undefined ? "(none)" : JSON.stringify(value));

/** The changes of a diff that Pulumi leaves alone (`ignoreChanges`), said as settings with no effect. */
export function noEffectWarnings(diff: Pick<PlanDiff, "ignored">): NoEffect[] {
    return (diff.ignored ?? []).map((ignored: IgnoredChange) => {
        const known = ignoredInputs[`${ignored.type} ${ignored.path}`];
        const stays = `\`${ignored.path}\` stays ${valueText(ignored.kept)} where this revision asks for ${valueText(ignored.requested)}`;
        return {
            resource: `${ignored.type} ${ignored.name}`,
            message: known
                ? `\`${known.key}\` has no effect: ${stays}, because ${known.why}`
                : `a change with no effect: ${stays}, because the resource ignores changes to it (\`ignoreChanges\`)`,
        };
    });
}
