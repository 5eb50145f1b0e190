import * as pulumi from "@pulumi/pulumi";
import * as apimanagement from "@pulumi/azure-native/apimanagement";
import { apiRevisionId, backendKeyName, signatureNamedValue, workflowBackendId } from "../common/names";
import type { ApiDefinition, ProductDefinition, SpecOperation } from "../../content/catalog";
import type { BackendRef, WorkflowTriggerRef } from "./args";
import { apiPolicy, type TokenValidation } from "../common/policies";
import { siteSetting, sitePatch, type SiteSetting } from "../common/site-settings";

/**
 * What the gateway publishes on a created service: products, backends (with their client
 * certificates), the Key Vault named values, and per API its version set, the API, its later
 * revisions with their releases, its policy and its product memberships. Children are keyed by
 * name (API id, product id, backend id), never by position.
 */

export interface PublishContext {
    /** The component's name, the prefix of every child's logical name. */
    name: string;
    parent: pulumi.Resource;
    resourceGroupName: pulumi.Input<string>;
    serviceName: pulumi.Output<string>;
    /** The user-assigned identity that reads Key Vault; undefined: the service's system-assigned one. */
    identityClientId?: pulumi.Input<string>;
    /** What Key Vault reads wait for: the identity's access to the secrets. */
    after: pulumi.Input<pulumi.Resource>[];
    /** Where the settings a restore overwrites are collected (`SiteSetting`). */
    siteSettings: pulumi.Output<SiteSetting>[];
}

/** A named value that reads a Key Vault secret with the gateway's identity; its value never passes through Pulumi. */
export function keyVaultNamedValue(ctx: PublishContext, name: string, secretId: pulumi.Input<string>): apimanagement.NamedValue {
    const args = {
        resourceGroupName: ctx.resourceGroupName,
        serviceName: ctx.serviceName,
        namedValueId: name,
        displayName: name,
        secret: true,
        keyVault: { secretIdentifier: secretId, ...(ctx.identityClientId !== undefined ? { identityClientId: ctx.identityClientId } : {}) },
    };
    ctx.siteSettings.push(siteSetting(`namedValues/${name}`, args, "namedValueId"));
    return new apimanagement.NamedValue(`${ctx.name}-nv-${name}`, args, { parent: ctx.parent, dependsOn: ctx.after });
}

/** The built-in group of every signed-up developer: the products are shown to them. */
export const developersGroup = "developers";

export function publishProducts(ctx: PublishContext, products: Record<string, ProductDefinition>): Record<string, apimanagement.Product> {
    return Object.fromEntries(
        Object.entries(products).map(([productId, product]) => {
            const created = new apimanagement.Product(
                `${ctx.name}-product-${productId}`,
                {
                    resourceGroupName: ctx.resourceGroupName,
                    serviceName: ctx.serviceName,
                    productId,
                    displayName: product.displayName,
                    description: product.description,
                    subscriptionRequired: true,
                    approvalRequired: true,
                    subscriptionsLimit: product.subscriptionsLimit,
                    state: apimanagement.ProductState.Published,
                },
                { parent: ctx.parent },
            );
            // Without a group a product is visible to administrators only, and nobody can ask to subscribe.
            new apimanagement.ProductGroup(
                `${ctx.name}-product-${productId}-${developersGroup}`,
                { resourceGroupName: ctx.resourceGroupName, serviceName: ctx.serviceName, productId, groupId: developersGroup },
                { parent: ctx.parent, dependsOn: [created] },
            );
            // The product's own policy file, as written (checked against the policy schema when read).
            if (product.policyFile) {
                new apimanagement.ProductPolicy(
                    `${ctx.name}-product-${productId}-policy`,
                    {
                        resourceGroupName: ctx.resourceGroupName,
                        serviceName: ctx.serviceName,
                        productId,
                        policyId: "policy",
                        format: apimanagement.PolicyContentFormat.Xml,
                        value: product.policyFile.document,
                    },
                    { parent: ctx.parent, dependsOn: [created] },
                );
            }
            return [productId, created];
        }),
    );
}

/** A backend with TLS chain and name validation on, and a Key Vault client certificate when given. */
function backend(
    ctx: PublishContext,
    backendId: string,
    description: string,
    url: pulumi.Input<string>,
    protocol: apimanagement.BackendProtocol,
    clientCertificateSecretId?: pulumi.Input<string>,
) {
    const certificate =
        clientCertificateSecretId === undefined
            ? undefined
            : (() => {
                  const args = {
                      resourceGroupName: ctx.resourceGroupName,
                      serviceName: ctx.serviceName,
                      certificateId: `${backendId}-client`,
                      keyVault: {
                          secretIdentifier: clientCertificateSecretId,
                          ...(ctx.identityClientId !== undefined ? { identityClientId: ctx.identityClientId } : {}),
                      },
                  };
                  ctx.siteSettings.push(siteSetting(`certificates/${backendId}-client`, args, "certificateId"));
                  return new apimanagement.Certificate(`${ctx.name}-cert-${backendId}`, args, { parent: ctx.parent, dependsOn: ctx.after });
              })();
    const args = {
        resourceGroupName: ctx.resourceGroupName,
        serviceName: ctx.serviceName,
        backendId,
        description,
        url,
        protocol,
        tls: { validateCertificateChain: true, validateCertificateName: true },
        credentials: certificate ? { certificateIds: [certificate.id] } : undefined,
    };
    ctx.siteSettings.push(siteSetting(`backends/${backendId}`, args, "backendId"));
    return new apimanagement.Backend(`${ctx.name}-backend-${backendId}`, args, { parent: ctx.parent });
}

export function publishBackends(
    ctx: PublishContext,
    apis: readonly ApiDefinition[],
    backends: Record<string, BackendRef>,
    workflows: Record<string, WorkflowTriggerRef>,
) {
    const created: Record<string, apimanagement.Backend> = {};
    const signatures: Record<string, apimanagement.NamedValue> = {};
    for (const [apiName, ref] of Object.entries(backends)) {
        const soap = apis.some((api) => api.name === apiName && api.kind === "soap");
        created[apiName] = backend(
            ctx,
            apiName,
            `Backend of the ${apiName} API`,
            ref.url,
            soap ? apimanagement.BackendProtocol.Soap : apimanagement.BackendProtocol.Http,
            ref.clientCertificateSecretId,
        );
    }
    const used = new Set(apis.filter((api) => api.kind === "logicApp").map((api) => api.workflow!));
    for (const workflow of [...used].sort()) {
        const trigger = workflows[workflow]!;
        signatures[workflow] = keyVaultNamedValue(ctx, signatureNamedValue(workflow), trigger.signatureSecretId);
        const url = pulumi.output(trigger.baseUrl).apply((value) => {
            if (!value.startsWith("https://")) {
                throw new Error(
                    `workflows.${workflow}.baseUrl: "${value}" is not an https URL (allowed: https://<host>/workflows/<id>/triggers)`,
                );
            }
            return value;
        });
        created[workflowBackendId(workflow)] = backend(
            ctx,
            workflowBackendId(workflow),
            `HTTP trigger of the ${workflow} workflow`,
            url,
            apimanagement.BackendProtocol.Http,
        );
    }
    return { backends: created, signatures };
}

export interface PublishApiInputs {
    products: Record<string, apimanagement.Product>;
    backends: Record<string, apimanagement.Backend>;
    workflows: Record<string, WorkflowTriggerRef>;
    /** The named values holding the workflows' signatures, keyed by workflow. */
    signatures: Record<string, apimanagement.NamedValue>;
    /** The Key Vault named values, keyed by name (backend keys among them). */
    namedValues: Record<string, apimanagement.NamedValue>;
    token: pulumi.Output<TokenValidation>;
    /** Resources every API waits for (the service-wide policy, so no API is ever served without it). */
    after: pulumi.Input<pulumi.Resource>[];
}

/** Publishes one catalog API: version set, API, revisions and releases, policies, product links. */
export function publishApi(ctx: PublishContext, api: ApiDefinition, inputs: PublishApiInputs, versionSet: apimanagement.ApiVersionSet) {
    const workflow = api.kind === "logicApp" ? inputs.workflows[api.workflow!]! : undefined;
    const backendId = workflow ? workflowBackendId(api.workflow!) : api.name;
    const backend = inputs.backends[backendId]!;
    const keys = [
        ...(workflow ? [inputs.signatures[api.workflow!]!] : []),
        ...(api.backendApiKey ? [inputs.namedValues[backendKeyName(api.name)]!] : []),
    ];
    const policy = pulumi
        .all([inputs.token, workflow ? pulumi.output(workflow.path) : undefined, workflow ? pulumi.output(workflow.query) : undefined])
        .apply(([token, path, query]) =>
            apiPolicy({
                rateLimit: api.policy.rateLimit,
                cacheDuration: api.policy.cacheDuration,
                access: api.policy.access,
                token,
                forward: workflow
                    ? { workflow: { backendId, path: path!, query: query!, signatureNamedValue: signatureNamedValue(api.workflow!) } }
                    : { backendId },
                backendKey: api.backendApiKey ? { header: api.backendApiKey.header, namedValue: backendKeyName(api.name) } : undefined,
                user: api.policyFile?.sections,
            }),
        );
    const soap = api.kind === "soap";
    const settings = {
        resourceGroupName: ctx.resourceGroupName,
        serviceName: ctx.serviceName,
        path: api.path,
        displayName: api.displayName,
        description: api.description,
        protocols: [apimanagement.Protocol.Https],
        subscriptionRequired: true,
        serviceUrl: backend.url,
        apiVersion: api.version,
        apiVersionSetId: versionSet.id,
        ...(soap ? { apiType: apimanagement.ApiType.Soap } : {}),
    };
    const importOf = (content: string, format: ApiDefinition["specFormat"]) => ({
        format,
        value: content,
        ...(soap
            ? {
                  soapApiType: apimanagement.SoapApiType.SoapPassThrough,
                  wsdlSelector: { wsdlServiceName: api.wsdl!.service, wsdlEndpointName: api.wsdl!.endpoint },
              }
            : {}),
    });
    const policyArgs = (apiId: string) => ({
        resourceGroupName: ctx.resourceGroupName,
        serviceName: ctx.serviceName,
        apiId,
        policyId: "policy",
        format: apimanagement.PolicyContentFormat.Xml,
        value: policy,
    });
    // Every revision is addressed as `<api>;rev=<n>`, the first one too. Once a later revision is
    // current, the bare id means that one ("Non-current revision has ;rev=n as a suffix": the
    // 2024-05-01 REST spec's apiId; learn.microsoft.com/azure/api-management/api-management-revisions),
    // so revision 1's resource is never written through it: a later change to it would re-import
    // the old document into the live revision. A PUT to `<api>;rev=1` creates the API at revision 1,
    // as the azurerm provider creates every API (its API ids end in `;rev=1`).
    const first = new apimanagement.Api(
        `${ctx.name}-api-${api.apiId}`,
        { ...settings, ...importOf(api.specContent, api.specFormat), apiId: apiRevisionId(api.apiId, 1), apiRevision: "1" },
        { parent: ctx.parent, dependsOn: [backend, ...inputs.after] },
    );
    // The backend URL an API records is the site's own: a restore brings the active site's.
    ctx.siteSettings.push(sitePatch(`apis/${apiRevisionId(api.apiId, 1)}`, { serviceUrl: settings.serviceUrl }));
    const firstPolicy = new apimanagement.ApiPolicy(`${ctx.name}-policy-${api.apiId}`, policyArgs(apiRevisionId(api.apiId, 1)), {
        parent: ctx.parent,
        dependsOn: [first, ...keys],
    });
    // Operation policies, as written, on each revision that has the operation; after the API's
    // policy, which they inherit with <base />.
    const operationPolicies = (
        revisionApi: apimanagement.Api,
        apiId: string,
        suffix: string,
        operations: readonly SpecOperation[],
        after: pulumi.Resource,
    ) =>
        Object.entries(api.operationPolicies)
            .filter(([operation]) => operations.some((candidate) => candidate.name === operation))
            .map(
                ([operation, file]) =>
                    new apimanagement.ApiOperationPolicy(
                        `${ctx.name}-policy-${api.apiId}${suffix}-${operation}`,
                        {
                            resourceGroupName: ctx.resourceGroupName,
                            serviceName: ctx.serviceName,
                            apiId,
                            operationId: operation,
                            policyId: "policy",
                            format: apimanagement.PolicyContentFormat.Xml,
                            value: file.document,
                        },
                        { parent: ctx.parent, dependsOn: [revisionApi, after] },
                    ),
            );
    operationPolicies(first, apiRevisionId(api.apiId, 1), "", api.operations, firstPolicy);
    let operations = api.operations;
    let source: apimanagement.Api = first;
    let previous: pulumi.Resource = first;
    for (const revision of api.revisions) {
        const revisionId = apiRevisionId(api.apiId, revision.revision);
        // A revision without a spec of its own is a copy of the one before (sourceApiId, as the REST
        // spec's example ApiManagementCreateApiRevisionFromExistingApi.json does); one with its own
        // spec is imported into <api>;rev=<n> directly, as `az apim api import --api-revision` does.
        // No Microsoft example or tool sends sourceApiId and an import in one request (Terraform's
        // azurerm and APIOps split them in two), so the two are never combined here. Released
        // revisions stay in Azure when removed from the catalog: the current one cannot be deleted.
        const revisionApi = new apimanagement.Api(
            `${ctx.name}-api-${api.apiId}-rev${revision.revision}`,
            {
                ...settings,
                ...(revision.specContent !== undefined ? importOf(revision.specContent, revision.specFormat!) : { sourceApiId: source.id }),
                apiId: revisionId,
                apiRevision: String(revision.revision),
                apiRevisionDescription: revision.description,
            },
            { parent: ctx.parent, dependsOn: [previous], retainOnDelete: true },
        );
        source = revisionApi;
        ctx.siteSettings.push(sitePatch(`apis/${revisionId}`, { serviceUrl: settings.serviceUrl }));
        const revisionPolicy = new apimanagement.ApiPolicy(
            `${ctx.name}-policy-${api.apiId}-rev${revision.revision}`,
            policyArgs(revisionId),
            {
                parent: ctx.parent,
                dependsOn: [revisionApi, ...keys],
            },
        );
        // A revision without a spec of its own is a copy of the one before, operations included.
        operations = revision.operations ?? operations;
        const revisionOperationPolicies = operationPolicies(
            revisionApi,
            revisionId,
            `-rev${revision.revision}`,
            operations,
            revisionPolicy,
        );
        if (revision.staged) {
            // Staged for testing: deployed and callable at <path>;rev=<n>, never released here, so
            // the current revision stays the one before. A revision is tested before it is made
            // current ("Use revisions to make non-breaking API changes safely": "When ready, you can
            // make a revision current", learn.microsoft.com/azure/api-management/
            // api-management-get-started-revise-api); this program makes one current by releasing it.
            previous = revisionApi;
            continue;
        }
        previous = new apimanagement.ApiRelease(
            `${ctx.name}-release-${api.apiId}-rev${revision.revision}`,
            {
                resourceGroupName: ctx.resourceGroupName,
                serviceName: ctx.serviceName,
                apiId: revisionId,
                releaseId: `rev-${revision.revision}`,
                notes: revision.notes,
            },
            { parent: ctx.parent, dependsOn: [revisionPolicy, ...revisionOperationPolicies, previous], retainOnDelete: true },
        );
    }
    for (const productId of api.products) {
        new apimanagement.ProductApi(
            `${ctx.name}-product-${productId}-${api.apiId}`,
            { resourceGroupName: ctx.resourceGroupName, serviceName: ctx.serviceName, productId, apiId: api.apiId },
            { parent: ctx.parent, dependsOn: [first, inputs.products[productId]!] },
        );
    }
    return first;
}

/** One version set per API name: versions are told apart by a path segment (`/orders/v1`). */
export function publishVersionSets(ctx: PublishContext, apis: readonly ApiDefinition[]): Record<string, apimanagement.ApiVersionSet> {
    const byName = new Map<string, ApiDefinition>();
    for (const api of apis) {
        if (!byName.has(api.name)) {
            byName.set(api.name, api);
        }
    }
    return Object.fromEntries(
        [...byName.values()].map((api) => [
            api.name,
            new apimanagement.ApiVersionSet(
                `${ctx.name}-versions-${api.name}`,
                {
                    resourceGroupName: ctx.resourceGroupName,
                    serviceName: ctx.serviceName,
                    versionSetId: api.name,
                    displayName: api.displayName,
                    description: `Versions of the ${api.displayName} API, selected by a path segment such as /${api.path}/v1.`,
                    versioningScheme: apimanagement.VersioningScheme.Segment,
                },
                { parent: ctx.parent },
            ),
        ]),
    );
}
