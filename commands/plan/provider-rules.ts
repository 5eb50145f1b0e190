import * as fs from "node:fs";
import * as path from "node:path";
import type { RegisteredResource, StackRun } from "../../engine";
import { unknownMarker } from "../../engine/values";
import type { GenericResourceFacts, PathRule, ProviderRules } from "./provider-table";

/**
 * What azure-native would refuse to do with the program's generic resources
 * (`azure-native:resources:Resource`), found before any deployment:
 * - create one at a path Azure creates together with its parent: azure-native reads a resource before
 *   it creates it and fails with "cannot create already existing resource '<id>'" when the read finds
 *   it (provider/pkg/provider/provider.go defaultCreate -> provider/pkg/azure/client_azcore.go
 *   azCoreClient.CanCreate); the generic resource is neither a singleton nor has a default state, the
 *   two cases that check lets through (provider/pkg/gen/schema.go isSingleton,
 *   provider/pkg/openapi/discover.go addResourcesAndInvokes);
 * - delete one at a path the REST spec has no DELETE for: azure-native deletes a generic resource with
 *   a DELETE on its id and lets only a 404 pass (provider.go Delete -> client_azcore.go
 *   azCoreClient.Delete).
 * The paths and the facts come from commands/plan/provider-paths.json, written by
 * generators/derive-provider-rules.ts with the files and commits it read.
 */

/** A step of `pulumi up` or `pulumi destroy` that azure-native would fail, and what to do instead. */
export interface ProviderRefusal {
    /** The resource's logical name. */
    resource: string;
    /** Its type token. */
    type: string;
    /** The ARM path azure-native calls: the subscription as `{subscriptionId}`, parts known only after deploy as "(known after deploy)". */
    path: string;
    /** `create`: `pulumi up` fails creating it; `delete`: `pulumi destroy`, or the update after it leaves the program, fails deleting it. */
    kind: "create" | "delete";
    message: string;
}

let loaded: ProviderRules | undefined;

/** The table derived from the REST specs and azure-native (provider-paths.json). */
export function providerRules(): ProviderRules {
    loaded ??= JSON.parse(fs.readFileSync(path.join(__dirname, "provider-paths.json"), "utf8")) as ProviderRules;
    return loaded;
}

/** One segment of an ARM path: its text, or null when it is known only after deploy. */
type Segment = string | null;

/** A plain input's text, or null when it is unknown (absent, not a string, or holding the plan's unknown marker). */
function known(value: unknown): string | null {
    return typeof value === "string" && value !== "" && !value.includes(unknownMarker) ? value : null;
}

/** Go's url.PathEscape, which azure-native applies to a path parameter (crud.PrepareAzureRESTIdAndQuery). */
function pathEscape(text: string): string {
    return [...new TextEncoder().encode(text)]
        .map((byte) => {
            const char = String.fromCharCode(byte);
            return /[A-Za-z0-9\-_.~$&+:=@]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
        })
        .join("");
}

/**
 * The segments of the ARM path azure-native calls for a generic resource, built as
 * crud.PrepareAzureRESTIdAndQuery does: each `{parameter}` of the Resources spec's path replaced by its
 * input, path-escaped, except the parameters marked `x-ms-skip-url-encoding` (parentResourcePath,
 * resourceType), which keep their slashes with those at either end trimmed. `subscriptionId` comes from
 * the provider's configuration, so it is unknown here. Undefined when a part that may span several
 * segments is unknown: then the path's shape is unknown.
 */
export function genericResourceSegments(
    inputs: Record<string, unknown>,
    generic: GenericResourceFacts = providerRules().genericResource,
): Segment[] | undefined {
    const segments: Segment[] = [];
    for (const part of generic.path.split("/").filter((text) => text !== "")) {
        const parameter = /^\{(.+)\}$/.exec(part)?.[1];
        if (parameter === undefined) {
            segments.push(part);
        } else if (parameter === "subscriptionId") {
            segments.push(null);
        } else if (generic.unescaped.includes(parameter)) {
            const value = inputs[parameter];
            if (typeof value !== "string" || value.trim() === unknownMarker) {
                return undefined;
            }
            // An empty parentResourcePath (a top-level resource) adds no segment; an unknown part
            // inside a known one (`service/(known after deploy)`) stands for one segment.
            segments.push(
                ...value
                    .replace(/^\/+|\/+$/g, "")
                    .split("/")
                    .filter((text) => text !== "")
                    .map((text) => (text.includes(unknownMarker) ? null : text)),
            );
        } else {
            segments.push(known(inputs[parameter]));
        }
    }
    return segments;
}

/** The path as text: the subscription as `{subscriptionId}`, other unknown parts as the plan's marker. */
function pathText(segments: readonly Segment[], generic: GenericResourceFacts): string {
    const subscriptionAt = generic.path
        .split("/")
        .filter((text) => text !== "")
        .indexOf("{subscriptionId}");
    return `/${segments.map((segment, index) => (segment === null ? (index === subscriptionAt ? "{subscriptionId}" : unknownMarker) : pathEscape(segment))).join("/")}`;
}

/**
 * Whether a rule holds for the path whatever its unknown parts turn out to be: literal segments match
 * case-insensitively (ARM paths are), a parameter matches any known or unknown segment, and a last
 * parameter limited to names matches only one of them, known.
 */
function matches(rule: PathRule, segments: readonly Segment[]): boolean {
    const template = rule.path.split("/").filter((text) => text !== "");
    if (template.length !== segments.length) {
        return false;
    }
    return template.every((part, index) => {
        const segment = segments[index];
        const isParameter = /^\{.+\}$/.test(part);
        if (!isParameter) {
            return segment !== null && segment.toLowerCase() === part.toLowerCase();
        }
        const names = index === template.length - 1 ? rule.existsWithParent?.names : undefined;
        return names === undefined || (segment !== null && names.some((name) => name.toLowerCase() === segment.toLowerCase()));
    });
}

function specName(rule: PathRule): string {
    return `${path.posix.basename(rule.specFile)}, ${rule.apiVersion}`;
}

/** Why Azure has the resource before the program creates it. */
function whyItExists(rule: PathRule): string {
    switch (rule.existsWithParent?.reason) {
        case "fixed-name":
            return `Azure creates it together with its parent: the REST spec (${specName(rule)}) fixes its name and has no DELETE for it.`;
        case "fixed-names":
            return `Azure creates it together with its parent: the REST spec (${specName(rule)}) allows only the names ${(rule.existsWithParent.names ?? []).join(", ")} and has no DELETE for it.`;
        default:
            return "Azure creates it together with its parent, in the default state azure-native records for it (provider/pkg/openapi/defaults/defaultResourcesState.go).";
    }
}

function createMessage(resource: RegisteredResource, pathShown: string, rule: PathRule, rules: ProviderRules): string {
    const refusal = rules.provider.existenceCheck.message.replace("%s", pathShown);
    const instead =
        rule.typed?.adoptsExisting === true
            ? `Use ${rule.typed.token} instead: azure-native takes over the one Azure created${rule.existsWithParent?.reason === "default-state" ? " while it is still in that default state" : ""}.`
            : `azure-native ${rules.source.sdk.version} has no typed resource for this path, so it cannot be managed through ${rules.genericResource.token}.`;
    return (
        `${resource.type} "${resource.name}" (${pathShown}): \`pulumi up\` fails creating it with "${refusal}". ${whyItExists(rule)} ` +
        `azure-native reads a resource before creating it and refuses one that exists, except a singleton or one whose default state it knows, and the generic resource is neither. ${instead}`
    );
}

function deleteMessage(resource: RegisteredResource, pathShown: string, rule: PathRule): string {
    return (
        `${resource.type} "${resource.name}" (${pathShown}): \`pulumi destroy\`, or the \`pulumi up\` after it is removed from the program, fails deleting it: ` +
        `azure-native deletes a generic resource with a DELETE on its id, and the REST spec (${specName(rule)}) has no DELETE for this path (azure-native lets only a 404 pass). ` +
        "Set retainOnDelete: true on it, so that Pulumi leaves it in Azure."
    );
}

/**
 * The create and delete steps azure-native would refuse for the run's generic resources. A resource is
 * checked against the rules of its namespace at its own `apiVersion`; one whose API version, or whose
 * path's shape (resourceProviderNamespace aside, parentResourcePath and resourceType), is unknown is
 * skipped, and so is a rule that would hold only for some values of the unknown parts. A resource with
 * retainOnDelete is never deleted by Pulumi, so it gets no delete refusal.
 */
export function providerRefusals(run: StackRun, rules: ProviderRules = providerRules()): ProviderRefusal[] {
    const generic = rules.genericResource;
    const refusals: ProviderRefusal[] = [];
    for (const resource of run.resources) {
        if (resource.type !== generic.token || !resource.custom || resource.read) {
            continue;
        }
        // The inputs as the plan shows them: a part the mocks invented (a name's random suffix) is unknown.
        const apiVersion = known(resource.planInputs.apiVersion);
        const segments = genericResourceSegments(resource.planInputs, generic);
        if (apiVersion === null || segments === undefined) {
            continue;
        }
        const pathShown = pathText(segments, generic);
        for (const rule of rules.rules) {
            if (rule.apiVersion !== apiVersion || !matches(rule, segments)) {
                continue;
            }
            if (rule.existsWithParent !== undefined) {
                refusals.push({
                    resource: resource.name,
                    type: resource.type,
                    path: pathShown,
                    kind: "create",
                    message: createMessage(resource, pathShown, rule, rules),
                });
            }
            if (rule.delete === null && !resource.retainOnDelete) {
                refusals.push({
                    resource: resource.name,
                    type: resource.type,
                    path: pathShown,
                    kind: "delete",
                    message: deleteMessage(resource, pathShown, rule),
                });
            }
        }
    }
    return refusals;
}

/** The plan's section on what the provider would refuse: nothing, or each refusal (the plan then fails). */
export function providerText(refusals: readonly ProviderRefusal[]): string {
    if (refusals.length === 0) {
        return "Provider checks (azure-native's create and delete rules for generic resources): nothing refused";
    }
    return [
        `Provider checks: azure-native would refuse ${refusals.length} ${refusals.length === 1 ? "step" : "steps"}:`,
        ...refusals.flatMap((refusal) =>
            wrapWords(refusal.message, 150).map((line, i) => `  ${i === 0 ? refusal.kind.padEnd(6) : "      "}  ${line}`),
        ),
    ].join("\n");
}

/** The same, as Markdown for a pull-request comment. */
export function providerMarkdown(refusals: readonly ProviderRefusal[]): string {
    if (refusals.length === 0) {
        return "";
    }
    return [
        `**azure-native would refuse ${refusals.length} ${refusals.length === 1 ? "step" : "steps"}:**`,
        "",
        ...refusals.map((refusal) => `- **${refusal.kind}**: ${refusal.message}`),
        "",
    ].join("\n");
}

/** Splits text into lines of at most `width` characters at spaces (a longer word stays whole). */
function wrapWords(text: string, width: number): string[] {
    const lines: string[] = [];
    let line = "";
    for (const word of text.split(" ")) {
        if (line !== "" && line.length + 1 + word.length > width) {
            lines.push(line);
            line = word;
        } else {
            line = line === "" ? word : `${line} ${word}`;
        }
    }
    return line === "" ? lines : [...lines, line];
}
