import * as pulumi from "@pulumi/pulumi";
import { GatewayCatalog, type WorkflowTriggerRef } from "../../components/catalog";
import { signatureNamedValue } from "../../components/common/names";
import { AccessGrants } from "../../components/identity";
import { gatewayReadsSecretGrant } from "../naming";
import type { Gateway } from "./gateway";
import type { IdentityAndSecrets } from "./identity";
import type { Platform } from "./platform";
import type { DeployedWorkflows } from "./workflows";

/** The API catalog, as the gateway publishes it. */
export interface Publication {
    /** The products, APIs, backends and named values on the service. */
    published: GatewayCatalog;
}

/**
 * The catalog: the gateway's read access to exactly the secrets its named values hold, then the
 * products and APIs, which forward to the backends and to the workflows' triggers.
 */
export function wireCatalog(ctx: Platform & IdentityAndSecrets & Gateway & DeployedWorkflows): Publication {
    const { config, secrets, signatures, gateway } = ctx;
    const triggers = ctx.workflows.triggers;

    // The gateway reads exactly the secrets its named values hold, each granted on its own: not the
    // portal's or the client's Entra ID secrets. It reads them with its system-assigned identity,
    // the one the vault's firewall admits as a trusted service.
    const namedValueSecrets = [...Object.values(ctx.backendKeys), ...Object.keys(triggers).map(signatureNamedValue)];
    const secretAccess = new AccessGrants("gateway-secrets", {
        grants: Object.fromEntries(
            namedValueSecrets.map((secretName) => [
                gatewayReadsSecretGrant(secretName),
                {
                    scope: pulumi.interpolate`${secrets.vaultId}/secrets/${secretName}`,
                    principalId: gateway.systemPrincipalId,
                    principalType: "ServicePrincipal",
                    role: "Key Vault Secrets User",
                },
            ]),
        ),
        after: [secrets, signatures],
        propagationWait: config.identity.roleAssignmentWait,
    });

    const workflows: Record<string, WorkflowTriggerRef> = Object.fromEntries(
        Object.entries(triggers).map(([name, trigger]) => [
            name,
            {
                baseUrl: trigger.baseUrl,
                path: trigger.path,
                query: trigger.query,
                signatureSecretId: signatures.secretIds[signatureNamedValue(name)]!,
            },
        ]),
    );
    const published = new GatewayCatalog("catalog", {
        resourceGroupName: ctx.groups.gateway.name,
        serviceName: gateway.serviceName,
        catalog: ctx.catalog,
        backends: config.gateway.backends,
        workflows,
        tokenValidation: { openIdConfigUrl: ctx.identity.openIdConfigUrl, issuer: ctx.identity.issuer, audiences: ctx.identity.audiences },
        namedValues: Object.fromEntries(Object.values(ctx.backendKeys).map((secretName) => [secretName, secrets.secretIds[secretName]!])),
        // A named value is checked against the vault when it is created: after the grants applied.
        // And no API reaches a workflow before it may write to its containers.
        after: [gateway, ...secretAccess.applied, ...ctx.storageAccess.applied, ...ctx.connectionAccess.applied],
    });
    return { published };
}
