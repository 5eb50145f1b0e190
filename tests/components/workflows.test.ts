import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
    Workflows,
    backendKeyParameter,
    backendUrlParameter,
    callerRange,
    checkWorkflows,
    containerOf,
    softDeleteDays,
    deployedDefinition,
    requestTrigger,
    splitCallbackUrl,
    workflowIdParameter,
    type WorkflowsArgs,
} from "../../components/workflows";
import { parseWorkflowDefinition, type WorkflowDefinition } from "../../content/workflows/definition";
import { loadWorkflowDefinitions } from "../../content";
import { repoRoot } from "../../engine/project";
import type { StackRun } from "../../engine";
import { fixtureContent, runFixture, waitsFor } from "../helpers";

// The fixture project's workflows (named apart from the shipped samples); the shipped ones are checked only for being valid.
const definitionsDir = fixtureContent.workflows;
const shippedDir = path.join(repoRoot, "workflows");
const workspaceId =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-shared/providers/Microsoft.OperationalInsights/workspaces/log-test";
const actionGroupId =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-shared/providers/Microsoft.Insights/actionGroups/ag-test";

/** The definitions of `workflows/` as the assembly hands them over, with `replaced` laid over them. */
function definitionsWith(replaced: Record<string, unknown> = {}): Record<string, WorkflowDefinition> {
    const definitions = loadWorkflowDefinitions(definitionsDir, ["shipment-intake", "shipment-notify"]);
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
            "shipment-intake": { workflowName: "logic-shipment-intake", access: "gateway", alertName: "alert-shipment-intake" },
            "shipment-notify": { workflowName: "logic-shipment-notify", access: "nested", alertName: "alert-shipment-notify" },
        },
        parameterValues: { ledgerBaseUrl: "https://ledger.fabrikam.com/api", ledgerApiKey: pulumi.secret("ledger-key") },
        gatewayIpAddresses: ["20.1.2.3"],
        adminIpRanges: ["203.0.113.0/24"],
        storage: { accountName: "stwftest" },
        monitoring: { workspaceId, actionGroupId },
        tags: { environment: "test" },
        ...overrides,
    };
}

function deploy(workflowArgs: WorkflowsArgs): Promise<StackRun> {
    return runFixture({
        stack: "dev",
        program: async () => {
            const workflows = new Workflows("wf", workflowArgs);
            const trigger = workflows.triggers["shipment-intake"]!;
            return {
                writers: workflows.containerWriters,
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
        const files = fs.readdirSync(shippedDir).filter((file) => file.endsWith(".json"));
        assert.ok(files.length >= 1);
        const definitions = loadWorkflowDefinitions(
            shippedDir,
            files.map((file) => file.replace(/\.json$/, "")),
        );
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
            const access = run.get(workflowType, "wf-shipment-intake").inputs.accessControl;
            assert.deepEqual(access.triggers, { allowedCallerIpAddresses: [{ addressRange: "20.1.2.3/32" }] });
        });

        it("enforces the request schema of every trigger that declares one, gateway-facing or nested, in what it deploys", () => {
            for (const name of ["wf-shipment-intake", "wf-shipment-notify"]) {
                const triggers = run.get(workflowType, name).inputs.definition.triggers;
                for (const trigger of Object.values(triggers) as Array<{
                    type: string;
                    inputs?: { schema?: unknown };
                    operationOptions?: string;
                }>) {
                    assert.equal(trigger.operationOptions, "EnableSchemaValidation", name);
                }
            }
        });

        it("adds schema validation to the file's trigger options only where a trigger declares a schema", () => {
            const definition = (trigger: Record<string, unknown>): WorkflowDefinition => ({
                name: "w",
                file: "workflows/w.json",
                parameters: {},
                definition: { triggers: { manual: { type: "Request", kind: "Http", ...trigger } }, actions: {} },
            });
            const options = (deployed: Record<string, unknown>) =>
                (deployed.triggers as Record<string, { operationOptions?: string }>).manual.operationOptions;
            const schema = { inputs: { schema: { type: "object" } } };
            assert.equal(options(deployedDefinition(definition(schema))), "EnableSchemaValidation");
            assert.equal(
                options(deployedDefinition(definition({ ...schema, operationOptions: "IncludeAuthorizationHeadersInOutputs" }))),
                "IncludeAuthorizationHeadersInOutputs, EnableSchemaValidation",
            );
            assert.equal(
                options(deployedDefinition(definition({ ...schema, operationOptions: "EnableSchemaValidation" }))),
                "EnableSchemaValidation",
            );
            assert.equal(options(deployedDefinition(definition({ inputs: { schema: {} } }))), undefined, "no schema, nothing to enforce");
        });

        it("gives every single address its prefix length, IPv6 too, and leaves ranges as they are", () => {
            assert.deepEqual(["20.1.2.3", "2001:db8::7", "203.0.113.0/24", "10.0.0.1-10.0.0.9"].map(callerRange), [
                "20.1.2.3/32",
                "2001:db8::7/128",
                "203.0.113.0/24",
                "10.0.0.1-10.0.0.9",
            ]);
        });

        it("admits the gateway's addresses in every region when it spans two", async () => {
            const twoRegions = await deploy(args({ gatewayIpAddresses: ["20.1.2.3", "20.9.8.7"] }));
            assert.deepEqual(twoRegions.get(workflowType, "wf-shipment-intake").inputs.accessControl.triggers, {
                allowedCallerIpAddresses: [{ addressRange: "20.1.2.3/32" }, { addressRange: "20.9.8.7/32" }],
            });
        });

        it("gives a nested workflow an empty caller list, so only other Logic Apps can call it", () => {
            assert.deepEqual(run.get(workflowType, "wf-shipment-notify").inputs.accessControl.triggers, { allowedCallerIpAddresses: [] });
        });

        it("closes run history contents to everyone when no admin range is given", async () => {
            const closed = await deploy(args({ adminIpRanges: [] }));
            assert.deepEqual(closed.get(workflowType, "wf-shipment-intake").inputs.accessControl.contents, {
                allowedCallerIpAddresses: [{ addressRange: "0.0.0.0-0.0.0.0" }],
            });
        });

        it("lets only the admin ranges read run history contents", () => {
            for (const name of ["wf-shipment-intake", "wf-shipment-notify"]) {
                assert.deepEqual(run.get(workflowType, name).inputs.accessControl.contents, {
                    allowedCallerIpAddresses: [{ addressRange: "203.0.113.0/24" }],
                });
            }
        });
    });

    describe("workflows as code", () => {
        it("deploys each definition file as it is (the request schema enforced), with a system-assigned identity, in the gateway's region", () => {
            const intake = run.get(workflowType, "wf-shipment-intake").inputs;
            const file = JSON.parse(fs.readFileSync(path.join(definitionsDir, "shipment-intake.json"), "utf8"));
            assert.deepEqual(
                intake.definition,
                deployedDefinition({ name: "shipment-intake", file: "workflows/shipment-intake.json", parameters: {}, definition: file }),
            );
            const notify = JSON.parse(fs.readFileSync(path.join(definitionsDir, "shipment-notify.json"), "utf8"));
            assert.deepEqual(
                run.get(workflowType, "wf-shipment-notify").inputs.definition,
                deployedDefinition({ name: "shipment-notify", file: "workflows/shipment-notify.json", parameters: {}, definition: notify }),
            );
            assert.equal(intake.workflowName, "logic-shipment-intake");
            assert.equal(intake.location, "westeurope");
            assert.equal(intake.state, "Enabled");
            assert.deepEqual(intake.identity, { type: "SystemAssigned" });
            assert.deepEqual(intake.tags, { environment: "test" });
        });

        it("fills the declared parameters: the stack's values, the nested workflow's id, secrets as secrets", () => {
            const intake = run.get(workflowType, "wf-shipment-intake");
            const notify = run.get(workflowType, "wf-shipment-notify");
            assert.deepEqual(intake.inputs.parameters, {
                ledgerBaseUrl: { type: "String", value: "https://ledger.fabrikam.com/api" },
                ledgerApiKey: { type: "SecureString", value: "ledger-key" },
                shipmentNotifyWorkflowId: { type: "String", value: notify.id },
            });
            assert.ok(intake.secretInputs.includes("parameters"));
            assert.ok(intake.dependsOn.includes(notify.urn));
            assert.equal(workflowIdParameter("shipment-notify"), "shipmentNotifyWorkflowId");
        });

        it("fills a <name>ContainerUrl parameter with its container's URL, and names the workflow as that container's writer", () => {
            const notify = run.get(workflowType, "wf-shipment-notify");
            const container = run.get("azure-native:storage:BlobContainer", "wf-storage-container-shipments");
            assert.deepEqual(notify.inputs.parameters.shipmentsContainerUrl, {
                type: "String",
                value: `${run.get("azure-native:storage:StorageAccount", "wf-storage-account").outputs.primaryEndpoints.blob}shipments`,
            });
            assert.ok(waitsFor(run, notify, container), "the container exists before the workflow that writes to it");
            assert.deepEqual(run.outputs.writers, [
                {
                    workflow: "shipment-notify",
                    container: "shipments",
                    containerId: container.id,
                    principalId: notify.outputs.identity.principalId,
                },
            ]);
        });

        it("keeps the storage to Entra ID tokens and trusted Azure services: no shared key, no network but the workflows'", () => {
            // connectors-create-api-azureblobstorage ("Access storage accounts behind firewalls"):
            // a managed identity through the HTTP action reaches a firewalled account in the same
            // region, Logic Apps being a trusted service; the blob connector cannot, and needs the key.
            const account = run.get("azure-native:storage:StorageAccount", "wf-storage-account").inputs;
            assert.equal(account.allowSharedKeyAccess, false);
            assert.equal(account.defaultToOAuthAuthentication, true);
            assert.deepEqual(account.networkRuleSet, {
                defaultAction: "Deny",
                bypass: "AzureServices",
                ipRules: [],
                virtualNetworkRules: [],
            });
            assert.equal(account.enableHttpsTrafficOnly, true);
            assert.equal(account.minimumTlsVersion, "TLS1_2");
            assert.equal(account.allowBlobPublicAccess, false);
            assert.equal(account.allowCrossTenantReplication, false);
            assert.equal(run.get("azure-native:storage:BlobContainer", "wf-storage-container-shipments").inputs.publicAccess, "None");
            assert.equal(run.ofType("azure-native:web:Connection").length, 0, "no API connection, so no key anywhere");
        });

        it("keeps zone-redundant storage by default, unprotected, with deleted blobs and containers restorable and its access logged", () => {
            assert.deepEqual(run.get("azure-native:storage:StorageAccount", "wf-storage-account").inputs.sku, { name: "Standard_ZRS" });
            assert.equal(run.get("azure-native:storage:StorageAccount", "wf-storage-account").protect, false);
            const blobs = run.get("azure-native:storage:BlobServiceProperties", "wf-storage-blobs").inputs;
            assert.deepEqual(blobs.deleteRetentionPolicy, { enabled: true, days: softDeleteDays });
            assert.deepEqual(blobs.containerDeleteRetentionPolicy, { enabled: true, days: softDeleteDays });
            const logs = run.get("azure-native:monitor:DiagnosticSetting", "wf-storage-logs").inputs;
            assert.equal(
                logs.resourceUri,
                `${run.get("azure-native:storage:StorageAccount", "wf-storage-account").id}/blobServices/default`,
            );
            assert.deepEqual(
                logs.logs.map((log: { category: string }) => log.category),
                ["StorageRead", "StorageWrite", "StorageDelete"],
            );
            assert.equal(logs.workspaceId, workspaceId);
        });

        it("keeps a geo-redundant copy and protects the account and its containers when asked (production)", async () => {
            const production = await deploy(args({ storage: { accountName: "stwftest", geoRedundant: true, protect: true } }));
            const account = production.get("azure-native:storage:StorageAccount", "wf-storage-account");
            assert.deepEqual(account.inputs.sku, { name: "Standard_GZRS" });
            assert.equal(account.protect, true);
            assert.equal(production.get("azure-native:storage:BlobContainer", "wf-storage-container-shipments").protect, true);
        });

        it("names each container after its parameter, and creates no storage when no workflow declares one", async () => {
            assert.deepEqual(
                ["ordersContainerUrl", "failedOrdersContainerUrl", "ordersV2ContainerUrl", "orders", "OrdersContainerUrl"].map(containerOf),
                ["orders", "failed-orders", "orders-v2", undefined, undefined],
            );
            const doc = JSON.parse(fs.readFileSync(path.join(definitionsDir, "shipment-notify.json"), "utf8"));
            doc.parameters = {};
            doc.actions.Store_order = { type: "Compose", inputs: "@triggerBody()", runAfter: {} };
            doc.actions.Stored.inputs.body.blobPath = "none";
            const without = await deploy(args({ definitions: definitionsWith({ "shipment-notify": doc }), storage: undefined }));
            assert.equal(without.ofType("azure-native:storage:StorageAccount").length, 0);
            assert.deepEqual(without.outputs.writers, []);
        });

        it("outputs each workflow's principal id for role assignments", () => {
            const principals = run.outputs.principals as Record<string, string>;
            assert.deepEqual(Object.keys(principals).sort(), ["shipment-intake", "shipment-notify"]);
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
            assert.deepEqual(
                splitCallbackUrl(
                    "https://prod-12.northeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=S1g",
                ),
                {
                    baseUrl: "https://prod-12.northeurope.logic.azure.com/workflows/abc/triggers",
                    path: "/manual/paths/invoke",
                    query: { "api-version": "2016-10-01", sp: "/triggers/manual/run", sv: "1.0" },
                    signature: "S1g",
                },
            );
            assert.throws(
                () => splitCallbackUrl("https://prod-12.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sv=1.0"),
                /must carry a sig/,
            );
        });
    });

    describe("observability", () => {
        it("sends each workflow's runtime logs and metrics to Log Analytics", () => {
            for (const name of ["shipment-intake", "shipment-notify"]) {
                const setting = run.get("azure-native:monitor:DiagnosticSetting", `wf-${name}-logs`).inputs;
                assert.equal(setting.resourceUri, run.get(workflowType, `wf-${name}`).id);
                assert.equal(setting.workspaceId, workspaceId);
                assert.deepEqual(setting.logs, [{ category: "WorkflowRuntime", enabled: true }]);
                assert.deepEqual(setting.metrics, [{ category: "AllMetrics", enabled: true }]);
            }
        });

        it("alerts the action group on any failed run", () => {
            const alert = run.get("azure-native:monitor:MetricAlert", "wf-shipment-intake-failed-runs").inputs;
            assert.equal(alert.ruleName, "alert-shipment-intake");
            assert.deepEqual(alert.scopes, [run.get(workflowType, "wf-shipment-intake").id]);
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
        const notify = () => JSON.parse(fs.readFileSync(path.join(definitionsDir, "shipment-notify.json"), "utf8"));

        const cases: Array<[string, () => Partial<WorkflowsArgs>, string]> = [
            [
                "a workflow without a definition",
                () => ({
                    workflows: {
                        ...args().workflows,
                        "invoice-intake": { workflowName: "logic-invoice", access: "gateway", alertName: "a" },
                    },
                }),
                "definitions.invoice-intake: missing (allowed: the definition of every workflow; given: shipment-intake, shipment-notify)",
            ],
            [
                "an admin range that is not an IPv4 range",
                () => ({ adminIpRanges: ["203.0.113.0/24", "10.0.0.300"] }),
                'adminIpRanges[1]: "10.0.0.300" is not an IPv4 range (allowed: an IPv4 address or CIDR range such as 203.0.113.0/24)',
            ],
            [
                "a parameter nobody gives a value",
                () => ({ parameterValues: { ledgerBaseUrl: "https://ledger.fabrikam.com/api" } }),
                "workflows/shipment-intake.json: parameters.ledgerApiKey: has no defaultValue and no value is given (allowed: a value for every parameter without a defaultValue)",
            ],
            [
                "an access mode that does not exist",
                () => ({
                    workflows: { ...args().workflows, "shipment-notify": { workflowName: "x", access: "public" as never, alertName: "a" } },
                }),
                'workflows.shipment-notify.access: "public" is not an access mode (allowed: gateway, nested, triggered)',
            ],
            [
                "a connection the definition uses that the connections do not provide",
                () => {
                    const doc = notify();
                    doc.parameters.$connections = { type: "Object", defaultValue: {} };
                    doc.actions.Store_order = {
                        type: "ApiConnection",
                        inputs: {
                            host: { connection: { name: "@parameters('$connections')['servicebus']['connectionId']" } },
                            method: "post",
                            path: "/shipments/messages",
                        },
                        runAfter: {},
                    };
                    return { definitions: definitionsWith({ "shipment-notify": doc }), connections: { office365: {} } };
                },
                'workflows/shipment-notify.json: uses the connection "servicebus" ($connections), which connections does not provide (allowed: office365)',
            ],
            [
                "a container name Azure would refuse",
                () => {
                    const doc = notify();
                    doc.parameters = { osContainerUrl: { type: "String" } };
                    doc.actions.Store_order.inputs.uri = "@{parameters('osContainerUrl')}/x.json";
                    return { definitions: definitionsWith({ "shipment-notify": doc }) };
                },
                'workflows/shipment-notify.json: parameters.osContainerUrl: names the container "os" (allowed: a container of 3-20 lower-case letters, digits and single hyphens, in camel case before ContainerUrl, such as ordersContainerUrl or failedOrdersContainerUrl)',
            ],
            [
                "a container parameter that is not a string",
                () => {
                    const doc = notify();
                    doc.parameters.shipmentsContainerUrl.type = "Object";
                    return { definitions: definitionsWith({ "shipment-notify": doc }) };
                },
                'workflows/shipment-notify.json: parameters.shipmentsContainerUrl.type: "Object" is not a string parameter (allowed: String, which is filled with the container\'s URL)',
            ],
            [
                "a nested call to a trigger the called workflow does not have (its trigger renamed)",
                () => {
                    const doc = notify();
                    doc.triggers = { receive: doc.triggers.manual };
                    return { definitions: definitionsWith({ "shipment-notify": doc }) };
                },
                'workflows/shipment-intake.json: actions.Notify_order.inputs.host.triggerName: "manual" is not a Request trigger of workflows/shipment-notify.json (allowed: receive)',
            ],
            [
                "containers without a storage account to hold them",
                () => ({ storage: undefined }),
                "storage: missing; workflows/shipment-notify.json writes to blob containers (allowed: { accountName, geoRedundant, protect })",
            ],
        ];
        it("reports a bad container name once, not also as a parameter without a value", () => {
            const doc = notify();
            doc.parameters = { osContainerUrl: { type: "String" } };
            doc.actions.Store_order.inputs.uri = "@{parameters('osContainerUrl')}/x.json";
            assert.throws(
                () => checkWorkflows(args({ definitions: definitionsWith({ "shipment-notify": doc }) })),
                (error: Error) => error.message.split("\n").filter((line) => line.includes("osContainerUrl")).length === 1,
            );
        });

        for (const [what, patch, message] of cases) {
            it(what, async () => {
                assert.throws(
                    () => checkWorkflows(args(patch())),
                    (error: Error) => error.message.split("\n").includes(`  - ${message}`),
                    message,
                );
                const registered: string[] = [];
                await assert.rejects(
                    runFixture({
                        stack: "dev",
                        program: async () => void new Workflows("wf", args(patch())),
                        onRegister: (resource) => registered.push(resource.type),
                    }),
                    (error: Error) => error.message.includes(message),
                );
                assert.deepEqual(
                    registered.filter((type) => type !== "pulumi:pulumi:Stack"),
                    [],
                );
            });
        }
    });
});

describe("Workflows component with an empty set of workflows", () => {
    /** Deploys `workflowArgs`; returns the types registered besides the stack, and the component's outputs. */
    async function deployNone(workflowArgs: WorkflowsArgs) {
        const registered: Array<{ type: string; name: string }> = [];
        const run = await runFixture({
            stack: "dev",
            program: async () => {
                const workflows = new Workflows("wf", workflowArgs);
                return {
                    ids: workflows.workflowIds,
                    principals: workflows.principalIds,
                    triggers: workflows.triggers,
                    writers: workflows.containerWriters,
                };
            },
            onRegister: (resource) => registered.push({ type: resource.type, name: resource.name }),
        });
        return { registered: registered.filter((resource) => resource.type !== "pulumi:pulumi:Stack"), outputs: run.outputs };
    }

    it("registers only the component, no workflow and no storage, and returns empty maps", async () => {
        const { registered, outputs } = await deployNone(args({ workflows: {} }));
        assert.deepEqual(registered, [{ type: "enterprise-integration:workflows:Workflows", name: "wf" }]);
        assert.deepEqual(outputs, { ids: {}, principals: {}, triggers: {}, writers: [] });
    });

    it("takes `workflows` left out as none, with no definitions and no storage to give", async () => {
        const { workflows: _, ...rest } = args({ definitions: {}, storage: undefined, parameterValues: undefined });
        assert.deepEqual(checkWorkflows(rest), {});
        const { registered, outputs } = await deployNone(rest);
        assert.deepEqual(registered, [{ type: "enterprise-integration:workflows:Workflows", name: "wf" }]);
        assert.deepEqual(outputs, { ids: {}, principals: {}, triggers: {}, writers: [] });
    });
});

describe("the definition parameters the stack fills", () => {
    it("name a backend's base URL and key after its API, in camel case, as the workflow id is named after its workflow", () => {
        assert.equal(backendUrlParameter("ledger"), "ledgerBaseUrl");
        assert.equal(backendKeyParameter("order-status"), "orderStatusApiKey");
        assert.equal(workflowIdParameter("shipment-notify"), "shipmentNotifyWorkflowId");
    });
});
