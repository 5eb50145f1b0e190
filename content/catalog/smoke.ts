import type { SpecOperation } from "./openapi";
import type { ApiDefinitionFile } from "./schema";
import type { WsdlOperation } from "./wsdl";

/**
 * An API's smoke test (`smoke` in its `api.yaml`): the one call `npm run smoke` makes through
 * the gateway of a deployed stack, and the status it must get. What the schema cannot see is
 * checked here, against the operations of the API's current revision: the operation exists, the
 * path is one of its paths with every parameter filled in, a body only where the method takes one.
 * Pure: the operations come as data, the problems go back as lines naming the file.
 */

/** A smoke test's call, with the method and SOAP action taken from the operation. */
export interface SmokeTest {
    /** The operationId (for a SOAP API, the WSDL operation) called. */
    operation: string;
    /** The operation's HTTP method, upper case. */
    method: string;
    /** The path after the API's path and version, with its query string if any. */
    path: string;
    /** The status the gateway must answer. */
    status: number;
    /** The JSON body, or for a SOAP API the envelope (a string). */
    body?: unknown;
    /** For a SOAP API: the operation's action and the binding's SOAP version. */
    soap?: { action: string; version: WsdlOperation["soapVersion"] };
}

/** The operations a smoke test may call: those of the current revision's spec, named by its file. */
export type SmokeOperations = { spec: string; revision: boolean } & (
    { kind: "openapi"; operations: readonly SpecOperation[] } | { kind: "soap"; port: string; operations: readonly WsdlOperation[] }
);

/** Methods that carry no request body. */
const bodyless = ["GET", "HEAD"];

/** Whether a concrete path (without its query string) is an instance of an operation's path template. */
export function pathMatchesTemplate(concrete: string, template: string): boolean {
    const pattern = template
        .split(/(\{[^}]*\})/)
        .map((piece) => (piece.startsWith("{") && piece.endsWith("}") ? "[^/]+" : piece.replace(/[.*+?^$()|[\]\\]/g, "\\$&")))
        .join("");
    return new RegExp(`^${pattern}$`).test(concrete);
}

/**
 * The smoke test's call, or the problems of its declaration (`file` is the api.yaml as shown,
 * `current` the operations of the revision the gateway serves).
 */
export function smokeTest(file: string, api: ApiDefinitionFile, current: SmokeOperations): { problems: string[]; smoke?: SmokeTest } {
    const smoke = api.smoke;
    if (!smoke) {
        return { problems: [] };
    }
    const problems: string[] = [];
    const where = `${current.spec}${current.revision ? ", the current revision's spec" : ""}`;
    const route = smoke.path.replace(/\?.*$/, "");
    if (current.kind === "soap") {
        const operation = current.operations.find((candidate) => candidate.name === smoke.operation);
        if (!operation) {
            problems.push(
                `${file}: smoke.operation: "${smoke.operation}" is not an operation of port "${current.port}" in ${where} (allowed: ${current.operations.map((candidate) => candidate.name).join(", ") || "none"})`,
            );
        }
        if (route !== "/") {
            problems.push(
                `${file}: smoke.path: "${smoke.path}" is not the root of a SOAP API (allowed: /; a SOAP pass-through API takes every call at its root and tells its operations apart by their SOAP action)`,
            );
        }
        if (typeof smoke.body !== "string" || smoke.body.trim() === "") {
            const what =
                smoke.body === undefined ? "is missing on a soap API" : typeof smoke.body === "string" ? "is empty" : "is not a string";
            problems.push(`${file}: smoke.body: ${what} (allowed: the SOAP envelope to send, as a string)`);
        }
        return problems.length > 0 || !operation
            ? { problems }
            : {
                  problems,
                  smoke: {
                      operation: smoke.operation,
                      method: "POST",
                      path: smoke.path,
                      status: smoke.status,
                      body: smoke.body,
                      soap: { action: operation.soapAction, version: operation.soapVersion },
                  },
              };
    }
    const operation = current.operations.find((candidate) => candidate.operationId === smoke.operation);
    if (!operation) {
        const ids = current.operations.map((candidate) => candidate.operationId).filter((id): id is string => id !== undefined);
        problems.push(
            `${file}: smoke.operation: "${smoke.operation}" is not an operationId of ${where} (allowed: ${ids.join(", ") || "none: the spec has no operationIds"})`,
        );
        return { problems };
    }
    const at = `${smoke.operation} (${operation.method} ${operation.path})`;
    const parameters = route.match(/\{[^}]*\}?/g);
    if (parameters) {
        problems.push(
            `${file}: smoke.path: "${smoke.path}" still has the template parameter ${parameters[0]} (allowed: the concrete path to call, every parameter of ${operation.path} filled in)`,
        );
    } else if (!pathMatchesTemplate(route, operation.path)) {
        problems.push(
            `${file}: smoke.path: "${route}" is not a path of ${at} (allowed: ${operation.path}${operation.path.includes("{") ? " with every parameter filled in" : ""}, and a query string if the call needs one)`,
        );
    }
    if (smoke.body !== undefined && bodyless.includes(operation.method)) {
        problems.push(
            `${file}: smoke.body: ${at} is a ${operation.method}, which sends no body (allowed: no body, or an operation whose method takes one)`,
        );
    }
    return problems.length > 0
        ? { problems }
        : {
              problems,
              smoke: {
                  operation: smoke.operation,
                  method: operation.method,
                  path: smoke.path,
                  status: smoke.status,
                  ...(smoke.body !== undefined ? { body: smoke.body } : {}),
              },
          };
}
