import * as assert from "node:assert/strict";
import { factsFrom, type Resource, type StackFacts } from "../../policies/rule";
import { rules } from "../../policies/rules";
import type { StackRun } from "../../engine";
import { policyResources, ruleViolations } from "../../commands/plan/policies";
import { stackRun } from "../helpers";
import { compliantConnectorProject, devRun } from "../support/connector-stacks";

/**
 * Every rule of the pack, on resources the components really make (the fixture project's stacks,
 * as planned): the resources as they are pass it; one broken the way the rule is about fails it
 * with the rule's message. Each case names the stack it starts from, the resource it breaks and
 * how.
 */

interface Case {
    /**
     * The fixture stack whose resources the case starts from; `connectors`: dev with the connector
     * examples, every connection signing in as the pack asks (tests/support/connector-stacks.ts).
     */
    stack: "dev" | "prod" | "connectors";
    /** The resource the case breaks (the first that matches). */
    target: (resource: Resource) => boolean;
    /** How it breaks it. */
    mutate: (resource: Resource, resources: Resource[]) => void;
    /** The violation it must cause, on the target. */
    message: string;
    /** Facts other than the stack's own. */
    facts?: Partial<StackFacts>;
}

const ofType = (type: string) => (resource: Resource) => resource.type === `azure-native:${type}`;
const named = (name: string) => (resource: Resource) => resource.name === name;
const stackFacts: Record<Case["stack"], StackFacts> = {
    dev: factsFrom({ production: false, serviceExists: false }),
    prod: factsFrom({ production: true, serviceExists: false }),
    connectors: factsFrom({ production: false, serviceExists: false }),
};
const tls = "Microsoft.WindowsAzure.ApiManagement.Gateway.Security";

const cases: Record<string, Case> = {
    "apim-managed-certificate-on-create": {
        stack: "prod",
        target: ofType("apimanagement:ApiManagementService"),
        mutate: (service) => {
            service.props.hostnameConfigurations[0].certificateSource = "Managed";
        },
        message:
            "api.fabrikam.com asks for a managed certificate, which API Management issues only when an existing service is updated, never in its create call",
    },
    "apim-autoscale-primary-location": {
        stack: "prod",
        target: ofType("monitor:AutoscaleSetting"),
        mutate: (setting) => {
            setting.props.profiles[0].rules[0].metricTrigger.dimensions = [];
        },
        message: "profile capacity, rule 0: Capacity without a Location filter naming one region averages every region",
    },
    "apim-zone-capacity": {
        stack: "prod",
        target: ofType("apimanagement:ApiManagementService"),
        mutate: (service) => {
            service.props.sku.capacity = 3;
        },
        message: "westeurope: 3 units cannot be spread over 2 zones",
    },
    "apim-workflow-api-single-auth-scheme": {
        stack: "prod",
        target: named("catalog-policy-shipments-v1"),
        mutate: (policy) => {
            policy.props.value = String(policy.props.value).replace(/\s*<set-header name="Authorization" exists-action="delete" \/>/, "");
        },
        message: "forwards to a workflow trigger with its signature but keeps the caller's Authorization header",
    },
    "logic-caller-prefix-length": {
        stack: "prod",
        target: named("workflows-shipment-intake"),
        mutate: (workflow) => {
            workflow.props.accessControl.triggers.allowedCallerIpAddresses[0].addressRange = "20.1.2.3";
        },
        message: 'caller range "20.1.2.3" has no prefix length (allowed: x.x.x.x/x or x.x.x.x-x.x.x.x)',
    },
    "logicapp-connection-managed-identity": {
        stack: "connectors",
        target: named("connections-servicebus"),
        // The Service Bus connection declared with parameters (a connection string) instead of the
        // managed identity: a web.Connection with stored parameter values, as the component makes one.
        mutate: (connection) => {
            connection.type = "azure-native:web:Connection";
            connection.props = {
                connectionName: connection.props.resourceName,
                resourceGroupName: connection.props.resourceGroupName,
                location: connection.props.location,
                properties: {
                    api: connection.props.properties.api,
                    displayName: connection.props.properties.displayName,
                    parameterValues: { connectionString: "Endpoint=sb://sb-shipments-dev.servicebus.windows.net/;SharedAccessKey=x" },
                },
                tags: connection.props.tags,
            };
        },
        message:
            "connection servicebus signs in to servicebus with stored credentials; the connector takes the workflow's managed identity (allowed: authentication: managedIdentity in workflows/connections.yaml)",
    },
    "apim-revision-addressed": {
        stack: "prod",
        target: named("catalog-api-ledger-v1"),
        mutate: (api) => {
            api.props.apiId = "ledger-v1";
            delete api.props.apiRevision;
        },
        message: "ledger-v1 has later revisions, so the bare id means the current one (allowed: ledger-v1;rev=1 with apiRevision 1)",
    },
    "apim-premium-features": {
        stack: "prod",
        target: ofType("apimanagement:ApiManagementService"),
        mutate: (service) => {
            service.props.sku.name = "Standard";
        },
        message: "availability zones on the Standard tier",
    },
    "apim-https-only": {
        stack: "prod",
        target: ofType("apimanagement:Backend"),
        mutate: (backend) => {
            backend.props.url = "http://ledger.fabrikam.com/api";
        },
        message: "backend URL http://ledger.fabrikam.com/api is not https",
    },
    "apim-weak-protocols-off": {
        stack: "prod",
        target: ofType("apimanagement:ApiManagementService"),
        mutate: (service) => {
            service.props.customProperties[`${tls}.Backend.Protocols.Tls11`] = "True";
        },
        message: 'Backend.Protocols.Tls11 is not "False"',
    },
    "apim-managed-identity": {
        stack: "prod",
        target: ofType("apimanagement:ApiManagementService"),
        mutate: (service) => {
            delete service.props.identity;
        },
        message: "has no managed identity",
    },
    "apim-min-api-version": {
        stack: "prod",
        target: ofType("apimanagement:ApiManagementService"),
        mutate: (service) => {
            service.props.apiVersionConstraint = { minApiVersion: "2019-12-01" };
        },
        message: "minApiVersion 2019-12-01 (allowed: 2021-08-01 or later)",
    },
    "apim-named-value-secret": {
        stack: "prod",
        target: ofType("apimanagement:NamedValue"),
        mutate: (value) => {
            value.props.secret = false;
            delete value.props.keyVault;
            value.props.value = "plain";
        },
        message: "accounts-backend-key holds a credential but is not secret",
    },
    "apim-product-approval": {
        stack: "prod",
        target: ofType("apimanagement:Product"),
        mutate: (product) => {
            product.props.approvalRequired = false;
        },
        message: "does not require approval of subscriptions",
    },
    "apim-cors-no-wildcard": {
        stack: "prod",
        target: ofType("apimanagement:Policy"),
        mutate: (policy) => {
            policy.props.value = String(policy.props.value).replace(/<origin>[^<]+<\/origin>/, "<origin>*</origin>");
        },
        message: "allows every origin (*) in its CORS policy",
    },
    "apim-policy-base": {
        stack: "prod",
        target: ofType("apimanagement:ProductPolicy"),
        mutate: (policy) => {
            policy.props.value = String(policy.props.value).replace(/<outbound>\s*<base \/>\s*<\/outbound>/, "<outbound />");
        },
        message: "outbound has no <base />",
    },
    "apim-jwt-validation": {
        stack: "prod",
        target: named("catalog-policy-accounts-v1"),
        mutate: (policy) => {
            policy.props.value = String(policy.props.value).replace(
                /<validate-jwt[\s\S]*?<\/validate-jwt>/g,
                '<check-header name="Authorization" failed-check-httpcode="401" failed-check-error-message="No" ignore-case="true" />',
            );
        },
        message: "validates no token (validate-jwt or validate-azure-ad-token)",
    },
    "apim-production-zones": {
        stack: "prod",
        target: ofType("apimanagement:ApiManagementService"),
        mutate: (service) => {
            delete service.props.additionalLocations[0].zones;
        },
        message: "swedencentral has no availability zones",
    },
    "logic-trigger-callers-restricted": {
        stack: "prod",
        target: named("workflows-shipment-notify"),
        mutate: (workflow) => {
            delete workflow.props.accessControl.triggers;
        },
        message: "its triggers accept calls from any address",
    },
    "logic-run-history-restricted": {
        stack: "prod",
        target: named("workflows-shipment-intake"),
        mutate: (workflow) => {
            workflow.props.accessControl.contents.allowedCallerIpAddresses = [{ addressRange: "0.0.0.0/0" }];
        },
        message: "its run history is readable from 0.0.0.0/0",
    },
    "logic-schema-validation": {
        stack: "prod",
        target: named("workflows-shipment-notify"),
        mutate: (workflow) => {
            delete workflow.props.definition.triggers.manual.operationOptions;
        },
        message: "trigger manual declares a schema but does not enforce it",
    },
    "logic-diagnostics": {
        stack: "prod",
        target: named("workflows-shipment-notify"),
        mutate: (workflow, resources) => {
            resources.splice(resources.findIndex(named("workflows-shipment-notify-logs")), 1);
            void workflow;
        },
        message: "sends no logs to Log Analytics",
    },
    "keyvault-rbac": {
        stack: "prod",
        target: ofType("keyvault:Vault"),
        mutate: (vault) => {
            vault.props.properties.enableRbacAuthorization = false;
        },
        message: "uses access policies, not Azure RBAC",
    },
    "keyvault-soft-delete": {
        stack: "prod",
        target: ofType("keyvault:Vault"),
        mutate: (vault) => {
            vault.props.properties.enableSoftDelete = false;
        },
        message: "soft delete is off",
    },
    "keyvault-purge-protection": {
        stack: "prod",
        target: ofType("keyvault:Vault"),
        mutate: (vault) => {
            delete vault.props.properties.enablePurgeProtection;
        },
        message: "purge protection is off",
    },
    "keyvault-network-deny": {
        stack: "prod",
        target: ofType("keyvault:Vault"),
        mutate: (vault) => {
            vault.props.properties.networkAcls.defaultAction = "Allow";
        },
        message: "its firewall allows every network by default",
    },
    "keyvault-audit-logs": {
        stack: "prod",
        target: ofType("keyvault:Vault"),
        mutate: (_vault, resources) => {
            resources.find(named("secrets-audit"))!.props.logs = [{ category: "AzurePolicyEvaluationDetails", enabled: true }];
        },
        message: "sends no AuditEvent logs to Log Analytics",
    },
    "keyvault-secret-expiry": {
        stack: "prod",
        target: ofType("keyvault:Secret"),
        mutate: (secret) => {
            delete secret.props.properties.attributes.expires;
        },
        message: "has no expiry date",
    },
    "storage-https-tls12": {
        stack: "prod",
        target: ofType("storage:StorageAccount"),
        mutate: (account) => {
            account.props.minimumTlsVersion = "TLS1_0";
        },
        message: "minimum TLS TLS1_0",
    },
    "storage-no-public-blobs": {
        stack: "prod",
        target: ofType("storage:StorageAccount"),
        mutate: (account) => {
            delete account.props.allowBlobPublicAccess;
        },
        message: "allows public blob access",
    },
    "storage-network-deny": {
        stack: "prod",
        target: ofType("storage:StorageAccount"),
        mutate: (account) => {
            account.props.networkRuleSet.bypass = "None";
        },
        message: "its firewall does not let trusted Azure services through",
    },
    "storage-shared-key-off": {
        stack: "prod",
        target: ofType("storage:StorageAccount"),
        mutate: (account) => {
            account.props.allowSharedKeyAccess = true;
        },
        message: "allows shared-key (account key) access",
    },
    "storage-geo-redundant-production": {
        stack: "prod",
        target: ofType("storage:StorageAccount"),
        mutate: (account) => {
            account.props.sku = { name: "Standard_ZRS" };
        },
        message: "Standard_ZRS keeps no copy in another region",
    },
    "storage-soft-delete": {
        stack: "prod",
        target: ofType("storage:StorageAccount"),
        mutate: (_account, resources) => {
            resources.find(ofType("storage:BlobServiceProperties"))!.props.containerDeleteRetentionPolicy = { enabled: false };
        },
        message: "deleted containers cannot be restored (no container soft delete)",
    },
    "appinsights-workspace-entra-only": {
        stack: "prod",
        target: ofType("applicationinsights:Component"),
        mutate: (component) => {
            component.props.disableLocalAuth = false;
        },
        message: "takes telemetry with its instrumentation key (local authentication is on)",
    },
    "apim-logs": {
        stack: "prod",
        target: ofType("apimanagement:ApiManagementService"),
        mutate: (service, resources) => {
            for (const setting of resources.filter((resource) => resource.type === "azure-native:monitor:DiagnosticSetting")) {
                setting.dependencies = setting.dependencies.filter((dependency) => dependency.urn !== service.urn);
            }
        },
        message: "sends no logs to Log Analytics",
    },
    "required-tags": {
        stack: "prod",
        target: ofType("managedidentity:UserAssignedIdentity"),
        mutate: (identity) => {
            delete identity.props.tags.costCenter;
        },
        message: "has no costCenter tag",
    },
    "stateful-protected-production": {
        stack: "prod",
        target: ofType("storage:BlobContainer"),
        mutate: (container) => {
            container.protect = false;
        },
        message: "is not protected",
    },
    "role-assignment-scope": {
        stack: "prod",
        target: ofType("authorization:RoleAssignment"),
        mutate: (assignment) => {
            assignment.props.scope = "/subscriptions/3f2b8c1e-6a4d-4f7e-9b2a-1c5d8e7f9a01";
        },
        message: "is scoped to the whole subscription /subscriptions/3f2b8c1e-6a4d-4f7e-9b2a-1c5d8e7f9a01",
    },
    "role-assignment-not-privileged": {
        stack: "prod",
        target: ofType("authorization:RoleAssignment"),
        mutate: (assignment) => {
            assignment.props.roleDefinitionId = String(assignment.props.roleDefinitionId).replace(
                /[^/]+$/,
                "b24988ac-6180-42a0-ab88-20f7382dd24c",
            );
        },
        message: "gives a workload identity Contributor",
    },
};

describe("the policy pack's rules", () => {
    const runs: Partial<Record<Case["stack"], StackRun>> = {};
    before(async () => {
        runs.dev = await stackRun("dev");
        runs.prod = await stackRun("prod");
        runs.connectors = await devRun(compliantConnectorProject());
    });

    it("has a case for every rule, and every rule an id, a risk, a remedy, a source and a page", () => {
        assert.deepEqual(Object.keys(cases).sort(), rules.map((rule) => rule.id).sort());
        for (const rule of rules) {
            assert.match(rule.id, /^[a-z0-9]+(-[a-z0-9]+)*$/, rule.id);
            for (const field of [rule.description, rule.remediation, rule.source]) {
                assert.ok(field.length > 20 && field.endsWith(".") === (field !== rule.source), `${rule.id}: ${field}`);
            }
            assert.match(rule.url, /^https:\/\//, rule.id);
        }
    });

    for (const rule of rules) {
        describe(rule.id, () => {
            const test = cases[rule.id]!;
            const facts = () => ({ ...stackFacts[test.stack], ...test.facts });

            it("passes the resources the components make", () => {
                assert.deepEqual(
                    ruleViolations(rule, policyResources(runs[test.stack]!), facts()).map(
                        (violation) => `${violation.resource.name}: ${violation.message}`,
                    ),
                    [],
                );
            });

            it("fails the resource broken its way, with its message", () => {
                const resources = policyResources(runs[test.stack]!);
                const target = resources.find(test.target);
                assert.ok(target, "the case's resource is in the stack");
                test.mutate(target, resources);
                const found = ruleViolations(rule, resources, facts())
                    .filter((violation) => violation.resource.urn === target.urn)
                    .map((violation) => violation.message);
                assert.ok(found.includes(test.message), `expected\n  ${test.message}\ngot\n  ${found.join("\n  ") || "nothing"}`);
            });
        });
    }
});

describe("the policy pack's stack facts and config", () => {
    let prod: StackRun;
    before(async () => {
        prod = await stackRun("prod");
    });
    const rule = (id: string) => rules.find((candidate) => candidate.id === id)!;

    it("lets a managed certificate through once the stack says the service exists", () => {
        const resources = policyResources(prod);
        resources.find(ofType("apimanagement:ApiManagementService"))!.props.hostnameConfigurations[0].certificateSource = "Managed";
        assert.equal(ruleViolations(rule("apim-managed-certificate-on-create"), resources, factsFrom({ serviceExists: true })).length, 0);
        assert.equal(ruleViolations(rule("apim-managed-certificate-on-create"), resources, factsFrom({ serviceExists: false })).length, 1);
    });

    it("lets shared-key access through for an account the config exempts, by name", () => {
        const resources = policyResources(prod);
        const account = resources.find(ofType("storage:StorageAccount"))!;
        account.props.allowSharedKeyAccess = true;
        assert.equal(
            ruleViolations(
                rule("storage-shared-key-off"),
                resources,
                factsFrom({ sharedKeyExemptions: { [account.name]: "a legacy SFTP client" } }),
            ).length,
            0,
        );
        assert.equal(
            ruleViolations(rule("storage-shared-key-off"), resources, factsFrom({ sharedKeyExemptions: { other: "x" } })).length,
            1,
        );
    });

    it("asks production facts of production stacks only", () => {
        const resources = policyResources(prod);
        resources.find(ofType("storage:StorageAccount"))!.props.sku = { name: "Standard_LRS" };
        assert.equal(ruleViolations(rule("storage-geo-redundant-production"), resources, factsFrom({ production: false })).length, 0);
        assert.equal(ruleViolations(rule("storage-geo-redundant-production"), resources, factsFrom({ production: true })).length, 1);
    });
});
