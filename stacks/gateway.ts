import { backendKeyName } from "../components/common/names";
import { problemLines } from "../components/common/rules";
import { catalogBindingProblems, type Catalog, type CheckedCatalog } from "../content/catalog";
import type { ApiRole } from "../components/identity";
import { ConfigError, type StackConfig } from "./config";

/**
 * What the stack's config and the API catalog must agree on, checked before anything is
 * registered, with messages in terms of config keys: every `openapi` and `soap` API has a backend
 * in `gateway.backends` and every backend an API, every `logicApp` API's workflow is deployed (the
 * rule the GatewayCatalog component checks its own args with, `catalogBindingProblems`) as a
 * gateway workflow, and the backend keys a user brings belong to APIs that send one.
 */
export function checkCatalogConfig(config: StackConfig, catalog: CheckedCatalog): void {
    const problems = problemLines(
        catalogBindingProblems(catalog, { backends: Object.keys(config.gateway.backends), workflows: Object.keys(config.workflows) }).map(
            (problem) => ({
                ...problem,
                path: problem.path[0] === "backends" ? ["gateway", ...problem.path] : problem.path,
            }),
        ),
    );
    for (const workflow of [...new Set(catalog.apis.filter((api) => api.kind === "logicApp").map((api) => api.workflow!))].sort()) {
        const access = config.workflows[workflow];
        if (access !== undefined && access !== "gateway") {
            const api = catalog.apis.find((candidate) => candidate.workflow === workflow)!;
            problems.push(
                `workflows.${workflow}: is ${access}; the logicApp API in apis/${api.folder} forwards to it (allowed: ${workflow}: gateway)`,
            );
        }
    }
    const keyed = [...new Set(catalog.apis.filter((api) => api.backendApiKey).map((api) => api.name))].sort();
    for (const name of Object.keys(config.backendApiKeys).sort()) {
        if (!keyed.includes(name)) {
            problems.push(
                `backendApiKeys.${name}: no API of the catalog sends a backend key called ${name} (allowed: ${keyed.join(", ") || "none"})`,
            );
        }
    }
    if (problems.length > 0) {
        throw new ConfigError(config.stack, problems);
    }
}

/** The APIs that send their backend a key: the names of the keys, one per API name. */
export function backendKeyNames(catalog: Catalog): Record<string, string> {
    return Object.fromEntries(catalog.apis.filter((api) => api.backendApiKey).map((api) => [api.name, backendKeyName(api.name)]));
}

/** The API application's roles: every role the catalog's operation groups require, once. */
export function apiRoles(catalog: Catalog): ApiRole[] {
    const roles = new Map<string, ApiRole>();
    for (const api of catalog.apis) {
        for (const group of api.policy.access) {
            if (!roles.has(group.role)) {
                roles.set(group.role, {
                    value: group.role,
                    description: `${group.methods.join(", ")} on the ${api.displayName} API (${group.name}).`,
                });
            }
        }
    }
    return [...roles.values()].sort((a, b) => a.value.localeCompare(b.value));
}
