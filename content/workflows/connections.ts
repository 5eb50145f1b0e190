import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { formatPath, schemaIssueMessage } from "../../components/common/rules";
import { managedApis, type ConnectionAuthentication } from "./managed-apis";

/**
 * The connections workflows use through managed connectors, declared as data in
 * `workflows/connections.yaml`, keyed by the name the definitions use in `$connections` (as the
 * Logic Apps designer writes them: `@parameters('$connections')['servicebus']['connectionId']`),
 * so a definition exported from the designer deploys as it is:
 *
 * ```yaml
 * servicebus:
 *   api: servicebus                       # a managed API (./managed-apis.ts)
 *   authentication: managedIdentity       # the workflow's own identity, best where the connector takes it
 *   role: Azure Service Bus Data Sender   # the data role the stack grants it on the stack's target
 * carrier:
 *   customApi: carrier-connector.yaml     # a custom connector from a Swagger 2.0 file under workflows/
 *   authentication: parameters            # its API key, from connectionSecrets
 * ```
 *
 * What differs between stacks (the target resource, a server name, a secret) is in each stack
 * file (`connections`, `connectionSecrets`). Pure: the assembly reads the files and hands the text
 * over; every problem names its file.
 */

/** How a declaration names its connector. */
export type ConnectorRef = { kind: "managed"; api: string } | { kind: "custom"; file: string };

/** One declared connection. */
export interface ConnectionDeclaration {
    /** The name the definitions use in `$connections`. */
    name: string;
    connector: ConnectorRef;
    /** How it signs in (custom connectors: `parameters`, with an API key, or `none`). */
    authentication: ConnectionAuthentication | "none";
    /** With the managed identity: the data role the workflow's identity gets on the stack's target. */
    role?: string;
    /** What the connection is for, shown in the portal. Default: the connector's name. */
    description?: string;
}

/** A custom connector's definition, read and checked. */
export interface CustomConnector {
    /** The file under `workflows/`. */
    file: string;
    /** The Swagger 2.0 document, as deployed (`Microsoft.Web/customApis` `swagger`). */
    swagger: Record<string, unknown>;
    /** Where its calls go: the document's first scheme, host and base path. */
    serviceUrl: string;
    /** Its title. */
    title: string;
    /** Whether it takes an API key (a `securityDefinitions` entry of type `apiKey`), the connection's `api_key` parameter. */
    apiKey: boolean;
}

/** The declarations, checked; empty when there is no `connections.yaml`. */
export interface ConnectionDeclarations {
    /** The file as shown in messages. */
    file: string;
    connections: Record<string, ConnectionDeclaration>;
    /** The custom connectors the declarations name, by file. */
    customConnectors: Record<string, CustomConnector>;
}

/** Where a definition names a connection: `parameters('$connections')['<name>']`. */
const connectionReference = /parameters\s*\(\s*'\$connections'\s*\)\s*\[\s*'((?:[^']|'')*)'\s*\]/g;

/** The connections a definition uses (`$connections` names), sorted. */
export function connectionsUsedBy(definition: unknown): string[] {
    const names = new Set<string>();
    const visit = (value: unknown) => {
        if (typeof value === "string") {
            for (const match of value.matchAll(connectionReference)) {
                names.add(match[1]!.replace(/''/g, "'"));
            }
        } else if (Array.isArray(value)) {
            value.forEach(visit);
        } else if (value && typeof value === "object") {
            Object.values(value).forEach(visit);
        }
    };
    visit(definition);
    return [...names].sort();
}

const connectionName = /^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/;
const authentications = ["managedIdentity", "parameters", "oauth", "none"] as const;

const declarationSchema = z.strictObject(
    {
        api: z.string({ error: () => "is not a string (allowed: the name of a managed API, such as servicebus)" }).optional(),
        customApi: z
            .string({ error: () => "is not a string (allowed: a Swagger 2.0 file under workflows/, such as carrier-connector.yaml)" })
            .optional(),
        authentication: z.enum(authentications, {
            error: (issue) =>
                `${issue.input === undefined ? "is missing" : `${JSON.stringify(issue.input)} is not a way to sign in`} (allowed: ${authentications.join(", ")})`,
        }),
        role: z.string({ error: () => "is not a string (allowed: a data role, such as Azure Service Bus Data Sender)" }).optional(),
        description: z
            .string({ error: () => "is not a string (allowed: up to 256 characters)" })
            .max(256)
            .optional(),
    },
    { error: () => "is not a connection (allowed: an object with api or customApi, and authentication)" },
);

/** The problems of one declaration against the managed API table and the files beside it. */
function declarationProblems(file: string, name: string, raw: z.infer<typeof declarationSchema>, files: readonly string[]): string[] {
    const at = `${file}: ${formatPath([name])}`;
    if ((raw.api === undefined) === (raw.customApi === undefined)) {
        return [
            `${at}: names ${raw.api === undefined ? "no connector" : "both api and customApi"} (allowed: api or customApi, one of them)`,
        ];
    }
    if (raw.customApi !== undefined) {
        const problems: string[] = [];
        if (!/\.ya?ml$/.test(raw.customApi)) {
            problems.push(
                `${at}.customApi: "${raw.customApi}" is not a YAML file (allowed: a Swagger 2.0 document in a .yaml file under workflows/; a .json file there is read as a workflow definition)`,
            );
        } else if (!files.includes(raw.customApi)) {
            problems.push(
                `${at}.customApi: "${raw.customApi}" is not a file under workflows/ (allowed: ${files.filter((f) => /\.ya?ml$/.test(f) && f !== "connections.yaml").join(", ") || "none"})`,
            );
        }
        if (raw.authentication !== "parameters" && raw.authentication !== "none") {
            problems.push(
                `${at}.authentication: "${raw.authentication}" is not how this project connects a custom connector (allowed: parameters, for its API key from connectionSecrets; none)`,
            );
        }
        if (raw.role !== undefined) {
            problems.push(`${at}.role: a custom connector's connection takes no Azure role (allowed: no role)`);
        }
        return problems;
    }
    const api = managedApis[raw.api!];
    if (!api) {
        return [
            `${at}.api: "${raw.api}" is not a managed API this project knows (allowed: ${Object.keys(managedApis).sort().join(", ")}; content/workflows/managed-apis.ts says how to add one)`,
        ];
    }
    const problems: string[] = [];
    if (raw.authentication === "none" || !api.authentication.includes(raw.authentication)) {
        problems.push(
            raw.api === "azureblob"
                ? `${at}.authentication: "${raw.authentication}": without the managed identity the Azure Blob Storage connector signs in with an account key, and "logic app workflows can't directly access storage accounts behind firewalls when both the logic app resource and storage account exist in the same region" (connectors-create-api-azureblobstorage) (allowed: managedIdentity, or the HTTP action with the workflow's managed identity, as docs/workflows.md ("Documents in Blob Storage") shows)`
                : `${at}.authentication: ${raw.api} (${api.displayName}) does not sign in with ${raw.authentication} (allowed: ${api.authentication.join(", ")})`,
        );
    }
    if (raw.authentication === "managedIdentity" && api.managedIdentity) {
        const roles = api.managedIdentity.roles;
        if (roles.length > 0 && raw.role === undefined) {
            problems.push(`${at}.role: missing; the workflow's identity needs a data role on the target (allowed: ${roles.join(", ")})`);
        } else if (raw.role !== undefined && !roles.includes(raw.role)) {
            problems.push(
                roles.length === 0
                    ? `${at}.role: ${api.displayName} is not reached through an Azure role: ${api.managedIdentity.grantNote} (allowed: no role)`
                    : `${at}.role: "${raw.role}" is not a data role for ${api.displayName} (allowed: ${roles.join(", ")})`,
            );
        }
    } else if (raw.role !== undefined) {
        problems.push(`${at}.role: only a managed-identity connection takes a role (allowed: no role with ${raw.authentication})`);
    }
    return problems;
}

/** Reads a custom connector's Swagger 2.0 file: what API Management-free custom connectors accept. */
export function customConnectorProblems(file: string, text: string): { problems: string[]; connector?: CustomConnector } {
    let doc: unknown;
    try {
        doc = parseYaml(text.replace(/^\uFEFF/, ""));
    } catch (error) {
        return {
            problems: [`${file}: is not valid ${/\.json$/.test(file) ? "JSON" : "YAML"}: ${(error as Error).message.split("\n")[0]}`],
        };
    }
    const swagger = doc as Record<string, unknown> | null;
    // "An OpenAPI definition needs to be in OpenAPI 2.0 (formerly known as Swagger) format. OpenAPI
    // definitions that are in OpenAPI 3.0 format are not supported", and it "must be less than 1 MB"
    // (learn.microsoft.com/connectors/custom-connectors/define-openapi-definition).
    if (!swagger || typeof swagger !== "object" || swagger["swagger"] !== "2.0") {
        return {
            problems: [
                `${file}: is not a Swagger 2.0 document (allowed: OpenAPI 2.0, which custom connectors take; OpenAPI 3 is not supported)`,
            ],
        };
    }
    const problems: string[] = [];
    if (Buffer.byteLength(text) >= 1024 * 1024) {
        problems.push(`${file}: is ${Buffer.byteLength(text)} bytes (allowed: less than 1 MB)`);
    }
    const info = (swagger["info"] ?? {}) as Record<string, unknown>;
    const title = typeof info["title"] === "string" ? info["title"] : "";
    if (!title) {
        problems.push(`${file}: info.title: is missing (allowed: the connector's name)`);
    }
    const host = typeof swagger["host"] === "string" ? swagger["host"] : "";
    const schemes = Array.isArray(swagger["schemes"]) ? swagger["schemes"] : ["https"];
    if (!host) {
        problems.push(`${file}: host: is missing (allowed: the backend's host name, such as api.carrier.example)`);
    }
    if (!schemes.includes("https")) {
        problems.push(`${file}: schemes: ${JSON.stringify(schemes)} (allowed: https)`);
    }
    if (!swagger["paths"] || typeof swagger["paths"] !== "object" || Object.keys(swagger["paths"]).length === 0) {
        problems.push(`${file}: paths: has no operation (allowed: at least one)`);
    }
    if (problems.length > 0) {
        return { problems };
    }
    const basePath = typeof swagger["basePath"] === "string" ? swagger["basePath"].replace(/\/$/, "") : "";
    const security = Object.values((swagger["securityDefinitions"] ?? {}) as Record<string, { type?: unknown }>);
    return {
        problems: [],
        connector: {
            file,
            swagger: swagger as Record<string, unknown>,
            serviceUrl: `https://${host}${basePath}`,
            title,
            apiKey: security.some((definition) => definition.type === "apiKey"),
        },
    };
}

/**
 * Parses `connections.yaml` (`text`, or undefined when there is none) against the managed API
 * table and the custom connectors it names (`readFile` reads a file under `workflows/`), and
 * against the definitions under `workflows/` (`used`: each definition's file and the connections
 * it uses): a connection a definition uses must be declared, and one no definition uses is refused.
 */
export function checkConnections(
    file: string,
    text: string | undefined,
    files: readonly string[],
    readFile: (name: string) => string,
    used: ReadonlyArray<{ file: string; connections: readonly string[] }>,
): { problems: string[]; declarations: ConnectionDeclarations } {
    const declarations: ConnectionDeclarations = { file, connections: {}, customConnectors: {} };
    const problems: string[] = [];
    let raw: unknown = {};
    if (text !== undefined) {
        try {
            raw = parseYaml(text) ?? {};
        } catch (error) {
            return { problems: [`${file}: is not valid YAML: ${(error as Error).message.split("\n")[0]}`], declarations };
        }
    }
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        return { problems: [`${file}: is not a map (allowed: connection names to their connector and sign-in)`], declarations };
    }
    for (const [name, value] of Object.entries(raw)) {
        if (!connectionName.test(name)) {
            problems.push(
                `${file}: ${JSON.stringify(name)}: is not a connection name (allowed: 1-80 letters, digits, hyphens and underscores, as $connections names it)`,
            );
            continue;
        }
        const parsed = declarationSchema.safeParse(value);
        if (!parsed.success) {
            problems.push(
                ...parsed.error.issues.map((issue) => {
                    const message =
                        issue.code === "unrecognized_keys" ? `has unknown keys ${issue.keys.join(", ")}` : schemaIssueMessage(issue);
                    return `${file}: ${formatPath([name, ...issue.path])}: ${message}`;
                }),
            );
            continue;
        }
        const own = declarationProblems(file, name, parsed.data, files);
        problems.push(...own);
        if (own.length > 0) {
            continue;
        }
        const { api, customApi, authentication, role, description } = parsed.data;
        declarations.connections[name] = {
            name,
            connector: api !== undefined ? { kind: "managed", api } : { kind: "custom", file: customApi! },
            authentication,
            ...(role !== undefined ? { role } : {}),
            ...(description !== undefined ? { description } : {}),
        };
        if (customApi !== undefined && !declarations.customConnectors[customApi]) {
            const read = customConnectorProblems(`workflows/${customApi}`, readFile(customApi));
            problems.push(...read.problems);
            if (read.connector) {
                declarations.customConnectors[customApi] = read.connector;
                if (authentication === "parameters" && !read.connector.apiKey) {
                    problems.push(
                        `${file}: ${name}.authentication: parameters, but workflows/${customApi} declares no apiKey security definition (allowed: none, or an apiKey in securityDefinitions)`,
                    );
                }
            }
        }
    }
    const declared = Object.keys(raw as object);
    for (const { file: definition, connections } of used) {
        for (const connection of connections.filter((name) => !declared.includes(name))) {
            problems.push(
                `${definition}: uses the connection "${connection}" ($connections), which ${file} does not declare (allowed: ${declared.join(", ") || "none declared"})`,
            );
        }
    }
    const usedAnywhere = new Set(used.flatMap((entry) => entry.connections));
    for (const name of declared.filter((candidate) => !usedAnywhere.has(candidate))) {
        problems.push(
            `${file}: ${formatPath([name])}: no workflow under workflows/ uses this connection (allowed: a name a definition uses in $connections)`,
        );
    }
    return { problems, declarations };
}
