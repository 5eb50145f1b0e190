import { performance } from "node:perf_hooks";
import type { ApiDefinition, SmokeTest } from "../../content/catalog";
import type { SmokeSettings } from "./settings";

/**
 * The requests of a smoke test, with Node's `fetch`: the access token by the client credentials
 * grant, then each API's smoke call through the gateway with the token and the subscription key.
 * Every request has its own timeout; nothing is retried, and redirects are not followed (the
 * status the gateway answers is the one compared).
 */

/** One request as sent: what the tests and the report show. */
export interface SmokeRequest {
    method: string;
    url: string;
    headers: Record<string, string>;
    body?: string;
}

/** What came back: a status and body, or no answer (a network error, a timeout). */
export type Answer = { status: number; body: string; ms: number } | { error: string; ms: number };

/**
 * Where an API answers through the gateway: `<gateway>/<path>/<version>`, and for a revision
 * other than the current one `;rev=<n>` after it ("Append ;rev={revisionNumber} at the end of your
 * API URL, but before the query string": Microsoft Learn, "Revisions in Azure API Management",
 * Accessing specific revisions).
 */
export function apiBaseUrl(gatewayUrl: string, api: Pick<ApiDefinition, "path" | "version">, revision?: number): string {
    return `${gatewayUrl}/${api.path}/${api.version}${revision !== undefined ? `;rev=${revision}` : ""}`;
}

/** The request of an API's smoke test (`gatewayUrl` without a trailing slash). */
export function smokeRequest(
    api: Pick<ApiDefinition, "path" | "version">,
    smoke: Pick<SmokeTest, "method" | "path" | "body" | "soap" | "revision">,
    settings: Pick<SmokeSettings, "gatewayUrl" | "subscriptionKey">,
    token: string,
): SmokeRequest {
    const headers: Record<string, string> = {
        Authorization: `Bearer ${token}`,
        "Ocp-Apim-Subscription-Key": settings.subscriptionKey,
    };
    let body: string | undefined;
    if (smoke.soap) {
        body = String(smoke.body);
        if (smoke.soap.version === "1.2") {
            headers["Content-Type"] = `application/soap+xml; charset=utf-8; action="${smoke.soap.action}"`;
        } else {
            headers["Content-Type"] = "text/xml; charset=utf-8";
            headers["SOAPAction"] = `"${smoke.soap.action}"`;
        }
    } else if (smoke.body !== undefined) {
        body = JSON.stringify(smoke.body);
        headers["Content-Type"] = "application/json";
    }
    return {
        method: smoke.method,
        url: `${apiBaseUrl(settings.gatewayUrl, api, smoke.revision)}${smoke.path}`,
        headers,
        ...(body !== undefined ? { body } : {}),
    };
}

/** Sends a request and reads the whole answer, within `timeoutMs`. */
export async function send(request: SmokeRequest, timeoutMs: number): Promise<Answer> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
        const response = await fetch(request.url, {
            method: request.method,
            headers: request.headers,
            ...(request.body !== undefined ? { body: request.body } : {}),
            redirect: "manual",
            signal: AbortSignal.timeout(timeoutMs),
        });
        const body = await response.text();
        return { status: response.status, body, ms: elapsed() };
    } catch (error) {
        const failure = error as Error & { cause?: { code?: string; message?: string } };
        if (failure.name === "TimeoutError" || failure.name === "AbortError") {
            return { error: `no answer within ${timeoutMs} ms`, ms: elapsed() };
        }
        return { error: `a network error: ${failure.cause?.code ?? failure.cause?.message ?? failure.message}`, ms: elapsed() };
    }
}

/** The token request of the client credentials grant. */
function tokenRequest(settings: SmokeSettings): SmokeRequest {
    const form = new URLSearchParams({
        grant_type: "client_credentials",
        client_id: settings.clientId,
        client_secret: settings.clientSecret,
        scope: settings.scope,
    });
    return {
        method: "POST",
        url: settings.tokenUrl,
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: form.toString(),
    };
}

/** The access token, or why there is none (Entra ID's error code and first line of its description). */
export async function accessToken(settings: SmokeSettings, timeoutMs: number): Promise<{ token: string } | { problem: string }> {
    const answer = await send(tokenRequest(settings), timeoutMs);
    const where = `POST ${settings.tokenUrl}`;
    if ("error" in answer) {
        return { problem: `${where}: ${answer.error}` };
    }
    let parsed: { access_token?: unknown; error?: unknown; error_description?: unknown } = {};
    try {
        parsed = JSON.parse(answer.body) as typeof parsed;
    } catch {
        // Not JSON: reported below by status and text.
    }
    if (answer.status === 200 && typeof parsed.access_token === "string" && parsed.access_token !== "") {
        return { token: parsed.access_token };
    }
    const reason =
        typeof parsed.error === "string"
            ? `${parsed.error}${typeof parsed.error_description === "string" ? `: ${parsed.error_description.split(/\r?\n/)[0]}` : ""}`
            : answer.status === 200
              ? "the answer has no access_token"
              : snippet(answer.body) || "no body";
    return { problem: `${where} answered ${answer.status}: ${reason}` };
}

/** A response body on one line, at most 200 characters: enough to see what the gateway said. */
export function snippet(body: string): string {
    const line = body.replace(/\s+/g, " ").trim();
    return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
