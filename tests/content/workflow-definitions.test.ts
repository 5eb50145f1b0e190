import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import {
    maxActions,
    parseWorkflowDefinition,
    validateWorkflowDefinition,
    WorkflowDefinitionError,
    workflowParameterValues,
    workflowSchemaUrl,
    type WorkflowDefinition,
} from "../../content/workflows/definition";
import { loadWorkflowDefinitions } from "../../content";
import { fixtureContent } from "../helpers";
import { temporaryDirectory } from "../support/temporary";

// Copies of the shipped samples, so the shipped ones stay the user's to change.
const workflowsDir = fixtureContent.workflows;
const intakeFile = "workflows/shipment-intake.json";
const notifyFile = "workflows/shipment-notify.json";

/** A fresh deep copy of a fixture definition, to break in memory. */
function sample(name: "shipment-intake" | "shipment-notify"): any {
    return JSON.parse(fs.readFileSync(path.join(workflowsDir, `${name}.json`), "utf8"));
}

/** A temp `workflows/` folder holding `files` (name -> content). */
function workflowsCopy(files: Record<string, string>): string {
    const dir = path.join(temporaryDirectory("workflows-"), "workflows");
    fs.mkdirSync(dir);
    for (const [name, content] of Object.entries(files)) {
        fs.writeFileSync(path.join(dir, name), content);
    }
    return dir;
}

/** One definition, read the way the program reads it. */
function loadWorkflowDefinition(dir: string, name: string): WorkflowDefinition {
    return loadWorkflowDefinitions(dir, [name])[name]!;
}

function problemsOfLoad(dir: string, name: string): string[] {
    try {
        loadWorkflowDefinition(dir, name);
        return [];
    } catch (error) {
        assert.ok(error instanceof WorkflowDefinitionError, String(error));
        assert.equal(
            error.message,
            [
                `The workflow definitions have ${error.problems.length === 1 ? "a problem" : `${error.problems.length} problems`}:`,
                ...error.problems.map((line) => `  - ${line}`),
            ].join("\n"),
        );
        return error.problems;
    }
}

/** `count` Compose actions, each after the one before. */
function composeChain(count: number): Record<string, unknown> {
    const actions: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) {
        actions[`Step_${i}`] = { type: "Compose", inputs: i, runAfter: i === 0 ? {} : { [`Step_${i - 1}`]: ["Succeeded"] } };
    }
    return actions;
}

describe("workflow definitions", () => {
    describe("the fixture definitions", () => {
        it("shipment-intake loads with its three parameters, one HTTP Request trigger and the exact top-level keys", () => {
            const def = loadWorkflowDefinition(workflowsDir, "shipment-intake");
            assert.equal(def.name, "shipment-intake");
            assert.equal(def.file, intakeFile);
            assert.deepEqual(Object.keys(def.definition), ["$schema", "contentVersion", "parameters", "triggers", "actions", "outputs"]);
            assert.equal(def.definition["$schema"], workflowSchemaUrl);
            assert.equal(def.definition["contentVersion"], "1.0.0.0");
            assert.deepEqual(def.parameters, {
                ledgerBaseUrl: { type: "String" },
                ledgerApiKey: { type: "SecureString" },
                shipmentNotifyWorkflowId: { type: "String" },
            });
            assert.deepEqual(
                Object.values(def.definition["triggers"] as Record<string, { type: string; kind: string }>).map(
                    (trigger) => `${trigger.type}/${trigger.kind}`,
                ),
                ["Request/Http"],
            );
            assert.deepEqual(Object.keys(def.definition["triggers"] as object), ["manual"]);
            assert.equal(Object.keys(def.definition["actions"] as object).length, 5);
        });

        it("shipment-intake reserves stock over HTTPS with retries and hidden inputs, calls shipment-notify, then answers 202 (502 when the reservation or the call fails)", () => {
            const actions = loadWorkflowDefinition(workflowsDir, "shipment-intake").definition["actions"] as Record<string, any>;
            const [httpName, http] = Object.entries(actions).find(([, action]) => action.type === "Http")!;
            assert.equal(http.inputs.method, "POST");
            assert.equal(http.inputs.uri, "@{parameters('ledgerBaseUrl')}/reservations");
            assert.equal(http.inputs.headers["x-api-key"], "@parameters('ledgerApiKey')");
            assert.deepEqual(http.inputs.retryPolicy, {
                type: "exponential",
                count: 3,
                interval: "PT5S",
                minimumInterval: "PT5S",
                maximumInterval: "PT20S",
            });
            // Retries end within the minute, so the 202 or the 502 goes out before the trigger's 120 s limit.
            assert.deepEqual(http.limit, { timeout: "PT60S" });
            assert.deepEqual(http.runtimeConfiguration.secureData.properties, ["inputs"]);

            const [workflowName, nested] = Object.entries(actions).find(([, action]) => action.type === "Workflow")!;
            assert.deepEqual(nested.inputs.host, { workflow: { id: "@parameters('shipmentNotifyWorkflowId')" }, triggerName: "manual" });
            assert.deepEqual(nested.runAfter, { [httpName]: ["Succeeded"] });

            const responses = Object.values(actions).filter((action) => action.type === "Response");
            const accepted = responses.find((action) => action.inputs.statusCode === 202);
            assert.deepEqual(accepted.inputs.body, { trackingId: "@{workflow().run.name}" });
            assert.deepEqual(accepted.runAfter, { [workflowName]: ["Succeeded"] });
            const failed = responses.filter((action) => action.inputs.statusCode === 502).map((action) => action.runAfter);
            assert.deepEqual(failed, [{ [httpName]: ["Failed", "TimedOut"] }, { [workflowName]: ["Failed", "TimedOut"] }]);
        });

        it("shipment-intake answers only with statuses the shipments API's description documents", () => {
            const spec = parseYaml(fs.readFileSync(path.join(fixtureContent.catalog, "shipments", "openapi.yaml"), "utf8"));
            const documented = Object.keys(spec.paths["/"].post.responses).map(Number);
            const actions = sample("shipment-intake").actions as Record<string, { type: string; inputs: { statusCode: number } }>;
            const answered = Object.values(actions)
                .filter((action) => action.type === "Response")
                .map((action) => action.inputs.statusCode);
            assert.deepEqual([...new Set(answered)].sort(), [202, 502]);
            assert.ok(
                answered.every((status) => documented.includes(status)),
                `${answered} within ${documented}`,
            );
        });

        it("shipment-intake's trigger schema accepts what the shipments API spec accepts", () => {
            const spec = parseYaml(fs.readFileSync(path.join(fixtureContent.catalog, "shipments", "openapi.yaml"), "utf8"));
            const order = spec.components.schemas.Order;
            const schema = sample("shipment-intake").triggers.manual.inputs.schema;
            assert.deepEqual(schema.required, order.required);
            assert.equal(schema.properties.customerId.pattern, order.properties.customerId.pattern);
            assert.equal(schema.properties.lines.minItems, order.properties.lines.minItems);
            assert.equal(schema.properties.lines.maxItems, order.properties.lines.maxItems);
            assert.deepEqual(schema.properties.lines.items.required, spec.components.schemas.OrderLine.required);
            assert.deepEqual(schema.properties.lines.items.properties.quantity, spec.components.schemas.OrderLine.properties.quantity);
        });

        it("shipment-notify loads with its container's URL, and writes the order as a block blob with an HTTP PUT and its managed identity", () => {
            const def = loadWorkflowDefinition(workflowsDir, "shipment-notify");
            assert.equal(def.file, notifyFile);
            assert.deepEqual(Object.keys(def.parameters), ["shipmentsContainerUrl"]);
            assert.equal(def.parameters.shipmentsContainerUrl!.type, "String");
            assert.deepEqual(Object.keys(def.definition["triggers"] as object), ["manual"]);
            assert.equal((def.definition["triggers"] as any).manual.type, "Request");
            assert.deepEqual((def.definition["triggers"] as any).manual.inputs.schema.required, ["orderId", "customerId", "trackingId"]);
            const actions = Object.values(def.definition["actions"] as Record<string, any>);
            const put = actions.find((action) => action.type === "Http");
            // Put Blob with a Microsoft Entra token: x-ms-blob-type, and x-ms-version 2017-11-09 or later.
            assert.equal(put.inputs.method, "PUT");
            assert.match(put.inputs.uri, /^@\{parameters\('shipmentsContainerUrl'\)\}\//);
            assert.equal(put.inputs.headers["x-ms-blob-type"], "BlockBlob");
            assert.ok(put.inputs.headers["x-ms-version"] >= "2017-11-09");
            assert.deepEqual(put.inputs.authentication, { type: "ManagedServiceIdentity", audience: "https://storage.azure.com/" });
            assert.ok(actions.some((action) => action.type === "Response" && action.inputs.statusCode === 200));
        });

        it("the shipment-intake Workflow action calls shipment-notify's trigger by its name", () => {
            const nested = Object.values(sample("shipment-intake").actions as Record<string, any>).find(
                (action) => action.type === "Workflow",
            );
            assert.ok(nested.inputs.host.triggerName in sample("shipment-notify").triggers);
        });
    });

    describe("the loader", () => {
        it("rejects a missing file, naming the definitions that exist", () => {
            const dir = workflowsCopy({
                "shipment-intake.json": JSON.stringify(sample("shipment-intake")),
                "shipment-notify.json": JSON.stringify(sample("shipment-notify")),
            });
            assert.deepEqual(problemsOfLoad(dir, "order-billing"), [
                "workflows/order-billing.json: does not exist, and the stack file's workflows.order-billing deploys it (allowed: shipment-intake, shipment-notify)",
            ]);
            assert.deepEqual(problemsOfLoad(workflowsDir, "order-billing"), [
                "workflows/order-billing.json: does not exist, and the stack file's workflows.order-billing deploys it (allowed: shipment-intake, shipment-notify)",
            ]);
        });

        it("takes the text of a definition, a byte-order mark too", () => {
            const def = parseWorkflowDefinition("shipment-notify", notifyFile, `\uFEFF${JSON.stringify(sample("shipment-notify"))}`);
            assert.equal(def.file, notifyFile);
            assert.deepEqual(def.definition, sample("shipment-notify"));
        });

        it("rejects a file that is not JSON, with the parser's message", () => {
            const text = '{ "$schema": "x", }';
            let parserMessage = "";
            try {
                JSON.parse(text);
            } catch (error) {
                parserMessage = (error as Error).message;
            }
            assert.notEqual(parserMessage, "");
            assert.deepEqual(problemsOfLoad(workflowsCopy({ "broken.json": text }), "broken"), [
                `workflows/broken.json: is not valid JSON: ${parserMessage}`,
            ]);
        });

        it("rejects an invalid definition with every problem at once, each line starting with the file", () => {
            const doc = sample("shipment-notify");
            doc.$schema =
                "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2015-08-01-preview/workflowdefinition.json#";
            delete doc.parameters.shipmentsContainerUrl;
            const problems = problemsOfLoad(workflowsCopy({ "shipment-notify.json": JSON.stringify(doc) }), "shipment-notify");
            assert.deepEqual(problems, [
                `${notifyFile}: $schema: "${doc.$schema}" is not the 2016-06-01 workflow definition schema (allowed: ${workflowSchemaUrl})`,
                `${notifyFile}: actions.Store_order.inputs.uri: parameters('shipmentsContainerUrl') is not declared in parameters (allowed: none)`,
            ]);
        });

        it("counts nested actions in Scope, If (actions and else), Switch (cases and default) and Foreach towards the limit", () => {
            const doc = sample("shipment-notify");
            doc.actions.Route = {
                type: "Switch",
                expression: "@triggerBody()?['customerId']",
                cases: { Vip: { case: "C000001", actions: { Tag: { type: "Compose", inputs: "vip" } } } },
                default: { actions: composeChain(2) },
                runAfter: { Store_order: ["Succeeded"] },
            };
            doc.actions.Check = {
                type: "If",
                expression: { and: [{ equals: [1, 1] }] },
                actions: { Each: { type: "Foreach", foreach: "@triggerBody()?['lines']", actions: composeChain(3) } },
                else: { actions: { Inner: { type: "Scope", actions: composeChain(1) } } },
            };
            // The sample's own actions, Route (+1 case, +2 default), Check (+Each (+3), +Inner (+1)), and
            // a Scope that brings the total to one over the limit.
            const counted = Object.keys(sample("shipment-notify").actions).length + 1 + 1 + 2 + 1 + 1 + 3 + 1 + 1;
            doc.actions.Pad = { type: "Scope", actions: composeChain(maxActions - counted), runAfter: { Check: ["Succeeded"] } };
            assert.deepEqual(problemsOfLoad(workflowsCopy({ "shipment-notify.json": JSON.stringify(doc) }), "shipment-notify"), [
                `${notifyFile}: actions: has ${maxActions + 1} actions, counting nested ones (allowed: at most ${maxActions})`,
            ]);
        });
    });

    describe("rejects a broken definition with the place and the problem", () => {
        it("a document that is not an object", () => {
            assert.deepEqual(validateWorkflowDefinition(intakeFile, ["actions"]), [
                `${intakeFile}: is not a workflow definition (allowed: a JSON object with $schema, contentVersion, triggers, actions)`,
            ]);
        });

        it("a missing required key", () => {
            const doc = sample("shipment-intake");
            delete doc.contentVersion;
            assert.deepEqual(validateWorkflowDefinition(intakeFile, doc), [
                `${intakeFile}: contentVersion: is missing (allowed: a version such as 1.0.0.0)`,
            ]);
        });

        it("a $schema other than the 2016-06-01 definition language", () => {
            const doc = sample("shipment-intake");
            doc.$schema = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
            assert.deepEqual(validateWorkflowDefinition(intakeFile, doc), [
                `${intakeFile}: $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#" is not the 2016-06-01 workflow definition schema (allowed: ${workflowSchemaUrl})`,
            ]);
        });

        it("an unknown top-level key", () => {
            const doc = sample("shipment-intake");
            doc.resources = [];
            assert.deepEqual(validateWorkflowDefinition(intakeFile, doc), [
                `${intakeFile}: has unknown keys resources (allowed: $schema, contentVersion, parameters, triggers, actions, outputs, staticResults, description)`,
            ]);
        });

        it("a runAfter naming an action that does not exist", () => {
            const doc = sample("shipment-intake");
            doc.actions.Accepted.runAfter = { Notify_customer: ["Succeeded"] };
            assert.deepEqual(validateWorkflowDefinition(intakeFile, doc), [
                `${intakeFile}: actions.Accepted.runAfter: "Notify_customer" is not an action in the same scope (allowed: Reserve_stock, Notify_order, Reservation_failed, Notify_failed)`,
            ]);
        });

        it("a nested runAfter naming an action of the outer scope", () => {
            const doc = sample("shipment-intake");
            doc.actions.Audit = {
                type: "Scope",
                actions: { Log: { type: "Compose", inputs: "@triggerBody()", runAfter: { Reserve_stock: ["Succeeded"] } } },
                runAfter: { Reserve_stock: ["Succeeded"] },
            };
            assert.deepEqual(validateWorkflowDefinition(intakeFile, doc), [
                `${intakeFile}: actions.Audit.actions.Log.runAfter: "Reserve_stock" is not an action in the same scope (allowed: none)`,
            ]);
        });

        it("a runAfter in a Switch case naming an action of another case", () => {
            const doc = sample("shipment-notify");
            doc.actions.Route = {
                type: "Switch",
                expression: "@triggerBody()?['customerId']",
                cases: { Vip: { case: "C000001", actions: { Tag: { type: "Compose", inputs: "vip" } } } },
                default: { actions: { Plain: { type: "Compose", inputs: "plain", runAfter: { Tag: ["Succeeded"] } } } },
            };
            assert.deepEqual(validateWorkflowDefinition(notifyFile, doc), [
                `${notifyFile}: actions.Route.default.actions.Plain.runAfter: "Tag" is not an action in the same scope (allowed: none)`,
            ]);
        });

        it("an expression naming an action the workflow does not have (Logic Apps: 'referenced by inputs ... not defined in the template')", () => {
            const doc = sample("shipment-intake");
            doc.actions.Audit = { type: "Compose", inputs: "@{body('Reserve_stocks')?['id']}", runAfter: { Reserve_stock: ["Succeeded"] } };
            const problems = validateWorkflowDefinition(intakeFile, doc);
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.match(
                problems[0]!,
                /^workflows\/shipment-intake\.json: actions\.Audit: body\('Reserve_stocks'\) names no action of this workflow \(allowed: .*Reserve_stock.*\)$/,
            );
        });

        it("items() naming a loop that does not enclose the expression, while the loop's own actions may", () => {
            const doc = sample("shipment-intake");
            doc.actions.Each_line = {
                type: "Foreach",
                foreach: "@triggerBody()?['lines']",
                actions: { Line: { type: "Compose", inputs: "@items('Each_line')?['sku']" } },
                runAfter: { Reserve_stock: ["Succeeded"] },
            };
            assert.deepEqual(validateWorkflowDefinition(intakeFile, doc), []);
            doc.actions.After = { type: "Compose", inputs: "@items('Each_line')", runAfter: { Each_line: ["Succeeded"] } };
            doc.actions.Each_line.actions.Line.inputs = "@outputs('Line_x')";
            const problems = validateWorkflowDefinition(intakeFile, doc);
            assert.equal(problems.length, 2, problems.join("\n"));
            assert.match(problems[0]!, /: actions\.Each_line\.actions\.Line: outputs\('Line_x'\) names no action of this workflow/);
            assert.equal(
                problems[1],
                `${intakeFile}: actions.After: items('Each_line') does not name a Foreach loop around it (allowed: none)`,
            );
        });

        it("a runAfter status that does not exist", () => {
            const doc = sample("shipment-intake");
            doc.actions.Reservation_failed.runAfter = { Reserve_stock: ["Failed", "Cancelled"] };
            assert.deepEqual(validateWorkflowDefinition(intakeFile, doc), [
                `${intakeFile}: actions.Reservation_failed.runAfter.Reserve_stock: "Cancelled" is not a status (allowed: Succeeded, Failed, Skipped, TimedOut)`,
            ]);
        });

        it("a reference to an undeclared parameter inside @{...} interpolation, deep in the inputs", () => {
            const doc = sample("shipment-intake");
            doc.actions.Reserve_stock.inputs.body.channel = { source: "web", region: "@{toUpper(parameters('salesRegion'))}-shipments" };
            assert.deepEqual(validateWorkflowDefinition(intakeFile, doc), [
                `${intakeFile}: actions.Reserve_stock.inputs.body.channel.region: parameters('salesRegion') is not declared in parameters (allowed: ledgerBaseUrl, ledgerApiKey, shipmentNotifyWorkflowId)`,
            ]);
        });

        it("a reference to a parameter in a header, written in a nested expression", () => {
            const doc = sample("shipment-notify");
            doc.actions.Store_order.inputs.headers["x-ms-meta-region"] = "@{concat(parameters('region'), '-shipments')}";
            assert.deepEqual(validateWorkflowDefinition(notifyFile, doc), [
                `${notifyFile}: actions.Store_order.inputs.headers.x-ms-meta-region: parameters('region') is not declared in parameters (allowed: shipmentsContainerUrl)`,
            ]);
        });

        it("ignores parameters('x') in a literal string that is not an expression", () => {
            const doc = sample("shipment-intake");
            doc.actions.Accepted.inputs.body.note = "see parameters('nothing') in the docs";
            assert.deepEqual(validateWorkflowDefinition(intakeFile, doc), []);
        });

        it("a second trigger next to the Request trigger", () => {
            const doc = sample("shipment-intake");
            doc.triggers.Every_hour = { type: "Recurrence", recurrence: { frequency: "Hour", interval: 1 } };
            assert.deepEqual(validateWorkflowDefinition(intakeFile, doc), [
                `${intakeFile}: triggers: has 2 triggers, manual of type Request among them (allowed: exactly one trigger in a workflow with a Request trigger)`,
            ]);
        });

        it("no trigger at all", () => {
            const doc = sample("shipment-intake");
            doc.triggers = {};
            assert.deepEqual(validateWorkflowDefinition(intakeFile, doc), [
                `${intakeFile}: triggers: is empty (allowed: at least one trigger)`,
            ]);
        });

        it(`more than ${maxActions} actions, counting nested ones; ${maxActions} is accepted`, () => {
            const doc = sample("shipment-intake");
            // The sample's actions + the Scope + its children.
            const own = Object.keys(doc.actions).length;
            doc.actions.Batch = { type: "Scope", actions: composeChain(maxActions - own - 1), runAfter: { Accepted: ["Succeeded"] } };
            assert.deepEqual(validateWorkflowDefinition(intakeFile, doc), []);
            doc.actions.Batch.actions = composeChain(maxActions - own);
            assert.equal(maxActions, 500, "the Logic Apps limit: 500 actions per workflow");
            assert.deepEqual(validateWorkflowDefinition(intakeFile, doc), [
                `${intakeFile}: actions: has 501 actions, counting nested ones (allowed: at most 500)`,
            ]);
        });

        it("a parameter type the definition language does not have (types are case-insensitive)", () => {
            const doc = sample("shipment-intake");
            doc.parameters.ledgerBaseUrl.type = "string";
            doc.parameters.shipmentNotifyWorkflowId.type = "ResourceId";
            assert.deepEqual(validateWorkflowDefinition(intakeFile, doc), [
                `${intakeFile}: parameters.shipmentNotifyWorkflowId.type: "ResourceId" is not a parameter type (allowed: String, SecureString, Int, Float, Bool, Array, Object, SecureObject)`,
            ]);
        });

        it("a parameter without a type", () => {
            const doc = sample("shipment-intake");
            delete doc.parameters.shipmentNotifyWorkflowId.type;
            assert.deepEqual(validateWorkflowDefinition(intakeFile, doc), [
                `${intakeFile}: parameters.shipmentNotifyWorkflowId.type: is missing (allowed: String, SecureString, Int, Float, Bool, Array, Object, SecureObject)`,
            ]);
        });

        it("a secure parameter with a default value (an empty default is fine)", () => {
            const doc = sample("shipment-intake");
            doc.parameters.ledgerApiKey.defaultValue = "";
            assert.deepEqual(validateWorkflowDefinition(intakeFile, doc), []);
            doc.parameters.ledgerApiKey.defaultValue = "k3y-from-the-portal";
            doc.parameters.partnerCredentials = { type: "secureobject", defaultValue: { user: "svc" } };
            assert.deepEqual(validateWorkflowDefinition(intakeFile, doc), [
                `${intakeFile}: parameters.ledgerApiKey.defaultValue: a SecureString parameter has a default value, which puts a secret in source (allowed: no defaultValue; pass the value at deployment)`,
                `${intakeFile}: parameters.partnerCredentials.defaultValue: a secureobject parameter has a default value, which puts a secret in source (allowed: no defaultValue; pass the value at deployment)`,
            ]);
        });
    });

    describe("parameter values for a deployment", () => {
        it("are accepted when every parameter without a default has one", () => {
            const def = loadWorkflowDefinition(workflowsDir, "shipment-notify");
            assert.deepEqual(
                workflowParameterValues(def, { shipmentsContainerUrl: "https://stordersprod.blob.core.windows.net/shipments" }),
                [],
            );
        });

        it("are rejected when a parameter without a default has none, or a value has no parameter", () => {
            const def = loadWorkflowDefinition(workflowsDir, "shipment-intake");
            assert.deepEqual(
                workflowParameterValues(def, {
                    ledgerBaseUrl: "https://ledger.fabrikam.com",
                    shipmentNotifyWorkflowId: undefined,
                    ledgerKey: "secret",
                }),
                [
                    `${intakeFile}: parameters.ledgerApiKey: has no defaultValue and no value is given (allowed: a value for every parameter without a defaultValue)`,
                    `${intakeFile}: parameters.shipmentNotifyWorkflowId: has no defaultValue and no value is given (allowed: a value for every parameter without a defaultValue)`,
                    `${intakeFile}: parameters.ledgerKey: a value is given, but the definition does not declare it (allowed: ledgerBaseUrl, ledgerApiKey, shipmentNotifyWorkflowId)`,
                ],
            );
        });
    });
});
