import * as assert from "node:assert/strict";
import type { StackRun } from "../../engine";
import { runStack } from "../../engine";
import { connectorConfig, connectorProject, serviceBusNamespaceId } from "../helpers";

/** The lines of the ConfigError (or other error) a run with `config` stops with. */
async function refusal(project: string, config: Record<string, unknown>): Promise<string> {
    try {
        await runStack({ projectDir: project, stack: "dev", config });
    } catch (error) {
        return (error as Error).message;
    }
    assert.fail("the run was not refused");
}

describe("managed connectors in a stack", () => {
    let project: string;
    let run: StackRun;
    before(async () => {
        project = connectorProject();
        run = await runStack({ projectDir: project, stack: "dev", config: connectorConfig() });
    });

    it("plans a Service Bus connection with the managed identity, its role grant on the namespace alone, and the wait", () => {
        const connection = run.get("azure-native:resources:Resource", "connections-servicebus");
        assert.equal(connection.inputs.resourceProviderNamespace, "Microsoft.Web");
        assert.equal(connection.inputs.resourceType, "connections");
        assert.equal(connection.inputs.apiVersion, "2016-06-01");
        assert.equal(connection.inputs.kind, "V1");
        assert.equal(connection.inputs.location, "westeurope");
        assert.deepEqual(connection.inputs.properties.parameterValueSet, {
            name: "managedIdentityAuth",
            values: { namespaceEndpoint: { value: "sb://sb-shipments-dev.servicebus.windows.net/" } },
        });
        assert.equal(connection.inputs.properties.parameterValueType, "Alternative");
        assert.match(connection.inputs.properties.api.id, /\/providers\/Microsoft\.Web\/locations\/westeurope\/managedApis\/servicebus$/);

        const workflow = run.get("azure-native:logic:Workflow", "workflows-shipment-events");
        const grant = run.get("azure-native:authorization:RoleAssignment", "connection-access-shipment-events-uses-servicebus");
        assert.equal(grant.inputs.scope, serviceBusNamespaceId);
        assert.equal(grant.inputs.principalId, workflow.outputs.identity.principalId);
        assert.match(grant.inputs.roleDefinitionId, /69a216fc-b8fb-44d8-bc22-1f3c2cd27a39$/, "Azure Service Bus Data Sender");
        // One for each workflow and the connection it uses: shipment-events sends, shipment-arrivals receives.
        assert.equal(
            run.ofType("azure-native:authorization:RoleAssignment").filter((g) => g.name.startsWith("connection-access-")).length,
            2,
        );
        const wait = run.get("time:index/sleep:Sleep", "connection-access-propagation");
        assert.ok(wait.dependsOn.includes(grant.urn));
        // No API reaches the workflows before their grants have taken effect.
        assert.ok(run.get("azure-native:apimanagement:Api", "catalog-api-shipments-v1").dependsOn.length > 0);
    });

    it("deploys a workflow started by a connector's trigger as triggered: no caller, its receiving role on the namespace", () => {
        const arrivals = run.get("azure-native:logic:Workflow", "workflows-shipment-arrivals");
        assert.deepEqual(arrivals.inputs.accessControl.triggers, { allowedCallerIpAddresses: [] });
        const grant = run.get("azure-native:authorization:RoleAssignment", "connection-access-shipment-arrivals-uses-servicebus-in");
        assert.equal(grant.inputs.scope, serviceBusNamespaceId);
        assert.match(grant.inputs.roleDefinitionId, /4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0$/, "Azure Service Bus Data Receiver");
    });

    it("refuses a connector-triggered workflow deployed as nested, saying which mode fits", async () => {
        const config = connectorConfig();
        (config.workflows as Record<string, string>)["shipment-arrivals"] = "nested";
        assert.match(
            await refusal(project, config),
            /workflows\/shipment-arrivals\.json: triggers: no HTTP \(Request\) trigger, and the stack deploys it as nested: the gateway and other workflows call workflows over HTTP \(allowed: one Request trigger; or deploy it as triggered, to start from its own trigger\)/,
        );
    });

    it("refuses a secret entry written in plain text beside encrypted ones", async () => {
        const config = connectorConfig({
            connectionSecrets: { sql: { password: "Pa55word!" }, carrier: { api_key: { secure: "v1:Y2lwaGVydGV4dA==" } } },
        });
        assert.match(
            await refusal(project, config),
            /connectionSecrets\.sql\.password: is stored in plain text beside encrypted entries \(allowed: an encrypted value: `pulumi config set --secret --path 'connectionSecrets\.sql\.password' <value>`\)/,
        );
    });

    it("hands each workflow exactly the $connections entries it uses, the managed identity's marked as such", () => {
        const events = run.get("azure-native:logic:Workflow", "workflows-shipment-events").inputs.parameters.$connections;
        const connection = run.get("azure-native:resources:Resource", "connections-servicebus");
        assert.deepEqual(events, {
            type: "Object",
            value: {
                servicebus: {
                    connectionId: connection.id,
                    connectionName: connection.outputs.name,
                    id: connection.inputs.properties.api.id,
                    connectionProperties: { authentication: { type: "ManagedServiceIdentity" } },
                },
            },
        });
        const mail = run.get("azure-native:logic:Workflow", "workflows-shipment-mail").inputs.parameters.$connections.value;
        assert.deepEqual(Object.keys(mail), ["office365"]);
        assert.equal(mail.office365.connectionProperties, undefined);
    });

    it("creates an Office 365 connection unauthenticated and warns, naming who authorizes it and where", () => {
        const office = run.get("azure-native:web:Connection", "connections-office365");
        assert.deepEqual(Object.keys(office.inputs.properties).sort(), ["api", "displayName"]);
        assert.ok(
            run.warnings.includes(
                "connection office365 (office365) signs in with OAuth and needs consent: after the first pulumi up, someone with an account of that service opens the API connection office365 in resource group rg-integration-dev-workflows-weu, then Edit API connection > Authorize > Save; until then the calls of shipment-mail fail as Unauthenticated.",
            ),
            run.warnings.join("\n"),
        );
        assert.deepEqual((run.outputs.workflows as any).connections.office365.consent, "needed after the first pulumi up");
        assert.deepEqual((run.outputs.workflows as any).connections.servicebus.consent, "not needed");
    });

    it("passes a SQL password from Key Vault as a secret, and keeps it in the vault", () => {
        const sql = run.get("azure-native:web:Connection", "connections-sql");
        assert.ok(sql.secretInputs.includes("properties"), "the parameters are a secret in state");
        assert.equal(sql.inputs.properties.parameterValues.server, "sql-ledger-dev.database.windows.net");
        assert.equal(sql.inputs.properties.parameterValues.username, "ledger_reader");
        assert.ok("password" in sql.inputs.properties.parameterValues);
        const stored = run.get("azure-native:keyvault:Secret", "secrets-secret-connection-sql-password");
        assert.ok(stored.secretInputs.includes("properties"));
        assert.match(stored.inputs.properties.contentType, /password of the sql connection \(from connectionSecrets\)/);
    });

    it("creates a custom connector from its Swagger 2.0 file, and its connection with the API key", () => {
        const api = run.get("azure-native:web:CustomApi", "connections-custom-carrier-connector");
        assert.equal(api.inputs.properties.apiType, "Rest");
        assert.deepEqual(api.inputs.properties.backendService, { serviceUrl: "https://api.carrier.example/v1" });
        assert.equal(api.inputs.properties.swagger.info.title, "Carrier pickups");
        assert.deepEqual(api.inputs.properties.connectionParameters, { api_key: { type: "securestring" } });
        const connection = run.get("azure-native:web:Connection", "connections-carrier");
        assert.equal(connection.inputs.properties.api.id, api.id);
        assert.deepEqual(Object.keys(connection.inputs.properties.parameterValues), ["api_key"]);
    });

    describe("refuses, before registering anything, a stack file that does not fit the declarations", () => {
        it("a target of another kind than the connector reaches, and an endpoint that is not the target's", async () => {
            const config = connectorConfig();
            (config.connections as any).servicebus.resourceId =
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-shared/providers/Microsoft.KeyVault/vaults/kv-shared";
            (config.connections as any)["servicebus-in"].parameters.namespaceEndpoint = "sb://sb-other.servicebus.windows.net/";
            const message = await refusal(project, config);
            assert.match(
                message,
                /connections\.servicebus\.resourceId: is not a Microsoft\.ServiceBus\/namespaces resource, which servicebus reaches; the workflow shipment-events gets Azure Service Bus Data Sender on it \(allowed: \/subscriptions\/<id>\/resourceGroups\/<group>\/providers\/Microsoft\.ServiceBus\/namespaces\/<name>\)/,
            );
            assert.match(
                message,
                /connections\.servicebus-in\.parameters\.namespaceEndpoint: "sb:\/\/sb-other\.servicebus\.windows\.net\/" is not the resource connections\.servicebus-in\.resourceId names \(allowed: sb:\/\/sb-shipments-dev\.servicebus\.windows\.net\/\)/,
            );
        });

        it("two secrets that would share one vault secret", async () => {
            const secret = { secure: "v1:Y2lwaGVydGV4dA==" };
            const message = await refusal(
                project,
                connectorConfig({ connectionSecrets: { sql: { password: secret }, carrier: { api_key: secret, "api-key": secret } } }),
            );
            assert.match(
                message,
                /connectionSecrets\.carrier\.api_key: would be kept in the vault as connection-carrier-api-key, as connectionSecrets\.carrier\.api-key is \(allowed: connection and parameter names that differ in more than - and _\)/,
            );
        });

        it("a managed-identity connection without its target or its parameter", async () => {
            const config = connectorConfig();
            (config.connections as any).servicebus = {};
            const message = await refusal(project, config);
            assert.match(
                message,
                /connections\.servicebus\.parameters\.namespaceEndpoint: missing; workflows\/connections\.yaml declares servicebus with managedIdentity \(allowed: namespaceEndpoint\)/,
            );
            assert.match(
                message,
                /connections\.servicebus\.resourceId: missing; the workflow shipment-events gets Azure Service Bus Data Sender there \(allowed: the ARM id of the resource the connection reaches\)/,
            );
        });

        it("a secret written in plain text in the stack file, naming the command that keeps it secret", async () => {
            const config = connectorConfig();
            (config.connections as any).sql.parameters.password = "hunter2";
            assert.match(
                await refusal(project, config),
                /connections\.sql\.parameters\.password: is a secret, in plain text in the stack file \(allowed: pulumi config set --secret --path 'connectionSecrets\.sql\.password' <value>\)/,
            );
        });

        it("a missing secret, and connectionSecrets not encrypted", async () => {
            const missing = await refusal(project, connectorConfig({ connectionSecrets: { carrier: { api_key: { secure: "v1:eA==" } } } }));
            assert.match(
                missing,
                /connectionSecrets\.sql\.password: missing; workflows\/connections\.yaml declares sql with parameters \(allowed: pulumi config set --secret --path 'connectionSecrets\.sql\.password' <value>\)/,
            );
            const plain = await refusal(project, connectorConfig({ connectionSecrets: { sql: { password: "hunter2" } } }));
            assert.match(
                plain,
                /connectionSecrets: is stored in plain text, and it holds secrets \(allowed: an encrypted value; remove it with `pulumi config rm connectionSecrets` and set each entry with `pulumi config set --secret --path 'connectionSecrets\.<connection>\.<parameter>' <value>`\)/,
            );
        });

        it("settings for a connection no workflow of the stack uses, and an unknown parameter", async () => {
            const config = connectorConfig();
            (config.workflows as any)["shipment-events"] = undefined;
            delete (config.workflows as any)["shipment-events"];
            (config.connections as any).sql.parameters.port = "1433";
            const message = await refusal(project, config);
            assert.match(
                message,
                /connections\.servicebus: no workflow of this stack uses this connection \(allowed: carrier, office365, servicebus-in, sql\)/,
            );
            assert.match(
                message,
                /connections\.sql\.parameters\.port: is not a parameter of this connection; workflows\/connections\.yaml declares sql with parameters \(allowed: server, database, authType, username\)/,
            );
        });
    });
});
