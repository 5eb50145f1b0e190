/**
 * The API catalog, as the gateway publishes it: the definitions' schema and rules, and the checks
 * of OpenAPI, Swagger and WSDL documents and of policy files against what API Management imports,
 * and the APIs' smoke tests checked against their operations. All of it works on data; the assembly reads the files (`content/`).
 */
export * from "./schema";
export {
    importedDocument,
    openApiCheck,
    operationName,
    operationNameLength,
    type OpenApiCheck,
    type OpenApiFormat,
    type SpecOperation,
} from "./openapi";
export { policySections, readPolicyFile, type PolicyFile, type PolicySection } from "./policy-files";
export { readJsonText, readYamlText } from "./text";
export {
    checkedCall,
    formatRate,
    loadTest,
    pathMatchesTemplate,
    smokeTest,
    type CheckedCall,
    type LoadTest,
    type SmokeOperations,
    type SmokeTest,
} from "./smoke";
export { wsdlCheck, wsdlProblems, type WsdlCheck, type WsdlOperation, type WsdlSelector } from "./wsdl";
export { mergedPolicyProblems } from "./merged-policy";
export { located, policySchemaDir, policySchemaProblems, type XmlProblem } from "./xml";
