import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as resources from "@pulumi/azure-native/resources";
import { ArgumentsError } from "../common/rules";

/**
 * The pieces every other component stands on: one resource group per lifecycle (resources that
 * are created, changed and deleted together share a group) and the stack's random name suffix,
 * which makes the globally unique names (API Management, Key Vault, storage) unique.
 */
export interface FoundationArgs {
    /**
     * Azure region of the resource groups (unless a group names its own): the stack's primary
     * region, so deployment metadata lives with the resources. Required.
     */
    location: pulumi.Input<string>;
    /**
     * The resource groups to create, keyed by lifecycle (for example `gateway`, `workflows`,
     * `shared`), each with its Azure name, or its name and its own region. Plain strings, not
     * Inputs: the keys become logical names and both are checked before anything is registered.
     * Required, at least one.
     */
    resourceGroups: Record<string, string | { name: string; location: string }>;
    /** Tags on every resource group. Default: none. */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /**
     * Protect the resource groups and the suffix from deletion (`pulumi destroy` and removals
     * from code fail until this is turned off). Deleting a group deletes everything in it, and a
     * new suffix renames, and so replaces, every globally named resource. Default: false.
     */
    protect?: boolean;
    /** Length of the random suffix, 3-10. Default: 5. */
    suffixLength?: number;
}

/** A resource group as the other components need it. */
export interface ResourceGroupRef {
    readonly name: pulumi.Output<string>;
    readonly id: pulumi.Output<string>;
}

const lifecyclePattern = /^[a-z][a-z0-9-]{0,23}$/;
const groupNamePattern = /^[-\w.()]{0,89}[-\w()]$/;

/** Checks {@link FoundationArgs}; throws one error naming the field, the value and what is allowed. */
export function validateFoundationArgs(args: FoundationArgs): void {
    const problems: string[] = [];
    const entries = Object.entries(args.resourceGroups);
    if (entries.length === 0) {
        problems.push("resourceGroups: empty (allowed: at least one lifecycle, e.g. { shared: 'rg-...' })");
    }
    const names = new Set<string>();
    for (const [lifecycle, group] of entries) {
        const name = typeof group === "string" ? group : group.name;
        if (!lifecyclePattern.test(lifecycle)) {
            problems.push(
                `resourceGroups: key "${lifecycle}" is not a lifecycle label (allowed: 1-24 lower-case letters, digits, hyphens, starting with a letter)`,
            );
        }
        if (!groupNamePattern.test(name)) {
            problems.push(
                `resourceGroups.${lifecycle}: "${name}" is not a resource group name (allowed: 1-90 letters, digits, - _ . ( ), not ending in .)`,
            );
        } else if (names.has(name.toLowerCase())) {
            problems.push(`resourceGroups.${lifecycle}: "${name}" is used by another lifecycle (allowed: a name of its own)`);
        }
        names.add(name.toLowerCase());
    }
    const length = args.suffixLength ?? 5;
    if (!Number.isInteger(length) || length < 3 || length > 10) {
        problems.push(`suffixLength: ${length} (allowed: a whole number from 3 to 10)`);
    }
    if (problems.length > 0) {
        throw new ArgumentsError("Foundation", problems);
    }
}

export class Foundation extends pulumi.ComponentResource {
    /** The resource groups, keyed like {@link FoundationArgs.resourceGroups}. */
    readonly resourceGroups: Readonly<Record<string, ResourceGroupRef>>;
    /** Lower-case letters and digits that end every globally unique name. */
    readonly nameSuffix: pulumi.Output<string>;

    constructor(name: string, args: FoundationArgs, opts?: pulumi.ComponentResourceOptions) {
        validateFoundationArgs(args);
        super("enterprise-integration:foundation:Foundation", name, {}, opts);

        const protect = args.protect ?? false;
        const suffix = new random.RandomString(
            `${name}-suffix`,
            { length: args.suffixLength ?? 5, lower: true, upper: false, numeric: true, special: false },
            { parent: this, protect },
        );
        this.nameSuffix = suffix.result;

        const groups: Record<string, ResourceGroupRef> = {};
        for (const [lifecycle, spec] of Object.entries(args.resourceGroups)) {
            const group = new resources.ResourceGroup(
                `${name}-rg-${lifecycle}`,
                typeof spec === "string"
                    ? { resourceGroupName: spec, location: args.location, tags: args.tags }
                    : { resourceGroupName: spec.name, location: spec.location, tags: args.tags },
                { parent: this, protect },
            );
            groups[lifecycle] = { name: group.name, id: group.id };
        }
        this.resourceGroups = groups;

        this.registerOutputs({ resourceGroups: this.resourceGroups, nameSuffix: this.nameSuffix });
    }
}
