import { z } from "zod";
import { shown, unknownKeyMessage, type Problem } from "../../components/common/rules";
import { availabilityZoneProblems, availabilityZones } from "../../components/common/values";
import { isRegion, similarRegions } from "../regions";

/**
 * What the config reference says of a key: the README's table and `Pulumi.yaml`'s descriptions are
 * generated from it (`npm run docs`). `default` and `type` replace what is read from the schema
 * where the schema cannot say it (a default computed from other keys, a secret map).
 */
export interface KeyDoc {
    readonly description: string;
    readonly default?: string;
    readonly type?: string;
}

/** A schema with its config-reference entry. */
export function documented<T extends z.ZodType>(schema: T, doc: KeyDoc): T {
    return schema.meta({ ...doc }) as T;
}

/** Fields with their config-reference entries: every field must have one. */
export function withDocs<T extends Record<string, z.ZodType>>(fields: T, docs: { readonly [K in keyof T]: KeyDoc }): T {
    return Object.fromEntries(Object.entries(fields).map(([key, field]) => [key, documented(field, docs[key as keyof T])])) as T;
}

/** The config-reference entry of a schema, when it has one. */
export function keyDoc(schema: z.ZodType): KeyDoc | undefined {
    const meta = z.globalRegistry.get(schema) as Partial<KeyDoc> | undefined;
    return meta?.description ? (meta as KeyDoc) : undefined;
}

/**
 * Building blocks of the config schema. Every message they produce reads
 * `what is wrong (allowed: ...)`; the key is put in front when the issues are formatted.
 */

/** A value as a message shows it (the components' own `shown`). */
export const show = shown;

export function problem(input: unknown, what: string, allowed: string): string {
    return input === undefined ? `missing (allowed: ${allowed})` : `${show(input)} ${what} (allowed: ${allowed})`;
}

/** A strict object: a key the schema does not know is reported with the keys it does know. */
export function strictObject<T extends z.core.$ZodLooseShape>(shape: T, what: string) {
    const keys = Object.keys(shape);
    return z.strictObject(shape, {
        error: (issue) =>
            issue.code === "unrecognized_keys"
                ? unknownKeyMessage(keys)
                : problem(issue.input, `is not ${what}`, `an object with the keys ${keys.join(", ")}`),
    });
}

/**
 * A shared value rule (`components/common/values.ts`, `components/common/rules.ts`) as a
 * refinement: each of its problems an issue at the problem's path, with the rule's own message,
 * so the config says what the components say.
 */
export function ruleIssues<T>(rule: (value: T) => Problem[]) {
    return (value: T, ctx: z.core.$RefinementCtx<unknown>) => {
        for (const found of rule(value)) {
            ctx.addIssue({ code: "custom", path: [...found.path], message: found.message });
        }
    };
}

/**
 * A string checked by a shared value rule, which also says what is wrong with a value that is not
 * a string; `allowed` (the rule's wording) is shown when the value is missing.
 */
export function ruled(rule: (value: unknown) => Problem[], allowed: string) {
    return z
        .string({
            error: (issue) =>
                issue.input === undefined
                    ? `missing (allowed: ${allowed})`
                    : rule(issue.input)
                          .map((found) => found.message)
                          .join("; "),
        })
        .superRefine(ruleIssues(rule));
}

export function text(allowed: string, pattern?: RegExp, maxLength = 256) {
    return z
        .string({ error: (issue) => problem(issue.input, "is not a string", allowed) })
        .refine((value) => value.trim().length > 0 && value.length <= maxLength && (!pattern || pattern.test(value)), {
            error: (issue) => problem(issue.input, "is not valid", allowed),
        });
}

/**
 * Numbers inside the structured keys may be written quoted (`capacity: "2"`): the Pulumi CLI never
 * looks inside an untyped object, and for its own `integer` type it takes text that is a whole
 * number, so the program takes such text too, as the number. Any other text is refused.
 */
export function wholeNumber(allowed: string) {
    return z.preprocess(
        (value) => (typeof value === "string" && /^[+-]?\d+$/.test(value.trim()) ? Number(value) : value),
        z.int({ error: (issue) => problem(issue.input, "is not a whole number", allowed) }),
    );
}

/** A number, also written quoted (see {@link wholeNumber}). */
export function decimalNumber(allowed: string) {
    return z.preprocess(
        (value) => (typeof value === "string" && /^[+-]?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value),
        z.number({ error: (issue) => problem(issue.input, "is not a number", allowed) }),
    );
}

export function flag(key: string) {
    return z.preprocess(
        (value) => (value === "true" ? true : value === "false" ? false : value),
        z.boolean({ error: (issue) => problem(issue.input, `is not a boolean`, `true or false for ${key}`) }),
    );
}

const regionAllowed = "an Azure region name such as westeurope; `az account list-locations -o table` lists them";

export function azureRegion() {
    return z.string({ error: (issue) => problem(issue.input, "is not a string", regionAllowed) }).refine(isRegion, {
        error: (issue) => {
            const near = similarRegions(String(issue.input));
            const hint = near.length > 0 ? `; did you mean ${near.join(" or ")}?` : "";
            return `${show(issue.input)} is not an Azure region (allowed: ${regionAllowed}${hint})`;
        },
    });
}

/**
 * A rule across several fields. Zod skips refinements once any field has failed; these rules run
 * regardless, on their own fields re-read through `fields`, so one run reports every problem. A
 * rule whose fields are themselves invalid stays silent (their own messages say what is wrong).
 */
export function rule<T>(fields: z.ZodType<T>, check: (value: T, ctx: z.core.$RefinementCtx) => void): z.core.$ZodCheck<unknown> {
    const refinement = z.superRefine<unknown>((value, ctx) => {
        const parsed = fields.safeParse(value);
        if (parsed.success) {
            check(parsed.data, ctx);
        }
    });
    refinement._zod.def.when = () => true;
    return refinement;
}

/** An availability zone, also written as a number (`1`); the shared rule's message when it is none. */
export const zone = z.preprocess(
    (value) => (typeof value === "number" ? String(value) : value),
    z.enum(availabilityZones, {
        error: (issue) =>
            availabilityZoneProblems(issue.input)
                .map((found) => found.message)
                .join("; "),
    }),
);
