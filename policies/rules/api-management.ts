import { isOff, isSet, list, sectionsWithoutBase, type Rule } from "../rule";

/** API Management: the security baseline of the gateway and what it publishes. */

const apim = "azure-native:apimanagement:ApiManagementService";
const policyTypes = [
    "azure-native:apimanagement:Policy",
    "azure-native:apimanagement:ApiPolicy",
    "azure-native:apimanagement:ProductPolicy",
    "azure-native:apimanagement:ApiOperationPolicy",
];
const security = "Microsoft.WindowsAzure.ApiManagement.Gateway.Security";

/** The protocol and cipher switches that must be off, client side and backend side. */
export const weakProtocolSwitches = [
    `${security}.Protocols.Ssl30`,
    `${security}.Protocols.Tls10`,
    `${security}.Protocols.Tls11`,
    `${security}.Backend.Protocols.Ssl30`,
    `${security}.Backend.Protocols.Tls10`,
    `${security}.Backend.Protocols.Tls11`,
    `${security}.Ciphers.TripleDes168`,
];

/** Names that say a named value holds a credential. */
const credentialName = /(key|secret|password|token|sig|credential|connection)/i;

export const apiManagementRules: Rule[] = [
    {
        kind: "resource",
        id: "apim-https-only",
        types: ["azure-native:apimanagement:Api", "azure-native:apimanagement:Backend"],
        level: "mandatory",
        description: "An API served over HTTP, or a backend called over HTTP, sends tokens, keys and data in clear text.",
        remediation: "Set the API's protocols to [https] and its serviceUrl to https; give every backend an https URL.",
        source: "PSRule for Azure Azure.APIM.HTTPEndpoint and Azure.APIM.HTTPBackend; Azure Policy: API Management APIs should use only encrypted protocols",
        url: "https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.HTTPEndpoint/",
        check: (resource) => {
            if (resource.type === "azure-native:apimanagement:Backend") {
                return /^https:\/\//i.test(String(resource.props.url ?? "https://"))
                    ? []
                    : [`backend URL ${String(resource.props.url)} is not https`];
            }
            const protocols = list<string>(resource.props.protocols).map((protocol) => protocol.toLowerCase());
            return [
                ...(protocols.some((protocol) => protocol !== "https") || protocols.length === 0
                    ? [`protocols ${JSON.stringify(resource.props.protocols ?? [])} (allowed: [https])`]
                    : []),
                ...(resource.props.serviceUrl !== undefined && !/^https:\/\//i.test(String(resource.props.serviceUrl))
                    ? [`serviceUrl ${String(resource.props.serviceUrl)} is not https`]
                    : []),
            ];
        },
    },
    {
        kind: "resource",
        id: "apim-weak-protocols-off",
        types: [apim],
        level: "mandatory",
        description:
            "SSL 3.0, TLS 1.0 and 1.1 and the 3DES cipher are broken or deprecated; left on, a client or backend can negotiate them.",
        remediation: `Set ${weakProtocolSwitches.map((name) => name.replace(`${security}.`, "")).join(", ")} to "False" in customProperties.`,
        source: "PSRule for Azure Azure.APIM.Protocols and Azure.APIM.Ciphers; Checkov CKV_AZURE_173",
        url: "https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.Protocols/",
        check: (service) => {
            const properties = (service.props.customProperties ?? {}) as Record<string, unknown>;
            return weakProtocolSwitches
                .filter((name) => !isOff(properties[name]))
                .map((name) => `${name.replace(`${security}.`, "")} is not "False"`);
        },
    },
    {
        kind: "resource",
        id: "apim-managed-identity",
        types: [apim],
        level: "mandatory",
        description: "Without a managed identity the gateway reads Key Vault and Application Insights with stored credentials.",
        remediation: "Give the service a system-assigned and/or user-assigned identity.",
        source: "PSRule for Azure Azure.APIM.ManagedIdentity",
        url: "https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.ManagedIdentity/",
        check: (service) => (/assigned/i.test(String(service.props.identity?.type ?? "")) ? [] : ["has no managed identity"]),
    },
    {
        kind: "resource",
        id: "apim-min-api-version",
        types: [apim],
        level: "mandatory",
        description: "Management API versions before 2021-08-01 return secrets (subscription keys, named values) from list and get calls.",
        remediation: "Set apiVersionConstraint.minApiVersion to 2021-08-01 or later.",
        source: "PSRule for Azure Azure.APIM.MinAPIVersion",
        url: "https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.MinAPIVersion/",
        check: (service) => {
            const version = String(service.props.apiVersionConstraint?.minApiVersion ?? "");
            return version >= "2021-08-01" ? [] : [`minApiVersion ${version || "unset"} (allowed: 2021-08-01 or later)`];
        },
    },
    {
        kind: "resource",
        id: "apim-named-value-secret",
        types: ["azure-native:apimanagement:NamedValue"],
        level: "mandatory",
        description:
            "A named value that holds a credential is shown in plain text to every administrator and in exports unless it is secret, and lives outside the vault's rotation unless it references Key Vault.",
        remediation: "Mark the named value secret: true and give it keyVault.secretIdentifier instead of a value.",
        source: "PSRule for Azure Azure.APIM.EncryptValues; Azure Policy: API Management secret named values should be stored in Azure Key Vault",
        url: "https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.EncryptValues/",
        check: (value) => {
            const name = String(value.props.namedValueId ?? value.props.displayName ?? value.name);
            const credential = value.props.secret === true || credentialName.test(name);
            return [
                ...(credential && value.props.secret !== true ? [`${name} holds a credential but is not secret`] : []),
                ...(credential && !isSet(value.props.keyVault, "secretIdentifier")
                    ? [`${name} holds a credential but is not a Key Vault reference`]
                    : []),
            ];
        },
    },
    {
        kind: "resource",
        id: "apim-product-approval",
        types: ["azure-native:apimanagement:Product"],
        level: "mandatory",
        description:
            "A product without a required subscription lets anyone call its APIs anonymously; one without approval lets anyone who signs up subscribe.",
        remediation: "Set subscriptionRequired: true and approvalRequired: true.",
        source: "PSRule for Azure Azure.APIM.ProductSubscription and Azure.APIM.ProductApproval",
        url: "https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.ProductApproval/",
        check: (product) => [
            ...(product.props.subscriptionRequired !== true ? ["does not require a subscription"] : []),
            ...(product.props.approvalRequired !== true ? ["does not require approval of subscriptions"] : []),
        ],
    },
    {
        kind: "resource",
        id: "apim-cors-no-wildcard",
        types: policyTypes,
        level: "mandatory",
        description: "A CORS policy that allows every origin (*) lets any web page call the APIs from a user's browser.",
        remediation: "List the allowed origins one by one in allowed-origins.",
        source: "PSRule for Azure Azure.APIM.CORSPolicy",
        url: "https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.CORSPolicy/",
        check: (policy) =>
            /<origin>\s*\*\s*<\/origin>/.test(String(policy.props.value ?? "")) ? ["allows every origin (*) in its CORS policy"] : [],
    },
    {
        kind: "resource",
        id: "apim-policy-base",
        types: [
            "azure-native:apimanagement:ApiPolicy",
            "azure-native:apimanagement:ProductPolicy",
            "azure-native:apimanagement:ApiOperationPolicy",
        ],
        level: "mandatory",
        description:
            "A section without <base /> drops the wider scopes' policies (the global CORS and header stripping, the API's token check for an operation).",
        remediation:
            "Keep <base /> in inbound, backend, outbound and on-error of every API, product and operation policy (the service-wide policy has none by design).",
        source: "PSRule for Azure Azure.APIM.PolicyBase; Azure Policy: API Management policies should inherit parent scope policies using <base />",
        url: "https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.PolicyBase/",
        check: (policy) => sectionsWithoutBase(String(policy.props.value ?? "")).map((section) => `${section} has no <base />`),
    },
    {
        kind: "resource",
        id: "apim-jwt-validation",
        types: ["azure-native:apimanagement:ApiPolicy"],
        level: "mandatory",
        description: "An API whose policy validates no token is protected by its subscription key alone.",
        remediation: "Validate an Entra ID token (validate-jwt or validate-azure-ad-token) in the API's inbound policy.",
        source: "The architecture: Security considerations (Entra ID issues the tokens the gateway validates); Azure Policy: API endpoints in Azure API Management should be authenticated",
        url: "https://learn.microsoft.com/azure/api-management/validate-jwt-policy",
        check: (policy) =>
            /<validate-(jwt|azure-ad-token)\b/.test(String(policy.props.value ?? ""))
                ? []
                : ["validates no token (validate-jwt or validate-azure-ad-token)"],
    },
    {
        kind: "resource",
        id: "apim-production-zones",
        types: [apim],
        level: "mandatory",
        facts: ["production"],
        description: "A production gateway on a tier or in a region without availability zones goes down with one datacenter.",
        remediation: "In a production stack, run Premium with zones in the primary region and in every additional region.",
        source: "PSRule for Azure Azure.APIM.AvailabilityZone and Azure.APIM.MultiRegion; the architecture: Availability",
        url: "https://azure.github.io/PSRule.Rules.Azure/en/rules/Azure.APIM.AvailabilityZone/",
        check: (service, facts) => {
            if (!facts.production) {
                return [];
            }
            const sku = String(service.props.sku?.name ?? "");
            return [
                ...(sku !== "Premium" ? [`runs ${sku}, not Premium`] : []),
                ...(list(service.props.zones).length === 0 ? [`${String(service.props.location)} has no availability zones`] : []),
                ...list<Record<string, any>>(service.props.additionalLocations)
                    .filter((extra) => list(extra.zones).length === 0)
                    .map((extra) => `${String(extra.location)} has no availability zones`),
            ];
        },
    },
];
