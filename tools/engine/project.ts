import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { secretMarker } from "./values";

/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the Pulumi CLI does and turns them into
 * the flat config map a Pulumi program receives: namespaced keys, plain values as strings,
 * structured values as JSON text, project defaults applied to keys the stack file leaves out.
 */

/** The repository root (where `Pulumi.yaml` is). */
export const repoRoot = path.resolve(__dirname, "..", "..");

export interface ProjectFile {
    readonly dir: string;
    readonly name: string;
    /** Declared keys of the project's own namespace, with their default when they have one. */
    readonly declared: ReadonlyMap<string, { readonly default?: unknown }>;
}

export interface StackFile {
    readonly path: string;
    /** Namespaced key -> YAML value, as written in the stack file. */
    readonly values: Readonly<Record<string, unknown>>;
}

const parsedYaml = new Map<string, { text: string; doc: unknown }>();

/** A YAML file parsed once per content: runs read the same project and stack files many times. */
function readYamlFile(file: string): unknown {
    const text = fs.readFileSync(file, "utf8");
    const known = parsedYaml.get(file);
    if (known?.text === text) {
        return structuredClone(known.doc);
    }
    const doc = parseYaml(text) as unknown;
    parsedYaml.set(file, { text, doc });
    return structuredClone(doc);
}

export function loadProject(dir: string = repoRoot): ProjectFile {
    const file = path.join(dir, "Pulumi.yaml");
    const doc = readYamlFile(file) as { name?: string; config?: Record<string, unknown> };
    if (!doc?.name) {
        throw new Error(`${file} has no project name`);
    }
    const declared = new Map<string, { default?: unknown }>();
    for (const [key, spec] of Object.entries(doc.config ?? {})) {
        if (key.includes(":")) {
            continue; // another namespace's value (e.g. azure-native:location), not a declaration
        }
        const declaration = spec !== null && typeof spec === "object" && !Array.isArray(spec) ? (spec as Record<string, unknown>) : { default: spec };
        declared.set(key, "default" in declaration ? { default: declaration.default } : {});
    }
    return { dir, name: doc.name, declared };
}

/** The stacks that have a `Pulumi.<stack>.yaml` in the project directory. */
export function listStacks(dir: string = repoRoot): string[] {
    return fs
        .readdirSync(dir)
        .map((file) => /^Pulumi\.(.+)\.ya?ml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

export function loadStackFile(project: ProjectFile, stack: string): StackFile {
    const candidates = [`Pulumi.${stack}.yaml`, `Pulumi.${stack}.yml`].map((file) => path.join(project.dir, file));
    const file = candidates.find((candidate) => fs.existsSync(candidate));
    if (!file) {
        throw new StackNotFoundError(stack, listStacks(project.dir));
    }
    const doc = (readYamlFile(file) ?? {}) as { config?: Record<string, unknown> };
    return { path: file, values: doc.config ?? {} };
}

export class StackNotFoundError extends Error {
    constructor(
        readonly stackName: string,
        readonly known: readonly string[],
    ) {
        super(`There is no Pulumi.${stackName}.yaml (stacks: ${known.join(", ") || "none"})`);
        this.name = "StackNotFoundError";
    }
}

function isSecure(value: unknown): boolean {
    return value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;
}

function containsSecure(value: unknown): boolean {
    if (isSecure(value)) {
        return true;
    }
    if (value !== null && typeof value === "object") {
        return Object.values(value).some(containsSecure);
    }
    return false;
}

function replaceSecure(value: unknown): unknown {
    if (isSecure(value)) {
        return secretMarker; // the ciphertext cannot be read without the stack's key
    }
    if (Array.isArray(value)) {
        return value.map(replaceSecure);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, replaceSecure(inner)]));
    }
    return value;
}

function asConfigText(value: unknown): string {
    return value !== null && typeof value === "object" ? JSON.stringify(value) : String(value);
}

function namespaced(project: ProjectFile, key: string): string {
    return key.includes(":") ? key : `${project.name}:${key}`;
}

export interface ProgramConfig {
    /** Namespaced key -> the text the program reads. */
    readonly config: Record<string, string>;
    /** Keys that were `secure:` (their values are placeholders offline). */
    readonly secretKeys: string[];
}

/**
 * The config a program run sees: the stack file's values, then `overrides` (namespaced or bare
 * keys; `undefined` removes a key), then the project defaults for keys still unset.
 */
export function programConfig(project: ProjectFile, stackFile: StackFile, overrides: Record<string, unknown> = {}): ProgramConfig {
    const values = new Map<string, unknown>();
    for (const [key, value] of Object.entries(stackFile.values)) {
        values.set(namespaced(project, key), value);
    }
    for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) {
            values.delete(namespaced(project, key));
        } else {
            values.set(namespaced(project, key), value);
        }
    }
    for (const [key, declaration] of project.declared) {
        const full = namespaced(project, key);
        if (!values.has(full) && "default" in declaration && declaration.default !== null && declaration.default !== undefined) {
            values.set(full, declaration.default);
        }
    }
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of values) {
        if (containsSecure(value)) {
            secretKeys.push(key);
        }
        config[key] = asConfigText(replaceSecure(value));
    }
    return { config, secretKeys };
}
