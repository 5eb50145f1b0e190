import { XMLParser, XMLValidator } from "fast-xml-parser";

/**
 * WSDL documents for `soap` APIs, checked before deploy: well-formed XML, a WSDL 1.1 definitions
 * root, and the selected service, its port, binding, port type and messages. Pure: the document
 * comes as text, the problems go back as lines naming the file.
 */

function asList<T>(value: T | T[] | undefined): T[] {
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export function wsdlProblems(file: string, content: string, selector: { service: string; endpoint: string }): string[] {
    const valid = XMLValidator.validate(content);
    if (valid !== true) {
        return [`${file}: is not well-formed XML: line ${valid.err.line}: ${valid.err.msg}`];
    }
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", removeNSPrefix: true }).parse(content) as Record<string, unknown>;
    const definitions = parsed["definitions"] as Record<string, unknown> | undefined;
    if (!definitions || typeof definitions !== "object") {
        return [`${file}: is not a WSDL 1.1 document (allowed: a wsdl:definitions root element)`];
    }
    type Node = Record<string, unknown>;
    const nodes = (parent: Node, part: string) => asList(parent[part] as Node | Node[] | undefined);
    const named = (part: string, name: string) => nodes(definitions, part).find((node) => node["@name"] === name);
    const names = (list: Node[]) => list.map((node) => String(node["@name"])).join(", ") || "none found";
    const local = (qualified: unknown) => String(qualified ?? "").replace(/^.*:/, "");
    const problems: string[] = [];
    for (const part of ["portType", "binding", "service"]) {
        if (nodes(definitions, part).length === 0) {
            problems.push(`${file}: has no wsdl:${part} (allowed: a WSDL with portType, binding and service)`);
        }
    }
    const service = named("service", selector.service);
    if (!service) {
        problems.push(`${file}: has no service "${selector.service}" (allowed: ${names(nodes(definitions, "service"))})`);
        return problems;
    }
    const port = nodes(service, "port").find((candidate) => candidate["@name"] === selector.endpoint);
    if (!port) {
        problems.push(`${file}: service "${selector.service}" has no port "${selector.endpoint}" (allowed: ${names(nodes(service, "port"))})`);
        return problems;
    }
    const bindingName = local(port["@binding"]);
    const binding = named("binding", bindingName);
    if (!binding) {
        problems.push(`${file}: port "${selector.endpoint}" names binding "${bindingName}", which the WSDL does not define`);
        return problems;
    }
    const operations = nodes(binding, "operation");
    if (operations.length === 0) {
        problems.push(`${file}: binding "${bindingName}" has no operations`);
    }
    const portTypeName = local(binding["@type"]);
    const portType = named("portType", portTypeName);
    if (!portType) {
        problems.push(`${file}: binding "${bindingName}" names portType "${portTypeName}", which the WSDL does not define`);
        return problems;
    }
    const abstract = nodes(portType, "operation");
    for (const operation of operations) {
        const declared = abstract.find((candidate) => candidate["@name"] === operation["@name"]);
        if (!declared) {
            problems.push(`${file}: binding operation "${String(operation["@name"])}" is not in portType "${portTypeName}"`);
            continue;
        }
        for (const direction of ["input", "output"]) {
            const message = local((declared[direction] as Node | undefined)?.["@message"]);
            if (message && !named("message", message)) {
                problems.push(`${file}: operation "${String(operation["@name"])}" ${direction} names message "${message}", which the WSDL does not define`);
            }
        }
    }
    return problems;
}

