import * as assert from "node:assert/strict";
import { factsFrom, type Resource } from "../../policies/rule";
import { rules } from "../../policies/rules";
import { managedIdentityApis } from "../../policies/rules/workloads";
import type { StackRun } from "../../engine";
import { analyzeStack } from "../../commands/plan/policy-analysis";
import { policyResources, ruleViolations } from "../../commands/plan/policies";
import { plan, policyPack } from "../helpers";
import { connectorStackProject, devRun } from "../support/connector-stacks";

/**
 * `logicapp-connection-managed-identity` on the connector examples as the stack declares them:
 * SQL Server with a password (reported), Service Bus with the managed identity, Office 365 with
 * OAuth and the carrier's custom connector with an API key (none of them reported).
 */

const rule = rules.find((candidate) => candidate.id === "logicapp-connection-managed-identity")!;
const facts = factsFrom({ production: false, serviceExists: false });
const messageFor = (name: string, api: string) =>
    `connection ${name} signs in to ${api} with stored credentials; the connector takes the workflow's managed identity (allowed: authentication: managedIdentity in workflows/connections.yaml)`;
const violations = (resources: readonly Resource[]) =>
    ruleViolations(rule, resources, facts).map((violation) => `${violation.resource.name}: ${violation.message}`);

// Started when the file loads: the pack compiles in its own process meanwhile.
const pack = policyPack();
pack.catch(() => undefined);

describe("the policy rule logicapp-connection-managed-identity", () => {
    let project: string;
    let run: StackRun;
    before(async () => {
        project = connectorStackProject();
        run = await devRun(project);
    });

    it("is advisory, and reports the example's SQL Server connection, which stores a password, and no other", () => {
        assert.equal(rule.level, "advisory");
        assert.deepEqual(violations(policyResources(run)), [`connections-sql: ${messageFor("sql", "sql")}`]);
    });

    it("reports each managed API on its list that carries parameter values, typed or generic, and no API off the list", () => {
        assert.deepEqual([...managedIdentityApis].sort(), ["azureblob", "eventhubs", "keyvault", "servicebus", "sql"]);
        for (const api of [...managedIdentityApis, "sftpwithssh", "office365"]) {
            const resources = policyResources(run);
            const sql = resources.find((resource) => resource.name === "connections-sql")!;
            sql.props.properties.api.id = String(sql.props.properties.api.id).replace(/managedApis\/sql$/, `managedApis/${api}`);
            assert.deepEqual(
                violations(resources),
                managedIdentityApis.includes(api) ? [`connections-sql: ${messageFor("sql", api)}`] : [],
                api,
            );
        }
        // The generic Microsoft.Web/connections resource, given stored parameters in place of its value set.
        const resources = policyResources(run);
        const servicebus = resources.find((resource) => resource.name === "connections-servicebus")!;
        assert.equal(servicebus.type, "azure-native:resources:Resource");
        delete servicebus.props.properties.parameterValueSet;
        servicebus.props.properties.parameterValues = { connectionString: "Endpoint=sb://x/;SharedAccessKey=y" };
        assert.deepEqual(violations(resources), [
            `connections-servicebus: ${messageFor("servicebus", "servicebus")}`,
            `connections-sql: ${messageFor("sql", "sql")}`,
        ]);
    });

    it("passes a connection to a listed API that stores nothing, and a custom connector's connection that stores a key", () => {
        const resources = policyResources(run);
        const sql = resources.find((resource) => resource.name === "connections-sql")!;
        delete sql.props.properties.parameterValues;
        assert.deepEqual(violations(resources), []);
        const carrier = resources.find((resource) => resource.name === "connections-carrier")!;
        assert.deepEqual(Object.keys(carrier.props.properties.parameterValues), ["api_key"]);
        assert.doesNotMatch(String(carrier.props.properties.api.id), /managedApis/);
    });

    it("runs in Pulumi's policy host as pulumi preview runs it: the SQL Server connection advisory, the custom connector's once its id is known", async () => {
        const report = await analyzeStack(project, run, pack, { keepOpen: true });
        assert.deepEqual(
            report.violations.filter((violation) => violation.rule === rule.id),
            [
                {
                    rule: rule.id,
                    level: "advisory",
                    resource: "connections-sql",
                    type: "azure-native:web:Connection",
                    message: messageFor("sql", "sql"),
                },
            ],
        );
        // The custom connector's id is the CustomApi's, known only after deploy: pulumi up judges it, and passes it.
        assert.deepEqual(
            report.duringUp.filter((check) => check.rule === rule.id).map((check) => [check.resource, check.message]),
            [["connections-carrier", "string value at .properties.api.id can't be known during preview"]],
        );
        assert.deepEqual(
            report.upViolations.filter((violation) => violation.rule === rule.id),
            [],
        );
    });

    it("shows in npm run plan as an advisory violation that lets the plan pass, with the pack's rule count", async () => {
        const { code, stdout, stderr } = await plan("dev", "--project-dir", project);
        assert.equal(code, 0, stderr);
        assert.match(
            stdout,
            new RegExp(
                `\\nPolicies \\(enterprise-integration-baseline 0\\.1\\.0, ${rules.length} rules, as pulumi preview --policy-pack policies runs them\\): 0 mandatory and 1 advisory violations\\n {2}advisory {3}logicapp-connection-managed-identity {2}connections-sql \\(azure-native:web:Connection\\): ${messageFor("sql", "sql").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n`,
            ),
        );
    });
});
