import * as pulumi from "@pulumi/pulumi";
import type { Fabricated, FabricatedEntry } from "./mocks";

/**
 * Serialized Pulumi property values (what the program sends to the engine) turned into:
 * - plain values, for tests that assert exact inputs (secrets unwrapped, references as URNs);
 * - plan values, what a reviewer may trust: secrets as "[secret]", anything the mocks made up
 *   (ids, addresses, keys, random suffixes) as "(known after deploy)".
 */

import { secretMarker } from "../components/common/names";

export { secretMarker };
export const unknownMarker = "(known after deploy)";

const sigKey = pulumi.runtime.specialSigKey;

type Signature = "secret" | "resource" | "asset" | "archive" | "output" | undefined;

function signatureOf(value: unknown): Signature {
    if (value === null || typeof value !== "object" || !(sigKey in value)) {
        return undefined;
    }
    switch ((value as Record<string, unknown>)[sigKey]) {
        case pulumi.runtime.specialSecretSig:
            return "secret";
        case pulumi.runtime.specialResourceSig:
            return "resource";
        case pulumi.runtime.specialAssetSig:
            return "asset";
        case pulumi.runtime.specialArchiveSig:
            return "archive";
        case pulumi.runtime.specialOutputValueSig:
            return "output";
        default:
            return undefined;
    }
}

/** The value as the program meant it: secrets unwrapped, resource references as their URN. */
export function plainValue(value: unknown): unknown {
    if (value === pulumi.runtime.unknownValue || pulumi.isUnknown(value)) {
        return undefined;
    }
    const record = value as Record<string, unknown>;
    switch (signatureOf(value)) {
        case "secret":
            return plainValue(record.value);
        case "resource":
            return record.urn;
        case "output":
            return plainValue(record.value);
        case "asset":
        case "archive":
            return record.path ?? record.uri ?? record.text ?? "[asset]";
        default:
            break;
    }
    if (Array.isArray(value)) {
        return value.map(plainValue);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plainValue(inner)]));
    }
    return value;
}

/** Whether the serialized value is, or holds, a secret. */
export function containsSecret(value: unknown): boolean {
    if (signatureOf(value) === "secret") {
        return true;
    }
    if (value !== null && typeof value === "object") {
        return Object.values(value).some(containsSecret);
    }
    return false;
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * One regular expression source that matches any of `words`, longest first, built as a trie: a
 * plain alternation of hundreds of invented values makes the engine try each of them at every
 * position of a string, which takes seconds on a large imported document; the trie tries only
 * the words that share what is already matched.
 */
export function trieSource(words: readonly string[]): string {
    interface Node {
        end: boolean;
        next: Map<string, Node>;
    }
    const root: Node = { end: false, next: new Map() };
    for (const word of words) {
        let node = root;
        for (const char of word) {
            let child = node.next.get(char);
            if (!child) {
                child = { end: false, next: new Map() };
                node.next.set(char, child);
            }
            node = child;
        }
        node.end = true;
    }
    const source = (node: Node): string => {
        const branches = [...node.next.entries()].map(([char, child]) => `${escaped(char)}${source(child)}`);
        if (branches.length === 0) {
            return "";
        }
        const group = branches.length === 1 ? branches[0]! : `(?:${branches.join("|")})`;
        return node.end ? `(?:${group})?` : group;
    };
    return source(root);
}

/**
 * Replaces invented values with {@link unknownMarker}: whole values, values of five characters or
 * more inside longer strings, and pieces the program takes apart after their context (`sv=1.0`
 * shows as `sv=(known after deploy)`).
 */
export class PlanRenderer {
    private readonly pattern: RegExp | undefined;

    constructor(private readonly fabricated: Fabricated) {
        const embeddable = fabricated.embeddable(5);
        const alternatives = [
            ...(embeddable.length > 0 ? [trieSource(embeddable)] : []),
            ...fabricated.contextual().map(([context, value]) => `(?<=${escaped(context)})${escaped(value)}`),
        ];
        this.pattern = alternatives.length > 0 ? new RegExp(alternatives.join("|"), "g") : undefined;
    }

    private text(value: string): string {
        if (this.fabricated.has(value)) {
            return unknownMarker;
        }
        return this.pattern ? value.replace(this.pattern, unknownMarker) : value;
    }

    /** The value as the plan shows it. */
    render(value: unknown): unknown {
        if (value === pulumi.runtime.unknownValue) {
            return unknownMarker;
        }
        const record = value as Record<string, unknown>;
        switch (signatureOf(value)) {
            case "secret":
                return secretMarker;
            case "resource":
                return record.urn;
            case "output":
                return record.secret ? secretMarker : this.render(record.value);
            case "asset":
            case "archive":
                return "[asset]";
            default:
                break;
        }
        if (typeof value === "string") {
            return this.text(value);
        }
        if (Array.isArray(value)) {
            return value.map((inner) => this.render(inner));
        }
        if (value !== null && typeof value === "object") {
            // Keys too: a map keyed by resource ids (`userAssignedIdentities`) holds invented ids there.
            return Object.fromEntries(Object.entries(value).map(([key, inner]) => [this.text(key), this.render(inner)]));
        }
        return value;
    }
}

/**
 * Inputs the program computes by hashing other inputs of the same resource, by type: no piece of
 * an invented value survives a hash, so the plan marks such an input as known after deploy when
 * one of its sources is (as `pulumi preview` would, with the sources unknown).
 */
const hashedInputs: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
    // components/identity/grants.ts: a GUID of scope, principal and role.
    "azure-native:authorization:RoleAssignment": { roleAssignmentName: ["scope", "principalId", "roleDefinitionId"] },
};

function mentionsUnknown(value: unknown): boolean {
    if (typeof value === "string") {
        return value.includes(unknownMarker);
    }
    return value !== null && typeof value === "object" && Object.values(value).some(mentionsUnknown);
}

/** The plan's inputs of a resource, with its hashed inputs marked when their sources are invented. */
export function withHashedInputs(type: string, planInputs: Record<string, unknown>): Record<string, unknown> {
    const hashed = hashedInputs[type];
    if (!hashed) {
        return planInputs;
    }
    const marked = { ...planInputs };
    for (const [input, sources] of Object.entries(hashed)) {
        if (input in marked && sources.some((source) => mentionsUnknown(planInputs[source]))) {
            marked[input] = unknownMarker;
        }
    }
    return marked;
}

/**
 * The values a real `pulumi preview` hands a policy pack: what the deployment alone will know is
 * Pulumi's unknown (`pulumi.runtime.unknownValue`), the rest as the program sent it (secrets still
 * wrapped, as the engine marshals them with `KeepSecrets`, `pkg/resource/plugin/analyzer_plugin.go`).
 *
 * In a preview, a value computed from an unknown is unknown as a whole: a string that holds an
 * invented value, a map keyed by one, an input hashed from one. Invented values a preview would
 * know (the signed-in identity, another stack's deployed outputs; `StackRun.knownInPreview`) stay
 * as they are. One value stays ambiguous: a string the program builds from known parts that
 * equals an invented id (a resource group's id written out from the subscription and its name) is
 * read as the id, unknown.
 */
export class PreviewValues {
    private readonly pattern: RegExp | undefined;
    private readonly whole: ReadonlySet<string>;

    constructor(fabricated: readonly FabricatedEntry[], knownInPreview: readonly string[]) {
        const known = new Set(knownInPreview);
        const values = fabricated.filter((entry): entry is string => typeof entry === "string" && !known.has(entry));
        const embeddable = values.filter((value) => value.length >= 5).sort((a, b) => b.length - a.length);
        const alternatives = [
            ...(embeddable.length > 0 ? [trieSource(embeddable)] : []),
            ...fabricated
                .filter((entry): entry is readonly [string, string] => Array.isArray(entry))
                .map(([context, value]) => `(?<=${escaped(context)})${escaped(value)}`),
        ];
        this.pattern = alternatives.length > 0 ? new RegExp(alternatives.join("|")) : undefined;
        this.whole = new Set([
            ...values,
            ...fabricated
                .filter((entry): entry is { readonly whole: string } => typeof entry === "object" && "whole" in entry)
                .map((entry) => entry.whole)
                .filter((value) => !known.has(value)),
        ]);
    }

    private unknownText(value: string): boolean {
        return this.whole.has(value) || (this.pattern?.test(value) ?? false);
    }

    /** The value as a preview sends it (Pulumi's serialized form in, the same form out). */
    convert(value: unknown): unknown {
        if (value === pulumi.runtime.unknownValue) {
            return value;
        }
        const record = value as Record<string, unknown>;
        switch (signatureOf(value)) {
            case "secret":
                return { ...record, value: this.convert(record.value) };
            case "output":
                return { ...record, ...("value" in record ? { value: this.convert(record.value) } : {}) };
            case "resource":
            case "asset":
            case "archive":
                return value;
            default:
                break;
        }
        if (typeof value === "string") {
            return this.unknownText(value) ? pulumi.runtime.unknownValue : value;
        }
        if (Array.isArray(value)) {
            return value.map((inner) => this.convert(inner));
        }
        if (value !== null && typeof value === "object") {
            if (Object.keys(value).some((key) => this.unknownText(key))) {
                return pulumi.runtime.unknownValue;
            }
            return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, this.convert(inner)]));
        }
        return value;
    }

    /** A resource's inputs as a preview sends them, hashed inputs unknown when one of their sources is. */
    inputs(type: string, rawInputs: Record<string, unknown>): Record<string, unknown> {
        const converted = this.convert(rawInputs) as Record<string, unknown>;
        for (const [input, sources] of Object.entries(hashedInputs[type] ?? {})) {
            if (input in converted && sources.some((source) => holdsUnknown(converted[source]))) {
                converted[input] = pulumi.runtime.unknownValue;
            }
        }
        return converted;
    }
}

function holdsUnknown(value: unknown): boolean {
    if (value === pulumi.runtime.unknownValue) {
        return true;
    }
    return value !== null && typeof value === "object" && Object.values(value).some(holdsUnknown);
}
