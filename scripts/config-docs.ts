import { z } from "zod";
import { stringify as toYaml } from "yaml";
import { keyDoc } from "../stacks/config/fields";
import { configNamespace, rootShape } from "../stacks/config/schema";

/**
 * The config reference, generated from the schema (`npm run docs`): the table in
 * `docs/config-reference.md` and the `config:` section of `Pulumi.yaml` (types the CLI checks,
 * defaults, descriptions). Each key's description, and where the schema cannot say it its default
 * or type, comes from the entry `withDocs` gives it beside its field; types and defaults are read
 * from the field itself.
 */

/** One row of the reference. */
export interface ConfigReferenceRow {
    /** `gateway.sku`. */
    readonly key: string;
    readonly type: string;
    /** "required", "none", or the default. */
    readonly default: string;
    readonly description: string;
}

interface Unwrapped {
    /** The schema under defaults, optionals and preprocessing. */
    readonly core: z.ZodType;
    readonly optional: boolean;
    readonly defaultValue?: unknown;
}

type Def = {
    type: string;
    innerType?: z.ZodType;
    out?: z.ZodType;
    defaultValue?: unknown;
    element?: z.ZodType;
    shape?: Record<string, z.ZodType>;
};
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def; bag?: { format?: string } } })._zod;

function unwrap(schema: z.ZodType): Unwrapped {
    let core = schema;
    let optional = false;
    let defaultValue: unknown;
    for (;;) {
        const def = defOf(core).def;
        if (def.type === "catch") {
            core = def.innerType!;
        } else if (def.type === "default" || def.type === "prefault") {
            defaultValue ??= def.defaultValue;
            core = def.innerType!;
        } else if (def.type === "optional") {
            optional = true;
            core = def.innerType!;
        } else if (def.type === "pipe") {
            core = def.out!;
        } else {
            return { core, optional, defaultValue };
        }
    }
}

/** The type of a field, as the reference names it. */
function typeName(core: z.ZodType): string {
    const zod = defOf(core);
    switch (zod.def.type) {
        case "string":
        case "enum":
            return "string";
        case "number":
            return zod.bag?.format === "safeint" ? "integer" : "number";
        case "boolean":
            return "boolean";
        case "array":
            return "list";
        case "record":
            return "map";
        default:
            return "object";
    }
}

function defaultText(unwrapped: Unwrapped): string {
    if (unwrapped.defaultValue !== undefined) {
        return `\`${typeof unwrapped.defaultValue === "string" ? unwrapped.defaultValue : JSON.stringify(unwrapped.defaultValue)}\``;
    }
    return unwrapped.optional ? "none" : "required";
}

/** Every row of the reference, in the schema's order: top-level keys, and the fields of the top-level objects. */
export function configReference(): ConfigReferenceRow[] {
    const rows: ConfigReferenceRow[] = [];
    const add = (key: string, field: z.ZodType) => {
        const doc = keyDoc(field);
        if (!doc) {
            throw new Error(`The config key ${key} has no reference entry (give it one with withDocs in stacks/config/schema.ts)`);
        }
        const unwrapped = unwrap(field);
        rows.push({
            key,
            type: doc.type ?? typeName(unwrapped.core),
            default: doc.default ?? defaultText(unwrapped),
            description: doc.description,
        });
    };
    for (const [key, field] of Object.entries(rootShape) as Array<[string, z.ZodType]>) {
        const { core } = unwrap(field);
        const shape = defOf(core).def.type === "object" ? defOf(core).def.shape : undefined;
        if (shape) {
            for (const [inner, innerField] of Object.entries(shape)) {
                add(`${key}.${inner}`, innerField);
            }
        } else {
            add(key, field);
        }
    }
    return rows;
}

/** The config reference's table (`docs/config-reference.md`): a Markdown table of every row. */
export function referenceTable(): string {
    const cell = (text: string) => text.replace(/\|/g, "\\|");
    return [
        "| key | type | default | what it is |",
        "|---|---|---|---|",
        ...configReference().map((row) => `| \`${row.key}\` | ${cell(row.type)} | ${cell(row.default)} | ${cell(row.description)} |`),
    ].join("\n");
}

/**
 * The `config:` section of `Pulumi.yaml`. Keys the CLI can type (strings, booleans, lists of
 * strings) carry their type, so the CLI checks them before the program runs; structured keys carry
 * a description only. A key with a default carries it (`{}` or `[]` for an object or list whose
 * own fields have the defaults); a key without one is required in every stack file.
 */
export function pulumiYamlConfig(): string {
    const config: Record<string, Record<string, unknown>> = {};
    for (const [key, field] of Object.entries(rootShape) as Array<[string, z.ZodType]>) {
        const unwrapped = unwrap(field);
        const zod = defOf(unwrapped.core);
        const declaration: Record<string, unknown> = {};
        const type = typeName(unwrapped.core);
        if (type === "string" || type === "boolean" || type === "integer") {
            declaration.type = type;
        } else if (type === "list" && typeName(zod.def.element!) === "string") {
            declaration.type = "array";
            declaration.items = { type: "string" };
        }
        const shape = zod.def.type === "object" ? zod.def.shape : undefined;
        const doc = keyDoc(field)!;
        declaration.description = shape
            ? `${doc.description} Keys: ${Object.keys(shape).join(", ")} (docs/config-reference.md says what each takes).`
            : doc.description;
        if (unwrapped.defaultValue !== undefined) {
            declaration.default = type === "list" ? [] : type === "map" || type === "object" ? {} : unwrapped.defaultValue;
        }
        config[key] = declaration;
    }
    return toYaml({ config }, { lineWidth: 110, indent: 2 }).replace(
        /^config:\n/,
        `config:\n  # Generated from stacks/config/schema.ts by npm run docs; every key is in the ${configNamespace}: namespace.\n`,
    );
}
