import * as apimanagement from "@pulumi/azure-native/apimanagement";
import * as logic from "@pulumi/azure-native/logic";
import * as resources from "@pulumi/azure-native/resources";
import { runStack } from "../engine";
import { listStacks } from "../engine/project";

/**
 * The bench's floor: the smallest Pulumi program of this kind, one API Management service and one
 * workflow, run the way the plan runs a stack (same process setup, same engine, same mocks). Every
 * figure of `npm run bench` is a multiple of this one, so the budgets hold on any machine.
 */
async function floor(): Promise<Record<string, unknown>> {
    const group = new resources.ResourceGroup("rg", { resourceGroupName: "rg-floor", location: "westeurope" });
    const service = new apimanagement.ApiManagementService("apim", {
        resourceGroupName: group.name,
        serviceName: "apim-floor",
        location: "westeurope",
        publisherName: "Floor",
        publisherEmail: "floor@example.com",
        sku: { name: apimanagement.SkuType.Developer, capacity: 1 },
    });
    const workflow = new logic.Workflow("workflow", {
        resourceGroupName: group.name,
        workflowName: "logic-floor",
        location: "westeurope",
        definition: {
            $schema: "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
            contentVersion: "1.0.0.0",
            triggers: {},
            actions: {},
        },
    });
    return { gatewayUrl: service.gatewayUrl, endpoint: workflow.accessEndpoint };
}

runStack({ stack: listStacks()[0], program: floor }).then(
    (run) => process.stdout.write(`${run.resources.length} resources\n`),
    (error: unknown) => {
        process.stderr.write(`${String(error)}\n`);
        process.exitCode = 1;
    },
);
