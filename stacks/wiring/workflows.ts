import * as pulumi from "@pulumi/pulumi";
import { ApiConnections } from "../../components/connections";
import { signatureNamedValue } from "../../components/common/names";
import { AccessGrants, type BuiltInRole } from "../../components/identity";
import { VaultSecrets, type SecretEntry, type Secrets } from "../../components/secrets";
import { Workflows, backendKeyParameter, backendUrlParameter, type WorkflowSpec } from "../../components/workflows";
import type { StackConfig } from "../config";
import { connectionSecretName, connectionSpecs, connectionUsers } from "../connections";
import { containerWriterGrant, failedRunsAlertPurpose, type Namer } from "../naming";
import type { Gateway } from "./gateway";
import type { IdentityAndSecrets } from "./identity";
import type { Platform } from "./platform";

/** The stack's Logic Apps, the signatures of their gateway-facing triggers and their storage grants. */
export interface DeployedWorkflows {
    /** The workflows the config deploys (none when it deploys none: then no storage either, and empty outputs). */
    workflows: Workflows;
    /** The gateway-facing triggers' signatures, kept in the vault, where the gateway reads them. */
    signatures: VaultSecrets;
    /** Each workflow's data role on its own containers, and on nothing else in the account. */
    storageAccess: AccessGrants;
    /** The API connections the workflows use, and the custom connectors some of them go through. */
    apiConnections: ApiConnections;
    /** Each workflow's data role on what its managed-identity connections reach, at that resource alone. */
    connectionAccess: AccessGrants;
}

/** The workflows of the config, each with its Azure name, who may call it and its failed-runs alert's name. */
export function workflowSpecs(config: StackConfig, namer: Namer): Record<string, WorkflowSpec> {
    return Object.fromEntries(
        Object.entries(config.workflows).map(([name, access]) => [
            name,
            {
                workflowName: namer.name("workflow", { purpose: name }),
                access,
                alertName: namer.name("metricAlert", { purpose: failedRunsAlertPurpose(name) }),
            },
        ]),
    );
}

/**
 * The definition parameters the stack fills, by parameter name: each backend's base URL (the
 * config's `gateway.backends`) and each backend key (a secret from the vault), by API name.
 */
export function backendParameterValues(
    config: StackConfig,
    backendKeys: Record<string, string>,
    secrets: Secrets,
): Record<string, pulumi.Input<unknown>> {
    const values: Record<string, pulumi.Input<unknown>> = {};
    for (const [api, backend] of Object.entries(config.gateway.backends)) {
        values[backendUrlParameter(api)] = backend.url;
    }
    for (const [api, secretName] of Object.entries(backendKeys)) {
        values[backendKeyParameter(api)] = secrets.secretValues[secretName]!;
    }
    return values;
}

/**
 * The workflows, which admit only the gateway's addresses; then their trigger signatures into the
 * vault, and each workflow's role on its containers.
 */
export function wireWorkflows(ctx: Platform & IdentityAndSecrets & Gateway): DeployedWorkflows {
    const { config, monitoring } = ctx;
    // Connections live beside the workflows, in their region: a workflow uses its region's connections.
    const specs = connectionSpecs(config, ctx.connectionDeclarations, ctx.definitions, (connection, parameter) => {
        return ctx.secrets.secretValues[connectionSecretName(connection, parameter)]!;
    });
    const connections = new ApiConnections("connections", {
        resourceGroupName: ctx.groups.workflows.name,
        location: config.location,
        connections: specs.connections,
        customConnectors: specs.customConnectors,
        tags: ctx.tags,
    });
    for (const name of connections.needsConsent) {
        const connector = ctx.connectionDeclarations.connections[name]!.connector;
        void pulumi.log.warn(
            `connection ${name} (${connector.kind === "managed" ? connector.api : `custom, workflows/${connector.file}`}) signs in with OAuth and needs consent: after the first pulumi up, someone with an account of that service opens the API connection ${name} in resource group ${ctx.namer.name("resourceGroup", { purpose: "workflows" })}, then Edit API connection > Authorize > Save; until then the calls of ${connectionUsers(ctx.definitions)[name]!.join(", ")} fail as Unauthenticated.`,
        );
    }
    const workflows = new Workflows("workflows", {
        resourceGroupName: ctx.groups.workflows.name,
        location: config.location,
        definitions: ctx.definitions,
        workflows: workflowSpecs(config, ctx.namer),
        parameterValues: backendParameterValues(config, ctx.backendKeys, ctx.secrets),
        connections: connections.values,
        gatewayIpAddresses: ctx.gateway.publicIpAddresses,
        adminIpRanges: config.adminIpRanges,
        // Order documents must outlive a region in production: a geo-redundant copy in the pair.
        storage: {
            accountName: ctx.globalName("storageAccount", { purpose: "wf" }),
            geoRedundant: config.production,
            protect: config.protect,
        },
        monitoring: { workspaceId: monitoring.workspaceId, actionGroupId: monitoring.actionGroupId },
        tags: ctx.tags,
    });

    // Trigger signatures go into the vault; the gateway reads them there.
    const signatures = new VaultSecrets("workflow-secrets", {
        resourceGroupName: ctx.groups.shared.name,
        vaultName: ctx.secrets.vaultName,
        secrets: Object.fromEntries(
            Object.entries(workflows.triggers).map(([name, trigger]): [string, SecretEntry] => [
                signatureNamedValue(name),
                { value: trigger.signature, contentType: `Signature (sig) of the ${name} workflow's HTTP trigger` },
            ]),
        ),
        expiresOn: config.secrets.expiresOn,
        protect: config.protect,
        tags: ctx.tags,
    });

    const storageAccess = new AccessGrants("workflow-storage", {
        grants: Object.fromEntries(
            workflows.containerWriters.map((writer) => [
                containerWriterGrant(writer.workflow, writer.container),
                {
                    scope: writer.containerId,
                    principalId: writer.principalId,
                    principalType: "ServicePrincipal",
                    role: "Storage Blob Data Contributor",
                },
            ]),
        ),
        propagationWait: config.identity.roleAssignmentWait,
    });
    // Each workflow that uses a managed-identity connection gets the declared role on the stack's
    // target of that connection, and nowhere else.
    const users = connectionUsers(ctx.definitions);
    const connectionAccess = new AccessGrants("connection-access", {
        grants: Object.fromEntries(
            Object.entries(users).flatMap(([name, workflowNames]) => {
                const declaration = ctx.connectionDeclarations.connections[name]!;
                const scope = config.connections[name]?.resourceId;
                if (declaration.authentication !== "managedIdentity" || declaration.role === undefined || scope === undefined) {
                    return [];
                }
                return workflowNames.map((workflow) => [
                    `${workflow}-uses-${name}`,
                    {
                        scope,
                        principalId: workflows.principalIds[workflow]!,
                        principalType: "ServicePrincipal" as const,
                        role: declaration.role as BuiltInRole,
                    },
                ]);
            }),
        ),
        propagationWait: config.identity.roleAssignmentWait,
    });
    return { workflows, signatures, storageAccess, apiConnections: connections, connectionAccess };
}
