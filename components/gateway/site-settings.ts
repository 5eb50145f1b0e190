import * as pulumi from "@pulumi/pulumi";

/**
 * A setting of the service that differs between an active site and its passive site (a backend's
 * URL, a named value's vault, the logger's Application Insights, the portal's sign-in app): a
 * restore of the active site's backup overwrites it in the passive site, so the passive site's
 * restore puts it back. Each is the ARM request of the resource the component creates (the path
 * under the service and the body of its PUT), made from the same arguments, so the two never
 * differ.
 */
export interface SiteSetting {
    /** The path under the service, such as `backends/orders-workflow`. */
    path: string;
    /** The body of the PUT (or PATCH): the resource's properties, or the ones to change. */
    body: { properties: Record<string, unknown> };
    /**
     * A PATCH of the properties in `body` of an entity the restore brings (an API's backend URL),
     * instead of a PUT of the whole entity. Default: false (PUT).
     */
    patch?: boolean;
}

/** A resource's arguments that are not properties: where it is and what it is called. */
const notProperties = ["resourceGroupName", "serviceName"];

/**
 * The PUT of a resource under the service, from the arguments its Pulumi resource takes (all
 * but the ones that name it, `idKey` among them). Secret arguments keep the step secret.
 */
export function siteSetting(path: pulumi.Input<string>, args: Record<string, unknown>, idKey: string): pulumi.Output<SiteSetting> {
    const properties = Object.fromEntries(Object.entries(args).filter(([key, value]) => ![...notProperties, idKey].includes(key) && value !== undefined));
    return pulumi.all([path, pulumi.output(properties)]).apply(([resolvedPath, resolved]) => ({ path: resolvedPath, body: { properties: resolved as Record<string, unknown> } }));
}

/** The PATCH of some properties of an entity under the service: the ones that differ between the sites. */
export function sitePatch(path: pulumi.Input<string>, properties: Record<string, pulumi.Input<unknown>>): pulumi.Output<SiteSetting> {
    return pulumi.all([path, pulumi.output(properties)]).apply(([resolvedPath, resolved]) => ({ path: resolvedPath, body: { properties: resolved as Record<string, unknown> }, patch: true }));
}
