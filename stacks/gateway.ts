import type { ApiGatewayArgs, BackendRef, Catalog } from "../components/gateway";
import { ConfigError, type StackConfig } from "./config";

/**
 * The gateway's backends from the stack's config, checked against the catalog: every `openapi` and
 * `soap` API needs a backend URL in `gateway.backends`, and every entry there must name one.
 */
export function gatewayBackends(config: StackConfig, catalog: Catalog): Record<string, BackendRef> {
    const problems: string[] = [];
    const needing = [...new Set(catalog.apis.filter((api) => api.kind !== "logicApp").map((api) => api.name))].sort();
    for (const name of needing) {
        if (!(name in config.gateway.backends)) {
            const api = catalog.apis.find((candidate) => candidate.name === name)!;
            problems.push(`gateway.backends.${name}: missing; the ${api.kind} API in apis/${api.folder} forwards to it (allowed: { url: "https://..." })`);
        }
    }
    for (const name of Object.keys(config.gateway.backends).sort()) {
        if (!needing.includes(name)) {
            problems.push(`gateway.backends.${name}: no openapi or soap API of the catalog is called ${name} (allowed: ${needing.join(", ") || "none"})`);
        }
    }
    if (problems.length > 0) {
        throw new ConfigError(config.stack, problems);
    }
    return Object.fromEntries(
        Object.entries(config.gateway.backends).map(([name, backend]) => [name, { url: backend.url, clientCertificateSecretId: backend.clientCertificateSecretId }]),
    );
}

/** The service's sizing from the stack's config. */
export function gatewaySizing(config: StackConfig): Pick<ApiGatewayArgs, "tier" | "capacity" | "zones" | "additionalLocations" | "autoscale"> {
    return {
        tier: config.gateway.sku,
        capacity: config.gateway.capacity,
        zones: config.gateway.zones,
        additionalLocations: config.gateway.additionalLocations,
        autoscale: config.gateway.autoscale,
    };
}
