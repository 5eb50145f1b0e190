import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import type { SpecOperation } from "./openapi";
import type { PolicyFile } from "./policy-files";
import type { LoadTest, SmokeTest } from "./smoke";
import { backendKeyName, signatureNamedValue } from "../../components/common/names";
import { closestName, formatPath, schemaIssueMessage, type Problem } from "../../components/common/rules";

export { backendKeyName, signatureNamedValue } from "../../components/common/names";

/**
 * The API catalog's definitions: `apis/products.yaml` and each API's `api.yaml`, as data. The
 * schema and the checks between fields and between APIs are here; reading the files is the
 * assembly's (`content/`), checking OpenAPI and WSDL documents is in `openapi.ts` and
 * `wsdl.ts`. Every problem names its file.
 */

/** The kinds of API the gateway publishes. */
export const apiKinds = ["logicApp", "openapi", "soap"] as const;
export type ApiKind = (typeof apiKinds)[number];

/** HTTP methods an operation group can name. */
export const httpMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type HttpMethod = (typeof httpMethods)[number];

const identifier = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;
const identifierAllowed = "2-40 lower-case letters, digits and hyphens, starting with a letter";

const id = (allowed = identifierAllowed) =>
    z
        .string({ error: () => `is missing or not a string (allowed: ${allowed})` })
        .regex(identifier, { error: (i) => `"${String(i.input)}" is not valid (allowed: ${allowed})` });
/** A string matching `pattern`: missing, not a string and not matching each say what is allowed. */
const matching = (pattern: RegExp, what: string, allowed: string) =>
    z
        .string({
            error: (i) =>
                i.input === undefined
                    ? `is missing (allowed: ${allowed})`
                    : `${JSON.stringify(i.input)} is not a string (allowed: ${allowed})`,
        })
        .regex(pattern, { error: (i) => `"${String(i.input)}" is not ${what} (allowed: ${allowed})` });
const words = (max: number) =>
    z
        .string({ error: () => `is missing or not a string (allowed: 1-${max} characters)` })
        .min(1, { error: () => `is empty (allowed: 1-${max} characters)` })
        .max(max, { error: () => `is longer than ${max} characters` });
const between = (min: number, max: number, unit: string) => {
    const allowed = `${min}-${max} ${unit}`;
    return z
        .number({ error: () => `is not a number (allowed: ${allowed})` })
        .int({ error: () => `is not a whole number (allowed: ${allowed})` })
        .min(min, { error: (i) => `${String(i.input)} is too small (allowed: ${allowed})` })
        .max(max, { error: (i) => `${String(i.input)} is too large (allowed: ${allowed})` });
};

const productSchema = z.strictObject(
    {
        /** Shown to subscribers in the developer portal. Required. */
        displayName: words(300),
        /** What the product offers and who approves subscriptions. Required. */
        description: words(1000),
        /** Subscriptions one developer may hold. Default: no limit. */
        subscriptionsLimit: between(1, 1000, "subscriptions").optional(),
        /** A policy file under `apis/` for every API of the product, in API Management's policy syntax. Default: none. */
        policy: z
            .string()
            .regex(/^[A-Za-z0-9._-]+\.xml$/, {
                error: (i) => `"${String(i.input)}" is not a policy file name (allowed: a file directly under apis/ ending .xml)`,
            })
            .optional(),
    },
    {
        error: (i) =>
            i.code === "unrecognized_keys"
                ? `has unknown keys ${i.keys.join(", ")} (allowed: displayName, description, subscriptionsLimit, policy)`
                : "is not a product",
    },
);

export const productsSchema = z.record(id(), productSchema, {
    error: (issue) =>
        issue.code === "invalid_key"
            ? `${JSON.stringify(issue.input)} is not a product name (allowed: ${identifierAllowed})`
            : "is not a map of product names to products",
});

export type ProductDefinitionFile = z.output<typeof productSchema>;

/** A product, with its policy file read and checked when it has one. */
export type ProductDefinition = ProductDefinitionFile & { policyFile?: PolicyFile };

const operationGroupSchema = z.strictObject({
    /** A short name for the group, used in the policy's comments. Required. */
    name: id(),
    /** The HTTP methods the group covers; each method belongs to one group. Required. */
    methods: z
        .array(z.enum(httpMethods, { error: (i) => `"${String(i.input)}" is not an HTTP method (allowed: ${httpMethods.join(", ")})` }))
        .min(1, { error: () => "is empty (allowed: one or more HTTP methods)" }),
    /** The app role (`roles` claim) a caller's token must carry. Required. */
    role: matching(
        /^[A-Za-z][A-Za-z0-9._-]{0,119}$/,
        "an app role value",
        "letters, digits, dots, hyphens, underscores, such as Orders.Read",
    ),
});

const policySchema = z.strictObject({
    /** Calls one subscription may make per renewal period. Required. */
    rateLimit: z.strictObject({
        calls: between(1, 1_000_000, "calls"),
        /** Seconds. Required. */
        renewalPeriod: between(1, 300, "seconds"),
    }),
    /** Seconds a GET response is cached; 0 turns caching off. Default 0. */
    cacheDuration: between(0, 3600, "seconds").default(0),
    /** Who may call what: the `roles` claim required per group of HTTP methods. Required. */
    access: z.array(operationGroupSchema).min(1, { error: () => "is empty (allowed: one or more operation groups)" }),
});

const revisionSchema = z.strictObject({
    /** The revision number, 2 or more (revision 1 is the API itself). Required. */
    revision: between(2, 100, "(revision 1 is the API itself)"),
    /** What changed, shown on the revision. Required. */
    description: words(256),
    /** Release notes published to the change log when this revision is made current. Required. */
    notes: words(1000),
    /**
     * The revision's own spec file in the API's folder, when its operations change. Default: the
     * revision is a copy of the one before, for policy or setting changes.
     */
    spec: z
        .string()
        .regex(/^[A-Za-z0-9._-]+\.(ya?ml|json|wsdl)$/, {
            error: (i) =>
                `"${String(i.input)}" is not a spec file name (allowed: a file in the API's folder ending .yaml, .yml, .json or .wsdl)`,
        })
        .optional(),
    /** Where API Management fetches the revision's spec when it is over the inline import limit. Default: none. */
    specUrl: z
        .url({
            protocol: /^https$/,
            error: (i) => `"${String(i.input)}" is not an https URL (allowed: the https URL the same document is published at)`,
        })
        .optional(),
    /**
     * Staged for testing: deployed and callable at its revision's address (`/<path>/<version>;rev=<n>/...`),
     * but not released, so not current and not in the change log. Making it current is removing this
     * line: the diff then shows its release. Only the last revisions may be staged. Default: false.
     */
    staged: z
        .boolean({ error: (i) => `${JSON.stringify(i.input)} is not true or false (allowed: true, to stage the revision for testing)` })
        .optional(),
});

/** What a smoke test must get back: an HTTP status code. */
const httpStatus = z
    .number({ error: () => "is missing or not a number (allowed: an HTTP status code, 100-599)" })
    .int({ error: (i) => `${String(i.input)} is not a whole number (allowed: an HTTP status code, 100-599)` })
    .min(100, { error: (i) => `${String(i.input)} is not an HTTP status code (allowed: 100-599)` })
    .max(599, { error: (i) => `${String(i.input)} is not an HTTP status code (allowed: 100-599)` });

/** A revision number to target (2 or more), which must be a staged revision of the API. */
const stagedRevisionNumber = between(2, 100, "(a revision of this API with staged: true)");

const smokeSchema = z.strictObject(
    {
        /**
         * The operation the smoke test calls: an operationId of the current revision's spec, or
         * for a `soap` API an operation of the published WSDL port. Its method is the operation's.
         * Required.
         */
        operation: z
            .string({
                error: () =>
                    "is missing or not a string (allowed: an operationId of the API's spec, or for a soap API an operation of its WSDL port)",
            })
            .min(1, {
                error: () => "is empty (allowed: an operationId of the API's spec, or for a soap API an operation of its WSDL port)",
            }),
        /**
         * The concrete path to call after the API's path and version, every parameter filled in,
         * optionally with a query string (`/items/SKU-1`, `/items?top=1`). Required.
         */
        path: z
            .string({
                error: () =>
                    "is missing or not a string (allowed: the path after the API's path and version, starting with /, such as /items/SKU-1)",
            })
            .regex(/^\/[^\s#]*$/, {
                error: (i) =>
                    `"${String(i.input)}" is not a path to call (allowed: the path after the API's path and version, starting with / and without spaces, such as /items/SKU-1)`,
            }),
        /** The status the gateway must answer. Required. */
        status: httpStatus,
        /**
         * A staged revision to call at its `;rev=<n>` address instead of the current one; the
         * operation and path are then checked against that revision's spec. Default: the current
         * revision.
         */
        revision: stagedRevisionNumber.optional(),
        /**
         * The request body: a JSON value, sent as JSON; for a `soap` API the SOAP envelope, as a
         * string. Default: none.
         */
        body: z
            .json({ error: () => "is not a JSON value (allowed: a JSON value to send, or for a soap API the SOAP envelope as a string)" })
            .refine((value) => value !== null, {
                error: () => "is empty (allowed: a JSON value to send, or no body key for a call without a body)",
            })
            .optional(),
    },
    {
        error: (i) =>
            i.code === "unrecognized_keys"
                ? `has unknown keys ${i.keys.join(", ")} (allowed: operation, path, status, revision, body)`
                : "is not a smoke test (allowed: { operation, path, status, revision, body })",
    },
);

/** What a load test's criteria may say, and their bounds: shared by `api.yaml` and the stack file's `load.criteria`. */
export const loadCriteriaBounds = {
    p95Ms: { min: 1, max: 600_000, allowed: "a whole number of milliseconds, 1-600000" },
    errorPercent: { min: 0, max: 99.9, allowed: "a percentage of calls, 0-99.9 (100 would pass a run where every call fails)" },
    requestsPerSecond: { min: 0.1, max: 1_000_000, allowed: "requests per second, 0.1-1000000" },
} as const;

/** A criterion's number within its bounds. */
function criterion(key: keyof typeof loadCriteriaBounds, whole: boolean) {
    const { min, max, allowed } = loadCriteriaBounds[key];
    const number = z.number({
        error: (i) => `${i.input === undefined ? "is missing" : `${JSON.stringify(i.input)} is not a number`} (allowed: ${allowed})`,
    });
    return (whole ? number.int({ error: (i) => `${String(i.input)} is not a whole number (allowed: ${allowed})` }) : number)
        .min(min, { error: (i) => `${String(i.input)} is too small (allowed: ${allowed})` })
        .max(max, { error: (i) => `${String(i.input)} is too large (allowed: ${allowed})` });
}

/** The pass criteria of a load test: each is optional, a run fails when one it sets is not met. */
export const loadCriteriaSchema = z.strictObject(
    {
        /** The 95th percentile of the response times must be at most this many milliseconds. Default: not judged. */
        p95Ms: criterion("p95Ms", true).optional(),
        /** At most this percentage of calls may fail (no answer, or a status the operation does not expect). Default: not judged. */
        errorPercent: criterion("errorPercent", false).optional(),
        /** At least this many answered calls per second, sustained over the run. Default: not judged. */
        requestsPerSecond: criterion("requestsPerSecond", false).optional(),
    },
    {
        error: (i) =>
            i.code === "unrecognized_keys"
                ? `has unknown keys ${i.keys.join(", ")} (allowed: p95Ms, errorPercent, requestsPerSecond)`
                : "is not a set of criteria (allowed: { p95Ms, errorPercent, requestsPerSecond })",
    },
);

/** One operation of a load test, with its share of the calls. */
const loadOperationSchema = z.strictObject(
    {
        /** An operationId of the spec (for a `soap` API, a WSDL operation), as in `smoke`. Required. */
        operation: smokeSchema.shape.operation,
        /** The concrete path to call, as in `smoke`. Required. */
        path: smokeSchema.shape.path,
        /** Its share of the calls against the other operations' weights (3 and 1: three calls of it to one of the other). Default 1. */
        weight: between(1, 100, "(a share of the calls; 0 would never call it)").default(1),
        /** The status a call must get to count as a success. Default: any status below 400. */
        status: httpStatus.optional(),
        /** The request body, as in `smoke`. Default: none. */
        body: smokeSchema.shape.body,
    },
    {
        error: (i) =>
            i.code === "unrecognized_keys"
                ? `has unknown keys ${i.keys.join(", ")} (allowed: operation, path, weight, status, body)`
                : "is not a load test operation (allowed: { operation, path, weight, status, body })",
    },
);

const loadSchema = z.strictObject(
    {
        /**
         * The operations to load and their weights. Default: the smoke test's call, alone (an API
         * with neither is refused).
         */
        operations: z
            .array(loadOperationSchema, { error: () => "is not a list (allowed: a list of { operation, path, weight })" })
            .min(1, { error: () => "is empty (allowed: one or more operations, or no operations key to load the smoke test's call)" })
            .optional(),
        /** A staged revision to load at its `;rev=<n>` address, as in `smoke`. Default: the current revision. */
        revision: stagedRevisionNumber.optional(),
        /** What the API must meet under load; the stack file's `load.criteria` take precedence, key by key. Default: none. */
        criteria: loadCriteriaSchema.optional(),
    },
    {
        error: (i) =>
            i.code === "unrecognized_keys"
                ? `has unknown keys ${i.keys.join(", ")} (allowed: operations, revision, criteria)`
                : "is not a load test (allowed: { operations, revision, criteria })",
    },
);

export const apiSchema = z.strictObject({
    /** The API's name; versions of one API share it (and its version set). Required. */
    name: id(),
    /**
     * The API's id in API Management. Default: `<name>-<version>`. Set it to keep an existing API's
     * id when the service is adopted (`npm run adopt`): the id is in the API's resource id, so a
     * new one would make a second API beside the old one. 1-80 letters, digits, `-`, `_` and `.`,
     * starting with a letter or digit (narrower than the REST spec's `^[^*#&+:<>?]+$`, so the id
     * is safe in a URL, a file name and `<id>;rev=<n>`).
     */
    apiId: matching(
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/,
        "an API id",
        "1-80 letters, digits, -, _ and ., starting with a letter or digit",
    ).optional(),
    /** Shown in the developer portal. Required. */
    displayName: words(300),
    /** What the API does, shown in the developer portal. Required. */
    description: words(1000),
    /** URL suffix after the gateway host; the version follows it (`/orders/v1`). Required. */
    path: matching(
        /^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)*$/,
        "a path",
        "lower-case segments separated by /, such as orders or sales/orders",
    ),
    /** The version segment, such as v1. Required. */
    version: matching(/^v[0-9]{1,3}$/, "a version", "v followed by a number, such as v1"),
    /** How the API is built. Required. */
    kind: z.enum(apiKinds, { error: (i) => `"${String(i.input)}" is not an API kind (allowed: ${apiKinds.join(", ")})` }),
    /** The spec file in the API's folder: OpenAPI (YAML or JSON) or, for `soap`, a WSDL. Required. */
    spec: matching(
        /^[A-Za-z0-9._-]+\.(ya?ml|json|wsdl)$/,
        "a spec file name",
        "a file in the API's folder ending .yaml, .yml, .json or .wsdl",
    ),
    /**
     * The https URL the same spec is published at: API Management imports it from there when the
     * file is over the 4 MB inline import limit. Default: none (a larger file is refused).
     */
    specUrl: z
        .url({
            protocol: /^https$/,
            error: (i) => `"${String(i.input)}" is not an https URL (allowed: the https URL the same document is published at)`,
        })
        .optional(),
    /** `logicApp` only: the workflow whose HTTP trigger the API forwards to. */
    workflow: id().optional(),
    /** `soap` only: the WSDL service and endpoint (port) to publish. */
    wsdl: z
        .strictObject({
            service: matching(/\S/, "a service name", "the name of a service in the WSDL"),
            endpoint: matching(/\S/, "an endpoint name", "the name of a port of that service in the WSDL"),
        })
        .optional(),
    /**
     * `openapi` and `soap` only: the header that carries the backend's API key. The gateway sets it
     * from the named value `<name>-backend-key`, a Key Vault secret. Default: no key.
     */
    backendApiKey: z
        .strictObject({
            header: matching(/^[A-Za-z0-9-]{1,64}$/, "a header name", "letters, digits, hyphens"),
        })
        .optional(),
    /** The products the API belongs to (keys of `apis/products.yaml`). Required. */
    products: z.array(id()).min(1, { error: () => "is empty (allowed: one or more products from apis/products.yaml)" }),
    /** Rate limit, caching and access rules. Required. */
    policy: policySchema,
    /** Later revisions, oldest first; the last one not staged is released and made current. Default none. */
    revisions: z.array(revisionSchema).default([]),
    /**
     * The call `npm run smoke` makes to check the deployed API: one operation of the current
     * revision, the path to call and the status it must answer. Default: none (the smoke test
     * reports the API as having no smoke test).
     */
    smoke: smokeSchema.optional(),
    /**
     * The load `npm run load` sends to the deployed API (operations and their weights, or the smoke
     * test's call) and what it must meet. Default: none (the load test leaves the API out).
     */
    load: loadSchema.optional(),
});

export type ApiDefinitionFile = z.output<typeof apiSchema>;
export type OperationGroup = z.output<typeof operationGroupSchema>;
export type ApiPolicyOptions = z.output<typeof policySchema>;
export type SmokeDefinitionFile = z.output<typeof smokeSchema>;
export type LoadDefinitionFile = z.output<typeof loadSchema>;
export type LoadCriteria = z.output<typeof loadCriteriaSchema>;

/** The named values a catalog's APIs need: their backend keys, and their workflows' signatures. */
export function catalogNamedValues(apis: readonly ApiDefinition[]): string[] {
    const keys = apis.filter((api) => api.backendApiKey).map((api) => backendKeyName(api.name));
    const signatures = apis.filter((api) => api.kind === "logicApp" && api.workflow).map((api) => signatureNamedValue(api.workflow!));
    return [...new Set([...keys, ...signatures])].sort();
}

/** Each `{{name}}` in a policy file that is not one of the `defined` named values. */
export function namedValueReferenceProblems(
    products: Record<string, ProductDefinition>,
    apis: readonly ApiDefinition[],
    defined: readonly string[],
): string[] {
    const known = [...new Set(defined)].sort();
    const files = [
        ...Object.values(products).flatMap((product) => (product.policyFile ? [product.policyFile] : [])),
        ...apis.flatMap((api) => [...(api.policyFile ? [api.policyFile] : []), ...Object.values(api.operationPolicies)]),
    ];
    return files.flatMap((file) =>
        file.namedValues
            .filter((name) => !known.includes(name))
            .map(
                (name) =>
                    `${file.file}: {{${name}}} is not a named value of this catalog (allowed: ${known.map((value) => `{{${value}}}`).join(", ") || "none: no API sends a backend key or forwards to a workflow"})`,
            ),
    );
}

/** What API Management imports a spec as: inline, or from a URL for a document over the inline limit. */
export type ImportFormat =
    "openapi" | "openapi+json" | "swagger-json" | "wsdl" | "openapi-link" | "openapi+json-link" | "swagger-link-json" | "wsdl-link";

/** The largest document API Management imports inline ("Up to 4 MB ... imported inline"). */
export const inlineImportLimit = 4 * 1024 * 1024;

/** A later revision, with its own spec read and validated when it has one. */
export type RevisionDefinition = ApiDefinitionFile["revisions"][number] & {
    specContent?: string;
    specFormat?: ImportFormat;
    operations?: SpecOperation[];
};

/** One API of the catalog, with its spec read and validated. */
export interface ApiDefinition extends Omit<ApiDefinitionFile, "revisions" | "smoke" | "load"> {
    /** Later revisions, oldest first; the last is current. */
    revisions: RevisionDefinition[];
    /** The folder under `apis/`, as written (used in messages). */
    folder: string;
    /** The API id in API Management: `<name>-<version>`. */
    apiId: string;
    /**
     * What API Management imports: the document as written (without a byte-order mark), converted
     * to JSON for a Swagger 2.0 YAML, or the `specUrl` for a link format.
     */
    specContent: string;
    /** The API Management import format of the spec. */
    specFormat: ImportFormat;
    /** The spec's operations as API Management names them ([] for a WSDL, whose names it generates). */
    operations: SpecOperation[];
    /** The API's own policy file (`policy.xml`), merged with the policy the gateway generates. */
    policyFile?: PolicyFile;
    /** Operation policies (`operations/<operationId>.xml`), keyed by operation name. */
    operationPolicies: Record<string, PolicyFile>;
    /** The smoke test's call, checked against the operations of the revision it calls. Default: none. */
    smoke?: SmokeTest;
    /** The load test's calls and criteria, checked as the smoke test's are. Default: none. */
    load?: LoadTest;
}

export interface Catalog {
    products: Record<string, ProductDefinition>;
    apis: ApiDefinition[];
    /** What API Management will do differently from what a file says, each naming the file: shown as warnings. */
    notes: string[];
}

declare const checkedBrand: unique symbol;

/**
 * A catalog that has passed every catalog rule, once: the files' (read by `loadCatalog`: schema,
 * specs, policy files) and the data's ({@link catalogProblems}). Only {@link checkCatalog} makes
 * one, so a component that takes it publishes it without checking its content again.
 */
export type CheckedCatalog = Catalog & { readonly [checkedBrand]: true };

/**
 * The rules across a catalog's data: every product an API names exists, no two APIs share a path
 * or a version, and each `{{name}}` a policy file references is a named value the catalog
 * defines. Each problem names the API's or policy's file.
 */
export function catalogProblems(catalog: Pick<Catalog, "products" | "apis">, productsRead = true): string[] {
    const productIds = Object.keys(catalog.products);
    // A products.yaml that could not be read is reported on its own: its products are then not
    // known, and every API naming one would be a follow-on error.
    const references = (productsRead ? catalog.apis : []).flatMap((api) =>
        api.products
            .filter((product) => !productIds.includes(product))
            .map(
                (product) =>
                    `apis/${api.folder}/api.yaml: products: "${product}" is not in apis/products.yaml (allowed: ${productIds.join(", ") || "none"})`,
            ),
    );
    return [
        ...references,
        ...catalogWideProblems(catalog.apis),
        ...namedValueReferenceProblems(catalog.products, catalog.apis, catalogNamedValues(catalog.apis)),
    ];
}

/**
 * Each `logicApp` API's `workflow` names a definition under `workflows/` (`available`): a typo is
 * the catalog's to fix, in its api.yaml, not the stack file's.
 */
export function catalogWorkflowProblems(catalog: Pick<Catalog, "apis">, available: readonly string[]): string[] {
    return catalog.apis
        .filter((api) => api.kind === "logicApp" && api.workflow !== undefined && !available.includes(api.workflow))
        .map((api) => {
            const near = closestName(api.workflow!, available);
            return `apis/${api.folder}/api.yaml: workflow: "${api.workflow}" is not a definition under workflows/${near ? `; did you mean ${near}?` : ""} (allowed: ${available.join(", ") || "none: workflows/ has no definition"})`;
        });
}

/** The catalog as {@link CheckedCatalog}, or a {@link CatalogError} with every one of {@link catalogProblems}. */
export function checkCatalog(catalog: Catalog): CheckedCatalog {
    const problems = catalogProblems(catalog);
    if (problems.length > 0) {
        throw new CatalogError(problems);
    }
    return catalog as CheckedCatalog;
}

/** What a catalog is published with, by name: the backends of its `openapi` and `soap` APIs, the workflows its `logicApp` APIs forward to. */
export interface CatalogBinding {
    /** The backends given, by API name. */
    backends: readonly string[];
    /** The workflows deployed for the gateway to call. */
    workflows: readonly string[];
}

/**
 * What a catalog and what it is published with must agree on: each `openapi` and `soap` API has
 * a backend and each backend an API, each `logicApp` API's workflow is deployed. Problems at
 * `backends.<api>` and `workflows.<workflow>`; the stack config and the GatewayCatalog component
 * each put them under their own keys.
 */
export function catalogBindingProblems(catalog: Pick<Catalog, "apis">, binding: CatalogBinding): Problem[] {
    const problems: Problem[] = [];
    const needing = [...new Set(catalog.apis.filter((api) => api.kind !== "logicApp").map((api) => api.name))].sort();
    for (const name of needing) {
        if (!binding.backends.includes(name)) {
            const api = catalog.apis.find((candidate) => candidate.name === name)!;
            problems.push({
                path: ["backends", name],
                message: `missing; the ${api.kind} API in apis/${api.folder} forwards to it (allowed: { url: "https://..." })`,
            });
        }
    }
    for (const name of [...binding.backends].sort()) {
        if (!needing.includes(name)) {
            problems.push({
                path: ["backends", name],
                message: `no openapi or soap API of the catalog is called ${name} (allowed: ${needing.join(", ") || "none"})`,
            });
        }
    }
    const reported = new Set<string>();
    for (const api of catalog.apis.filter((candidate) => candidate.kind === "logicApp")) {
        const workflow = api.workflow!;
        if (!binding.workflows.includes(workflow) && !reported.has(workflow)) {
            reported.add(workflow);
            problems.push({
                path: ["workflows", workflow],
                message: `missing; the logicApp API in apis/${api.folder} forwards to it (allowed: ${workflow}, deployed with access: gateway)`,
            });
        }
    }
    return problems;
}

/**
 * A catalog that cannot be published: every problem, one per line, each naming its file. A
 * `RunError`, so Pulumi prints it without a stack trace.
 */
export class CatalogError extends pulumi.RunError {
    constructor(readonly problems: string[]) {
        super(
            `The API catalog has ${problems.length === 1 ? "a problem" : `${problems.length} problems`}:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
        );
        this.name = "CatalogError";
    }
}

/** The problems of a definition that breaks its schema, one per issue, each with its file. */
export function issuesOf(file: string, error: z.ZodError): string[] {
    return error.issues.map((issue) => {
        const key = formatPath(issue.path);
        const message = issue.code === "unrecognized_keys" ? `has unknown keys ${issue.keys.join(", ")}` : schemaIssueMessage(issue);
        return `${file}: ${key ? `${key}: ` : ""}${message}`;
    });
}

/** Checks what the schema cannot see: kind-specific fields, overlapping method groups, revision order. */
export function kindProblems(file: string, api: ApiDefinitionFile): string[] {
    const problems: string[] = [];
    if (api.kind === "logicApp" && !api.workflow) {
        problems.push(`${file}: workflow: missing on a logicApp API (allowed: the name of a workflow under workflows/)`);
    }
    if (api.kind !== "logicApp" && api.workflow) {
        problems.push(`${file}: workflow: only a logicApp API forwards to a workflow (allowed: remove workflow, or set kind: logicApp)`);
    }
    if (api.kind === "soap" && !api.wsdl) {
        problems.push(`${file}: wsdl: missing on a soap API (allowed: { service, endpoint } naming the WSDL service and port)`);
    }
    if (api.kind !== "soap" && api.wsdl) {
        problems.push(`${file}: wsdl: only a soap API has a WSDL (allowed: remove wsdl, or set kind: soap)`);
    }
    if (api.kind === "logicApp" && api.backendApiKey) {
        problems.push(`${file}: backendApiKey: a logicApp API is authorised by its trigger's signature (allowed: remove backendApiKey)`);
    }
    if ((api.kind === "soap") !== api.spec.endsWith(".wsdl")) {
        problems.push(
            `${file}: spec: "${api.spec}" does not suit a ${api.kind} API (allowed: ${api.kind === "soap" ? "a .wsdl file" : "an OpenAPI .yaml, .yml or .json file"})`,
        );
    }
    const owner = new Map<string, string>();
    for (const group of api.policy.access) {
        for (const method of group.methods) {
            const other = owner.get(method);
            if (other !== undefined) {
                problems.push(
                    `${file}: policy.access: ${method} is in both "${other}" and "${group.name}" (allowed: each method in one group)`,
                );
            }
            owner.set(method, group.name);
        }
    }
    if (api.kind === "soap" && api.policy.cacheDuration > 0) {
        problems.push(`${file}: policy.cacheDuration: SOAP calls are POSTs, which are never cached (allowed: 0)`);
    }
    api.revisions.forEach((revision, i) => {
        const previous = i === 0 ? 1 : api.revisions[i - 1]!.revision;
        if (revision.revision !== previous + 1) {
            problems.push(
                `${file}: ${formatPath(["revisions", i, "revision"])}: ${revision.revision} does not follow revision ${previous} (allowed: ${previous + 1})`,
            );
        }
        // A release makes its revision current; one after a staged revision would leave the staged
        // one behind, never current.
        const staged = api.revisions.slice(0, i).find((earlier) => earlier.staged);
        if (staged && !revision.staged) {
            problems.push(
                `${file}: ${formatPath(["revisions", i])}: revision ${revision.revision} would be released after revision ${staged.revision}, which is staged and would never be current (allowed: staged revisions last; release revision ${staged.revision} first by removing its staged: true)`,
            );
        }
    });
    return problems;
}

/** The link format of an inline import format: API Management fetches the document from a URL. */
export function linkFormat(format: ImportFormat): ImportFormat {
    const links: Partial<Record<ImportFormat, ImportFormat>> = {
        openapi: "openapi-link",
        "openapi+json": "openapi+json-link",
        "swagger-json": "swagger-link-json",
        wsdl: "wsdl-link",
    };
    return links[format] ?? format;
}

/** Problems between APIs: a path taken by two APIs, a version listed twice, versions on different paths. */
export function catalogWideProblems(apis: readonly ApiDefinition[]): string[] {
    const problems: string[] = [];
    const pathOwner = new Map<string, ApiDefinition>();
    const versions = new Map<string, ApiDefinition>();
    const ids = new Map<string, ApiDefinition>();
    for (const api of apis) {
        const owner = pathOwner.get(api.path);
        if (owner && owner.name !== api.name) {
            problems.push(
                `apis/${api.folder}/api.yaml: path: "${api.path}" is already used by apis/${owner.folder} (allowed: a path of its own)`,
            );
        }
        pathOwner.set(api.path, owner ?? api);
        const twin = versions.get(`${api.name} ${api.version}`);
        if (twin) {
            problems.push(
                `apis/${api.folder}/api.yaml: version: ${api.name} ${api.version} is already defined in apis/${twin.folder} (allowed: each version once)`,
            );
        }
        versions.set(`${api.name} ${api.version}`, api);
        const sameId = ids.get(api.apiId.toLowerCase());
        if (sameId && sameId !== twin) {
            problems.push(
                `apis/${api.folder}/api.yaml: apiId: "${api.apiId}" is already the id of apis/${sameId.folder} (allowed: an id of its own; API Management ids ignore case)`,
            );
        }
        ids.set(api.apiId.toLowerCase(), sameId ?? api);
        const sibling = apis.find((other) => other.name === api.name && other.path !== api.path);
        if (sibling && sibling.folder < api.folder) {
            problems.push(
                `apis/${api.folder}/api.yaml: path: "${api.path}" differs from "${sibling.path}" in apis/${sibling.folder} (allowed: every version of ${api.name} on one path)`,
            );
        }
    }
    return problems;
}
