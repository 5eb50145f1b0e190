import { builtInRoles } from "../../components/identity";
import { unknownMarker } from "../../engine/values";
import { connectionOf, connectionTitle, connectionType, genericType } from "./connection-inputs";

/**
 * "The settings that matter" per resource type, for the plan's tree: a short line a reviewer
 * reads before pressing enter. Types without an entry show their location, if any.
 */
type Inputs = Record<string, unknown>;

/** What a summary may look up elsewhere in the plan. */
export interface SummaryContext {
    /** The value (name) of an app role, by its id, from the applications the plan creates. */
    appRoleName(id: string): string | undefined;
}

type Summary = (inputs: Inputs, context: SummaryContext) => string;

/** What the summaries may look up across a plan's resources (their plan inputs): app roles by id. */
export function summaryContextOf(
    resources: Iterable<{ readonly type: string; readonly inputs: Readonly<Record<string, unknown>> }>,
): SummaryContext {
    const roles = new Map<string, string>();
    for (const app of resources) {
        if (app.type !== "azuread:index/application:Application") {
            continue;
        }
        for (const role of (app.inputs.appRoles as Array<{ id?: unknown; value?: unknown }> | undefined) ?? []) {
            if (typeof role.id === "string" && typeof role.value === "string") {
                roles.set(role.id, role.value);
            }
        }
    }
    return { appRoleName: (id) => roles.get(id) };
}

/** `1 e-mail receiver`, `2 e-mail receivers`. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
    return `${n} ${n === 1 ? singular : plural}`;
}

function join(parts: Array<string | undefined | false | null>): string {
    return parts.filter((part): part is string => typeof part === "string" && part.length > 0).join(", ");
}

/** An input as text: "" when it is not there. */
export const text = (value: unknown) => (value === undefined || value === null ? "" : String(value));
/** An input as a list: [] when it is not one. */
export const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** An object whose every setting is known after deploy: what an input that is itself unknown reads as. */
const unknownRecord: Inputs = new Proxy({}, { get: () => unknownMarker });

/** An input as an object: {} when it is not one, and every setting unknown when it is itself known only after deploy. */
export const record = (value: unknown): Inputs => {
    if (value === unknownMarker) {
        return unknownRecord;
    }
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Inputs) : {};
};

/**
 * An ARM id without its subscription, for a line a reviewer reads:
 * `/subscriptions/…/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/secrets/s` reads
 * `Microsoft.KeyVault/vaults/kv/secrets/s in rg` (`--details` shows it whole).
 */
export function shortArmId(id: string): string {
    const match = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)\/providers\/(.+)$/i.exec(id);
    return match ? `${match[2]} in ${match[1]}` : id;
}

/** How many entries a list input has, or "(known after deploy)" when the list itself is unknown. */
const counted = (value: unknown, singular: string, plural?: string) =>
    value === unknownMarker ? `${unknownMarker} ${plural ?? `${singular}s`}` : count(list(value).length, singular, plural);

function zonesOf(value: unknown): string | undefined {
    const zones = list(value);
    return zones.length > 0 ? `zones ${zones.join(",")}` : undefined;
}

/** The policies a policy document applies, in one line: what a reviewer checks first. */
export function policySummary(xml: string): string {
    const all = (pattern: RegExp) => [...xml.matchAll(pattern)].map((match) => match[1]);
    const roles = all(/<claim name="roles"[^>]*>\s*<value>([^<]+)<\/value>/g);
    const rate = /<rate-limit-by-key calls="(\d+)" renewal-period="(\d+)"/.exec(xml);
    const cache = /<cache-store duration="(\d+)"/.exec(xml);
    const backend = /<set-backend-service backend-id="([^"]+)"/.exec(xml);
    const origins = all(/<origin>([^<]+)<\/origin>/g);
    const deleted = all(/<set-header name="([^"]+)" exists-action="delete"/g);
    return join([
        origins.length > 0 && `cors ${origins.join(" ")}`,
        deleted.length > 0 && `strip ${[...new Set(deleted)].join(" ")}`,
        rate && `rate ${rate[1]}/${rate[2]}s per subscription`,
        roles.length > 0 && `jwt roles ${roles.join("|")}`,
        cache && `cache GET ${cache[1]}s`,
        backend && `to backend ${backend[1]}`,
        /<rewrite-uri [^>]*sig=\{\{/.test(xml) && "sig from named value",
        /<set-header name="[^"]+" exists-action="override">\s*<value>\{\{[^}]+\}\}<\/value>/.test(xml) && "backend key from named value",
    ]);
}

/** The policy elements a user's policy file uses (its sections and `<base />` left out), once each. */
export function policyElements(xml: string): string {
    const structural = new Set(["policies", "inbound", "backend", "outbound", "on-error", "base"]);
    const names = [
        ...new Set([...xml.matchAll(/<([a-z][a-z0-9-]*)[\s/>]/g)].map((match) => match[1]!).filter((name) => !structural.has(name))),
    ];
    return names.length > 0 ? names.join(" ") : "base only";
}

/**
 * A generic resource by its ARM path under `providers/`, as {@link shortArmId} shows an id:
 * `Microsoft.Web/connections/servicebus`, `Microsoft.ApiManagement/service/apim/portalsettings/signin`.
 */
function genericPath(inputs: Inputs): string {
    return [inputs.resourceProviderNamespace, inputs.parentResourcePath, inputs.resourceType, inputs.resourceName]
        .map(text)
        .filter((part) => part.length > 0)
        .join("/");
}

/** The operations of an OpenAPI (Swagger) path item: its HTTP methods. */
const httpMethods = new Set(["get", "put", "post", "delete", "options", "head", "patch"]);

/**
 * An API connection's line (commands/plan/connection-inputs.ts reads it): its connector, how it
 * signs in, and, with parameters, their names (a secret's value is never shown, nor read).
 */
function connectionSummary(type: string, inputs: Inputs): string | undefined {
    const connection = connectionOf(type, inputs);
    if (!connection) {
        return undefined;
    }
    if (connection.authentication === "unknown") {
        return join([connection.name, `settings ${connection.hidden ?? unknownMarker}`]);
    }
    const title = connectionTitle(connection);
    switch (connection.authentication) {
        case "managedIdentity":
            return join([
                title,
                "signs in with the workflows' managed identity",
                ...Object.entries(connection.valueSet).map(([parameter, value]) => `${parameter} ${value}`),
            ]);
        case "oauth":
            return join([title, "OAuth: needs consent in the portal after the first pulumi up"]);
        case "none":
            return join([title, "no sign-in"]);
        case "parameters": {
            if (connection.hidden) {
                return join([title, `parameters ${connection.hidden}`]);
            }
            const named = connection.parameters.length > 0 ? `parameters ${connection.parameters.join(", ")}` : "parameters";
            return `${join([title, named])}${connection.secrets.length > 0 ? `; secret ${connection.secrets.join(", ")}` : ""}`;
        }
    }
}

const summaries: Readonly<Record<string, Summary>> = {
    "azure-native:apimanagement:ApiManagementService": (inputs) => {
        const sku = record(inputs.sku);
        const extra = list(inputs.additionalLocations).map((location) => {
            const region = record(location);
            return join([`+ ${text(region.location)} x${text(record(region.sku).capacity)}`, zonesOf(region.zones)]);
        });
        const hosts = list(inputs.hostnameConfigurations).map((host) => text(record(host).hostName));
        const tls = Object.values(record(inputs.customProperties)).filter((value) => value === "False").length;
        return join([
            `${text(inputs.serviceName)}: ${text(sku.name)} x${text(sku.capacity)} in ${text(inputs.location)}`,
            zonesOf(inputs.zones),
            ...extra,
            `${count(tls, "weak protocol or cipher", "weak protocols and ciphers")} off`,
            `min API ${text(record(inputs.apiVersionConstraint).minApiVersion)}`,
            `identity ${text(record(inputs.identity).type)}`,
            hosts.length > 0 && `hosts ${hosts.join(" ")}`,
        ]);
    },
    "azure-native:apimanagement:Api": (inputs) =>
        join([
            text(inputs.apiId),
            `/${text(inputs.path)}/${text(inputs.apiVersion)}`,
            inputs.apiRevision !== undefined &&
                `revision ${text(inputs.apiRevision)}${inputs.apiRevisionDescription ? `: ${text(inputs.apiRevisionDescription)}` : ""}`,
            `${text(inputs.format)}${inputs.apiType ? ` ${text(inputs.apiType)}` : ""}`,
            list(inputs.protocols).join("+"),
        ]),
    "azure-native:apimanagement:ApiPolicy": (inputs) => `${text(inputs.apiId)}: ${policySummary(text(inputs.value))}`,
    "azure-native:apimanagement:ApiOperationPolicy": (inputs) =>
        `${text(inputs.apiId)} operation ${text(inputs.operationId)}: ${policyElements(text(inputs.value))}`,
    "azure-native:apimanagement:ProductPolicy": (inputs) => `product ${text(inputs.productId)}: ${policyElements(text(inputs.value))}`,
    "azure-native:apimanagement:Policy": (inputs) => `global: ${policySummary(text(inputs.value))}`,
    "azure-native:apimanagement:ApiRelease": (inputs) => `${text(inputs.releaseId)} made current: ${text(inputs.notes)}`,
    "azure-native:apimanagement:ApiVersionSet": (inputs) => `${text(inputs.versionSetId)}, version by ${text(inputs.versioningScheme)}`,
    "azure-native:apimanagement:Product": (inputs) =>
        join([
            text(inputs.productId),
            inputs.subscriptionRequired === true && "subscription",
            inputs.approvalRequired === true && "approval",
            text(inputs.state),
        ]),
    "azure-native:apimanagement:ProductApi": (inputs) => `${text(inputs.apiId)} in ${text(inputs.productId)}`,
    "azure-native:apimanagement:Backend": (inputs) => {
        const tls = record(inputs.tls);
        return join([
            text(inputs.url),
            tls.validateCertificateChain === true && tls.validateCertificateName === true && "TLS chain+name checked",
            list(record(inputs.credentials).certificateIds).length > 0 && "client certificate",
        ]);
    },
    "azure-native:apimanagement:Certificate": (inputs) =>
        `${text(inputs.certificateId)} from Key Vault ${text(record(inputs.keyVault).secretIdentifier)}`,
    "azure-native:apimanagement:NamedValue": (inputs) => {
        const vault = record(inputs.keyVault);
        return `${text(inputs.namedValueId)}: ${vault.secretIdentifier ? `Key Vault ${text(vault.secretIdentifier)}` : inputs.secret === true ? "secret value" : "plain value"}`;
    },
    "azure-native:apimanagement:IdentityProvider": (inputs) => `${text(inputs.type)} sign-in, tenant ${text(inputs.signinTenant)}`,
    "azure-native:apimanagement:Logger": (inputs) => `${text(inputs.loggerId)}: ${text(inputs.loggerType)}`,
    "azure-native:apimanagement:Diagnostic": (inputs) =>
        join([
            text(inputs.diagnosticId),
            `sampling ${text(record(inputs.sampling).percentage)} %`,
            text(inputs.httpCorrelationProtocol),
            `log ${text(inputs.alwaysLog)}`,
        ]),
    "azure-native:monitor:DiagnosticSetting": (inputs) =>
        join([
            ...list(inputs.logs).map((log) => text(record(log).categoryGroup ?? record(log).category)),
            ...list(inputs.metrics).map((metric) => text(record(metric).category)),
            inputs.workspaceId !== undefined && "to Log Analytics",
        ]),
    "azure-native:monitor:AutoscaleSetting": (inputs) => {
        const profile = record(list(inputs.profiles)[0]);
        const capacity = record(profile.capacity);
        const rules = list(profile.rules).map((rule) => {
            const trigger = record(record(rule).metricTrigger);
            const action = record(record(rule).scaleAction);
            const where = list(trigger.dimensions).map(
                (dimension) => `${text(record(dimension).dimensionName)} ${list(record(dimension).values).join("|")}`,
            );
            return `${action.direction === "Increase" ? "+" : "-"}${text(action.value)} ${trigger.operator === "GreaterThan" ? ">" : "<"} ${text(trigger.threshold)} % ${text(trigger.metricName)}${where.length > 0 ? ` in ${where.join(" ")}` : ""} over ${text(trigger.timeWindow)}, cooldown ${text(action.cooldown)}`;
        });
        return join([`${text(capacity.minimum)}-${text(capacity.maximum)} units`, ...rules]);
    },
    "azure-native:monitor:MetricAlert": (inputs) => {
        const criteria = list(record(inputs.criteria).allOf).map((criterion) => {
            const c = record(criterion);
            const split = list(c.dimensions)
                .map((dimension) => ` per ${text(record(dimension).name)} (${list(record(dimension).values).join(", ")})`)
                .join("");
            return `${text(c.metricName)} ${text(c.timeAggregation)} ${c.operator === "GreaterThan" ? ">" : c.operator === "LessThan" ? "<" : text(c.operator)} ${text(c.threshold)}${split}`;
        });
        return join([text(inputs.ruleName), ...criteria, `over ${text(inputs.windowSize)}`, `severity ${text(inputs.severity)}`]);
    },
    "azure-native:monitor:ActionGroup": (inputs) => `${text(inputs.actionGroupName)}: ${counted(inputs.emailReceivers, "e-mail receiver")}`,
    "azure-native:operationalinsights:Workspace": (inputs) =>
        join([
            text(inputs.workspaceName),
            text(record(inputs.sku).name),
            `${text(inputs.retentionInDays)} days`,
            `in ${text(inputs.location)}`,
        ]),
    "azure-native:applicationinsights:Component": (inputs) =>
        join([text(inputs.resourceName), inputs.workspaceResourceId !== undefined && "workspace-based", `in ${text(inputs.location)}`]),
    "azure-native:managedidentity:UserAssignedIdentity": (inputs) => join([text(inputs.resourceName), `in ${text(inputs.location)}`]),
    "azure-native:keyvault:Vault": (inputs) => {
        const properties = record(inputs.properties);
        const acls = record(properties.networkAcls);
        return join([
            text(inputs.vaultName),
            properties.enableRbacAuthorization === true && "RBAC",
            properties.enablePurgeProtection === true && "purge protection",
            `soft delete ${text(properties.softDeleteRetentionInDays)} days`,
            `firewall ${text(acls.defaultAction)} by default, bypass ${text(acls.bypass)}, ${counted(acls.ipRules, "IP rule")}`,
            `in ${text(inputs.location)}`,
        ]);
    },
    "azure-native:keyvault:Secret": (inputs) => {
        const properties = record(inputs.properties);
        const expires = Number(record(properties.attributes).expires);
        return join([
            text(inputs.secretName),
            text(properties.contentType),
            Number.isFinite(expires) && `expires ${new Date(expires * 1000).toISOString().slice(0, 10)}`,
        ]);
    },
    "azure-native:authorization:RoleAssignment": (inputs) => {
        const role = text(inputs.roleDefinitionId).split("/").pop();
        // A custom role's id is Azure's until it is created: its name is in the description the
        // grants write ("<role> for <grant>").
        const custom = role?.includes(unknownMarker) ? /^(.+) for [^ ]+$/.exec(text(inputs.description))?.[1] : undefined;
        const name = Object.entries(builtInRoles).find(([, id]) => id === role)?.[0] ?? (custom && `custom role ${custom}`);
        return join([
            `${name ?? role} for ${text(inputs.principalType)} ${text(inputs.principalId)}`,
            `on ${shortArmId(text(inputs.scope))}`,
        ]);
    },
    "azure-native:authorization:RoleDefinition": (inputs) => {
        const actions = list(inputs.permissions).flatMap((permission) => list(record(permission).actions).map(text));
        const dataActions = list(inputs.permissions).flatMap((permission) => list(record(permission).dataActions).map(text));
        return join([
            text(inputs.roleName),
            `${text(inputs.roleType) === "CustomRole" ? "custom role" : text(inputs.roleType)} with ${count(actions.length, "action")}${dataActions.length > 0 ? ` and ${count(dataActions.length, "data action")}` : ""}`,
            actions.some((action) => action.includes("*")) && "wildcards",
            `assignable on ${list(inputs.assignableScopes)
                .map((scope) => shortArmId(text(scope)))
                .join(" ")}`,
        ]);
    },
    "azure-native:storage:ManagementPolicy": (inputs) =>
        list(record(inputs.policy).rules)
            .map((rule) => {
                const definition = record(record(rule).definition);
                const actions = record(definition.actions);
                const days = record(record(actions.baseBlob).delete).daysAfterModificationGreaterThan;
                const prefixes = list(record(definition.filters).prefixMatch).map(text);
                return join([
                    text(record(rule).name),
                    `${record(rule).enabled === false ? "disabled: " : ""}deletes ${prefixes.length > 0 ? prefixes.map((prefix) => `${prefix}*`).join(" ") : "every blob"}${days !== undefined ? ` older than ${text(days)} days` : ""}`,
                    actions.version !== undefined && "and old versions",
                ]);
            })
            .join("; "),
    "azure-native:logic:Workflow": (inputs) => {
        const access = record(inputs.accessControl);
        const callers = record(access.triggers).allowedCallerIpAddresses;
        const ips = Array.isArray(callers) ? callers.map((caller) => text(record(caller).addressRange)) : [];
        const recurrences = Object.values(record(record(inputs.definition).triggers))
            .map(record)
            .filter((trigger) => trigger.type === "Recurrence")
            .map((trigger) => record(trigger.recurrence));
        const schedule = recurrences.map(
            (every) =>
                `runs every ${count(Number(every.interval), text(every.frequency).toLowerCase())}${every.startTime !== undefined ? ` from ${text(every.startTime)}` : ""}`,
        );
        return join([
            text(inputs.workflowName),
            inputs.state === "Disabled" && "DISABLED",
            ...schedule,
            recurrences.length > 0
                ? Array.isArray(callers) && ips.length === 0
                    ? "no caller"
                    : undefined
                : Array.isArray(callers)
                  ? ips.length === 0
                      ? "callable by other Logic Apps only"
                      : `callable from ${ips.join(" ")}`
                  : "callable by anyone",
            `run history from ${counted(record(access.contents).allowedCallerIpAddresses, "admin range")}`,
            `identity ${text(record(inputs.identity).type)}`,
            `in ${text(inputs.location)}`,
        ]);
    },
    "azure-native:storage:StorageAccount": (inputs) =>
        join([
            text(inputs.accountName),
            text(record(inputs.sku).name),
            inputs.enableHttpsTrafficOnly === true && "https only",
            text(inputs.minimumTlsVersion),
            inputs.allowBlobPublicAccess === false && "no public blobs",
            inputs.allowSharedKeyAccess === false ? "Entra ID only (no shared key)" : "shared key allowed",
            `firewall ${text(record(inputs.networkRuleSet).defaultAction ?? "Allow")} by default${record(inputs.networkRuleSet).bypass === "AzureServices" ? ", trusted Azure services through" : ""}`,
            `in ${text(inputs.location)}`,
        ]),
    "azure-native:storage:BlobContainer": (inputs) => `${text(inputs.containerName)}, public access ${text(inputs.publicAccess)}`,
    "azure-native:storage:BlobServiceProperties": (inputs) =>
        `deleted blobs kept ${text(record(inputs.deleteRetentionPolicy).days)} days, deleted containers ${text(record(inputs.containerDeleteRetentionPolicy).days)} days`,
    "azuread:index/application:Application": (inputs) => {
        const roles = list(inputs.appRoles).map((role) => text(record(role).value));
        const redirects = list(record(inputs.singlePageApplication).redirectUris);
        return join([
            text(inputs.displayName),
            list(inputs.identifierUris).join(" "),
            roles.length > 0 && `roles ${roles.join(" ")}`,
            record(inputs.api).requestedAccessTokenVersion !== undefined &&
                `v${text(record(inputs.api).requestedAccessTokenVersion)} tokens`,
            redirects.length > 0 && `redirects ${redirects.join(" ")}`,
        ]);
    },
    "azuread:index/servicePrincipal:ServicePrincipal": (inputs) =>
        join([`client ${text(inputs.clientId)}`, inputs.appRoleAssignmentRequired === true && "assignment required"]),
    "azuread:index/appRoleAssignment:AppRoleAssignment": (inputs, context) =>
        `role ${context.appRoleName(text(inputs.appRoleId)) ?? text(inputs.appRoleId)} to ${text(inputs.principalObjectId)}`,
    "azuread:index/applicationPassword:ApplicationPassword": (inputs) =>
        join([text(inputs.displayName), `expires ${text(inputs.endDate).slice(0, 10)}`]),
    "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential": (inputs) =>
        `${text(inputs.issuer)} ${text(inputs.subject)}`,
    "random:index/randomPassword:RandomPassword": (inputs) => `${text(inputs.length)} characters`,
    "time:index/offset:Offset": (inputs) => `${text(inputs.offsetMinutes)} minutes after it is created, then fixed`,
    "time:index/sleep:Sleep": (inputs) =>
        `waits ${text(inputs.createDuration)} for ${inputs.triggers === unknownMarker ? `${unknownMarker} role assignments` : count(Object.keys(inputs.triggers ?? {}).length, "role assignment")} to take effect`,
    "azure-native:dns:Zone": (inputs) => `${text(inputs.zoneName)}, public zone`,
    "azure-native:dns:RecordSet": (inputs) => {
        const name = `${text(inputs.relativeRecordSetName)}.${text(inputs.zoneName)}`;
        const target =
            inputs.recordType === "CNAME"
                ? `-> ${text(record(inputs.cnameRecord).cname)}`
                : list(inputs.txtRecords)
                      .map((entry) => list(record(entry).value).join(""))
                      .join(" ");
        return `${text(inputs.recordType)} ${name} ${target}, TTL ${text(inputs.ttl)} s`;
    },
    [connectionType]: (inputs) => connectionSummary(connectionType, inputs) ?? "",
    [genericType]: (inputs) =>
        connectionSummary(genericType, inputs) ??
        join([`${genericPath(inputs)} (API ${text(inputs.apiVersion)})`, JSON.stringify(inputs.properties ?? {})]),
    "azure-native:web:CustomApi": (inputs) => {
        const properties = record(inputs.properties);
        const swagger = record(properties.swagger);
        const operations = Object.values(record(swagger.paths)).flatMap((path) =>
            Object.keys(record(path)).filter((method) => httpMethods.has(method.toLowerCase())),
        );
        const parameters = Object.keys(record(properties.connectionParameters));
        return join([
            text(properties.displayName),
            swagger.swagger !== undefined ? `Swagger ${text(swagger.swagger)}` : text(properties.apiType),
            properties.swagger !== undefined && count(operations.length, "operation"),
            `calls ${text(record(properties.backendService).serviceUrl)}`,
            parameters.length > 0 && `connections give ${parameters.join(", ")}`,
        ]);
    },
    "azure-native:resources:Deployment": (inputs) => {
        const properties = record(inputs.properties);
        const resources = list(record(properties.template).resources).map((resource) => {
            const entry = record(resource);
            return `${text(entry.type).split("/").slice(-1)[0]} ${JSON.stringify(entry.properties ?? {})}`;
        });
        // Deleting a deployment removes its record only (learn.microsoft.com/azure/azure-resource-manager/
        // templates/deployment-history-deletions): what pulumi destroy leaves in Azure.
        return join([
            `${text(properties.mode)} ARM deployment ${text(inputs.deploymentName)}`,
            ...resources,
            "pulumi destroy deletes its record only; what it wrote stays",
        ]);
    },
    "azure-native:resources:ResourceGroup": (inputs) => join([`${String(inputs.resourceGroupName)}`, `in ${String(inputs.location)}`]),
    "random:index/randomString:RandomString": (inputs) =>
        join([
            `${String(inputs.length)} characters`,
            inputs.lower !== false && "lower",
            inputs.upper !== false && "upper",
            inputs.numeric !== false && "digits",
            inputs.special !== false && "special",
        ]),
};

const noContext: SummaryContext = { appRoleName: () => undefined };

export function summarize(type: string, inputs: Inputs, context: SummaryContext = noContext): string {
    const summary = summaries[type];
    if (summary) {
        return summary(inputs, context);
    }
    return typeof inputs.location === "string" ? `in ${inputs.location}` : "";
}
