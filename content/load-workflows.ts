import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { WorkflowDefinitionError, parseWorkflowDefinition, type WorkflowDefinition } from "./workflows/definition";
import { nestedCallProblems } from "./workflows/nested-calls";
import { checkConnections, connectionsUsedBy, type ConnectionDeclarations } from "./workflows/connections";

/**
 * Reads the workflow definitions under `workflows/` (`<name>.json`) that the stack deploys,
 * checked with the workflows component's rules, each on its own and then together (a nested call
 * names a trigger of the workflow it calls). Missing or invalid files stop the program with every
 * problem, each naming its file.
 */
export function loadWorkflowDefinitions(dir: string, names: readonly string[]): Record<string, WorkflowDefinition> {
    const folder = path.basename(dir);
    let available: string[] = [];
    try {
        available = readdirSync(dir)
            .filter((entry) => entry.endsWith(".json"))
            .map((entry) => entry.slice(0, -".json".length))
            .sort();
    } catch {
        // No folder: nothing is available.
    }
    const problems: string[] = [];
    const definitions: Record<string, WorkflowDefinition> = {};
    for (const name of names) {
        const file = `${folder}/${name}.json`;
        if (!available.includes(name)) {
            problems.push(
                `${file}: does not exist, and the stack file's workflows.${name} deploys it (allowed: ${available.join(", ") || "none"})`,
            );
            continue;
        }
        try {
            definitions[name] = parseWorkflowDefinition(name, file, readFileSync(path.join(dir, `${name}.json`), "utf8"));
        } catch (error) {
            problems.push(...(error instanceof WorkflowDefinitionError ? error.problems : [(error as Error).message]));
        }
    }
    for (const definition of problems.length === 0 ? Object.values(definitions) : []) {
        problems.push(...nestedCallProblems(definition, definitions));
    }
    if (problems.length > 0) {
        throw new WorkflowDefinitionError(problems);
    }
    return definitions;
}

/** The file that declares the workflows' connections, under `workflows/`. */
export const connectionsFile = "connections.yaml";

/**
 * Reads `workflows/connections.yaml` (none: no connections) and checks it against the managed API
 * table, the custom connectors it names and every definition under `workflows/` (a connection a
 * definition uses is declared; a declared one is used). Stops the program with every problem.
 */
export function loadConnections(dir: string): ConnectionDeclarations {
    const folder = path.basename(dir);
    let files: string[] = [];
    try {
        files = readdirSync(dir).sort();
    } catch {
        // No folder: no connections.
    }
    const declarationsPath = path.join(dir, connectionsFile);
    const text = existsSync(declarationsPath) ? readFileSync(declarationsPath, "utf8") : undefined;
    const used = files
        .filter((entry) => entry.endsWith(".json"))
        .map((entry) => ({ file: `${folder}/${entry}`, connections: connectionsUsedBy(readFileSync(path.join(dir, entry), "utf8")) }))
        .filter((entry) => entry.connections.length > 0);
    const { problems, declarations } = checkConnections(
        `${folder}/${connectionsFile}`,
        text,
        files,
        (name) => readFileSync(path.join(dir, name), "utf8"),
        used,
    );
    if (problems.length > 0) {
        throw new WorkflowDefinitionError(problems);
    }
    return declarations;
}

/** The definitions under `workflows/` (`<name>.json`), by name, sorted; none when there is no folder. */
export function availableWorkflows(dir: string): string[] {
    try {
        return readdirSync(dir)
            .filter((entry) => entry.endsWith(".json"))
            .map((entry) => entry.slice(0, -".json".length))
            .sort();
    } catch {
        return [];
    }
}
