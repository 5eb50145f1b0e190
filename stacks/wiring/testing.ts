import * as pulumi from "@pulumi/pulumi";
import { AccessGrants } from "../../components/identity";
import { LoadTesting } from "../../components/load-testing";
import { loadTestReadsSecretGrant } from "../naming";
import type { Publication } from "./catalog";
import type { Gateway } from "./gateway";
import { loadTestSubscriptionKeySecret, type IdentityAndSecrets } from "./identity";
import type { Platform } from "./platform";

/** Azure Load Testing, on a stack that asks for it (`load.azureLoadTesting`). */
export interface Testing {
    loadTesting?: LoadTesting;
}

/**
 * On a stack with `load.azureLoadTesting`: the Load Testing resource beside the gateway, the
 * gateway's load-test subscription once the APIs are published, and the resource's read access to
 * exactly the two secrets its test uses (the daemon client's secret and the subscription's key),
 * each granted on the secret, through the same propagation wait as every grant.
 */
export function wireTesting(ctx: Platform & IdentityAndSecrets & Gateway & Publication): Testing {
    const { config, secrets, gateway } = ctx;
    if (!config.load.azureLoadTesting) {
        return {};
    }
    const loadTesting = new LoadTesting("load-testing", {
        resourceGroupName: ctx.groups.gateway.name,
        location: config.location,
        loadTestName: ctx.namer.name("loadTest", { purpose: "gateway" }),
        serviceName: gateway.serviceName,
        subscriptionKey: secrets.secretValues[loadTestSubscriptionKeySecret]!,
        tags: ctx.tags,
        after: [ctx.published],
    });
    const testSecrets = ["api-client-secret", loadTestSubscriptionKeySecret].filter((name) => secrets.secretIds[name] !== undefined);
    new AccessGrants("load-testing-secrets", {
        grants: Object.fromEntries(
            testSecrets.map((secretName) => [
                loadTestReadsSecretGrant(secretName),
                {
                    scope: pulumi.interpolate`${secrets.vaultId}/secrets/${secretName}`,
                    principalId: loadTesting.principalId,
                    principalType: "ServicePrincipal",
                    role: "Key Vault Secrets User",
                },
            ]),
        ),
        after: [secrets],
        propagationWait: config.identity.roleAssignmentWait,
    });
    return { loadTesting };
}
