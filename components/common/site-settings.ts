import * as pulumi from "@pulumi/pulumi";

export type { SiteSetting } from "./azure";
import type { SiteSetting } from "./azure";

/** A resource's arguments that are not properties: where it is and what it is called. */
const notProperties = ["resourceGroupName", "serviceName"];

/**
 * The PUT of a resource under the service, from the arguments its Pulumi resource takes (all
 * but the ones that name it, `idKey` among them). Secret arguments keep the step secret.
 */
export function siteSetting(path: pulumi.Input<string>, args: Record<string, unknown>, idKey: string): pulumi.Output<SiteSetting> {
    const properties = Object.fromEntries(
        Object.entries(args).filter(([key, value]) => ![...notProperties, idKey].includes(key) && value !== undefined),
    );
    return pulumi
        .all([path, pulumi.output(properties)])
        .apply(([resolvedPath, resolved]) => ({ path: resolvedPath, body: { properties: resolved as Record<string, unknown> } }));
}

/** The PATCH of some properties of an entity under the service: the ones that differ between the sites. */
export function sitePatch(path: pulumi.Input<string>, properties: Record<string, pulumi.Input<unknown>>): pulumi.Output<SiteSetting> {
    return pulumi.all([path, pulumi.output(properties)]).apply(([resolvedPath, resolved]) => ({
        path: resolvedPath,
        body: { properties: resolved as Record<string, unknown> },
        patch: true,
    }));
}
