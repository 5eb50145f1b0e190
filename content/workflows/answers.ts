/**
 * A workflow started by a Request trigger that answers with a Response action must answer on every
 * outcome. "Assuming that your workflow also includes a Response action, if your workflow doesn't
 * return a response to the caller after this time expires, your workflow returns the 504 GATEWAY
 * TIMEOUT status to the caller. If your workflow doesn't include a Response action, your workflow
 * immediately returns the 202 ACCEPTED status" (learn.microsoft.com/azure/connectors/
 * connectors-native-reqres, "Receive and respond to inbound HTTPS calls"). So a run whose Response
 * is skipped keeps the gateway's caller waiting until the request times out.
 *
 * The rule is checked by running the definition in the abstract: once with every action
 * succeeding, and once for each action (at any depth) ending Failed and ending TimedOut while the
 * others succeed. An action runs when each action its `runAfter` names ended in one of the listed
 * statuses, and is Skipped otherwise (a skipped action's status is Skipped, which `runAfter` may
 * name: "Handle errors and exceptions in Azure Logic Apps", learn.microsoft.com/azure/logic-apps/
 * error-exception-handling, "Manage the 'run after' behavior"). A Scope, loop or branch ends Failed
 * when an action that no other action in it runs after (a last action) ended Failed or TimedOut, or
 * was skipped because of such a failure before it, and Succeeded otherwise, which is how a handled
 * failure leaves its scope succeeded (this reading of the scope's status is the project's: the page
 * shows it by example, not as a rule). Each branch
 * of an If and each case of a Switch is tried, since any may be taken. A Response that runs is an
 * answer. Pure: problems only, each naming the file and the action.
 */

type Json = Record<string, unknown>;
type Status = "Succeeded" | "Failed" | "TimedOut" | "Skipped";

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);
const typeOf = (action: Json) => String(action["type"] ?? "").toLowerCase();

/** How many alternative runs are followed before the check stops (a definition with more is not judged). */
const maxWorlds = 4096;

/** One possible run of a scope so far: each action's status, and whether a Response ran. */
interface World {
    statuses: Map<string, Status>;
    /** Actions skipped because an action before them failed or timed out (directly or through other skipped ones). */
    afterFailure: Set<string>;
    answered: boolean;
}

/** The action maps a control action runs, one per alternative: If's two branches, each case of a Switch and its default. */
function branchesOf(action: Json): Json[] {
    const type = typeOf(action);
    const actionsOf = (owner: unknown): Json => (isObject(owner) && isObject(owner["actions"]) ? owner["actions"] : {});
    if (type === "if") {
        return [actionsOf(action), actionsOf(action["else"])];
    }
    if (type === "switch") {
        const cases = isObject(action["cases"]) ? Object.values(action["cases"]) : [];
        return [...cases.map(actionsOf), actionsOf(action["default"])];
    }
    if (["scope", "foreach", "until"].includes(type)) {
        return [actionsOf(action)];
    }
    return [];
}

/** The actions of one scope in an order where each comes after those it runs after (a cycle is reported elsewhere). */
function ordered(actions: Json): string[] {
    const order: string[] = [];
    const seen = new Set<string>();
    const visit = (name: string, path: Set<string>) => {
        if (seen.has(name) || path.has(name) || !isObject(actions[name])) {
            return;
        }
        path.add(name);
        const runAfter = (actions[name] as Json)["runAfter"];
        for (const before of isObject(runAfter) ? Object.keys(runAfter) : []) {
            visit(before, path);
        }
        path.delete(name);
        seen.add(name);
        order.push(name);
    };
    for (const name of Object.keys(actions)) {
        visit(name, new Set());
    }
    return order;
}

/**
 * The possible outcomes of running `actions` when `failing` (an action object, at any depth) ends
 * with `status`: for each, whether a Response ran and whether the scope ends Failed. Undefined when
 * there are more than {@link maxWorlds} alternatives.
 */
function runScope(actions: Json, failing: Json | undefined, status: Status): Array<{ answered: boolean; failed: boolean }> | undefined {
    let worlds: World[] = [{ statuses: new Map(), afterFailure: new Set(), answered: false }];
    const names = ordered(actions);
    for (const name of names) {
        const action = actions[name] as Json;
        const runAfter = isObject(action["runAfter"]) ? action["runAfter"] : {};
        const next: World[] = [];
        for (const world of worlds) {
            const runs = Object.entries(runAfter).every(([before, allowed]) => {
                const ended = world.statuses.get(before) ?? "Succeeded";
                return Array.isArray(allowed) && allowed.some((item) => String(item).toLowerCase() === ended.toLowerCase());
            });
            const outcomes: Array<{ result: Status; answered: boolean; failureSkip: boolean }> = [];
            const set = (result: Status, answered = world.answered, failureSkip = false) =>
                outcomes.push({ result, answered, failureSkip });
            if (!runs) {
                const failedBefore = Object.keys(runAfter).some(
                    (before) => ["Failed", "TimedOut"].includes(world.statuses.get(before) ?? "") || world.afterFailure.has(before),
                );
                set("Skipped", world.answered, failedBefore);
            } else if (action === failing) {
                set(status);
            } else if (typeOf(action) === "response") {
                set("Succeeded", true);
            } else {
                const branches = branchesOf(action);
                if (branches.length === 0) {
                    set("Succeeded");
                }
                for (const branch of branches) {
                    const inner = runScope(branch, failing, status);
                    if (!inner) {
                        return undefined;
                    }
                    for (const outcome of inner) {
                        set(outcome.failed ? "Failed" : "Succeeded", world.answered || outcome.answered);
                    }
                }
            }
            // One outcome (the common case) carries the world on; several branch it, each world
            // then owning its own copies. Copying on every action would make a long workflow's
            // check quadratic in memory and time.
            if (outcomes.length === 1) {
                const [only] = outcomes as [(typeof outcomes)[number]];
                world.statuses.set(name, only.result);
                if (only.failureSkip) {
                    world.afterFailure.add(name);
                }
                world.answered = only.answered;
                next.push(world);
            } else {
                for (const outcome of outcomes) {
                    const afterFailure = new Set(world.afterFailure);
                    if (outcome.failureSkip) {
                        afterFailure.add(name);
                    }
                    next.push({ statuses: new Map(world.statuses).set(name, outcome.result), afterFailure, answered: outcome.answered });
                }
            }
        }
        if (next.length > maxWorlds) {
            return undefined;
        }
        worlds = next;
    }
    const runAfterTargets = new Set(names.flatMap((name) => Object.keys(((actions[name] as Json)["runAfter"] as Json | undefined) ?? {})));
    const last = names.filter((name) => !runAfterTargets.has(name));
    const unique = new Map<string, { answered: boolean; failed: boolean }>();
    for (const world of worlds) {
        const failed = last.some((name) => ["Failed", "TimedOut"].includes(world.statuses.get(name) ?? "") || world.afterFailure.has(name));
        unique.set(`${world.answered}/${failed}`, { answered: world.answered, failed });
    }
    return [...unique.values()];
}

/** Every action at any depth with where it is (`actions.Scope.actions.X`), for the failure runs. */
function everyAction(actions: Json, where: string): Array<{ at: string; action: Json }> {
    return Object.entries(actions).flatMap(([name, action]) => {
        if (!isObject(action)) {
            return [];
        }
        const at = `${where}.${name}`;
        const nested: Array<[string, unknown]> = [[`${at}.actions`, action["actions"]]];
        if (isObject(action["else"])) {
            nested.push([`${at}.else.actions`, action["else"]["actions"]]);
        }
        for (const [caseName, branch] of Object.entries(isObject(action["cases"]) ? action["cases"] : {})) {
            nested.push([`${at}.cases.${caseName}.actions`, isObject(branch) ? branch["actions"] : undefined]);
        }
        if (isObject(action["default"])) {
            nested.push([`${at}.default.actions`, action["default"]["actions"]]);
        }
        return [{ at, action }, ...nested.flatMap(([inner, map]) => (isObject(map) ? everyAction(map, inner) : []))];
    });
}

function hasResponse(actions: Json): boolean {
    return everyAction(actions, "actions").some(({ action }) => typeOf(action) === "response");
}

/**
 * The outcomes after which a Request-triggered workflow that has a Response action answers
 * nothing, as problems naming `file` and the action; `[]` when it answers on every outcome.
 */
export function unansweredProblems(file: string, definition: Json): string[] {
    const triggers = isObject(definition["triggers"]) ? Object.values(definition["triggers"]) : [];
    const actions = definition["actions"];
    if (!isObject(actions) || !triggers.some((trigger) => isObject(trigger) && typeOf(trigger) === "request") || !hasResponse(actions)) {
        return [];
    }
    const allowed =
        "a Response that runs on every outcome: one whose runAfter lists the action with Failed and TimedOut, or a Scope around the work with a Response that runs after the Scope Failed or TimedOut";
    const answers = (failing: Json | undefined, status: Status) => {
        const outcomes = runScope(actions, failing, status);
        return outcomes === undefined || outcomes.every((outcome) => outcome.answered);
    };
    if (!answers(undefined, "Succeeded")) {
        return [
            `${file}: actions: when every action succeeds, no Response action runs, so the caller gets no answer (allowed: ${allowed})`,
        ];
    }
    const problems: string[] = [];
    for (const { at, action } of everyAction(actions, "actions")) {
        if (typeOf(action) === "response") {
            continue;
        }
        const unanswered = (["Failed", "TimedOut"] as const).filter((status) => !answers(action, status));
        if (unanswered.length > 0) {
            problems.push(
                `${file}: ${at}: when it ends ${unanswered.join(" or ")}, no Response action runs, so the caller gets no answer (allowed: ${allowed})`,
            );
        }
    }
    return problems;
}
