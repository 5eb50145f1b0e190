import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { parse as parseYaml, stringify } from "yaml";
import { loadCatalog } from "../../content";
import { main } from "../../commands/smoke";
import { catalogProblems, captured, fixtureContent, fixtureProject, fixtureSource, stackRun, tempProject } from "../helpers";
import { temporaryDirectory } from "../support/temporary";

/** A request the local server received. */
interface Received {
    method: string;
    path: string;
    headers: Record<string, string | string[] | undefined>;
    body: string;
}

/** How the local server answers a request: a status and JSON or text body, or never. */
type Reply = { status: number; body?: unknown } | "never";

/** The fixture's accounts WSDL search, as the fixture's api.yaml declares it. */
const findCustomersEnvelope = [
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:c="urn:fabrikam:erp:accounts:v1">',
    "  <soap:Body>",
    "    <c:FindCustomersRequest>",
    "      <c:Name>Fabrikam</c:Name>",
    "    </c:FindCustomersRequest>",
    "  </soap:Body>",
    "</soap:Envelope>",
    "",
].join("\n");

describe("npm run smoke", () => {
    let server: Server;
    let base: string;
    let received: Received[];
    /** The answers by "METHOD path"; anything else gets 404. */
    let replies: Record<string, Reply>;
    let outputsFile: string;
    let outputs: Record<string, any>;
    const work = temporaryDirectory("smoke-");

    before(async () => {
        server = createServer((request: IncomingMessage, response: ServerResponse) => {
            const chunks: Buffer[] = [];
            request.on("data", (chunk: Buffer) => chunks.push(chunk));
            request.on("end", () => {
                const key = `${request.method} ${request.url}`;
                received.push({
                    method: request.method!,
                    path: request.url!,
                    headers: request.headers,
                    body: Buffer.concat(chunks).toString("utf8"),
                });
                const reply = replies[key] ?? { status: 404, body: { statusCode: 404, message: "Resource not found" } };
                if (reply === "never") {
                    return;
                }
                const text = typeof reply.body === "string" ? reply.body : reply.body === undefined ? "" : JSON.stringify(reply.body);
                response.writeHead(reply.status, { "Content-Type": typeof reply.body === "string" ? "text/xml" : "application/json" });
                response.end(text);
            });
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        // The dev stack's outputs as the program exports them (`pulumi stack output --json`).
        outputs = (await stackRun("dev")).outputs;
        outputsFile = path.join(work, "dev-outputs.json");
        fs.writeFileSync(outputsFile, JSON.stringify(outputs, null, 2));
    });

    after(async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    beforeEach(() => {
        received = [];
        replies = {
            [`POST /${outputs.identity.tenantId}/oauth2/v2.0/token`]: {
                status: 200,
                body: { token_type: "Bearer", expires_in: 3599, access_token: "token-from-entra" },
            },
            "POST /accounts/v1/": { status: 200, body: "<soap:Envelope/>" },
            "GET /ledger/v1/items?top=1": { status: 200, body: [{ sku: "SKU-1", available: 3 }] },
            "POST /shipments/v1/": { status: 400, body: { error: { code: "TriggerInputSchemaMismatch" } } },
        };
    });

    /** The environment of a run against the local server, with `changes` (undefined removes). */
    const environment = (changes: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => {
        const env: NodeJS.ProcessEnv = {
            SMOKE_CLIENT_SECRET: "daemon-secret",
            SMOKE_SUBSCRIPTION_KEY: "subscription-key",
            SMOKE_LOGIN_URL: base,
            SMOKE_GATEWAY_URL: base,
            ...changes,
        };
        return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined));
    };

    /** Runs the command in-process on the fixture project. */
    const smoke = async (args: string[], env = environment()) => {
        const { result, stdout, stderr } = await captured(() => main([...args, "--project-dir", fixtureProject()], env));
        return { code: result, stdout, stderr };
    };

    const gatewayCalls = () => received.filter((request) => !request.path.includes("/oauth2/"));

    it("asks Entra ID for a token with the daemon client's credentials, for the API application", async () => {
        const { code } = await smoke(["dev", "--outputs", outputsFile]);
        assert.equal(code, 0);
        const token = received[0]!;
        assert.equal(`${token.method} ${token.path}`, `POST /${outputs.identity.tenantId}/oauth2/v2.0/token`);
        assert.equal(token.headers["content-type"], "application/x-www-form-urlencoded");
        assert.deepEqual(Object.fromEntries(new URLSearchParams(token.body)), {
            grant_type: "client_credentials",
            client_id: outputs.identity.clientAppClientId,
            client_secret: "daemon-secret",
            scope: "api://integration-dev/.default",
        });
        assert.equal(received.filter((request) => request.path.includes("/oauth2/")).length, 1);
    });

    it("calls each API's smoke operation through the gateway with the token and the subscription key", async () => {
        const { code } = await smoke(["dev", "--outputs", outputsFile]);
        assert.equal(code, 0);
        assert.deepEqual(
            gatewayCalls().map((request) => ({
                call: `${request.method} ${request.path}`,
                authorization: request.headers["authorization"],
                key: request.headers["ocp-apim-subscription-key"],
                contentType: request.headers["content-type"],
                soapAction: request.headers["soapaction"],
                body: request.body,
            })),
            [
                {
                    call: "POST /accounts/v1/",
                    authorization: "Bearer token-from-entra",
                    key: "subscription-key",
                    contentType: "text/xml; charset=utf-8",
                    soapAction: '"urn:fabrikam:erp:accounts:v1/FindCustomers"',
                    body: findCustomersEnvelope,
                },
                {
                    call: "GET /ledger/v1/items?top=1",
                    authorization: "Bearer token-from-entra",
                    key: "subscription-key",
                    contentType: undefined,
                    soapAction: undefined,
                    body: "",
                },
                {
                    call: "POST /shipments/v1/",
                    authorization: "Bearer token-from-entra",
                    key: "subscription-key",
                    contentType: "application/json",
                    soapAction: undefined,
                    body: '{"customerId":"smoke-test","lines":[]}',
                },
            ],
        );
    });

    it("reports each API's method, path, expected and actual status and latency, and exits 0 when all answer as declared", async () => {
        const { code, stdout, stderr } = await smoke(["dev", "--outputs", outputsFile]);
        assert.equal(code, 0, stderr);
        const lines = stdout.trimEnd().split("\n");
        assert.equal(lines[0], `Smoke test of stack dev through ${base} (3 of 3 APIs declare one)`);
        assert.match(lines[1]!, /^ {2}PASS {2}accounts-v1 {3}POST {2}\/accounts\/v1\/ {11}expected 200, got 200 {2} *\d+ ms$/);
        assert.match(lines[2]!, /^ {2}PASS {2}ledger-v1 {5}GET {3}\/ledger\/v1\/items\?top=1 {2}expected 200, got 200 {2} *\d+ ms$/);
        assert.match(lines[3]!, /^ {2}PASS {2}shipments-v1 {2}POST {2}\/shipments\/v1\/ {10}expected 400, got 400 {2} *\d+ ms$/);
        assert.equal(lines[4], "3 passed, 0 failed");
        assert.equal(lines.length, 5);
    });

    it("exits 1 when an API answers another status, with what it answered", async () => {
        replies["POST /shipments/v1/"] = { status: 202, body: { trackingId: "2f1c" } };
        const { code, stdout } = await smoke(["dev", "--outputs", outputsFile]);
        assert.equal(code, 1);
        const lines = stdout.trimEnd().split("\n");
        assert.match(lines[3]!, /^ {2}FAIL {2}shipments-v1 {2}POST {2}\/shipments\/v1\/ +expected 400, got 202 +\d+ ms$/);
        assert.equal(lines[4], '        answer: {"trackingId":"2f1c"}');
        assert.equal(lines[5], "2 passed, 1 failed");
    });

    it("exits 1 when an API does not answer within the timeout, and still calls the others", async () => {
        replies["GET /ledger/v1/items?top=1"] = "never";
        const { code, stdout } = await smoke(["dev", "--outputs", outputsFile, "--timeout-ms", "300"]);
        assert.equal(code, 1);
        assert.match(
            stdout,
            /^ {2}FAIL {2}ledger-v1 {5}GET {3}\/ledger\/v1\/items\?top=1 {2}expected 200, got no answer within 300 ms {2}\d+ ms$/m,
        );
        assert.deepEqual(
            gatewayCalls().map((request) => `${request.method} ${request.path}`),
            ["POST /accounts/v1/", "GET /ledger/v1/items?top=1", "POST /shipments/v1/"],
        );
        assert.match(stdout, /^2 passed, 1 failed$/m);
    });

    it("exits 1 with Entra ID's error, and calls no API, when no token is issued", async () => {
        replies[`POST /${outputs.identity.tenantId}/oauth2/v2.0/token`] = {
            status: 401,
            body: {
                error: "invalid_client",
                error_description: "AADSTS7000215: Invalid client secret provided.\r\nTrace ID: 0000\r\nTimestamp: 2025-01-01",
            },
        };
        const { code, stdout, stderr } = await smoke(["dev", "--outputs", outputsFile]);
        assert.equal(code, 1);
        assert.equal(
            stdout.split("\n").slice(1).join("\n"),
            `No access token: POST ${base}/${outputs.identity.tenantId}/oauth2/v2.0/token answered 401: invalid_client: AADSTS7000215: Invalid client secret provided.\nNo API was called.\n`,
        );
        assert.deepEqual(gatewayCalls(), []);
        assert.ok(!`${stdout}${stderr}`.includes("daemon-secret"));
    });

    it("exits 2 naming SMOKE_CLIENT_SECRET when it is not set, before any request", async () => {
        const { code, stdout, stderr } = await smoke(["dev", "--outputs", outputsFile], environment({ SMOKE_CLIENT_SECRET: undefined }));
        assert.equal(code, 2);
        assert.equal(stdout, "");
        assert.equal(
            stderr,
            "Cannot run the smoke test of stack dev (1 problem):\n  - SMOKE_CLIENT_SECRET is not set (allowed: the daemon client's secret, the Key Vault secret api-client-secret)\n",
        );
        assert.deepEqual(received, []);
    });

    it("exits 2 naming every output and variable that is missing", async () => {
        const partial = path.join(work, "partial-outputs.json");
        fs.writeFileSync(
            partial,
            JSON.stringify({
                ...outputs,
                gateway: { ...outputs.gateway, gatewayUrl: undefined },
                identity: { ...outputs.identity, tenantId: undefined },
            }),
        );
        const { code, stderr } = await smoke(
            ["dev", "--outputs", partial],
            environment({ SMOKE_GATEWAY_URL: undefined, SMOKE_SUBSCRIPTION_KEY: undefined }),
        );
        assert.equal(code, 2);
        const from = "the outputs of `pulumi stack output --json --show-secrets -s dev`";
        assert.equal(
            stderr,
            [
                "Cannot run the smoke test of stack dev (3 problems):",
                `  - ${partial}: gateway.gatewayUrl is missing (allowed: ${from})`,
                `  - ${partial}: identity.tenantId is missing (allowed: ${from})`,
                "  - SMOKE_SUBSCRIPTION_KEY is not set (allowed: a subscription key of a product that holds every API with a smoke or load test, or the built-in all-access key)",
                "",
            ].join("\n"),
        );
        assert.deepEqual(received, []);
    });

    it("on a passive site's outputs, names the daemon client it lacks, and takes the active site's with --client-id", async () => {
        const passive = path.join(work, "prod-dr-outputs.json");
        fs.writeFileSync(passive, JSON.stringify((await stackRun("prod-dr")).outputs));
        const missing = await smoke(["prod-dr", "--outputs", passive]);
        assert.equal(missing.code, 2);
        assert.equal(
            missing.stderr,
            `Cannot run the smoke test of stack prod-dr (1 problem):\n  - ${passive}: identity.clientAppClientId is missing (allowed: the outputs of \`pulumi stack output --json --show-secrets -s prod-dr\`; a passive DR site has no daemon client of its own: give the active site's with --client-id <id>)\n`,
        );
        const given = await smoke(["prod-dr", "--outputs", passive, "--client-id", "active-site-client"]);
        assert.equal(given.code, 0, given.stdout);
        assert.equal(new URLSearchParams(received[0]!.body).get("client_id"), "active-site-client");
    });

    it("reports an API without a smoke test as such, without failing", async () => {
        const dir = tempProject({ dev: fs.readFileSync(path.join(fixtureSource, "Pulumi.dev.yaml"), "utf8") });
        const file = path.join(dir, "apis", "shipments", "api.yaml");
        const doc = parseYaml(fs.readFileSync(file, "utf8"));
        delete doc.smoke;
        fs.writeFileSync(file, stringify(doc));
        const { result: code, stdout } = await captured(() => main(["dev", "--outputs", outputsFile, "--project-dir", dir], environment()));
        assert.equal(code, 0);
        assert.match(stdout, /^Smoke test of stack dev through .* \(2 of 3 APIs declare one\)$/m);
        assert.match(stdout, /^ {2}- {5}shipments-v1 +no smoke test declared$/m);
        assert.match(stdout, /^2 passed, 0 failed, 1 with no smoke test declared$/m);
        assert.deepEqual(
            gatewayCalls().map((request) => `${request.method} ${request.path}`),
            ["POST /accounts/v1/", "GET /ledger/v1/items?top=1"],
        );
    });

    it("sends a SOAP 1.2 call's action in its content type, as the WSDL binding says", async () => {
        const dir = tempProject({ dev: fs.readFileSync(path.join(fixtureSource, "Pulumi.dev.yaml"), "utf8") });
        const wsdl = path.join(dir, "apis", "accounts", "accounts.wsdl");
        fs.writeFileSync(
            wsdl,
            fs
                .readFileSync(wsdl, "utf8")
                .replace('xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"', 'xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap12/"'),
        );
        const { result: code } = await captured(() => main(["dev", "--outputs", outputsFile, "--project-dir", dir], environment()));
        assert.equal(code, 0);
        const call = gatewayCalls()[0]!;
        assert.equal(`${call.method} ${call.path}`, "POST /accounts/v1/");
        assert.equal(
            call.headers["content-type"],
            'application/soap+xml; charset=utf-8; action="urn:fabrikam:erp:accounts:v1/FindCustomers"',
        );
        assert.equal(call.headers["soapaction"], undefined);
    });

    it("exits 2 without --outputs, and for a stack with no stack file", async () => {
        const noOutputs = await smoke(["dev"]);
        assert.equal(noOutputs.code, 2);
        assert.ok(
            noOutputs.stderr.startsWith(
                "--outputs is missing (allowed: a file holding the JSON of `pulumi stack output --json --show-secrets -s dev`, or - to read it from standard input)\n",
            ),
            noOutputs.stderr,
        );
        const unknown = await smoke(["qa", "--outputs", outputsFile]);
        assert.equal(unknown.code, 2);
        assert.equal(unknown.stderr, `Stack "qa" has no stack file Pulumi.qa.yaml (allowed: dev, prod, prod-dr, test)\n`);
        assert.deepEqual(received, []);
    });
});

describe("smoke in api.yaml", () => {
    /** A copy of the fixture catalog in a temp folder, one api.yaml changed by `change`. */
    const catalogWith = (folder: string, change: (doc: any) => void): string => {
        const dir = path.join(temporaryDirectory("catalog-"), "apis");
        fs.cpSync(fixtureContent.catalog, dir, { recursive: true });
        const file = path.join(dir, folder, "api.yaml");
        const doc = parseYaml(fs.readFileSync(file, "utf8"));
        change(doc);
        fs.writeFileSync(file, stringify(doc));
        return dir;
    };

    const cases: Array<[string, string, (smoke: any) => void, string]> = [
        [
            "an operation the current revision's spec does not have",
            "ledger",
            (smoke) => (smoke.operation = "getStock"),
            'apis/ledger/api.yaml: smoke.operation: "getStock" is not an operationId of apis/ledger/openapi-rev2.yaml, the current revision\'s spec (allowed: listItems, getItem, reserve-item, release-item)',
        ],
        [
            "an operation the WSDL's port does not have",
            "accounts",
            (smoke) => (smoke.operation = "DeleteCustomer"),
            'apis/accounts/api.yaml: smoke.operation: "DeleteCustomer" is not an operation of port "CustomerServiceSoap" in apis/accounts/accounts.wsdl (allowed: GetCustomer, FindCustomers)',
        ],
        [
            "a status above 599",
            "shipments",
            (smoke) => (smoke.status = 600),
            "apis/shipments/api.yaml: smoke.status: 600 is not an HTTP status code (allowed: 100-599)",
        ],
        [
            "a status below 100",
            "shipments",
            (smoke) => (smoke.status = 99),
            "apis/shipments/api.yaml: smoke.status: 99 is not an HTTP status code (allowed: 100-599)",
        ],
        [
            "a status that is not a whole number",
            "shipments",
            (smoke) => (smoke.status = 200.5),
            "apis/shipments/api.yaml: smoke.status: 200.5 is not a whole number (allowed: an HTTP status code, 100-599)",
        ],
        [
            "a status written as a string",
            "shipments",
            (smoke) => (smoke.status = "200"),
            "apis/shipments/api.yaml: smoke.status: is missing or not a number (allowed: an HTTP status code, 100-599)",
        ],
        [
            "no status",
            "shipments",
            (smoke) => delete smoke.status,
            "apis/shipments/api.yaml: smoke.status: is missing or not a number (allowed: an HTTP status code, 100-599)",
        ],
        [
            "a path that does not start with /",
            "ledger",
            (smoke) => (smoke.path = "items"),
            'apis/ledger/api.yaml: smoke.path: "items" is not a path to call (allowed: the path after the API\'s path and version, starting with / and without spaces, such as /items/SKU-1)',
        ],
        [
            "a path with a template parameter left in",
            "ledger",
            (smoke) => Object.assign(smoke, { operation: "getItem", path: "/items/{sku}" }),
            'apis/ledger/api.yaml: smoke.path: "/items/{sku}" still has the template parameter {sku} (allowed: the concrete path to call, every parameter of /items/{sku} filled in)',
        ],
        [
            "a path of another operation",
            "ledger",
            (smoke) => Object.assign(smoke, { operation: "getItem", path: "/items" }),
            'apis/ledger/api.yaml: smoke.path: "/items" is not a path of getItem (GET /items/{sku}) (allowed: /items/{sku} with every parameter filled in, and a query string if the call needs one)',
        ],
        [
            "a path below a SOAP API's root",
            "accounts",
            (smoke) => (smoke.path = "/FindCustomers"),
            'apis/accounts/api.yaml: smoke.path: "/FindCustomers" is not the root of a SOAP API (allowed: /; a SOAP pass-through API takes every call at its root and tells its operations apart by their SOAP action)',
        ],
        [
            "a body on a GET",
            "ledger",
            (smoke) => (smoke.body = { top: 1 }),
            "apis/ledger/api.yaml: smoke.body: listItems (GET /items) is a GET, which sends no body (allowed: no body, or an operation whose method takes one)",
        ],
        [
            "a SOAP call without its envelope",
            "accounts",
            (smoke) => delete smoke.body,
            "apis/accounts/api.yaml: smoke.body: is missing on a soap API (allowed: the SOAP envelope to send, as a string)",
        ],
        ["an unknown key", "shipments", (smoke) => (smoke.method = "PUT"), "apis/shipments/api.yaml: smoke: has unknown keys method"],
    ];
    for (const [what, folder, change, message] of cases) {
        it(`refuses ${what}`, async () => {
            assert.deepEqual(await catalogProblems(catalogWith(folder, (doc) => change(doc.smoke))), [message]);
        });
    }

    it("takes the method from the operation and, for SOAP, the action and version from the WSDL binding", async () => {
        const catalog = await loadCatalog(fixtureContent.catalog);
        assert.deepEqual(
            catalog.apis.map((api) => [api.apiId, api.smoke?.method, api.smoke?.path, api.smoke?.status, api.smoke?.soap]),
            [
                ["accounts-v1", "POST", "/", 200, { action: "urn:fabrikam:erp:accounts:v1/FindCustomers", version: "1.1" }],
                ["ledger-v1", "GET", "/items?top=1", 200, undefined],
                ["shipments-v1", "POST", "/", 400, undefined],
            ],
        );
    });
});
