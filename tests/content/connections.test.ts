import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadConnections } from "../../content";
import { checkConnections, connectionsUsedBy, customConnectorProblems } from "../../content/workflows/connections";
import { managedApis, managedApisRetrieved } from "../../content/workflows/managed-apis";
import { WorkflowDefinitionError } from "../../content/workflows/definition";
import { connectorExamples } from "../helpers";
import { temporaryDirectory } from "../support/temporary";

const file = "workflows/connections.yaml";
const carrier = fs.readFileSync(path.join(connectorExamples, "carrier-connector.yaml"), "utf8");
const files = ["carrier-connector.yaml", "connections.yaml", "shipment-events.json"];

/** The problems of `yaml` as the declarations, with `used` as what the definitions use. */
function problemsOf(yaml: string, used: Array<{ file: string; connections: string[] }> = []): string[] {
    const everything = used.length > 0 ? used : [{ file: "workflows/uses-all.json", connections: namesIn(yaml) }];
    return checkConnections(file, yaml, files, (name) => (name === "carrier-connector.yaml" ? carrier : ""), everything).problems;
}

/** The top-level keys of a YAML map written one per line. */
function namesIn(yaml: string): string[] {
    return [...yaml.matchAll(/^([^\s#][^:]*):/gm)].map((match) => match[1]!.replace(/^"|"$/g, ""));
}

describe("connections declared in workflows/connections.yaml", () => {
    it("finds the connections a designer-exported definition uses, wherever it names them", () => {
        const definition = JSON.parse(fs.readFileSync(path.join(connectorExamples, "shipment-events.json"), "utf8"));
        assert.deepEqual(connectionsUsedBy(definition), ["servicebus"]);
        assert.deepEqual(
            connectionsUsedBy({
                a: ["@parameters('$connections')['sql']['connectionId']", "@{parameters( '$connections' )[ 'office365' ]}"],
            }),
            ["office365", "sql"],
        );
    });

    it("reads the examples: each connector and sign-in, and the custom connector's service URL and API key", () => {
        const declarations = loadConnections(copyOf(connectorExamples));
        assert.deepEqual(
            Object.values(declarations.connections).map(
                (c) => `${c.name}: ${JSON.stringify(c.connector)} ${c.authentication} ${c.role ?? ""}`,
            ),
            [
                'servicebus: {"kind":"managed","api":"servicebus"} managedIdentity Azure Service Bus Data Sender',
                'servicebus-in: {"kind":"managed","api":"servicebus"} managedIdentity Azure Service Bus Data Receiver',
                'sql: {"kind":"managed","api":"sql"} parameters ',
                'office365: {"kind":"managed","api":"office365"} oauth ',
                'carrier: {"kind":"custom","file":"carrier-connector.yaml"} parameters ',
            ],
        );
        const connector = declarations.customConnectors["carrier-connector.yaml"]!;
        assert.equal(connector.serviceUrl, "https://api.carrier.example/v1");
        assert.equal(connector.apiKey, true);
        assert.equal(connector.title, "Carrier pickups");
    });

    it("takes no file as no connections", () => {
        const dir = copyOf(connectorExamples);
        fs.rmSync(path.join(dir, "connections.yaml"));
        for (const name of fs.readdirSync(dir).filter((entry) => entry.endsWith(".json"))) {
            fs.rmSync(path.join(dir, name));
        }
        assert.deepEqual(loadConnections(dir).connections, {});
    });

    describe("refuses exactly what cannot work, with the reason and the alternative", () => {
        it("a connection a definition uses that no declaration provides, naming the definition", () => {
            const dir = copyOf(connectorExamples);
            const declarations = fs.readFileSync(path.join(dir, "connections.yaml"), "utf8");
            fs.writeFileSync(path.join(dir, "connections.yaml"), declarations.replace(/^office365:\n( {2}.*\n)+/m, ""));
            assert.throws(
                () => loadConnections(dir),
                (error: unknown) =>
                    error instanceof WorkflowDefinitionError &&
                    error.problems.join("\n") ===
                        'workflows/shipment-mail.json: uses the connection "office365" ($connections), which workflows/connections.yaml does not declare (allowed: servicebus, servicebus-in, sql, carrier)',
            );
        });

        it("a declared connection no definition uses", () => {
            assert.deepEqual(
                problemsOf("servicebus:\n  api: servicebus\n  authentication: managedIdentity\n  role: Azure Service Bus Data Sender\n", [
                    { file: "workflows/x.json", connections: ["servicebus"] },
                    { file: "workflows/y.json", connections: [] },
                ]),
                [],
            );
            assert.deepEqual(
                problemsOf("mail:\n  api: office365\n  authentication: oauth\n", [{ file: "workflows/x.json", connections: [] }]),
                [`${file}: mail: no workflow under workflows/ uses this connection (allowed: a name a definition uses in $connections)`],
            );
        });

        it("the Blob connector with a key, which cannot reach a firewalled account in the same region", () => {
            assert.deepEqual(problemsOf("blobs:\n  api: azureblob\n  authentication: parameters\n"), [
                `${file}: blobs.authentication: "parameters": without the managed identity the Azure Blob Storage connector signs in with an account key, and "logic app workflows can't directly access storage accounts behind firewalls when both the logic app resource and storage account exist in the same region" (connectors-create-api-azureblobstorage) (allowed: managedIdentity, or the HTTP action with the workflow's managed identity, as docs/workflows.md ("Documents in Blob Storage") shows)`,
            ]);
        });

        it("the managed identity for a connector that does not take it", () => {
            assert.deepEqual(problemsOf("mail:\n  api: office365\n  authentication: managedIdentity\n"), [
                `${file}: mail.authentication: office365 (Office 365 Outlook) does not sign in with managedIdentity (allowed: oauth)`,
            ]);
        });

        it("a managed API name the table does not know, listing those it knows and where to add one", () => {
            assert.deepEqual(problemsOf("bus:\n  api: servicebuss\n  authentication: managedIdentity\n"), [
                `${file}: bus.api: "servicebuss" is not a managed API this project knows (allowed: ${Object.keys(managedApis).sort().join(", ")}; content/workflows/managed-apis.ts says how to add one)`,
            ]);
            assert.match(managedApisRetrieved, /^\d{4}-\d{2}-\d{2}$/);
        });

        it("a managed identity without its data role, or with a role for another service", () => {
            assert.deepEqual(problemsOf("bus:\n  api: servicebus\n  authentication: managedIdentity\n"), [
                `${file}: bus.role: missing; the workflow's identity needs a data role on the target (allowed: Azure Service Bus Data Sender, Azure Service Bus Data Receiver)`,
            ]);
            assert.deepEqual(problemsOf("bus:\n  api: servicebus\n  authentication: managedIdentity\n  role: Owner\n"), [
                `${file}: bus.role: "Owner" is not a data role for Service Bus (allowed: Azure Service Bus Data Sender, Azure Service Bus Data Receiver)`,
            ]);
            assert.deepEqual(problemsOf("db:\n  api: sql\n  authentication: managedIdentity\n  role: Reader\n"), [
                `${file}: db.role: SQL Server is not reached through an Azure role: create a database user for the workflow's identity (CREATE USER [<workflow>] FROM EXTERNAL PROVIDER) and grant it what it needs (allowed: no role)`,
            ]);
            assert.deepEqual(problemsOf("db:\n  api: sql\n  authentication: parameters\n  role: Reader\n"), [
                `${file}: db.role: only a managed-identity connection takes a role (allowed: no role with parameters)`,
            ]);
        });

        it("a declaration with no connector or two, a bad sign-in, an unknown key and a bad name", () => {
            assert.deepEqual(problemsOf("bus:\n  authentication: oauth\n"), [
                `${file}: bus: names no connector (allowed: api or customApi, one of them)`,
            ]);
            assert.deepEqual(problemsOf("bus:\n  api: servicebus\n  customApi: carrier-connector.yaml\n  authentication: oauth\n"), [
                `${file}: bus: names both api and customApi (allowed: api or customApi, one of them)`,
            ]);
            assert.deepEqual(problemsOf("bus:\n  api: servicebus\n  authentication: key\n  queue: shipments\n"), [
                `${file}: bus.authentication: "key" is not a way to sign in (allowed: managedIdentity, parameters, oauth, none)`,
                `${file}: bus: has unknown keys queue`,
            ]);
            assert.deepEqual(problemsOf('"my bus":\n  api: servicebus\n  authentication: oauth\n'), [
                `${file}: "my bus": is not a connection name (allowed: 1-80 letters, digits, hyphens and underscores, as $connections names it)`,
            ]);
        });

        it("a custom connector that is missing, OpenAPI 3, or signs in a way the project does not connect", () => {
            assert.deepEqual(problemsOf("crm:\n  customApi: crm.yaml\n  authentication: parameters\n"), [
                `${file}: crm.customApi: "crm.yaml" is not a file under workflows/ (allowed: carrier-connector.yaml)`,
            ]);
            assert.deepEqual(problemsOf("crm:\n  customApi: crm.json\n  authentication: none\n"), [
                `${file}: crm.customApi: "crm.json" is not a YAML file (allowed: a Swagger 2.0 document in a .yaml file under workflows/; a .json file there is read as a workflow definition)`,
            ]);
            assert.deepEqual(problemsOf("crm:\n  customApi: carrier-connector.yaml\n  authentication: oauth\n"), [
                `${file}: crm.authentication: "oauth" is not how this project connects a custom connector (allowed: parameters, for its API key from connectionSecrets; none)`,
            ]);
            assert.deepEqual(
                customConnectorProblems("workflows/crm.yaml", "openapi: 3.0.3\ninfo: { title: CRM, version: '1' }\npaths: {}\n").problems,
                [
                    "workflows/crm.yaml: is not a Swagger 2.0 document (allowed: OpenAPI 2.0, which custom connectors take; OpenAPI 3 is not supported)",
                ],
            );
            assert.deepEqual(
                customConnectorProblems(
                    "workflows/crm.yaml",
                    'swagger: "2.0"\ninfo: { title: CRM, version: "1" }\nhost: crm.example\nschemes: [http]\npaths: {}\n',
                ).problems,
                [
                    'workflows/crm.yaml: schemes: ["http"] (allowed: https)',
                    "workflows/crm.yaml: paths: has no operation (allowed: at least one)",
                ],
            );
        });
    });
});

/** A copy of a workflows folder in a temp dir, to change. */
function copyOf(dir: string): string {
    const copy = path.join(temporaryDirectory("connections-"), "workflows");
    fs.cpSync(dir, copy, { recursive: true });
    return copy;
}
