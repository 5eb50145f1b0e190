import * as pulumi from "@pulumi/pulumi";
import { Foundation } from "../components/foundation";
import { loadStackConfig, type StackConfig } from "./config";
import { Namer, nameSuffixLength } from "./naming";
import { stackTags } from "./tags";

/** The resource-group lifecycles of every stack: what is deployed, changed and removed together. */
export const lifecycles = ["gateway", "workflows", "shared"] as const;
export type Lifecycle = (typeof lifecycles)[number];

/** What `pulumi stack output` shows, and what other stacks read through a StackReference. */
export interface StackOutputs {
    environment: string;
    location: string;
    production: boolean;
    drRole: StackConfig["dr"]["role"];
    resourceGroups: Record<Lifecycle, pulumi.Output<string>>;
    nameSuffix: pulumi.Output<string>;
}

/**
 * The stack assembly: typed config in, components out. Only this file knows how the components
 * connect; each component takes what it needs as arguments.
 */
export async function program(): Promise<StackOutputs> {
    const config = loadStackConfig();
    const namer = new Namer(config.workload, config.stack, config.location);
    const tags = stackTags(config);

    const foundation = new Foundation("foundation", {
        location: config.location,
        resourceGroups: Object.fromEntries(lifecycles.map((lifecycle) => [lifecycle, namer.name("resourceGroup", { purpose: lifecycle })])),
        tags,
        protect: config.protect,
        suffixLength: nameSuffixLength,
    });

    return {
        environment: config.environment,
        location: config.location,
        production: config.production,
        drRole: config.dr.role,
        resourceGroups: Object.fromEntries(lifecycles.map((lifecycle) => [lifecycle, foundation.resourceGroups[lifecycle].name])) as Record<
            Lifecycle,
            pulumi.Output<string>
        >,
        nameSuffix: foundation.nameSuffix,
    };
}
