/**
 * The API catalog, as the gateway publishes it: the definitions' schema and rules, and the checks
 * of OpenAPI and WSDL documents. All of it works on data; the assembly reads the files
 * (`stacks/content`).
 */
export * from "./schema";
export { openApiProblems } from "./openapi";
export { wsdlProblems } from "./wsdl";
