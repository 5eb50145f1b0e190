import { standardTagNames, type StackConfig } from "./config";

type StandardTag = (typeof standardTagNames)[number];

/**
 * The tags every taggable resource carries: the stack's own labels (exactly the names in
 * `standardTagNames`, which the config forbids in `tags`) over the extra tags from config.
 * Passed explicitly to each resource: stack transforms do not run under the test mocks.
 */
export function stackTags(config: StackConfig): Record<string, string> {
    const standard: Record<StandardTag, string> = {
        environment: config.environment,
        workload: config.workload,
        owner: config.owner,
        costCenter: config.costCenter,
        stack: config.stack,
        managedBy: "pulumi",
    };
    return { ...config.tags, ...standard };
}
