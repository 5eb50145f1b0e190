import * as fs from "node:fs";
import * as path from "node:path";
import type * as Libxml2 from "libxml2-wasm" with { "resolution-mode": "import" };
import { expressionProblems, policyExpressions } from "./policy-expressions";
import { sectionProblems } from "./policy-sections";

/**
 * XML with libxml2 (the WebAssembly build `libxml2-wasm`): parsing with line numbers and
 * namespaces, for WSDL documents and policy files, and validation of API Management policy
 * documents against the policy schemas API Management publishes (`../policy-schemas`, vendored
 * from the VS Code API Management extension; SOURCE.md there says from where and what changed).
 * The module is an ES module, loaded on first use; the schemas are compiled once per process.
 */

type Libxml = typeof Libxml2;
let loading: Promise<Libxml> | undefined;

/** libxml2, loaded once. */
export function libxml(): Promise<Libxml> {
    loading ??= import("libxml2-wasm");
    return loading;
}

/** Where the vendored policy schemas are. */
export const policySchemaDir = path.join(__dirname, "..", "policy-schemas");

let validator: Promise<Libxml2.XsdValidator> | undefined;

/** The policy schema (`policies.xsd` and every schema it includes), compiled once. */
function policyValidator(): Promise<Libxml2.XsdValidator> {
    validator ??= libxml().then((lib) => {
        const files = fs.readdirSync(policySchemaDir).filter((file) => file.endsWith(".xsd"));
        // The schemas include each other by file name; they are served from memory under one
        // virtual folder, so nothing but these files can be read.
        const buffers = Object.fromEntries(
            files.map((file) => [`apim-policy-schemas:///${file}`, fs.readFileSync(path.join(policySchemaDir, file))]),
        );
        lib.xmlRegisterInputProvider(new lib.XmlBufferInputProvider(buffers));
        const schema = lib.XmlDocument.fromBuffer(buffers["apim-policy-schemas:///policies.xsd"]!, {
            url: "apim-policy-schemas:///policies.xsd",
        });
        try {
            return lib.XsdValidator.fromDoc(schema);
        } finally {
            schema.dispose();
        }
    });
    return validator;
}

/** One problem found by libxml2: where (line, and column when known) and what. */
export interface XmlProblem {
    line: number;
    column?: number;
    message: string;
    /**
     * Set on a rule API Management applies when it saves a policy, beyond its schema (expressions
     * are C#, a policy stands in a section that allows it): the message says what is allowed.
     */
    rule?: true;
}

/** `line 4: message` or `line 4, column 7: message`. */
export function located(problem: XmlProblem): string {
    return `line ${problem.line}${problem.column ? `, column ${problem.column}` : ""}: ${problem.message}`;
}

function problemsOf(details: readonly Libxml2.ErrorDetail[]): XmlProblem[] {
    return details.map((detail) => ({ line: detail.line ?? 0, column: detail.col || undefined, message: detail.message.trim() }));
}

/**
 * Parses `content` and hands the document to `use`, or returns where it is not well-formed.
 * The document is freed afterwards: keep nothing of it.
 */
export async function withXml<T>(
    content: string,
    use: (doc: Libxml2.XmlDocument, lib: Libxml) => T,
): Promise<{ problems: XmlProblem[] } | { value: T }> {
    const lib = await libxml();
    let doc: Libxml2.XmlDocument;
    try {
        doc = lib.XmlDocument.fromString(content.replace(/^\uFEFF/, ""), { url: "document.xml" });
    } catch (error) {
        if (error instanceof lib.XmlParseError) {
            return { problems: problemsOf(error.details) };
        }
        throw error;
    }
    try {
        return { value: use(doc, lib) };
    } finally {
        doc.dispose();
    }
}

/**
 * A named value in an attribute (`{{backend-key}}`) is replaced by its value before API
 * Management reads a policy, so an attribute typed as a number or a choice may hold one; the
 * schema, which sees the reference, would refuse it. Its messages quote the value.
 */
const namedValueInValue = /'[^']*\{\{[^}]+\}\}[^']*'/;

/**
 * Where a policy document breaks API Management's policy schema (or is not well-formed XML), or a
 * rule API Management applies when it saves a policy: a policy expression that is not C#
 * (`./policy-expressions`), a policy in a section that does not allow it (`./policy-sections`).
 * As located problems, the schema's first; [] when it is valid.
 */
export async function policySchemaProblems(content: string): Promise<XmlProblem[]> {
    const schema = await policyValidator();
    const parsed = await withXml(content, (doc, lib) => {
        let problems: XmlProblem[] = [];
        try {
            schema.validate(doc);
        } catch (error) {
            if (!(error instanceof lib.XmlValidateError)) {
                throw error;
            }
            problems = problemsOf(error.details).filter((problem) => !namedValueInValue.test(problem.message));
        }
        return { problems, sections: sectionProblems(doc, lib), expressions: policyExpressions(doc, lib) };
    });
    if ("problems" in parsed) {
        return parsed.problems;
    }
    const { problems, sections, expressions } = parsed.value;
    const rules = [...sections, ...(await expressionProblems(expressions))].sort((a, b) => a.line - b.line);
    return [...problems, ...rules];
}
