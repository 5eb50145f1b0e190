import { apiIdOfRevision, workflowBackendId } from "../../components/common/names";
import type { RegisteredResource, StackRun } from "../../engine";
import { list, record, text } from "./summaries";

/**
 * The stack as a Mermaid flowchart, made from its plan: clients, DNS, the gateway in each region,
 * the APIs and where each forwards (a workflow or an external backend), the vault, Entra ID,
 * monitoring, and the disaster-recovery pieces (backups, restores, the other site).
 */

type Inputs = Record<string, unknown>;

/** `1 unit`, `2 units`. */
const units = (capacity: unknown) => `${text(capacity)} ${text(capacity) === "1" ? "unit" : "units"}`;
/** A Mermaid node id: letters, digits and underscores. */
const id = (prefix: string, name: string) => `${prefix}_${name.replace(/[^A-Za-z0-9]/g, "_")}`;
/** A node label, quoted, without what Mermaid reads as markup. */
const quoted = (label: string) => `"${label.replace(/"/g, "'").replace(/[<>]/g, "")}"`;

function inputsOf(resource: RegisteredResource): Inputs {
    return resource.planInputs as Inputs;
}

export function mermaidOf(run: StackRun): string {
    const of = (type: string) => run.resources.filter((resource) => resource.type === type);
    const lines = ["flowchart LR", `    clients([API clients])`];
    const edges: string[] = [];

    const zones = of("azure-native:dns:Zone");
    const records = of("azure-native:dns:RecordSet");
    const services = of("azure-native:apimanagement:ApiManagementService");
    const service = services[0];
    const gatewayNode = "gateway";
    if (zones.length > 0 || records.length > 0) {
        const zone = text(inputsOf(zones[0] ?? records[0]!).zoneName);
        const hosts = records
            .filter((recordSet) => inputsOf(recordSet).recordType === "CNAME")
            .map((recordSet) => `${text(inputsOf(recordSet).relativeRecordSetName)}.${zone}`);
        lines.push(`    dns[${quoted(`Azure DNS ${zone}${hosts.length > 0 ? `: ${hosts.join(", ")}` : ""}`)}]`);
        edges.push("    clients --> dns", `    dns --> ${gatewayNode}`);
    } else {
        edges.push(`    clients --> ${gatewayNode}`);
    }

    if (service) {
        const inputs = inputsOf(service);
        const sku = record(inputs.sku);
        const regions = [
            `${text(inputs.location)}: ${units(sku.capacity)}${list(inputs.zones).length > 0 ? `, zones ${list(inputs.zones).join(",")}` : ""}`,
            ...list(inputs.additionalLocations).map(
                (location) => `${text(record(location).location)}: ${units(record(record(location).sku).capacity)}`,
            ),
        ];
        lines.push(`    subgraph ${gatewayNode}[${quoted(`API Management ${text(sku.name)}`)}]`);
        regions.forEach((region, i) => lines.push(`        region_${i}[${quoted(region)}]`));
        lines.push("    end");
    }

    // APIs, once each (revisions are one API), and the backend each forwards to.
    const backends = new Map(of("azure-native:apimanagement:Backend").map((backend) => [text(inputsOf(backend).backendId), backend]));
    const policies = new Map(
        of("azure-native:apimanagement:ApiPolicy").map((policy) => [
            apiIdOfRevision(text(inputsOf(policy).apiId)),
            text(inputsOf(policy).value),
        ]),
    );
    const workflows = of("azure-native:logic:Workflow");
    const apis = new Map<string, RegisteredResource>();
    for (const api of of("azure-native:apimanagement:Api")) {
        const apiId = apiIdOfRevision(text(inputsOf(api).apiId));
        apis.set(apiId, apis.get(apiId) ?? api);
    }
    if (apis.size > 0) {
        lines.push(`    subgraph apis[APIs]`);
        for (const [apiId, api] of apis) {
            lines.push(`        ${id("api", apiId)}[${quoted(`${text(inputsOf(api).displayName)} /${text(inputsOf(api).path)}`)}]`);
        }
        lines.push("    end");
        edges.push(`    ${gatewayNode} --> apis`);
    }
    const drawnBackends = new Set<string>();
    for (const apiId of apis.keys()) {
        const backendId = /<set-backend-service[^>]*backend-id="([^"]+)"/.exec(policies.get(apiId) ?? "")?.[1];
        const backend = backendId ? backends.get(backendId) : undefined;
        if (!backendId || !backend) {
            continue;
        }
        // A workflow's backend is named after it (the trigger's backend, components/common/names).
        const workflow = workflows.find((candidate) => backendId === workflowBackendId(candidateName(candidate)));
        if (workflow) {
            edges.push(`    ${id("api", apiId)} --> ${id("wf", candidateName(workflow))}`);
            continue;
        }
        if (!drawnBackends.has(backendId)) {
            drawnBackends.add(backendId);
            const host = /^https?:\/\/([^/]+)/.exec(text(inputsOf(backend).url))?.[1] ?? backendId;
            lines.push(`    ${id("be", backendId)}[(${quoted(`${backendId}: ${host}`)})]`);
        }
        edges.push(`    ${id("api", apiId)} --> ${id("be", backendId)}`);
    }
    // The integration's workflows; the backup and restore schedules are drawn with disaster recovery.
    const integration = workflows.filter((workflow) => !/-(backup|restore)-/.test(text(inputsOf(workflow).workflowName)));
    if (integration.length > 0) {
        lines.push(`    subgraph logic[Logic Apps]`);
        for (const workflow of integration) {
            lines.push(`        ${id("wf", candidateName(workflow))}[${quoted(candidateName(workflow))}]`);
        }
        lines.push("    end");
    }

    const vault = of("azure-native:keyvault:Vault")[0];
    if (vault) {
        lines.push(`    vault[(${quoted(`Key Vault: ${of("azure-native:keyvault:Secret").length} secrets`)})]`);
        edges.push(`    ${gatewayNode} -.->|named values| vault`);
        if (integration.length > 0) {
            edges.push(`    logic -.->|parameters| vault`);
        }
    }
    if (of("azuread:index/application:Application").length > 0) {
        lines.push(`    entra[${quoted("Entra ID: API app, client, portal sign-in")}]`);
        edges.push("    clients -.->|token| entra", `    ${gatewayNode} -.->|validates tokens| entra`);
    }
    if (of("azure-native:operationalinsights:Workspace").length > 0) {
        lines.push(`    monitor[${quoted("Log Analytics + Application Insights, alerts")}]`);
        edges.push(`    ${gatewayNode} -.->|logs| monitor`);
        if (integration.length > 0) {
            edges.push("    logic -.->|runs| monitor");
        }
    }

    // Disaster recovery: the backups this site writes, or restores from, and the other site.
    const backup = workflows.find((workflow) => /-backup-/.test(text(inputsOf(workflow).workflowName)));
    const restore = workflows.find((workflow) => /-restore-/.test(text(inputsOf(workflow).workflowName)));
    const storage = run.resources.find((resource) => resource.name === "backup-storage-account");
    if (backup && storage) {
        lines.push(`    backups[(${quoted(`backups in ${text(inputsOf(storage).location)}`)})]`);
        lines.push(`    backupjob[${quoted("scheduled backup")}]`);
        edges.push(`    backupjob -->|backup| ${gatewayNode}`, `    ${gatewayNode} -.->|writes| backups`);
        if (!run.resources.some((resource) => resource.type === "pulumi:pulumi:StackReference")) {
            lines.push(`    drsite[${quoted(`DR site in ${text(inputsOf(storage).location)}`)}]`);
            edges.push(
                "    backups -.->|restored into| drsite",
                ...(zones.length > 0 || records.length > 0 ? ["    dns -.->|failover| drsite"] : []),
            );
        }
    }
    if (restore) {
        lines.push(`    backups[(${quoted("the active site's backups")})]`, `    restorejob[${quoted("scheduled restore")}]`);
        edges.push(`    restorejob -->|restore| ${gatewayNode}`, `    backups -.->|read| ${gatewayNode}`);
    }
    const reference = run.resources.find((resource) => resource.type === "pulumi:pulumi:StackReference");
    if (reference) {
        lines.push(`    othersite[${quoted(`${restore ? "active" : "DR"} site: ${text(inputsOf(reference).name)}`)}]`);
        edges.push(restore ? `    othersite -.->|tokens, backups| ${gatewayNode}` : `    dns -.->|failover| othersite`);
    }
    return [...lines, ...edges].join("\n");
}

/** A workflow's name as the stack file names it (`order-intake`), from its child name in the stack's Workflows component (`workflows-order-intake`). */
function candidateName(workflow: RegisteredResource): string {
    return workflow.name.replace(/^workflows-/, "");
}
