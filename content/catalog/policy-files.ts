import type * as Libxml2 from "libxml2-wasm" with { "resolution-mode": "import" };
import { located, policySchemaProblems, withXml } from "./xml";

/**
 * Policy files the user writes, in API Management's policy syntax: an API's `policy.xml`, an
 * operation's `operations/<operationId>.xml`, a product's policy file. Each is checked against
 * API Management's policy schema and the rules it applies when a policy is saved (policy
 * expressions are C#, each policy in a section that allows it: `policySchemaProblems`), must keep
 * `<base />` in every section (so the gateway's own checks, the product's and the global policy
 * still run: "Place the base element within a section to inherit all policies from the
 * corresponding section at the parent scope",
 * learn.microsoft.com/azure/api-management/api-management-howto-policies), leaves the `backend`
 * section to `<base />` alone (the request is forwarded once, by the global policy), and is split
 * into its sections' elements, which the gateway merges with the policy it generates.
 */

/** The four sections of a policy document, in document order. */
export const policySections = ["inbound", "backend", "outbound", "on-error"] as const;
export type PolicySection = (typeof policySections)[number];

/** A policy file, checked and split. */
export interface PolicyFile {
    /** The file as shown in messages, such as `apis/orders/policy.xml`. */
    file: string;
    /** The document as written (byte-order mark removed). */
    document: string;
    /** The elements of `inbound`, `outbound` and `on-error` other than `<base />`, as XML text. */
    sections: Record<Exclude<PolicySection, "backend">, string[]>;
    /** The named values the file references as `{{name}}`. */
    namedValues: string[];
}

/** `{{name}}`: a named value reference, resolved by API Management before it reads the policy. */
const namedValueReference = /\{\{([A-Za-z0-9._-]+)\}\}/g;

function split(file: string, doc: Libxml2.XmlDocument, lib: typeof Libxml2): { problems: string[]; sections?: PolicyFile["sections"] } {
    const root = doc.root;
    if (root.name !== "policies") {
        return {
            problems: [
                `${file}: line ${root.line}: the root element is <${root.name}> (allowed: <policies> with inbound, backend, outbound and on-error)`,
            ],
        };
    }
    const problems: string[] = [];
    const sections: Partial<Record<PolicySection, string[]>> = {};
    for (const name of policySections) {
        const section = (root.find(name) as Libxml2.XmlElement[])[0];
        const children: Libxml2.XmlElement[] = [];
        for (let node = section?.firstChild ?? null; node; node = node.next) {
            if (node instanceof lib.XmlElement) {
                children.push(node);
            }
        }
        const bases = children.filter((child) => child.name === "base");
        const where = section ? `line ${section.line}: ` : "";
        if (bases.length !== 1) {
            problems.push(
                bases.length === 0
                    ? `${file}: ${where}${name}: no <base /> (allowed: <base /> in every section, where the gateway's own checks and the wider scopes' policies run)`
                    : `${file}: ${where}${name}: <base /> ${bases.length} times (allowed: once)`,
            );
        }
        const own = children.filter((child) => child.name !== "base");
        if (name === "backend" && own.length > 0) {
            problems.push(
                `${file}: line ${own[0]!.line}: backend: <${own[0]!.name}> (allowed: <base /> alone; the global policy forwards the request, once, for every API)`,
            );
        }
        sections[name] = own.map((child) => child.toString());
    }
    return {
        problems,
        sections: { inbound: sections.inbound ?? [], outbound: sections.outbound ?? [], "on-error": sections["on-error"] ?? [] },
    };
}

/** Reads a policy file: every problem (schema, `<base />`), or the file split into its sections. */
export async function readPolicyFile(file: string, content: string): Promise<{ problems: string[]; policy?: PolicyFile }> {
    const document = content.replace(/^\uFEFF/, "");
    const schema = await policySchemaProblems(document);
    if (schema.length > 0) {
        return {
            problems: schema.map((problem) =>
                problem.rule ? `${file}: ${located(problem)}` : `${file}: ${located(problem)} (allowed: API Management's policy syntax)`,
            ),
        };
    }
    const parsed = await withXml(document, (doc, lib) => split(file, doc, lib));
    if ("problems" in parsed) {
        return { problems: parsed.problems.map((problem) => `${file}: ${located(problem)}`) };
    }
    if (parsed.value.problems.length > 0) {
        return { problems: parsed.value.problems };
    }
    const namedValues = [...new Set([...document.matchAll(namedValueReference)].map((match) => match[1]!))].sort();
    return { problems: [], policy: { file, document, sections: parsed.value.sections!, namedValues } };
}
