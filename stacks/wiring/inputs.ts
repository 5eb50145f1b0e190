import * as pulumi from "@pulumi/pulumi";
import type { CheckedCatalog } from "../../content/catalog";
import type { WorkflowDefinition } from "../../content/workflows/definition";
import { loadCatalog, loadConnections, loadWorkflowDefinitions } from "../../content";
import { CatalogError, catalogWorkflowProblems } from "../../content/catalog";
import { availableWorkflows } from "../../content/load-workflows";
import type { ConnectionDeclarations } from "../../content/workflows/connections";
import { checkConnectionConfig } from "../connections";
import { loadStackConfig, type StackConfig } from "../config";
import { checkCatalogConfig } from "../gateway";

/** What a stack is made from: its config and the user's content it deploys, all checked. */
export interface StackInputs {
    /** The stack's config, typed and validated. */
    config: StackConfig;
    /** The API catalog the gateway publishes (`apis/`), checked against the config. */
    catalog: CheckedCatalog;
    /** The definitions of the workflows the config deploys (`workflows/`), read and checked, by name. */
    definitions: Record<string, WorkflowDefinition>;
    /** The connections `workflows/connections.yaml` declares, checked against every definition there. */
    connectionDeclarations: ConnectionDeclarations;
}

/**
 * Reads the stack's config and content and checks that they agree, before anything is registered:
 * a stack whose config or content is wrong registers nothing. What API Management will do
 * differently from what a file says (a converted Swagger, an operation no access group covers) is
 * shown as a warning, not refused.
 */
export async function loadStackInputs(dirs: { catalog: string; workflows: string }): Promise<StackInputs> {
    const config = loadStackConfig();
    const catalog = await loadCatalog(dirs.catalog);
    for (const note of catalog.notes) {
        void pulumi.log.warn(note);
    }
    const misnamed = catalogWorkflowProblems(catalog, availableWorkflows(dirs.workflows));
    if (misnamed.length > 0) {
        throw new CatalogError(misnamed);
    }
    const definitions = loadWorkflowDefinitions(dirs.workflows, Object.keys(config.workflows));
    const connectionDeclarations = loadConnections(dirs.workflows);
    checkCatalogConfig(config, catalog);
    checkConnectionConfig(config, connectionDeclarations, definitions);
    return { config, catalog, definitions, connectionDeclarations };
}
