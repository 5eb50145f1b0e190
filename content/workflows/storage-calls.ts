/**
 * HTTP calls to Azure Storage with the workflow's managed identity carry the headers Storage
 * requires. The Logic Apps managed-identity guide, on an HTTP action that writes a blob: "The
 * `x-ms-blob-type`, `x-ms-version`, and `x-ms-date` header values are required for Azure Storage
 * operations. Important: In outgoing HTTP trigger and action requests for Azure Storage, the header
 * requires the `x-ms-version` property and the API version for the operation that you want to
 * run. The `x-ms-date` must be the current date. Otherwise, your workflow fails with a
 * `403 FORBIDDEN` error" (learn.microsoft.com/azure/logic-apps/authenticate-with-managed-identity,
 * its example value `@{formatDateTime(utcNow(),'r')}`). `x-ms-blob-type` is a header of Put Blob
 * only, where the Put Blob reference (learn.microsoft.com/rest/api/storageservices/put-blob) lists
 * it as required: a PUT to a blob without `comp=` or `restype=` that copies nothing
 * (`x-ms-copy-source` makes it a copy).
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** Token audiences of Azure Storage: the service-wide one, or one account's service endpoint. */
const storageAudience = /^https:\/\/(storage\.azure\.com|[a-z0-9]{3,24}\.(blob|queue|table|file|dfs)\.core\.windows\.net)\/?$/i;
/** A literal URI of an Azure Storage endpoint. */
const storageUri = /^https:\/\/[a-z0-9]{3,24}\.(blob|queue|table|file|dfs)\.core\.windows\.net(\/|$)/i;

/** The HTTP actions and triggers at any depth, with where they are. */
function httpCalls(value: unknown, where: string): Array<{ at: string; call: Json }> {
    if (!isObject(value)) {
        return [];
    }
    return Object.entries(value).flatMap(([name, node]) => {
        if (!isObject(node)) {
            return [];
        }
        const at = `${where}.${name}`;
        const own = String(node["type"] ?? "").toLowerCase() === "http" ? [{ at, call: node }] : [];
        const nested: Array<[string, unknown]> = [[`${at}.actions`, node["actions"]]];
        if (isObject(node["else"])) {
            nested.push([`${at}.else.actions`, node["else"]["actions"]]);
        }
        for (const [caseName, branch] of Object.entries(isObject(node["cases"]) ? node["cases"] : {})) {
            nested.push([`${at}.cases.${caseName}.actions`, isObject(branch) ? branch["actions"] : undefined]);
        }
        if (isObject(node["default"])) {
            nested.push([`${at}.default.actions`, node["default"]["actions"]]);
        }
        return [...own, ...nested.flatMap(([inner, map]) => httpCalls(map, inner))];
    });
}

/** Whether an HTTP call goes to Azure Storage with the workflow's managed identity. */
function callsStorageWithIdentity(inputs: Json): boolean {
    const authentication = isObject(inputs["authentication"]) ? inputs["authentication"] : {};
    if (String(authentication["type"] ?? "").toLowerCase() !== "managedserviceidentity") {
        return false;
    }
    const audience = typeof authentication["audience"] === "string" ? authentication["audience"] : "";
    const uri = typeof inputs["uri"] === "string" ? inputs["uri"] : "";
    return storageAudience.test(audience) || storageUri.test(uri);
}

/** Whether a call to Storage is a Put Blob: a PUT without `comp=` or `restype=` that copies nothing. */
function isPutBlob(inputs: Json, headers: Record<string, unknown>): boolean {
    const uri = typeof inputs["uri"] === "string" ? inputs["uri"] : "";
    const queries = isObject(inputs["queries"]) ? Object.keys(inputs["queries"]).map((key) => key.toLowerCase()) : [];
    return (
        String(inputs["method"] ?? "").toUpperCase() === "PUT" &&
        !/[?&](comp|restype)=/i.test(uri) &&
        !queries.includes("comp") &&
        !queries.includes("restype") &&
        !("x-ms-copy-source" in headers)
    );
}

/**
 * The HTTP actions and triggers of a definition that call Azure Storage with the managed identity
 * without the headers Storage requires, as problems naming `file` and the action; `[]` when none.
 */
export function storageCallProblems(file: string, definition: Json): string[] {
    const calls = [...httpCalls(definition["triggers"], "triggers"), ...httpCalls(definition["actions"], "actions")];
    return calls.flatMap(({ at, call }) => {
        const inputs = isObject(call["inputs"]) ? call["inputs"] : {};
        if (!callsStorageWithIdentity(inputs)) {
            return [];
        }
        const given = isObject(inputs["headers"]) ? inputs["headers"] : {};
        const headers = Object.fromEntries(Object.entries(given).map(([name, value]) => [name.toLowerCase(), value]));
        const required = ["x-ms-version", "x-ms-date", ...(isPutBlob(inputs, headers) ? ["x-ms-blob-type"] : [])];
        const missing = required.filter((name) => headers[name] === undefined || headers[name] === "");
        const allowed =
            "x-ms-version with the Storage API version, x-ms-date: @{formatDateTime(utcNow(),'r')}, and x-ms-blob-type on a Put Blob, as the Logic Apps managed-identity guide requires";
        const problems = missing.map(
            (name) =>
                `${file}: ${at}.inputs.headers: no ${name} header; Azure Storage answers a managed-identity call without it with 403 (allowed: ${allowed})`,
        );
        const date = headers["x-ms-date"];
        if (typeof date === "string" && date !== "" && !date.startsWith("@")) {
            problems.push(
                `${file}: ${at}.inputs.headers.x-ms-date: ${JSON.stringify(date)} is a fixed date; Storage refuses a request whose date is not the current one (allowed: an expression such as @{formatDateTime(utcNow(),'r')})`,
            );
        }
        return problems;
    });
}
