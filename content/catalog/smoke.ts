import type { SpecOperation } from "./openapi";
import type { ApiDefinitionFile, LoadCriteria } from "./schema";
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
    /** The staged revision called at its `;rev=<n>` address. Default: the current revision. */
    revision?: number;
}

/** The operations a smoke test may call: those of the current revision's spec, named by its file. */
export type SmokeOperations = { spec: string; revision: boolean; staged?: number } & (
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

/** A call as declared: the operation, the concrete path and the body, if any. */
interface DeclaredCall {
    operation: string;
    path: string;
    body?: unknown;
}

/** A call checked against the operations: its method and, for SOAP, its action. */
export interface CheckedCall {
    operation: string;
    method: string;
    path: string;
    body?: unknown;
    soap?: { action: string; version: WsdlOperation["soapVersion"] };
}

/**
 * A declared call checked against the operations it may name (`key` is where it is declared,
 * `smoke` or `load.operations[0]`, `file` the api.yaml as shown): the problems, or the call.
 */
export function checkedCall(
    file: string,
    key: string,
    call: DeclaredCall,
    current: SmokeOperations,
): { problems: string[]; call?: CheckedCall } {
    const problems: string[] = [];
    const where = `${current.spec}${current.staged !== undefined ? `, revision ${current.staged}'s spec` : current.revision ? ", the current revision's spec" : ""}`;
    const route = call.path.replace(/\?.*$/, "");
    if (current.kind === "soap") {
        const operation = current.operations.find((candidate) => candidate.name === call.operation);
        if (!operation) {
            problems.push(
                `${file}: ${key}.operation: "${call.operation}" is not an operation of port "${current.port}" in ${where} (allowed: ${current.operations.map((candidate) => candidate.name).join(", ") || "none"})`,
            );
        }
        if (route !== "/") {
            problems.push(
                `${file}: ${key}.path: "${call.path}" is not the root of a SOAP API (allowed: /; a SOAP pass-through API takes every call at its root and tells its operations apart by their SOAP action)`,
            );
        }
        if (typeof call.body !== "string" || call.body.trim() === "") {
            const what =
                call.body === undefined ? "is missing on a soap API" : typeof call.body === "string" ? "is empty" : "is not a string";
            problems.push(`${file}: ${key}.body: ${what} (allowed: the SOAP envelope to send, as a string)`);
        }
        return problems.length > 0 || !operation
            ? { problems }
            : {
                  problems,
                  call: {
                      operation: call.operation,
                      method: "POST",
                      path: call.path,
                      body: call.body,
                      soap: { action: operation.soapAction, version: operation.soapVersion },
                  },
              };
    }
    const operation = current.operations.find((candidate) => candidate.operationId === call.operation);
    if (!operation) {
        const ids = current.operations.map((candidate) => candidate.operationId).filter((id): id is string => id !== undefined);
        problems.push(
            `${file}: ${key}.operation: "${call.operation}" is not an operationId of ${where} (allowed: ${ids.join(", ") || "none: the spec has no operationIds"})`,
        );
        return { problems };
    }
    const at = `${call.operation} (${operation.method} ${operation.path})`;
    const parameters = route.match(/\{[^}]*\}?/g);
    if (parameters) {
        problems.push(
            `${file}: ${key}.path: "${call.path}" still has the template parameter ${parameters[0]} (allowed: the concrete path to call, every parameter of ${operation.path} filled in)`,
        );
    } else if (!pathMatchesTemplate(route, operation.path)) {
        problems.push(
            `${file}: ${key}.path: "${route}" is not a path of ${at} (allowed: ${operation.path}${operation.path.includes("{") ? " with every parameter filled in" : ""}, and a query string if the call needs one)`,
        );
    }
    if (call.body !== undefined && bodyless.includes(operation.method)) {
        problems.push(
            `${file}: ${key}.body: ${at} is a ${operation.method}, which sends no body (allowed: no body, or an operation whose method takes one)`,
        );
    }
    return problems.length > 0
        ? { problems }
        : {
              problems,
              call: {
                  operation: call.operation,
                  method: operation.method,
                  path: call.path,
                  ...(call.body !== undefined ? { body: call.body } : {}),
              },
          };
}

/**
 * The smoke test's call, or the problems of its declaration (`file` is the api.yaml as shown,
 * `current` the operations of the revision it calls).
 */
export function smokeTest(file: string, api: ApiDefinitionFile, current: SmokeOperations): { problems: string[]; smoke?: SmokeTest } {
    const smoke = api.smoke;
    if (!smoke) {
        return { problems: [] };
    }
    const checked = checkedCall(file, "smoke", smoke, current);
    return checked.call
        ? {
              problems: checked.problems,
              smoke: { ...checked.call, status: smoke.status, ...(smoke.revision !== undefined ? { revision: smoke.revision } : {}) },
          }
        : { problems: checked.problems };
}

/** An API's load test: the calls with their weights, the revision they go to, the API's own criteria. */
export interface LoadTest {
    /** The staged revision called at its `;rev=<n>` address. Default: the current revision. */
    revision?: number;
    /** The calls and their weights, at least one. */
    operations: Array<CheckedCall & { weight: number; status?: number }>;
    /** The API's own criteria; the stack file's take precedence, key by key. */
    criteria: LoadCriteria;
}

/**
 * The load test's calls, or the problems of its declaration: each operation checked as a smoke
 * call is, and without operations the smoke test's call (`smoke` as checked), weight 1. A
 * requests-per-second criterion above the API's own rate limit cannot be met with one
 * subscription key (the gateway answers 429 beyond it) and is refused.
 */
export function loadTest(
    file: string,
    api: ApiDefinitionFile,
    current: SmokeOperations,
    smoke: SmokeTest | undefined,
): { problems: string[]; load?: LoadTest } {
    const load = api.load;
    if (!load) {
        return { problems: [] };
    }
    const problems: string[] = [];
    const operations: LoadTest["operations"] = [];
    if (load.operations) {
        load.operations.forEach((declared, i) => {
            const checked = checkedCall(file, `load.operations[${i}]`, declared, current);
            problems.push(...checked.problems);
            if (checked.call) {
                operations.push({
                    ...checked.call,
                    weight: declared.weight,
                    ...(declared.status !== undefined ? { status: declared.status } : {}),
                });
            }
        });
    } else if (!api.smoke) {
        problems.push(
            `${file}: load.operations: is missing and the API has no smoke test to load instead (allowed: a list of { operation, path, weight })`,
        );
    } else if (smoke) {
        if (smoke.revision !== load.revision) {
            problems.push(
                `${file}: load.revision: ${load.revision ?? "none"} is not the revision the smoke test calls (${smoke.revision ?? "none"}), whose call it would load (allowed: the smoke test's revision, or operations of its own)`,
            );
        } else {
            const { status, revision: _revision, ...call } = smoke;
            operations.push({ ...call, weight: 1, status });
        }
    }
    const limit = api.policy.rateLimit.calls / api.policy.rateLimit.renewalPeriod;
    const rps = load.criteria?.requestsPerSecond;
    if (rps !== undefined && rps > limit) {
        problems.push(
            `${file}: load.criteria.requestsPerSecond: ${rps} cannot be met: policy.rateLimit lets one subscription make ${formatRate(limit)} calls a second (${api.policy.rateLimit.calls} every ${api.policy.rateLimit.renewalPeriod} s) and answers 429 beyond it (allowed: at most ${formatRate(limit)}, or raise policy.rateLimit)`,
        );
    }
    return problems.length > 0
        ? { problems }
        : {
              problems,
              load: { ...(load.revision !== undefined ? { revision: load.revision } : {}), operations, criteria: load.criteria ?? {} },
          };
}

/** A rate in calls a second, to two decimals at most. */
export function formatRate(rate: number): string {
    return String(Math.round(rate * 100) / 100);
}
