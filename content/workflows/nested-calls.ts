import { workflowIdParameter } from "../../components/common/names";
import { allActions, type WorkflowDefinition } from "./definition";

/**
 * A `Workflow` action that calls a sibling (its `host.workflow.id` is the sibling's
 * {@link workflowIdParameter}) names one of the sibling's triggers, a Request trigger: Logic Apps
 * calls the nested workflow through that trigger ("Schema reference guide for trigger and action
 * types", learn.microsoft.com/azure/logic-apps/logic-apps-workflow-actions-triggers, "Workflow
 * action": `triggerName`, "The name for the trigger in the nested logic app that you want to call"),
 * so renaming the callee's trigger breaks the caller at run time.
 */
export function nestedCallProblems(definition: WorkflowDefinition, definitions: Record<string, WorkflowDefinition>): string[] {
    return allActions(definition.definition["actions"]).flatMap(({ at, action }) => {
        if (String(action["type"] ?? "").toLowerCase() !== "workflow") {
            return [];
        }
        const host = (action["inputs"] as { host?: { workflow?: { id?: unknown }; triggerName?: unknown } } | undefined)?.host;
        const id = typeof host?.workflow?.id === "string" ? host.workflow.id : "";
        const parameter = /^@\{?parameters\('([^']+)'\)\}?$/.exec(id.trim())?.[1];
        const callee = Object.keys(definitions).find((other) => parameter !== undefined && workflowIdParameter(other) === parameter);
        if (callee === undefined) {
            return [];
        }
        const triggers = (definitions[callee]!.definition["triggers"] ?? {}) as Record<string, { type?: unknown }>;
        const requests = Object.keys(triggers).filter((name) => String(triggers[name]!.type ?? "").toLowerCase() === "request");
        const name = host?.triggerName;
        if (typeof name === "string" && requests.includes(name)) {
            return [];
        }
        const what = name === undefined ? "is missing" : `${JSON.stringify(name)} is not a Request trigger of ${definitions[callee]!.file}`;
        return [`${definition.file}: ${at}.inputs.host.triggerName: ${what} (allowed: ${requests.join(", ") || "none"})`];
    });
}
