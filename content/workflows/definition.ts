import * as pulumi from "@pulumi/pulumi";

/**
 * Logic Apps (Consumption) workflow definitions, in the workflow definition language. The checks
 * catch what Azure would otherwise reject only at deployment, or not at all (a secret default, a
 * reference to an undeclared parameter), and report every problem at once with the file and the
 * place in it. Pure: the assembly reads the files (`content/`) and hands the text over.
 */

/** The `$schema` every definition names: the 2016-06-01 workflow definition language. */
export { workflowSchemaUrl } from "../../components/common/azure";
import { workflowSchemaUrl } from "../../components/common/azure";
import { formatPath } from "../../components/common/rules";
import { unansweredProblems } from "./answers";
import { storageCallProblems } from "./storage-calls";

/*
 * Definition limits of Logic Apps ("Limits and configuration reference for Azure Logic Apps",
 * learn.microsoft.com/azure/logic-apps/logic-apps-limits-and-config, "Workflow definition limits":
 * "Actions per workflow | 500", "Allowed nesting depth for actions | 8", "Triggers per workflow |
 * 10", "Name for `action` or `trigger` | 80 characters").
 */
/** Actions one workflow may hold, nested ones included. */
export const maxActions = 500;
/** Levels of actions: those of `actions` are the first, those of a Scope or branch among them the second, and so on. */
export const maxNesting = 8;
/** Characters in an action's or a trigger's name. */
export const maxNameLength = 80;
/** Triggers one workflow may hold. */
export const maxTriggers = 10;

/**
 * Trigger and action types of the workflow definition language, as a definition spells them
 * (compared without regard to case). From "Schema reference guide for trigger and action types in
 * Azure Logic Apps" (learn.microsoft.com/azure/logic-apps/logic-apps-workflow-actions-triggers:
 * built-in, managed API and control workflow types), the variable actions of "Create variables to
 * store and pass values" (logic-apps-create-variables-store-values), and the Enterprise Integration
 * Pack's XSLT transform and the batch sender, as Microsoft's samples write them.
 */
export const triggerTypes = ["Request", "Recurrence", "Http", "HttpWebhook", "ApiConnection", "ApiConnectionWebhook"] as const;
export const actionTypes = [
    "Compose",
    "JavaScriptCode",
    "Function",
    "Http",
    "HttpWebhook",
    "Join",
    "ParseJson",
    "Query",
    "Response",
    "Select",
    "Table",
    "Terminate",
    "Wait",
    "Workflow",
    "ApiConnection",
    "ApiConnectionWebhook",
    "ApiManagement",
    "Foreach",
    "If",
    "Scope",
    "Switch",
    "Until",
    "InitializeVariable",
    "SetVariable",
    "IncrementVariable",
    "DecrementVariable",
    "AppendToArrayVariable",
    "AppendToStringVariable",
    "Xslt",
    "SendToBatch",
] as const;

/** One workflow definition file, read and validated. */
export interface WorkflowDefinition {
    /** The file name without `.json`, such as `order-intake`. */
    name: string;
    /** The file as shown in messages, such as `workflows/order-intake.json`. */
    file: string;
    /** The parsed document, unchanged: what is deployed as the workflow's definition. */
    definition: Record<string, unknown>;
    /** The declared parameters, with their default when they have one. */
    parameters: Record<string, { type: string; defaultValue?: unknown }>;
}

/**
 * Definitions that cannot be deployed: every problem, one per line, each starting with its file.
 * A `RunError`, so Pulumi prints it without a stack trace.
 */
export class WorkflowDefinitionError extends pulumi.RunError {
    constructor(readonly problems: string[]) {
        super(
            `The workflow definitions have ${problems.length === 1 ? "a problem" : `${problems.length} problems`}:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`,
        );
        this.name = "WorkflowDefinitionError";
    }
}

const requiredKeys: Record<string, string> = {
    $schema: workflowSchemaUrl,
    contentVersion: "a version such as 1.0.0.0",
    triggers: "a map of trigger names to triggers",
    actions: "a map of action names to actions",
};
const knownKeys = ["$schema", "contentVersion", "parameters", "triggers", "actions", "outputs", "staticResults", "description"];
const statuses = ["Succeeded", "Failed", "Skipped", "TimedOut"];
const parameterTypes = ["String", "SecureString", "Int", "Float", "Bool", "Array", "Object", "SecureObject"];
const secureTypes = ["securestring", "secureobject"];
/** `parameters('name')` in an expression; `''` is an escaped quote inside the name. */
const parameterReference = /(?<![\w.])parameters\s*\(\s*'((?:[^']|'')*)'\s*\)/gi;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const listed = (names: readonly string[]) => names.join(", ") || "none";
const isEmpty = (value: unknown) =>
    value === undefined || value === null || value === "" || (typeof value === "object" && Object.keys(value).length === 0);

/** The action maps nested in one action, with where they are: Scope/Foreach/Until/If `actions`, If `else`, Switch `cases` and `default`. */
function childScopes(action: Json, at: string): Array<[string, unknown]> {
    const cases = Object.entries(isObject(action["cases"]) ? action["cases"] : {}).map(([name, branch]): [string, unknown] => [
        `${at}.cases.${name}`,
        branch,
    ]);
    const owners: Array<[string, unknown]> = [[at, action], [`${at}.else`, action["else"]], ...cases, [`${at}.default`, action["default"]]];
    return owners.flatMap(([where, owner]): Array<[string, unknown]> =>
        isObject(owner) && owner["actions"] !== undefined ? [[`${where}.actions`, owner["actions"]]] : [],
    );
}

function countActions(actions: unknown): number {
    const nested = (action: unknown) =>
        isObject(action) ? childScopes(action, "").reduce((n, [, child]) => n + countActions(child), 0) : 0;
    return isObject(actions) ? Object.values(actions).reduce((sum: number, action) => sum + 1 + nested(action), 0) : 0;
}

function runAfterProblems(file: string, at: string, runAfter: unknown, siblings: readonly string[]): string[] {
    const where = `${at}.runAfter`;
    if (runAfter !== undefined && !isObject(runAfter)) {
        return [`${file}: ${where}: is not an object (allowed: a map of action names to lists of statuses)`];
    }
    const problems: string[] = [];
    for (const [name, list] of Object.entries(runAfter ?? {})) {
        if (!siblings.includes(name)) {
            problems.push(`${file}: ${where}: "${name}" is not an action in the same scope (allowed: ${listed(siblings)})`);
        }
        if (!Array.isArray(list)) {
            problems.push(`${file}: ${where}.${name}: is not a list of statuses (allowed: ${statuses.join(", ")})`);
            continue;
        }
        const unknown = list.filter(
            (status) => typeof status !== "string" || !statuses.some((known) => known.toLowerCase() === status.toLowerCase()),
        );
        problems.push(
            ...unknown.map(
                (status) => `${file}: ${where}.${name}: ${JSON.stringify(status)} is not a status (allowed: ${statuses.join(", ")})`,
            ),
        );
    }
    return problems;
}

/** A type among `known` (ignoring case), or the problem with it. */
function typeProblems(file: string, at: string, type: unknown, kind: string, known: readonly string[]): string[] {
    if (typeof type === "string" && known.some((name) => name.toLowerCase() === type.toLowerCase())) {
        return [];
    }
    return [
        `${file}: ${at}.type: ${type === undefined ? "is missing" : `${JSON.stringify(type)} is not ${kind} type`} (allowed: ${known.join(", ")})`,
    ];
}

/** A name within the length Logic Apps allows, or the problem with it. */
function nameProblems(file: string, at: string, name: string): string[] {
    return name.length > maxNameLength
        ? [`${file}: ${at}: the name has ${name.length} characters (allowed: at most ${maxNameLength})`]
        : [];
}

/**
 * Checks every action of one scope, and the scopes nested in them: a known type, a name within
 * the length limit, each `runAfter` naming a sibling, and no deeper than {@link maxNesting} levels
 * (`level` is this scope's).
 */
function scopeProblems(file: string, where: string, actions: unknown, level = 1): string[] {
    if (!isObject(actions)) {
        return [`${file}: ${where}: is not an object (allowed: a map of action names to actions)`];
    }
    const names = Object.keys(actions);
    return Object.entries(actions).flatMap(([name, action]) => {
        const at = `${where}.${name}`;
        if (!isObject(action)) {
            return [`${file}: ${at}: is not an action (allowed: an object with a type)`];
        }
        const siblings = names.filter((other) => other !== name);
        const nested = childScopes(action, at);
        const tooDeep =
            level === maxNesting && nested.some(([, inner]) => isObject(inner) && Object.keys(inner).length > 0)
                ? [
                      `${file}: ${at}: holds actions at nesting level ${maxNesting + 1} (allowed: at most ${maxNesting} levels of actions; call a nested workflow for more)`,
                  ]
                : [];
        return [
            ...typeProblems(file, at, action["type"], "an action", actionTypes),
            ...nameProblems(file, at, name),
            ...runAfterProblems(file, at, action["runAfter"], siblings),
            ...tooDeep,
            ...(level < maxNesting ? nested.flatMap(([child, inner]) => scopeProblems(file, child, inner, level + 1)) : []),
        ];
    });
}

/** Every `parameters('x')` in an expression string (`@...` or `@{...}`) at any depth names a declared parameter. */
function referenceProblems(file: string, where: string, value: unknown, declared: readonly string[]): string[] {
    if (typeof value === "string") {
        // Only expressions are evaluated: a string starting with @, or one with @{...} inside.
        const matches = value.startsWith("@") || value.includes("@{") ? [...value.matchAll(parameterReference)] : [];
        const names = new Set(matches.map((match) => match[1]!.replace(/''/g, "'")));
        return [...names]
            .filter((name) => !declared.includes(name))
            .map((name) => `${file}: ${where}: parameters('${name}') is not declared in parameters (allowed: ${listed(declared)})`);
    }
    if (Array.isArray(value)) {
        return value.flatMap((item, i) => referenceProblems(file, formatPath([where, i]), item, declared));
    }
    if (isObject(value)) {
        return Object.entries(value).flatMap(([key, item]) => referenceProblems(file, formatPath([where, key]), item, declared));
    }
    return [];
}

/** `body('X')`, `outputs('X')`, `items('X')`...: the functions that name an action; `''` is an escaped quote. */
const actionReference = /(?<![\w.])(actions|body|outputs|result|items|actionBody|actionOutputs)\s*\(\s*'((?:[^']|'')*)'\s*\)/gi;

/** Every action of the definition at any depth, by name, with where it is, and the Foreach loops that enclose it. */
export function allActions(
    actions: unknown,
    where = "actions",
    loops: readonly string[] = [],
): Array<{ name: string; at: string; action: Json; loops: readonly string[] }> {
    if (!isObject(actions)) {
        return [];
    }
    return Object.entries(actions).flatMap(([name, action]) => {
        if (!isObject(action)) {
            return [];
        }
        const at = `${where}.${name}`;
        const inner = String(action["type"] ?? "").toLowerCase() === "foreach" ? [...loops, name] : loops;
        return [{ name, at, action, loops }, ...childScopes(action, at).flatMap(([child, nested]) => allActions(nested, child, inner))];
    });
}

/** The expression strings of one action, its nested actions left out (they are checked as actions of their own). */
function ownStrings(value: unknown, top = true): string[] {
    if (typeof value === "string") {
        return value.startsWith("@") || value.includes("@{") ? [value] : [];
    }
    if (Array.isArray(value)) {
        return value.flatMap((item) => ownStrings(item, false));
    }
    if (!isObject(value)) {
        return [];
    }
    const nested = top ? ["actions", "else", "cases", "default", "runAfter"] : [];
    return Object.entries(value)
        .filter(([key]) => !nested.includes(key))
        .flatMap(([, item]) => ownStrings(item, false));
}

/**
 * Every action an expression names exists (Logic Apps refuses the workflow otherwise: "The
 * action(s) 'X' referenced by 'inputs' in action 'Y' are not defined in the template"), and
 * `items('X')` names a Foreach loop around the expression.
 */
function actionReferenceProblems(file: string, actions: unknown): string[] {
    const found = allActions(actions);
    const names = new Set(found.map((entry) => entry.name));
    return found.flatMap(({ at, action, loops }) =>
        ownStrings(action).flatMap((expression) =>
            [...expression.matchAll(actionReference)].flatMap((match) => {
                const fn = match[1]!.toLowerCase();
                const target = match[2]!.replace(/''/g, "'");
                if (fn === "items") {
                    return loops.includes(target)
                        ? []
                        : [`${file}: ${at}: ${match[1]}('${target}') does not name a Foreach loop around it (allowed: ${listed(loops)})`];
                }
                return names.has(target)
                    ? []
                    : [`${file}: ${at}: ${match[1]}('${target}') names no action of this workflow (allowed: ${listed([...names])})`];
            }),
        ),
    );
}

function parameterProblems(file: string, parameters: unknown): string[] {
    if (parameters !== undefined && !isObject(parameters)) {
        return [`${file}: parameters: is not an object (allowed: a map of parameter names to declarations)`];
    }
    return Object.entries(parameters ?? {}).flatMap(([name, declaration]) => {
        const at = `parameters.${name}`;
        if (!isObject(declaration)) {
            return [`${file}: ${at}: is not a parameter declaration (allowed: an object with a type and an optional defaultValue)`];
        }
        const type = declaration["type"];
        if (typeof type !== "string" || !parameterTypes.some((known) => known.toLowerCase() === type.toLowerCase())) {
            return [
                `${file}: ${at}.type: ${type === undefined ? "is missing" : `${JSON.stringify(type)} is not a parameter type`} (allowed: ${parameterTypes.join(", ")})`,
            ];
        }
        if (secureTypes.includes(type.toLowerCase()) && !isEmpty(declaration["defaultValue"])) {
            return [
                `${file}: ${at}.defaultValue: a ${type} parameter has a default value, which puts a secret in source (allowed: no defaultValue; pass the value at deployment)`,
            ];
        }
        return [];
    });
}

function triggerProblems(file: string, triggers: unknown): string[] {
    if (!isObject(triggers)) {
        return [`${file}: triggers: is not an object (allowed: ${requiredKeys["triggers"]})`];
    }
    const names = Object.keys(triggers);
    if (names.length === 0) {
        return [`${file}: triggers: is empty (allowed: at least one trigger)`];
    }
    const broken = names.filter((name) => !isObject(triggers[name]));
    if (broken.length > 0) {
        return broken.map((name) => `${file}: triggers.${name}: is not a trigger (allowed: an object with a type)`);
    }
    const problems = names.flatMap((name) => [
        ...typeProblems(file, `triggers.${name}`, (triggers[name] as Json)["type"], "a trigger", triggerTypes),
        ...nameProblems(file, `triggers.${name}`, name),
    ]);
    if (names.length > maxTriggers) {
        problems.push(`${file}: triggers: has ${names.length} triggers (allowed: at most ${maxTriggers})`);
    }
    const requests = names.filter((name) => String((triggers[name] as Json)["type"]).toLowerCase() === "request");
    if (requests.length > 0 && names.length > 1) {
        problems.push(
            `${file}: triggers: has ${names.length} triggers, ${requests.join(", ")} of type Request among them (allowed: exactly one trigger in a workflow with a Request trigger)`,
        );
    }
    return problems;
}

/**
 * The problems of one workflow definition document (`[]` when it is valid), each naming `file`:
 * the top-level keys and `$schema`, `runAfter` within the same scope and with known statuses,
 * references to undeclared parameters and to actions that do not exist (or loops that do not
 * enclose the reference), the trigger count, the Logic Apps definition limits (actions, nesting,
 * name length, triggers), known trigger and action types, parameter types and secure parameters
 * with a default value; then, on a document without those problems, the headers of managed-identity
 * calls to Azure Storage (`./storage-calls.ts`) and an answer on every outcome of a
 * Request-triggered workflow with a Response action (`./answers.ts`).
 */
export function validateWorkflowDefinition(file: string, doc: unknown): string[] {
    if (!isObject(doc)) {
        return [`${file}: is not a workflow definition (allowed: a JSON object with ${Object.keys(requiredKeys).join(", ")})`];
    }
    const problems = Object.entries(requiredKeys)
        .filter(([key]) => doc[key] === undefined)
        .map(([key, allowed]) => `${file}: ${key}: is missing (allowed: ${allowed})`);
    if (doc["$schema"] !== undefined && doc["$schema"] !== workflowSchemaUrl) {
        problems.push(
            `${file}: $schema: ${JSON.stringify(doc["$schema"])} is not the 2016-06-01 workflow definition schema (allowed: ${workflowSchemaUrl})`,
        );
    }
    const unknown = Object.keys(doc).filter((key) => !knownKeys.includes(key));
    if (unknown.length > 0) {
        problems.push(`${file}: has unknown keys ${unknown.join(", ")} (allowed: ${knownKeys.join(", ")})`);
    }
    problems.push(...parameterProblems(file, doc["parameters"]));
    if (doc["triggers"] !== undefined) {
        problems.push(...triggerProblems(file, doc["triggers"]));
    }
    if (doc["actions"] !== undefined) {
        problems.push(...scopeProblems(file, "actions", doc["actions"]), ...actionReferenceProblems(file, doc["actions"]));
        const count = countActions(doc["actions"]);
        if (count > maxActions) {
            problems.push(`${file}: actions: has ${count} actions, counting nested ones (allowed: at most ${maxActions})`);
        }
    }
    const declared = isObject(doc["parameters"]) ? Object.keys(doc["parameters"]) : [];
    for (const key of ["triggers", "actions", "outputs"]) {
        problems.push(...referenceProblems(file, key, doc[key], declared));
    }
    if (problems.length === 0) {
        // On a well-formed document only: both follow runAfter and the control actions' shapes.
        problems.push(...storageCallProblems(file, doc), ...unansweredProblems(file, doc));
    }
    return problems;
}

/**
 * Parses and validates a definition's text (`file` names it in messages, such as
 * `workflows/order-intake.json`). Throws a {@link WorkflowDefinitionError} listing every problem:
 * text that is not JSON, or a document that breaks {@link validateWorkflowDefinition}.
 */
export function parseWorkflowDefinition(name: string, file: string, text: string): WorkflowDefinition {
    let doc: unknown;
    try {
        doc = JSON.parse(text.replace(/^\uFEFF/, ""));
    } catch (error) {
        throw new WorkflowDefinitionError([`${file}: is not valid JSON: ${(error as Error).message}`]);
    }
    const problems = validateWorkflowDefinition(file, doc);
    if (problems.length > 0) {
        throw new WorkflowDefinitionError(problems);
    }
    const definition = doc as Json;
    const parameters: WorkflowDefinition["parameters"] = {};
    for (const [key, declaration] of Object.entries((definition["parameters"] ?? {}) as Record<string, Json>)) {
        parameters[key] = Object.hasOwn(declaration, "defaultValue")
            ? { type: String(declaration["type"]), defaultValue: declaration["defaultValue"] }
            : { type: String(declaration["type"]) };
    }
    return { name, file, definition, parameters };
}

/**
 * The problems of the parameter values a deployment passes to a workflow (`[]` when they fit): a
 * declared parameter with neither a defaultValue nor a value, a value for an undeclared parameter.
 */
export function workflowParameterValues(def: WorkflowDefinition, values: Record<string, unknown>): string[] {
    const declared = Object.keys(def.parameters);
    const given = Object.keys(values).filter((name) => values[name] !== undefined);
    const missing = declared.filter((name) => !Object.hasOwn(def.parameters[name]!, "defaultValue") && !given.includes(name));
    const unknown = given.filter((name) => !declared.includes(name));
    return [
        ...missing.map(
            (name) =>
                `${def.file}: parameters.${name}: has no defaultValue and no value is given (allowed: a value for every parameter without a defaultValue)`,
        ),
        ...unknown.map(
            (name) =>
                `${def.file}: parameters.${name}: a value is given, but the definition does not declare it (allowed: ${listed(declared)})`,
        ),
    ];
}
