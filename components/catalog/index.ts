import * as pulumi from "@pulumi/pulumi";
import { apiIdOfRevision } from "../common/names";
import type { TokenValidation } from "../common/policies";
import type { SiteSetting } from "../common/site-settings";
import { validateGatewayCatalogArgs, type GatewayCatalogArgs } from "./args";
import { keyVaultNamedValue, publishApi, publishBackends, publishProducts, publishVersionSets, type PublishContext } from "./publish";

export {
    validateGatewayCatalogArgs,
    type BackendRef,
    type GatewayCatalogArgs,
    type TokenValidationRef,
    type WorkflowTriggerRef,
} from "./args";

/**
 * The API catalog as published on a service: products, Key Vault named values, backends (with
 * client certificates), and per API its version set, the API, its revisions and releases, its
 * policy and its product links. It is a component of its own, created after the service, because
 * what it forwards to (workflow triggers, whose signatures go into Key Vault) is created after the
 * service too: the workflows only admit the gateway's addresses, known once the service exists.
 */
export class GatewayCatalog extends pulumi.ComponentResource {
    /** ARM ids of the published APIs, keyed by API id (`orders-v1`). */
    readonly apiIds: Record<string, pulumi.Output<string>>;
    /**
     * The revisions staged for testing, not current, by API id: the address each answers at
     * (`/<path>/<version>;rev=<n>`, after the gateway's host). Empty when none is staged.
     */
    readonly stagedRevisions: Record<string, string[]>;
    /** What a restore of another site's backup overwrites that this catalog owns: backends, certificates, named values. */
    readonly siteSettings: pulumi.Output<SiteSetting[]>;

    constructor(name: string, args: GatewayCatalogArgs, opts?: pulumi.ComponentResourceOptions) {
        validateGatewayCatalogArgs(args);
        // The type keeps its first name (the catalog was part of the gateway's folder): a new type
        // would give every published API a new URN, which Pulumi replaces unless aliased.
        super("enterprise-integration:gateway:GatewayCatalog", name, {}, opts);

        const ctx: PublishContext = {
            name,
            parent: this,
            resourceGroupName: args.resourceGroupName,
            serviceName: pulumi.output(args.serviceName),
            identityClientId: args.identityClientId,
            after: args.after ?? [],
            siteSettings: [],
        };
        const namedValues = Object.fromEntries(
            Object.entries(args.namedValues ?? {})
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([valueName, secretId]) => [valueName, keyVaultNamedValue(ctx, valueName, secretId)]),
        );
        const { apis } = args.catalog;
        const products = publishProducts(ctx, args.catalog.products);
        const { backends, signatures } = publishBackends(ctx, apis, args.backends ?? {}, args.workflows ?? {});
        const versionSets = publishVersionSets(ctx, apis);
        // Validation guarantees token settings whenever there is an API to protect.
        const validation = args.tokenValidation ?? { openIdConfigUrl: "", issuer: "", audiences: [] };
        const token: pulumi.Output<TokenValidation> = pulumi
            .all([validation.openIdConfigUrl, validation.issuer, validation.audiences])
            .apply(([openIdConfigUrl, issuer, audiences]) => ({ openIdConfigUrl, issuers: [issuer], audiences }));
        this.apiIds = Object.fromEntries(
            apis.map((api) => [
                api.apiId,
                // The API's id, not its first revision's (`;rev=1`): what the current revision answers to.
                publishApi(
                    ctx,
                    api,
                    { products, backends, workflows: args.workflows ?? {}, signatures, namedValues, token, after: args.after ?? [] },
                    versionSets[api.name]!,
                ).id.apply(apiIdOfRevision),
            ]),
        );
        this.stagedRevisions = Object.fromEntries(
            apis
                .filter((api) => api.revisions.some((revision) => revision.staged))
                .map((api) => [
                    api.apiId,
                    api.revisions
                        .filter((revision) => revision.staged)
                        .map((revision) => `/${api.path}/${api.version};rev=${revision.revision}`),
                ]),
        );
        this.siteSettings = pulumi.all(ctx.siteSettings);
        this.registerOutputs({ apiIds: this.apiIds, stagedRevisions: this.stagedRevisions });
    }
}
