import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";

/**
 * The bench's reference for Pulumi's own cost: the resources of a saved plan (`npm run plan --
 * <stack> --json --out <file>`), the same types, names, parents and inputs, registered by plain
 * `@pulumi/pulumi` under its own `pulumi.runtime.setMocks` (mocks that answer each resource with
 * its inputs), with none of this project's engine, program, checks or rendering. What the plan
 * takes beyond this is the project's own.
 *
 *   node --require ./scripts/register.js scripts/plain-pulumi.ts <plan.json>
 */

interface PlannedResource {
    urn: string;
    type: string;
    name: string;
    parent?: string;
    custom: boolean;
    inputs: Record<string, unknown>;
}

/** A custom resource of a type no installed SDK has a class for, registered with its inputs. */
class PlainResource extends pulumi.CustomResource {
    constructor(type: string, name: string, inputs: Record<string, unknown>, opts: pulumi.CustomResourceOptions) {
        super(type, name, inputs, opts);
    }
}

type SdkClass = new (name: string, args: Record<string, unknown>, opts: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/**
 * The SDK's class of a type token (`azure-native:apimanagement:Api` is `Api` of
 * `@pulumi/azure-native/apimanagement`), so the reference builds the resources the program builds,
 * with every output property the SDK declares; undefined for a token of no installed SDK.
 */
export function sdkClassOf(token: string): SdkClass | undefined {
    const [provider, module, type] = token.split(":");
    const packages: Record<string, string> = {
        "azure-native": "@pulumi/azure-native",
        azuread: "@pulumi/azuread",
        random: "@pulumi/random",
        time: "@pulumiverse/time",
    };
    const root = packages[provider ?? ""];
    if (!root || !module || !type) {
        return undefined;
    }
    try {
        const loaded = require(module === "index" || module.startsWith("index/") ? root : `${root}/${module}`) as Record<string, unknown>;
        return loaded[type] as SdkClass | undefined;
    } catch {
        return undefined;
    }
}

export async function registerPlain(resources: readonly PlannedResource[]): Promise<number> {
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
            call: (args) => args.inputs,
        },
        "reference",
        "reference",
        true,
    );
    const made = new Map<string, pulumi.Resource>();
    const urns: pulumi.Output<string>[] = [];
    for (const planned of resources) {
        if (planned.type === "pulumi:pulumi:Stack") {
            continue;
        }
        const parent = planned.parent ? made.get(planned.parent) : undefined;
        const sdkClass = planned.custom ? sdkClassOf(planned.type) : undefined;
        const resource = sdkClass
            ? new sdkClass(planned.name, planned.inputs, { parent })
            : planned.custom
              ? new PlainResource(planned.type, planned.name, planned.inputs, { parent })
              : new pulumi.ComponentResource(planned.type, planned.name, {}, { parent });
        made.set(planned.urn, resource);
        urns.push(resource.urn);
    }
    await new Promise((resolve) => pulumi.all(urns).apply(resolve));
    return made.size;
}

if (require.main === module) {
    const plan = JSON.parse(fs.readFileSync(process.argv[2]!, "utf8")) as { resources: PlannedResource[] };
    registerPlain(plan.resources).then(
        (count) => process.stdout.write(`${count} resources registered\n`),
        (error: unknown) => {
            process.stderr.write(`${String(error)}\n`);
            process.exitCode = 1;
        },
    );
}
