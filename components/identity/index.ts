import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";
import { stableGuid } from "../common/guid";
import { ArgumentsError, problemLines } from "../common/rules";
import { dateProblems, identifierUriProblems, issuerProblems } from "../common/values";

export { stableGuid } from "../common/guid";
export {
    AccessGrants,
    builtInRoles,
    grantName,
    longestWait,
    validateAccessGrantsArgs,
    waitSeconds,
    type AccessGrantsArgs,
    type BuiltInRole,
    type CustomRole,
    type Grant,
} from "./grants";

/**
 * Entra ID for the platform: the API application whose tokens the gateway validates (app roles per
 * operation group, a delegated scope, v2 tokens), a daemon client application granted those roles
 * (client-credentials flow), and the developer portal's sign-in application with a client secret.
 */

/** An app role of the API application: a `roles` claim value the gateway requires. */
export interface ApiRole {
    /** The claim value, such as Orders.Read. Required. */
    value: string;
    /** What the role allows, shown to administrators. Required. */
    description: string;
}

/** A federated credential: a workload outside Azure (a pipeline, another cloud) signs in without a secret. */
export interface FederatedCredential {
    /** The external identity provider's issuer URL, such as https://token.actions.githubusercontent.com. Required. */
    issuer: string;
    /** The external workload's subject, such as repo:contoso/orders:environment:prod. Required. */
    subject: string;
}

/** The API application of another stack, used instead of creating one. */
export interface SharedApi {
    /** Its directory (tenant) id. Required. */
    tenantId: pulumi.Input<string>;
    /** Its client id. Required. */
    clientId: pulumi.Input<string>;
    /** Its identifier URI. Required. */
    identifierUri: pulumi.Input<string>;
    /** Its app role values. Required. */
    roles: pulumi.Input<string[]>;
}

export interface IdentityArgs {
    /** Prefix of the applications' display names, such as integration-prod. Required. */
    displayNamePrefix: string;
    /**
     * Use another stack's API application instead of creating one and its daemon client: a passive
     * DR site validates the active site's tokens, so clients keep working after a failover. When
     * set, `identifierUri`, `apiRoles` and `clientFederation` are ignored. Default: create them.
     */
    sharedApi?: SharedApi;
    /** Identifier URI of the API application, such as api://integration-prod. Required unless `sharedApi`. */
    identifierUri: string;
    /** App roles of the API application, one per distinct value. Required, one or more. */
    apiRoles: ApiRole[];
    /**
     * How the daemon client signs in: a federated credential (no secret at all), or, when omitted,
     * a client secret that expires on `secretExpiresOn` and is output as a secret for Key Vault.
     */
    clientFederation?: FederatedCredential;
    /** The developer portal's host names (default and custom); each gets a `/signin` redirect URI. Required. */
    portalHosts: pulumi.Input<pulumi.Input<string>[]>;
    /** Expiry of the generated client secrets, a calendar date such as 2027-06-30 (YYYY-MM-DD). Required. */
    secretExpiresOn: string;
    /** Object ids of the applications' owners. Default: the deploying identity. */
    owners?: pulumi.Input<string>[];
}

const roleValue = /^[A-Za-z][A-Za-z0-9._-]{0,119}$/;

/** Checks {@link IdentityArgs}; throws one error naming each field, its value and what is allowed. */
export function validateIdentityArgs(args: IdentityArgs): void {
    const problems = problemLines(dateProblems(args.secretExpiresOn), ["secretExpiresOn"]);
    if (!args.sharedApi) {
        problems.push(...apiProblems(args));
    }
    if (problems.length > 0) {
        throw new ArgumentsError("Identity", problems);
    }
}

function apiProblems(args: IdentityArgs): string[] {
    const problems = problemLines(identifierUriProblems(args.identifierUri), ["identifierUri"]);
    if (args.apiRoles.length === 0) {
        problems.push("apiRoles: empty (allowed: one or more roles, such as Orders.Read)");
    }
    const seen = new Set<string>();
    for (const role of args.apiRoles) {
        if (!roleValue.test(role.value)) {
            problems.push(
                `apiRoles: "${role.value}" is not an app role value (allowed: letters, digits, dots, hyphens, underscores, starting with a letter)`,
            );
        }
        if (seen.has(role.value)) {
            problems.push(`apiRoles: "${role.value}" is listed twice (allowed: each role once)`);
        }
        seen.add(role.value);
    }
    if (args.clientFederation) {
        problems.push(...problemLines(issuerProblems(args.clientFederation.issuer), ["clientFederation", "issuer"]));
    }
    return problems;
}

/** Microsoft Graph's application id and the ids of its delegated permissions the portal asks for. */
export const microsoftGraph = {
    appId: "00000003-0000-0000-c000-000000000000",
    scopes: {
        openid: "37f7f235-527c-4136-accd-4a02d197296e",
        email: "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0",
        profile: "14dad69e-099b-42c9-810b-d002981feec1",
    },
} as const;

/** The optional ID-token claims the developer portal reads to create a developer's account. */
export const portalIdTokenClaims = ["email", "given_name", "family_name"] as const;

/** The delegated Graph permissions those claims need. */
export const portalGraphScopes = ["openid", "email", "profile"] as const;

export class Identity extends pulumi.ComponentResource {
    /** The directory (tenant) id of the API application. */
    readonly tenantId: pulumi.Output<string>;
    /** The API application's client id: the `aud` of its v2 tokens. */
    readonly apiClientId: pulumi.Output<string>;
    /** The API application's identifier URI. */
    readonly identifierUri: pulumi.Output<string>;
    /** The audiences the gateway accepts: client id and identifier URI. */
    readonly audiences: pulumi.Output<string[]>;
    /** The app role values. */
    readonly roleValues: pulumi.Output<string[]>;
    /** `https://login.microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration`. */
    readonly openIdConfigUrl: pulumi.Output<string>;
    /** `https://login.microsoftonline.com/<tenant>/v2.0`. */
    readonly issuer: pulumi.Output<string>;
    /** The daemon client's client id (none when the API application is shared). */
    readonly clientAppClientId?: pulumi.Output<string>;
    /** The daemon client's secret (secret), when it has no federated credential. */
    readonly clientAppSecret?: pulumi.Output<string>;
    /** The developer portal application's client id. */
    readonly portalClientId: pulumi.Output<string>;
    /** The developer portal application's client secret (secret). */
    readonly portalClientSecret: pulumi.Output<string>;

    constructor(name: string, args: IdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        validateIdentityArgs(args);
        super("enterprise-integration:identity:Identity", name, {}, opts);

        const client = azuread.getClientConfigOutput({ parent: this });
        const owners: pulumi.Input<string>[] = args.owners ?? [client.objectId];
        const endDate = `${args.secretExpiresOn}T23:59:59Z`;

        if (args.sharedApi) {
            this.tenantId = pulumi.output(args.sharedApi.tenantId);
            this.apiClientId = pulumi.output(args.sharedApi.clientId);
            this.identifierUri = pulumi.output(args.sharedApi.identifierUri);
            this.roleValues = pulumi.output(args.sharedApi.roles);
        } else {
            const api = this.apiApplication(name, args, owners, endDate);
            this.tenantId = client.tenantId;
            this.apiClientId = api.clientId;
            this.identifierUri = pulumi.output(args.identifierUri);
            this.roleValues = pulumi.output(args.apiRoles.map((role) => role.value));
            this.clientAppClientId = api.clientAppClientId;
            this.clientAppSecret = api.clientAppSecret;
        }
        this.audiences = pulumi.all([this.apiClientId, this.identifierUri]).apply(([clientId, uri]) => [clientId, uri]);
        this.issuer = this.tenantId.apply((tenant) => `https://login.microsoftonline.com/${tenant}/v2.0`);
        this.openIdConfigUrl = this.issuer.apply((issuer) => `${issuer}/.well-known/openid-configuration`);

        const portal = new azuread.Application(
            `${name}-portal`,
            {
                displayName: `${args.displayNamePrefix}-developer-portal`,
                description: "Signs developers in to the API Management developer portal.",
                signInAudience: "AzureADMyOrg",
                owners,
                singlePageApplication: {
                    redirectUris: pulumi
                        .output(args.portalHosts)
                        .apply((hosts) => [...new Set(hosts)].map((host) => `https://${host}/signin`)),
                },
                // What Microsoft's setup of the portal's application adds: the ID token's email and
                // names, with the Microsoft Graph permissions they need (learn.microsoft.com/azure/
                // api-management/api-management-howto-aad, "Enable user sign-in using Microsoft Entra ID").
                optionalClaims: { idTokens: portalIdTokenClaims.map((claim) => ({ name: claim })) },
                requiredResourceAccesses: [
                    {
                        resourceAppId: microsoftGraph.appId,
                        resourceAccesses: portalGraphScopes.map((scope) => ({ id: microsoftGraph.scopes[scope], type: "Scope" })),
                    },
                ],
            },
            { parent: this },
        );
        new azuread.ServicePrincipal(`${name}-portal-sp`, { clientId: portal.clientId, owners }, { parent: this });
        const portalSecret = new azuread.ApplicationPassword(
            `${name}-portal-secret`,
            { applicationId: portal.id, displayName: "api-management", endDate },
            { parent: this, additionalSecretOutputs: ["value"] },
        );
        this.portalClientId = portal.clientId;
        this.portalClientSecret = pulumi.secret(portalSecret.value);

        this.registerOutputs({
            tenantId: this.tenantId,
            apiClientId: this.apiClientId,
            audiences: this.audiences,
            openIdConfigUrl: this.openIdConfigUrl,
            issuer: this.issuer,
            portalClientId: this.portalClientId,
        });
    }

    /** The API application, its service principal, and the daemon client granted its roles. */
    private apiApplication(name: string, args: IdentityArgs, owners: pulumi.Input<string>[], endDate: string) {
        const scopeValue = "access_as_user";
        const api = new azuread.Application(
            `${name}-api`,
            {
                displayName: `${args.displayNamePrefix}-api`,
                description: "The integration platform's APIs, as published by API Management.",
                signInAudience: "AzureADMyOrg",
                identifierUris: [args.identifierUri],
                owners,
                api: {
                    requestedAccessTokenVersion: 2,
                    oauth2PermissionScopes: [
                        {
                            id: stableGuid(`${args.identifierUri}/scope/${scopeValue}`),
                            value: scopeValue,
                            type: "User",
                            enabled: true,
                            adminConsentDisplayName: "Call the integration APIs",
                            adminConsentDescription:
                                "Lets the application call the integration platform's APIs on behalf of the signed-in user.",
                            userConsentDisplayName: "Call the integration APIs",
                            userConsentDescription: "Lets the application call the integration platform's APIs for you.",
                        },
                    ],
                },
                appRoles: args.apiRoles.map((role) => ({
                    id: stableGuid(`${args.identifierUri}/role/${role.value}`),
                    value: role.value,
                    displayName: role.value,
                    description: role.description,
                    allowedMemberTypes: ["Application", "User"],
                    enabled: true,
                })),
            },
            { parent: this },
        );
        const apiPrincipal = new azuread.ServicePrincipal(
            `${name}-api-sp`,
            { clientId: api.clientId, appRoleAssignmentRequired: true, owners },
            { parent: this },
        );

        const clientApp = new azuread.Application(
            `${name}-client`,
            {
                displayName: `${args.displayNamePrefix}-client`,
                description: "A daemon that calls the integration APIs with the client-credentials flow.",
                signInAudience: "AzureADMyOrg",
                owners,
            },
            { parent: this },
        );
        const clientPrincipal = new azuread.ServicePrincipal(
            `${name}-client-sp`,
            { clientId: clientApp.clientId, owners },
            { parent: this },
        );
        for (const role of args.apiRoles) {
            new azuread.AppRoleAssignment(
                `${name}-client-${role.value}`,
                {
                    appRoleId: stableGuid(`${args.identifierUri}/role/${role.value}`),
                    principalObjectId: clientPrincipal.objectId,
                    resourceObjectId: apiPrincipal.objectId,
                },
                { parent: this, dependsOn: [api] },
            );
        }
        let clientAppSecret: pulumi.Output<string> | undefined;
        if (args.clientFederation) {
            new azuread.ApplicationFederatedIdentityCredential(
                `${name}-client-federation`,
                {
                    applicationId: clientApp.id,
                    displayName: "external-workload",
                    description: "The external workload that calls the APIs, signed in without a secret.",
                    issuer: args.clientFederation.issuer,
                    subject: args.clientFederation.subject,
                    audiences: ["api://AzureADTokenExchange"],
                },
                { parent: this },
            );
        } else {
            const secret = new azuread.ApplicationPassword(
                `${name}-client-secret`,
                { applicationId: clientApp.id, displayName: "client-credentials", endDate },
                { parent: this, additionalSecretOutputs: ["value"] },
            );
            clientAppSecret = pulumi.secret(secret.value);
        }
        return { clientId: api.clientId, clientAppClientId: clientApp.clientId, clientAppSecret };
    }
}
