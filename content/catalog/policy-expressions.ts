import * as path from "node:path";
import type * as Libxml2 from "libxml2-wasm" with { "resolution-mode": "import" };
import type * as TreeSitter from "@vscode/tree-sitter-wasm";
import type { XmlProblem } from "./xml";

/**
 * Policy expressions, checked as C# the way API Management checks them when a policy is saved.
 * "Single statement expressions: enclosed in @(expression), where expression is a well-formed C#
 * expression statement. Multi-statement expressions: enclosed in @{expression}. All code paths
 * within multi-statement expressions must end with a return statement", and "expressions can be
 * used as attribute values or text values in any API Management policy" (API Management policy
 * expressions, learn.microsoft.com/azure/api-management/api-management-policy-expressions).
 *
 * Where an expression ends: the reference gives only the enclosing `@(`...`)` and `@{`...`}`; an
 * expression runs to the parenthesis (brace) that balances its opening one, parentheses inside C#
 * string, verbatim, interpolated and character literals and comments not counted, as Microsoft's
 * API Management policy toolkit finds them in policy XML (github.com/Azure/
 * azure-api-management-policy-toolkit, src/Core/Decompiling/PolicyDecompiler.cs,
 * `TryScanBalanced`). `@@` is a literal `@`, never the start of an expression. A named value
 * (`{{name}}`) is replaced by its value before API Management reads the policy; it stands in the
 * expression as an identifier of the same length.
 *
 * Whether an expression is C# is decided by tree-sitter's C# grammar (WebAssembly, from
 * `@vscode/tree-sitter-wasm`), loaded on the first document that has an expression, once per
 * process: `@(x)` is parsed as the value of a `return` statement, `@{ ... }` as a method body.
 */

/** One expression found in a policy document. */
export interface PolicyExpression {
    /** Line of the document where it starts. */
    line: number;
    /** Where it is: `<set-variable value>` (an attribute) or `<set-body>` (an element's text). */
    place: string;
    /** The expression as written, `@(...)` or `@{...}` (to the end of the value when it is not closed). */
    text: string;
    /** The text with each named value replaced by an identifier of the same length: what is parsed. */
    code: string;
}

/** `{{name}}`: a named value reference (the same pattern as `policy-files.ts`). */
const namedValueReference = /\{\{([A-Za-z0-9._-]+)\}\}/g;

/** `{{backend-key}}` → `__backend_key__`: an identifier of the same length, so offsets do not move. */
function withNamedValuesAsIdentifiers(value: string): string {
    return value.replace(namedValueReference, (_, name: string) => `__${name.replace(/[.-]/g, "_")}__`);
}

/** Index just past a `"`/`'` literal whose body starts at `from` (backslash escapes), or -1. */
function skipQuoted(text: string, from: number, quote: string): number {
    for (let i = from; i < text.length; i++) {
        if (text[i] === "\\") {
            i++;
        } else if (text[i] === quote) {
            return i + 1;
        }
    }
    return -1;
}

/** Index just past a verbatim string (`@"..."`, `""` for a quote) whose body starts at `from`, or -1. */
function skipVerbatim(text: string, from: number): number {
    for (let i = from; i < text.length; i++) {
        if (text[i] === '"') {
            if (text[i + 1] !== '"') {
                return i + 1;
            }
            i++;
        }
    }
    return -1;
}

/** Index just past an interpolated string (`$"..."`, `$@"..."`) whose body starts at `from`, or -1. */
function skipInterpolated(text: string, from: number, verbatim: boolean): number {
    let i = from;
    while (i < text.length) {
        const c = text[i]!;
        const next = text[i + 1];
        if (
            (c === "{" && next === "{") ||
            (c === "}" && next === "}") ||
            (c === "\\" && !verbatim) ||
            (c === '"' && verbatim && next === '"')
        ) {
            i += 2;
        } else if (c === "{") {
            i = scanCode(text, i + 1, "{", "}");
            if (i < 0) {
                return -1;
            }
        } else if (c === '"') {
            return i + 1;
        } else {
            i++;
        }
    }
    return -1;
}

/**
 * Index just past the `close` that balances an `open` just before `from`, in C# code: literals and
 * comments are skipped whole. -1 when the text ends first.
 */
function scanCode(text: string, from: number, open: string, close: string): number {
    let depth = 1;
    let i = from;
    while (i < text.length) {
        const c = text[i]!;
        const next = text[i + 1];
        if (c === "/" && next === "/") {
            const end = text.indexOf("\n", i);
            i = end < 0 ? text.length : end;
        } else if (c === "/" && next === "*") {
            const end = text.indexOf("*/", i + 2);
            i = end < 0 ? -1 : end + 2;
        } else if (c === '"' || c === "'") {
            i = skipQuoted(text, i + 1, c);
        } else if (c === "@" && next === '"') {
            i = skipVerbatim(text, i + 2);
        } else if (c === "$" && next === '"') {
            i = skipInterpolated(text, i + 2, false);
        } else if ((c === "$" && next === "@") || (c === "@" && next === "$")) {
            i = text[i + 2] === '"' ? skipInterpolated(text, i + 3, true) : i + 2;
        } else {
            if (c === open) {
                depth++;
            } else if (c === close && --depth === 0) {
                return i + 1;
            }
            i++;
        }
        if (i < 0) {
            return -1;
        }
    }
    return -1;
}

/**
 * The expressions in an attribute value or a text value: each `@(`...`)` and `@{`...`}`, as
 * offsets into `value` (an expression that is never closed runs to the end of the value).
 */
export function expressionsIn(value: string): { start: number; end: number }[] {
    const code = withNamedValuesAsIdentifiers(value);
    const found: { start: number; end: number }[] = [];
    let i = code.indexOf("@");
    while (i >= 0 && i < code.length - 1) {
        const next = code[i + 1];
        if (next === "@") {
            i = code.indexOf("@", i + 2);
            continue;
        }
        if (next === "(" || next === "{") {
            const end = scanCode(code, i + 2, next, next === "(" ? ")" : "}");
            found.push({ start: i, end: end < 0 ? code.length : end });
            if (end < 0) {
                break;
            }
            i = code.indexOf("@", end);
            continue;
        }
        i = code.indexOf("@", i + 1);
    }
    return found;
}

/** Whether an element's content is a Liquid template (`template="liquid"`): its text is not policy expressions. */
function isLiquidTemplate(element: Libxml2.XmlElement): boolean {
    return element.attrs.some((attribute) => attribute.name === "template" && attribute.value.toLowerCase() === "liquid");
}

/** A value that may hold an expression: cheap to test before anything is parsed. */
const mayHoldExpression = /@[({]/;

/**
 * Every policy expression in a policy document: in attribute values and in elements' text, at the
 * line where each starts (an attribute's is its element's line, as libxml2 reports it).
 */
export function policyExpressions(doc: Libxml2.XmlDocument, lib: typeof Libxml2): PolicyExpression[] {
    const found: PolicyExpression[] = [];
    const add = (value: string, place: string, lineAt: (offset: number) => number) => {
        if (!mayHoldExpression.test(value)) {
            return;
        }
        const code = withNamedValuesAsIdentifiers(value);
        for (const { start, end } of expressionsIn(value)) {
            found.push({ line: lineAt(start), place, text: value.slice(start, end), code: code.slice(start, end) });
        }
    };
    const visit = (element: Libxml2.XmlElement) => {
        if (isLiquidTemplate(element)) {
            return;
        }
        for (const attribute of element.attrs) {
            add(attribute.value, `<${element.name} ${attribute.name}>`, () => element.line);
        }
        // The element's text: its text and CDATA children, in order. libxml2 gives a text node the
        // line where it ends, so a position's line is counted back from there.
        let text = "";
        const segments: { start: number; end: number; line: number }[] = [];
        for (let node = element.firstChild; node; node = node.next) {
            if (node instanceof lib.XmlText || node instanceof lib.XmlCData) {
                segments.push({ start: text.length, end: text.length + node.content.length, line: node.line });
                text += node.content;
            } else if (node instanceof lib.XmlElement) {
                visit(node);
            }
        }
        add(text, `<${element.name}>`, (offset) => {
            const segment = segments.find((candidate) => offset < candidate.end) ?? segments[segments.length - 1]!;
            return segment.line - (text.slice(offset, segment.end).match(/\n/g)?.length ?? 0);
        });
    };
    visit(doc.root);
    return found;
}

type Parser = TreeSitter.Parser;
type SyntaxNode = TreeSitter.Node;

let loading: Promise<Parser> | undefined;

/** tree-sitter with its C# grammar, loaded once per process, on first use. */
function csharpParser(): Promise<Parser> {
    loading ??= (async () => {
        const treeSitter = require("@vscode/tree-sitter-wasm") as typeof TreeSitter;
        await treeSitter.Parser.init();
        const grammar = path.join(path.dirname(require.resolve("@vscode/tree-sitter-wasm")), "tree-sitter-c-sharp.wasm");
        const parser = new treeSitter.Parser();
        parser.setLanguage(await treeSitter.Language.load(grammar));
        return parser;
    })();
    return loading;
}

/** The wrapper an expression is parsed in: the body of a method that returns a value. */
const methodStart = "class __Policy { object __Expression() ";

/** Short, one-line, for a message. */
function shortened(text: string, length: number): string {
    const line = text.replace(/\s+/g, " ").trim();
    return line.length > length ? `${line.slice(0, length - 1)}…` : line;
}

/** A C# name for a missing token, as a message says it: `")"`, or `identifier` for `_identifier_token`. */
function missingName(type: string): string {
    return /^[A-Za-z_]+$/.test(type)
        ? type
              .replace(/^_/, "")
              .replace(/_token$/, "")
              .replace(/_/g, " ")
        : `"${type}"`;
}

/** What tree-sitter found wrong first (in the source's order), within the user's code [from, to). */
function firstSyntaxError(node: SyntaxNode, source: string, from: number, to: number): string {
    if (node.isMissing) {
        return `missing ${missingName(node.type)}`;
    }
    const child = node.children.find((candidate) => candidate !== null && (candidate.hasError || candidate.isMissing || candidate.isError));
    if (child && !node.isError) {
        return firstSyntaxError(child, source, from, to);
    }
    if (node.startIndex === node.endIndex) {
        return `missing ${missingName(node.type)}`;
    }
    const text = source.slice(Math.max(node.startIndex, from), Math.min(node.endIndex, to));
    return text.trim() === "" ? "it ends too early" : `unexpected "${shortened(text, 40)}"`;
}

type Completion = "returns" | "falls-through" | "unknown";

/**
 * Whether control can reach the end of a statement: the C# rule API Management applies to a
 * `@{...}` block ("all code paths ... must end with a return statement"), for the statements whose
 * answer is plain (return, throw, blocks, if/else, declarations, expressions); a loop, switch, try
 * or jump is left unknown and taken as returning, so nothing C# accepts is refused.
 */
function completion(statement: SyntaxNode): Completion {
    switch (statement.type) {
        case "return_statement":
        case "throw_statement":
            return "returns";
        case "expression_statement":
        case "local_declaration_statement":
        case "local_function_statement":
        case "empty_statement":
            return "falls-through";
        case "block": {
            let answer: Completion = "falls-through";
            for (const inner of statement.namedChildren) {
                if (inner === null || inner.type === "comment") {
                    continue;
                }
                const step = completion(inner);
                if (step === "returns") {
                    return "returns";
                }
                if (step === "unknown") {
                    answer = "unknown";
                }
            }
            return answer;
        }
        case "if_statement": {
            const condition = statement.childForFieldName("condition");
            const consequence = statement.childForFieldName("consequence");
            const alternative = statement.childForFieldName("alternative");
            if (!consequence) {
                return "unknown";
            }
            if (!alternative) {
                // Without else, the end is reachable unless the condition is the constant true.
                return condition?.type === "boolean_literal" && condition.text === "true" ? completion(consequence) : "falls-through";
            }
            const branches = [completion(consequence), completion(alternative)];
            return branches.every((branch) => branch === "returns")
                ? "returns"
                : branches.includes("unknown")
                  ? "unknown"
                  : "falls-through";
        }
        default:
            return "unknown";
    }
}

/** Named children that are code (comments left out). */
function codeChildren(node: SyntaxNode): SyntaxNode[] {
    return node.namedChildren.filter((child): child is SyntaxNode => child !== null && child.type !== "comment");
}

const verdicts = new Map<string, string | null>();

/** Why `code` (`@(...)` or `@{...}`) is not a C# expression or statement block; null when it is. */
function whyNotCSharp(parser: Parser, code: string): string | null {
    const known = verdicts.get(code);
    if (known !== undefined) {
        return known;
    }
    const block = code.startsWith("@{");
    const opening = block ? methodStart : `${methodStart}{ return `;
    const source = `${opening}${code.slice(1)}${block ? "" : "; }"} }`;
    const from = opening.length;
    const to = from + code.length - 1;
    const tree = parser.parse(source);
    let verdict: string | null;
    try {
        verdict = tree ? verdictOf(tree.rootNode, source, from, to, block) : "tree-sitter could not parse it";
    } finally {
        tree?.delete();
    }
    verdicts.set(code, verdict);
    return verdict;
}

function verdictOf(root: SyntaxNode, source: string, from: number, to: number, block: boolean): string | null {
    if (root.hasError) {
        return firstSyntaxError(root, source, from, to);
    }
    const method = codeChildren(root)
        .flatMap((declaration) => (declaration.type === "class_declaration" ? [declaration.childForFieldName("body")] : []))
        .flatMap((body) => (body ? codeChildren(body) : []));
    const bodyNode = method.length === 1 && method[0]!.type === "method_declaration" ? method[0]!.childForFieldName("body") : null;
    if (!bodyNode || bodyNode.type !== "block") {
        return "it is not one C# expression or statement block";
    }
    if (block) {
        if (bodyNode.startIndex !== from || bodyNode.endIndex !== to) {
            return "it is not one statement block";
        }
        return completion(bodyNode) === "falls-through" ? "a path through the block ends without a return statement" : null;
    }
    const statements = codeChildren(bodyNode);
    const value = statements.length === 1 && statements[0]!.type === "return_statement" ? codeChildren(statements[0]!)[0] : undefined;
    return value && value.startIndex === from && value.endIndex === to ? null : "it is not one C# expression";
}

/**
 * The expressions that are not C#, as located problems:
 * `<set-variable value>: the policy expression "@(x" is not valid C# (missing ")") (allowed: ...)`.
 * Nothing is loaded when there is no expression.
 */
export async function expressionProblems(expressions: readonly PolicyExpression[]): Promise<XmlProblem[]> {
    if (expressions.length === 0) {
        return [];
    }
    const parser = await csharpParser();
    const problems: XmlProblem[] = [];
    for (const expression of expressions) {
        const why = whyNotCSharp(parser, expression.code);
        if (why !== null) {
            problems.push({
                line: expression.line,
                message: `${expression.place}: the policy expression "${shortened(expression.text, 80)}" is not valid C# (${why}) (allowed: a C# expression @(...) or statement block @{...}, as API Management's policy expressions reference describes)`,
                rule: true,
            });
        }
    }
    return problems;
}
