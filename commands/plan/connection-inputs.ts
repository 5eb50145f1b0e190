import { secretMarker, unknownMarker } from "../../engine/values";

/**
 * An API connection (`Microsoft.Web/connections`) as its planned inputs describe it, for the plan's
 * line under it and the cost estimate's line for it. Read from the inputs alone (the plan knows no
 * declaration): the connector from `properties.api.id` (`.../managedApis/<name>`, anything else is
 * a custom connector, whose id is `.../customApis/<name>` once it exists), the sign-in from what
 * the connection carries, as components/connections creates it:
 * - a `parameterValueSet` (a generic resource): the workflows' managed identity;
 * - `parameterValues`: stored parameters, the secret ones shown as "[secret]" in the plan's inputs;
 * - neither, on a managed API: OAuth, created without credentials, authorized once in the portal;
 * - neither, on a custom connector: no sign-in.
 */

/** The two resource types a connection is planned as. */
export const connectionType = "azure-native:web:Connection";
export const genericType = "azure-native:resources:Resource";

export type Connector = { kind: "managed"; api: string } | { kind: "custom"; name?: string };

export interface ConnectionInputs {
    /** The connection's Azure name (the name the workflows use in `$connections`). */
    name: string;
    connector: Connector;
    authentication: "managedIdentity" | "parameters" | "oauth" | "none" | "unknown";
    /** With parameters: those that are not secrets, in the order the inputs give them. */
    parameters: string[];
    /** With parameters: the secret ones (their values are never read). */
    secrets: string[];
    /** With the managed identity: the value set's values, by parameter. */
    valueSet: Record<string, string>;
    /** What stands for settings the plan cannot show ("[secret]", "(known after deploy)"), when some are hidden as a whole. */
    hidden?: string;
}

type Inputs = Record<string, unknown>;

const isRecord = (value: unknown): value is Inputs => typeof value === "object" && value !== null && !Array.isArray(value);

/** Whether a generic resource is an API connection. */
export function isGenericConnection(inputs: Inputs): boolean {
    return (
        String(inputs.resourceProviderNamespace).toLowerCase() === "microsoft.web" &&
        String(inputs.resourceType).toLowerCase() === "connections" &&
        !inputs.parentResourcePath
    );
}

/** Whether a resource of `type` with these inputs is an API connection. */
export function isConnection(type: string, inputs: Inputs): boolean {
    return type === connectionType || (type === genericType && isGenericConnection(inputs));
}

/** The connector a connection's `properties.api.id` names. */
export function connectorOf(apiId: unknown): Connector {
    const id = typeof apiId === "string" ? apiId : "";
    const managed = /\/managedApis\/([^/]+)$/i.exec(id);
    if (managed && !managed[1]!.includes(unknownMarker)) {
        return { kind: "managed", api: managed[1]!.toLowerCase() };
    }
    const custom = /\/customApis\/([^/]+)$/i.exec(id);
    return custom && !custom[1]!.includes(unknownMarker) ? { kind: "custom", name: custom[1]! } : { kind: "custom" };
}

/** The connection a resource's inputs describe; undefined when the resource is not one. */
export function connectionOf(type: string, inputs: Inputs): ConnectionInputs | undefined {
    if (!isConnection(type, inputs)) {
        return undefined;
    }
    const name = String((type === connectionType ? inputs.connectionName : inputs.resourceName) ?? "");
    const properties = inputs.properties;
    if (!isRecord(properties)) {
        // Secret or known only after deploy as a whole: nothing to say of its connector or sign-in.
        return {
            name,
            connector: { kind: "custom" },
            authentication: "unknown",
            parameters: [],
            secrets: [],
            valueSet: {},
            hidden: String(properties ?? unknownMarker),
        };
    }
    const connector = connectorOf(isRecord(properties.api) ? properties.api.id : undefined);
    const values = isRecord(properties.parameterValues) ? properties.parameterValues : {};
    const set = isRecord(properties.parameterValueSet) ? properties.parameterValueSet : undefined;
    if (set) {
        const valueSet = Object.fromEntries(
            Object.entries(isRecord(set.values) ? set.values : {}).map(([parameter, entry]) => [
                parameter,
                String(isRecord(entry) ? entry.value : entry),
            ]),
        );
        return { name, connector, authentication: "managedIdentity", parameters: [], secrets: [], valueSet };
    }
    if (properties.parameterValues !== undefined && !isRecord(properties.parameterValues)) {
        // The parameters as a whole are secret, or known only after deploy.
        return {
            name,
            connector,
            authentication: "parameters",
            parameters: [],
            secrets: [],
            valueSet: {},
            hidden: String(properties.parameterValues),
        };
    }
    const keys = Object.keys(values);
    if (keys.length > 0) {
        const secrets = keys.filter((key) => values[key] === secretMarker);
        return {
            name,
            connector,
            authentication: "parameters",
            parameters: keys.filter((key) => !secrets.includes(key)),
            secrets,
            valueSet: {},
        };
    }
    return {
        name,
        connector,
        authentication: connector.kind === "managed" ? "oauth" : "none",
        parameters: [],
        secrets: [],
        valueSet: {},
    };
}

/** "servicebus (managed API servicebus)", "carrier (custom connector)". */
export function connectionTitle(connection: ConnectionInputs): string {
    const connector =
        connection.connector.kind === "managed"
            ? `managed API ${connection.connector.api}`
            : `custom connector${connection.connector.name ? ` ${connection.connector.name}` : ""}`;
    return `${connection.name} (${connector})`;
}
