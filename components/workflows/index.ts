import * as pulumi from "@pulumi/pulumi";
import * as logic from "@pulumi/azure-native/logic";
import * as monitor from "@pulumi/azure-native/monitor";
import type * as inputs from "@pulumi/azure-native/types/input";
import { callerRange, failedRunsAlert, runHistoryAccess, workflowLogs } from "../common/azure";
import { ArgumentsError, ipv4RangeProblems, problemLines } from "../common/rules";

export { callerRange, noCaller } from "../common/azure";
import { workflowParameterValues, type WorkflowDefinition } from "../../content/workflows/definition";
import { nestedCallProblems } from "../../content/workflows/nested-calls";
import { workflowIdParameter } from "../common/names";

export { backendKeyParameter, backendUrlParameter, camelCase, workflowIdParameter } from "../common/names";
import { connectionsUsedBy } from "../../content/workflows/connections";
import { WorkflowStorage, containerOf, containersOf } from "./storage";

export { containerOf, softDeleteDays } from "./storage";

/**
 * Logic Apps (Consumption) from their definitions: one `logic.Workflow` per definition named in args, in the
 * gateway's region. Gateway-facing workflows admit calls from the gateway's addresses only; nested
 * ones from other Logic Apps only. Run history contents are readable from admin ranges only. Each
 * workflow logs to Log Analytics and alerts on failed runs; gateway-facing ones hand their trigger
 * to the gateway split into URL parts and a signature that only ever travels as a secret. Workflows
 * that declare `<name>ContainerUrl` parameters write to blob containers of a firewalled storage
 * account with their managed identity (`./storage.ts`); the stack grants each its data role.
 */

/**
 * Who may call a workflow's HTTP trigger: the gateway, other Logic Apps, or nobody (`triggered`: the
 * workflow starts from its own trigger, a recurrence or a connector's, such as a Service Bus
 * message arriving).
 */
export type WorkflowAccess = "gateway" | "nested" | "triggered";

/** The access modes, for messages. */
export const workflowAccessModes: readonly WorkflowAccess[] = ["gateway", "nested", "triggered"];

/** One workflow to deploy. */
export interface WorkflowSpec {
    /** The Azure name of the workflow. Required. */
    workflowName: pulumi.Input<string>;
    /**
     * `gateway`: called through API Management only. `nested`: called by other Logic Apps only.
     * `triggered`: started by its own trigger (a recurrence, a connector's), called by nobody. Required.
     */
    access: WorkflowAccess;
    /** Azure name of its failed-runs alert. Required. */
    alertName: pulumi.Input<string>;
}

export interface WorkflowsArgs {
    /** Resource group (the stack's workflows group). Required. */
    resourceGroupName: pulumi.Input<string>;
    /** Region: the gateway's primary region, to keep latency low. Required. */
    location: string;
    /** The definitions, read and checked (`parseWorkflowDefinition`), keyed by name. Required: one for each workflow. */
    definitions: Record<string, WorkflowDefinition>;
    /**
     * The workflows to deploy, keyed by definition name. Default: none; with none the component
     * registers no workflow and no storage, and its outputs are empty.
     */
    workflows?: Record<string, WorkflowSpec>;
    /**
     * Values of definition parameters the stack provides, by parameter name (for example a backend's
     * base URL, {@link backendUrlParameter}, or a backend key as a secret, {@link backendKeyParameter}).
     * Parameters this component fills itself: `<name>ContainerUrl` and
     * `<workflowInCamelCase>WorkflowId` ({@link workflowIdParameter}). Default: none.
     */
    parameterValues?: Record<string, pulumi.Input<unknown>>;
    /**
     * Each connection's entry of the `$connections` parameter, by the name the definitions use
     * (the ApiConnections component's `values`): a workflow that uses connections gets exactly
     * the entries it names. Default: none, and then a workflow that uses a connection is refused.
     */
    connections?: Record<string, pulumi.Input<unknown>>;
    /** Public addresses of the gateway in every region: the only callers of gateway-facing triggers. Required. */
    gatewayIpAddresses: pulumi.Input<pulumi.Input<string>[]>;
    /** IPv4 addresses or CIDR ranges allowed to read run history inputs and outputs. Default: none, so nobody can. */
    adminIpRanges?: string[];
    /**
     * The storage account of the blob containers: its Azure name, whether it keeps a copy in a
     * second region (`Standard_GZRS`, for production) and whether it is protected. Required when a
     * workflow declares a `<name>ContainerUrl` parameter; `geoRedundant` and `protect` default to false.
     */
    storage?: { accountName: pulumi.Input<string>; geoRedundant?: boolean; protect?: boolean };
    /** Where the logs go and who is alerted. Required. */
    monitoring: { workspaceId: pulumi.Input<string>; actionGroupId: pulumi.Input<string> };
    /** Tags. Default: none. */
    tags?: Record<string, string>;
}

/** A gateway-facing workflow's HTTP trigger, as the gateway's `logicApp` API kind takes it. */
export interface TriggerHandle {
    /** `https://<host>/workflows/<id>/triggers`. */
    baseUrl: pulumi.Output<string>;
    /** `/<trigger>/paths/invoke`. */
    path: pulumi.Output<string>;
    /** The callback URL's query values other than `sig`. */
    query: pulumi.Output<Record<string, string>>;
    /** The `sig` value (secret): store it in Key Vault. */
    signature: pulumi.Output<string>;
    /** The whole callback URL (secret). */
    callbackUrl: pulumi.Output<string>;
}

/** The name of a definition's one HTTP (Request) trigger, if it has one. */
export function requestTrigger(definition: WorkflowDefinition): string | undefined {
    const triggers = (definition.definition.triggers ?? {}) as Record<string, { type?: string }>;
    return Object.keys(triggers).find((name) => String(triggers[name]?.type).toLowerCase() === "request");
}

/**
 * Splits a callback URL into what the gateway needs: the base URL up to `/triggers`, the rest of
 * the path, the query values other than `sig`, and `sig` itself.
 */
export function splitCallbackUrl(url: string): { baseUrl: string; path: string; query: Record<string, string>; signature: string } {
    const parsed = new URL(url);
    const at = parsed.pathname.indexOf("/triggers/");
    if (parsed.protocol !== "https:" || at < 0) {
        throw new Error(
            `A Logic Apps callback URL must be https and contain /triggers/ (got ${parsed.protocol}//${parsed.host}${parsed.pathname})`,
        );
    }
    const query: Record<string, string> = {};
    for (const [key, value] of parsed.searchParams) {
        if (key !== "sig") {
            query[key] = value;
        }
    }
    const signature = parsed.searchParams.get("sig");
    if (!signature) {
        throw new Error("A Logic Apps callback URL must carry a sig query value");
    }
    return {
        baseUrl: `${parsed.origin}${parsed.pathname.slice(0, at)}/triggers`,
        path: parsed.pathname.slice(at + "/triggers".length),
        query,
        signature,
    };
}

/** The option that makes a Request trigger refuse a body its JSON schema does not allow. */
export const schemaValidation = "EnableSchemaValidation";

/**
 * The definition as deployed: a workflow's HTTP trigger that declares a request schema enforces
 * it, whoever calls it (the gateway, or another workflow) (`operationOptions: EnableSchemaValidation`); without that option Logic Apps
 * takes any body and the schema only describes it (learn.microsoft.com/azure/connectors/
 * connectors-native-reqres: the trigger's *Schema Validation* setting answers 400 to a body the
 * schema refuses; `EnableSchemaValidation` is how the designer writes that setting in code view).
 * Options the file already sets are kept.
 */
export function deployedDefinition(definition: WorkflowDefinition): Record<string, unknown> {
    const trigger = requestTrigger(definition);
    const triggers = (definition.definition.triggers ?? {}) as Record<string, { inputs?: { schema?: unknown }; operationOptions?: string }>;
    const declared = trigger ? triggers[trigger] : undefined;
    const schema = declared?.inputs?.schema;
    if (!declared || !schema || typeof schema !== "object" || Object.keys(schema).length === 0) {
        return definition.definition;
    }
    const options = (declared.operationOptions ?? "")
        .split(",")
        .map((option) => option.trim())
        .filter(Boolean);
    if (options.some((option) => option.toLowerCase() === schemaValidation.toLowerCase())) {
        return definition.definition;
    }
    return {
        ...definition.definition,
        triggers: { ...triggers, [trigger!]: { ...declared, operationOptions: [...options, schemaValidation].join(", ") } },
    };
}

/** Workflows in an order where each comes after those whose ids it takes. */
function deploymentOrder(definitions: Record<string, WorkflowDefinition>): string[] {
    const order: string[] = [];
    const visiting = new Set<string>();
    const visit = (name: string, path: string[]) => {
        if (order.includes(name)) {
            return;
        }
        if (visiting.has(name)) {
            throw new ArgumentsError("Workflows", [
                `workflows: ${[...path, name].join(" -> ")} call each other in a circle (allowed: nested calls without a cycle)`,
            ]);
        }
        visiting.add(name);
        for (const other of Object.keys(definitions).sort()) {
            if (other !== name && workflowIdParameter(other) in definitions[name]!.parameters) {
                visit(other, [...path, name]);
            }
        }
        visiting.delete(name);
        order.push(name);
    };
    for (const name of Object.keys(definitions).sort()) {
        visit(name, []);
    }
    return order;
}

/**
 * Checks {@link WorkflowsArgs} and returns the definitions of the workflows to deploy; throws one
 * error naming each problem: a workflow without a definition, a parameter without a value, a
 * workflow without an HTTP trigger, a nested call to a trigger the called workflow does not have, a
 * connector this component cannot connect, an admin range that is not an IPv4 range.
 */
export function checkWorkflows(args: WorkflowsArgs): Record<string, WorkflowDefinition> {
    const problems: string[] = [];
    const definitions: Record<string, WorkflowDefinition> = {};
    const workflows = args.workflows ?? {};
    for (const [name, spec] of Object.entries(workflows)) {
        if (!workflowAccessModes.includes(spec.access)) {
            problems.push(
                `workflows.${name}.access: "${String(spec.access)}" is not an access mode (allowed: ${workflowAccessModes.join(", ")})`,
            );
        }
        const definition = args.definitions[name];
        if (definition) {
            definitions[name] = definition;
        } else {
            problems.push(
                `definitions.${name}: missing (allowed: the definition of every workflow; given: ${Object.keys(args.definitions).sort().join(", ") || "none"})`,
            );
        }
    }
    problems.push(...problemLines(ipv4RangeProblems(args.adminIpRanges ?? []), ["adminIpRanges"]));
    for (const [name, definition] of Object.entries(definitions)) {
        const access = workflows[name]?.access;
        if (access !== "triggered" && !requestTrigger(definition)) {
            problems.push(
                `${definition.file}: triggers: no HTTP (Request) trigger, and the stack deploys it as ${access}: the gateway and other workflows call workflows over HTTP (allowed: one Request trigger; or deploy it as triggered, to start from its own trigger)`,
            );
        }
        if (access === "triggered" && requestTrigger(definition)) {
            problems.push(
                `${definition.file}: triggers: an HTTP (Request) trigger, and the stack deploys it as triggered, which nobody may call (allowed: gateway or nested for a Request trigger; triggered for a recurrence or a connector's trigger)`,
            );
        }
        const provided: Record<string, unknown> = {};
        for (const parameter of Object.keys(definition.parameters)) {
            const sibling = Object.keys(workflows).find((other) => workflowIdParameter(other) === parameter);
            if (sibling !== undefined || (args.parameterValues ?? {})[parameter] !== undefined) {
                provided[parameter] = true;
            }
        }
        const containers = containersOf(definition);
        // A container parameter is filled here; one that names no valid container is reported as such.
        for (const parameter of Object.keys(definition.parameters).filter((name) => containerOf(name) !== undefined)) {
            provided[parameter] = true;
        }
        problems.push(...workflowParameterValues(definition, provided), ...nestedCallProblems(definition, definitions));
        problems.push(...containers.problems);
        const connections = Object.keys(args.connections ?? {});
        for (const connection of connectionsUsedBy(definition.definition).filter((used) => !connections.includes(used))) {
            problems.push(
                `${definition.file}: uses the connection "${connection}" ($connections), which connections does not provide (allowed: ${connections.join(", ") || "none"})`,
            );
        }
        if (connectionsUsedBy(definition.definition).length > 0) {
            provided["$connections"] = true;
        }
        if (Object.keys(containers.containers).length > 0 && !args.storage) {
            problems.push(
                `storage: missing; ${definition.file} writes to blob containers (allowed: { accountName, geoRedundant, protect })`,
            );
        }
    }
    if (problems.length > 0) {
        throw new ArgumentsError("Workflows", problems);
    }
    deploymentOrder(definitions);
    return definitions;
}

export class Workflows extends pulumi.ComponentResource {
    /** ARM ids, keyed by workflow. */
    readonly workflowIds: Record<string, pulumi.Output<string>>;
    /** System-assigned identities' principal ids, keyed by workflow, for role assignments. */
    readonly principalIds: Record<string, pulumi.Output<string>>;
    /** The HTTP triggers of the gateway-facing workflows, keyed by workflow. */
    readonly triggers: Record<string, TriggerHandle>;
    /**
     * Who writes to which container, one entry per workflow and container: the scope and the
     * principal of a `Storage Blob Data Contributor` assignment the stack makes.
     */
    readonly containerWriters: Array<{
        workflow: string;
        container: string;
        containerId: pulumi.Output<string>;
        principalId: pulumi.Output<string>;
    }>;

    constructor(name: string, args: WorkflowsArgs, opts?: pulumi.ComponentResourceOptions) {
        const definitions = checkWorkflows(args);
        super("enterprise-integration:workflows:Workflows", name, {}, opts);
        const specs = args.workflows ?? {};

        const containersByWorkflow = Object.fromEntries(
            Object.entries(definitions).map(([workflow, definition]) => [workflow, containersOf(definition).containers]),
        );
        const containers = Object.values(containersByWorkflow).flatMap((byParameter) => Object.values(byParameter));
        const blobStorage =
            containers.length > 0
                ? new WorkflowStorage(
                      `${name}-storage`,
                      {
                          resourceGroupName: args.resourceGroupName,
                          location: args.location,
                          accountName: args.storage!.accountName,
                          containers,
                          geoRedundant: args.storage!.geoRedundant,
                          protect: args.storage!.protect,
                          workspaceId: args.monitoring.workspaceId,
                          tags: args.tags,
                      },
                      { parent: this },
                  )
                : undefined;
        this.containerWriters = [];

        const gatewayCallers = pulumi.output(args.gatewayIpAddresses).apply((ips) => ips.map((ip) => ({ addressRange: callerRange(ip) })));
        // With no admin ranges nobody reads run contents: 0.0.0.0-0.0.0.0 matches no caller (an empty
        // list would leave them open).
        const contents = runHistoryAccess(args.adminIpRanges);
        this.workflowIds = {};
        this.principalIds = {};
        this.triggers = {};
        for (const workflowName of deploymentOrder(definitions)) {
            const definition = definitions[workflowName]!;
            const spec = specs[workflowName]!;
            const parameters: Record<string, inputs.logic.WorkflowParameterArgs> = {};
            // A workflow that writes to containers comes after them.
            const dependsOn: pulumi.Resource[] = Object.keys(containersByWorkflow[workflowName]!).length > 0 ? [blobStorage!] : [];
            for (const [parameter, declared] of Object.entries(definition.parameters)) {
                const sibling = Object.keys(definitions).find((other) => workflowIdParameter(other) === parameter);
                const container = containersByWorkflow[workflowName]![parameter];
                let value: pulumi.Input<unknown> | undefined;
                const used = parameter === "$connections" ? connectionsUsedBy(definition.definition) : [];
                if (used.length > 0) {
                    value = pulumi.output(Object.fromEntries(used.map((connection) => [connection, args.connections![connection]])));
                } else if (container !== undefined) {
                    value = blobStorage!.containerUrls[container];
                } else if (sibling) {
                    value = this.workflowIds[sibling];
                } else {
                    value = args.parameterValues?.[parameter];
                }
                if (value === undefined) {
                    continue;
                }
                const secure = declared.type.toLowerCase().startsWith("secure");
                parameters[parameter] = { type: declared.type, value: secure ? pulumi.secret(value) : value };
            }
            const workflow = new logic.Workflow(
                `${name}-${workflowName}`,
                {
                    resourceGroupName: args.resourceGroupName,
                    workflowName: spec.workflowName,
                    location: args.location,
                    state: logic.WorkflowState.Enabled,
                    identity: { type: logic.ManagedServiceIdentityType.SystemAssigned },
                    definition: deployedDefinition(definition),
                    parameters,
                    accessControl: {
                        // An empty list admits only other Logic Apps; the gateway's list admits only the gateway.
                        triggers: { allowedCallerIpAddresses: spec.access === "gateway" ? gatewayCallers : [] },
                        contents,
                    },
                    tags: args.tags,
                },
                { parent: this, dependsOn },
            );
            this.workflowIds[workflowName] = workflow.id;
            this.principalIds[workflowName] = workflow.identity.apply((identity) => identity?.principalId ?? "");
            for (const container of [...new Set(Object.values(containersByWorkflow[workflowName]!))].sort()) {
                this.containerWriters.push({
                    workflow: workflowName,
                    container,
                    containerId: blobStorage!.containerIds[container]!,
                    principalId: this.principalIds[workflowName]!,
                });
            }

            new monitor.DiagnosticSetting(`${name}-${workflowName}-logs`, workflowLogs(workflow.id, args.monitoring.workspaceId), {
                parent: this,
            });
            new monitor.MetricAlert(
                `${name}-${workflowName}-failed-runs`,
                failedRunsAlert({
                    resourceGroupName: args.resourceGroupName,
                    ruleName: spec.alertName,
                    description: `A run of the ${workflowName} workflow failed. Its run history (from an admin range) shows which action.`,
                    severity: 2,
                    workflowId: workflow.id,
                    actionGroupId: args.monitoring.actionGroupId,
                    tags: args.tags,
                }),
                { parent: this },
            );

            if (spec.access === "gateway") {
                const url = pulumi.secret(
                    logic
                        .listWorkflowTriggerCallbackUrlOutput(
                            {
                                resourceGroupName: args.resourceGroupName,
                                workflowName: workflow.name,
                                triggerName: requestTrigger(definition)!,
                            },
                            { parent: this, dependsOn: [workflow] },
                        )
                        .apply((result) => result.value),
                );
                // Only the signature is secret; the rest of the URL says where, not who may call.
                const parts = pulumi.unsecret(url.apply(splitCallbackUrl));
                this.triggers[workflowName] = {
                    baseUrl: parts.apply((split) => split.baseUrl),
                    path: parts.apply((split) => split.path),
                    query: parts.apply((split) => split.query),
                    signature: pulumi.secret(parts.apply((split) => split.signature)),
                    callbackUrl: url,
                };
            }
        }

        this.registerOutputs({ workflowIds: this.workflowIds, principalIds: this.principalIds });
    }
}
