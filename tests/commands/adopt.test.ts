import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { runStack, type StackRun } from "../../engine";
import { repoRoot } from "../../engine/project";
import { adoptionDiff } from "../../commands/adopt/compare";
import { readExport } from "../../commands/adopt/export";
import { exportService } from "../../commands/adopt/export-service";
import type { ImportFile } from "../../commands/adopt/import-file";
import { main } from "../../commands/adopt";
import { mapPolicy, rawXmlToXml } from "../../commands/adopt/policy-map";
import { apiPolicy } from "../../components/common/policies";
import { assembleExport, exampleBody, exportFiles, serviceId } from "../support/adopt-export";
import { captured, fixtureSource } from "../helpers";
import { temporaryDirectory } from "../support/temporary";

/**
 * A project to adopt into: the fixture project with an empty workflows/ (the adopted catalog
 * forwards to no workflow) and no `workflows` key in its dev stack file.
 */
function adoptionProject(): string {
    const dir = temporaryDirectory("adopt-project-");
    fs.cpSync(fixtureSource, dir, { recursive: true });
    fs.copyFileSync(path.join(repoRoot, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    for (const file of fs.readdirSync(path.join(dir, "workflows"))) {
        fs.rmSync(path.join(dir, "workflows", file));
    }
    const stackFile = path.join(dir, "Pulumi.dev.yaml");
    fs.writeFileSync(stackFile, fs.readFileSync(stackFile, "utf8").replace(/ {2}enterprise-integration:workflows:\n( {4}.*\n)+/, ""));
    return dir;
}

async function adopt(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const { result, stdout, stderr } = await captured(() => main(argv, runStack, {}));
    return { code: result, stdout, stderr };
}

/** Every file under `dir`, relative, sorted. */
function filesUnder(dir: string): string[] {
    return fs
        .readdirSync(dir, { recursive: true, encoding: "utf8" })
        .filter((file) => fs.statSync(path.join(dir, file)).isFile())
        .sort();
}

/**
 * The REST examples' service, adopted once into dev of a fresh project; shared by the tests that
 * read the result. Started by the first of them (output is captured while it runs, so never beside
 * another file's tests).
 */
const adoption = async () => {
    const exportDir = assembleExport(temporaryDirectory("adopt-export-"));
    const project = adoptionProject();
    // The run adopt plans with is the one the tests read.
    let run: StackRun | undefined;
    const {
        result: code,
        stdout,
        stderr,
    } = await captured(() =>
        main(
            ["dev", "--from", exportDir, "--replace-catalog", "--project-dir", project],
            async (options) => (run = await runStack(options)),
            {},
        ),
    );
    return { exportDir, project, code, stdout, stderr, run };
};
let adopted: ReturnType<typeof adoption>;

describe("npm run adopt: the REST spec's example service", function () {
    this.timeout(120000);
    before(() => {
        adopted = adoption();
        return adopted;
    });

    it("writes a project that plans, whose first pulumi up after the import replaces nothing", async () => {
        const { code, stdout, stderr, run, exportDir } = await adopted;
        assert.equal(code, 0, stderr);
        assert.match(
            stdout,
            /^The first pulumi up after pulumi import, against the export: 0 to replace, \d+ to update, \d+ to create, \d+ unchanged\.$/m,
        );
        const { diff } = adoptionDiff(run!, readExport(exportDir));
        assert.deepEqual(
            diff.steps.filter((step) => step.op === "replace" || step.op === "delete"),
            [],
        );
        // Each update says why, and the policies, APIs and the service are among them.
        const updated = diff.steps.filter((step) => step.op === "update").map((step) => `${step.type.split(":").pop()} ${step.name}`);
        for (const expected of [
            "ApiManagementService gateway-apim",
            "Policy gateway-policy",
            "ApiPolicy catalog-policy-echo-api-rev2",
            "Product catalog-product-starter",
        ]) {
            assert.ok(updated.includes(expected), `${expected} in ${updated.join(", ")}`);
        }
        assert.equal((stdout.match(/^ {6}why: /gm) ?? []).length >= updated.length, true);
        // The region reads as the same whatever ARM calls it ("East US" against eastus).
        assert.doesNotMatch(stdout, /^ {4}location: /m);
    });

    it("names every exported resource the program registers, under the program's names and parents", async () => {
        const { project, run, exportDir } = await adopted;
        const imports = JSON.parse(fs.readFileSync(path.join(project, "import-dev.json"), "utf8")) as ImportFile;
        const byName = new Map(imports.resources.map((entry) => [entry.name, entry]));
        const byUrn = new Map(run!.resources.map((resource) => [resource.urn, resource]));
        for (const entry of imports.resources) {
            const registered = run!.resources.find(
                (resource) => resource.type === entry.type && resource.name === (entry.logicalName ?? entry.name),
            );
            assert.ok(registered, `${entry.type} ${entry.name} is registered by the program`);
            const parent = registered.parent ? byUrn.get(registered.parent) : undefined;
            assert.equal(entry.parent, parent && parent.type !== "pulumi:pulumi:Stack" ? parent.name : undefined, `${entry.name}'s parent`);
            if (entry.parent) {
                assert.ok(byName.has(entry.parent), `${entry.name}'s parent ${entry.parent} is in the file`);
            }
            assert.equal(entry.component === true, !registered.custom);
        }
        const ids = imports.resources
            .flatMap((entry) => (entry.id?.startsWith(serviceId) ? [entry.id.slice(serviceId.length)] : []))
            .sort();
        assert.deepEqual(ids, [
            "",
            "/apis/57d1f7558aa04f15146d9d8a;rev=1",
            "/apis/echo-api;rev=1",
            "/apis/echo-api;rev=1/policies/policy",
            "/apis/echo-api;rev=2",
            "/apis/echo-api;rev=2/policies/policy",
            "/apis/echo-api;rev=3",
            "/apis/echo-api;rev=3/policies/policy",
            "/apis/petstoreapi;rev=1",
            "/apis/petstoreapi;rev=1/policies/policy",
            "/diagnostics/applicationinsights",
            "/identityProviders/Aad",
            "/policies/policy",
            "/products/starter",
            "/products/starter/apis/echo-api",
            "/products/starter/apis/petstoreapi",
            "/products/unlimited",
            "/products/unlimited/apis/57d1f7558aa04f15146d9d8a",
            "/products/unlimited/apis/echo-api",
        ]);
        // The resource group, by its own id.
        assert.ok(
            imports.resources.some(
                (entry) =>
                    entry.type === "azure-native:resources:ResourceGroup" &&
                    entry.id === "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1",
            ),
        );
        assert.ok(readExport(exportDir).ids.size > ids.length, "what the program does not register stays out of the file");
    });

    it("keeps the service's names, API ids and revisions, staging a revision after the current one", async () => {
        const { project } = await adopted;
        const stack = parseYaml(fs.readFileSync(path.join(project, "Pulumi.dev.yaml"), "utf8")).config;
        assert.equal(stack["enterprise-integration:location"], "eastus");
        assert.deepEqual(stack["enterprise-integration:gateway"], {
            sku: "Premium",
            capacity: 1,
            additionalLocations: [{ location: "eastus2", capacity: 1 }],
            publisherName: "Test Premium",
            publisherEmail: "apim-admin@contoso.com",
            backends: {
                "echo-api": { url: "https://echoapi.cloudapp.net/api" },
                petstoreapi: { url: "https://petstore.swagger.io/v1" },
                schulte: { url: "https://api.plexonline.com/DataSource/Service.asmx" },
            },
            serviceName: "OGF-Z3-06162021-Premium",
            resourceGroup: "rg1",
            serviceExists: true,
            portalSignUp: true,
        });
        assert.ok(stack["enterprise-integration:dns"], "the rest of the stack file is kept");
        const echo = parseYaml(fs.readFileSync(path.join(project, "apis", "echo-api", "api.yaml"), "utf8"));
        assert.equal(echo.apiId, "echo-api");
        assert.deepEqual(
            echo.revisions.map((revision: Record<string, unknown>) => [revision.revision, revision.spec, revision.staged]),
            [
                [2, undefined, undefined],
                [3, "openapi-rev3.json", true],
            ],
        );
        assert.deepEqual(echo.policy.access, [{ name: "call", methods: ["GET", "POST", "DELETE"], role: "EchoApi.Call" }]);
        const soap = parseYaml(fs.readFileSync(path.join(project, "apis", "schulte", "api.yaml"), "utf8"));
        assert.deepEqual(
            [soap.apiId, soap.kind, soap.wsdl],
            ["57d1f7558aa04f15146d9d8a", "soap", { service: "NumberConversion", endpoint: "NumberConversionSoap" }],
        );
        assert.deepEqual(Object.keys(parseYaml(fs.readFileSync(path.join(project, "apis", "products.yaml"), "utf8"))), [
            "starter",
            "unlimited",
        ]);
        assert.deepEqual(JSON.parse(fs.readFileSync(path.join(project, "policies", "config", "dev.json"), "utf8")), {
            "apim-managed-certificate-on-create": { serviceExists: true },
        });
        // The exported policy's own element, with its C# block, is the user's policy file.
        assert.match(
            fs.readFileSync(path.join(project, "apis", "echo-api", "policy.xml"), "utf8"),
            /<set-header name="correlationid" exists-action="skip">[\s\S]*bytes\[5\] = \(byte\)\(time &gt;&gt; 40\);/,
        );
    });

    it("says what it did not adopt, and what changes, each with what to do", async () => {
        const { stdout } = await adopted;
        for (const line of [
            "product kjoshiarmtemplateCert1: not adopted: its id is not a catalog product name",
            "api a1: not adopted: it is in no product the catalog adopts",
            "apis/petstoreapi/1/operations/loginUser/policy.json: not adopted: the operation loginUser has no operationId loginUser in the exported specification",
            "backends.json: proxybackend: no adopted API forwards to it; it stays in the service, unmanaged",
            "api echo-api: its version (none) becomes v1 in a path segment (the catalog's versioning): callers' URLs change from /echo/... to /echo/v1/...",
            "api petstoreapi: its token check required no role; the program's gateway validates an Entra ID token with the role Petstoreapi.Call on every call",
            "apis/echo-api/2/policy.json: inbound: <set-header> (line 13) ran before the wider scopes' policies (the section had no <base />)",
            // The ids the program uses for its own resources, taken in the service.
            "  - diagnostics/applicationinsights: the program's Diagnostic gateway-diagnostic",
            "  - policies/policy: the program's Policy gateway-policy",
            "  - identityProviders/Aad: the program's IdentityProvider gateway-portal-aad",
        ]) {
            assert.ok(stdout.includes(line), line);
        }
    });
});

describe("npm run adopt: an operation policy", function () {
    this.timeout(60000);

    it("is written as operations/<operationId>.xml, <base /> added where it lacked one, and imported under the program's name", async () => {
        // The Petstore document with listPets's operationId in the form the catalog keeps as a
        // file name, and the REST example's operation policy on that operation.
        const files = exportFiles();
        const spec = (files["apis/petstoreapi/1/spec.json"] as string).replace('"operationId": "listPets"', '"operationId": "list-pets"');
        const policy = exampleBody("ApiManagementGetApiOperationPolicy");
        const exportDir = assembleExport(temporaryDirectory("adopt-export-"), {
            files: {
                "apis/petstoreapi/1/spec.json": spec,
                "apis/petstoreapi/1/operations.json": {
                    value: [{ id: `${serviceId}/apis/petstoreapi;rev=1/operations/list-pets`, name: "list-pets", properties: {} }],
                },
                "apis/petstoreapi/1/operations/loginUser/policy.json": undefined,
                "apis/petstoreapi/1/operations/list-pets/policy.json": {
                    ...policy,
                    id: `${serviceId}/apis/petstoreapi;rev=1/operations/list-pets/policies/policy`,
                    properties: { ...policy["properties"], format: "rawxml" },
                },
            },
        });
        const project = adoptionProject();
        const { code, stdout, stderr } = await adopt("dev", "--from", exportDir, "--replace-catalog", "--project-dir", project);
        assert.equal(code, 0, stderr);
        const written = fs.readFileSync(path.join(project, "apis", "petstoreapi", "operations", "list-pets.xml"), "utf8");
        assert.match(written, /<on-error>\s*<base \/>\s*<\/on-error>/, "the section the policy lacked, with <base />");
        assert.match(
            written,
            /<outbound>\s*<base \/>\s*<set-header name="X-My-Sample" exists-action="override">[\s\S]*<jsonp callback-parameter-name="ProcessResponse"\/>\s*<\/outbound>/,
        );
        assert.ok(
            stdout.includes("apis/petstoreapi/1/operations/list-pets/policy.json: on-error had no <base />; the policy file adds it first"),
        );
        const imports = JSON.parse(fs.readFileSync(path.join(project, "import-dev.json"), "utf8")) as ImportFile;
        assert.deepEqual(
            imports.resources
                .filter((entry) => entry.type === "azure-native:apimanagement:ApiOperationPolicy")
                .map((entry) => [entry.name, entry.id]),
            [["catalog-policy-petstoreapi-list-pets", `${serviceId}/apis/petstoreapi;rev=1/operations/list-pets/policies/policy`]],
        );
    });
});

describe("npm run adopt: refusals", function () {
    this.timeout(60000);

    /** Adopts an export of the examples with `files` laid over it into a new project; the project's files before and after. */
    async function refused(files: Record<string, unknown>) {
        const exportDir = assembleExport(temporaryDirectory("adopt-export-"), { files: files as never });
        const project = adoptionProject();
        const before = filesUnder(project);
        const result = await adopt("dev", "--from", exportDir, "--replace-catalog", "--project-dir", project);
        return { ...result, unchanged: JSON.stringify(filesUnder(project)) === JSON.stringify(before) };
    }

    it("refuses a policy that needs a secret kept in API Management, and writes nothing", async () => {
        // The examples' plain named value, made a secret, and the echo API's policy using it.
        const values = exportFiles()["namedValues.json"] as { value: Array<Record<string, any>> };
        const plain = values.value[0]!;
        plain["properties"] = { displayName: plain["properties"].displayName, secret: true };
        const policy = exportFiles()["apis/echo-api/2/policy.json"] as Record<string, any>;
        policy["properties"]["value"] = policy["properties"]["value"].replace(
            "<policies>\r\n\t<inbound>",
            '<policies>\r\n\t<inbound>\r\n\t\t<set-header name="X-Logger-Credentials" exists-action="override">\r\n\t\t\t<value>{{592f1174cc83890dc4f32686}}</value>\r\n\t\t</set-header>',
        );
        const { code, stderr, unchanged } = await refused({ "namedValues.json": values, "apis/echo-api/2/policy.json": policy });
        assert.equal(code, 1);
        assert.equal(
            stderr,
            "Cannot adopt OGF-Z3-06162021-Premium: nothing was written.\n" +
                "  apis/echo-api/2/policy.json: {{592f1174cc83890dc4f32686}} is a secret kept in API Management, not in Key Vault (allowed: a Key Vault reference: put the value in a Key Vault secret, make 592f1174cc83890dc4f32686 a Key Vault named value, export again); adopt never writes a secret's value to a file\n",
        );
        assert.ok(unchanged, "nothing written");
    });

    it("refuses a backend policy it cannot place, and writes nothing", async () => {
        // The example API policy, with the request forwarded with a timeout of its own.
        const body = exampleBody("ApiManagementGetApiPolicy");
        const value = (body["properties"]["value"] as string).replace(
            "<backend>\r\n    <base />\r\n  </backend>",
            '<backend>\r\n    <forward-request timeout="60" />\r\n  </backend>',
        );
        assert.notEqual(value, body["properties"]["value"]);
        const { code, stderr, unchanged } = await refused({
            "apis/petstoreapi/1/policy.json": {
                ...body,
                id: `${serviceId}/apis/petstoreapi;rev=1/policies/policy`,
                properties: { format: "rawxml", value },
            },
        });
        assert.equal(code, 1);
        assert.equal(
            stderr,
            "Cannot adopt OGF-Z3-06162021-Premium: nothing was written.\n" +
                "  apis/petstoreapi/1/policy.json: backend: <forward-request> (line 19) cannot be adopted (allowed: <base /> or a bare <forward-request />; the program forwards every request once, from the global policy: move what it does into inbound, or keep this API out of the adoption)\n",
        );
        assert.ok(unchanged, "nothing written");
    });

    it("refuses a tier the program does not deploy", async () => {
        const service = exportFiles()["service.json"] as Record<string, any>;
        const { code, stderr } = await refused({ "service.json": { ...service, sku: { name: "Consumption", capacity: 0 } } });
        assert.equal(code, 1);
        assert.match(
            stderr,
            /^ {2}service\.json: sku\.name: "Consumption" is not a tier this program deploys \(allowed: Developer, Basic, Standard, Premium\); a new tier would be a new service$/m,
        );
    });

    it("refuses an export it cannot read, naming each file and key", async () => {
        const dir = assembleExport(temporaryDirectory("adopt-export-"));
        fs.rmSync(path.join(dir, "backends.json"));
        fs.writeFileSync(path.join(dir, "loggers.json"), "{ not json");
        fs.writeFileSync(path.join(dir, "certificates.json"), JSON.stringify({ items: [] }));
        const { code, stderr } = await adopt("dev", "--from", dir, "--project-dir", adoptionProject());
        assert.equal(code, 1);
        const lines = stderr.trimEnd().split("\n");
        assert.equal(lines[0], `The export in ${dir} cannot be read:`);
        assert.deepEqual(lines.slice(1).sort(), [
            "  backends.json: missing (allowed: the file npm run export-apim writes; export the service again)",
            '  certificates.json: value: missing or not a list (allowed: { "value": [ ... ] }, a list as ARM returns it)',
            `  loggers.json: is not JSON (${(() => {
                try {
                    JSON.parse("{ not json");
                } catch (error) {
                    return (error as Error).message;
                }
                return "";
            })()})`,
        ]);
    });

    it("leaves a catalog already in apis/ alone unless told to replace it", async () => {
        const project = adoptionProject();
        const { code, stderr } = await adopt(
            "dev",
            "--from",
            assembleExport(temporaryDirectory("adopt-export-")),
            "--project-dir",
            project,
        );
        assert.equal(code, 1);
        assert.equal(
            stderr,
            "apis/: holds a catalog already (accounts, ledger, partners-policy.xml, products.yaml, shipments) (allowed: an empty apis/, or --replace-catalog to remove it first: adopt writes the service's whole catalog, and an API left there would be created beside it)\n",
        );
        assert.ok(fs.existsSync(path.join(project, "apis", "ledger", "api.yaml")));
    });

    it("says why the project it wrote does not plan, when the stack file or workflows/ are not yet the user's", async () => {
        // The fixture's workflows call the ledger API the adopted catalog replaced.
        const project = temporaryDirectory("adopt-project-");
        fs.cpSync(fixtureSource, project, { recursive: true });
        fs.copyFileSync(path.join(repoRoot, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
        const exportDir = assembleExport(temporaryDirectory("adopt-export-"));
        const { code, stderr } = await adopt("dev", "--from", exportDir, "--replace-catalog", "--project-dir", project);
        assert.equal(code, 1);
        assert.equal(
            stderr,
            `\nThe written project does not plan yet; fix what follows (the stack file and workflows/ are yours to set: docs/adopting.md, step 2), then run npm run adopt -- dev --from ${exportDir} --replace-catalog again for the import file and the diff:\n` +
                "The Workflows component's arguments have 2 problems:\n" +
                "  - workflows/shipment-intake.json: parameters.ledgerBaseUrl: has no defaultValue and no value is given (allowed: a value for every parameter without a defaultValue)\n" +
                "  - workflows/shipment-intake.json: parameters.ledgerApiKey: has no defaultValue and no value is given (allowed: a value for every parameter without a defaultValue)\n",
        );
        assert.ok(!fs.existsSync(path.join(project, "import-dev.json")), "no import file for a project that does not plan");
    });

    it("names the export it needs", async () => {
        const { code, stderr } = await adopt("dev");
        assert.equal(code, 2);
        assert.match(stderr, /^Name the export: --from <dir>\.\n/);
    });
});

describe("how an existing policy maps onto the program's", () => {
    const token = {
        openIdConfigUrl: "https://login.microsoftonline.com/tenant/v2.0/.well-known/openid-configuration",
        issuers: ["https://issuer"],
        audiences: ["api://x"],
    };

    it("recognises everything the gateway generates, so a policy the program wrote maps back to its api.yaml", async () => {
        const user = {
            inbound: ['<set-header name="X-Trace" exists-action="skip"><value>@(context.RequestId.ToString())</value></set-header>'],
            outbound: ['<set-header name="X-Out" exists-action="override"><value>1</value></set-header>'],
            "on-error": [],
        };
        const document = apiPolicy({
            rateLimit: { calls: 300, renewalPeriod: 60 },
            cacheDuration: 120,
            access: [
                { name: "read", methods: ["GET"], role: "Items.Read" },
                { name: "write", methods: ["POST", "PUT"], role: "Items.Write" },
            ],
            token,
            forward: { backendId: "items" },
            backendKey: { header: "X-Api-Key", namedValue: "items-backend-key" },
            user,
        });
        const mapped = await mapPolicy("policy.json", document, new Set(["items-backend-key"]));
        const flat = (elements: string[]) => elements.map((element) => element.replace(/>\s+</g, "><"));
        assert.deepEqual(
            {
                ...mapped,
                user: { inbound: flat(mapped.user.inbound), outbound: flat(mapped.user.outbound), "on-error": mapped.user["on-error"] },
            },
            {
                roles: ["Items.Read", "Items.Write"],
                validatesTokens: true,
                rateLimit: { calls: 300, renewalPeriod: 60 },
                cacheDuration: 120,
                backend: { backendId: "items" },
                backendKey: { header: "X-Api-Key", namedValue: "items-backend-key" },
                user: { inbound: [user.inbound[0]], outbound: [user.outbound[0]], "on-error": [] },
                notes: [],
                refusals: [],
            },
        );
    });

    it("keeps a header set from a named value that is not in Key Vault as the user's", async () => {
        const document = apiPolicy({
            rateLimit: { calls: 1, renewalPeriod: 1 },
            cacheDuration: 0,
            access: [{ name: "all", methods: ["GET"], role: "A" }],
            token,
            forward: { backendId: "a" },
            backendKey: { header: "X-Key", namedValue: "plain" },
        });
        const mapped = await mapPolicy("policy.json", document, new Set());
        assert.equal(mapped.backendKey, undefined);
        assert.deepEqual(
            mapped.user.inbound.map((element) => element.replace(/\s+/g, " ")),
            ['<set-header name="X-Key" exists-action="override"> <value>{{plain}}</value> </set-header>'],
        );
    });

    it("reads rawxml expressions as XML: <, > and a bare & encoded inside @(...) and @{...}, literals skipped", () => {
        assert.equal(
            rawXmlToXml(
                `<when condition="@(a < b && c > "d)")"><value>@{ return x<y ? "a&amp;b" : '<'; }</value>@@(not)</when><x a='@("'")' />`,
            ),
            `<when condition="@(a &lt; b &amp;&amp; c &gt; &quot;d)&quot;)"><value>@{ return x&lt;y ? "a&amp;b" : '&lt;'; }</value>@@(not)</when><x a='@("&apos;")' />`,
        );
    });
});

describe("npm run export-apim", function () {
    this.timeout(60000);

    it("writes, with az rest and the export links, the files adopt reads", async () => {
        // The assembled export served as ARM would, by a server in this process: the fake az (a
        // bash script, quick to start) asks it for the URL it was given; the export links point
        // at it too. Lists come in pages of three, to follow nextLink.
        const source = assembleExport(temporaryDirectory("adopt-source-"));
        const base = `https://management.azure.com${serviceId}`;
        const calls: string[] = [];
        const read = (file: string) => {
            const full = path.join(source, file);
            return fs.existsSync(full) ? (JSON.parse(fs.readFileSync(full, "utf8")) as Record<string, any>) : undefined;
        };
        let port = 0;
        const answer = (href: string): unknown => {
            calls.push(href);
            const url = new URL(href);
            const rel = decodeURIComponent(url.href.split("?")[0]!).slice(base.length);
            if (!decodeURIComponent(url.href).startsWith(base)) {
                return read("resource-group.json");
            }
            const q = url.searchParams;
            let match: RegExpExecArray | null;
            let body: Record<string, any> | undefined;
            if (rel === "") {
                body = read("service.json");
            } else if ((match = /^\/apis\/([^/;]+);rev=(\d+)$/.exec(rel))) {
                body = read(`apis/${match[1]}/${match[2]}/${q.get("export") === "true" ? "export" : "api"}.json`);
                if (body && q.get("export") === "true") {
                    body["value"] = {
                        link: `http://127.0.0.1:${port}/link/apis/${match[1]}/${match[2]}/${q.get("format") === "wsdl-link" ? "spec.wsdl" : "spec.json"}`,
                    };
                }
            } else if ((match = /^\/apis\/([^/;]+);rev=(\d+)\/(.*)$/.exec(rel))) {
                body = read(`apis/${match[1]}/${match[2]}/${match[3]!.replace(/(^|\/)policies\/policy$/, "$1policy")}.json`);
            } else {
                body = read(`${rel.slice(1).replace(/(^|\/)policies\/policy$/, "$1policy")}.json`);
            }
            if (body && Array.isArray(body["value"])) {
                const skip = Number(q.get("skip") ?? 0);
                const next = new URL(href);
                next.searchParams.set("skip", String(skip + 3));
                return { value: body["value"].slice(skip, skip + 3), ...(body["value"].length > skip + 3 ? { nextLink: next.href } : {}) };
            }
            return body;
        };
        const server = http.createServer((request, response) => {
            if (request.url!.startsWith("/link/")) {
                response.end(fs.readFileSync(path.join(source, request.url!.slice("/link/".length))));
                return;
            }
            const body = answer(String(request.headers["x-url"]));
            response.end(body === undefined ? "NOTFOUND" : JSON.stringify(body));
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        port = (server.address() as { port: number }).port;
        const az = path.join(temporaryDirectory("adopt-az-"), "az");
        fs.writeFileSync(
            az,
            [
                "#!/usr/bin/env bash",
                'for ((i = 1; i <= $#; i++)); do if [ "${!i}" = "--url" ]; then j=$((i + 1)); url="${!j}"; fi; done',
                `exec 3<>/dev/tcp/127.0.0.1/${port}`,
                "printf 'GET / HTTP/1.0\\r\\nX-Url: %s\\r\\n\\r\\n' \"$url\" >&3",
                "body=$(sed '1,/^\\r$/d' <&3)",
                `if [ "$body" = "NOTFOUND" ]; then echo "ERROR: (ResourceNotFound) Operation returned an invalid status 'Not Found'" >&2; exit 3; fi`,
                "printf '%s' \"$body\"",
                "",
            ].join("\n"),
        );
        fs.chmodSync(az, 0o755);
        const out = path.join(temporaryDirectory("adopt-exported-"), "export");
        try {
            await exportService({
                subscription: "00000000-0000-0000-0000-000000000000",
                resourceGroup: "rg1",
                name: "OGF-Z3-06162021-Premium",
                out,
                az,
            });
        } finally {
            server.close();
        }
        const written = readExport(out);
        const original = readExport(source);
        assert.deepEqual([...written.ids.keys()].sort(), [...original.ids.keys()].sort());
        assert.deepEqual(
            written.apis.map((api) => [
                api.id,
                api.revisions.map((revision) => [revision.revision, revision.spec.content.length, Object.keys(revision.operationPolicies)]),
            ]),
            original.apis.map((api) => [
                api.id,
                api.revisions.map((revision) => [revision.revision, revision.spec.content.length, Object.keys(revision.operationPolicies)]),
            ]),
        );
        assert.ok(
            calls.every((call) =>
                call.startsWith("https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1"),
            ),
        );
        assert.ok(calls.includes(`${base}/apis/echo-api;rev=3?api-version=2024-05-01&format=openapi%2Bjson-link&export=true`));
        assert.ok(calls.includes(`${base}/policies/policy?api-version=2024-05-01&format=rawxml`));
        assert.ok(
            calls.some((call) => call.includes("&skip=3")),
            "a list's further pages are read",
        );
    });
});
