/**
 * The user's content, read from the project's folders and checked with the components' rules:
 * the one place that reads files for the program, so components only ever take data.
 */
export { loadCatalog } from "./load-catalog";
export { loadConnections, loadWorkflowDefinitions } from "./load-workflows";
