/**
 * The conventions of derived names, each written once: what one part of the platform names after
 * another (a workflow's backend, an API's key secret, a revision's id). The components create
 * under these names, the catalog's checks and the policy check refer to them, and the plan's
 * diagram reads them back; every one of them calls these functions.
 */

/** `order-intake` -> `order-intake-workflow`: the gateway's backend of a workflow's HTTP trigger. */
export function workflowBackendId(workflow: string): string {
    return `${workflow}-workflow`;
}

/**
 * `order-intake` -> `order-intake-sig`: the named value (and the Key Vault secret behind it) that
 * holds a workflow trigger's signature: the one name the gateway's policies, the vault and the
 * grants all use.
 */
export function signatureNamedValue(workflow: string): string {
    return `${workflow}-sig`;
}

/** `customers` -> `customers-backend-key`: the named value (and Key Vault secret) holding an API's backend key. */
export function backendKeyName(apiName: string): string {
    return `${apiName}-backend-key`;
}

/** `inventory-v1`, 2 -> `inventory-v1;rev=2`: the id of one revision of an API in API Management. */
export function apiRevisionId(apiId: string, revision: number): string {
    return `${apiId};rev=${revision}`;
}

/** `inventory-v1;rev=2` -> `inventory-v1`: the API a revision id belongs to (an API id is left as it is). */
export function apiIdOfRevision(id: string): string {
    return id.replace(/;rev=\d+$/, "");
}

/** `order-notify` -> `orderNotify`: how definition parameters name things (workflows, APIs). */
export function camelCase(name: string): string {
    return name.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/** `order-notify` -> `orderNotifyWorkflowId`: the parameter that receives that workflow's id. */
export function workflowIdParameter(workflow: string): string {
    return `${camelCase(workflow)}WorkflowId`;
}

/** `inventory` -> `inventoryBaseUrl`: the parameter that receives a catalog backend's base URL, by API name. */
export function backendUrlParameter(api: string): string {
    return `${camelCase(api)}BaseUrl`;
}

/** `inventory` -> `inventoryApiKey`: the (secure) parameter that receives a backend's key, by API name. */
export function backendKeyParameter(api: string): string {
    return `${camelCase(api)}ApiKey`;
}

/**
 * How an encrypted config value or a secret reads where it cannot be decrypted: in the offline
 * plan (the ciphertext cannot be read without the stack's key) and in its output.
 */
export const secretMarker = "[secret]";
