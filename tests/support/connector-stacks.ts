import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { runStack, type StackRun } from "../../engine";
import { connectorConfig, connectorProject } from "../helpers";

/**
 * The connector examples (`tests/fixtures/connectors/workflows`) as projects whose dev stack file
 * holds their connection settings, as `pulumi config set [--secret] --path` writes them: what the
 * plan and cost commands read (they take no config overrides).
 */

/** Writes `config` (bare keys) over the dev stack file of `project`. */
function writeDevConfig(project: string, config: Record<string, unknown>): void {
    const file = path.join(project, "Pulumi.dev.yaml");
    const doc = parseYaml(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> };
    for (const [key, value] of Object.entries(config)) {
        if (value === undefined) {
            delete doc.config[`enterprise-integration:${key}`];
        } else {
            doc.config[`enterprise-integration:${key}`] = value;
        }
    }
    fs.writeFileSync(file, toYaml(doc, { schema: "yaml-1.1" }));
}

/** The connector examples with their dev settings in the stack file (`overrides`, bare keys, laid over them). */
export function connectorStackProject(overrides: Record<string, unknown> = {}): string {
    const project = connectorProject();
    writeDevConfig(project, connectorConfig(overrides));
    return project;
}

/**
 * The connector examples with every connection signing in the way the policy pack asks: SQL Server
 * declared with the managed identity (no role: the grant is a database user) instead of a password.
 */
export function compliantConnectorProject(): string {
    const project = connectorProject();
    const file = path.join(project, "workflows", "connections.yaml");
    const declarations = fs.readFileSync(file, "utf8");
    const changed = declarations.replace(
        /^sql:\n {2}api: sql\n {2}authentication: parameters\n/m,
        "sql:\n  api: sql\n  authentication: managedIdentity\n",
    );
    if (changed === declarations) {
        throw new Error(`${file}: the sql connection is no longer declared with parameters; update tests/support/connector-stacks.ts`);
    }
    fs.writeFileSync(file, changed);
    const config = connectorConfig();
    const { sql, ...connections } = config.connections as Record<string, unknown>;
    const { sql: sqlSecrets, ...secrets } = config.connectionSecrets as Record<string, unknown>;
    void sql;
    void sqlSecrets;
    writeDevConfig(project, { ...config, connections, connectionSecrets: secrets });
    return project;
}

const runs = new Map<string, Promise<StackRun>>();

/** The dev run of a project made here, once per process. */
export function devRun(project: string): Promise<StackRun> {
    let run = runs.get(project);
    if (!run) {
        run = runStack({ projectDir: project, stack: "dev" });
        runs.set(project, run);
    }
    return run;
}
