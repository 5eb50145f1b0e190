import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import type { StackRun } from "../../engine";
import { listStacks, repoRoot } from "../../engine/project";
import { connectorExamples } from "../helpers";
import { planProject, projectProblems } from "../support/project-checks";
import { temporaryDirectory } from "../support/temporary";

/**
 * The shipped project (`apis/`, `workflows/`, every stack file) is the user's to change, so it is
 * checked only by rules that hold for any valid content. The same rules run on a copy extended
 * the README's way: a new API of each description format, a new workflow and a new stack file.
 */

/** A copy of this repository's project: Pulumi.yaml, every stack file, `apis/` and `workflows/`. */
function copyOfProject(): string {
    const dir = temporaryDirectory("enterprise-integration-extended-");
    for (const file of fs.readdirSync(repoRoot).filter((name) => /^Pulumi(\..+)?\.yaml$/.test(name))) {
        fs.copyFileSync(path.join(repoRoot, file), path.join(dir, file));
    }
    for (const folder of ["apis", "workflows", path.join("policies", "config")]) {
        fs.cpSync(path.join(repoRoot, folder), path.join(dir, folder), { recursive: true });
    }
    return dir;
}

/** Writes `files` (path under `dir` -> text), making folders as needed. */
function write(dir: string, files: Record<string, string>): void {
    for (const [file, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
    }
}

/** Changes a stack file the way a user would, keeping its comments. */
function editStackFile(dir: string, stack: string, edit: (set: (key: string[], value: unknown) => void) => void): void {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    const doc = parseDocument(fs.readFileSync(file, "utf8"));
    edit((key, value) => doc.setIn(["config", ...key], doc.createNode(value)));
    fs.writeFileSync(file, doc.toString());
}

const invoicesApi = `name: invoices
displayName: Invoices
description: Invoices and credit notes from the billing system.
path: invoices
version: v1
kind: openapi
spec: openapi.json
products: [internal]
policy:
  rateLimit: { calls: 100, renewalPeriod: 60 }
  access:
    - { name: read, methods: [GET], role: Invoices.Read }
`;
const invoicesSpec = {
    openapi: "3.0.3",
    info: { title: "Invoices", version: "1.0" },
    paths: {
        "/invoices/{invoiceId}": {
            get: {
                operationId: "getInvoice",
                parameters: [{ name: "invoiceId", in: "path", required: true, schema: { type: "string" } }],
                responses: { "200": { description: "The invoice." } },
            },
        },
    },
};
const shipmentsApi = `name: shipments
displayName: Shipments
description: Parcels handed to carriers, and where they are.
path: shipments
version: v1
kind: openapi
spec: openapi.yaml
backendApiKey:
  header: X-Api-Key
products: [partners]
policy:
  rateLimit: { calls: 60, renewalPeriod: 60 }
  cacheDuration: 30
  access:
    - { name: read, methods: [GET], role: Shipments.Read }
    - { name: write, methods: [POST], role: Shipments.Write }
`;
const shipmentsSpec = `openapi: 3.0.1
info:
  title: Shipments
  version: "1.0"
paths:
  /shipments:
    post:
      operationId: createShipment
      requestBody:
        content:
          application/json:
            schema: { $ref: "#/components/schemas/Shipment" }
      responses:
        "201": { description: Created. }
  /shipments/{shipmentId}:
    get:
      operationId: getShipment
      parameters:
        - { name: shipmentId, in: path, required: true, schema: { type: string } }
      responses:
        "200":
          description: The shipment.
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Shipment" }
components:
  schemas:
    Shipment:
      type: object
      required: [carrier]
      properties:
        carrier: { type: string }
        trackingNumber: { type: string }
`;
const archiveWorkflow = {
    $schema: "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
    contentVersion: "1.0.0.0",
    parameters: { invoiceArchiveContainerUrl: { type: "String" } },
    triggers: {
        manual: {
            type: "Request",
            kind: "Http",
            inputs: { method: "POST", schema: { type: "object", required: ["invoiceId"], properties: { invoiceId: { type: "string" } } } },
        },
    },
    actions: {
        Archive: {
            type: "Http",
            inputs: {
                method: "PUT",
                uri: "@{parameters('invoiceArchiveContainerUrl')}/@{encodeUriComponent(triggerBody()?['invoiceId'])}.json",
                headers: { "x-ms-version": "2023-11-03", "x-ms-date": "@{formatDateTime(utcNow(),'r')}", "x-ms-blob-type": "BlockBlob" },
                body: "@triggerBody()",
                authentication: { type: "ManagedServiceIdentity", audience: "https://storage.azure.com/" },
            },
            runAfter: {},
        },
    },
    outputs: {},
};

/** An api.yaml of a SOAP API publishing `endpoint` of the calculator WSDL. */
const calculatorApi = (name: string, endpoint: string) => `name: ${name}
displayName: Calculator (${endpoint})
description: Adds and subtracts, over SOAP.
path: ${name}
version: v1
kind: soap
spec: calculator.wsdl
wsdl: { service: Calculator, endpoint: ${endpoint} }
products: [internal]
policy:
  rateLimit: { calls: 60, renewalPeriod: 60 }
  access:
    - { name: call, methods: [POST], role: Calculator.Call }
`;
const petsApi = `name: pets
displayName: Pets
description: The pet store, from its Swagger 2.0 description.
path: pets
version: v1
kind: openapi
spec: swagger.json
products: [internal]
policy:
  rateLimit: { calls: 60, renewalPeriod: 60 }
  access:
    - { name: read, methods: [GET], role: Pets.Read }
    - { name: write, methods: [POST, PUT, DELETE], role: Pets.Write }
`;

/**
 * The shipped project with more APIs (OpenAPI 3.0 in JSON and YAML, Swagger 2.0 in JSON, two SOAP
 * services), a workflow and a stack, added as the README says.
 */
function extendedProject(): string {
    const dir = copyOfProject();
    const specs = path.join(repoRoot, "tests", "fixtures", "specs");
    write(dir, {
        "apis/pets/api.yaml": petsApi,
        "apis/pets/swagger.json": fs.readFileSync(path.join(specs, "petstore-swagger2.json"), "utf8"),
        "apis/calculator/api.yaml": calculatorApi("calculator", "CalculatorSoap"),
        "apis/calculator/calculator.wsdl": fs.readFileSync(path.join(specs, "calculator.wsdl"), "utf8"),
        "apis/calculator12/api.yaml": calculatorApi("calculator12", "CalculatorSoap12"),
        "apis/calculator12/calculator.wsdl": fs.readFileSync(path.join(specs, "calculator.wsdl"), "utf8"),
        "apis/invoices/api.yaml": invoicesApi,
        "apis/invoices/openapi.json": JSON.stringify(invoicesSpec, null, 2),
        "apis/shipments/api.yaml": shipmentsApi,
        "apis/shipments/openapi.yaml": shipmentsSpec,
        "workflows/invoice-archive.json": JSON.stringify(archiveWorkflow, null, 4),
        // Two workflows with managed connectors, as "Using a connector" says: a designer export as
        // it is, and its connections declared beside it.
        "workflows/invoice-mail.json": fs.readFileSync(path.join(connectorExamples, "shipment-mail.json"), "utf8"),
        "workflows/invoice-events.json": fs.readFileSync(path.join(connectorExamples, "shipment-events.json"), "utf8"),
        "workflows/connections.yaml": [
            "office365:",
            "  api: office365",
            "  authentication: oauth",
            "servicebus:",
            "  api: servicebus",
            "  authentication: managedIdentity",
            "  role: Azure Service Bus Data Sender",
            "",
        ].join("\n"),
    });
    // A new stack: a copy of a stack file with its own values.
    const test = fs.readFileSync(path.join(dir, "Pulumi.test.yaml"), "utf8");
    write(dir, { "Pulumi.staging.yaml": test.replace(/environment: test/, "environment: staging").replace(/-test\b/g, "-staging") });
    // Every stack: the new APIs' backends, the new workflow.
    for (const stack of listStacks(dir)) {
        editStackFile(dir, stack, (set) => {
            set(["enterprise-integration:gateway", "backends", "invoices"], { url: "https://billing.fabrikam.com/api" });
            set(["enterprise-integration:gateway", "backends", "shipments"], { url: "https://shipping.fabrikam.com/api" });
            set(["enterprise-integration:gateway", "backends", "pets"], { url: "https://petstore.swagger.io/v2" });
            set(["enterprise-integration:gateway", "backends", "calculator"], { url: "https://calculator.fabrikam.com/calculator.asmx" });
            set(["enterprise-integration:gateway", "backends", "calculator12"], { url: "https://calculator.fabrikam.com/calculator.asmx" });
            set(["enterprise-integration:workflows", "invoice-archive"], "nested");
            set(["enterprise-integration:workflows", "invoice-mail"], "nested");
            set(["enterprise-integration:workflows", "invoice-events"], "nested");
            set(["enterprise-integration:connections", "servicebus"], {
                resourceId: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-messaging/providers/Microsoft.ServiceBus/namespaces/sb-invoices-${stack}`,
                parameters: { namespaceEndpoint: `sb://sb-invoices-${stack}.servicebus.windows.net/` },
            });
        });
    }
    return dir;
}

describe("the shipped project", () => {
    let runs: Record<string, StackRun>;
    before(async () => {
        runs = await planProject(repoRoot);
    });

    it("plans every stack file, each publishing every API of apis/ and deploying the workflows it names, with every policy valid against the policy schema and no mandatory policy violation", async () => {
        assert.deepEqual(Object.keys(runs), listStacks(repoRoot));
        assert.deepEqual(await projectProblems(repoRoot, runs), []);
    });
});

describe("the shipped project extended the README's way", () => {
    let dir: string;
    let runs: Record<string, StackRun>;
    before(async () => {
        dir = extendedProject();
        runs = await planProject(dir);
    });

    it("plans every stack, the new one too, with the new APIs (OpenAPI, Swagger, SOAP) and the new workflow, and passes the same checks", async () => {
        assert.deepEqual(Object.keys(runs), [...new Set([...listStacks(repoRoot), "staging"])].sort());
        assert.deepEqual(await projectProblems(dir, runs), []);
        for (const run of Object.values(runs)) {
            const apis = Object.keys((run.outputs.gateway as { apiIds: object }).apiIds);
            for (const api of ["invoices-v1", "shipments-v1", "pets-v1", "calculator-v1", "calculator12-v1"]) {
                assert.ok(apis.includes(api), `${run.stack}: ${api}`);
            }
            assert.ok(
                run.ofType("azure-native:logic:Workflow").some((workflow) => workflow.name === "workflows-invoice-archive"),
                run.stack,
            );
            // The connector workflows, with their connections and the Service Bus grant.
            assert.ok(
                run.ofType("azure-native:web:Connection").some((connection) => connection.name === "connections-office365"),
                run.stack,
            );
            assert.ok(
                run.ofType("azure-native:resources:Resource").some((connection) => connection.name === "connections-servicebus"),
                run.stack,
            );
            assert.ok(
                run
                    .ofType("azure-native:authorization:RoleAssignment")
                    .some((grant) => grant.name === "connection-access-invoice-events-uses-servicebus"),
                run.stack,
            );
        }
    });
});
