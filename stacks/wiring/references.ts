import * as pulumi from "@pulumi/pulumi";
import type { HostKind } from "../../components/dns";
import type { SharedApi } from "../../components/identity";
import type { StackConfig } from "../config";
import type { Platform } from "./platform";

/** The other stacks of this project this stack reads, through StackReferences. */
export interface References {
    /** On a passive site: the active site's stack, read for its API application and its backups. */
    activeSite: pulumi.StackReference | undefined;
    /**
     * On an active site with a custom domain whose records point at the DR site (`dns.activeSite:
     * dr`): the DR stack's default host names, where the records point after a failover.
     */
    drSiteHosts: pulumi.Output<Record<HostKind, string>> | undefined;
}

/**
 * The stacks of this project a stack reads through a StackReference: the active site's (on a
 * passive site, for its API application) and the DR site's (while the records point there).
 */
export function referencedStacks(config: StackConfig): string[] {
    const stack = config.dr.stack;
    return stack && (config.dr.role === "passive" || config.dns.activeSite === "dr") ? [stack] : [];
}

/**
 * The full name of another stack of this project: `org/project/stack`. A bare name would be looked
 * up in the CLI's default organisation, which is not always the stack's.
 */
export function qualifiedStackName(stack: string): string {
    return stack.includes("/") ? stack : `${pulumi.getOrganization()}/${pulumi.getProject()}/${stack}`;
}

/** The references of {@link referencedStacks}: a passive site reads the active site, an active site failed over reads its DR site. */
export function wireReferences(ctx: Pick<Platform, "config" | "domain">): References {
    const { config } = ctx;
    const activeSite =
        config.dr.role === "passive" ? new pulumi.StackReference("active-site", { name: qualifiedStackName(config.dr.stack!) }) : undefined;
    const drSiteHosts = ctx.domain && config.dr.role === "active" && config.dns.activeSite === "dr" ? drHosts(config.dr.stack!) : undefined;
    return { activeSite, drSiteHosts };
}

/** The active site's API application, read from its outputs: a passive site validates the active site's tokens. */
export function activeSiteApi(activeSite: pulumi.StackReference): SharedApi {
    const identity = activeSite.requireOutput("identity") as pulumi.Output<{
        tenantId: string;
        apiClientId: string;
        identifierUri: string;
        roles: string[];
    }>;
    return { tenantId: identity.tenantId, clientId: identity.apiClientId, identifierUri: identity.identifierUri, roles: identity.roles };
}

/** The DR stack's default host names, read from its outputs: where the records point after a failover. */
function drHosts(stack: string): pulumi.Output<Record<HostKind, string>> {
    const reference = new pulumi.StackReference(`dr-site`, { name: qualifiedStackName(stack) });
    return reference.requireOutput("gateway").apply((gateway) => {
        const hosts = (gateway as { defaultHosts?: Record<HostKind, string> }).defaultHosts;
        if (!hosts) {
            throw new Error(`Stack ${stack} has no gateway.defaultHosts output; run pulumi up on it first`);
        }
        return hosts;
    });
}
