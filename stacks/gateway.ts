import { backendKeyName, type Catalog } from "../components/gateway";
import type { ApiRole } from "../components/identity";
import { ConfigError, type StackConfig } from "./config";

/**
 * What the stack's config and the API catalog must agree on, checked before anything is
 * registered, with messages in terms of config keys: every `openapi` and `soap` API has a backend
 * in `gateway.backends`, every `logicApp` API's workflow is deployed as a gateway workflow, and the
 * backend keys a user brings belong to APIs that send one.
 */
export function checkCatalogConfig(config: StackConfig, catalog: Catalog): void {
    const problems: string[] = [];
    const needing = [...new Set(catalog.apis.filter((api) => api.kind !== "logicApp").map((api) => api.name))].sort();
    for (const name of needing) {
        if (!(name in config.gateway.backends)) {
            const api = catalog.apis.find((candidate) => candidate.name === name)!;
            problems.push(
                `gateway.backends.${name}: missing; the ${api.kind} API in apis/${api.folder} forwards to it (allowed: { url: "https://..." })`,
            );
        }
    }
    for (const name of Object.keys(config.gateway.backends).sort()) {
        if (!needing.includes(name)) {
            problems.push(
                `gateway.backends.${name}: no openapi or soap API of the catalog is called ${name} (allowed: ${needing.join(", ") || "none"})`,
            );
        }
    }
    for (const api of catalog.apis.filter((candidate) => candidate.kind === "logicApp")) {
        const access = config.workflows[api.workflow!];
        if (access !== "gateway") {
            problems.push(
                `workflows.${api.workflow}: ${access === undefined ? "missing" : `is ${access}`}; the logicApp API in apis/${api.folder} forwards to it (allowed: ${api.workflow}: gateway)`,
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
