import * as assert from "node:assert/strict";
import {
    AccessGrants,
    Identity,
    grantName,
    stableGuid,
    validateAccessGrantsArgs,
    validateIdentityArgs,
    waitSeconds,
    type AccessGrantsArgs,
    type IdentityArgs,
} from "../../components/identity";
import type { StackRun } from "../../engine";
import { runFixture } from "../helpers";

const roles = [
    { value: "Shipments.Write", description: "Submit shipments." },
    { value: "Ledger.Read", description: "Read stock." },
];

function args(overrides: Partial<IdentityArgs> = {}): IdentityArgs {
    return {
        displayNamePrefix: "integration-test",
        identifierUri: "api://integration-test",
        apiRoles: roles,
        portalHosts: ["apim-test.developer.azure-api.net", "developer.fabrikam.com"],
        secretExpiresOn: "2027-06-30",
        ...overrides,
    };
}

function deploy(identityArgs: IdentityArgs): Promise<StackRun> {
    return runFixture({
        stack: "dev",
        program: async () => {
            const identity = new Identity("id", identityArgs);
            return {
                tenantId: identity.tenantId,
                audiences: identity.audiences,
                openIdConfigUrl: identity.openIdConfigUrl,
                issuer: identity.issuer,
                ...(identity.clientAppSecret ? { clientSecret: identity.clientAppSecret } : {}),
                portalSecret: identity.portalClientSecret,
            };
        },
    });
}

describe("Identity component", () => {
    let run: StackRun;
    before(async () => {
        run = await deploy(args());
    });

    it("registers the API application with its identifier URI, one app role per role, a delegated scope and v2 tokens", () => {
        const api = run.get("azuread:index/application:Application", "id-api").inputs;
        assert.deepEqual(api.identifierUris, ["api://integration-test"]);
        assert.equal(api.signInAudience, "AzureADMyOrg");
        assert.equal(api.api.requestedAccessTokenVersion, 2);
        assert.deepEqual(
            api.appRoles.map((role: Record<string, unknown>) => [role.value, role.id, role.allowedMemberTypes, role.enabled]),
            [
                ["Shipments.Write", stableGuid("api://integration-test/role/Shipments.Write"), ["Application", "User"], true],
                ["Ledger.Read", stableGuid("api://integration-test/role/Ledger.Read"), ["Application", "User"], true],
            ],
        );
        assert.deepEqual(
            api.api.oauth2PermissionScopes.map((scope: Record<string, unknown>) => [scope.value, scope.type]),
            [["access_as_user", "User"]],
        );
        assert.equal(run.get("azuread:index/servicePrincipal:ServicePrincipal", "id-api-sp").inputs.appRoleAssignmentRequired, true);
    });

    it("keeps app role ids stable across runs, so a re-run never replaces a role", async () => {
        const again = await deploy(args({ apiRoles: [...roles].reverse() }));
        const ids = (r: StackRun) =>
            Object.fromEntries(
                r
                    .get("azuread:index/application:Application", "id-api")
                    .inputs.appRoles.map((role: Record<string, string>) => [role.value, role.id]),
            );
        assert.deepEqual(ids(again), ids(run));
    });

    it("grants the daemon client every app role on the API's service principal", () => {
        const apiPrincipal = run.get("azuread:index/servicePrincipal:ServicePrincipal", "id-api-sp");
        const clientPrincipal = run.get("azuread:index/servicePrincipal:ServicePrincipal", "id-client-sp");
        const assignments = run.ofType("azuread:index/appRoleAssignment:AppRoleAssignment");
        assert.deepEqual(assignments.map((assignment) => assignment.name).sort(), ["id-client-Ledger.Read", "id-client-Shipments.Write"]);
        for (const assignment of assignments) {
            assert.equal(assignment.inputs.resourceObjectId, apiPrincipal.outputs.objectId);
            assert.equal(assignment.inputs.principalObjectId, clientPrincipal.outputs.objectId);
        }
        assert.equal(
            run.get("azuread:index/appRoleAssignment:AppRoleAssignment", "id-client-Shipments.Write").inputs.appRoleId,
            stableGuid("api://integration-test/role/Shipments.Write"),
        );
    });

    it("gives the daemon a client secret with the configured expiry, as a secret output", () => {
        const secret = run.get("azuread:index/applicationPassword:ApplicationPassword", "id-client-secret");
        // The application's resource id (/applications/<object id>), not its client id.
        assert.equal(secret.inputs.applicationId, run.get("azuread:index/application:Application", "id-client").id);
        assert.match(String(secret.inputs.applicationId), /^\/applications\/[0-9a-f-]{36}$/);
        assert.equal(secret.inputs.endDate, "2027-06-30T23:59:59Z");
        assert.ok(run.secretOutputs.includes("clientSecret"));
        assert.ok(run.secretOutputs.includes("portalSecret"));
    });

    it("uses a federated credential instead of a secret when one is configured", async () => {
        const federated = await deploy(
            args({
                clientFederation: {
                    issuer: "https://token.actions.githubusercontent.com",
                    subject: "repo:fabrikam/shipments:environment:prod",
                },
            }),
        );
        assert.equal(federated.ofType("azuread:index/applicationPassword:ApplicationPassword").length, 1);
        const credential = federated.get(
            "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential",
            "id-client-federation",
        ).inputs;
        assert.equal(credential.subject, "repo:fabrikam/shipments:environment:prod");
        assert.equal(credential.applicationId, federated.get("azuread:index/application:Application", "id-client").id);
        assert.deepEqual(credential.audiences, ["api://AzureADTokenExchange"]);
        assert.equal(federated.outputs.clientSecret, undefined);
    });

    it("redirects the developer portal's sign-in to /signin on the default and the custom host", () => {
        const portal = run.get("azuread:index/application:Application", "id-portal").inputs;
        assert.deepEqual(portal.singlePageApplication.redirectUris, [
            "https://apim-test.developer.azure-api.net/signin",
            "https://developer.fabrikam.com/signin",
        ]);
        assert.equal(
            run.get("azuread:index/applicationPassword:ApplicationPassword", "id-portal-secret").inputs.endDate,
            "2027-06-30T23:59:59Z",
        );
    });

    it("outputs the tenant's v2.0 endpoints and the audiences the gateway accepts", () => {
        const tenant = String(run.outputs.tenantId);
        assert.match(tenant, /^[0-9a-f-]{36}$/);
        assert.equal(run.outputs.issuer, `https://login.microsoftonline.com/${tenant}/v2.0`);
        assert.equal(run.outputs.openIdConfigUrl, `https://login.microsoftonline.com/${tenant}/v2.0/.well-known/openid-configuration`);
        const clientId = run.get("azuread:index/application:Application", "id-api").outputs.clientId;
        assert.deepEqual(run.outputs.audiences, [clientId, "api://integration-test"]);
    });

    it("puts the developer's e-mail and names in the portal application's ID tokens, with the Graph permissions they need", () => {
        // api-management-howto-aad: the ID token's email, family_name and given_name, and the
        // Microsoft Graph email and profile permissions.
        const portal = run.get("azuread:index/application:Application", "id-portal").inputs;
        assert.deepEqual(portal.optionalClaims, { idTokens: [{ name: "email" }, { name: "given_name" }, { name: "family_name" }] });
        assert.deepEqual(portal.requiredResourceAccesses, [
            {
                resourceAppId: "00000003-0000-0000-c000-000000000000",
                resourceAccesses: [
                    { id: "37f7f235-527c-4136-accd-4a02d197296e", type: "Scope" },
                    { id: "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0", type: "Scope" },
                    { id: "14dad69e-099b-42c9-810b-d002981feec1", type: "Scope" },
                ],
            },
        ]);
    });

    it("uses another stack's API application when shared, creating only the portal application", async () => {
        const shared = await deploy(
            args({
                sharedApi: {
                    tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
                    clientId: "33333333-3333-4333-8333-333333333333",
                    identifierUri: "api://integration-prod",
                    roles: ["Shipments.Write"],
                },
            }),
        );
        assert.deepEqual(
            shared.ofType("azuread:index/application:Application").map((app) => app.name),
            ["id-portal"],
        );
        assert.equal(shared.ofType("azuread:index/appRoleAssignment:AppRoleAssignment").length, 0);
        assert.deepEqual(shared.outputs.audiences, ["33333333-3333-4333-8333-333333333333", "api://integration-prod"]);
        assert.equal(shared.outputs.issuer, "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0");
    });

    describe("rejects bad arguments", () => {
        const cases: Array<[string, Partial<IdentityArgs>, string]> = [
            [
                "an identifier URI that is not one",
                { identifierUri: "integration" },
                'identifierUri: "integration" is not an identifier URI (allowed: api://<name>, or an https URL on a verified domain of the tenant, at most 200 characters)',
            ],
            ["no roles", { apiRoles: [] }, "apiRoles: empty (allowed: one or more roles, such as Orders.Read)"],
            ["a role twice", { apiRoles: [roles[0]!, roles[0]!] }, 'apiRoles: "Shipments.Write" is listed twice (allowed: each role once)'],
            [
                "an expiry that is not a date",
                { secretExpiresOn: "next year" },
                'secretExpiresOn: "next year" is not a date (allowed: a calendar date such as 2027-06-30 (YYYY-MM-DD))',
            ],
        ];
        for (const [what, patch, message] of cases) {
            it(what, () => {
                assert.throws(
                    () => validateIdentityArgs(args(patch)),
                    (error: Error) => error.message.split("\n").includes(`  - ${message}`),
                );
            });
        }
    });
});

describe("AccessGrants component", () => {
    const vault =
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv-test";
    const group = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-gateway";
    const grants: AccessGrantsArgs = {
        grants: {
            "gateway-reads-vault": {
                scope: vault,
                principalId: "11111111-1111-4111-8111-111111111111",
                principalType: "ServicePrincipal",
                role: "Key Vault Secrets User",
            },
            "operators-read-gateway": {
                scope: group,
                principalId: "22222222-2222-4222-8222-222222222222",
                principalType: "Group",
                role: "Reader",
            },
        },
    };

    it("assigns each built-in role by id at its own scope, named by a GUID of scope, principal and role", async () => {
        const run = await runFixture({ stack: "dev", program: async () => void new AccessGrants("access", grants) });
        const secretsUser = run.get("azure-native:authorization:RoleAssignment", "access-gateway-reads-vault").inputs;
        assert.equal(secretsUser.scope, vault);
        assert.equal(secretsUser.principalType, "ServicePrincipal");
        // The role definition of the scope's own subscription.
        assert.equal(
            secretsUser.roleDefinitionId,
            "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6",
        );
        assert.equal(
            secretsUser.roleAssignmentName,
            grantName(vault, "11111111-1111-4111-8111-111111111111", "4633458b-17de-408a-b874-0445c86b69e6"),
        );
        const reader = run.get("azure-native:authorization:RoleAssignment", "access-operators-read-gateway").inputs;
        assert.equal(reader.scope, group);
        assert.match(reader.roleDefinitionId, /\/roleDefinitions\/acdd72a7-3385-48ef-bd42-f606fba81ae7$/);
    });

    it("names a grant the same on every run, and differently for another principal", () => {
        const a = grantName(vault, "p1", "r");
        assert.equal(grantName(vault.toUpperCase(), "P1", "r"), a);
        assert.notEqual(grantName(vault, "p2", "r"), a);
        assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    });

    it("waits the propagation time after the assignments, again whenever one of them changes, and not at all with 0s", async () => {
        const run = await runFixture({
            stack: "dev",
            program: async () => void new AccessGrants("access", { ...grants, propagationWait: "2m30s" }),
        });
        const sleep = run.get("time:index/sleep:Sleep", "access-propagation");
        const assignments = run.ofType("azure-native:authorization:RoleAssignment");
        assert.equal(sleep.inputs.createDuration, "2m30s");
        assert.deepEqual(
            sleep.inputs.triggers,
            Object.fromEntries(assignments.map((assignment) => [assignment.name.slice("access-".length), assignment.id])),
        );
        assert.deepEqual([...sleep.dependsOn].sort(), assignments.map((assignment) => assignment.urn).sort());
        const none = await runFixture({
            stack: "dev",
            program: async () => void new AccessGrants("access", { ...grants, propagationWait: "0s" }),
        });
        assert.equal(none.ofType("time:index/sleep:Sleep").length, 0);
    });

    it("reads a wait as minutes and seconds, and refuses anything else or more than 30 minutes", () => {
        assert.deepEqual(["10m", "90s", "2m30s", "0s", "30m"].map(waitSeconds), [600, 90, 150, 0, 1800]);
        for (const wait of ["", "1h", "10 m", "31m", "-5s"]) {
            assert.throws(
                () => validateAccessGrantsArgs({ ...grants, propagationWait: wait }),
                (error: Error) =>
                    error.message.includes(
                        `propagationWait: "${wait}" is not a wait of at most 30 minutes (allowed: minutes and seconds such as 10m, 90s or 2m30s; 0s for none)`,
                    ),
                wait,
            );
        }
    });

    it("refuses the subscription as a scope and roles it does not know", () => {
        assert.throws(
            () =>
                validateAccessGrantsArgs({
                    grants: {
                        everything: {
                            scope: "/subscriptions/00000000-0000-0000-0000-000000000000",
                            principalId: "p",
                            principalType: "Group",
                            role: "Owner" as never,
                        },
                    },
                }),
            (error: Error) =>
                error.message.includes(
                    'grants.everything.role: "Owner" is not a role this platform grants (allowed: Azure Service Bus Data Sender, Azure Service Bus Data Receiver, Azure Event Hubs Data Sender, Azure Event Hubs Data Receiver, Key Vault Secrets User, Reader, Monitoring Metrics Publisher, Storage Blob Data Contributor, Storage Blob Data Reader, or a custom role the stack defines)',
                ) &&
                error.message.includes(
                    'grants.everything.scope: "/subscriptions/00000000-0000-0000-0000-000000000000" is a whole subscription (allowed: a resource group or a resource)',
                ),
        );
    });
});
