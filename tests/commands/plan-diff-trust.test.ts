import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { diffMarkdown, previewJson } from "../../commands/plan/diff-render";
import { planGraph, type PlanGraph, type PlanResource } from "../../commands/plan/graph";
import { hazardsOf } from "../../commands/plan/hazards";
import { noEffectWarnings } from "../../commands/plan/no-effect";
import { changeSummary, diffPlans } from "../../commands/plan/plan-diff";
import { limitRaiseFactor } from "../../commands/plan/policy-hazards";
import { extraKey, marshalIndent } from "../../commands/plan/preview-digest";
import { planText } from "../../commands/plan/render";
import { under } from "../../commands/plan/replace-rules";
import { runStack } from "../../engine";
import { fixtureSource, plan, runFixture, stackFileValues, stackRun, tempProject } from "../helpers";
import { temporaryDirectory } from "../support/temporary";

/**
 * "Diffs a reviewer can trust": lists with an identity compared by it, hazards that say what a
 * change does (not which elements the text lost), created resources with their settings, and the
 * counts `pulumi preview` would print. The plan diff itself is tested in plan-diff.test.ts.
 */

const copy = (graph: PlanGraph): PlanGraph => JSON.parse(JSON.stringify(graph));
const find = (graph: PlanGraph, name: string): PlanResource => graph.resources.find((resource) => resource.name === name)!;

function report(base: PlanGraph, head: PlanGraph) {
    const diff = diffPlans(base, head);
    return {
        diff,
        hazards: hazardsOf(diff, { existing: base.resources.length > 0 }),
        base: { label: "main (abc1234)" },
        warnings: noEffectWarnings(diff),
    };
}

const messages = (base: PlanGraph, head: PlanGraph) => report(base, head).hazards.map((hazard) => hazard.message);

/** A plan of one resource of `type` with `inputs`, as a saved plan holds it. */
function single(type: string, inputs: Record<string, unknown>): PlanGraph {
    return {
        stack: "s",
        outputs: {},
        resources: [
            { urn: `urn:pulumi:s::p::${type}::r`, type, name: "r", parent: null, custom: true, inputs, protect: false, dependsOn: [] },
        ],
    };
}

/** The fixture project with the prod stack file, `apis/ledger/api.yaml` edited: its plan. */
async function prodWithLedger(edit: (text: string) => string): Promise<PlanGraph> {
    const dir = tempProject({ prod: fs.readFileSync(path.join(fixtureSource, "Pulumi.prod.yaml"), "utf8") });
    const file = path.join(dir, "apis", "ledger", "api.yaml");
    const text = fs.readFileSync(file, "utf8");
    assert.notEqual(edit(text), text, "the edit applies");
    fs.writeFileSync(file, edit(text));
    return planGraph(await runStack({ stack: "prod", projectDir: dir }));
}

/** The POST, PUT, PATCH, DELETE branch of the ledger API's policy (its `write` access group), as the unified diff shows it removed. */
const writeGroupRemoved = [
    "    ```diff",
    "    --- base/value",
    "    +++ head/value",
    "    @@ -20,23 +20,6 @@",
    "               </required-claims>",
    "             </validate-jwt>",
    "           </when>",
    '    -      <when condition="@(context.Request.Method == &quot;POST&quot; || context.Request.Method == &quot;PUT&quot; || context.Request.Method == &quot;PATCH&quot; || context.Request.Method == &quot;DELETE&quot;)">',
    '    -        <validate-jwt header-name="Authorization" require-scheme="Bearer" failed-validation-httpcode="401" failed-validation-error-message="The access token is missing, expired, or not issued for this API." require-expiration-time="true" require-signed-tokens="true">',
    '    -          <openid-config url="https://login.microsoftonline.com/(known after deploy)/v2.0/.well-known/openid-configuration" />',
    "    -          <audiences>",
    "    -            <audience>(known after deploy)</audience>",
    "    -            <audience>api://integration-prod</audience>",
    "    -          </audiences>",
    "    -          <issuers>",
    "    -            <issuer>https://login.microsoftonline.com/(known after deploy)/v2.0</issuer>",
    "    -          </issuers>",
    "    -          <required-claims>",
    '    -            <claim name="roles" match="any">',
    "    -              <value>Ledger.Write</value>",
    "    -            </claim>",
    "    -          </required-claims>",
    "    -        </validate-jwt>",
    "    -      </when>",
    "           <otherwise>",
    "             <return-response>",
    '               <set-status code="405" reason="Method Not Allowed" />',
    "    ```",
];

/** The ledger API's rate limit, 300 calls a minute, raised to 30,000, as the unified diff shows it. */
const rateRaised = [
    "    ```diff",
    "    --- base/value",
    "    +++ head/value",
    "    @@ -1,7 +1,7 @@",
    "     <policies>",
    "       <inbound>",
    "         <base />",
    '    -    <rate-limit-by-key calls="300" renewal-period="60" counter-key="@(context.Subscription.Id)" />',
    '    +    <rate-limit-by-key calls="30000" renewal-period="60" counter-key="@(context.Subscription.Id)" />',
    "         <choose>",
    '           <when condition="@(context.Request.Method == &quot;GET&quot; || context.Request.Method == &quot;HEAD&quot;)">',
    '             <validate-jwt header-name="Authorization" require-scheme="Bearer" failed-validation-httpcode="401" failed-validation-error-message="The access token is missing, expired, or not issued for this API." require-expiration-time="true" require-signed-tokens="true">',
    "    ```",
];

describe("npm run plan -- <stack> --diff <base>: a diff a reviewer can trust", () => {
    let prod: PlanGraph;
    before(async () => {
        prod = planGraph(await stackRun("prod"));
    });

    describe("lists with an identity are compared by it", () => {
        it("an app role removed from the middle is one line by its value, a changed one is named by it, an added one shows what it is", () => {
            const role = (value: string, description: string) => ({ allowedMemberTypes: ["Application"], description, value });
            const base = single("azuread:index/application:Application", {
                appRoles: [role("Ledger.Read", "read"), role("Ledger.Write", "write"), role("Shipments.Write", "submit")],
            });
            const head = single("azuread:index/application:Application", {
                appRoles: [role("Ledger.Read", "read"), role("Shipments.Write", "submit shipments"), role("Ledger.Admin", "admin")],
            });
            assert.equal(
                diffMarkdown(report(base, head)),
                [
                    "### `s`: 1 to update; 0 unchanged",
                    "",
                    "Compared with main (abc1234); offline plan, no Azure call.",
                    "",
                    "<details open><summary><code>stack</code>: 1 change</summary>",
                    "",
                    "- `~` **update** `r` (`azuread:index/application:Application`)",
                    '  - `appRoles`: removed `"Ledger.Write"`',
                    '  - `appRoles["Shipments.Write"].description`: `"submit"` → `"submit shipments"`',
                    '  - `appRoles`: added `"Ledger.Admin"`: `{"allowedMemberTypes":["Application"],"description":"admin","value":"Ledger.Admin"}`',
                    "",
                    "</details>",
                ].join("\n"),
            );
        });

        it("host names by hostName, additional locations by location, IP rules by their range, zones as a set; a reorder alone is one line, and still an update", () => {
            const host = (hostName: string, keyVaultId: string) => ({ hostName, keyVaultId, type: "Proxy" });
            const base: PlanGraph = {
                stack: "s",
                outputs: {},
                resources: [
                    ...single("azure-native:apimanagement:ApiManagementService", {
                        hostnameConfigurations: [host("api.fabrikam.com", "kv/api"), host("developer.fabrikam.com", "kv/portal")],
                        additionalLocations: [
                            { location: "swedencentral", sku: { capacity: 2 } },
                            { location: "northeurope", sku: { capacity: 1 } },
                        ],
                        zones: ["1", "2"],
                    }).resources,
                    ...single("azure-native:storage:StorageAccount", {
                        networkRuleSet: { ipRules: [{ iPAddressOrRange: "203.0.113.0/24" }, { iPAddressOrRange: "198.51.100.7" }] },
                    }).resources.map((resource) => ({ ...resource, name: "account", urn: `${resource.urn}-account` })),
                    ...single("azure-native:keyvault:Vault", {
                        properties: { networkAcls: { ipRules: [{ value: "203.0.113.0/24" }, { value: "198.51.100.7/32" }] } },
                    }).resources.map((resource) => ({ ...resource, name: "vault", urn: `${resource.urn}-vault` })),
                    ...single("azure-native:logic:Workflow", {
                        accessControl: {
                            triggers: { allowedCallerIpAddresses: [{ addressRange: "10.0.0.1/32" }, { addressRange: "10.0.0.2/32" }] },
                        },
                    }).resources.map((resource) => ({ ...resource, name: "workflow", urn: `${resource.urn}-workflow` })),
                ],
            };
            const head = copy(base);
            const [service, account, vault, workflow] = head.resources.map((resource) => resource.inputs as any);
            service.hostnameConfigurations = [host("developer.fabrikam.com", "kv/portal"), host("api.fabrikam.com", "kv/api-2025")];
            service.additionalLocations = [{ location: "northeurope", sku: { capacity: 2 } }];
            service.zones = ["2", "1"];
            account.networkRuleSet.ipRules = [{ iPAddressOrRange: "198.51.100.7" }];
            vault.properties.networkAcls.ipRules.push({ value: "192.0.2.0/24" });
            workflow.accessControl.triggers.allowedCallerIpAddresses.reverse();
            const result = report(base, head);
            assert.deepEqual(
                result.diff.steps.map((step) => [step.name, step.op]),
                [
                    ["r", "update"],
                    ["vault", "update"],
                    ["workflow", "update"],
                    ["account", "update"],
                ],
                "a list in another order is a change for the provider: each is updated",
            );
            const markdown = diffMarkdown(result);
            assert.equal(
                markdown.slice(markdown.indexOf("- `~`"), markdown.lastIndexOf("\n\n</details>")),
                [
                    "- `~` **update** `r` (`azure-native:apimanagement:ApiManagementService`)",
                    '  - `additionalLocations`: removed `"swedencentral"`',
                    '  - `additionalLocations["northeurope"].sku.capacity`: `1` → `2`',
                    '  - `hostnameConfigurations["api.fabrikam.com"].keyVaultId`: `"kv/api"` → `"kv/api-2025"`',
                    '  - `hostnameConfigurations`: order `["api.fabrikam.com","developer.fabrikam.com"]` → `["developer.fabrikam.com","api.fabrikam.com"]`',
                    '  - `zones`: order `["1","2"]` → `["2","1"]`',
                    "- `~` **update** `vault` (`azure-native:keyvault:Vault`)",
                    '  - `properties.networkAcls.ipRules`: added `"192.0.2.0/24"`: `{"value":"192.0.2.0/24"}`',
                    "- `~` **update** `workflow` (`azure-native:logic:Workflow`)",
                    '  - `accessControl.triggers.allowedCallerIpAddresses`: order `["10.0.0.1/32","10.0.0.2/32"]` → `["10.0.0.2/32","10.0.0.1/32"]`',
                    "- `~` **update** `account` (`azure-native:storage:StorageAccount`)",
                    '  - `networkRuleSet.ipRules`: removed `"203.0.113.0/24"`',
                ].join("\n"),
            );
        });

        it("a list whose items lack their key, or that has no identity, compares by index", () => {
            const base = single("azuread:index/application:Application", { appRoles: [{ displayName: "a" }, { displayName: "b" }] });
            const head = single("azuread:index/application:Application", { appRoles: [{ displayName: "b" }] });
            assert.deepEqual(diffPlans(base, head).steps[0]!.changes, [
                { path: "appRoles[0].displayName", before: "a", after: "b" },
                { path: "appRoles[1]", before: { displayName: "b" }, after: undefined },
            ]);
            // An autoscale profile's rules have no identity: their order is theirs.
            const rules = (first: string) => ({ profiles: [{ name: "capacity", rules: [{ direction: first }, { direction: "x" }] }] });
            assert.deepEqual(
                diffPlans(
                    single("azure-native:monitor:AutoscaleSetting", rules("a")),
                    single("azure-native:monitor:AutoscaleSetting", rules("b")),
                ).steps[0]!.changes.map((change) => change.path),
                ['profiles["capacity"].rules[0].direction'],
            );
        });

        it("the JSON digest keeps Pulumi's index paths, and a replace rule on every item of a list applies to a keyed path", () => {
            const role = (value: string) => ({ value });
            const base = single("azuread:index/application:Application", { appRoles: [role("a"), role("b"), role("c")] });
            const head = single("azuread:index/application:Application", { appRoles: [role("a"), role("c")] });
            const json = JSON.parse(marshalIndent(previewJson(report(base, head), { base, head, providers: new Map() }))) as any;
            const step = json.steps.find((candidate: any) => candidate.op === "update");
            assert.deepEqual(step.detailedDiff, {
                "appRoles[1].value": { kind: "update", inputDiff: true },
                "appRoles[2]": { kind: "delete", inputDiff: true },
            });
            assert.deepEqual(step.diffReasons, ["appRoles"]);
            assert.deepEqual(
                [
                    under('rules["deny-all"].name', "rules[*].name"),
                    under('rules["a.b\\"c"].name', "rules[*].name"),
                    under('rules["deny-all"].type', "rules[*].name"),
                ],
                [true, true, false],
            );
        });

        it("grants are resources, paired by URN: the program names each after its purpose, so one removed leaves the others as they are", async () => {
            const head = await prodWithLedger((text) => text.replace(/ {4}- name: write\n.*\n.*\n/, ""));
            const grants = (graph: PlanGraph) =>
                graph.resources
                    .filter((resource) => /RoleAssignment$|appRoleAssignment:AppRoleAssignment$/.test(resource.type))
                    .map((resource) => resource.name);
            assert.ok(grants(prod).length > 4);
            const steps = diffPlans(prod, head).steps.filter((step) => grants(prod).includes(step.name));
            assert.deepEqual(
                steps.map((step) => [step.op, step.name]),
                [["delete", "identity-client-Ledger.Write"]],
            );
        });
    });

    describe("hazards say what a change does", () => {
        it("a removed access group (ledger's write): its methods now answer 405, no token validation is lost, its app role goes by name", async () => {
            const head = await prodWithLedger((text) => text.replace(/ {4}- name: write\n.*\n.*\n/, ""));
            const result = report(prod, head);
            assert.equal(
                diffMarkdown(result),
                [
                    `### \`prod\`: 3 to update, 1 to delete; ${result.diff.same + 1} unchanged`,
                    "",
                    "Compared with main (abc1234); offline plan, no Azure call.",
                    "",
                    "> [!WARNING]",
                    "> **2 hazards**",
                    "> - `azure-native:apimanagement:ApiPolicy catalog-policy-ledger-v1`: the policy now answers POST, PUT, PATCH, DELETE with 405 Method Not Allowed: their callers are refused",
                    "> - `azure-native:apimanagement:ApiPolicy catalog-policy-ledger-v1-rev2`: the policy now answers POST, PUT, PATCH, DELETE with 405 Method Not Allowed: their callers are refused",
                    "",
                    "<details open><summary><code>enterprise-integration:gateway:GatewayCatalog catalog</code>: 2 changes</summary>",
                    "",
                    "- `~` **update** `catalog-policy-ledger-v1` (`azure-native:apimanagement:ApiPolicy`)",
                    "  - `value`:",
                    "",
                    ...writeGroupRemoved,
                    "",
                    "- `~` **update** `catalog-policy-ledger-v1-rev2` (`azure-native:apimanagement:ApiPolicy`)",
                    "  - `value`:",
                    "",
                    ...writeGroupRemoved,
                    "",
                    "</details>",
                    "",
                    "<details open><summary><code>enterprise-integration:identity:Identity identity</code>: 2 changes</summary>",
                    "",
                    "- `-` **delete** `identity-client-Ledger.Write` (`azuread:index/appRoleAssignment:AppRoleAssignment`)",
                    "- `~` **update** `identity-api` (`azuread:index/application:Application`)",
                    '  - `appRoles`: removed `"Ledger.Write"`',
                    "",
                    "</details>",
                ].join("\n"),
            );
        });

        it("a method that validated a token and now goes on unchecked loses token validation; one refused before and now let through is said too", () => {
            const policy = String(find(prod, "catalog-policy-ledger-v1").inputs.value);
            const edited = (change: (xml: string) => string) => {
                const head = copy(prod);
                const xml = change(policy);
                assert.notEqual(xml, policy, "the edit applies");
                find(head, "catalog-policy-ledger-v1").inputs.value = xml;
                return messages(prod, head);
            };
            const writeBranch =
                /(<when condition="@\(context\.Request\.Method == &quot;POST&quot;[^>]*>)\s*<validate-jwt[\s\S]*?<\/validate-jwt>/;
            assert.deepEqual(
                edited((xml) => xml.replace(writeBranch, "$1")),
                ["the policy loses token validation (<validate-jwt>) for POST, PUT, PATCH, DELETE"],
            );
            // The read branch's check behind a condition that is not a method test: it may not run.
            assert.deepEqual(
                edited((xml) =>
                    xml
                        .replace(
                            /(<when condition="@\(context\.Request\.Method == &quot;GET&quot;[^>]*>)/,
                            '$1<choose><when condition="@(context.Variables.ContainsKey(&quot;x&quot;))">',
                        )
                        .replace("</validate-jwt>\n      </when>", "</validate-jwt></when></choose>\n      </when>"),
                ),
                ["the policy loses token validation (<validate-jwt>) for GET, HEAD"],
            );
            assert.deepEqual(
                edited((xml) => xml.replace(/<otherwise>[\s\S]*?<\/otherwise>/, "")),
                ["the policy now lets OPTIONS through without token validation (it refused it before)"],
            );
            // The same checks, in another order: nothing changes for a caller.
            assert.deepEqual(
                edited((xml) =>
                    xml.replace(
                        /<when condition="@\(context\.Request\.Method == &quot;GET&quot; \|\| context\.Request\.Method == &quot;HEAD&quot;\)">/,
                        '<when condition="@(context.Request.Method == &quot;HEAD&quot; || context.Request.Method == &quot;GET&quot;)">',
                    ),
                ),
                [],
            );
        });

        it("a deleted policy loses what it guarded, unless what it applied to is deleted with it", () => {
            const head = copy(prod);
            head.resources = head.resources.filter((resource) => resource.name !== "catalog-policy-ledger-v1");
            assert.deepEqual(messages(prod, head), [
                "the policy is deleted, and with it token validation (<validate-jwt>)",
                "the policy is deleted, and with it rate limit (<rate-limit-by-key>)",
            ]);
            head.resources = head.resources.filter((resource) => resource.name !== "catalog-api-ledger-v1");
            assert.deepEqual(
                messages(prod, head).filter((message) => message.startsWith("the policy")),
                [],
            );
        });

        it("a raised rate limit (300 → 30,000 calls a minute): a hazard with the factor", async () => {
            const head = await prodWithLedger((text) => text.replace("calls: 300", "calls: 30000"));
            const result = report(prod, head);
            assert.equal(
                diffMarkdown(result),
                [
                    `### \`prod\`: 2 to update; ${result.diff.same + 1} unchanged`,
                    "",
                    "Compared with main (abc1234); offline plan, no Azure call.",
                    "",
                    "> [!WARNING]",
                    "> **2 hazards**",
                    "> - `azure-native:apimanagement:ApiPolicy catalog-policy-ledger-v1`: the rate limit (<rate-limit-by-key>) goes from 300 to 30,000 calls per 60 s: ×100, more than ×10",
                    "> - `azure-native:apimanagement:ApiPolicy catalog-policy-ledger-v1-rev2`: the rate limit (<rate-limit-by-key>) goes from 300 to 30,000 calls per 60 s: ×100, more than ×10",
                    "",
                    "<details open><summary><code>enterprise-integration:gateway:GatewayCatalog catalog</code>: 2 changes</summary>",
                    "",
                    "- `~` **update** `catalog-policy-ledger-v1` (`azure-native:apimanagement:ApiPolicy`)",
                    "  - `value`:",
                    "",
                    ...rateRaised,
                    "",
                    "- `~` **update** `catalog-policy-ledger-v1-rev2` (`azure-native:apimanagement:ApiPolicy`)",
                    "  - `value`:",
                    "",
                    ...rateRaised,
                    "",
                    "</details>",
                ].join("\n"),
            );
        });

        it(`a rate limit or quota removed, or raised past ×${limitRaiseFactor} per second, is a hazard; raised up to it, lowered or re-keyed is not`, () => {
            const edited = (name: string, change: (xml: string) => string) => {
                const head = copy(prod);
                const policy = find(head, name);
                const xml = change(String(policy.inputs.value));
                assert.notEqual(xml, policy.inputs.value, "the edit applies");
                policy.inputs.value = xml;
                return messages(prod, head);
            };
            const ledger = (change: (xml: string) => string) => edited("catalog-policy-ledger-v1", change);
            assert.deepEqual(
                [
                    ledger((xml) => xml.replace('calls="300"', `calls="${300 * limitRaiseFactor}"`)),
                    ledger((xml) => xml.replace('calls="300"', 'calls="60"')),
                    ledger((xml) => xml.replace("@(context.Subscription.Id)", "@(context.Request.IpAddress)")),
                    ledger((xml) => xml.replace('calls="300"', 'calls="{{ledger-calls}}"')),
                ],
                [[], [], [], []],
            );
            assert.deepEqual(
                ledger((xml) => xml.replace('calls="300"', `calls="${300 * (limitRaiseFactor + 1)}"`)),
                [`the rate limit (<rate-limit-by-key>) goes from 300 to 3,300 calls per 60 s: ×11, more than ×${limitRaiseFactor}`],
            );
            assert.deepEqual(
                ledger((xml) => xml.replace('renewal-period="60"', 'renewal-period="1"')),
                ["the rate limit (<rate-limit-by-key>) goes from 300 calls per 60 s to 300 calls per 1 s: ×60, more than ×10"],
            );
            assert.deepEqual(
                ledger((xml) => xml.replace(/<rate-limit-by-key [^>]*\/>/, "")),
                ["the policy loses its rate limit (<rate-limit-by-key>: 300 calls per 60 s)"],
            );
            const partners = (change: (xml: string) => string) => edited("catalog-product-partners-policy", change);
            assert.deepEqual(
                [
                    partners((xml) => xml.replace(/<quota [^>]*\/>/, "")),
                    partners((xml) => xml.replace('calls="10000"', 'bandwidth="40000"')),
                ],
                [
                    ["the policy loses its quota (<quota>: 10,000 calls per 86,400 s)"],
                    ["the quota (<quota>) no longer limits calls (10,000 calls per 86,400 s before)"],
                ],
            );
        });

        it("a capacity change under autoscale (prod): no capacity hazard, and gateway.capacity named as a setting with no effect", async () => {
            const gateway = stackFileValues("prod").gateway;
            assert.deepEqual([gateway.capacity, gateway.autoscale], [2, { minCapacity: 2, maxCapacity: 6 }]);
            const head = planGraph(await runFixture({ stack: "prod", config: { gateway: { ...gateway, capacity: 4 } } }));
            const result = report(prod, head);
            assert.equal(
                diffMarkdown(result),
                [
                    `### \`prod\`: 1 to update; ${result.diff.same + 1} unchanged`,
                    "",
                    "Compared with main (abc1234); offline plan, no Azure call.",
                    "",
                    "> [!NOTE]",
                    "> **1 setting with no effect**",
                    "> - `azure-native:apimanagement:ApiManagementService gateway-apim`: `gateway.capacity` has no effect: `sku.capacity` stays 2 where this revision asks for 4, because autoscale owns the units (`gateway.autoscale`); the value counts only when the service is created, and as autoscale's default count",
                    "",
                    "<details open><summary><code>enterprise-integration:gateway:ApiGateway gateway</code>: 1 change</summary>",
                    "",
                    "- `~` **update** `gateway-autoscale` (`azure-native:monitor:AutoscaleSetting`)",
                    '  - `profiles["capacity"].capacity.default`: `"2"` → `"4"`',
                    "",
                    "</details>",
                ].join("\n"),
            );
        });

        it("the plan command prints a setting with no effect as a warning, and in the Markdown", async () => {
            const saved = path.join(temporaryDirectory("plan-base-"), "prod.json");
            fs.writeFileSync(saved, JSON.stringify(prod));
            const stackFile = fs.readFileSync(path.join(fixtureSource, "Pulumi.prod.yaml"), "utf8");
            const changed = stackFile.replace(/^ {4}capacity: 2$/m, "    capacity: 4");
            assert.notEqual(changed, stackFile);
            // prod names its DR pair: the project has both stack files.
            const pair = fs.readFileSync(path.join(fixtureSource, "Pulumi.prod-dr.yaml"), "utf8");
            const project = tempProject({ prod: changed, "prod-dr": pair });
            fs.cpSync(path.join(fixtureSource, "policies"), path.join(project, "policies"), { recursive: true });
            const { code, stdout, stderr } = await plan("prod", "--project-dir", project, "--diff", saved);
            assert.equal(code, 0, stderr);
            const warning =
                "`azure-native:apimanagement:ApiManagementService gateway-apim`: `gateway.capacity` has no effect: `sku.capacity` stays 2 where this revision asks for 4";
            assert.ok(
                stderr.split("\n").some((line) => line.startsWith(`warning: ${warning.replace(/^`([^`]+)`/, "$1")}`)),
                stderr,
            );
            assert.ok(stdout.includes(`\n> [!NOTE]\n> **1 setting with no effect**\n> - ${warning}`), stdout);
            assert.doesNotMatch(stdout, /\[!WARNING\]/);
        });

        it("autoscale's range changed, turned off or deleted is a capacity hazard; its default count alone is not", () => {
            const edited = (change: (inputs: any) => void) => {
                const head = copy(prod);
                change(find(head, "gateway-autoscale").inputs);
                return messages(prod, head);
            };
            assert.deepEqual(
                edited((inputs) => (inputs.profiles[0].capacity.default = "4")),
                [],
            );
            assert.deepEqual(
                edited((inputs) => (inputs.profiles[0].capacity.maximum = "8")),
                ["autoscale's range goes from 2-6 to 2-8 units"],
            );
            assert.deepEqual(
                edited((inputs) => (inputs.enabled = false)),
                ["autoscale is turned off (2-6 units before): the units stay where it last left them"],
            );
            const head = copy(prod);
            head.resources = head.resources.filter((resource) => resource.name !== "gateway-autoscale");
            assert.deepEqual(messages(prod, head), ["autoscale (2-6 units) is deleted: the units stay where it last left them"]);
        });
    });

    describe("counts and settings as the plan shows them", () => {
        it("a new stack: the diff counts the stack itself and every component, as pulumi preview does, so its count is the plan's", async () => {
            const run = await stackRun("prod");
            const planned = Number(/^ {4}\+ (\d+) to create$/m.exec(planText(run))![1]);
            const empty: PlanGraph = { stack: "prod", resources: [], outputs: {} };
            const result = report(empty, planGraph(run));
            assert.equal(changeSummary(result.diff).create, planned);
            assert.equal(result.diff.steps.length, planned - 1, "every resource but the stack is a step");
            const markdown = diffMarkdown(result);
            assert.ok(
                markdown.startsWith(
                    `### \`prod\`: ${planned} to create; 0 unchanged\n\nCompared with main (abc1234); offline plan, no Azure call.\n\n- \`+\` **create** \`enterprise-integration-prod\` (\`pulumi:pulumi:Stack\`): the stack itself\n\n<details><summary>`,
                ),
                markdown.slice(0, 400),
            );
            const json = JSON.parse(marshalIndent(previewJson(result, { base: empty, head: planGraph(run) }))) as any;
            assert.deepEqual(json.changeSummary, { create: planned });
            assert.deepEqual(Object.keys(json[extraKey]), ["base", "hazards"]);
        });

        it("a provider the program declares is a resource to count; a default provider is not", () => {
            const resource = (type: string, name: string): PlanResource => ({
                urn: `urn:pulumi:s::p::${type}::${name}`,
                type,
                name,
                parent: null,
                custom: true,
                inputs: {},
                protect: false,
                dependsOn: [],
            });
            const head: PlanGraph = {
                stack: "s",
                outputs: {},
                resources: [
                    { ...resource("pulumi:pulumi:Stack", "p-s"), custom: false },
                    resource("pulumi:providers:azure-native", "westus"),
                    resource("pulumi:providers:azure-native", "default_3_28_0"),
                ],
            };
            const diff = diffPlans({ stack: "s", resources: [], outputs: {} }, head);
            assert.deepEqual(
                diff.steps.map((step) => step.name),
                ["westus"],
            );
            assert.deepEqual(changeSummary(diff), { create: 2, update: 0, replace: 0, delete: 0, same: 0 });
            assert.deepEqual(changeSummary(diffPlans(head, copy(head))), { create: 0, update: 0, replace: 0, delete: 0, same: 2 });
        });

        it("a created resource shows its settings as the plan's tree does, flags included", async () => {
            const base = copy(prod);
            const created = ["secrets-vault", "secrets-secret-api-client-secret"];
            base.resources = base.resources.filter((resource) => !created.includes(resource.name));
            const settings = Object.fromEntries(diffPlans(base, prod).steps.map((step) => [step.name, step.settings!]));
            assert.deepEqual(
                created.map((name) => settings[name]),
                [
                    "kv-integr-prod-weu-(known after deploy), RBAC, purge protection, soft delete 90 days, firewall Deny by default, bypass AzureServices, 1 IP rule, in westeurope  [protect]",
                    "api-client-secret, Entra ID client secret of the daemon client application, expires 2027-11-30  [protect] [secret: properties]",
                ],
            );
            // The tree's lines under each, unwrapped (it wraps at its width, at ", " and "  ").
            const tree = planText(await stackRun("prod")).split("\n");
            for (const name of created) {
                const row = tree.findIndex((line) => new RegExp(`\\s${name.replace(/[.-]/g, "\\$&")}\\s+create$`).test(line));
                const lines = tree.slice(
                    row + 1,
                    tree.findIndex((line, i) => i > row && /^ [+>] /.test(line)),
                );
                assert.ok(row > 0 && lines.length > 0, name);
                assert.equal(
                    lines
                        .map((line) => line.replace(/^[\s│]+/, ""))
                        .join(" ")
                        .replace(/ +/g, " "),
                    settings[name]!.replace(/ +/g, " "),
                );
            }
        });
    });
});
