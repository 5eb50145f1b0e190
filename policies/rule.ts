import type { PolicyConfigSchema, PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { XMLParser } from "fast-xml-parser";

/**
 * The rules of the policy pack, as plain data and pure functions: the pack (`index.ts`) turns
 * each into a Pulumi policy, and the offline plan and the tests call the same functions on the
 * resources of a mocked run, without starting a pack.
 */

/** How a violation counts: mandatory stops the preview (and the plan); advisory is shown. */
export type Level = "mandatory" | "advisory" | "disabled";

/** What a rule sees of a resource: what `pulumi preview` hands a policy, and the offline plan too. */
export interface Resource {
    type: string;
    name: string;
    urn: string;
    /** The resource's inputs, secrets in plain text (as policies see them). */
    props: Record<string, any>;
    /** Whether `protect` is set. */
    protect: boolean;
    /** The resources it depends on (explicitly, or through its inputs); filled for stack rules. */
    dependencies: readonly Resource[];
}

/** What a stack knows about itself that its resources do not say, given to rules as config. */
export interface StackFacts {
    /** The stack's `production` setting. */
    production: boolean;
    /** The stack's `gateway.serviceExists`: the API Management service has been created before. */
    serviceExists: boolean;
    /**
     * Storage accounts allowed to keep shared-key access, by resource name, each with its reason.
     * Set in the stack's policy config (`storage-shared-key-off.exemptions`).
     */
    sharedKeyExemptions: Readonly<Record<string, string>>;
}

interface RuleBase {
    /** The policy's name in the pack, in messages and in the policy config. */
    id: string;
    /** The risk: what goes wrong when the rule is broken. */
    description: string;
    /** What to set to satisfy it. */
    remediation: string;
    /** Where it comes from: a PSRule for Azure rule, a Checkov check, a Microsoft page, the architecture. */
    source: string;
    /** The page to read. */
    url: string;
    /** Its level unless the stack's policy config says otherwise. */
    level: Exclude<Level, "disabled">;
    /** Which facts of the stack it reads (they come as its config). */
    facts?: ReadonlyArray<keyof StackFacts>;
}

/** A rule that judges one resource at a time. */
export interface ResourceRule extends RuleBase {
    kind: "resource";
    /** The resource types it applies to; or, for a rule on a kind of resource, a test. */
    types: readonly string[] | ((resource: Resource) => boolean);
    /** The violations of one resource, as messages; [] when it complies. */
    check(resource: Resource, facts: StackFacts): string[];
}

/** A rule that judges the stack's resources together (one resource's relation to another). */
export interface StackRule extends RuleBase {
    kind: "stack";
    /** The violations, each with the resource it concerns. */
    check(resources: readonly Resource[], facts: StackFacts): Array<{ resource: Resource; message: string }>;
}

export type Rule = ResourceRule | StackRule;

const factSchemas: Record<keyof StackFacts, PolicyConfigSchema["properties"][string]> = {
    production: { type: "boolean", default: false, description: "The stack's production setting." },
    serviceExists: { type: "boolean", default: false, description: "The stack's gateway.serviceExists setting." },
    sharedKeyExemptions: {
        type: "object",
        default: {},
        description: "Storage accounts allowed shared-key access, by resource name, each with its reason.",
    },
};

/** The facts a rule reads from its config, with the defaults of a stack that says nothing. */
export function factsFrom(config: Partial<StackFacts> | undefined): StackFacts {
    return {
        production: config?.production ?? false,
        serviceExists: config?.serviceExists ?? false,
        sharedKeyExemptions: config?.sharedKeyExemptions ?? {},
    };
}

function fromPolicyResource(resource: PolicyResource, depth = 1): Resource {
    return {
        type: resource.type,
        name: resource.name,
        urn: resource.urn,
        props: resource.props,
        protect: resource.opts.protect,
        dependencies: depth > 0 ? resource.dependencies.map((dependency) => fromPolicyResource(dependency, depth - 1)) : [],
    };
}

/** Whether a resource rule judges this resource. */
export function appliesTo(rule: ResourceRule, resource: Resource): boolean {
    return typeof rule.types === "function" ? rule.types(resource) : rule.types.includes(resource.type);
}

/** The Pulumi policy of a rule. */
export function toPolicy(rule: Rule): ResourceValidationPolicy | StackValidationPolicy {
    const base = {
        name: rule.id,
        description: `${rule.description} Source: ${rule.source}.`,
        enforcementLevel: rule.level,
        remediationSteps: rule.remediation,
        url: rule.url,
        ...(rule.facts && rule.facts.length > 0
            ? { configSchema: { properties: Object.fromEntries(rule.facts.map((fact) => [fact, factSchemas[fact]])) } }
            : {}),
    };
    if (rule.kind === "resource") {
        return {
            ...base,
            validateResource: (args, reportViolation) => {
                const resource: Resource = {
                    type: args.type,
                    name: args.name,
                    urn: args.urn,
                    props: args.props,
                    protect: args.opts.protect,
                    dependencies: [],
                };
                if (!appliesTo(rule, resource)) {
                    return;
                }
                for (const message of rule.check(resource, factsFrom(args.getConfig<Partial<StackFacts>>()))) {
                    reportViolation(message);
                }
            },
        };
    }
    return {
        ...base,
        validateStack: (args, reportViolation) => {
            const resources = args.resources.map((resource) => fromPolicyResource(resource));
            for (const violation of rule.check(resources, factsFrom(args.getConfig<Partial<StackFacts>>()))) {
                reportViolation(violation.message, violation.resource.urn);
            }
        },
    };
}

/* Helpers the rules share. */

/** A value as a list (undefined: none). */
export function list<T>(value: T | T[] | undefined | null): T[] {
    return value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
}

/**
 * Whether an input is set, without reading its value: during `pulumi preview` a value known only
 * after deploy (an id, an address) is set, and reading it stops the rule (`@pulumi/policy` reports
 * "can't run policy ... during preview"). A rule that judges only the presence of an input asks
 * this, so it runs in the preview too. The property descriptor holds the raw value, which the
 * pack's unknown-checking proxy does not intercept.
 */
export function isSet(object: unknown, key: string): boolean {
    if (object === null || typeof object !== "object") {
        return false;
    }
    const value: unknown = Object.getOwnPropertyDescriptor(object, key)?.value;
    return value !== undefined && value !== null && value !== "";
}

/** Whether a value that ARM takes as a string or a boolean says false ("False", "false", false). */
export function isOff(value: unknown): boolean {
    return value === false || (typeof value === "string" && value.toLowerCase() === "false");
}

type Ordered = Array<Record<string, unknown>>;

/**
 * The element names at the top level of each section of a policy document, in order (a section
 * the document leaves out has none); undefined when it is not a `<policies>` document.
 */
export function policySections(document: string): Record<string, string[]> | undefined {
    let parsed: Ordered;
    try {
        parsed = new XMLParser({ preserveOrder: true, ignoreAttributes: false }).parse(document) as Ordered;
    } catch {
        return undefined;
    }
    const names = (children: Ordered) =>
        children.flatMap((child) => Object.keys(child).filter((key) => key !== ":@" && key !== "#text" && key !== "#comment"));
    const root = parsed.find((node) => "policies" in node)?.["policies"] as Ordered | undefined;
    if (!root) {
        return undefined;
    }
    return Object.fromEntries(
        ["inbound", "backend", "outbound", "on-error"].map((section) => [
            section,
            names((root.find((node) => section in node)?.[section] as Ordered | undefined) ?? []),
        ]),
    );
}

/** The sections of a policy document without a `<base />` of their own. */
export function sectionsWithoutBase(document: string): string[] {
    const sections = policySections(document) ?? {};
    return ["inbound", "backend", "outbound", "on-error"].filter((section) => !(sections[section] ?? []).includes("base"));
}

/** The resources of a type. */
export function ofType(resources: readonly Resource[], type: string): Resource[] {
    return resources.filter((resource) => resource.type === type);
}

/** Whether `dependent` depends on `dependency`. */
export function dependsOn(dependent: Resource, dependency: Resource): boolean {
    return dependent.dependencies.some((candidate) => candidate.urn === dependency.urn);
}
