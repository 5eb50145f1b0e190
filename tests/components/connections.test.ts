import * as assert from "node:assert/strict";
import { ApiConnections, connectionArgsProblems, type ApiConnectionsArgs } from "../../components/connections";
import type { StackRun } from "../../engine";
import { runFixture } from "../helpers";

const base: ApiConnectionsArgs = {
    resourceGroupName: "rg-workflows",
    location: "westeurope",
    connections: {
        bus: {
            connectionName: "bus",
            connector: { managedApi: "servicebus" },
            authentication: "managedIdentity",
            parameterValueSet: { name: "managedIdentityAuth", values: { namespaceEndpoint: "sb://sb-test.servicebus.windows.net/" } },
        },
        vault: {
            connectionName: "vault",
            connector: { managedApi: "keyvault" },
            authentication: "managedIdentity",
            parameterValueSet: { name: "oauthMI", values: { vaultName: "kv-test" } },
            displayName: "Secrets of the partner",
        },
        mail: { connectionName: "mail", connector: { managedApi: "office365" }, authentication: "oauth" },
        sftp: {
            connectionName: "sftp",
            connector: { managedApi: "sftpwithssh" },
            authentication: "parameters",
            parameterValues: { hostName: "sftp.partner.example", userName: "shipments" },
            secretParameterValues: { sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----" },
        },
    },
    tags: { environment: "test" },
};

function deploy(args: ApiConnectionsArgs): Promise<StackRun> {
    return runFixture({
        stack: "dev",
        program: async () => {
            const connections = new ApiConnections("con", args);
            return { values: connections.values, needsConsent: connections.needsConsent };
        },
    });
}

describe("ApiConnections component", () => {
    let run: StackRun;
    before(async () => {
        run = await deploy(base);
    });

    it("sends a managed-identity connection's value set as a generic resource, with Alternative values and no secret", () => {
        const vault = run.get("azure-native:resources:Resource", "con-vault");
        assert.deepEqual(vault.inputs.properties, {
            api: { id: vault.inputs.properties.api.id },
            displayName: "Secrets of the partner",
            parameterValueSet: { name: "oauthMI", values: { vaultName: { value: "kv-test" } } },
            parameterValueType: "Alternative",
        });
        assert.match(
            vault.inputs.properties.api.id,
            /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Web\/locations\/westeurope\/managedApis\/keyvault$/,
        );
        assert.equal(vault.inputs.resourceName, "vault");
        assert.deepEqual(vault.inputs.tags, { environment: "test" });
        assert.deepEqual(vault.secretInputs, []);
    });

    it("keeps a connection's secret parameters secret in state, beside its plain ones", () => {
        const sftp = run.get("azure-native:web:Connection", "con-sftp");
        assert.ok(sftp.secretInputs.includes("properties"));
        assert.deepEqual(Object.keys(sftp.inputs.properties.parameterValues).sort(), ["hostName", "sshPrivateKey", "userName"]);
        assert.equal(sftp.inputs.connectionName, "sftp");
    });

    it("names the OAuth connections that need consent, and marks only managed-identity entries of $connections", () => {
        assert.deepEqual(run.outputs.needsConsent, ["mail"]);
        const values = run.outputs.values as Record<string, { connectionProperties?: unknown }>;
        assert.deepEqual(values.bus!.connectionProperties, { authentication: { type: "ManagedServiceIdentity" } });
        assert.equal(values.mail!.connectionProperties, undefined);
        assert.equal(values.sftp!.connectionProperties, undefined);
    });

    it("refuses bad arguments before registering anything", () => {
        assert.deepEqual(
            connectionArgsProblems({
                ...base,
                connections: {
                    crm: { connectionName: "crm", connector: { customConnector: "crm" }, authentication: "none" },
                    bus: { connectionName: "bus", connector: { managedApi: "servicebus" }, authentication: "managedIdentity" },
                    mail: {
                        connectionName: "mail",
                        connector: { managedApi: "office365" },
                        authentication: "oauth",
                        parameterValues: { token: "x" },
                    },
                },
            }),
            [
                'connections.crm.connector.customConnector: "crm" is not among customConnectors (allowed: none)',
                "connections.bus.parameterValueSet: missing; a managed-identity connection names its value set (allowed: { name, values })",
                "connections.mail: has parameter values, which a connection signing in with oauth does not take (allowed: none)",
            ],
        );
    });
});
