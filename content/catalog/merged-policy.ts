import { backendKeyName, signatureNamedValue, workflowBackendId } from "../../components/common/names";
import type { ApiDefinitionFile } from "./schema";
import type { PolicyFile } from "./policy-files";
import { located, policySchemaProblems } from "./xml";
import { apiPolicy } from "../../components/common/policies";

/**
 * The policy an API is published with, when it has a policy file of its own, checked before
 * deploy: the file is merged into the policy the gateway generates (`apiPolicy`) and the result
 * must be valid against API Management's policy schema, and keep its rules (expressions are C#,
 * each policy in a section that allows it), too. The values that only exist once the
 * platform is deployed (the tenant's token endpoints, the workflow trigger's path) do not change
 * the document's shape; they stand in as examples here.
 */
export async function mergedPolicyProblems(api: ApiDefinitionFile, file: PolicyFile): Promise<string[]> {
    const document = apiPolicy({
        rateLimit: api.policy.rateLimit,
        cacheDuration: api.policy.cacheDuration,
        access: api.policy.access,
        token: {
            openIdConfigUrl: "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0/.well-known/openid-configuration",
            audiences: ["api://example"],
            issuers: ["https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0"],
        },
        forward:
            api.kind === "logicApp"
                ? {
                      workflow: {
                          backendId: workflowBackendId(api.workflow!),
                          path: "/manual/paths/invoke",
                          query: { "api-version": "2016-10-01" },
                          signatureNamedValue: signatureNamedValue(api.workflow!),
                      },
                  }
                : { backendId: api.name },
        backendKey: api.backendApiKey ? { header: api.backendApiKey.header, namedValue: backendKeyName(api.name) } : undefined,
        user: file.sections,
    });
    const problems = await policySchemaProblems(document);
    return problems.map((problem) =>
        problem.rule
            ? `${file.file}: merged with the policy the gateway generates, the document breaks API Management's rules at ${located(problem)}`
            : `${file.file}: merged with the policy the gateway generates, the document breaks API Management's policy schema at ${located(problem)}`,
    );
}
