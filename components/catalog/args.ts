import * as pulumi from "@pulumi/pulumi";
import { backendKeyName, signatureNamedValue } from "../common/names";
import { ArgumentsError, problemLines } from "../common/rules";
import { httpsUrlProblems } from "../common/values";
import { catalogBindingProblems, type CheckedCatalog } from "../../content/catalog";

/** A workflow's HTTP trigger, split so that its signature lives only in Key Vault. */
export interface WorkflowTriggerRef {
    /** The callback URL up to and including `/triggers`: `https://<host>/workflows/<id>/triggers`. Required. */
    baseUrl: pulumi.Input<string>;
    /** The rest of the callback path, such as `/manual/paths/invoke`. Required. */
    path: pulumi.Input<string>;
    /** The callback URL's query values other than `sig` (api-version, sp, sv). Required. */
    query: pulumi.Input<Record<string, string>>;
    /** Versionless Key Vault secret id of the trigger's `sig` value. Required. */
    signatureSecretId: pulumi.Input<string>;
}

/** Where an `openapi` or `soap` API's requests go. */
export interface BackendRef {
    /** The backend's base URL; https only. Required. */
    url: string;
    /**
     * Versionless Key Vault secret id of a client certificate for mutual TLS. The gateway reads it
     * with its identity; chain and name validation of the backend's certificate are always on.
     * Default: no client certificate.
     */
    clientCertificateSecretId?: pulumi.Input<string>;
}

/** Entra ID token validation for every API. */
export interface TokenValidationRef {
    /** The tenant's `https://login.microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration`. Required. */
    openIdConfigUrl: pulumi.Input<string>;
    /** The tokens' issuer, `https://login.microsoftonline.com/<tenant>/v2.0`. Required. */
    issuer: pulumi.Input<string>;
    /** Accepted audiences: the API application's client id and identifier URI. Required, one or more. */
    audiences: pulumi.Input<pulumi.Input<string>[]>;
}

export interface GatewayCatalogArgs {
    /** Resource group of the API Management service. Required. */
    resourceGroupName: pulumi.Input<string>;
    /** Name of the API Management service the catalog is published on. Required. */
    serviceName: pulumi.Input<string>;
    /**
     * Client id of a user-assigned identity of the service that reads Key Vault for the named values
     * and client certificates. Default: the service's system-assigned identity, which a vault whose
     * firewall denies by default requires (it admits API Management as a trusted service only so).
     */
    identityClientId?: pulumi.Input<string>;
    /**
     * The products and APIs to publish, as `loadCatalog` (or `checkCatalog`) returns them: their
     * content has passed every catalog rule and is not checked again here. Required.
     */
    catalog: CheckedCatalog;
    /** Backends of the `openapi` and `soap` APIs, keyed by API name. Required for each such API. */
    backends?: Record<string, BackendRef>;
    /** HTTP triggers of the workflows `logicApp` APIs forward to, keyed by workflow name. Required for each. */
    workflows?: Record<string, WorkflowTriggerRef>;
    /** Entra ID token validation. Required when the catalog has APIs. */
    tokenValidation?: TokenValidationRef;
    /**
     * Named values backed by Key Vault secrets, keyed by name, valued by versionless secret id.
     * Policies use them as `{{name}}`; an API that sends its backend a key needs `<api>-backend-key`.
     * Default: none.
     */
    namedValues?: Record<string, pulumi.Input<string>>;
    /**
     * Resources every API and Key Vault named value waits for: the gateway service (its
     * service-wide policy, so no API is served without it) and the identity's access to the
     * secrets the named values read. Default: none.
     */
    after?: pulumi.Input<pulumi.Resource>[];
}

const namedValueName = /^[A-Za-z0-9._-]{1,256}$/;

/**
 * Checks {@link GatewayCatalogArgs}; throws one error that names each field, its value and what is
 * allowed. The catalog's own content is checked data ({@link CheckedCatalog}); what is checked
 * here is what it is published with: backends, workflows, named values, token validation.
 */
export function validateGatewayCatalogArgs(args: GatewayCatalogArgs): void {
    const { apis } = args.catalog;
    const backends = args.backends ?? {};
    const workflows = args.workflows ?? {};
    const namedValues = args.namedValues ?? {};
    const problems = problemLines(
        catalogBindingProblems(args.catalog, { backends: Object.keys(backends), workflows: Object.keys(workflows) }),
    );
    for (const [name, backend] of Object.entries(backends)) {
        problems.push(...problemLines(httpsUrlProblems(backend.url), ["backends", name, "url"]));
    }
    for (const name of [...new Set(apis.filter((api) => api.backendApiKey).map((api) => api.name))]) {
        if (!(backendKeyName(name) in namedValues)) {
            const api = apis.find((candidate) => candidate.name === name)!;
            problems.push(
                `namedValues.${backendKeyName(name)}: missing; the ${api.kind} API in apis/${api.folder} sends it to its backend (allowed: the Key Vault secret id of the key)`,
            );
        }
    }
    if (apis.length > 0 && !args.tokenValidation) {
        problems.push("tokenValidation: missing; every API validates Entra ID tokens (allowed: { openIdConfigUrl, issuer, audiences })");
    }
    for (const name of Object.keys(namedValues)) {
        const workflow = Object.keys(workflows).find((candidate) => signatureNamedValue(candidate) === name);
        if (workflow) {
            problems.push(`namedValues.${name}: taken by the signature of workflow ${workflow} (allowed: another name)`);
        }
        if (!namedValueName.test(name)) {
            problems.push(`namedValues: "${name}" is not a named value name (allowed: 1-256 letters, digits, . _ -)`);
        }
    }
    if (problems.length > 0) {
        throw new ArgumentsError("GatewayCatalog", problems);
    }
}
