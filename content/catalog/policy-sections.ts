import type * as Libxml2 from "libxml2-wasm" with { "resolution-mode": "import" };
import type { PolicySection } from "./policy-files";
import type { XmlProblem } from "./xml";

/**
 * The sections each API Management policy may be used in. API Management's policy schemas (the
 * vendored `../policy-schemas`, one .xsd per policy) accept any policy in any section; API
 * Management itself refuses, when the policy is saved, one placed in a section its reference page
 * does not list. Each entry below is the "Usage: Policy sections" line of the policy's reference
 * page, learn.microsoft.com/azure/api-management/<policy>-policy (the page's source:
 * github.com/MicrosoftDocs/azure-docs, articles/api-management/<policy>-policy.md). One addition:
 * "Error handling in API Management policies" (learn.microsoft.com/azure/api-management/
 * api-management-error-handling-policies, "Policies allowed in on-error") lists `trace` for
 * on-error, which trace's own page leaves out; where the two pages differ, the wider list is kept.
 *
 * Policies whose page says "Policy scopes: GraphQL resolver" (and names no section) belong to a
 * resolver's policy document, never to the sections of an API, product or operation policy.
 *
 * Not restricted, because no reference page could be found for them (every section is taken as
 * allowed): `authentication-token`, `authentication-token-store`, `block`, `graphql-data-source`,
 * `invoke-request`, `set-request-metric-dimension-value`, `set-url` (as a policy of its own; it is
 * also an element of `send-request`, where it is not a section's policy).
 */

const all: readonly PolicySection[] = ["inbound", "backend", "outbound", "on-error"];
const inbound: readonly PolicySection[] = ["inbound"];
const outbound: readonly PolicySection[] = ["outbound"];
/** GraphQL resolver policies: no section of an API, product or operation policy. */
const resolver: readonly PolicySection[] = [];

export const policyAllowedSections: Readonly<Record<string, readonly PolicySection[]>> = {
    "authentication-basic": inbound,
    "authentication-certificate": inbound,
    "authentication-managed-identity": inbound,
    "azure-openai-emit-token-metric": inbound,
    "azure-openai-semantic-cache-lookup": inbound,
    "azure-openai-semantic-cache-store": outbound,
    "azure-openai-token-limit": inbound,
    "cache-lookup": inbound,
    "cache-lookup-value": all,
    "cache-remove-value": all,
    "cache-store": outbound,
    "cache-store-value": all,
    "check-header": inbound,
    choose: all,
    cors: inbound,
    "cosmosdb-data-source": resolver,
    "cross-domain": inbound,
    "emit-metric": all,
    "find-and-replace": all,
    "forward-request": ["backend"],
    "get-authorization-context": inbound,
    "http-data-source": resolver,
    "include-fragment": all,
    "invoke-dapr-binding": ["inbound", "outbound", "on-error"],
    "ip-filter": inbound,
    "json-to-xml": ["inbound", "outbound", "on-error"],
    jsonp: outbound,
    "limit-concurrency": all,
    "llm-content-safety": inbound,
    "llm-emit-token-metric": inbound,
    "llm-semantic-cache-lookup": inbound,
    "llm-semantic-cache-store": outbound,
    "llm-token-limit": inbound,
    "log-to-eventhub": all,
    "mock-response": ["inbound", "outbound", "on-error"],
    proxy: inbound,
    "publish-event": resolver,
    "publish-to-dapr": inbound,
    quota: inbound,
    "quota-by-key": inbound,
    "rate-limit": inbound,
    "rate-limit-by-key": inbound,
    "redirect-content-urls": ["inbound", "outbound"],
    retry: all,
    "return-response": all,
    "rewrite-uri": inbound,
    "send-one-way-request": all,
    "send-request": all,
    "set-backend-service": ["inbound", "backend"],
    "set-body": ["inbound", "backend", "outbound"],
    "set-header": all,
    "set-method": ["inbound", "on-error"],
    "set-query-parameter": ["inbound", "backend"],
    "set-status": all,
    "set-variable": all,
    "sql-data-source": resolver,
    trace: all,
    "validate-azure-ad-token": inbound,
    "validate-client-certificate": inbound,
    "validate-content": ["inbound", "outbound", "on-error"],
    "validate-graphql-request": inbound,
    "validate-headers": ["outbound", "on-error"],
    "validate-jwt": inbound,
    "validate-odata-request": inbound,
    "validate-parameters": inbound,
    "validate-status-code": ["outbound", "on-error"],
    wait: ["inbound", "backend", "outbound"],
    "xml-to-json": ["inbound", "outbound", "on-error"],
};

/**
 * Policies whose children are policies of the same section (`choose`'s `when` and `otherwise`,
 * `retry`, `wait`, `limit-concurrency`): those are checked as if they stood in the section. The
 * children of any other policy (`send-request`'s `set-method`, `return-response`'s `set-body`) are
 * that policy's settings, not statements of the section.
 */
const containers: Readonly<Record<string, readonly string[] | "children">> = {
    choose: ["when", "otherwise"],
    retry: "children",
    wait: "children",
    "limit-concurrency": "children",
};

function elementChildren(element: Libxml2.XmlElement, lib: typeof Libxml2): Libxml2.XmlElement[] {
    const children: Libxml2.XmlElement[] = [];
    for (let node = element.firstChild; node; node = node.next) {
        if (node instanceof lib.XmlElement) {
            children.push(node);
        }
    }
    return children;
}

/** What a policy's allowed sections are, as a message says it. */
function allowedText(sections: readonly PolicySection[]): string {
    return sections.length === 0 ? "none of the sections: it belongs to a GraphQL resolver's policy" : sections.join(", ");
}

/**
 * Where a policy document (`<policies>` with its sections) places a policy in a section API
 * Management does not allow it in: `outbound: <rate-limit> is not allowed in outbound (allowed:
 * inbound)`, at the policy's line. [] when there is none, or when the root is not `<policies>`.
 */
export function sectionProblems(doc: Libxml2.XmlDocument, lib: typeof Libxml2): XmlProblem[] {
    const root = doc.root;
    if (root.name !== "policies") {
        return [];
    }
    const problems: XmlProblem[] = [];
    const visit = (section: PolicySection, statements: readonly Libxml2.XmlElement[]): void => {
        for (const statement of statements) {
            const allowed = policyAllowedSections[statement.name];
            if (allowed && !allowed.includes(section)) {
                problems.push({
                    line: statement.line,
                    message: `${section}: <${statement.name}> is not allowed in ${section} (allowed: ${allowedText(allowed)})`,
                    rule: true,
                });
            }
            const nested = containers[statement.name];
            if (nested === "children") {
                visit(section, elementChildren(statement, lib));
            } else if (nested) {
                for (const branch of elementChildren(statement, lib).filter((child) => nested.includes(child.name))) {
                    visit(section, elementChildren(branch, lib));
                }
            }
        }
    };
    for (const section of elementChildren(root, lib)) {
        if ((all as readonly string[]).includes(section.name)) {
            visit(section.name as PolicySection, elementChildren(section, lib));
        }
    }
    return problems;
}
