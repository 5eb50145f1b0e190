import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { derive, sdkApiVersion, sdkArgNames, sdkName, type Replacements } from "../../generators/derive-replacements";

const root = path.resolve(__dirname, "..", "..");
const sdkRoot = path.join(root, "node_modules", "@pulumi", "azure-native");
const table = JSON.parse(fs.readFileSync(path.join(root, "commands", "plan", "replacements.json"), "utf8")) as Replacements;

/** Every azure-native type the program constructs: `new <alias>.<Class>(` where `<alias>` imports an azure-native module. */
function constructedTypes(): string[] {
    const found = new Set<string>();
    const walk = (dir: string): void => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                walk(full);
            } else if (entry.name.endsWith(".ts")) {
                const text = fs.readFileSync(full, "utf8");
                for (const [, alias, module] of text.matchAll(/import \* as (\w+) from "@pulumi\/azure-native\/(\w+)"/g)) {
                    for (const [, name] of text.matchAll(new RegExp(`new ${alias}\\.([A-Z]\\w*)\\(`, "g"))) {
                        found.add(`azure-native:${module}:${name}`);
                    }
                }
            }
        }
    };
    walk(path.join(root, "components"));
    walk(path.join(root, "stacks"));
    return [...found].sort();
}

/** The SDK input type an input path leads to, or undefined when the path names no input (types/input.d.ts). */
const inputTypes = fs.readFileSync(path.join(sdkRoot, "types", "input.d.ts"), "utf8");
function inputExists(token: string, inputPath: string): boolean {
    const [, module, name] = token.split(":");
    const [head, ...rest] = inputPath.split(".");
    const argsFile = fs.readFileSync(path.join(sdkRoot, module, `${name.charAt(0).toLowerCase()}${name.slice(1)}.d.ts`), "utf8");
    let body = new RegExp(`export interface ${name}Args \\{([\\s\\S]*?)\\n\\}`).exec(argsFile)?.[1];
    for (const segment of [head.replace(/\[\*\]$/, ""), ...rest.map((part) => part.replace(/\[\*\]$/, ""))].map((part, index, all) => ({
        part,
        last: index === all.length - 1,
    }))) {
        const line = body === undefined ? undefined : new RegExp(`^\\s+${segment.part}\\??: (.*)$`, "m").exec(body)?.[1];
        if (line === undefined) {
            return false;
        }
        if (segment.last) {
            return true;
        }
        const typeName = /inputs\.(\w+)\.(\w+)/.exec(line);
        if (!typeName) {
            return false;
        }
        const namespaceStart = inputTypes.indexOf(`export declare namespace ${typeName[1]} {`);
        const start = inputTypes.indexOf(`\n    interface ${typeName[2]} {`, namespaceStart);
        body = start === -1 ? undefined : inputTypes.slice(start, inputTypes.indexOf("\n    }", start));
    }
    return false;
}

describe("the replacement table derived from the Azure REST API specs (commands/plan/replacements.json)", () => {
    it("covers every azure-native type the program constructs, at the API version azure-native uses", () => {
        const constructed = constructedTypes();
        assert.ok(constructed.length > 30, `found only ${constructed.length} types`);
        assert.deepEqual(
            constructed.filter((token) => table.types[token] === undefined),
            [],
            "types the program constructs but the table lacks (add them to the generator's targets)",
        );
        for (const [token, entry] of Object.entries(table.types)) {
            assert.equal(entry.apiVersion, sdkApiVersion(token, sdkRoot), token);
            assert.ok(entry.specFile.includes(`/${entry.apiVersion}/`), `${token}: ${entry.specFile}`);
        }
    });

    it("derives every type from its spec file", () => {
        assert.deepEqual(
            Object.entries(table.types)
                .filter(([, entry]) => entry.specRead === false)
                .map(([token]) => token),
            [],
        );
    });

    it("names its source: the PUT operation of each type, and the commit of each spec file read", () => {
        assert.equal(table.source.repository, "Azure/azure-rest-api-specs");
        assert.match(table.source.note, /the provider may add its own rules/);
        for (const [token, entry] of Object.entries(table.types)) {
            assert.ok(entry.operation.length > 0, token);
            assert.ok(
                table.source.commit.length > 0 && (table.source.files === undefined || table.source.files[entry.specFile] !== undefined),
                token,
            );
        }
    });

    it("replaces on the resource's path inputs (its group, its name, its parents) and on location where the resource is tracked", () => {
        for (const [token, entry] of Object.entries(table.types)) {
            const args = sdkArgNames(token, sdkRoot);
            assert.ok(entry.replaceOn.length > 0, token);
            assert.equal(
                entry.replaceOn.includes("resourceGroupName"),
                args.includes("resourceGroupName") && token !== "azure-native:authorization:RoleAssignment",
                `${token}: resourceGroupName`,
            );
            assert.equal(entry.replaceOn.includes("location"), args.includes("location"), `${token}: location`);
        }
    });

    it("names only inputs the SDK has, nested ones through its input types", () => {
        for (const [token, entry] of Object.entries(table.types)) {
            for (const input of entry.replaceOn) {
                assert.ok(inputExists(token, input), `${token}: ${input}`);
            }
        }
    });

    // Checked by hand against specification/apimanagement/resource-manager/Microsoft.ApiManagement/stable/2024-05-01/apimdeployment.json
    // (commit 376dc4db): ApiManagementServiceResource.location has x-ms-mutability [read, create];
    // virtualNetworkType, zones, sku and the rest carry none, so they update in place.
    it("ApiManagementService: its group, its name and its location", () => {
        assert.deepEqual(table.types["azure-native:apimanagement:ApiManagementService"].replaceOn, [
            "resourceGroupName",
            "serviceName",
            "location",
        ]);
    });

    // Checked by hand against specification/storage/resource-manager/Microsoft.Storage/stable/2024-01-01/storage.json
    // (commit 5a2abff0): EncryptionService.keyType has x-ms-mutability [create, read]; isHnsEnabled,
    // kind and location carry none (location is create-only by ARM's rule for tracked resources).
    it("StorageAccount: its name, location and the encryption key type of each service, not isHnsEnabled", () => {
        const replaceOn = table.types["azure-native:storage:StorageAccount"].replaceOn;
        for (const input of [
            "resourceGroupName",
            "accountName",
            "location",
            "encryption.services.blob.keyType",
            "encryption.services.file.keyType",
            "encryption.services.queue.keyType",
            "encryption.services.table.keyType",
        ]) {
            assert.ok(replaceOn.includes(input), input);
        }
        assert.ok(!replaceOn.includes("isHnsEnabled"));
        assert.ok(!replaceOn.includes("kind"));
    });

    // Checked by hand against specification/keyvault/resource-manager/Microsoft.KeyVault/stable/2024-11-01/keyvault.json
    // (commit 315e54b7): no property of VaultCreateOrUpdateParameters carries a create-only mark
    // (createMode is [create, update]; tenantId and location carry none).
    it("Vault: its group, its name and, by ARM's rule, its location; not tenantId", () => {
        const entry = table.types["azure-native:keyvault:Vault"];
        assert.deepEqual(entry.replaceOn, ["resourceGroupName", "vaultName", "location"]);
        assert.ok(entry.notes?.some((note) => note.startsWith("location:")));
    });

    // Checked by hand against specification/applicationinsights/resource-manager/Microsoft.Insights/stable/2020-02-02/components_API.json
    // (commit 0c3c7e2f): ComponentsResource.location and ApplicationInsightsComponentProperties.Application_Type are [create, read].
    it("Component: applicationType and location", () => {
        assert.deepEqual(table.types["azure-native:applicationinsights:Component"].replaceOn, [
            "resourceGroupName",
            "resourceName",
            "applicationType",
            "location",
        ]);
    });

    // specification/monitor/resource-manager/Microsoft.Insights/preview/2021-05-01-preview/diagnosticsSettings_API.json:
    // an extension resource at /{resourceUri}/providers/Microsoft.Insights/diagnosticSettings/{name}.
    it("DiagnosticSetting: the resource it is attached to and its name", () => {
        assert.deepEqual(table.types["azure-native:monitor:DiagnosticSetting"].replaceOn, ["resourceUri", "name"]);
    });

    // Checked by hand against specification/resources/resource-manager/Microsoft.Resources/stable/2024-03-01/resources.json
    // (commit 1eb311c3): the Resources_CreateOrUpdate path has five parameters besides subscriptionId;
    // Resource.extendedLocation is [read, create]; Resource.location carries no mark (create-only by ARM's rule);
    // kind, managedBy, sku, plan and identity carry none.
    it("Resource: every path input, its extended location and its location; not kind or managedBy", () => {
        const entry = table.types["azure-native:resources:Resource"];
        assert.equal(entry.operation, "Resources_CreateOrUpdate");
        assert.deepEqual(entry.replaceOn, [
            "resourceGroupName",
            "resourceProviderNamespace",
            "parentResourcePath",
            "resourceType",
            "resourceName",
            "extendedLocation",
            "location",
        ]);
        assert.ok(entry.notes?.some((note) => note.startsWith("location:")));
    });

    // Checked by hand against specification/msi/resource-manager/Microsoft.ManagedIdentity/stable/2023-01-31/ManagedIdentity.json
    // (commit 16c9ca76): Identity extends common-types v4 TrackedResource (commit 05432ee0), whose location is
    // [read, create]; its flattened properties (tenantId, principalId, clientId) are all read-only.
    it("UserAssignedIdentity: its group, its name and its location, by the spec's own mark", () => {
        const entry = table.types["azure-native:managedidentity:UserAssignedIdentity"];
        assert.equal(entry.operation, "UserAssignedIdentities_CreateOrUpdate");
        assert.deepEqual(entry.replaceOn, ["resourceGroupName", "resourceName", "location"]);
        assert.equal(entry.notes, undefined);
    });

    // Checked by hand against specification/dns/resource-manager/Microsoft.Network/preview/2023-07-01-preview/dns.json
    // (commit 0677df24): RecordSet has no location and no create-only property (TTL, metadata and the record
    // arrays update in place); Zone extends the file's own Resource, whose location is [read, create].
    it("RecordSet: only its path; Zone: its path and its location", () => {
        assert.deepEqual(table.types["azure-native:dns:RecordSet"].replaceOn, [
            "resourceGroupName",
            "zoneName",
            "recordType",
            "relativeRecordSetName",
        ]);
        assert.deepEqual(table.types["azure-native:dns:Zone"].replaceOn, ["resourceGroupName", "zoneName", "location"]);
    });

    // Checked by hand against specification/apimanagement/resource-manager/Microsoft.ApiManagement/stable/2024-05-01/apimapis.json
    // (commit 87058e5d), apimanagement.json (commit f236398f) and definitions.json (commit 2af25c7f): the PUT takes
    // ApiIdRevParameter (apiId), OperationIdParameter and PolicyIdParameter; PolicyContract (value, format) carries
    // no x-ms-mutability, nor does any definition the API Management sub-resources' bodies reach.
    it("ApiOperationPolicy: its path only, like every API Management sub-resource", () => {
        assert.deepEqual(table.types["azure-native:apimanagement:ApiOperationPolicy"].replaceOn, [
            "resourceGroupName",
            "serviceName",
            "apiId",
            "operationId",
            "policyId",
        ]);
        for (const [token, entry] of Object.entries(table.types)) {
            if (token.startsWith("azure-native:apimanagement:") && token !== "azure-native:apimanagement:ApiManagementService") {
                assert.ok(
                    entry.replaceOn.every((input) => !input.includes(".") && input !== "location"),
                    token,
                );
            }
        }
    });
});

describe("the derivation from a spec", () => {
    const documents: Record<string, unknown> = {
        "specification/common-types/resource-management/v5/types.json": {
            definitions: {
                Resource: { properties: { id: { type: "string", readOnly: true }, name: { type: "string", readOnly: true } } },
                TrackedResource: {
                    allOf: [{ $ref: "#/definitions/Resource" }],
                    properties: {
                        tags: { type: "object", "x-ms-mutability": ["read", "create", "update"] },
                        location: { type: "string", "x-ms-mutability": ["read", "create"] },
                    },
                },
            },
            parameters: {
                ResourceGroupNameParameter: { name: "resourceGroupName", in: "path", required: true, type: "string" },
                SubscriptionIdParameter: { name: "subscriptionId", in: "path", required: true, type: "string" },
            },
        },
        "specification/widgets/resource-manager/Fabrikam.Widgets/stable/2024-01-01/widgets.json": {
            paths: {
                "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Fabrikam.Widgets/widgets/{widgetName}/parts/{PartName}":
                    {
                        put: {
                            operationId: "Parts_CreateOrUpdate",
                            parameters: [
                                {
                                    $ref: "../../../../../common-types/resource-management/v5/types.json#/parameters/SubscriptionIdParameter",
                                },
                                {
                                    $ref: "../../../../../common-types/resource-management/v5/types.json#/parameters/ResourceGroupNameParameter",
                                },
                                { $ref: "./common.json#/parameters/WidgetName" },
                                { name: "PartName", in: "path", required: true, type: "string" },
                                { name: "body", in: "body", schema: { $ref: "#/definitions/Part" } },
                            ],
                        },
                    },
            },
            definitions: {
                Part: {
                    allOf: [{ $ref: "../../../../../common-types/resource-management/v5/types.json#/definitions/TrackedResource" }],
                    properties: {
                        properties: { "x-ms-client-flatten": true, $ref: "#/definitions/PartProperties" },
                        sku: { $ref: "./common.json#/definitions/Sku" },
                    },
                },
                PartProperties: {
                    allOf: [{ $ref: "#/definitions/PartBase" }],
                    properties: {
                        Disk_Size: { type: "integer", "x-ms-mutability": ["create", "read"] },
                        zone: { type: "string", "x-ms-client-name": "AvailabilityZone", "x-ms-mutability": ["read", "create"] },
                        state: { type: "string", "x-ms-mutability": ["read", "create", "update"] },
                        serial: { type: "string", readOnly: true, "x-ms-mutability": ["read"] },
                        rules: { type: "array", items: { $ref: "#/definitions/Rule" } },
                        network: { $ref: "#/definitions/Network" },
                        settings: { $ref: "#/definitions/Settings", "x-ms-mutability": ["create", "read"] },
                        parent: { $ref: "#/definitions/PartProperties" },
                    },
                },
                PartBase: { properties: { material: { type: "string", "x-ms-mutability": ["create"] } } },
                Rule: { properties: { kind: { type: "string", "x-ms-mutability": ["create", "read"] }, value: { type: "string" } } },
                Network: {
                    properties: {
                        properties: { "x-ms-client-flatten": true, $ref: "#/definitions/NetworkProperties" },
                        mode: { $ref: "#/definitions/Mode" },
                    },
                },
                NetworkProperties: { properties: { subnetId: { type: "string", "x-ms-mutability": ["create", "read"] } } },
                Mode: { type: "object", discriminator: "kind", properties: { kind: { type: "string" } } },
                Static: {
                    allOf: [{ $ref: "#/definitions/Mode" }],
                    properties: { address: { type: "string", "x-ms-mutability": ["create", "read"] } },
                },
                Settings: { properties: { nested: { type: "string" } } },
            },
        },
        "specification/widgets/resource-manager/Fabrikam.Widgets/stable/2024-01-01/common.json": {
            definitions: {
                Sku: { properties: { name: { type: "string", "x-ms-mutability": ["create", "read"] }, capacity: { type: "integer" } } },
            },
            parameters: { WidgetName: { name: "widgetName", in: "path", required: true, type: "string" } },
        },
    };
    const read = (file: string): unknown => documents[file];
    const target = {
        specFile: "specification/widgets/resource-manager/Fabrikam.Widgets/stable/2024-01-01/widgets.json",
        path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Fabrikam.Widgets/widgets/{widgetName}/parts/{PartName}",
    };

    it("lists the path parameters (less subscriptionId) and the create-only body properties, through $ref, allOf, flattening, arrays and subtypes", () => {
        assert.deepEqual(derive(read, target), {
            operation: "Parts_CreateOrUpdate",
            replaceOn: [
                "resourceGroupName",
                "widgetName",
                "partName",
                "availabilityZone",
                "diskSize",
                "location",
                "material",
                "network.mode.address",
                "network.subnetId",
                "rules[*].kind",
                "settings",
                "sku.name",
            ],
            notes: [],
        });
    });

    it("takes a top-level location without x-ms-mutability as create-only, with a note", () => {
        const own = structuredClone(documents) as Record<string, { definitions: Record<string, unknown> }>;
        own[target.specFile].definitions.Part = { properties: { location: { type: "string" }, tags: { type: "object" } } };
        const derived = derive((file) => own[file], target);
        assert.deepEqual(derived.replaceOn, ["resourceGroupName", "widgetName", "partName", "location"]);
        assert.equal(derived.notes.length, 1);
    });

    it("refuses a path the spec has no PUT for, and a $ref that points at nothing", () => {
        assert.throws(() => derive(read, { ...target, path: "/nothing" }), /no PUT at \/nothing/);
        const broken = structuredClone(documents) as Record<string, { definitions: Record<string, unknown> }>;
        broken[target.specFile].definitions.Part = { properties: { sku: { $ref: "./common.json#/definitions/Missing" } } };
        assert.throws(() => derive((file) => broken[file], target), /points at nothing/);
    });

    it("names inputs the way azure-native does", () => {
        assert.deepEqual(
            [
                "ARecords",
                "AAAARecords",
                "CNAMERecord",
                "TTL",
                "BlobServicesName",
                "Application_Type",
                "isHnsEnabled",
                "IPAddressOrRange",
            ].map((name) => sdkName(name)),
            ["aRecords", "aaaaRecords", "cnameRecord", "ttl", "blobServicesName", "applicationType", "isHnsEnabled", "ipAddressOrRange"],
        );
    });
});
