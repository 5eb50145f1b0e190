import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as resources from "@pulumi/azure-native/resources";
import * as web from "@pulumi/azure-native/web";
import { ArgumentsError } from "../common/rules";

/**
 * API connections (`Microsoft.Web/connections`) for Logic Apps (Consumption) workflows, and the
 * custom connectors (`Microsoft.Web/customApis`) some of them use, in the workflows' region and
 * resource group. Hands back, for each connection, its entry of a workflow's `$connections`
 * parameter value.
 *
 * A connection that signs in with the workflow's managed identity carries a `parameterValueSet`
 * and `parameterValueType: Alternative` ("Authenticate access and connections to Azure resources
 * with managed identities in Azure Logic Apps", learn.microsoft.com/azure/logic-apps/
 * authenticate-with-managed-identity, "ARM template for API connections and managed identities":
 * `"parameterValueSet": {"name": "managedIdentityAuth", "values": {}}`, `"parameterValueType":
 * "Alternative"`, `kind: V1`). Neither property is in any published spec of
 * `Microsoft.Web/connections` (2016-06-01's `ApiConnectionPropertiesDefinition` has
 * `additionalProperties: false` without them), so azure-native's typed `web.Connection` cannot
 * send them (pulumi/pulumi-azure-native#2069); such a connection is a generic resource at
 * 2016-06-01, which Azure accepts at run time (the Azure Verified Modules send the same,
 * avm/res/web/connection). Its `$connections` entry says so:
 * `"connectionProperties": {"authentication": {"type": "ManagedServiceIdentity"}}`.
 *
 * A connection that signs in with parameters is a `web.Connection` with its `parameterValues`,
 * the secret ones as Pulumi secrets. An OAuth connection (Office 365, Salesforce) is created
 * without credentials, as a deployment can ("you still have to authorize or use preauthorized
 * OAuth connections", logic-apps-deploy-azure-resource-manager-templates): someone authorizes it
 * once in the portal; {@link ApiConnections.needsConsent} names them.
 */

/** The API version of the generic managed-identity connections: the one the provider's typed resource uses. */
export const connectionsApiVersion = "2016-06-01";

/** One connection to create. */
export interface ConnectionSpec {
    /** Azure name of the connection (`Microsoft.Web/connections`). Required. */
    connectionName: pulumi.Input<string>;
    /** The connector: a managed API by name, or one of {@link ApiConnectionsArgs.customConnectors} by key. Required. */
    connector: { managedApi: string } | { customConnector: string };
    /** How it signs in. Required. */
    authentication: "managedIdentity" | "parameters" | "oauth" | "none";
    /** With the managed identity: the parameter value set's name and its values. Required then, ignored otherwise. */
    parameterValueSet?: { name: string; values: Record<string, string> };
    /** With parameters: those that are not secrets. Default: none. */
    parameterValues?: Record<string, pulumi.Input<string>>;
    /** With parameters: the secret ones, sent as Pulumi secrets. Default: none. */
    secretParameterValues?: Record<string, pulumi.Input<string>>;
    /** Shown in the portal. Default: the connection's key. */
    displayName?: string;
}

/** One custom connector to create from its Swagger 2.0 definition. */
export interface CustomConnectorSpec {
    /** Azure name (`Microsoft.Web/customApis`). Required. */
    customApiName: pulumi.Input<string>;
    /** The Swagger 2.0 document. Required. */
    swagger: Record<string, unknown>;
    /** Where its calls go (`https://host/basePath`). Required. */
    serviceUrl: string;
    /** Shown in the portal. Required. */
    displayName: string;
    /** Whether a connection passes an API key (`api_key`, a secure string). Default: false. */
    apiKey?: boolean;
}

export interface ApiConnectionsArgs {
    /** Resource group: the workflows' own. Required. */
    resourceGroupName: pulumi.Input<string>;
    /** Region: the workflows' own (connections are regional, and a workflow uses those of its region). Required. */
    location: string;
    /** The connections, keyed by the name the definitions use in `$connections`. Required; may be empty. */
    connections: Record<string, ConnectionSpec>;
    /** Custom connectors, keyed by the name connections use in `connector.customConnector`. Default: none. */
    customConnectors?: Record<string, CustomConnectorSpec>;
    /** Tags. Default: none. */
    tags?: Record<string, string>;
}

/** A workflow's `$connections` entry for one connection. */
export interface ConnectionValue {
    connectionId: string;
    connectionName: string;
    id: string;
    connectionProperties?: { authentication: { type: "ManagedServiceIdentity" } };
}

/** The problems of the args, each naming its place; [] when they are fine. */
export function connectionArgsProblems(args: ApiConnectionsArgs): string[] {
    const problems: string[] = [];
    const custom = Object.keys(args.customConnectors ?? {});
    for (const [name, spec] of Object.entries(args.connections)) {
        const at = `connections.${name}`;
        if ("customConnector" in spec.connector && !custom.includes(spec.connector.customConnector)) {
            problems.push(
                `${at}.connector.customConnector: "${spec.connector.customConnector}" is not among customConnectors (allowed: ${custom.join(", ") || "none"})`,
            );
        }
        if (spec.authentication === "managedIdentity" && !spec.parameterValueSet) {
            problems.push(
                `${at}.parameterValueSet: missing; a managed-identity connection names its value set (allowed: { name, values })`,
            );
        }
        if (spec.authentication !== "parameters" && (spec.parameterValues || spec.secretParameterValues)) {
            problems.push(
                `${at}: has parameter values, which a connection signing in with ${spec.authentication} does not take (allowed: none)`,
            );
        }
    }
    return problems;
}

export class ApiConnections extends pulumi.ComponentResource {
    /** ARM ids of the connections, by name. */
    readonly connectionIds: Record<string, pulumi.Output<string>>;
    /** Each connection's `$connections` entry, by name. */
    readonly values: Record<string, pulumi.Output<ConnectionValue>>;
    /** The OAuth connections, which someone must authorize in the portal after they are created, by name. */
    readonly needsConsent: string[];

    constructor(name: string, args: ApiConnectionsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("enterprise-integration:connections:ApiConnections", name, {}, opts);
        const problems = connectionArgsProblems(args);
        if (problems.length > 0) {
            throw new ArgumentsError("ApiConnections", problems);
        }
        const subscription = authorization.getClientConfigOutput({ parent: this }).subscriptionId;
        const customApis: Record<string, web.CustomApi> = {};
        for (const [key, connector] of Object.entries(args.customConnectors ?? {})) {
            customApis[key] = new web.CustomApi(
                `${name}-custom-${key}`,
                {
                    resourceGroupName: args.resourceGroupName,
                    location: args.location,
                    apiName: connector.customApiName,
                    properties: {
                        displayName: connector.displayName,
                        apiType: web.ApiType.Rest,
                        backendService: { serviceUrl: connector.serviceUrl },
                        swagger: connector.swagger,
                        ...(connector.apiKey
                            ? {
                                  connectionParameters: {
                                      api_key: { type: web.ConnectionParameterType.Securestring },
                                  },
                              }
                            : {}),
                    },
                    tags: args.tags,
                },
                { parent: this },
            );
        }

        this.connectionIds = {};
        this.values = {};
        this.needsConsent = [];
        for (const [key, spec] of Object.entries(args.connections)) {
            const apiId =
                "managedApi" in spec.connector
                    ? pulumi.interpolate`/subscriptions/${subscription}/providers/Microsoft.Web/locations/${args.location}/managedApis/${spec.connector.managedApi}`
                    : customApis[spec.connector.customConnector]!.id;
            const displayName = spec.displayName ?? key;
            let id: pulumi.Output<string>;
            let connectionName: pulumi.Output<string>;
            if (spec.authentication === "managedIdentity") {
                const connection = new resources.Resource(
                    `${name}-${key}`,
                    {
                        resourceGroupName: args.resourceGroupName,
                        location: args.location,
                        resourceProviderNamespace: "Microsoft.Web",
                        parentResourcePath: "",
                        resourceType: "connections",
                        resourceName: spec.connectionName,
                        apiVersion: connectionsApiVersion,
                        kind: "V1",
                        properties: {
                            api: { id: apiId },
                            displayName,
                            parameterValueSet: {
                                name: spec.parameterValueSet!.name,
                                values: Object.fromEntries(
                                    Object.entries(spec.parameterValueSet!.values).map(([parameter, value]) => [parameter, { value }]),
                                ),
                            },
                            parameterValueType: "Alternative",
                        },
                        tags: args.tags,
                    },
                    { parent: this },
                );
                id = connection.id;
                connectionName = connection.name;
            } else {
                const secrets = Object.fromEntries(
                    Object.entries(spec.secretParameterValues ?? {}).map(([parameter, value]) => [parameter, pulumi.secret(value)]),
                );
                const connection = new web.Connection(
                    `${name}-${key}`,
                    {
                        resourceGroupName: args.resourceGroupName,
                        location: args.location,
                        connectionName: spec.connectionName,
                        properties: {
                            api: { id: apiId },
                            displayName,
                            ...(spec.authentication === "parameters" ? { parameterValues: { ...spec.parameterValues, ...secrets } } : {}),
                        },
                        tags: args.tags,
                    },
                    { parent: this },
                );
                id = connection.id;
                connectionName = connection.name;
                if (spec.authentication === "oauth") {
                    this.needsConsent.push(key);
                }
            }
            this.connectionIds[key] = id;
            this.values[key] = pulumi.all([id, connectionName, apiId]).apply(([connectionId, azureName, api]): ConnectionValue => ({
                connectionId,
                connectionName: azureName,
                id: api,
                ...(spec.authentication === "managedIdentity"
                    ? { connectionProperties: { authentication: { type: "ManagedServiceIdentity" as const } } }
                    : {}),
            }));
        }
        this.registerOutputs({ connectionIds: this.connectionIds, needsConsent: this.needsConsent });
    }
}
