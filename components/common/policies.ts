import type { HttpMethod, OperationGroup, PolicyFile } from "../../content/catalog";

/**
 * API Management policy documents, built from data by one small XML builder so that every value is
 * escaped and every document has the same shape: `inbound`, `backend`, `outbound` and `on-error`.
 * API-scope documents hold `<base />` in every section. The global document is the top of the
 * inheritance chain, where `<base />` has nothing to inherit: its backend section forwards the request.
 */

/** An XML element: name, attributes (undefined ones are left out) and children. */
export interface XmlElement {
    name: string;
    attributes?: Record<string, string | number | boolean | undefined>;
    children?: (XmlElement | RawXml | string)[];
}

/** An element from a user's policy file, as written there (already checked against the policy schema). */
export interface RawXml {
    raw: string;
}

export function el(
    name: string,
    attributes: XmlElement["attributes"] = {},
    ...children: (XmlElement | RawXml | string | undefined | false)[]
): XmlElement {
    return {
        name,
        attributes,
        children: children.filter((child): child is XmlElement | RawXml | string => child !== undefined && child !== false),
    };
}

const raw = (xml: string): RawXml => ({ raw: xml });

export function escapeXml(value: string): string {
    return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/** Serialises an element with two-space indentation; text-only elements stay on one line. */
export function renderXml(element: XmlElement, depth = 0): string {
    const pad = "  ".repeat(depth);
    const attributes = Object.entries(element.attributes ?? {})
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => ` ${key}="${escapeXml(String(value))}"`)
        .join("");
    const children = element.children ?? [];
    if (children.length === 0) {
        return `${pad}<${element.name}${attributes} />`;
    }
    if (children.every((child) => typeof child === "string")) {
        return `${pad}<${element.name}${attributes}>${children.map((text) => escapeXml(text as string)).join("")}</${element.name}>`;
    }
    const inner = children
        .map((child) =>
            typeof child === "string"
                ? `${pad}  ${escapeXml(child)}`
                : "raw" in child
                  ? child.raw
                        .split("\n")
                        .map((line, i) => (i === 0 ? `${pad}  ${line}` : line))
                        .join("\n")
                  : renderXml(child, depth + 1),
        )
        .join("\n");
    return `${pad}<${element.name}${attributes}>\n${inner}\n${pad}</${element.name}>`;
}

const base = (): XmlElement => el("base");

/** A policy document from its four sections. */
export function policyDocument(sections: {
    inbound: (XmlElement | RawXml)[];
    backend: (XmlElement | RawXml)[];
    outbound: (XmlElement | RawXml)[];
    onError: (XmlElement | RawXml)[];
}): string {
    return renderXml(
        el(
            "policies",
            {},
            el("inbound", {}, ...sections.inbound),
            el("backend", {}, ...sections.backend),
            el("outbound", {}, ...sections.outbound),
            el("on-error", {}, ...sections.onError),
        ),
    );
}

/** Response headers that reveal the backend's technology; the gateway deletes them from every response. */
export const revealingHeaders = ["X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version"] as const;

/** Request headers a browser may send cross-origin. */
export const corsAllowedHeaders = ["Authorization", "Content-Type", "Accept", "Ocp-Apim-Subscription-Key", "SOAPAction"] as const;

/** Methods a browser may use cross-origin. */
export const corsAllowedMethods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] as const;

/**
 * The service-wide policy: CORS for the given origins only (preflight answered by the gateway,
 * anything else from another origin refused), and the revealing headers removed from responses.
 */
export function globalPolicy(options: { allowedOrigins: readonly string[] }): string {
    const stripHeaders = () => revealingHeaders.map((header) => el("set-header", { name: header, "exists-action": "delete" }));
    return policyDocument({
        inbound: [
            el(
                "cors",
                { "allow-credentials": false, "terminate-unmatched-request": true },
                el("allowed-origins", {}, ...options.allowedOrigins.map((origin) => el("origin", {}, origin))),
                el("allowed-methods", { "preflight-result-max-age": 300 }, ...corsAllowedMethods.map((method) => el("method", {}, method))),
                el("allowed-headers", {}, ...corsAllowedHeaders.map((header) => el("header", {}, header))),
            ),
        ],
        backend: [el("forward-request", { timeout: 60 })],
        outbound: stripHeaders(),
        onError: stripHeaders(),
    });
}

/** What a caller's token is checked against: the Entra ID tenant's v2.0 endpoints and the API application. */
export interface TokenValidation {
    /** `https://login.microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration`. */
    openIdConfigUrl: string;
    /** Accepted `aud` values: the API application's client id and identifier URI. */
    audiences: string[];
    /** Accepted `iss` values: `https://login.microsoftonline.com/<tenant>/v2.0`. */
    issuers: string[];
}

/** How a `logicApp` API reaches its workflow's trigger. */
export interface WorkflowForwarding {
    /** The API Management backend that holds the trigger's base URL. */
    backendId: string;
    /** Path of the trigger below the backend URL, such as `/manual/paths/invoke`. */
    path: string;
    /** The callback URL's query values other than `sig` (api-version, sp, sv). */
    query: Record<string, string>;
    /** The named value that holds the trigger's signature. */
    signatureNamedValue: string;
}

export interface ApiPolicyInput {
    rateLimit: { calls: number; renewalPeriod: number };
    /** Seconds GET responses are cached; 0 for none. */
    cacheDuration: number;
    access: readonly OperationGroup[];
    token: TokenValidation;
    /** Where the request goes: a backend by id, or a workflow trigger. */
    forward: { backendId: string } | { workflow: WorkflowForwarding };
    /** A header set to a named value on the way to the backend: its API key. Default: none. */
    backendKey?: { header: string; namedValue: string };
    /** The API's own policy file, split into its sections, merged in (see {@link apiPolicy}). Default: none. */
    user?: PolicyFile["sections"];
}

function methodCondition(methods: readonly HttpMethod[]): string {
    return `@(${methods.map((method) => `context.Request.Method == "${method}"`).join(" || ")})`;
}

function validateJwt(token: TokenValidation, role: string): XmlElement {
    return el(
        "validate-jwt",
        {
            "header-name": "Authorization",
            "require-scheme": "Bearer",
            "failed-validation-httpcode": 401,
            "failed-validation-error-message": "The access token is missing, expired, or not issued for this API.",
            "require-expiration-time": true,
            "require-signed-tokens": true,
        },
        el("openid-config", { url: token.openIdConfigUrl }),
        el("audiences", {}, ...token.audiences.map((audience) => el("audience", {}, audience))),
        el("issuers", {}, ...token.issuers.map((issuer) => el("issuer", {}, issuer))),
        el("required-claims", {}, el("claim", { name: "roles", match: "any" }, el("value", {}, role))),
    );
}

/**
 * The inbound check of who may call what: each operation group's methods require a token with
 * that group's role; any other method is refused with 405 before it reaches the backend.
 */
export function accessCheck(access: readonly OperationGroup[], token: TokenValidation): XmlElement {
    return el(
        "choose",
        {},
        ...access.map((group) => el("when", { condition: methodCondition(group.methods) }, validateJwt(token, group.role))),
        el("otherwise", {}, el("return-response", {}, el("set-status", { code: 405, reason: "Method Not Allowed" }))),
    );
}

function onGet(...children: XmlElement[]): XmlElement {
    return el("choose", {}, el("when", { condition: methodCondition(["GET"]) }, ...children));
}

function forwarding(forward: ApiPolicyInput["forward"]): XmlElement[] {
    if ("backendId" in forward) {
        return [el("set-backend-service", { "backend-id": forward.backendId })];
    }
    const { workflow } = forward;
    const query = [
        ...Object.entries(workflow.query).map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`),
        `sig={{${workflow.signatureNamedValue}}}`,
    ].join("&");
    return [
        // A Logic Apps trigger takes one authorization scheme per request: with the signature (SAS)
        // in the query, a caller's Bearer token in Authorization makes the call fail ("using both
        // schemes at the same time causes an error": learn.microsoft.com/azure/logic-apps/
        // logic-apps-securing-a-logic-app, "Enable OAuth with Microsoft Entra ID"). The token has
        // been validated above; it goes no further.
        el("set-header", { name: "Authorization", "exists-action": "delete" }),
        el("set-backend-service", { "backend-id": workflow.backendId }),
        el("rewrite-uri", { template: `${workflow.path}?${query}`, "copy-unmatched-params": false }),
    ];
}

/**
 * An API's policy: the global policy first (`<base />`), then the per-subscription rate limit, the
 * token and role check, the GET cache lookup, and the forwarding; GET responses are stored on the
 * way out. The rate limit runs before the token check so that a flood of bad tokens is throttled too.
 *
 * The API's own policy file is merged in, its `<base />` standing for all of this: in `inbound`,
 * its elements run after the rate limit and the token check (so nothing it does runs for an
 * unauthorised caller) and before the cache lookup and the forwarding (so the gateway still picks
 * the backend); in `outbound` after `<base />` and before the response is cached; in `on-error`
 * after `<base />`. The backend section stays `<base />`: the global policy forwards the request.
 */
export function apiPolicy(input: ApiPolicyInput): string {
    const caching = input.cacheDuration > 0;
    const user = (section: "inbound" | "outbound" | "on-error") => (input.user?.[section] ?? []).map(raw);
    return policyDocument({
        inbound: [
            base(),
            el("rate-limit-by-key", {
                calls: input.rateLimit.calls,
                "renewal-period": input.rateLimit.renewalPeriod,
                "counter-key": "@(context.Subscription.Id)",
            }),
            accessCheck(input.access, input.token),
            ...user("inbound"),
            ...(caching
                ? [
                      onGet(
                          el(
                              "cache-lookup",
                              {
                                  "vary-by-developer": true,
                                  "vary-by-developer-groups": false,
                                  "downstream-caching-type": "none",
                                  "must-revalidate": true,
                                  "caching-type": "internal",
                                  // Every call carries an Authorization header; without this nothing is cached.
                                  "allow-private-response-caching": true,
                              },
                              el("vary-by-header", {}, "Accept"),
                          ),
                      ),
                  ]
                : []),
            ...forwarding(input.forward),
            ...(input.backendKey
                ? [
                      el(
                          "set-header",
                          { name: input.backendKey.header, "exists-action": "override" },
                          el("value", {}, `{{${input.backendKey.namedValue}}}`),
                      ),
                  ]
                : []),
        ],
        backend: [base()],
        outbound: [base(), ...user("outbound"), ...(caching ? [onGet(el("cache-store", { duration: input.cacheDuration }))] : [])],
        onError: [base(), ...user("on-error")],
    });
}
