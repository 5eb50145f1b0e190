import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { loadProject, loadStackFile, programConfig, repoRoot } from "../../engine/project";
import type { StackRun } from "../../engine";
import { unknownMarker } from "../../engine/values";
import { withoutNpmBanner } from "../../commands/plan/base";
import { previewJson } from "../../commands/plan/diff-render";
import { planGraph, type PlanGraph, type PlanResource } from "../../commands/plan/graph";
import { hazardsOf } from "../../commands/plan/hazards";
import { diffPlans } from "../../commands/plan/plan-diff";
import {
    defaultProviderName,
    engineValue,
    extraKey,
    marshalIndent,
    previewDigest,
    programWarnings,
    struct,
    unknownSentinel,
} from "../../commands/plan/preview-digest";
import { inBackground, plan, stackFileFor, stackRun, tempProject } from "../helpers";
import { temporaryDirectory } from "../support/temporary";

/**
 * The Go declarations `npm run plan -- <stack> --diff <base> --json` reproduces, copied verbatim
 * from github.com/pulumi/pulumi at tag v3.248.0: pkg/display/json.go (from `PreviewDigest` to the
 * end of the file) and sdk/go/common/apitype/core.go (`ResourceV3`). The tests read each field's
 * JSON name and `omitempty` from them.
 */
const goSource = `// PreviewDigest is a JSON-serializable overview of a preview operation.
type PreviewDigest struct {
	// Config contains a map of configuration keys/values used during the preview. Any secrets will be blinded.
	Config map[string]string \`json:"config,omitempty"\`

	// Steps contains a detailed list of all resource step operations.
	Steps []*PreviewStep \`json:"steps,omitempty"\`
	// Diagnostics contains a record of all warnings/errors that took place during the preview. Note that
	// ephemeral and debug messages are omitted from this list, as they are meant for display purposes only.
	Diagnostics []PreviewDiagnostic \`json:"diagnostics,omitempty"\`

	// Duration records the amount of time it took to perform the preview.
	Duration time.Duration \`json:"duration,omitempty"\`
	// ChangeSummary contains a map of count per operation (create, update, etc).
	ChangeSummary ResourceChanges \`json:"changeSummary,omitempty"\`
	// MaybeCorrupt indicates whether one or more resources may be corrupt.
	MaybeCorrupt bool \`json:"maybeCorrupt,omitempty"\`
}

// PropertyDiff contains information about the difference in a single property value.
type PropertyDiff struct {
	// Kind is the kind of difference.
	Kind string \`json:"kind"\`
	// InputDiff is true if this is a difference between old and new inputs instead of old state and new inputs.
	InputDiff bool \`json:"inputDiff"\`
}

// PreviewStep is a detailed overview of a step the engine intends to take.
type PreviewStep struct {
	// Op is the kind of operation being performed.
	Op StepOp \`json:"op"\`
	// URN is the resource being affected by this operation.
	URN resource.URN \`json:"urn"\`
	// Provider is the provider that will perform this step.
	Provider string \`json:"provider,omitempty"\`
	// OldState is the old state for this resource, if appropriate given the operation type.
	OldState *apitype.ResourceV3 \`json:"oldState,omitempty"\`
	// NewState is the new state for this resource, if appropriate given the operation type.
	NewState *apitype.ResourceV3 \`json:"newState,omitempty"\`
	// DiffReasons is a list of keys that are causing a diff (for updating steps only).
	DiffReasons []resource.PropertyKey \`json:"diffReasons,omitempty"\`
	// ReplaceReasons is a list of keys that are causing replacement (for replacement steps only).
	ReplaceReasons []resource.PropertyKey \`json:"replaceReasons,omitempty"\`
	// DetailedDiff is a structured diff that indicates precise per-property differences.
	DetailedDiff map[string]PropertyDiff \`json:"detailedDiff"\`
}

// PreviewDiagnostic is a warning or error emitted during the execution of the preview.
type PreviewDiagnostic struct {
	URN      resource.URN  \`json:"urn,omitempty"\`
	Prefix   string        \`json:"prefix,omitempty"\`
	Message  string        \`json:"message,omitempty"\`
	Severity diag.Severity \`json:"severity,omitempty"\`
}
// ResourceV3 is the third version of the Resource API type. It absorbs a few breaking changes:
//  1. It adds a map from input property names to the dependencies that affect that input property. This is used to
//     improve the precision of delete-before-create operations.
//  2. It adds a new boolean field, \`PendingReplacement\`, that marks resources that have been deleted as part of a
//     delete-before-create operation but have not yet been recreated.
//
// Migrating from ResourceV2 to ResourceV3 involves:
//  1. Populating the map from input property names to dependencies by assuming that every dependency listed in
//     \`Dependencies\` affects every input property.
type ResourceV3 struct {
	// URN uniquely identifying this resource.
	URN resource.URN \`json:"urn" yaml:"urn"\`
	// Custom is true when it is managed by a plugin.
	Custom bool \`json:"custom" yaml:"custom"\`
	// Delete is true when the resource should be deleted during the next update.
	Delete bool \`json:"delete,omitempty" yaml:"delete,omitempty"\`
	// ID is the provider-assigned resource, if any, for custom resources.
	ID resource.ID \`json:"id,omitempty" yaml:"id,omitempty"\`
	// Type is the resource's full type token.
	Type tokens.Type \`json:"type" yaml:"type"\`
	// Inputs are the input properties supplied to the provider.
	Inputs map[string]any \`json:"inputs,omitempty" yaml:"inputs,omitempty"\`
	// Outputs are the output properties returned by the provider after provisioning.
	Outputs map[string]any \`json:"outputs,omitempty" yaml:"outputs,omitempty"\`
	// Parent is an optional parent URN if this resource is a child of it.
	Parent resource.URN \`json:"parent,omitempty" yaml:"parent,omitempty"\`
	// Protect is set to true when this resource is "protected" and may not be deleted.
	Protect bool \`json:"protect,omitempty" yaml:"protect,omitempty"\`
	// Taint is set to true when we wish to force it to be replaced upon the next update.
	Taint bool \`json:"taint,omitempty" yaml:"taint,omitempty"\`
	// External is set to true when the lifecycle of this resource is not managed by Pulumi.
	External bool \`json:"external,omitempty" yaml:"external,omitempty"\`
	// Dependencies contains the dependency edges to other resources that this depends on.
	Dependencies []resource.URN \`json:"dependencies,omitempty" yaml:"dependencies,omitempty"\`
	// InitErrors is the set of errors encountered in the process of initializing resource (i.e.,
	// during create or update).
	InitErrors []string \`json:"initErrors,omitempty" yaml:"initErrors,omitempty"\`
	// Provider is a reference to the provider that is associated with this resource.
	Provider string \`json:"provider,omitempty" yaml:"provider,omitempty"\`
	// PropertyDependencies maps from an input property name to the set of resources that property depends on.
	PropertyDependencies map[resource.PropertyKey][]resource.URN \`json:"propertyDependencies,omitempty" yaml:"property_dependencies,omitempty"\`
	// PendingReplacement is used to track delete-before-replace resources that have been deleted but not yet
	// recreated.
	PendingReplacement bool \`json:"pendingReplacement,omitempty" yaml:"pendingReplacement,omitempty"\`
	// AdditionalSecretOutputs is a list of outputs that were explicitly marked as secret when the resource was created.
	AdditionalSecretOutputs []resource.PropertyKey \`json:"additionalSecretOutputs,omitempty" yaml:"additionalSecretOutputs,omitempty"\`
	// Aliases is a list of previous URNs that this resource may have had in previous deployments.
	Aliases []resource.URN \`json:"aliases,omitempty" yaml:"aliases,omitempty"\`
	// CustomTimeouts is a configuration block that can be used to control timeouts of CRUD operations.
	CustomTimeouts *resource.CustomTimeouts \`json:"customTimeouts,omitempty" yaml:"customTimeouts,omitempty"\`
	// ImportID is the import input used for imported resources.
	ImportID resource.ID \`json:"importID,omitempty" yaml:"importID,omitempty"\`
	// If set to True, the providers Delete method will not be called for this resource. Pulumi simply stops tracking the deleted resource.
	RetainOnDelete bool \`json:"retainOnDelete,omitempty" yaml:"retainOnDelete,omitempty"\`
	// If set, the providers Delete method will not be called for this resource
	// if specified resource is being deleted as well.
	DeletedWith resource.URN \`json:"deletedWith,omitempty" yaml:"deletedWith,omitempty"\`
	// ReplaceWith is a list of resources whose replaces will also trigger this resource's replace.
	ReplaceWith []resource.URN \`json:"replaceWith,omitempty" yaml:"replaceWith,omitempty"\`
	// Created tracks when the remote resource was first added to state by pulumi. Checkpoints prior to early 2023 do not include this.
	Created *time.Time \`json:"created,omitempty" yaml:"created,omitempty"\`
	// Modified tracks when the resource state was last altered. Checkpoints prior to early 2023 do not include this.
	Modified *time.Time \`json:"modified,omitempty" yaml:"modified,omitempty"\`
	// SourcePosition tracks the source location of this resource's registration
	SourcePosition string \`json:"sourcePosition,omitempty" yaml:"sourcePosition,omitempty"\`
	// StackTrace records the stack at the time this resource was registered
	StackTrace []StackFrameV1 \`json:"stackTrace,omitempty" yaml:"stackTrace,omitempty"\`
	// IgnoreChanges is a list of properties to ignore changes for.
	IgnoreChanges []string \`json:"ignoreChanges,omitempty" yaml:"ignoreChanges,omitempty"\`
	// HideDiff is a list of properties to hide the diff for.
	HideDiff []resource.PropertyPath \`json:"hideDiff,omitempty" yaml:"hideDiff,omitempty"\`
	// ReplaceOnChanges is a list of properties that if changed trigger a replace.
	ReplaceOnChanges []string \`json:"replaceOnChanges,omitempty" yaml:"replaceOnChanges,omitempty"\`
	// If set, the engine will diff this with the last recorded value, and trigger a replace if they are not equal.
	ReplacementTrigger any \`json:"replacementTrigger,omitempty" yaml:"replacementTrigger,omitempty"\`
	// RefreshBeforeUpdate indicates that this resource should always be refreshed prior to updates.
	RefreshBeforeUpdate bool \`json:"refreshBeforeUpdate,omitempty" yaml:"refreshBeforeUpdate,omitempty"\`
	// ViewOf is a reference to the resource that this resource is a view of.
	ViewOf resource.URN \`json:"viewOf,omitempty" yaml:"viewOf,omitempty"\`
	// ResourceHooks is a map of hook types to lists of hook names for the given type.
	ResourceHooks map[resource.HookType][]string \`json:"resourceHooks,omitempty" yaml:"resourceHooks,omitempty"\`
}
`;

interface GoField {
    json: string;
    omitempty: boolean;
}

/** Each struct of a Go source: its fields' JSON names and whether they are omitempty, in order. */
function goStructs(source: string): Map<string, GoField[]> {
    const structs = new Map<string, GoField[]>();
    for (const [, name, body] of source.matchAll(/^type (\w+) struct \{\n([\s\S]*?)^\}/gm)) {
        const fields = [...body!.matchAll(/^\t\w+\s+\S+\s+`json:"([^",]*)((?:,\w+)*)"/gm)].map(([, json, options]) => ({
            json: json!,
            omitempty: options!.split(",").includes("omitempty"),
        }));
        structs.set(name!, fields);
    }
    return structs;
}

const go = goStructs(goSource);

/** What Go's omitempty leaves out: false, 0, "", nil, an empty slice or map. */
const isEmpty = (value: unknown) =>
    value === false ||
    value === 0 ||
    value === "" ||
    value === null ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === "object" && value !== null && Object.keys(value).length === 0);

/**
 * That `value` is a Go struct as encoding/json writes it: only the struct's JSON names (and
 * `extra`), in the struct's order; every field that is not omitempty present; no omitempty field
 * present with an empty value.
 */
function assertGoShape(value: unknown, struct: string, where: string, extra: readonly string[] = []): void {
    const fields = go.get(struct)!;
    assert.ok(fields && fields.length > 0, `the fixture declares ${struct}`);
    assert.ok(value !== null && typeof value === "object" && !Array.isArray(value), `${where} is an object`);
    const record = value as Record<string, unknown>;
    const names = fields.map((field) => field.json);
    const keys = Object.keys(record).filter((key) => !extra.includes(key));
    assert.deepEqual(
        keys.filter((key) => !names.includes(key)),
        [],
        `${where}: keys Pulumi's ${struct} does not have`,
    );
    assert.deepEqual(
        keys,
        names.filter((name) => keys.includes(name)),
        `${where}: in the order of ${struct}'s fields`,
    );
    for (const field of fields) {
        if (!field.omitempty) {
            assert.ok(field.json in record, `${where}.${field.json} is not omitempty: always written`);
        } else if (field.json in record) {
            assert.ok(!isEmpty(record[field.json]), `${where}.${field.json} is omitempty: absent when empty`);
        }
    }
}

const copy = (graph: PlanGraph): PlanGraph => JSON.parse(JSON.stringify(graph));
const find = (graph: PlanGraph, name: string): PlanResource => {
    const found = graph.resources.find((resource) => resource.name === name);
    assert.ok(found, `no resource ${name}`);
    return found;
};

/** The version the program's azure-native SDK sends, as package.json pins it. */
const azureNativeVersion = (
    JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { dependencies: Record<string, string> }
).dependencies["@pulumi/azure-native"]!;

/** A directory in the OS temp dir, removed when the suite ends. */
function temporaryDir(): string {
    return temporaryDirectory("preview-digest-");
}

/** What npm prints before a script's output on stdout, from npm itself (started when the file loads). */
// npm's banner at its default log level, whatever the level of the npm that runs the suite
// (`npm test --silent` passes npm_config_loglevel=silent down to every npm it starts).
const npmBanner = inBackground(() =>
    promisify(execFile)("npm", ["run", "--loglevel=notice", "plan", "--", "dev", "--help"], { cwd: repoRoot }),
).then(({ stdout }) => stdout.slice(0, stdout.indexOf("Usage:")));
npmBanner.catch(() => undefined);

describe("npm run plan -- <stack> --diff <base> --json: pulumi preview --json", () => {
    let prod: PlanGraph;
    /** prod with one change of each kind: an update, a replacement, a creation, a deletion, a protect-only change. */
    let base: PlanGraph;
    let head: PlanGraph;
    let json: Record<string, any>;
    let text: string;
    before(async () => {
        prod = planGraph(await stackRun("prod"));
        base = copy(prod);
        head = copy(prod);
        find(head, "catalog-backend-ledger").inputs.url = "https://ledger-v2.fabrikam.com/api";
        const service = find(head, "gateway-apim");
        service.inputs.serviceName = "apim-renamed";
        service.inputs.tags = { ...(service.inputs.tags as Record<string, string> | undefined), "cost.center": "CC-2" };
        head.resources = head.resources.filter((resource) => resource.name !== "dns-cname-portal");
        base.resources = base.resources.filter((resource) => resource.name !== "catalog-backend-accounts");
        find(head, "catalog-api-accounts-v1").protect = !find(base, "catalog-api-accounts-v1").protect;
        (find(head, "secrets-secret-api-client-secret").inputs.properties as Record<string, unknown>).contentType = "text/plain;v2";
        const diff = diffPlans(base, head);
        const report = {
            diff,
            hazards: hazardsOf(diff, { existing: true, monthlyUsd: () => undefined }),
            base: { label: "main (abc1234)" },
        };
        text = marshalIndent(
            previewJson(report, {
                base,
                head,
                config: { values: { "enterprise-integration:location": "westeurope", "enterprise-integration:apiKey": "[secret]" } },
                warnings: ["API shipments: converted from Swagger 2.0"],
                durationNs: 1_234_567_890,
            }),
        );
        json = JSON.parse(text) as Record<string, any>;
    });

    it("has the keys of Go's PreviewDigest, PreviewStep, PropertyDiff, ResourceV3 and PreviewDiagnostic, in their order, omitempty ones only when not empty", () => {
        assert.deepEqual([...go.keys()], ["PreviewDigest", "PropertyDiff", "PreviewStep", "PreviewDiagnostic", "ResourceV3"]);
        assertGoShape(json, "PreviewDigest", "digest", [extraKey]);
        assert.deepEqual(
            Object.keys(json),
            ["config", "steps", "diagnostics", "duration", "changeSummary", extraKey],
            "maybeCorrupt is omitted: a preview never sets it",
        );
        for (const [i, step] of (json.steps as Record<string, unknown>[]).entries()) {
            assertGoShape(step, "PreviewStep", `steps[${i}]`);
            for (const side of ["oldState", "newState"]) {
                if (side in step) {
                    assertGoShape(step[side], "ResourceV3", `steps[${i}].${side}`);
                }
            }
            for (const [key, diff] of Object.entries((step.detailedDiff ?? {}) as Record<string, unknown>)) {
                assertGoShape(diff, "PropertyDiff", `steps[${i}].detailedDiff[${key}]`);
            }
        }
        for (const [i, diagnostic] of (json.diagnostics as unknown[]).entries()) {
            assertGoShape(diagnostic, "PreviewDiagnostic", `diagnostics[${i}]`);
        }
    });

    it("leaves out what is empty, as omitempty does: no config, diagnostics, duration or steps", () => {
        const empty = JSON.parse(
            marshalIndent(
                previewDigest({
                    diff: { stack: "prod", steps: [], same: 0 },
                    base: { stack: "prod", resources: [], outputs: {} },
                    head: { stack: "prod", resources: [], outputs: {} },
                }),
            ),
        ) as unknown;
        assert.deepEqual(empty, {});
        const same = JSON.parse(
            marshalIndent(previewJson({ diff: diffPlans(prod, prod), hazards: [], base: { label: "x" } }, { base: prod, head: prod })),
        ) as Record<string, any>;
        assert.deepEqual(Object.keys(same), ["steps", "changeSummary", extraKey]);
        assertGoShape(same, "PreviewDigest", "digest", [extraKey]);
        assert.deepEqual(
            same.steps.map((step: any) => step.op),
            ["same"],
            "only the stack, which is always shown",
        );
    });

    it("steps in the engine's order: the stack, then each resource as the program registers it, then the deletions", () => {
        const ops = (json.steps as any[]).map((step) => [step.op, step.urn.split("::").pop()]);
        assert.deepEqual(ops[0], ["same", "enterprise-integration-prod"]);
        assert.deepEqual(ops[ops.length - 1], ["delete", "dns-cname-portal"]);
        const middle = ops.slice(1, -1);
        const order = head.resources.map((resource) => resource.name);
        assert.deepEqual(
            middle.map(([, name]) => name),
            [...middle.map(([, name]) => name)].sort((a, b) => order.indexOf(a) - order.indexOf(b)),
        );
        assert.deepEqual(Object.fromEntries(middle.map(([op, name]) => [name, op])), {
            "gateway-apim": "replace",
            "secrets-secret-api-client-secret": "update",
            "catalog-backend-accounts": "create",
            "catalog-backend-ledger": "update",
            "catalog-api-accounts-v1": "same",
        });
        // The same resources are counted; map keys sorted, as Go writes a map.
        const same = diffPlans(base, head).same;
        assert.deepEqual(Object.entries(json.changeSummary), [
            ["create", 1],
            ["delete", 1],
            ["replace", 1],
            ["same", same + 2],
            ["update", 2],
        ]);
    });

    it("a step as getPreviewMetadataStep builds it: diff and replace reasons, the detailed diff, both states", () => {
        const step = (name: string) => (json.steps as any[]).find((candidate) => candidate.urn.endsWith(`::${name}`));
        const replace = step("gateway-apim");
        assert.deepEqual(replace.replaceReasons, ["serviceName"]);
        assert.deepEqual(replace.diffReasons, ["serviceName", "tags"]);
        assert.deepEqual(replace.detailedDiff, {
            serviceName: { kind: "update-replace", inputDiff: true },
            'tags["cost.center"]': { kind: "add", inputDiff: true },
        });
        assert.equal(replace.oldState.inputs.serviceName, unknownSentinel, "a value known only after deploy is Pulumi's unknown");
        assert.equal(replace.newState.inputs.serviceName, "apim-renamed");
        assert.equal(replace.oldState.protect, true);
        assert.equal(replace.newState.parent, find(head, "gateway-apim").parent);
        assert.deepEqual(replace.newState.dependencies, find(head, "gateway-apim").dependsOn);
        const create = step("catalog-backend-accounts");
        assert.equal(create.oldState, undefined);
        assert.equal(create.detailedDiff, null, "no detailed diff: Go's nil map, written as null");
        assert.equal("diffReasons" in create, false);
        const deleted = step("dns-cname-portal");
        assert.equal(deleted.newState, undefined);
        assert.equal(deleted.detailedDiff, null);
        const protect = step("catalog-api-accounts-v1");
        assert.equal(protect.detailedDiff, null);
        assert.equal(protect.newState.protect === true, !find(base, "catalog-api-accounts-v1").protect);
        const root = json.steps[0];
        assert.equal(root.provider, undefined, "the stack has no provider");
        assert.deepEqual(root.newState, { urn: root.urn, custom: false, type: "pulumi:pulumi:Stack" });
        const component = (json.steps as any[]).find((candidate) => candidate.newState && !candidate.newState.custom && candidate !== root);
        assert.equal(component, undefined, "no component changed here");
    });

    it("each custom resource's provider: its package's default provider, named after the SDK's version, with the id of a provider not yet created", () => {
        const provider = `urn:pulumi:prod::enterprise-integration::pulumi:providers:azure-native::default_${azureNativeVersion.replace(/\./g, "_")}::04da6b54-80e4-46f7-96ec-b56ff0331ba9`;
        for (const step of (json.steps as any[]).slice(1)) {
            assert.equal(step.provider, provider, step.urn);
            for (const state of [step.oldState, step.newState].filter(Boolean)) {
                assert.equal(state.provider, provider, step.urn);
            }
        }
        assert.equal(defaultProviderName({ version: "3.28.0" }), "default_3_28_0");
        assert.equal(defaultProviderName({ version: "1.2.3-alpha.1+build.5" }), "default_1_2_3_alpha_1_build_5");
        assert.equal(
            defaultProviderName({ version: "0.1.1", downloadUrl: "github://api.github.com/pulumiverse/pulumi-time" }),
            "default_0_1_1_github_/api.github.com/pulumiverse/pulumi-time",
        );
        assert.equal(defaultProviderName({}), "default");
    });

    it("values known only after deploy as Pulumi's unknown sentinel, secrets as [secret]", () => {
        assert.ok(!text.includes(unknownMarker), "no plan marker left");
        assert.ok(text.includes(unknownSentinel));
        const secret = (json.steps as any[]).find((step) => step.urn.endsWith("::secrets-secret-api-client-secret"));
        assert.equal(secret.oldState.inputs.properties.value, "[secret]");
        assert.equal(secret.newState.inputs.properties.value, "[secret]");
        assert.deepEqual(
            engineValue({
                host: `apim-${unknownMarker}.azure-api.net`,
                ids: { [`/subscriptions/${unknownMarker}`]: {} },
                n: 1,
                list: [unknownMarker, "a"],
            }),
            {
                host: unknownSentinel,
                ids: unknownSentinel,
                n: 1,
                list: [unknownSentinel, "a"],
            },
        );
    });

    it("config as the prelude has it (sorted, secrets blinded, objects as json.Marshal writes them); the program's warnings as diagnostics; the duration in nanoseconds", () => {
        assert.deepEqual(Object.entries(json.config), [
            ["enterprise-integration:apiKey", "[secret]"],
            ["enterprise-integration:location", "westeurope"],
        ]);
        const digest = JSON.parse(
            marshalIndent(
                previewDigest({
                    diff: { stack: "s", steps: [], same: 0 },
                    base: prod,
                    head: prod,
                    config: { values: { "p:b": '{"z":1,"a":"<&>"}' } },
                }),
            ),
        ) as Record<string, any>;
        assert.equal(digest.config["p:b"], '{"a":"\\u003c\\u0026\\u003e","z":1}');
        assert.deepEqual(json.diagnostics, [{ message: "warning: API shipments: converted from Swagger 2.0\n", severity: "warning" }]);
        assert.equal(json.duration, 1_234_567_890);
    });

    it("the project's own findings under one extra key, none in Pulumi's fields", () => {
        assert.deepEqual(Object.keys(json[extraKey]), ["base", "hazards"]);
        assert.deepEqual(json[extraKey].base, { label: "main (abc1234)" });
        assert.ok(json[extraKey].hazards.some((hazard: any) => hazard.kind === "stateful" && /gateway-apim/.test(hazard.resource)));
        assert.ok(!(json.diagnostics as any[]).some((diagnostic) => /hazard|replaces/.test(diagnostic.message)));
    });

    it("printed as json.MarshalIndent prints it: four spaces, struct fields in order, map keys sorted, HTML characters escaped, a final newline", () => {
        assert.equal(
            marshalIndent(struct({ b: 1, a: { a: {}, "2": [], "10": true, "<": "&" }, c: [struct({ y: null, x: "\u2028" })] })),
            '{\n    "b": 1,\n    "a": {\n        "10": true,\n        "2": [],\n        "\\u003c": "\\u0026",\n        "a": {}\n    },\n    "c": [\n        {\n            "y": null,\n            "x": "\\u2028"\n        }\n    ]\n}\n',
        );
        assert.ok(text.startsWith('{\n    "config": {\n        "enterprise-integration:apiKey": "[secret]",'));
    });

    it("a new stack: the stack and everything in it to create", () => {
        const empty: PlanGraph = { stack: "prod", resources: [], outputs: {} };
        const created = previewDigest({ diff: diffPlans(empty, prod), base: empty, head: prod });
        assert.deepEqual(created.steps![0], {
            op: "create",
            urn: prod.resources[0]!.urn,
            newState: { urn: prod.resources[0]!.urn, custom: false, type: "pulumi:pulumi:Stack" },
            detailedDiff: null,
        });
        assert.deepEqual(created.changeSummary, { create: diffPlans(empty, prod).steps.length + 1 });
        assert.ok(created.steps!.every((step) => step.op === "create" && step.oldState === undefined));
    });

    it("a stack reference as the engine reads it: a read step of an external resource, by the builtin provider", async () => {
        const dr = planGraph(await stackRun("prod-dr"));
        const digest = previewDigest({ diff: diffPlans(dr, dr), base: dr, head: dr });
        const reads = digest.steps!.filter((step) => step.op === "read");
        assert.ok(reads.length > 0);
        for (const read of reads) {
            assertGoShape(JSON.parse(marshalIndent(read)), "PreviewStep", read.urn);
            assert.equal(read.provider, `urn:pulumi:prod-dr::enterprise-integration::pulumi:providers:pulumi::default::${unknownSentinel}`);
            assert.equal(read.newState!.external, true);
            assert.equal(read.newState!.id, (find(dr, read.urn.split("::").pop()!).inputs as { name: string }).name);
        }
        assert.equal(digest.changeSummary!.read, undefined, "a read of what did not change is not counted");
    });

    it("the program's warnings only: those about the project and stack files are the CLI's, printed before the engine starts", async () => {
        const dir = tempProject({ qa: `${await stackFileFor()}unknownSetting: 1\n` });
        const project = loadProject(dir);
        const fileWarnings = programConfig(project, loadStackFile(project, "qa")).warnings;
        assert.ok(fileWarnings.length > 0, "the stack file has a warning");
        assert.deepEqual(
            programWarnings({ stack: "qa", warnings: [...fileWarnings, "API shipments: a note"] } as unknown as StackRun, dir),
            ["API shipments: a note"],
        );
    });
});

describe("npm run plan: --out, --show-secrets, a plan saved through npm", function () {
    // Each of these plans a stack through the command, policy pack included.
    this.timeout(120_000);
    let saved: string;
    before(async () => {
        saved = path.join(temporaryDir(), "dev.json");
    });

    it("--out writes the plan to a file, which --diff takes as its base; with --diff --json, Pulumi's digest", async () => {
        const written = await plan("dev", "--json", "--out", saved);
        assert.notEqual(written.code, 2, written.stderr);
        assert.equal(written.stdout, "", "nothing on stdout");
        assert.equal(
            fs.readFileSync(saved, "utf8"),
            `${JSON.stringify(planGraph(await stackRun("dev")), null, 2)}\n`,
            "what --json prints",
        );
        // The exit code stays the plan's verdict (a mandatory violation is 1), whatever the output.
        const printed = written;
        const digestFile = path.join(temporaryDir(), "digest.json");
        const digest = await plan("dev", "--diff", saved, "--json", "--out", digestFile);
        assert.equal(digest.code, printed.code, digest.stderr);
        assert.equal(digest.stdout, "");
        const digestText = fs.readFileSync(digestFile, "utf8");
        assert.ok(digestText.startsWith('{\n    "config": {\n'), digestText.slice(0, 80));
        const parsed = JSON.parse(digestText) as Record<string, any>;
        assertGoShape(parsed, "PreviewDigest", "digest", [extraKey]);
        assert.ok(Number.isInteger(parsed.duration) && parsed.duration > 0, "the plan's duration in nanoseconds");
        assert.deepEqual(
            parsed.steps.map((step: any) => step.op),
            ["same"],
        );
        const markdown = path.join(temporaryDir(), "diff.md");
        assert.equal((await plan("dev", "--diff", saved, "--out", markdown)).code, printed.code);
        assert.match(fs.readFileSync(markdown, "utf8"), /^### `dev`: no changes/);
        const nowhere = await plan("dev", "--json", "--out", path.join(temporaryDir(), "no-such-dir", "plan.json"));
        assert.equal(nowhere.code, 1);
        assert.match(nowhere.stderr, /--out .*no-such-dir.*plan\.json: ENOENT/);
    });

    it("--show-secrets: taken as pulumi preview takes it; the digest still masks secrets, as Pulumi 3.248's does", async () => {
        const prod = planGraph(await stackRun("prod"));
        const base = copy(prod);
        (find(base, "secrets-secret-api-client-secret").inputs.properties as Record<string, unknown>).contentType = "text/old";
        const file = path.join(temporaryDir(), "prod.json");
        fs.writeFileSync(file, JSON.stringify(base));
        const masked = await plan("prod", "--diff", file, "--json");
        const shown = await plan("prod", "--diff", file, "--json", "--show-secrets");
        assert.equal(shown.code, masked.code, shown.stderr);
        const withoutDuration = (output: string) => {
            const { duration, ...rest } = JSON.parse(output) as Record<string, unknown>;
            assert.ok(typeof duration === "number");
            return rest;
        };
        assert.deepEqual(withoutDuration(shown.stdout), withoutDuration(masked.stdout));
        const step = (JSON.parse(shown.stdout).steps as any[]).find((candidate) =>
            candidate.urn.endsWith("::secrets-secret-api-client-secret"),
        );
        assert.equal(step.newState.inputs.properties.value, "[secret]");
        assert.match((await plan("prod", "--help")).stdout, /--show-secrets\n/);
    });

    it("reads a plan saved through npm, past npm's banner and only that", async () => {
        const banner = await npmBanner;
        assert.match(banner, /^\n?> enterprise-integration@[^\n]* plan\n> [^\n]*commands\/plan\/index\.ts dev --help\n\n$/);
        const graph = planGraph(await stackRun("dev"));
        const file = path.join(temporaryDir(), "dev-npm.json");
        fs.writeFileSync(file, `${banner.replace(" --help", " --json")}${JSON.stringify(graph, null, 2)}\n`);
        const result = await plan("dev", "--diff", file);
        assert.notEqual(result.code, 2, result.stderr);
        assert.ok(!/--diff|is not JSON|is not a plan/.test(result.stderr), result.stderr);
        assert.match(result.stdout, /^### `dev`: no changes/);
        fs.writeFileSync(file, `a note\n${JSON.stringify(graph)}`);
        const refused = await plan("dev", "--diff", file);
        assert.equal(refused.code, 1);
        assert.match(refused.stderr, /is not JSON/);
        assert.equal(withoutNpmBanner("\r\n> p@1 plan\r\n> node x\r\n\r\n{}"), "{}");
        assert.equal(withoutNpmBanner("> p@1 plan\n\n[]"), "> p@1 plan\n\n[]", "only before the plan's {");
    });

    it("every message that tells how to save a plan says what works", () => {
        const files = (dir: string): string[] =>
            fs
                .readdirSync(dir, { withFileTypes: true })
                .flatMap((entry) =>
                    entry.isDirectory()
                        ? files(path.join(dir, entry.name))
                        : entry.name.endsWith(".ts")
                          ? [path.join(dir, entry.name)]
                          : [],
                );
        const wrong = ["engine", "commands", "scripts", "generators", "tests"]
            .flatMap((dir) => files(path.join(repoRoot, dir)))
            .flatMap((file) =>
                fs
                    .readFileSync(file, "utf8")
                    .split("\n")
                    .filter((line) => !/^\s*(\*|\/\/)/.test(line) && /npm run plan -- [^\n`'"]*--json\s*>/.test(line))
                    .map((line) => `${path.relative(repoRoot, file)}: ${line.trim()}`),
            );
        assert.deepEqual(wrong, []);
    });
});
