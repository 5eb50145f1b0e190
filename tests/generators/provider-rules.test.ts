import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { RegisteredResource, StackRun } from "../../engine";
import { providerRefusals, providerRules } from "../../commands/plan/provider-rules";
import {
    deriveAll,
    derivePathRules,
    defaultStatePaths,
    hasDefaultState,
    normalizePath,
    resourceNameOf,
    type ProviderRules,
} from "../../generators/derive-provider-rules";
import { sdkApiVersion } from "../../generators/derive-replacements";

const root = path.resolve(__dirname, "..", "..");
const sdkRoot = path.join(root, "node_modules", "@pulumi", "azure-native");
const fixtures = path.join(root, "tests", "fixtures", "specs", "provider-rules");
const table = JSON.parse(fs.readFileSync(path.join(root, "commands", "plan", "provider-paths.json"), "utf8")) as ProviderRules;
const service =
    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ApiManagement/service/{serviceName}";

function rule(pathTemplate: string) {
    const found = table.rules.find((candidate) => candidate.path === pathTemplate);
    assert.ok(found, `no rule for ${pathTemplate}`);
    return found;
}

/** A generic resource as the recorder registers it, with plain inputs. */
function generic(
    name: string,
    inputs: Record<string, unknown>,
    options: { retainOnDelete?: boolean; read?: boolean; type?: string } = {},
): RegisteredResource {
    const type = options.type ?? "azure-native:resources:Resource";
    return {
        urn: `urn:pulumi:test::enterprise-integration::${type}::${name}`,
        type,
        name,
        custom: true,
        read: options.read ?? false,
        protect: false,
        ignoreChanges: [],
        retainOnDelete: options.retainOnDelete ?? false,
        dependsOn: [],
        inputs,
        rawInputs: inputs,
        secretInputs: [],
        outputs: {},
        rawOutputs: {},
        planInputs: inputs,
    };
}

/** A child of the API Management service, as components/gateway/portal.ts builds one. */
function serviceChild(resourceType: string, resourceName: unknown, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        resourceGroupName: "rg-int-test",
        resourceProviderNamespace: "Microsoft.ApiManagement",
        parentResourcePath: "service/apim-int-test",
        resourceType,
        resourceName,
        apiVersion: "2024-05-01",
        properties: {},
        ...overrides,
    };
}

/** A minimal run holding the given resources. */
function run(...resources: RegisteredResource[]): StackRun {
    return {
        project: "enterprise-integration",
        stack: "test",
        resources,
        outputs: {},
        planOutputs: {},
        fabricated: [],
        knownInPreview: [],
        warnings: [],
        secretOutputs: [],
        config: { values: {}, secretKeys: [] },
        transport: "mocks",
        ofType: (type) => resources.filter((resource) => resource.type === type),
        get(type, name) {
            const found = resources.find((resource) => resource.type === type && resource.name === name);
            if (!found) {
                throw new Error(`No ${type} named "${name}"`);
            }
            return found;
        },
    };
}

const signUpPath =
    "/subscriptions/{subscriptionId}/resourcegroups/rg-int-test/providers/Microsoft.ApiManagement/service/apim-int-test/portalsettings/signup";

describe("the provider rules table (commands/plan/provider-paths.json)", () => {
    it("is exactly what generators/derive-provider-rules.ts derives from the spec and azure-native extracts under tests/fixtures/specs/provider-rules", () => {
        const derived = deriveAll(path.join(fixtures, "azure-rest-api-specs"), path.join(fixtures, "pulumi-azure-native"), sdkRoot);
        assert.deepEqual(table, derived);
    });

    it("names the commit of every spec file its rules come from, of azure-native's default-state list, and the SDK version", () => {
        const files = table.source.specs.files ?? {};
        for (const specFile of [...table.rules.map((entry) => entry.specFile), table.genericResource.specFile]) {
            assert.match(files[specFile] ?? "", /^[0-9a-f]{40}$/, specFile);
        }
        assert.match(table.source.azureNative.files?.["provider/pkg/openapi/defaults/defaultResourcesState.go"] ?? "", /^[0-9a-f]{40}$/);
        assert.equal(
            table.source.sdk.version,
            (JSON.parse(fs.readFileSync(path.join(sdkRoot, "package.json"), "utf8")) as { version: string }).version,
        );
        for (const fact of [
            ...table.provider.existenceCheck.facts,
            ...table.provider.delete.facts,
            ...table.provider.typedResources.facts,
        ]) {
            assert.match(fact.commit, /^[0-9a-f]{40}$/, fact.file);
        }
    });

    it("holds rules only for the API versions azure-native uses: API Management's and the generic resource's", () => {
        for (const entry of table.rules) {
            assert.equal(entry.apiVersion, sdkApiVersion("azure-native:apimanagement:ApiManagementService", sdkRoot), entry.path);
        }
        assert.equal(table.genericResource.apiVersion, sdkApiVersion("azure-native:resources:Resource", sdkRoot));
    });

    // Checked by hand against apimportalsettings.json (2024-05-01, commit 1eb311c3): signin, signup and
    // delegation have HEAD, GET, PATCH and PUT, all marked deprecated, and no DELETE.
    it("has the portal's sign-up settings created with the service, undeletable, and without a typed resource in azure-native", () => {
        const signUp = rule(`${service}/portalsettings/signup`);
        assert.deepEqual(signUp.existsWithParent, { reason: "fixed-name" });
        assert.equal(signUp.delete, null);
        assert.equal(signUp.deprecated, true);
        assert.equal(signUp.typed, undefined);
    });

    // apimpolicies.json (commit dc14fc41) has Policy_Delete; azure-native's default-state list holds the path
    // (defaultResourcesState.go at 89e1a692, pulumi/pulumi-azure-native#1729).
    it("has the global policy created with the service by azure-native's list, deletable, and taken over by azure-native:apimanagement:Policy", () => {
        const policy = rule(`${service}/policies/{policyId}`);
        assert.deepEqual(policy.existsWithParent, { reason: "default-state", names: ["policy"] });
        assert.equal(policy.delete, "Policy_Delete");
        assert.deepEqual(policy.typed, { token: "azure-native:apimanagement:Policy", adoptsExisting: true });
    });

    it("has portal revisions undeletable but not created with the service: each new name is a new revision", () => {
        const revisions = rule(`${service}/portalRevisions/{portalRevisionId}`);
        assert.equal(revisions.delete, null);
        assert.equal(revisions.existsWithParent, undefined);
    });

    it("takes the generic resource's path from the Resources spec: its type and parent keep their slashes, and it has a DELETE", () => {
        assert.deepEqual(table.genericResource.unescaped, ["parentResourcePath", "resourceType"]);
        assert.equal(table.genericResource.delete, "Resources_Delete");
    });
});

describe("the derivation from spec documents", () => {
    const file = "specification/widgets/resource-manager/Fabrikam.Widgets/stable/2024-01-01/widgets.json";
    const base = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Fabrikam.Widgets/widgets/{widgetName}";
    const pathParameter = (name: string, extra: Record<string, unknown> = {}) => ({
        name,
        in: "path",
        required: true,
        type: "string",
        ...extra,
    });
    const put = (operationId: string, last?: Record<string, unknown>) => ({
        operationId,
        parameters: [
            pathParameter("subscriptionId"),
            pathParameter("resourceGroupName"),
            pathParameter("widgetName"),
            ...(last ? [last] : []),
        ],
    });
    const documents: Record<string, unknown> = {
        [file]: {
            info: { version: "2024-01-01" },
            paths: {
                [`${base}/settings/default`]: { get: { operationId: "Settings_Get" }, put: put("Settings_CreateOrUpdate") },
                [`${base}/modes/{modeName}`]: {
                    get: { operationId: "Modes_Get" },
                    put: put("Modes_CreateOrUpdate", pathParameter("modeName", { enum: ["fast", "slow"] })),
                },
                [`${base}/snapshots/{snapshotName}`]: {
                    get: { operationId: "Snapshots_Get" },
                    put: put("Snapshots_CreateOrUpdate", pathParameter("snapshotName")),
                },
                [`${base}/parts/{partName}`]: {
                    get: { operationId: "Parts_Get" },
                    put: put("Parts_CreateOrUpdate", pathParameter("partName")),
                    delete: { operationId: "Parts_Delete" },
                },
                [`${base}/colors/{colorName}`]: {
                    get: { operationId: "Colors_Get" },
                    put: put("Colors_CreateOrUpdate", pathParameter("colorName")),
                    delete: { operationId: "Colors_Delete" },
                },
            },
        },
    };
    const rules = derivePathRules(
        (name) => documents[name],
        "Fabrikam.Widgets",
        "widgets",
        file,
        [`${base.replace("resourceGroups", "resourcegroups")}/colors/{color}`],
        () => undefined,
    );
    const byPath = (suffix: string) => rules.find((entry) => entry.path === `${base}${suffix}`);

    it("has a fixed-name child without DELETE created with its parent, and undeletable", () => {
        assert.deepEqual(byPath("/settings/default")?.existsWithParent, { reason: "fixed-name" });
        assert.equal(byPath("/settings/default")?.delete, null);
    });

    it("has the children named by an enum without DELETE created with their parent, under those names", () => {
        assert.deepEqual(byPath("/modes/{modeName}")?.existsWithParent, { reason: "fixed-names", names: ["fast", "slow"] });
    });

    it("has a freely named child without DELETE undeletable only", () => {
        assert.equal(byPath("/snapshots/{snapshotName}")?.existsWithParent, undefined);
        assert.equal(byPath("/snapshots/{snapshotName}")?.delete, null);
    });

    it("leaves out a deletable child unless azure-native's list gives it a default state, matched as azure-native normalizes paths", () => {
        assert.equal(byPath("/parts/{partName}"), undefined);
        assert.deepEqual(byPath("/colors/{colorName}")?.existsWithParent, { reason: "default-state" });
    });

    it("applies a default state listed for one API version to that version only", () => {
        const listed = [`${base}/colors/{colorName}?version=2023-01-01`];
        assert.equal(hasDefaultState(listed, `${base}/colors/{c}`, "2023-01-01"), true);
        assert.equal(hasDefaultState(listed, `${base}/colors/{c}`, "2024-01-01"), false);
        assert.equal(normalizePath("/Subscriptions/{subscriptionId}/Foo-Bar/{x}/"), "/subscriptions/{}/foobar/{}");
    });

    it("reads the top-level keys of azure-native's default-state maps, not their nested properties", () => {
        const go = [
            "var defaultResourcesStateRaw = map[string]map[string]interface{}{",
            '\t"/a/{b}/c": {',
            '\t\t"isEnabled": false,',
            "\t},",
            "}",
            "",
            "var skipDeleteResources = map[string]bool{",
            '\t"/d/{e}": true,',
            "}",
            "",
        ].join("\n");
        assert.deepEqual(defaultStatePaths(go), ["/a/{b}/c", "/d/{e}"]);
    });

    it("names a typed resource after its GET operation, as azure-native does", () => {
        assert.equal(resourceNameOf("SignUpSettings_Get"), "SignUpSetting");
        assert.equal(resourceNameOf("Policy_Get"), "Policy");
        assert.equal(resourceNameOf("TenantAccess_Get"), "TenantAccess");
    });
});

describe("providerRefusals", () => {
    it("refuses a generic resource at portalsettings/signup: `pulumi up` fails in azure-native's words, and so does deleting it", () => {
        const refusals = providerRefusals(run(generic("gateway-portal-signup", serviceChild("portalsettings", "signup"))));
        assert.deepEqual(refusals, [
            {
                resource: "gateway-portal-signup",
                type: "azure-native:resources:Resource",
                path: signUpPath,
                kind: "create",
                message:
                    `azure-native:resources:Resource "gateway-portal-signup" (${signUpPath}): \`pulumi up\` fails creating it with "cannot create already existing resource '${signUpPath}'". ` +
                    "Azure creates it together with its parent: the REST spec (apimportalsettings.json, 2024-05-01) fixes its name and has no DELETE for it. " +
                    "azure-native reads a resource before creating it and refuses one that exists, except a singleton or one whose default state it knows, and the generic resource is neither. " +
                    "azure-native 3.28.0 has no typed resource for this path, so it cannot be managed through azure-native:resources:Resource.",
            },
            {
                resource: "gateway-portal-signup",
                type: "azure-native:resources:Resource",
                path: signUpPath,
                kind: "delete",
                message:
                    `azure-native:resources:Resource "gateway-portal-signup" (${signUpPath}): \`pulumi destroy\`, or the \`pulumi up\` after it is removed from the program, fails deleting it: ` +
                    "azure-native deletes a generic resource with a DELETE on its id, and the REST spec (apimportalsettings.json, 2024-05-01) has no DELETE for this path (azure-native lets only a 404 pass). " +
                    "Set retainOnDelete: true on it, so that Pulumi leaves it in Azure.",
            },
        ]);
    });

    it("accepts a generic resource at a path that can be created and deleted (a notification's recipient e-mail), next to a refused one", () => {
        const recipient = generic(
            "ops-recipient",
            serviceChild("recipientEmails", "ops@example.com", { parentResourcePath: "service/apim-int-test/notifications/BCC" }),
        );
        const refusals = providerRefusals(run(recipient, generic("gateway-portal-signup", serviceChild("portalsettings", "signup"))));
        assert.deepEqual(
            refusals.map((refusal) => `${refusal.resource} ${refusal.kind}`),
            ["gateway-portal-signup create", "gateway-portal-signup delete"],
        );
    });

    it("gives a retainOnDelete resource at a path without DELETE (a portal revision) no delete refusal, and one without retainOnDelete a delete refusal only", () => {
        const revision = serviceChild("portalRevisions", "sign-in-00000000-0000-0000-0000-000000000000-sign-up-off");
        assert.deepEqual(providerRefusals(run(generic("gateway-portal-revision", revision, { retainOnDelete: true }))), []);
        const refusals = providerRefusals(run(generic("gateway-portal-revision", revision)));
        assert.deepEqual(
            refusals.map((refusal) => refusal.kind),
            ["delete"],
        );
        assert.match(refusals[0].message, /REST spec \(apimportalrevisions\.json, 2024-05-01\) has no DELETE for this path/);
    });

    it("points the global policy to azure-native:apimanagement:Policy, which takes over the default policy", () => {
        const [refusal, ...others] = providerRefusals(run(generic("global-policy", serviceChild("policies", "policy"))));
        assert.deepEqual(others, []);
        assert.equal(refusal.kind, "create");
        assert.match(refusal.message, /in the default state azure-native records for it/);
        assert.match(
            refusal.message,
            /Use azure-native:apimanagement:Policy instead: azure-native takes over the one Azure created while it is still in that default state\.$/,
        );
    });

    it("matches the path's segments case-insensitively, as ARM does, and names only within an enum", () => {
        assert.equal(
            providerRefusals(
                run(generic("signup", serviceChild("PortalSettings", "SignUp", { resourceProviderNamespace: "microsoft.apimanagement" }))),
            ).length,
            2,
        );
        assert.deepEqual(
            providerRefusals(run(generic("bcc", serviceChild("notifications", "BCC")))).map((refusal) => refusal.kind),
            ["create", "delete"],
        );
        assert.deepEqual(providerRefusals(run(generic("not-a-notification", serviceChild("notifications", "SomethingElse")))), []);
    });

    it("checks a resource against the rules of its own API version only", () => {
        assert.deepEqual(
            providerRefusals(run(generic("old-signup", serviceChild("portalsettings", "signup", { apiVersion: "2022-08-01" })))),
            [],
        );
    });

    it("leaves alone resources read with get and resources of other types", () => {
        assert.deepEqual(providerRefusals(run(generic("read-signup", serviceChild("portalsettings", "signup"), { read: true }))), []);
        assert.deepEqual(
            providerRefusals(
                run(generic("typed", serviceChild("portalsettings", "signup"), { type: "azure-native:apimanagement:Policy" })),
            ),
            [],
        );
    });

    it("reports a refusal that holds whatever the unknown parts are: the resource group, the service name, a revision's name", () => {
        const signUp = providerRefusals(
            run(
                generic(
                    "signup",
                    serviceChild("portalsettings", "signup", {
                        resourceGroupName: undefined,
                        parentResourcePath: "service/(known after deploy)",
                    }),
                ),
            ),
        );
        assert.deepEqual(
            signUp.map((refusal) => [refusal.kind, refusal.path]),
            [
                [
                    "create",
                    "/subscriptions/{subscriptionId}/resourcegroups/(known after deploy)/providers/Microsoft.ApiManagement/service/(known after deploy)/portalsettings/signup",
                ],
                [
                    "delete",
                    "/subscriptions/{subscriptionId}/resourcegroups/(known after deploy)/providers/Microsoft.ApiManagement/service/(known after deploy)/portalsettings/signup",
                ],
            ],
        );
        const revision = providerRefusals(run(generic("revision", serviceChild("portalRevisions", undefined))));
        assert.deepEqual(
            revision.map((refusal) => [refusal.kind, refusal.path]),
            [
                [
                    "delete",
                    "/subscriptions/{subscriptionId}/resourcegroups/rg-int-test/providers/Microsoft.ApiManagement/service/apim-int-test/portalRevisions/(known after deploy)",
                ],
            ],
        );
    });

    it("skips, without failing, a resource whose refusal depends on an unknown part: its name, API version, type or parent", () => {
        for (const overrides of [
            { resourceName: undefined },
            { resourceName: "(known after deploy)" },
            { apiVersion: undefined },
            { resourceType: undefined },
            { parentResourcePath: undefined },
            { parentResourcePath: "(known after deploy)" },
            { resourceProviderNamespace: undefined },
        ]) {
            assert.deepEqual(
                providerRefusals(run(generic("signup", serviceChild("portalsettings", "signup", overrides)))),
                [],
                JSON.stringify(overrides),
            );
        }
        // A notification's name decides whether Azure has it: unknown, it is not refused.
        assert.deepEqual(providerRefusals(run(generic("notification", serviceChild("notifications", undefined)))), []);
    });

    it("reads the committed table by default", () => {
        assert.deepEqual(providerRules(), table);
    });
});
