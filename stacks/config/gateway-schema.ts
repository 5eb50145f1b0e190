import { z } from "zod";
// Tiers and how big each may be: the gateway component's own rule (run on the whole config in schema.ts).
import { gatewayTiers } from "../../components/gateway";
import {
    corsOriginAllowed,
    corsOriginProblems,
    emailAllowed,
    emailProblems,
    httpsUrlAllowed,
    httpsUrlProblems,
    samplingPercentageAllowed,
    samplingPercentageProblems,
} from "../../components/common/values";
import { azureRegion, decimalNumber, flag, problem, ruled, ruleIssues, strictObject, text, wholeNumber, withDocs, zone } from "./fields";

/** The `gateway` key: API Management's tier, units, zones and regions, publisher, autoscale, CORS, backends and tracing. */

const tierAllowed = gatewayTiers.join(", ");

const additionalLocationSchema = strictObject(
    {
        /** Region of the extra gateway. Required. */
        location: azureRegion(),
        /** Gateway units in that region. Default 1. */
        capacity: wholeNumber("1-12 units").default(1),
        /** Availability zones in that region. Default none. */
        zones: z.array(zone, { error: (issue) => problem(issue.input, "is not a list", `a list of zones such as ["1", "2"]`) }).default([]),
    },
    "an additional location",
);

const autoscaleSchema = strictObject(
    {
        /** Fewest units autoscale keeps. Required with autoscale. */
        minCapacity: wholeNumber("1 or more units"),
        /** Most units autoscale adds. Required with autoscale. */
        maxCapacity: wholeNumber("up to the tier's maximum units"),
    },
    "an autoscale setting",
);

const keyVaultSecretId = /^https:\/\/[a-z0-9-]{3,24}\.vault\.azure\.net\/secrets\/[A-Za-z0-9-]{1,127}\/?$/;

const backendSchema = strictObject(
    {
        /** Base URL of the backend, https only. Required. */
        url: ruled(httpsUrlProblems, httpsUrlAllowed),
        /** Versionless Key Vault secret id of a client certificate for mutual TLS. Default none. */
        clientCertificateSecretId: text(
            "a versionless Key Vault secret id such as https://kv-name.vault.azure.net/secrets/inventory-client",
            keyVaultSecretId,
            300,
        ).optional(),
    },
    "a backend",
);

const corsOrigin = ruled(corsOriginProblems, corsOriginAllowed);

export const gatewayFields = withDocs(
    {
        sku: z.enum(gatewayTiers, { error: (issue) => problem(issue.input, "is not an API Management tier", tierAllowed) }),
        capacity: wholeNumber("1-12 units, as the tier allows").default(1),
        zones: z.array(zone, { error: (issue) => problem(issue.input, "is not a list", `a list of zones such as ["1", "2"]`) }).default([]),
        additionalLocations: z
            .array(additionalLocationSchema, {
                error: (issue) => problem(issue.input, "is not a list", "a list of { location, capacity, zones }"),
            })
            .default([]),
        publisherName: text("the organisation name shown in the developer portal, 1-100 characters", undefined, 100),
        publisherEmail: ruled(emailProblems, emailAllowed),
        autoscale: autoscaleSchema.optional(),
        corsOrigins: z
            .array(corsOrigin, { error: (issue) => problem(issue.input, "is not a list", "a list of https origins") })
            .default([]),
        backends: z
            .record(z.string(), backendSchema, {
                error: (issue) => problem(issue.input, "is not a map", "a map of API names to { url, clientCertificateSecretId }"),
            })
            .default({}),
        samplingPercentage: decimalNumber(samplingPercentageAllowed).default(100).superRefine(ruleIssues(samplingPercentageProblems)),
        serviceExists: flag("gateway.serviceExists").default(false),
        serviceName: text(
            "the name of an existing API Management service to adopt: 1-50 letters, digits and hyphens, starting with a letter",
            /^[a-zA-Z](?:[a-zA-Z0-9-]{0,48}[a-zA-Z0-9])?$/,
            50,
        ).optional(),
        resourceGroup: text(
            "the resource group of an existing API Management service to adopt: 1-90 letters, digits, -_.(), not ending in .",
            /^[-\w.()]*[-\w()]$/,
            90,
        ).optional(),
        portalSignUp: flag("gateway.portalSignUp").default(false),
    },
    {
        sku: {
            description:
                "`Developer`, `Basic`, `Standard` or `Premium`. (The v2 tiers have no backup and restore, so they cannot have a DR site.)",
        },
        capacity: {
            description:
                "Units in the primary region: Developer 1, Basic 1-2, Standard 1-4, Premium 1-12. With zones, a multiple of the number of zones.",
        },
        zones: { description: 'Availability zones (`"1"`, `"2"`, `"3"`) in the primary region. Premium only.' },
        additionalLocations: {
            description:
                "Extra gateway regions, each `{ location, capacity (1-12, default 1), zones }`. Premium only; not the primary region, not twice.",
        },
        publisherName: { description: "Organisation name in the developer portal, 1-100 characters." },
        publisherEmail: { description: "E-mail address for notifications from API Management." },
        autoscale: {
            description:
                "`{ minCapacity, maxCapacity }`, within the tier's range, `minCapacity <= capacity <= maxCapacity`; with zones, multiples of the zone count (autoscale adds and removes one unit per zone, so they stay spread evenly). Not on Developer. Scales the primary region on its own Capacity (the metric's Location dimension): out above 66 % for 30 minutes, in below 20 %, an hour between operations. Only the primary region's units autoscale; an additional region keeps the units `additionalLocations` gives it. An alert fires when any region stays above 66 %.",
        },
        corsOrigins: {
            description:
                "Browser origins allowed to call the APIs, each `https://host[:port]`; never `*`. The developer portal's origin is always allowed.",
        },
        backends: {
            description:
                "Per `openapi` and `soap` API of the catalog, by API name: `{ url, clientCertificateSecretId }`. `url` https only; `clientCertificateSecretId` a versionless Key Vault secret id for mutual TLS. Every such API needs one.",
        },
        samplingPercentage: { description: "Share of requests traced to Application Insights, 0-100." },
        portalSignUp: {
            description:
                "Let anyone sign up to the developer portal with a username and password, as well as sign in with Entra ID. Off, because such accounts land in the built-in Developers group and see every product shown to it; the program publishes the portal so the setting takes effect.",
        },
        serviceName: {
            description:
                "The name of an existing API Management service this stack adopts (`npm run adopt` writes it). Default: a name made from the workload, the stack and the region, with the stack's random suffix.",
        },
        resourceGroup: {
            description:
                "The resource group the API Management service lives in, when the stack adopts an existing service (`npm run adopt` writes it). Default: the stack's gateway group, `rg-<workload>-<stack>-gateway-<region>`.",
        },
        serviceExists: {
            description:
                "Set to `true` once a `pulumi up` has created the service. API Management issues its free managed certificate only when an existing service is updated, never in its first create, so `dns.certificates.gateway: managed` needs it (a second `pulumi up`).",
        },
    },
);

export const gatewaySchema = strictObject(gatewayFields, "the gateway settings");
