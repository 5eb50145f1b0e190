import type * as pulumi from "@pulumi/pulumi";
import { connectionsUsedBy, type ConnectionDeclarations } from "../content/workflows/connections";
import { managedApis } from "../content/workflows/managed-apis";
import type { WorkflowDefinition } from "../content/workflows/definition";
import type { ConnectionSpec, CustomConnectorSpec } from "../components/connections";
import { ConfigError, type StackConfig } from "./config";

/**
 * What a stack's config and the declared connections (`workflows/connections.yaml`) must agree on,
 * checked before anything is registered, in terms of config keys: each connection the stack's
 * workflows use gets what its sign-in needs from the stack file (`connections.<name>`: the target's
 * `resourceId` for a managed identity with a role, the parameters its connector takes) and its
 * secrets from `connectionSecrets`, and nothing else; a connection no workflow of the stack uses
 * has no settings.
 */

/** The connections the stack's workflows use, by name, with the workflows that use each. */
export function connectionUsers(definitions: Record<string, WorkflowDefinition>): Record<string, string[]> {
    const users: Record<string, string[]> = {};
    for (const [workflow, definition] of Object.entries(definitions).sort(([a], [b]) => a.localeCompare(b))) {
        for (const connection of connectionsUsedBy(definition.definition)) {
            (users[connection] ??= []).push(workflow);
        }
    }
    return users;
}

/** The parameters a connection takes from the stack file, and which of them are secrets. */
function parametersOf(declarations: ConnectionDeclarations, name: string): { required: string[]; optional: string[]; secrets: string[] } {
    const declaration = declarations.connections[name]!;
    if (declaration.connector.kind === "custom") {
        const apiKey = declaration.authentication === "parameters";
        return { required: apiKey ? ["api_key"] : [], optional: [], secrets: apiKey ? ["api_key"] : [] };
    }
    const api = managedApis[declaration.connector.api]!;
    if (declaration.authentication === "managedIdentity") {
        return { required: [...api.managedIdentity!.parameters], optional: [], secrets: [] };
    }
    if (declaration.authentication === "parameters") {
        return { required: [...api.parameters!.required], optional: [...api.parameters!.optional], secrets: [...api.parameters!.secrets] };
    }
    return { required: [], optional: [], secrets: [] };
}

/** The problems of the config's connection settings against the declarations and the stack's workflows. */
export function connectionConfigProblems(
    config: StackConfig,
    declarations: ConnectionDeclarations,
    definitions: Record<string, WorkflowDefinition>,
): string[] {
    const users = connectionUsers(definitions);
    const used = Object.keys(users).sort();
    const problems: string[] = [];
    for (const name of Object.keys(config.connections).filter((key) => !used.includes(key))) {
        problems.push(
            `connections.${name}: no workflow of this stack uses this connection (allowed: ${used.join(", ") || "none: the stack's workflows use no connection"})`,
        );
    }
    for (const name of Object.keys(config.connectionSecrets).filter((key) => !used.includes(key))) {
        problems.push(`connectionSecrets.${name}: no workflow of this stack uses this connection (allowed: ${used.join(", ") || "none"})`);
    }
    const secretNames = new Map<string, string>();
    for (const [name, parameters] of Object.entries(config.connectionSecrets)) {
        for (const parameter of Object.keys(parameters)) {
            const vaultName = connectionSecretName(name, parameter);
            const other = secretNames.get(vaultName);
            if (other !== undefined) {
                problems.push(
                    `connectionSecrets.${name}.${parameter}: would be kept in the vault as ${vaultName}, as ${other} is (allowed: connection and parameter names that differ in more than - and _)`,
                );
            }
            secretNames.set(vaultName, `connectionSecrets.${name}.${parameter}`);
        }
    }
    for (const name of used) {
        const declaration = declarations.connections[name];
        if (!declaration) {
            continue; // Reported by the declarations' own check, naming the definition.
        }
        const settings = config.connections[name] ?? {};
        const given = settings.parameters ?? {};
        const secrets = config.connectionSecrets[name] ?? {};
        const { required, optional, secrets: secretNames } = parametersOf(declarations, name);
        const known = [...required, ...optional];
        const where = `${declarations.file} declares ${name} with ${declaration.authentication}`;
        for (const parameter of required) {
            const isSecret = secretNames.includes(parameter);
            if (isSecret ? secrets[parameter] === undefined : given[parameter] === undefined) {
                problems.push(
                    isSecret
                        ? `connectionSecrets.${name}.${parameter}: missing; ${where} (allowed: pulumi config set --secret --path 'connectionSecrets.${name}.${parameter}' <value>)`
                        : `connections.${name}.parameters.${parameter}: missing; ${where} (allowed: ${required.filter((p) => !secretNames.includes(p)).join(", ")})`,
                );
            }
        }
        for (const parameter of Object.keys(given)) {
            if (secretNames.includes(parameter)) {
                problems.push(
                    `connections.${name}.parameters.${parameter}: is a secret, in plain text in the stack file (allowed: pulumi config set --secret --path 'connectionSecrets.${name}.${parameter}' <value>)`,
                );
            } else if (!known.includes(parameter)) {
                problems.push(
                    `connections.${name}.parameters.${parameter}: is not a parameter of this connection; ${where} (allowed: ${known.filter((p) => !secretNames.includes(p)).join(", ") || "none"})`,
                );
            }
        }
        for (const parameter of Object.keys(secrets).filter((key) => !secretNames.includes(key))) {
            problems.push(
                `connectionSecrets.${name}.${parameter}: is not a secret parameter of this connection; ${where} (allowed: ${secretNames.join(", ") || "none"})`,
            );
        }
        const roles = declaration.role !== undefined;
        const one = users[name]!.length === 1;
        const workflowsNamed = `${one ? "the workflow" : "the workflows"} ${users[name]!.join(", ")} ${one ? "gets" : "get"}`;
        if (roles && settings.resourceId === undefined) {
            problems.push(
                `connections.${name}.resourceId: missing; ${workflowsNamed} ${declaration.role} there (allowed: the ARM id of the resource the connection reaches)`,
            );
        }
        const targetType =
            declaration.connector.kind === "managed" ? managedApis[declaration.connector.api]!.managedIdentity?.targetType : undefined;
        if (roles && settings.resourceId !== undefined && targetType !== undefined) {
            const resourceName = resourceNameOfType(settings.resourceId, targetType);
            if (resourceName === undefined) {
                problems.push(
                    `connections.${name}.resourceId: is not a ${targetType} resource, which ${name} reaches; ${workflowsNamed} ${declaration.role} on it (allowed: /subscriptions/<id>/resourceGroups/<group>/providers/${targetType}/<name>)`,
                );
            } else {
                // The endpoint the connection is told must be that resource's.
                const expected: Record<string, string> = {
                    namespaceEndpoint: `sb://${resourceName}.servicebus.windows.net/`,
                    vaultName: resourceName,
                };
                for (const [parameter, value] of Object.entries(given)) {
                    const wanted = expected[parameter];
                    if (wanted !== undefined && value.replace(/\/?$/, "/").toLowerCase() !== wanted.replace(/\/?$/, "/").toLowerCase()) {
                        problems.push(
                            `connections.${name}.parameters.${parameter}: ${JSON.stringify(value)} is not the resource connections.${name}.resourceId names (allowed: ${wanted})`,
                        );
                    }
                }
            }
        }
        if (!roles && settings.resourceId !== undefined) {
            problems.push(`connections.${name}.resourceId: ${where}, which grants no role (allowed: no resourceId)`);
        }
    }
    return problems;
}

/** The name of the resource an ARM id names when it is of `type` (`Microsoft.ServiceBus/namespaces`), else undefined. */
function resourceNameOfType(resourceId: string, type: string): string | undefined {
    const [namespace, kind] = type.toLowerCase().split("/");
    const parts = resourceId.split("/");
    const at = parts.findIndex((part, i) => part.toLowerCase() === "providers" && parts[i + 1]?.toLowerCase() === namespace);
    return at >= 0 && parts[at + 2]?.toLowerCase() === kind && parts.length === at + 4 ? parts[at + 3] : undefined;
}

/** Refuses, with a ConfigError naming each key, a config whose connection settings do not fit. */
export function checkConnectionConfig(
    config: StackConfig,
    declarations: ConnectionDeclarations,
    definitions: Record<string, WorkflowDefinition>,
): void {
    const problems = connectionConfigProblems(config, declarations, definitions);
    if (problems.length > 0) {
        throw new ConfigError(config.stack, problems);
    }
}

/** The ApiConnections component's connections and custom connectors for the connections the stack's workflows use. */
export function connectionSpecs(
    config: StackConfig,
    declarations: ConnectionDeclarations,
    definitions: Record<string, WorkflowDefinition>,
    secretValue: (connection: string, parameter: string) => pulumi.Input<string>,
): { connections: Record<string, ConnectionSpec>; customConnectors: Record<string, CustomConnectorSpec> } {
    const connections: Record<string, ConnectionSpec> = {};
    const customConnectors: Record<string, CustomConnectorSpec> = {};
    for (const name of Object.keys(connectionUsers(definitions))) {
        const declaration = declarations.connections[name]!;
        const given = config.connections[name]?.parameters ?? {};
        const { secrets } = parametersOf(declarations, name);
        let connector: ConnectionSpec["connector"];
        if (declaration.connector.kind === "custom") {
            const custom = declarations.customConnectors[declaration.connector.file]!;
            const key = declaration.connector.file.replace(/\.(json|ya?ml)$/, "");
            customConnectors[key] = {
                customApiName: key,
                swagger: custom.swagger,
                serviceUrl: custom.serviceUrl,
                displayName: custom.title,
                apiKey: custom.apiKey,
            };
            connector = { customConnector: key };
        } else {
            connector = { managedApi: declaration.connector.api };
        }
        const spec: ConnectionSpec = {
            connectionName: name,
            connector,
            authentication: declaration.authentication,
            displayName: declaration.description ?? name,
        };
        if (declaration.authentication === "managedIdentity" && declaration.connector.kind === "managed") {
            const identity = managedApis[declaration.connector.api]!.managedIdentity!;
            spec.parameterValueSet = {
                name: identity.valueSet,
                values: Object.fromEntries(identity.parameters.map((parameter) => [parameter, given[parameter]!])),
            };
        }
        if (declaration.authentication === "parameters") {
            spec.parameterValues = Object.fromEntries(Object.entries(given));
            spec.secretParameterValues = Object.fromEntries(
                secrets
                    .filter((parameter) => config.connectionSecrets[name]?.[parameter] !== undefined)
                    .map((parameter) => [parameter, secretValue(name, parameter)]),
            );
        }
        connections[name] = spec;
    }
    return { connections, customConnectors };
}

/** The vault secret of a connection's secret parameter: `<connection>-<parameter>`, in the vault's characters. */
export function connectionSecretName(connection: string, parameter: string): string {
    return `connection-${connection}-${parameter}`.replace(/[^A-Za-z0-9-]/g, "-").slice(0, 127);
}
