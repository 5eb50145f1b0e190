import { stringify } from "yaml";
import type { ApiDefinition, LoadCriteria } from "../../content/catalog";
import { apiBaseUrl } from "../smoke/calls";
import { criteriaOf } from "./report";

/**
 * The load test for Azure Load Testing, from the same declarations `npm run load` runs: a Locust
 * script with one user class per API (its operations as tasks with their weights) and the test
 * configuration `az load test create --load-test-config-file` reads. The configuration follows
 * Microsoft Learn's "Test configuration YAML reference" (Azure Load Testing): `version: v0.1`,
 * `testType: Locust` with the script as `testPlan`, `engineInstances`, `env` (Locust reads
 * LOCUST_USERS, LOCUST_SPAWN_RATE and LOCUST_RUN_TIME from it: "Configure high scale load"),
 * `secrets` as Key Vault secret URIs, which a Locust script reads as environment variables
 * ("Parameterize load tests"), and `failureCriteria` per request name
 * (`Request: aggregate(metric) condition threshold`; `p95(response_time_ms)`, `percentage(error)`
 * and `avg(requests_per_sec)`: "Define test criteria"). Generated text only: nothing here talks to
 * Azure.
 */

/** What the generated test needs of the deployed stack, all from its outputs. */
export interface AzureTestTarget {
    stack: string;
    gatewayUrl: string;
    tokenUrl: string;
    scope: string;
    clientId: string;
    /** Key Vault secret URIs of the daemon client's secret and of the load-test subscription's key. */
    clientSecretUri: string;
    subscriptionKeyUri: string;
}

/** How hard: connections per API and the run's length, and engines. */
export interface AzureTestShape {
    connections: number;
    durationSeconds: number;
    engineInstances: number;
    /** The stack file's criteria, over each API's own. */
    criteria?: LoadCriteria;
}

/** The environment variables the script reads. */
export const scriptVariables = {
    gatewayUrl: "LOAD_GATEWAY_URL",
    tokenUrl: "LOAD_TOKEN_URL",
    scope: "LOAD_SCOPE",
    clientId: "LOAD_CLIENT_ID",
    clientSecret: "LOAD_CLIENT_SECRET",
    subscriptionKey: "LOAD_SUBSCRIPTION_KEY",
} as const;

/** A request's name in Locust's statistics and in the failure criteria: `<api id>.<operation>`. */
export function requestName(api: Pick<ApiDefinition, "apiId">, operation: string): string {
    return `${api.apiId}.${operation}`;
}

/** A Python string literal (JSON's escapes are Python's for these characters). */
function py(value: string): string {
    return JSON.stringify(value);
}

/** A Python class name from an API id (`orders-v1` -> `OrdersV1`). */
function className(apiId: string): string {
    return apiId
        .split(/[^A-Za-z0-9]+/)
        .filter((part) => part !== "")
        .map((part) => part[0]!.toUpperCase() + part.slice(1))
        .join("");
}

/** Calls a second for each user of an API, so that all of them together keep to its rate limit. */
function perUser(api: ApiDefinition, shape: Pick<AzureTestShape, "connections" | "engineInstances">): string {
    const rate = api.policy.rateLimit.calls / api.policy.rateLimit.renewalPeriod;
    return String(Math.floor((rate / (shape.connections * shape.engineInstances)) * 1e6) / 1e6 || 1e-6);
}

/** The Locust script. */
export function locustScript(
    stack: string,
    apis: readonly ApiDefinition[],
    shape: Pick<AzureTestShape, "connections" | "engineInstances">,
): string {
    const v = scriptVariables;
    const classes = apis
        .filter((api) => api.load)
        .map((api) => {
            const load = api.load!;
            const base = new URL(apiBaseUrl("https://gateway", api, load.revision)).pathname;
            const tasks = load.operations.map((call, i) => {
                const headers: Record<string, string> = {};
                let body: string | undefined;
                if (call.soap) {
                    body = String(call.body);
                    if (call.soap.version === "1.2") {
                        headers["Content-Type"] = `application/soap+xml; charset=utf-8; action="${call.soap.action}"`;
                    } else {
                        headers["Content-Type"] = "text/xml; charset=utf-8";
                        headers["SOAPAction"] = `"${call.soap.action}"`;
                    }
                } else if (call.body !== undefined) {
                    body = JSON.stringify(call.body);
                    headers["Content-Type"] = "application/json";
                }
                const success = call.status !== undefined ? `response.status_code == ${call.status}` : "response.status_code < 400";
                const expected = call.status !== undefined ? `${call.status}` : "a status below 400";
                return [
                    `    @task(${call.weight})`,
                    `    def call_${i}(self):`,
                    `        """${call.method} ${call.path} (${call.operation})"""`,
                    `        with self.client.request(`,
                    `            ${py(call.method)},`,
                    `            ${py(`${base}${call.path}`)},`,
                    `            name=${py(requestName(api, call.operation))},`,
                    `            headers=headers(${py(JSON.stringify(headers))}),`,
                    `            data=${body === undefined ? "None" : `${py(body)}.encode("utf-8")`},`,
                    `            allow_redirects=False,`,
                    `            catch_response=True,`,
                    `        ) as response:`,
                    `            if ${success}:`,
                    `                response.success()`,
                    `            else:`,
                    `                response.failure("expected ${expected}, got %s" % response.status_code)`,
                ].join("\n");
            });
            return [
                `class ${className(api.apiId)}(HttpUser):`,
                `    """${api.apiId}${load.revision !== undefined ? `, staged revision ${load.revision}` : ""}: the operations of load in ${`apis/${api.folder}/api.yaml`}."""`,
                "",
                "    host = GATEWAY_URL",
                `    # ${api.policy.rateLimit.calls} calls every ${api.policy.rateLimit.renewalPeriod} s (policy.rateLimit) shared by ${shape.connections} users on each of ${shape.engineInstances} engine${shape.engineInstances === 1 ? "" : "s"}.`,
                `    wait_time = constant_throughput(${perUser(api, shape)})`,
                "",
                tasks.join("\n\n"),
            ].join("\n");
        });
    return `"""Load test of stack ${stack}, generated from the API catalog by \`npm run load -- ${stack} --azure <dir>\`.

One user class per API with a load test; its tasks are the API's operations with their weights.
Together the users of an API keep to its rate limit: one subscription can make no more calls. Settings come from the environment (the
test configuration's env and secrets): ${v.gatewayUrl}, ${v.tokenUrl}, ${v.scope}, ${v.clientId},
${v.clientSecret} and ${v.subscriptionKey}. Regenerate it rather than edit it.
"""

import json
import os
import time

import requests
from gevent.lock import Semaphore
from locust import HttpUser, constant_throughput, task

GATEWAY_URL = os.environ["${v.gatewayUrl}"].rstrip("/")

_token = {"value": None, "expires": 0.0}
_token_lock = Semaphore()


def access_token():
    """The daemon client's token (client credentials grant), renewed five minutes before it expires."""
    with _token_lock:
        if _token["value"] is None or time.time() > _token["expires"] - 300:
            answer = requests.post(
                os.environ["${v.tokenUrl}"],
                data={
                    "grant_type": "client_credentials",
                    "client_id": os.environ["${v.clientId}"],
                    "client_secret": os.environ["${v.clientSecret}"],
                    "scope": os.environ["${v.scope}"],
                },
                timeout=30,
            )
            answer.raise_for_status()
            body = answer.json()
            _token["value"] = body["access_token"]
            _token["expires"] = time.time() + int(body.get("expires_in", 3600))
        return _token["value"]


def headers(extra):
    """The token and the subscription key, and the call's own headers (a JSON object)."""
    return {
        "Authorization": "Bearer " + access_token(),
        "Ocp-Apim-Subscription-Key": os.environ["${v.subscriptionKey}"],
        **json.loads(extra),
    }


${classes.join("\n\n\n")}
`;
}

/** The failure criteria of one API, per operation: the API's percentile and error rate, its throughput shared by weight. */
function failureCriteria(api: ApiDefinition, stackCriteria: LoadCriteria | undefined): Array<Record<string, string>> {
    const load = api.load!;
    const criteria = criteriaOf(load.criteria, stackCriteria);
    const total = load.operations.reduce((sum, call) => sum + call.weight, 0);
    return load.operations.flatMap((call) => {
        const name = requestName(api, call.operation);
        const lines: string[] = [];
        if (criteria.p95Ms !== undefined) {
            lines.push(`p95(response_time_ms) > ${criteria.p95Ms}`);
        }
        if (criteria.errorPercent !== undefined) {
            lines.push(`percentage(error) > ${criteria.errorPercent}`);
        }
        if (criteria.requestsPerSecond !== undefined) {
            // Two decimals at most ("Numerical value with up to two decimal places").
            lines.push(`avg(requests_per_sec) < ${Math.floor((criteria.requestsPerSecond * call.weight * 100) / total) / 100}`);
        }
        return lines.map((line) => ({ [name]: line }));
    });
}

/** The test's id: 2-50 of a-z, 0-9, _ and - (the reference's rule). */
export function testId(stack: string): string {
    return `${stack.toLowerCase().replace(/[^a-z0-9_-]/g, "-")}-catalog`.slice(0, 50);
}

/** The test configuration YAML. */
export function testConfiguration(target: AzureTestTarget, shape: AzureTestShape, apis: readonly ApiDefinition[]): string {
    const loaded = apis.filter((api) => api.load);
    const users = shape.connections * loaded.length;
    const v = scriptVariables;
    const config = {
        version: "v0.1",
        testId: testId(target.stack),
        displayName: `Catalog load test of stack ${target.stack}`,
        description: "Generated by npm run load -- <stack> --azure <dir>",
        testType: "Locust",
        testPlan: "locustfile.py",
        engineInstances: shape.engineInstances,
        env: [
            // Per engine: each runs every API's users.
            { name: "LOCUST_USERS", value: String(users) },
            { name: "LOCUST_SPAWN_RATE", value: String(users) },
            { name: "LOCUST_RUN_TIME", value: String(shape.durationSeconds) },
            { name: v.gatewayUrl, value: target.gatewayUrl },
            { name: v.tokenUrl, value: target.tokenUrl },
            { name: v.scope, value: target.scope },
            { name: v.clientId, value: target.clientId },
        ],
        secrets: [
            { name: v.clientSecret, value: target.clientSecretUri },
            { name: v.subscriptionKey, value: target.subscriptionKeyUri },
        ],
        failureCriteria: loaded.flatMap((api) => failureCriteria(api, shape.criteria)),
        autoStop: { errorPercentage: 90, timeWindow: 60 },
    };
    return `# Generated by \`npm run load -- ${target.stack} --azure <dir>\` from the API catalog and the stack's outputs.\n${stringify(config)}`;
}
