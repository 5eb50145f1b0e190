import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { Workflows, callerRange, checkWorkflows, deployedDefinition, parseWorkflowDefinition, requestTrigger, splitCallbackUrl, workflowIdParameter, type WorkflowDefinition, type WorkflowsArgs } from "../../components/workflows";
import { loadWorkflowDefinitions } from "../../stacks/content";
import { repoRoot } from "../../tools/engine/project";
import { runStack, type StackRun } from "../../tools/engine";

const definitionsDir = path.join(repoRoot, "workflows");
const workspaceId = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-shared/providers/Microsoft.OperationalInsights/workspaces/log-test";
const actionGroupId = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-shared/providers/Microsoft.Insights/actionGroups/ag-test";

/** The definitions of `workflows/` as the assembly hands them over, with `replaced` laid over them. */
function definitionsWith(replaced: Record<string, unknown> = {}): Record<string, WorkflowDefinition> {
    const definitions = loadWorkflowDefinitions(definitionsDir, ["order-intake", "order-notify"]);
    for (const [name, doc] of Object.entries(replaced)) {
        definitions[name] = parseWorkflowDefinition(name, `workflows/${name}.json`, JSON.stringify(doc));
    }
    return definitions;
}

function args(overrides: Partial<WorkflowsArgs> = {}): WorkflowsArgs {
    return {
        resourceGroupName: "rg-workflows",
        location: "westeurope",
        definitions: definitionsWith(),
        workflows: {
            "order-intake": { workflowName: "logic-order-intake", access: "gateway", alertName: "alert-order-intake" },
            "order-notify": { workflowName: "logic-order-notify", access: "nested", alertName: "alert-order-notify" },
        },
        parameterValues: { inventoryBaseUrl: "https://inventory.contoso.com/api", inventoryApiKey: pulumi.secret("inventory-key") },
        gatewayIpAddresses: ["20.1.2.3"],
        adminIpRanges: ["203.0.113.0/24"],
        connections: { storageAccountName: "stwftest", connectionNamePrefix: "con-test" },
        monitoring: { workspaceId, actionGroupId },
        tags: { environment: "test" },
        ...overrides,
    };
}

function deploy(workflowArgs: WorkflowsArgs): Promise<StackRun> {
    return runStack({
        stack: "dev",
        program: async () => {
            const workflows = new Workflows("wf", workflowArgs);
            const trigger = workflows.triggers["order-intake"]!;
            return {
                principals: workflows.principalIds,
                baseUrl: trigger.baseUrl,
                path: trigger.path,
                query: trigger.query,
                signature: trigger.signature,
                callbackUrl: trigger.callbackUrl,
            };
        },
    });
}

const workflowType = "azure-native:logic:Workflow";

describe("every workflow definition in workflows/", () => {
    it("loads and validates, whether a stack deploys it yet or not", () => {
        const files = fs.readdirSync(definitionsDir).filter((file) => file.endsWith(".json"));
        assert.ok(files.length >= 2);
        const definitions = loadWorkflowDefinitions(definitionsDir, files.map((file) => file.replace(/\.json$/, "")));
        for (const definition of Object.values(definitions)) {
            assert.ok(requestTrigger(definition), `${definition.file} has an HTTP trigger`);
        }
    });
});

describe("Workflows component", () => {
    let run: StackRun;
    before(async () => {
        run = await deploy(args());
    });

    describe("locked to the gateway", () => {
        it("admits the gateway's one address, as a /32 range, to a gateway-facing trigger in a one-region stack", () => {
            // Logic Apps takes x.x.x.x/x or x.x.x.x-x.x.x.x (logic-apps-securing-a-logic-app, "Restrict inbound IP addresses").
            const access = run.get(workflowType, "wf-order-intake").inputs.accessControl;
            assert.deepEqual(access.triggers, { allowedCallerIpAddresses: [{ addressRange: "20.1.2.3/32" }] });
        });

        it("enforces the request schema of a gateway-facing trigger, in what it deploys", () => {
            const triggers = run.get(workflowType, "wf-order-intake").inputs.definition.triggers;
            for (const trigger of Object.values(triggers) as Array<{ type: string; inputs?: { schema?: unknown }; operationOptions?: string }>) {
                if (trigger.type === "Request" && trigger.inputs?.schema) {
                    assert.equal(trigger.operationOptions, "EnableSchemaValidation");
                }
            }
        });

        it("adds schema validation to the file's trigger options only where a gateway-facing trigger declares a schema", () => {
            const definition = (trigger: Record<string, unknown>): WorkflowDefinition => ({ name: "w", file: "workflows/w.json", parameters: {}, definition: { triggers: { manual: { type: "Request", kind: "Http", ...trigger } }, actions: {} } });
            const options = (deployed: Record<string, unknown>) => (deployed.triggers as Record<string, { operationOptions?: string }>).manual.operationOptions;
            const schema = { inputs: { schema: { type: "object" } } };
            assert.equal(options(deployedDefinition(definition(schema), "gateway")), "EnableSchemaValidation");
            assert.equal(options(deployedDefinition(definition({ ...schema, operationOptions: "IncludeAuthorizationHeadersInOutputs" }), "gateway")), "IncludeAuthorizationHeadersInOutputs, EnableSchemaValidation");
            assert.equal(options(deployedDefinition(definition({ ...schema, operationOptions: "EnableSchemaValidation" }), "gateway")), "EnableSchemaValidation");
            assert.equal(options(deployedDefinition(definition({ inputs: { schema: {} } }), "gateway")), undefined, "no schema, nothing to enforce");
            assert.equal(options(deployedDefinition(definition(schema), "nested")), undefined, "a nested workflow is called by other workflows only");
        });

        it("gives every single address its prefix length, IPv6 too, and leaves ranges as they are", () => {
            assert.deepEqual(["20.1.2.3", "2001:db8::7", "203.0.113.0/24", "10.0.0.1-10.0.0.9"].map(callerRange), ["20.1.2.3/32", "2001:db8::7/128", "203.0.113.0/24", "10.0.0.1-10.0.0.9"]);
        });

        it("admits the gateway's addresses in every region when it spans two", async () => {
            const twoRegions = await deploy(args({ gatewayIpAddresses: ["20.1.2.3", "20.9.8.7"] }));
            assert.deepEqual(twoRegions.get(workflowType, "wf-order-intake").inputs.accessControl.triggers, {
                allowedCallerIpAddresses: [{ addressRange: "20.1.2.3/32" }, { addressRange: "20.9.8.7/32" }],
            });
        });

        it("gives a nested workflow an empty caller list, so only other Logic Apps can call it", () => {
            assert.deepEqual(run.get(workflowType, "wf-order-notify").inputs.accessControl.triggers, { allowedCallerIpAddresses: [] });
        });

        it("closes run history contents to everyone when no admin range is given", async () => {
            const closed = await deploy(args({ adminIpRanges: [] }));
            assert.deepEqual(closed.get(workflowType, "wf-order-intake").inputs.accessControl.contents, { allowedCallerIpAddresses: [{ addressRange: "0.0.0.0-0.0.0.0" }] });
        });

        it("lets only the admin ranges read run history contents", () => {
            for (const name of ["wf-order-intake", "wf-order-notify"]) {
                assert.deepEqual(run.get(workflowType, name).inputs.accessControl.contents, { allowedCallerIpAddresses: [{ addressRange: "203.0.113.0/24" }] });
            }
        });
    });

    describe("workflows as code", () => {
        it("deploys each definition file as it is (the request schema enforced), with a system-assigned identity, in the gateway's region", () => {
            const intake = run.get(workflowType, "wf-order-intake").inputs;
            const file = JSON.parse(fs.readFileSync(path.join(definitionsDir, "order-intake.json"), "utf8"));
            assert.deepEqual(intake.definition, deployedDefinition({ name: "order-intake", file: "workflows/order-intake.json", parameters: {}, definition: file }, "gateway"));
            assert.deepEqual(run.get(workflowType, "wf-order-notify").inputs.definition, JSON.parse(fs.readFileSync(path.join(definitionsDir, "order-notify.json"), "utf8")));
            assert.equal(intake.workflowName, "logic-order-intake");
            assert.equal(intake.location, "westeurope");
            assert.equal(intake.state, "Enabled");
            assert.deepEqual(intake.identity, { type: "SystemAssigned" });
            assert.deepEqual(intake.tags, { environment: "test" });
        });

        it("fills the declared parameters: the stack's values, the nested workflow's id, secrets as secrets", () => {
            const intake = run.get(workflowType, "wf-order-intake");
            const notify = run.get(workflowType, "wf-order-notify");
            assert.deepEqual(intake.inputs.parameters, {
                inventoryBaseUrl: { type: "String", value: "https://inventory.contoso.com/api" },
                inventoryApiKey: { type: "SecureString", value: "inventory-key" },
                orderNotifyWorkflowId: { type: "String", value: notify.id },
            });
            assert.ok(intake.secretInputs.includes("parameters"));
            assert.ok(intake.dependsOn.includes(notify.urn));
            assert.equal(workflowIdParameter("order-notify"), "orderNotifyWorkflowId");
        });

        it("connects the nested workflow to Blob Storage through an API connection whose key stays secret", () => {
            const connection = run.get("azure-native:web:Connection", "wf-connections-azureblob");
            assert.equal(connection.inputs.connectionName, "con-test-azureblob");
            assert.match(connection.inputs.properties.api.id, /^\/subscriptions\/[0-9a-f-]{36}\/providers\/Microsoft\.Web\/locations\/westeurope\/managedApis\/azureblob$/);
            assert.equal(connection.inputs.properties.parameterValues.accountName, "stwftest");
            assert.ok(connection.secretInputs.includes("properties"));
            const notify = run.get(workflowType, "wf-order-notify").inputs.parameters;
            assert.deepEqual(notify.$connections.value, {
                azureblob: { connectionId: connection.id, connectionName: "con-test-azureblob", id: connection.inputs.properties.api.id },
            });
            assert.deepEqual(notify.storageAccountName, { type: "String", value: "stwftest" });
        });

        it("keeps the connector's storage private, https only and TLS 1.2", () => {
            const account = run.get("azure-native:storage:StorageAccount", "wf-connections-storage").inputs;
            assert.equal(account.enableHttpsTrafficOnly, true);
            assert.equal(account.minimumTlsVersion, "TLS1_2");
            assert.equal(account.allowBlobPublicAccess, false);
            assert.equal(run.get("azure-native:storage:BlobContainer", "wf-connections-container-orders").inputs.publicAccess, "None");
        });

        it("outputs each workflow's principal id for role assignments", () => {
            const principals = run.outputs.principals as Record<string, string>;
            assert.deepEqual(Object.keys(principals).sort(), ["order-intake", "order-notify"]);
            assert.ok(Object.values(principals).every((id) => /^[0-9a-f-]{36}$/.test(id)));
        });
    });

    describe("handing the trigger to the gateway", () => {
        it("splits the callback URL into base URL, path and query, and keeps the signature and the URL secret", () => {
            const baseUrl = String(run.outputs.baseUrl);
            assert.match(baseUrl, /^https:\/\/prod-\d{2}\.westeurope\.logic\.azure\.com\/workflows\/[0-9a-f]{32}\/triggers$/);
            assert.equal(run.outputs.path, "/manual/paths/invoke");
            assert.deepEqual(run.outputs.query, { "api-version": "2016-10-01", sp: "/triggers/manual/run", sv: "1.0" });
            assert.match(String(run.outputs.signature), /^[A-Za-z0-9_-]{43}$/);
            assert.ok(run.secretOutputs.includes("signature"));
            assert.ok(run.secretOutputs.includes("callbackUrl"));
            for (const plain of ["baseUrl", "path", "query"]) {
                assert.ok(!run.secretOutputs.includes(plain), plain);
            }
            assert.ok(String(run.outputs.callbackUrl).endsWith(`&sig=${String(run.outputs.signature)}`));
        });

        it("splits any callback URL the same way, and refuses one without a signature", () => {
            assert.deepEqual(splitCallbackUrl("https://prod-12.northeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=S1g"), {
                baseUrl: "https://prod-12.northeurope.logic.azure.com/workflows/abc/triggers",
                path: "/manual/paths/invoke",
                query: { "api-version": "2016-10-01", sp: "/triggers/manual/run", sv: "1.0" },
                signature: "S1g",
            });
            assert.throws(() => splitCallbackUrl("https://prod-12.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sv=1.0"), /must carry a sig/);
        });
    });

    describe("observability", () => {
        it("sends each workflow's runtime logs and metrics to Log Analytics", () => {
            for (const name of ["order-intake", "order-notify"]) {
                const setting = run.get("azure-native:monitor:DiagnosticSetting", `wf-${name}-logs`).inputs;
                assert.equal(setting.resourceUri, run.get(workflowType, `wf-${name}`).id);
                assert.equal(setting.workspaceId, workspaceId);
                assert.deepEqual(setting.logs, [{ category: "WorkflowRuntime", enabled: true }]);
                assert.deepEqual(setting.metrics, [{ category: "AllMetrics", enabled: true }]);
            }
        });

        it("alerts the action group on any failed run", () => {
            const alert = run.get("azure-native:monitor:MetricAlert", "wf-order-intake-failed-runs").inputs;
            assert.equal(alert.ruleName, "alert-order-intake");
            assert.deepEqual(alert.scopes, [run.get(workflowType, "wf-order-intake").id]);
            assert.deepEqual(alert.criteria.allOf[0], {
                criterionType: "StaticThresholdCriterion",
                name: "runs-failed",
                metricName: "RunsFailed",
                metricNamespace: "microsoft.logic/workflows",
                operator: "GreaterThan",
                threshold: 0,
                timeAggregation: "Total",
            });
            assert.deepEqual(alert.actions, [{ actionGroupId }]);
        });
    });

    describe("rejects bad input before registering anything", () => {
        const intake = () => JSON.parse(fs.readFileSync(path.join(definitionsDir, "order-intake.json"), "utf8"));

        const cases: Array<[string, () => Partial<WorkflowsArgs>, string]> = [
            [
                "a workflow without a definition",
                () => ({ workflows: { ...args().workflows, "invoice-intake": { workflowName: "logic-invoice", access: "gateway", alertName: "a" } } }),
                "definitions.invoice-intake: missing (allowed: the definition of every workflow; given: order-intake, order-notify)",
            ],
            [
                "an admin range that is not an IPv4 range",
                () => ({ adminIpRanges: ["203.0.113.0/24", "10.0.0.300"] }),
                'adminIpRanges[1]: "10.0.0.300" is not an IPv4 range (allowed: an IPv4 address or CIDR range such as 203.0.113.0/24)',
            ],
            [
                "a parameter nobody gives a value",
                () => ({ parameterValues: { inventoryBaseUrl: "https://inventory.contoso.com/api" } }),
                "workflows/order-intake.json: parameters.inventoryApiKey: has no defaultValue and no value is given (allowed: a value for every parameter without a defaultValue)",
            ],
            [
                "an access mode that does not exist",
                () => ({ workflows: { ...args().workflows, "order-notify": { workflowName: "x", access: "public" as never, alertName: "a" } } }),
                'workflows.order-notify.access: "public" is not an access mode (allowed: gateway, nested)',
            ],
            [
                "a connector this project cannot connect",
                () => {
                    const doc = JSON.parse(fs.readFileSync(path.join(definitionsDir, "order-notify.json"), "utf8"));
                    doc.actions.Store_order.inputs.host.connection.name = "@parameters('$connections')['servicebus']['connectionId']";
                    return { definitions: definitionsWith({ "order-notify": doc }) };
                },
                'workflows/order-notify.json: $connections: "servicebus" is not a connector this project connects (allowed: azureblob)',
            ],
            [
                "a connections parameter with no connector to fill it",
                () => {
                    const doc = intake();
                    doc.parameters.$connections = { type: "Object", defaultValue: {} };
                    return { definitions: definitionsWith({ "order-intake": doc }) };
                },
                "workflows/order-intake.json: parameters.$connections: declared, but the workflow uses no connector to fill it from (allowed: remove it, or use a connector: azureblob)",
            ],
        ];
        for (const [what, patch, message] of cases) {
            it(what, async () => {
                assert.throws(() => checkWorkflows(args(patch())), (error: Error) => error.message.split("\n").includes(`  - ${message}`), message);
                const registered: string[] = [];
                await assert.rejects(
                    runStack({ stack: "dev", program: async () => void new Workflows("wf", args(patch())), onRegister: (resource) => registered.push(resource.type) }),
                    (error: Error) => error.message.includes(message),
                );
                assert.deepEqual(registered.filter((type) => type !== "pulumi:pulumi:Stack"), []);
            });
        }
    });
});
