import { costSchema } from "../../stacks/config/cost-schema";
import type { RegisteredResource, StackRun } from "../../engine/run";
import { isConnection } from "../plan/connection-inputs";
import {
    actionGroup,
    apiManagement,
    applicationInsights,
    dnsZone,
    metricAlert,
    storageAccount,
    vault,
    workflows,
    workspace,
    type Context,
} from "./lines";
import { connectionLines } from "./connections";
import { priceTable, type PriceTable } from "./price-table";
import type { CostEstimate, CostLine, CostVolumes } from "./types";

/**
 * A monthly list-price estimate of a stack, from the resources its run registered and their real
 * inputs (API Management's tier and units, autoscale's range, storage redundancy, workspace
 * retention, ...), with the usage-based items priced from the monthly volumes of the stack's
 * `cost` config. Pure: the same run, volumes and table give the same estimate.
 */

export type { CostEstimate, CostLine, CostVolumes } from "./types";
export { costText } from "./text";
export { priceTable, type Price, type PriceTable } from "./price-table";
export { checkConnectionVolumes, connectionVolumeProblems, connectorTier, enterpriseManagedApis } from "./connections";

/** The volumes of a stack file without a `cost` key. */
export const defaultVolumes: CostVolumes = costSchema.parse({});

/**
 * Azure types that cost nothing of their own: they are part of a priced resource (API
 * Management's APIs, a storage account's containers), priced through one (secrets through the
 * vault's operations, diagnostic logs through the workspace's ingestion), or free (resource groups,
 * role assignments, identities).
 */
const includedTypes: ReadonlyArray<[RegExp, string]> = [
    [/^azure-native:apimanagement:(?!ApiManagementService$)/, "part of the API Management service"],
    [/^azure-native:resources:ResourceGroup$/, "no charge"],
    [/^azure-native:resources:Deployment$/, "no charge; what it writes is priced with its service"],
    [/^azure-native:authorization:Role(Assignment|Definition)$/, "no charge"],
    [/^azure-native:managedidentity:UserAssignedIdentity$/, "no charge"],
    [/^azure-native:keyvault:Secret$/, "priced through the vault's operations"],
    [/^azure-native:dns:RecordSet$/, "priced through the zone"],
    [/^azure-native:monitor:DiagnosticSetting$/, "its logs are priced as the workspace's ingestion"],
    [/^azure-native:monitor:AutoscaleSetting$/, "priced as the range of the units it scales"],
    [/^azure-native:storage:(BlobServiceProperties|BlobContainer|ManagementPolicy)$/, "part of the storage account"],
    [/^azure-native:web:CustomApi$/, "no charge of its own; its connections' calls are priced as Standard connector calls"],
];

/**
 * A generic ARM resource under API Management (portal settings, revisions) is part of the service;
 * an API connection (`Microsoft.Web/connections`) is priced by its calls (commands/cost/connections.ts).
 */
function pricedElsewhere(resource: RegisteredResource): boolean {
    return (
        (resource.type === "azure-native:resources:Resource" && resource.inputs.resourceProviderNamespace === "Microsoft.ApiManagement") ||
        isConnection(resource.type, resource.planInputs)
    );
}

/** The estimate of a run, with the stack's volumes (default: the schema's defaults) and a price table (default: prices.json). */
export function estimateCost(run: StackRun, volumes: CostVolumes = defaultVolumes, prices: PriceTable = priceTable): CostEstimate {
    const context: Context = { run, volumes, prices };
    const managed = run.resources.filter((resource) => resource.custom && !resource.read && resource.type.startsWith("azure-native:"));
    const lines: CostLine[] = [];
    const unpriced = new Map<string, { count: number; why: string }>();
    const notPriced = (resource: RegisteredResource, why: string) => {
        const entry = unpriced.get(resource.type) ?? { count: 0, why };
        unpriced.set(resource.type, { count: entry.count + 1, why: entry.why });
    };
    const add = (resource: RegisteredResource, priced: CostLine | undefined, why: string) =>
        priced ? lines.push(priced) : notPriced(resource, why);
    const workflowResources: RegisteredResource[] = [];
    for (const resource of managed) {
        switch (resource.type) {
            case "azure-native:apimanagement:ApiManagementService":
                add(resource, apiManagement(context, resource), `the table has no price for the ${resource.inputs.sku?.name} tier`);
                break;
            case "azure-native:logic:Workflow":
                workflowResources.push(resource);
                break;
            case "azure-native:operationalinsights:Workspace":
                lines.push(workspace(context, resource));
                break;
            case "azure-native:applicationinsights:Component":
                add(
                    resource,
                    resource.inputs.workspaceResourceId !== undefined ? applicationInsights(context, resource) : undefined,
                    "the table prices workspace-based Application Insights only",
                );
                break;
            case "azure-native:keyvault:Vault":
                add(resource, vault(context, resource), "the table prices the Standard vault only");
                break;
            case "azure-native:dns:Zone":
                add(resource, dnsZone(context, resource), "the table prices public zones only");
                break;
            case "azure-native:storage:StorageAccount":
                add(
                    resource,
                    storageAccount(context, resource),
                    `the table prices Hot LRS, ZRS, GRS and GZRS accounts, not ${resource.inputs.sku?.name} ${resource.inputs.accessTier ?? ""}`.trim(),
                );
                break;
            case "azure-native:monitor:MetricAlert":
                lines.push(metricAlert(context, resource));
                break;
            case "azure-native:monitor:ActionGroup":
                lines.push(actionGroup(context, resource));
                break;
            default:
                if (!pricedElsewhere(resource) && !includedTypes.some(([pattern]) => pattern.test(resource.type))) {
                    notPriced(resource, "the table has no price for it");
                }
        }
    }
    const connections = connectionLines(context);
    lines.push(...connections.lines);
    lines.push(...workflows(context, workflowResources, connections.pricedTiers));
    // Dearest first (at autoscale's maximum); equal ones in the order the program registered them.
    const order = new Map(managed.map((resource, index) => [resource.urn, index]));
    const most = (priced: CostLine) => priced.maxMonthlyUsd ?? priced.monthlyUsd;
    lines.sort((a, b) => most(b) - most(a) || order.get(a.urn)! - order.get(b.urn)!);
    const monthlyUsd = lines.reduce((sum, priced) => sum + priced.monthlyUsd, 0);
    const maxMonthlyUsd = lines.reduce((sum, priced) => sum + (priced.maxMonthlyUsd ?? priced.monthlyUsd), 0);
    return {
        stack: run.stack,
        currency: "USD",
        lines,
        total: { monthlyUsd, maxMonthlyUsd },
        volumes,
        pricesReadOn: prices.readOn,
        verified: false,
        unpriced: [...unpriced].map(([type, entry]) => ({ type, count: entry.count, why: entry.why })),
    };
}
