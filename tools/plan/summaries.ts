/**
 * "The settings that matter" per resource type, for the plan's tree: one short line a reviewer
 * reads before pressing enter. Types without an entry show their location, if any.
 */
type Inputs = Record<string, unknown>;
type Summary = (inputs: Inputs) => string;

function join(parts: Array<string | undefined | false>): string {
    return parts.filter((part): part is string => typeof part === "string" && part.length > 0).join(", ");
}

const summaries: Readonly<Record<string, Summary>> = {
    "azure-native:resources:ResourceGroup": (inputs) => join([`${String(inputs.resourceGroupName)}`, `in ${String(inputs.location)}`]),
    "random:index/randomString:RandomString": (inputs) =>
        join([
            `${String(inputs.length)} characters`,
            inputs.lower !== false && "lower",
            inputs.upper !== false && "upper",
            inputs.numeric !== false && "digits",
            inputs.special !== false && "special",
        ]),
};

export function summarize(type: string, inputs: Inputs): string {
    const summary = summaries[type];
    if (summary) {
        return summary(inputs);
    }
    return typeof inputs.location === "string" ? `in ${inputs.location}` : "";
}
