import * as fs from "node:fs";
import * as path from "node:path";
import { formatPath } from "../../components/common/rules";
import type { StackRun } from "../../engine";
import { loadProject, loadStackFile, programConfig, repoRoot } from "../../engine/project";
import { unknownMarker } from "../../engine/values";
import type { PlanGraph, PlanResource } from "./graph";
import type { PlanDiff, Step } from "./plan-diff";
import { replacedBy } from "./replace-rules";

/**
 * A plan diff as `pulumi preview --json` prints it: the `PreviewDigest` of Pulumi 3.248.0, field by
 * field, from two offline plans of a stack. The Go sources each part follows are named where it is
 * built (all at tag v3.248.0 of github.com/pulumi/pulumi):
 *
 * - pkg/display/json.go: the structs `PreviewDigest`, `PreviewStep`, `PropertyDiff`,
 *   `PreviewDiagnostic` (the JSON names and `omitempty`);
 * - pkg/backend/display/json.go: `ShowPreviewDigest` (which events fill which field) and
 *   `getPreviewMetadataStep`, `stateForJSONOutput` (a step and its states);
 * - sdk/go/common/apitype/core.go `ResourceV3` and pkg/resource/stack/deployment.go
 *   `SerializeResource`, `SerializePropertyValue` (a state's shape, unknowns as the sentinel).
 *
 * What an offline plan cannot know is left out, as Go leaves out an empty `omitempty` field: a
 * resource's Azure id and outputs (no state is read), its per-input dependencies, source position
 * and timestamps. The ids of the default providers are the sentinel of a provider not yet created.
 */

/** Pulumi's value for what is known only after deploy (pkg/resource/stack/deployment.go `computedValuePlaceholder`; sdk/go/common/resource/plugin/rpc.go `UnknownStringValue`). */
export const unknownSentinel = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The one key of the JSON that Pulumi's digest does not have: what this project adds (hazards, cost, the base). */
export const extraKey = "x-enterprise-integration";

/** pkg/resource/deploy/step.go: the `display.StepOp` labels a preview of these plans can show. */
export type StepOp = "same" | "create" | "update" | "delete" | "replace" | "read" | "discard";

/** pkg/display/json.go `PropertyDiff`: `kind` and `inputDiff`, neither omitempty. */
export interface PropertyDiff {
    kind: "add" | "add-replace" | "delete" | "delete-replace" | "update" | "update-replace";
    inputDiff: boolean;
}

/** The fields of sdk/go/common/apitype/core.go `ResourceV3` an offline plan fills; the rest stay empty, so omitted. */
export interface ResourceV3 {
    urn: string;
    custom: boolean;
    id?: string;
    type: string;
    inputs?: Record<string, unknown>;
    parent?: string;
    protect?: boolean;
    external?: boolean;
    dependencies?: string[];
    provider?: string;
    ignoreChanges?: string[];
}

/** pkg/display/json.go `PreviewStep`: only `detailedDiff` is not omitempty (a nil map is `null`). */
export interface PreviewStep {
    op: StepOp;
    urn: string;
    provider?: string;
    oldState?: ResourceV3;
    newState?: ResourceV3;
    diffReasons?: string[];
    replaceReasons?: string[];
    detailedDiff: Record<string, PropertyDiff> | null;
}

/** pkg/display/json.go `PreviewDiagnostic`: every field omitempty. */
export interface PreviewDiagnostic {
    urn?: string;
    prefix?: string;
    message?: string;
    severity?: "debug" | "info" | "info#err" | "warning" | "error";
}

/** pkg/display/json.go `PreviewDigest`: every field omitempty. */
export interface PreviewDigest {
    config?: Record<string, string>;
    steps?: PreviewStep[];
    diagnostics?: PreviewDiagnostic[];
    /** Nanoseconds (Go's `time.Duration`). */
    duration?: number;
    changeSummary?: Partial<Record<StepOp, number>>;
    maybeCorrupt?: boolean;
}

/** A provider SDK the program uses: what the engine names its default provider after. */
export interface ProviderPackage {
    version?: string;
    /** The SDK's `pluginDownloadURL`, when it has one. */
    downloadUrl?: string;
}

/** What the digest is made of: the diff, both plans, and what the run of the head said. */
export interface DigestInput {
    diff: PlanDiff;
    base: PlanGraph;
    head: PlanGraph;
    /** The config the head ran with (namespaced key to text; secrets already "[secret]"). */
    config?: { readonly values: Readonly<Record<string, string>> };
    /** What the program warned about (`pulumi.log.warn`), in order. */
    warnings?: readonly string[];
    /** How long the plan took, in nanoseconds. */
    durationNs?: number;
    /** The provider SDKs by package name; default: those installed here ({@link installedProviders}). */
    providers?: ReadonlyMap<string, ProviderPackage>;
}

/**
 * The objects Go writes as structs, in field order; every other object is a Go map, whose keys
 * encoding/json sorts (encode.go `mapEncoder`).
 */
const structs = new WeakSet<object>();

/** Marks `value` as a struct for {@link marshalIndent}: its keys keep their order. */
export function struct<T extends object>(value: T): T {
    structs.add(value);
    return value;
}

/** Go's order of map keys: by bytes (UTF-8; the same as UTF-16 order below the surrogates). */
const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

/** encoding/json's HTML-safe escaping, on by default for Marshal and MarshalIndent (encode.go `appendString`). */
const htmlEscaped = (text: string) =>
    text.replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);

/**
 * A value as `json.MarshalIndent(v, "", "    ")` then `fmt.Println` write it, as
 * pkg/backend/display/json.go `ShowPreviewDigest` prints the digest: four-space indent, struct
 * fields in their order (objects marked with {@link struct}), map keys sorted, `<`, `>`, `&`
 * escaped, a final newline.
 */
export function marshalIndent(value: unknown): string {
    const write = (inner: unknown, indent: string): string => {
        if (inner === null || inner === undefined) {
            return "null";
        }
        const next = `${indent}    `;
        if (Array.isArray(inner)) {
            return inner.length === 0 ? "[]" : `[\n${inner.map((item) => `${next}${write(item, next)}`).join(",\n")}\n${indent}]`;
        }
        if (typeof inner === "object") {
            const entries = Object.entries(inner).filter(([, item]) => item !== undefined);
            if (!structs.has(inner)) {
                entries.sort(byKey);
            }
            return entries.length === 0
                ? "{}"
                : `{\n${entries.map(([key, item]) => `${next}${JSON.stringify(key)}: ${write(item, next)}`).join(",\n")}\n${indent}}`;
        }
        return JSON.stringify(inner);
    };
    return `${htmlEscaped(write(value, ""))}\n`;
}

/** A value as `json.Marshal` writes it (compact, map keys sorted, HTML-escaped). */
function marshalCompact(value: unknown): string {
    const write = (inner: unknown): string => {
        if (Array.isArray(inner)) {
            return `[${inner.map(write).join(",")}]`;
        }
        if (inner !== null && typeof inner === "object") {
            return `{${Object.entries(inner)
                .sort(byKey)
                .map(([key, item]) => `${JSON.stringify(key)}:${write(item)}`)
                .join(",")}}`;
        }
        return JSON.stringify(inner);
    };
    return htmlEscaped(write(value));
}

/**
 * A plan value as the engine serializes it: what the plan marks as known after deploy is the
 * unknown sentinel (pkg/resource/stack/deployment.go `SerializePropertyValue`: a computed value is
 * `computedValuePlaceholder`). A string with an unknown part is unknown as a whole, as an output
 * interpolated from an unknown one is; so is a map with an unknown key. Secrets stay "[secret]"
 * (pkg/backend/display/json.go `massagePropertyValue`).
 */
export function engineValue(value: unknown): unknown {
    if (typeof value === "string") {
        return value.includes(unknownMarker) ? unknownSentinel : value;
    }
    if (Array.isArray(value)) {
        return value.map(engineValue);
    }
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value);
        if (entries.some(([key]) => key.includes(unknownMarker))) {
            return unknownSentinel;
        }
        return Object.fromEntries(entries.map(([key, inner]) => [key, engineValue(inner)]));
    }
    return value;
}

/**
 * sdk/go/common/tokens/names.go `IntoQName`: each `/`-separated part, empty ones dropped, with every
 * byte outside `[A-Za-z0-9_.-]` replaced by `_`.
 */
function intoQName(text: string): string {
    const parts = text
        .split("/")
        .filter((part) => part !== "")
        .map((part) =>
            [...Buffer.from(part, "utf8")]
                .map((byte) => (/[A-Za-z0-9_.-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : "_"))
                .join(""),
        );
    return parts.join("/") || "_";
}

/**
 * The name the engine gives a package's default provider (pkg/resource/deploy/providers/provider.go
 * `ProviderRequest.DefaultName`): `default`, then `_<major>_<minor>_<patch>` and each pre-release and
 * build part of the SDK's version, then `_` and the plugin download URL as a QName. The URL loses a
 * trailing `/` when there is a version (pkg/resource/deploy/source_eval.go `parseProviderRequest`).
 */
export function defaultProviderName(provider: ProviderPackage = {}): string {
    let name = "default";
    let url = provider.downloadUrl ?? "";
    const version = provider.version ? /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(provider.version) : null;
    if (version) {
        const [, major, minor, patch, pre, build] = version;
        name += `_${Number(major)}_${Number(minor)}_${Number(patch)}`;
        for (const part of [...(pre ? pre.split(".") : []), ...(build ? build.split(".") : [])]) {
            name += `_${part}`;
        }
        url = url.replace(/\/$/, "");
    }
    if (url) {
        name += `_${intoQName(url)}`;
    }
    return name;
}

/** The stack and project a URN names (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
function urnScope(urn: string): { stack: string; project: string } {
    const [stack = "", project = ""] = urn.replace(/^urn:pulumi:/, "").split("::");
    return { stack, project };
}

/**
 * The reference to a package's default provider, as a resource's `provider` (sdk/go/common/providers/reference.go
 * `Reference.String`: URN `::` id). The URN has no parent type (pkg/resource/deploy/default_providers.go
 * `newRegisterDefaultProviderEvent`: `Parent: ""`). The id is the sentinel: a provider created in a
 * preview has no other (pkg/resource/deploy/providers/registry.go `Create`: `UnknownID` when `req.Preview`).
 */
export function defaultProviderRef(scope: { stack: string; project: string }, pkg: string, provider?: ProviderPackage): string {
    return `urn:pulumi:${scope.stack}::${scope.project}::pulumi:providers:${pkg}::${defaultProviderName(provider)}::${unknownSentinel}`;
}

let installed: Map<string, ProviderPackage> | undefined;

/**
 * The provider SDKs this repository's package.json depends on, by Pulumi package name, with the
 * version and download URL each sends with its resources (its `utilities.getVersion`, without a
 * leading `v`, and `resourceOptsDefaults`, which package.json's `pulumi.server` holds).
 */
export function installedProviders(root: string = repoRoot): ReadonlyMap<string, ProviderPackage> {
    if (installed && root === repoRoot) {
        return installed;
    }
    const found = new Map<string, ProviderPackage>();
    const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
        const file = path.join(root, "node_modules", dependency, "package.json");
        if (!fs.existsSync(file)) {
            continue;
        }
        const meta = JSON.parse(fs.readFileSync(file, "utf8")) as {
            name: string;
            version: string;
            pulumi?: { resource?: boolean; name?: string; server?: string };
        };
        if (meta.pulumi?.resource) {
            found.set(meta.pulumi.name ?? meta.name.replace(/^@[^/]+\//, ""), {
                version: meta.version.replace(/^v/, ""),
                ...(meta.pulumi.server ? { downloadUrl: meta.pulumi.server } : {}),
            });
        }
    }
    if (root === repoRoot) {
        installed = found;
    }
    return found;
}

/**
 * What the program warned about in a run (`pulumi.log.warn`): the run's warnings without those about
 * the project and stack files, which come first and which the CLI prints before the engine starts,
 * so never as a diagnostic of the digest.
 */
export function programWarnings(run: StackRun, projectDir: string): string[] {
    const project = loadProject(projectDir);
    const fileWarnings = [...programConfig(project, loadStackFile(project, run.stack), {}, run.stack).warnings];
    return run.warnings.filter((warning) => {
        const index = fileWarnings.indexOf(warning);
        if (index >= 0) {
            fileWarnings.splice(index, 1);
            return false;
        }
        return true;
    });
}

/** A property path as sdk/go/common/resource/properties_path.go `PropertyPath.String` writes it (a key with other characters than `[A-Za-z0-9_]` as `["key"]`). */
function propertyPath(segments: readonly (string | number)[]): string {
    return segments
        .map((segment, i) => {
            if (typeof segment === "number") {
                return `[${segment}]`;
            }
            if (/^[A-Za-z0-9_]+$/.test(segment)) {
                return i === 0 ? segment : `.${segment}`;
            }
            return `["${segment.replace(/"/g, '\\"')}"]`;
        })
        .join("");
}

/** The path as plan-diff.ts writes a change's (`a.b[0].c`), to find the change of a leaf. */

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The leaves that differ, as commands/plan/diff.ts `propertyChanges` finds them, with their segments. */
function leafChanges(
    before: unknown,
    after: unknown,
    segments: (string | number)[] = [],
): { segments: (string | number)[]; before: unknown; after: unknown }[] {
    if (isRecord(before) && isRecord(after)) {
        return [...new Set([...Object.keys(before), ...Object.keys(after)])]
            .sort()
            .flatMap((key) => leafChanges(before[key], after[key], [...segments, key]));
    }
    if (Array.isArray(before) && Array.isArray(after)) {
        return Array.from({ length: Math.max(before.length, after.length) }, (_, i) =>
            leafChanges(before[i], after[i], [...segments, i]),
        ).flat();
    }
    return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ segments, before, after }];
}

/**
 * A step's `detailedDiff` (pkg/backend/display/json.go `getPreviewMetadataStep`: each
 * `plugin.PropertyDiff` as its `Kind.String()` and `InputDiff`). The kinds are
 * sdk/go/common/resource/plugin/provider.go `DiffKind.String`; `-replace` where the change forces
 * the replacement. A path through a key known only after deploy stops at the map that holds it.
 */
function detailedDiff(step: Step): Record<string, PropertyDiff> {
    const diff: Record<string, PropertyDiff> = {};
    for (const leaf of leafChanges(step.before?.inputs ?? {}, step.after?.inputs ?? {})) {
        const unknownAt = leaf.segments.findIndex((segment) => typeof segment === "string" && segment.includes(unknownMarker));
        const segments = unknownAt >= 0 ? leaf.segments.slice(0, unknownAt) : leaf.segments;
        const kind = unknownAt >= 0 ? "update" : leaf.before === undefined ? "add" : leaf.after === undefined ? "delete" : "update";
        // The rule the plan diff applies to the same index path (its own changes name keyed lists by key).
        const replaces = step.op === "replace" && replacedBy(step.type, formatPath(leaf.segments)) !== undefined;
        const key = propertyPath(segments);
        diff[key] = struct({ kind: replaces ? `${kind}-replace` : kind, inputDiff: true } as PropertyDiff);
    }
    return diff;
}

/** The top-level inputs that change: `diffReasons` (the step's `Diffs()`, `diff.ChangedKeys`). */
function diffKeys(step: Step): string[] {
    return [...new Set(step.changes.map((change) => change.path.split(/[.[]/)[0]!))];
}

/**
 * The digest of a diff. Steps, in the order the engine reports them: the stack first (always
 * shown: pkg/backend/display/json.go `isRootStack`), then each resource of the head as the program
 * registers it (a StackReference as a `read`), then the deletions, last to first. A resource whose
 * only change is `protect` is a `same` step, shown because of it (pkg/backend/display/display.go
 * `shouldShow`); other unchanged resources are not shown, and default providers never are (their
 * steps are internal: pkg/engine/update.go `isInternalStep`).
 */
export function previewDigest(input: DigestInput): PreviewDigest {
    const { diff, base, head } = input;
    const providers = input.providers ?? installedProviders();
    const stackOf = (graph: PlanGraph) => graph.resources.find((resource) => resource.type === "pulumi:pulumi:Stack");
    const rootUrn =
        stackOf(head)?.urn ??
        stackOf(base)?.urn ??
        head.resources[0]?.urn ??
        base.resources[0]?.urn ??
        `urn:pulumi:${diff.stack}::::pulumi:pulumi:Stack::`;
    const scope = urnScope(rootUrn);
    /** The provider of a custom resource (a component has none: pkg/resource/deploy/step_generator.go takes the goal's). */
    const providerOf = (resource: PlanResource) =>
        resource.custom && !resource.type.startsWith("pulumi:providers:")
            ? defaultProviderRef(scope, resource.type.split(":")[0]!, providers.get(resource.type.split(":")[0]!))
            : undefined;
    const isRead = (resource: PlanResource) => resource.type === "pulumi:pulumi:StackReference";

    /** pkg/backend/display/json.go `stateForJSONOutput` then pkg/resource/stack/deployment.go `SerializeResource`, with what the plan knows. */
    const state = (resource: PlanResource): ResourceV3 => {
        const inputs = engineValue(resource.inputs ?? {}) as Record<string, unknown>;
        const provider = providerOf(resource);
        // A read resource is external, with the id it is read by: pkg/resource/deploy/step_generator.go `GenerateReadSteps`.
        const readId = isRead(resource) && typeof inputs.name === "string" && inputs.name !== unknownSentinel ? inputs.name : undefined;
        return struct({
            urn: resource.urn,
            custom: resource.custom,
            ...(readId ? { id: readId } : {}),
            type: resource.type,
            ...(Object.keys(inputs).length > 0 ? { inputs } : {}),
            ...(resource.parent ? { parent: resource.parent } : {}),
            ...(resource.protect ? { protect: true } : {}),
            ...(isRead(resource) ? { external: true } : {}),
            ...(resource.dependsOn.length > 0 ? { dependencies: [...resource.dependsOn] } : {}),
            ...(provider ? { provider } : {}),
            ...(resource.ignoreChanges && resource.ignoreChanges.length > 0 ? { ignoreChanges: [...resource.ignoreChanges] } : {}),
        });
    };

    const previewStep = (
        op: StepOp,
        urn: string,
        before: PlanResource | undefined,
        after: PlanResource | undefined,
        step?: Step,
    ): PreviewStep => {
        const provider = providerOf((after ?? before)!);
        const changes = step && (op === "update" || op === "replace");
        return struct({
            op,
            urn,
            ...(provider ? { provider } : {}),
            ...(before ? { oldState: state(before) } : {}),
            ...(after ? { newState: state(after) } : {}),
            ...(changes && step.changes.length > 0 ? { diffReasons: diffKeys(step) } : {}),
            ...(changes && step.replaceReasons.length > 0 ? { replaceReasons: [...step.replaceReasons] } : {}),
            detailedDiff: changes ? detailedDiff(step) : null,
        });
    };

    const summary: Partial<Record<StepOp, number>> = {};
    const count = (op: StepOp) => {
        summary[op] = (summary[op] ?? 0) + 1;
    };
    const steps: PreviewStep[] = [];
    const baseByUrn = new Map(base.resources.map((resource) => [resource.urn, resource]));
    const headByUrn = new Map(head.resources.map((resource) => [resource.urn, resource]));
    const stepByUrn = new Map(diff.steps.map((step) => [step.urn, step]));

    const headStack = stackOf(head);
    if (headStack) {
        const baseStack = baseByUrn.get(headStack.urn);
        const op = baseStack ? "same" : "create";
        steps.push(previewStep(op, headStack.urn, baseStack, headStack));
        count(op);
    }
    const shown = new Set<string>();
    for (const resource of head.resources) {
        if (isRead(resource)) {
            // Recorded in the summary only when what it reads changed (pkg/engine/update.go `shouldRecordReadStep`), which a plan cannot tell.
            steps.push(previewStep("read", resource.urn, baseByUrn.get(resource.urn), resource));
            continue;
        }
        const step = stepByUrn.get(resource.urn);
        if (!step || step.op === "delete") {
            continue;
        }
        shown.add(step.urn);
        const op: StepOp = step.op === "update" && step.changes.length === 0 ? "same" : step.op;
        steps.push(previewStep(op, step.urn, step.before, step.after, step));
        count(op);
    }
    for (const step of diff.steps.filter((candidate) => candidate.op !== "delete" && !shown.has(candidate.urn))) {
        steps.push(previewStep(step.op, step.urn, step.before, step.after, step));
        count(step.op);
    }
    const baseOrder = new Map(base.resources.map((resource, i) => [resource.urn, i]));
    const deletions = [
        ...diff.steps
            .filter((step) => step.op === "delete")
            .map((step) => ({ urn: step.urn, before: step.before!, op: "delete" as const })),
        // A read resource the program no longer reads is discarded: pkg/resource/deploy/step.go `DeleteStep.Op` (`OpReadDiscard` when external).
        ...base.resources
            .filter((resource) => isRead(resource) && !headByUrn.has(resource.urn))
            .map((resource) => ({ urn: resource.urn, before: resource, op: "discard" as const })),
    ].sort((a, b) => (baseOrder.get(b.urn) ?? 0) - (baseOrder.get(a.urn) ?? 0));
    for (const deletion of deletions) {
        steps.push(previewStep(deletion.op, deletion.urn, deletion.before, undefined));
        count(deletion.op);
    }
    // The same resources are counted, not shown (pkg/engine/update.go `previewActions.OnResourceStepPost`).
    if (diff.same > 0) {
        summary.same = (summary.same ?? 0) + diff.same;
    }

    // The prelude's config, secrets blinded whatever --show-secrets says (pkg/engine/events.go
    // `preludeEvent`: `config.NewBlindingDecrypter()`); an object value as json.Marshal writes it
    // (sdk/go/common/resource/config/plaintext.go `Plaintext.marshalText`).
    const config = Object.fromEntries(
        Object.entries(input.config?.values ?? {}).map(([key, text]) => {
            if (/^[[{]/.test(text)) {
                try {
                    return [key, marshalCompact(JSON.parse(text))];
                } catch {
                    return [key, text];
                }
            }
            return [key, text];
        }),
    );
    // A program's warning, as the engine's event sink words it (pkg/engine/eventsink.go
    // `Stringify`: the prefix "warning: ", the message and a newline), then as ShowPreviewDigest
    // records it: prefix and message in `message`, colours removed, no `prefix` of its own.
    const diagnostics: PreviewDiagnostic[] = (input.warnings ?? []).map((warning) =>
        struct({ message: `warning: ${warning}\n`, severity: "warning" as const }),
    );
    return struct({
        ...(Object.keys(config).length > 0 ? { config } : {}),
        ...(steps.length > 0 ? { steps } : {}),
        ...(diagnostics.length > 0 ? { diagnostics } : {}),
        ...(input.durationNs && input.durationNs > 0 ? { duration: Math.round(input.durationNs) } : {}),
        ...(Object.keys(summary).length > 0 ? { changeSummary: summary } : {}),
        // maybeCorrupt: a preview never sets it (pkg/engine/update.go `previewActions.MaybeCorrupt`), so it is always omitted.
    });
}
