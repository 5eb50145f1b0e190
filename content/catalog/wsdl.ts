import type * as Libxml2 from "libxml2-wasm" with { "resolution-mode": "import" };
import { located, withXml } from "./xml";

/**
 * WSDL documents for `soap` APIs, checked before deploy against what API Management imports
 * (learn.microsoft.com/azure/api-management/api-management-api-import-restrictions, "WSDL"):
 * - "Only SOAP bindings of "document" and "literal" encoding style are supported. No support for
 *   "rpc" style or SOAP-Encoding": the selected port's binding is a SOAP 1.1 or 1.2 binding, in
 *   document style, every body literal;
 * - "The wsdl:import, xsd:import, and xsd:include directives aren't supported. Instead, merge the
 *   dependencies into one document";
 * - "Multi-part messages: Not supported";
 * and a WSDL 1.1 document whose selected service, port, binding, port type and messages exist.
 * Pure: the document comes as text, the problems go back as lines naming the file and the line.
 */

const ns = {
    wsdl: "http://schemas.xmlsoap.org/wsdl/",
    soap: "http://schemas.xmlsoap.org/wsdl/soap/",
    soap12: "http://schemas.xmlsoap.org/wsdl/soap12/",
    http: "http://schemas.xmlsoap.org/wsdl/http/",
    xsd: "http://www.w3.org/2001/XMLSchema",
};

/** The WSDL service and port (endpoint) an API publishes. */
export interface WsdlSelector {
    service: string;
    endpoint: string;
}

/** An operation of the published port's binding, as a client calls it through the gateway. */
export interface WsdlOperation {
    /** The operation's name in the WSDL. */
    name: string;
    /** Its SOAP action ("" when the binding gives none). */
    soapAction: string;
    /** The binding's SOAP version: 1.1 sends the action in a SOAPAction header, 1.2 in the content type. */
    soapVersion: "1.1" | "1.2";
}

/** The problems of a WSDL document, and the operations of the selected port's binding. */
export interface WsdlCheck {
    problems: string[];
    operations: WsdlOperation[];
}

function checkDocument(file: string, doc: Libxml2.XmlDocument, selector: WsdlSelector, operationsFound: WsdlOperation[]): string[] {
    const problems: string[] = [];
    const root = doc.root;
    if (root.name !== "definitions" || root.namespaceUri !== ns.wsdl) {
        return [`${file}: is not a WSDL 1.1 document (allowed: a wsdl:definitions root element in ${ns.wsdl})`];
    }
    const elements = (xpath: string, from: Libxml2.XmlNode = root) => from.find(xpath, ns) as Libxml2.XmlElement[];
    const attribute = (element: Libxml2.XmlElement, name: string) => element.attr(name)?.value;
    const at = (element: Libxml2.XmlElement) => `line ${element.line}: `;
    const local = (qualified: string | undefined) => (qualified ?? "").replace(/^.*:/, "");
    const named = (kind: string, name: string) => elements(`wsdl:${kind}[@name='${name.replace(/'/g, "")}']`)[0];
    const names = (list: Libxml2.XmlElement[]) => list.map((element) => attribute(element, "name")).join(", ") || "none found";

    for (const directive of elements("//wsdl:import")) {
        problems.push(
            `${file}: ${at(directive)}wsdl:import of ${attribute(directive, "location") ?? attribute(directive, "namespace") ?? "a document"} (allowed: one self-contained WSDL; API Management does not follow wsdl:import, so merge the imported document into this one)`,
        );
    }
    for (const kind of ["import", "include"]) {
        for (const directive of elements(`//wsdl:types//xsd:${kind}`)) {
            const target = attribute(directive, "schemaLocation") ?? attribute(directive, "namespace") ?? "a schema";
            problems.push(
                `${file}: ${at(directive)}xsd:${kind} of ${target} (allowed: every schema inline in wsdl:types, without xsd:import or xsd:include, which API Management does not follow)`,
            );
        }
    }
    for (const part of ["portType", "binding", "service"]) {
        if (elements(`wsdl:${part}`).length === 0) {
            problems.push(`${file}: has no wsdl:${part} (allowed: a WSDL with portType, binding and service)`);
        }
    }
    const service = named("service", selector.service);
    if (!service) {
        problems.push(`${file}: has no service "${selector.service}" (allowed: ${names(elements("wsdl:service"))})`);
        return problems;
    }
    const port = elements("wsdl:port", service).find((candidate) => attribute(candidate, "name") === selector.endpoint);
    if (!port) {
        problems.push(
            `${file}: ${at(service)}service "${selector.service}" has no port "${selector.endpoint}" (allowed: ${names(elements("wsdl:port", service))})`,
        );
        return problems;
    }
    const bindingName = local(attribute(port, "binding"));
    const binding = named("binding", bindingName);
    if (!binding) {
        problems.push(`${file}: ${at(port)}port "${selector.endpoint}" names binding "${bindingName}", which the WSDL does not define`);
        return problems;
    }
    const soapBinding = elements("soap:binding | soap12:binding", binding)[0];
    if (!soapBinding) {
        const kind = elements("http:binding", binding).length > 0 ? "an HTTP binding" : "not a SOAP binding";
        problems.push(
            `${file}: ${at(binding)}binding "${bindingName}" of port "${selector.endpoint}" is ${kind} (allowed: a SOAP 1.1 or 1.2 binding, document style, literal use)`,
        );
        return problems;
    }
    const defaultStyle = attribute(soapBinding, "style") ?? "document";
    const operations = elements("wsdl:operation", binding);
    if (operations.length === 0) {
        problems.push(`${file}: ${at(binding)}binding "${bindingName}" has no operations`);
    }
    const soapVersion = soapBinding.namespaceUri === ns.soap12 ? "1.2" : "1.1";
    for (const operation of operations) {
        const name = attribute(operation, "name") ?? "";
        const soapOperation = elements("soap:operation | soap12:operation", operation)[0];
        operationsFound.push({ name, soapAction: (soapOperation ? attribute(soapOperation, "soapAction") : undefined) ?? "", soapVersion });
        const style = attribute(soapOperation ?? soapBinding, "style") ?? defaultStyle;
        if (style !== "document") {
            problems.push(
                `${file}: ${at(operation)}operation "${name}" of binding "${bindingName}" is ${style} style (allowed: document style; API Management does not import rpc style)`,
            );
        }
        for (const body of elements(
            ".//soap:body | .//soap12:body | .//soap:header | .//soap12:header | .//soap:fault | .//soap12:fault",
            operation,
        )) {
            const use = attribute(body, "use") ?? "literal";
            if (use !== "literal") {
                problems.push(
                    `${file}: ${at(body)}operation "${name}" of binding "${bindingName}" uses ${use} encoding (allowed: use="literal"; API Management does not import SOAP encoding)`,
                );
            }
        }
    }
    const portTypeName = local(attribute(binding, "type"));
    const portType = named("portType", portTypeName);
    if (!portType) {
        problems.push(`${file}: ${at(binding)}binding "${bindingName}" names portType "${portTypeName}", which the WSDL does not define`);
        return problems;
    }
    const abstract = elements("wsdl:operation", portType);
    for (const operation of operations) {
        const name = attribute(operation, "name") ?? "";
        const declared = abstract.find((candidate) => attribute(candidate, "name") === name);
        if (!declared) {
            problems.push(`${file}: ${at(operation)}binding operation "${name}" is not in portType "${portTypeName}"`);
            continue;
        }
        for (const direction of ["input", "output"]) {
            const reference = elements(`wsdl:${direction}`, declared)[0];
            const messageName = local(reference ? attribute(reference, "message") : undefined);
            if (!messageName) {
                continue;
            }
            const message = named("message", messageName);
            if (!message) {
                problems.push(
                    `${file}: ${at(reference!)}operation "${name}" ${direction} names message "${messageName}", which the WSDL does not define`,
                );
                continue;
            }
            const parts = elements("wsdl:part", message).length;
            if (parts > 1) {
                problems.push(
                    `${file}: ${at(message)}message "${messageName}" (the ${direction} of operation "${name}") has ${parts} parts (allowed: one part; API Management does not import multi-part messages)`,
                );
            }
        }
    }
    return problems;
}

/**
 * The problems of a WSDL document for the selected service and port ([] when API Management
 * imports it), and the operations of that port's binding.
 */
export async function wsdlCheck(file: string, content: string, selector: WsdlSelector): Promise<WsdlCheck> {
    const operations: WsdlOperation[] = [];
    const parsed = await withXml(content, (doc) => checkDocument(file, doc, selector, operations));
    return "problems" in parsed
        ? { problems: parsed.problems.slice(0, 1).map((problem) => `${file}: is not well-formed XML: ${located(problem)}`), operations: [] }
        : { problems: parsed.value, operations };
}

/** The problems of a WSDL document for the selected service and port; [] when API Management imports it. */
export async function wsdlProblems(file: string, content: string, selector: WsdlSelector): Promise<string[]> {
    return (await wsdlCheck(file, content, selector)).problems;
}
