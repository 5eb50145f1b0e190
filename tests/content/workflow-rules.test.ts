import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
    actionTypes,
    maxNameLength,
    maxNesting,
    maxTriggers,
    triggerTypes,
    validateWorkflowDefinition,
} from "../../content/workflows/definition";
import { loadWorkflowDefinitions } from "../../content";
import { WorkflowDefinitionError } from "../../content/workflows/definition";
import { fixtureContent } from "../helpers";
import { temporaryDirectory } from "../support/temporary";

const intakeFile = "workflows/shipment-intake.json";
const notifyFile = "workflows/shipment-notify.json";
const answerAllowed =
    "a Response that runs on every outcome: one whose runAfter lists the action with Failed and TimedOut, or a Scope around the work with a Response that runs after the Scope Failed or TimedOut";
const headersAllowed =
    "x-ms-version with the Storage API version, x-ms-date: @{formatDateTime(utcNow(),'r')}, and x-ms-blob-type on a Put Blob, as the Logic Apps managed-identity guide requires";

/** A fresh deep copy of a fixture definition, to break in memory. */
function sample(name: "shipment-intake" | "shipment-notify"): any {
    return JSON.parse(fs.readFileSync(path.join(fixtureContent.workflows, `${name}.json`), "utf8"));
}

/** A minimal valid definition with a Request trigger and `actions`. */
function requestWorkflow(actions: Record<string, unknown>): Record<string, unknown> {
    const doc = sample("shipment-notify");
    doc.parameters = {};
    doc.actions = actions;
    return doc;
}

const http = (runAfter: Record<string, string[]> = {}) => ({
    type: "Http",
    inputs: { method: "GET", uri: "https://example.com/" },
    runAfter,
});
const response = (status: number, runAfter: Record<string, string[]> = {}) => ({
    type: "Response",
    kind: "Http",
    inputs: { statusCode: status },
    runAfter,
});

describe("workflow definition rules from the Logic Apps limits and language reference", () => {
    describe("a managed-identity call to Azure Storage carries the headers Storage requires", () => {
        it("refuses a Put Blob without x-ms-date, naming the file and the action", () => {
            const doc = sample("shipment-notify");
            delete doc.actions.Store_order.inputs.headers["x-ms-date"];
            assert.deepEqual(validateWorkflowDefinition(notifyFile, doc), [
                `${notifyFile}: actions.Store_order.inputs.headers: no x-ms-date header; Azure Storage answers a managed-identity call without it with 403 (allowed: ${headersAllowed})`,
            ]);
        });

        it("asks a Put Blob for x-ms-blob-type and x-ms-version too, whatever their case, and any call inside a scope", () => {
            const doc = sample("shipment-notify");
            const store = doc.actions.Store_order;
            store.inputs.headers = { "X-MS-DATE": "@{utcNow('R')}" };
            doc.actions.Store_order = { type: "Scope", actions: { Put: { ...store, runAfter: {} } }, runAfter: {} };
            assert.deepEqual(validateWorkflowDefinition(notifyFile, doc), [
                `${notifyFile}: actions.Store_order.actions.Put.inputs.headers: no x-ms-version header; Azure Storage answers a managed-identity call without it with 403 (allowed: ${headersAllowed})`,
                `${notifyFile}: actions.Store_order.actions.Put.inputs.headers: no x-ms-blob-type header; Azure Storage answers a managed-identity call without it with 403 (allowed: ${headersAllowed})`,
            ]);
        });

        it("asks no x-ms-blob-type of other Storage operations, and refuses a fixed date", () => {
            const doc = sample("shipment-notify");
            const inputs = doc.actions.Store_order.inputs;
            inputs.method = "GET";
            inputs.uri = "@{parameters('shipmentsContainerUrl')}?restype=container&comp=list";
            inputs.headers = { "x-ms-version": "2023-11-03", "x-ms-date": "Mon, 07 Dec 2026 10:00:00 GMT" };
            assert.deepEqual(validateWorkflowDefinition(notifyFile, doc), [
                `${notifyFile}: actions.Store_order.inputs.headers.x-ms-date: "Mon, 07 Dec 2026 10:00:00 GMT" is a fixed date; Storage refuses a request whose date is not the current one (allowed: an expression such as @{formatDateTime(utcNow(),'r')})`,
            ]);
            inputs.headers["x-ms-date"] = "@{formatDateTime(utcNow(),'r')}";
            assert.deepEqual(validateWorkflowDefinition(notifyFile, doc), []);
        });

        it("recognizes Storage by the token's audience or by a literal storage endpoint, and leaves other identities' calls alone", () => {
            const doc = sample("shipment-notify");
            const inputs = doc.actions.Store_order.inputs;
            inputs.headers = {};
            inputs.authentication = { type: "ManagedServiceIdentity" };
            inputs.uri = "https://stshipments.blob.core.windows.net/shipments/a.json";
            assert.equal(validateWorkflowDefinition(notifyFile, doc).length, 3);
            inputs.uri = "https://api.example.com/shipments";
            assert.deepEqual(validateWorkflowDefinition(notifyFile, doc), []);
            inputs.authentication = { type: "ManagedServiceIdentity", audience: "https://stshipments.blob.core.windows.net/" };
            assert.equal(validateWorkflowDefinition(notifyFile, doc).length, 3);
            inputs.authentication = { type: "ActiveDirectoryOAuth", audience: "https://storage.azure.com/" };
            assert.deepEqual(validateWorkflowDefinition(notifyFile, doc), []);
        });
    });

    describe("a Request-triggered workflow with a Response answers on every outcome", () => {
        it("refuses a call whose failure leaves the caller without an answer, naming the action and the outcomes", () => {
            const doc = sample("shipment-intake");
            delete doc.actions.Notify_failed;
            assert.deepEqual(validateWorkflowDefinition(intakeFile, doc), [
                `${intakeFile}: actions.Notify_order: when it ends Failed or TimedOut, no Response action runs, so the caller gets no answer (allowed: ${answerAllowed})`,
            ]);
        });

        it("names only the outcome a handler leaves out", () => {
            const doc = sample("shipment-intake");
            doc.actions.Reservation_failed.runAfter = { Reserve_stock: ["Failed"] };
            assert.deepEqual(validateWorkflowDefinition(intakeFile, doc), [
                `${intakeFile}: actions.Reserve_stock: when it ends TimedOut, no Response action runs, so the caller gets no answer (allowed: ${answerAllowed})`,
            ]);
        });

        it("accepts a Scope around the work with a Response after the Scope fails, and refuses one that answers only on success", () => {
            const doc = requestWorkflow({
                Work: { type: "Scope", actions: { Call: http(), Then: http({ Call: ["Succeeded"] }) }, runAfter: {} },
                Done: response(200, { Work: ["Succeeded"] }),
                Failed: response(502, { Work: ["Failed", "TimedOut"] }),
            });
            assert.deepEqual(validateWorkflowDefinition(notifyFile, doc), []);
            delete (doc.actions as Record<string, unknown>)["Failed"];
            assert.deepEqual(validateWorkflowDefinition(notifyFile, doc), [
                `${notifyFile}: actions.Work: when it ends Failed or TimedOut, no Response action runs, so the caller gets no answer (allowed: ${answerAllowed})`,
                `${notifyFile}: actions.Work.actions.Call: when it ends Failed or TimedOut, no Response action runs, so the caller gets no answer (allowed: ${answerAllowed})`,
                `${notifyFile}: actions.Work.actions.Then: when it ends Failed or TimedOut, no Response action runs, so the caller gets no answer (allowed: ${answerAllowed})`,
            ]);
        });

        it("counts a failure handled inside a Scope as the Scope succeeding", () => {
            const doc = requestWorkflow({
                Work: {
                    type: "Scope",
                    actions: { Call: http(), Fallback: { type: "Compose", inputs: "cached", runAfter: { Call: ["Failed", "TimedOut"] } } },
                    runAfter: {},
                },
                Done: response(200, { Work: ["Succeeded"] }),
            });
            // Fallback is the Scope's last action; when it runs, the Scope succeeds. When Call succeeds,
            // Fallback is skipped, which leaves the Scope succeeded too. Only the Scope's own failure
            // (a limit or a cancellation) is unanswered; one failure is looked at at a time, so
            // Fallback never fails (it runs only after Call failed).
            assert.deepEqual(validateWorkflowDefinition(notifyFile, doc), [
                `${notifyFile}: actions.Work: when it ends Failed or TimedOut, no Response action runs, so the caller gets no answer (allowed: ${answerAllowed})`,
            ]);
            (doc.actions as Record<string, unknown>)["Failed"] = response(502, { Work: ["Failed", "TimedOut"] });
            assert.deepEqual(validateWorkflowDefinition(notifyFile, doc), []);
        });

        it("needs a Response in every branch of an If", () => {
            const doc = requestWorkflow({
                Check: {
                    type: "If",
                    expression: { and: [{ equals: [1, 1] }] },
                    actions: { Yes: response(200) },
                    else: { actions: {} },
                    runAfter: {},
                },
            });
            assert.deepEqual(validateWorkflowDefinition(notifyFile, doc), [
                `${notifyFile}: actions: when every action succeeds, no Response action runs, so the caller gets no answer (allowed: ${answerAllowed})`,
            ]);
            (doc.actions as any).Check.else.actions = { No: response(404) };
            (doc.actions as any).Failed = response(500, { Check: ["Failed", "TimedOut"] });
            assert.deepEqual(validateWorkflowDefinition(notifyFile, doc), []);
        });

        it("asks nothing of a workflow without a Response (Logic Apps answers 202 at once) or without a Request trigger", () => {
            assert.deepEqual(validateWorkflowDefinition(notifyFile, requestWorkflow({ Call: http() })), []);
            const scheduled = requestWorkflow({ Call: http(), Done: response(200, { Call: ["Succeeded"] }) });
            scheduled.triggers = { Every_hour: { type: "Recurrence", recurrence: { frequency: "Hour", interval: 1 } } };
            assert.deepEqual(validateWorkflowDefinition(notifyFile, scheduled), []);
        });
    });

    describe("a nested call names a Request trigger of the workflow it calls", () => {
        it("refuses, when the definitions are read, a caller whose callee's trigger was renamed", () => {
            const dir = path.join(temporaryDirectory("workflows-"), "workflows");
            fs.mkdirSync(dir);
            const notify = sample("shipment-notify");
            notify.triggers = { receive: notify.triggers.manual };
            fs.writeFileSync(path.join(dir, "shipment-notify.json"), JSON.stringify(notify));
            fs.writeFileSync(path.join(dir, "shipment-intake.json"), JSON.stringify(sample("shipment-intake")));
            assert.throws(
                () => loadWorkflowDefinitions(dir, ["shipment-intake", "shipment-notify"]),
                (error: unknown) =>
                    error instanceof WorkflowDefinitionError &&
                    error.problems.join("\n") ===
                        `${intakeFile}: actions.Notify_order.inputs.host.triggerName: "manual" is not a Request trigger of ${notifyFile} (allowed: receive)`,
            );
            // A callee the stack does not deploy is not judged here: the workflows component reports it.
            assert.doesNotThrow(() => loadWorkflowDefinitions(dir, ["shipment-intake"]));
        });
    });

    describe("types, names, nesting and counts within Logic Apps' limits", () => {
        it("refuses an action or trigger type the definition language does not have, listing those it has", () => {
            const doc = sample("shipment-intake");
            doc.actions.Reserve_stock.type = "Htpp";
            doc.triggers.manual.type = "Requests";
            assert.deepEqual(validateWorkflowDefinition(intakeFile, doc), [
                `${intakeFile}: triggers.manual.type: "Requests" is not a trigger type (allowed: ${triggerTypes.join(", ")})`,
                `${intakeFile}: actions.Reserve_stock.type: "Htpp" is not an action type (allowed: ${actionTypes.join(", ")})`,
            ]);
        });

        it("takes types without regard to case, as Logic Apps does (ForEach and Foreach)", () => {
            const doc = requestWorkflow({
                Loop: {
                    type: "ForEach",
                    foreach: "@triggerBody()?['lines']",
                    actions: { Each: { type: "compose", inputs: 1 } },
                    runAfter: {},
                },
            });
            assert.deepEqual(validateWorkflowDefinition(notifyFile, doc), []);
        });

        it(`refuses a name over ${maxNameLength} characters and takes one of ${maxNameLength}`, () => {
            const doc = requestWorkflow({ ["A".repeat(maxNameLength)]: http() });
            assert.deepEqual(validateWorkflowDefinition(notifyFile, doc), []);
            const long = "B".repeat(maxNameLength + 1);
            doc.actions = { [long]: http() };
            assert.deepEqual(validateWorkflowDefinition(notifyFile, doc), [
                `${notifyFile}: actions.${long}: the name has ${maxNameLength + 1} characters (allowed: at most ${maxNameLength})`,
            ]);
        });

        it(`takes ${maxNesting} levels of actions and refuses a 9th, naming the action that holds it`, () => {
            assert.equal(maxNesting, 8, "the Logic Apps limit: nesting depth for actions 8");
            /** `levels` levels of actions: Scopes nested in each other around one Compose. */
            const nestedScopes = (levels: number): Record<string, unknown> =>
                levels === 1
                    ? { Leaf: { type: "Compose", inputs: 1, runAfter: {} } }
                    : { [`Level_${levels}`]: { type: "Scope", actions: nestedScopes(levels - 1), runAfter: {} } };
            const doc = requestWorkflow(nestedScopes(maxNesting));
            assert.deepEqual(validateWorkflowDefinition(notifyFile, doc), []);
            doc.actions = nestedScopes(maxNesting + 1);
            const at = Array.from({ length: maxNesting }, (_, i) => `Level_${maxNesting + 1 - i}`).join(".actions.");
            assert.deepEqual(validateWorkflowDefinition(notifyFile, doc), [
                `${notifyFile}: actions.${at}: holds actions at nesting level 9 (allowed: at most 8 levels of actions; call a nested workflow for more)`,
            ]);
        });

        it(`refuses more than ${maxTriggers} triggers`, () => {
            const doc = requestWorkflow({ Call: http() });
            doc.triggers = Object.fromEntries(
                Array.from({ length: maxTriggers + 1 }, (_, i) => [
                    `Every_${i}`,
                    { type: "Recurrence", recurrence: { frequency: "Hour", interval: i + 1 } },
                ]),
            );
            assert.deepEqual(validateWorkflowDefinition(notifyFile, doc), [
                `${notifyFile}: triggers: has 11 triggers (allowed: at most 10)`,
            ]);
        });
    });
});
