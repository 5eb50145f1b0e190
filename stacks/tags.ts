import type { StackConfig } from "./config";

/**
 * The tags every taggable resource carries: the stack's own labels first, then the extra tags
 * from config (which may not reuse the standard names; the config validation rejects that).
 * Passed explicitly to each resource: stack transforms do not run under the test mocks.
 */
export function stackTags(config: StackConfig): Record<string, string> {
    return {
        ...config.tags,
        environment: config.environment,
        workload: config.workload,
        owner: config.owner,
        costCenter: config.costCenter,
        stack: config.stack,
        managedBy: "pulumi",
    };
}
