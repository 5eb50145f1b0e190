import { Parser, parseDocument, type YAMLError } from "yaml";

/**
 * Reading YAML and JSON documents with problems that point at the line to fix. The `yaml` library
 * reports an unclosed quote or bracket where it gave up, often the end of the file; the place
 * to fix is where the string or the collection was opened, so that is reported instead. JSON
 * errors from `JSON.parse` carry no position on every Node version; jsonc-parser locates them.
 */

/** A UTF-8 byte-order mark: accepted, and left out of what is read and imported. */
export function withoutBom(text: string): string {
    return text.replace(/^\uFEFF/, "");
}

/** Line and column (1-based) of an offset in a text. */
function position(text: string, offset: number): { line: number; column: number } {
    const before = text.slice(0, offset);
    const line = before.split("\n").length;
    return { line, column: offset - before.lastIndexOf("\n") };
}

/** The start of the quoted scalar or flow collection that encloses `offset` and is never closed. */
function unclosedStart(text: string, offset: number): { offset: number; what: string } | undefined {
    let found: { offset: number; what: string } | undefined;
    const visit = (node: unknown): void => {
        if (!node || typeof node !== "object") {
            return;
        }
        const token = node as { type?: string; offset?: number; source?: string; end?: unknown[] };
        if (typeof token.offset === "number" && token.offset <= offset) {
            if (token.type === "double-quoted-scalar" || token.type === "single-quoted-scalar") {
                const quote = token.type === "double-quoted-scalar" ? '"' : "'";
                const source = token.source ?? "";
                if (source.length < 2 || !source.endsWith(quote)) {
                    found = {
                        offset: token.offset,
                        what: `the ${token.type === "double-quoted-scalar" ? "double" : "single"}-quoted string that starts here is never closed`,
                    };
                }
            } else if (token.type === "flow-collection") {
                const close = (token.end ?? []).some(
                    (end) =>
                        typeof end === "object" &&
                        end !== null &&
                        ((end as { source?: string }).source === "]" || (end as { source?: string }).source === "}"),
                );
                if (!close) {
                    found = { offset: token.offset, what: "the [ or { that starts here is never closed" };
                }
            }
        }
        for (const value of Object.values(node)) {
            if (value && typeof value === "object") {
                visit(value);
            }
        }
    };
    for (const token of new Parser().parse(text)) {
        visit(token);
    }
    return found;
}

/** `line 3, column 10: reason` for a YAML error in `text`. */
function yamlLocation(text: string, error: YAMLError): string {
    const reason = error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    // An unclosed quote ("Missing closing quote") or bracket ("... must ... end with a ]").
    if (error.code === "MISSING_CHAR" || /end with an? [\]}]/.test(reason)) {
        const start = unclosedStart(text, error.pos[0]);
        if (start) {
            const at = position(text, start.offset);
            return `line ${at.line}, column ${at.column}: ${start.what}`;
        }
    }
    const at = error.linePos?.[0];
    return at ? `line ${at.line}, column ${at.col}: ${reason}` : reason;
}

/** A parsed document, or the located problem that stops it. */
export type Parsed = { value: unknown } | { problem: string };

/** Parses YAML (duplicate keys refused, as YAML requires), locating the first problem. */
export function readYamlText(text: string): Parsed {
    const doc = parseDocument(withoutBom(text));
    if (doc.errors.length > 0) {
        return { problem: `is not valid YAML: ${yamlLocation(withoutBom(text), doc.errors[0]!)}` };
    }
    return { value: doc.toJS() };
}

/** What jsonc-parser's error codes mean, in words. */
const jsonErrors: Record<string, string> = {
    InvalidSymbol: "a character that cannot start a value",
    InvalidNumberFormat: "a malformed number",
    PropertyNameExpected: "a property name (in double quotes) is expected",
    ValueExpected: "a value is expected",
    ColonExpected: "a colon is expected",
    CommaExpected: "a comma is expected",
    CloseBraceExpected: "a closing } is expected",
    CloseBracketExpected: "a closing ] is expected",
    EndOfFileExpected: "nothing may follow the document",
    InvalidCommentToken: "comments are not JSON",
    UnexpectedEndOfComment: "an unclosed comment",
    UnexpectedEndOfString: "a string that is never closed",
    UnexpectedEndOfNumber: "a number that ends early",
    InvalidUnicode: "an invalid \\u escape",
    InvalidEscapeCharacter: "an invalid escape",
    InvalidCharacter: "a control character inside a string",
};

/** Parses JSON, locating a syntax error by line and column (jsonc-parser, strict: no comments, no trailing commas). */
export function readJsonText(text: string): Parsed {
    const source = withoutBom(text);
    try {
        return { value: JSON.parse(source) };
    } catch (error) {
        const { parse, printParseErrorCode } = require("jsonc-parser") as typeof import("jsonc-parser");
        const errors: import("jsonc-parser").ParseError[] = [];
        parse(source, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
        const first = errors[0];
        if (!first) {
            return { problem: `is not valid JSON: ${(error as Error).message.split("\n")[0]}` };
        }
        const code = printParseErrorCode(first.error);
        const at = position(source, first.offset);
        return { problem: `is not valid JSON: line ${at.line}, column ${at.column}: ${jsonErrors[code] ?? code}` };
    }
}
