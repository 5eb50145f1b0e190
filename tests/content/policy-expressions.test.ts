import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadCatalog } from "../../content";
import {
    httpMethods,
    mergedPolicyProblems,
    policySchemaDir,
    policySchemaProblems,
    readPolicyFile,
    type OperationGroup,
} from "../../content/catalog";
import { expressionsIn, policyExpressions } from "../../content/catalog/policy-expressions";
import { policyAllowedSections } from "../../content/catalog/policy-sections";
import { libxml, withXml } from "../../content/catalog/xml";
import { apiPolicy, globalPolicy, type ApiPolicyInput } from "../../components/common/policies";

const allowed = "(allowed: a C# expression @(...) or statement block @{...}, as API Management's policy expressions reference describes)";

/** A policy file whose inbound and outbound sections hold the given XML after `<base />`. */
function policy(inbound: string, outbound = ""): string {
    return [
        "<policies>",
        "  <inbound>",
        "    <base />",
        inbound,
        "  </inbound>",
        "  <backend>",
        "    <base />",
        "  </backend>",
        "  <outbound>",
        "    <base />",
        outbound,
        "  </outbound>",
        "  <on-error>",
        "    <base />",
        "  </on-error>",
        "</policies>",
    ].join("\n");
}

async function problemsOf(document: string): Promise<string[]> {
    return (await readPolicyFile("apis/orders/policy.xml", document)).problems;
}

describe("policy expressions", () => {
    it("refuses an expression in an attribute that is not C#, at its line", async () => {
        const document = policy(`    <set-variable name="request" value="@(context.RequestId.ToString()" />`);
        assert.deepEqual(await problemsOf(document), [
            `apis/orders/policy.xml: line 4: <set-variable value>: the policy expression "@(context.RequestId.ToString()" is not valid C# (missing ")") ${allowed}`,
        ]);
    });

    it("refuses an expression in an element's text that is not C#", async () => {
        const document = policy(
            [`    <set-header name="X-Total" exists-action="override">`, `      <value>@(1 +)</value>`, `    </set-header>`].join("\n"),
        );
        assert.deepEqual(await problemsOf(document), [
            `apis/orders/policy.xml: line 5: <value>: the policy expression "@(1 +)" is not valid C# (missing identifier) ${allowed}`,
        ]);
    });

    it("refuses a statement block that is not C# and one that can end without returning, each at the line where it starts", async () => {
        const document = policy(
            [
                `    <set-variable name="a" value="@{ var x = 1 return x; }" />`,
                `    <set-body>@{`,
                `        var body = context.Request.Body.As&lt;string&gt;();`,
                `        if (body.Length > 0) {`,
                `            return body;`,
                `        }`,
                `    }</set-body>`,
            ].join("\n"),
        );
        assert.deepEqual(await problemsOf(document), [
            `apis/orders/policy.xml: line 4: <set-variable value>: the policy expression "@{ var x = 1 return x; }" is not valid C# (unexpected "return x") ${allowed}`,
            `apis/orders/policy.xml: line 5: <set-body>: the policy expression "@{ var body = context.Request.Body.As<string>(); if (body.Length > 0) { return …" is not valid C# (a path through the block ends without a return statement) ${allowed}`,
        ]);
    });

    it("accepts @@ escapes, named values, parentheses in literals, multi-line blocks, generics and casts", async () => {
        const document = policy(
            [
                `    <set-header name="X-Contact" exists-action="override">`,
                `      <value>ops@@contoso.com @@(not an expression)</value>`,
                `    </set-header>`,
                `    <set-variable name="limit" value="@({{max-calls}} + 1)" />`,
                `    <set-variable name="key" value="@(&quot;{{backend-key}}&quot; + context.Subscription.Id)" />`,
                `    <set-variable name="paren" value="@(&quot;a)b&quot;)" />`,
                `    <set-variable name="char" value="@(')'.ToString() + @&quot;c:\\(x&quot;&quot;)&quot;)" />`,
                `    <set-variable name="interpolated" value="@($&quot;{(string)context.Variables[&quot;x&quot;]}){{{{&quot;)" />`,
                `    <set-variable name="typed" value="@(context.Variables.GetValueOrDefault&lt;string&gt;(&quot;x&quot;))" />`,
                `    <set-variable name="cast" value="@((string)context.Variables[&quot;x&quot;])" />`,
                `    <set-variable name="lambda" value="@(context.Request.Headers.FirstOrDefault(h => h.Key == &quot;Via&quot;).Value)" />`,
                `    <choose>`,
                `      <when condition="@(context.Request.Method == &quot;GET&quot; || context.Request.Method == &quot;HEAD&quot;)">`,
                `        <set-body>@{`,
                `            // a comment with a ) and a }`,
                `            var text = context.Request.Body.As&lt;string&gt;(preserveContent: true);`,
                `            if (text == null) {`,
                `                return "{}";`,
                `            } else {`,
                `                return text.Replace("(", "[");`,
                `            }`,
                `        }</set-body>`,
                `      </when>`,
                `    </choose>`,
                `    <set-body>@{ var x = 1; return x; }</set-body>`,
            ].join("\n"),
        );
        assert.deepEqual(await problemsOf(document), []);
    });

    it("finds each expression's extent by its balanced parentheses or braces, literals and comments not counted", () => {
        const spans = (value: string) => expressionsIn(value).map(({ start, end }) => value.slice(start, end));
        assert.deepEqual(spans(`Bearer @(context.Variables["t"]) and @{ return "}"; } @@(x) a@b`), [
            `@(context.Variables["t"])`,
            `@{ return "}"; }`,
        ]);
        assert.deepEqual(spans(`@("a)b" /* ) */ + ')')`), [`@("a)b" /* ) */ + ')')`]);
        assert.deepEqual(spans(`@($"{(x ? "(" : ")")}")`), [`@($"{(x ? "(" : ")")}")`]);
        assert.deepEqual(spans(`@({{max-calls}} + 1)`), [`@({{max-calls}} + 1)`]);
        assert.deepEqual(spans(`@(context.RequestId.ToString()`), [`@(context.RequestId.ToString()`]);
        assert.deepEqual(spans(`no expression here: user@contoso.com`), []);
    });

    it("parses every expression of the policies the program generates, whatever the API's settings", async () => {
        const token = {
            openIdConfigUrl: "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0/.well-known/openid-configuration",
            audiences: ["api://example"],
            issuers: ["https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0"],
        };
        const accessSets: OperationGroup[][] = [
            [{ name: "all", methods: [...httpMethods], role: "Api.All" }],
            httpMethods.map((method) => ({ name: method.toLowerCase(), methods: [method], role: `Api.${method}` })),
        ];
        const forwards: ApiPolicyInput["forward"][] = [
            { backendId: "orders" },
            {
                workflow: {
                    backendId: "wf-orders",
                    path: "/manual/paths/invoke",
                    query: { "api-version": "2016-10-01", sp: "/triggers/manual/run", sv: "1.0" },
                    signatureNamedValue: "wf-orders-sig",
                },
            },
        ];
        const documents = [globalPolicy({ allowedOrigins: ["https://portal.contoso.com"] })];
        for (const access of accessSets) {
            for (const forward of forwards) {
                for (const cacheDuration of [0, 300]) {
                    for (const backendKey of [undefined, { header: "X-Api-Key", namedValue: "orders-key" }]) {
                        documents.push(
                            apiPolicy({ rateLimit: { calls: 100, renewalPeriod: 60 }, cacheDuration, access, token, forward, backendKey }),
                        );
                    }
                }
            }
        }
        let expressions = 0;
        for (const document of documents) {
            assert.deepEqual(await policySchemaProblems(document), [], document);
            const found = await withXml(document, (doc, lib) => policyExpressions(doc, lib).length);
            expressions += "value" in found ? found.value : 0;
        }
        assert.ok(expressions > 0, "the generated policies hold expressions, so the C# check ran on them");
    });

    it("parses every expression of the catalogs' policy files, alone and merged with the generated policy", async () => {
        const root = path.join(__dirname, "..", "..");
        for (const dir of [path.join(root, "apis"), path.join(root, "tests", "fixtures", "project", "apis")]) {
            // loadCatalog refuses a catalog with any policy problem; each file is checked again here, by name.
            const catalog = await loadCatalog(dir);
            const files = [
                ...Object.values(catalog.products).flatMap((product) => (product.policyFile ? [product.policyFile] : [])),
                ...catalog.apis.flatMap((api) => [...(api.policyFile ? [api.policyFile] : []), ...Object.values(api.operationPolicies)]),
            ];
            for (const file of files) {
                assert.deepEqual((await readPolicyFile(file.file, file.document)).problems, [], file.file);
            }
            for (const api of catalog.apis) {
                if (api.policyFile) {
                    assert.deepEqual(
                        await mergedPolicyProblems({ ...api, smoke: undefined, load: undefined }, api.policyFile),
                        [],
                        api.policyFile.file,
                    );
                }
            }
        }
    });
});

describe("policy sections", () => {
    it("refuses a policy in a section its reference page does not allow, nested in choose too", async () => {
        const document = policy(
            `    <forward-request timeout="60" />`,
            [
                `    <rate-limit calls="10" renewal-period="60" />`,
                `    <choose>`,
                `      <when condition="@(context.Response.StatusCode == 200)">`,
                `        <retry condition="@(false)" count="1" interval="1">`,
                `          <validate-jwt header-name="Authorization" />`,
                `        </retry>`,
                `      </when>`,
                `    </choose>`,
            ].join("\n"),
        );
        assert.deepEqual(await problemsOf(document), [
            "apis/orders/policy.xml: line 4: inbound: <forward-request> is not allowed in inbound (allowed: backend)",
            "apis/orders/policy.xml: line 11: outbound: <rate-limit> is not allowed in outbound (allowed: inbound)",
            "apis/orders/policy.xml: line 15: outbound: <validate-jwt> is not allowed in outbound (allowed: inbound)",
        ]);
    });

    it("refuses a GraphQL resolver's policy in a section", async () => {
        const document = policy(
            `    <http-data-source><http-request><set-method>GET</set-method><set-url>https://orders.contoso.com/</set-url></http-request></http-data-source>`,
        );
        assert.deepEqual(await problemsOf(document), [
            "apis/orders/policy.xml: line 4: inbound: <http-data-source> is not allowed in inbound (allowed: none of the sections: it belongs to a GraphQL resolver's policy)",
        ]);
    });

    it("takes a policy's own elements as its settings, not as the section's policies", async () => {
        const document = policy(
            "",
            [
                `    <send-request mode="new" response-variable-name="audit" timeout="10" ignore-error="true">`,
                `      <set-url>https://audit.contoso.com/</set-url>`,
                `      <set-method>POST</set-method>`,
                `    </send-request>`,
            ].join("\n"),
        );
        assert.deepEqual(await problemsOf(document), []);
        assert.deepEqual(await problemsOf(policy("", `    <set-method>POST</set-method>`)), [
            "apis/orders/policy.xml: line 11: outbound: <set-method> is not allowed in outbound (allowed: inbound, on-error)",
        ]);
    });

    it("has an entry for every policy of the vendored schemas but those no reference page was found for", async () => {
        const lib = await libxml();
        const unverified = [
            "authentication-token",
            "authentication-token-store",
            "block",
            "graphql-data-source",
            "invoke-request",
            "set-request-metric-dimension-value",
            "set-url",
        ];
        const policies = fs
            .readdirSync(policySchemaDir)
            .filter((file) => file.endsWith(".xsd") && file !== "policies.xsd")
            .flatMap((file) => {
                const doc = lib.XmlDocument.fromBuffer(fs.readFileSync(path.join(policySchemaDir, file)));
                try {
                    return doc.find("/xs:schema/xs:element/@name", { xs: "http://www.w3.org/2001/XMLSchema" }).map((name) => name.content);
                } finally {
                    doc.dispose();
                }
            });
        assert.ok(policies.length > 60);
        assert.deepEqual(
            policies.filter((name) => !(name in policyAllowedSections) && !unverified.includes(name)),
            [],
        );
        assert.deepEqual(
            Object.keys(policyAllowedSections).filter((name) => !policies.includes(name)),
            [],
        );
    });
});
