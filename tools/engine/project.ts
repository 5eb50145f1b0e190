import * as fs from "node:fs";
import * as path from "node:path";
import { YAMLParseError, parse as parseYaml } from "yaml";
import {
    configValue,
    mergeStackConfig,
    readProjectDeclarations,
    readStackDeclarations,
    type ConfigValue,
    type ProjectDeclarations,
    type StackDeclarations,
} from "./cli-config";
import { secretMarker } from "./values";

/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the Pulumi CLI does (`cli-config.ts` holds
 * its rules) and turns them into the flat config map a Pulumi program receives: namespaced keys,
 * scalars as text, objects and lists as JSON text, the project's defaults and values applied.
 * Whatever the CLI would refuse before the program runs is refused here, with its words.
 */

/** The repository root (where `Pulumi.yaml` is). */
export const repoRoot = path.resolve(__dirname, "..", "..");

/** An error a user fixes in a file: the plan prints its message alone, without a stack trace. */
export class UserError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UserError";
    }
}

/** A project or stack file that is not valid YAML. */
export class YamlSyntaxError extends UserError {
    constructor(
        readonly file: string,
        readonly line: number,
        readonly column: number,
        reason: string,
        source: string,
    ) {
        const text = source.split(/\r?\n/)[line - 1] ?? "";
        const gutter = String(line).length;
        super(
            [
                `${file}:${line}:${column}: not valid YAML: ${reason}`,
                `  ${line} | ${text}`,
                `  ${" ".repeat(gutter)} | ${" ".repeat(Math.max(0, column - 1))}^`,
            ].join("\n"),
        );
        this.name = "YamlSyntaxError";
    }
}

/** What the Pulumi CLI refuses before it starts the program, listed all at once. */
export class CliConfigError extends UserError {
    constructor(
        readonly stackName: string,
        readonly problems: readonly string[],
    ) {
        super(
            [
                `\`pulumi preview -s ${stackName}\` would stop before the program runs: the Pulumi CLI refuses the configuration (${problems.length} ${problems.length === 1 ? "problem" : "problems"}):`,
                ...problems.map((line) => `  - ${line}`),
                "The README's config reference says which rules are the CLI's and lists every key.",
            ].join("\n"),
        );
        this.name = "CliConfigError";
    }
}

export class StackNotFoundError extends UserError {
    constructor(
        readonly stackName: string,
        readonly known: readonly string[],
    ) {
        super(`There is no Pulumi.${stackName}.yaml (stacks: ${known.join(", ") || "none"})`);
        this.name = "StackNotFoundError";
    }
}

const parsedYaml = new Map<string, { text: string; doc: unknown }>();

/**
 * A YAML file parsed once per content (runs read the same files many times), as the CLI reads it:
 * a UTF-8 byte-order mark is dropped; a syntax error names the file, the line and the column.
 */
function readYamlFile(file: string, shownAs: string): unknown {
    const text = fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "");
    const known = parsedYaml.get(file);
    if (known?.text === text) {
        return structuredClone(known.doc);
    }
    let doc: unknown;
    try {
        doc = parseYaml(text, { prettyErrors: true }) as unknown;
    } catch (error) {
        if (error instanceof YAMLParseError) {
            const position = error.linePos?.[0] ?? { line: 1, col: 1 };
            throw new YamlSyntaxError(shownAs, position.line, position.col, error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, ""), text);
        }
        throw error;
    }
    parsedYaml.set(file, { text, doc });
    return structuredClone(doc);
}

export interface ProjectFile {
    readonly dir: string;
    readonly name: string;
    readonly declarations: ProjectDeclarations;
    /** Config namespaces of the packages the program uses (`azure-native`, `pulumi`, ...). */
    readonly knownNamespaces: readonly string[];
}

export interface StackFile {
    readonly path: string;
    /** The file name as users see it: `Pulumi.<stack>.yaml`. */
    readonly shownAs: string;
    readonly declarations: StackDeclarations;
}

/** The config namespaces of the Pulumi packages in package.json, and Pulumi's own. */
function packageNamespaces(dir: string): string[] {
    const manifest = [dir, repoRoot].map((where) => path.join(where, "package.json")).find((file) => fs.existsSync(file));
    const dependencies = manifest ? Object.keys((JSON.parse(fs.readFileSync(manifest, "utf8")) as { dependencies?: Record<string, string> }).dependencies ?? {}) : [];
    return ["pulumi", ...dependencies.filter((name) => name.startsWith("@pulumi/") && name !== "@pulumi/pulumi").map((name) => name.slice("@pulumi/".length))];
}

export function loadProject(dir: string = repoRoot): ProjectFile {
    const doc = readYamlFile(path.join(dir, "Pulumi.yaml"), "Pulumi.yaml");
    // A project without a name is reported with the stack's other problems (programConfig).
    const declarations = readProjectDeclarations(doc, "Pulumi.yaml");
    return { dir, name: declarations.name, declarations, knownNamespaces: packageNamespaces(dir) };
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
    const shownAs = path.basename(file);
    return { path: file, shownAs, declarations: readStackDeclarations(readYamlFile(file, shownAs), project.name, shownAs, project.knownNamespaces) };
}

function replaceSecure(value: unknown): unknown {
    if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value) {
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

export interface ProgramConfig {
    /** Namespaced key -> the text the program reads. */
    readonly config: Record<string, string>;
    /** Keys that were `secure:` (their values are placeholders offline). */
    readonly secretKeys: string[];
    /** What the CLI would print as warnings, or accept while it does not do what it seems to. */
    readonly warnings: string[];
}

/**
 * The config a program run sees, as `pulumi preview` builds it: the stack file's values (with
 * `overrides` laid over them: namespaced or bare keys, `undefined` removes one), then the
 * project's defaults and values. Throws {@link CliConfigError} with everything the CLI refuses.
 */
export function programConfig(project: ProjectFile, stackFile: StackFile, overrides: Record<string, unknown> = {}, stack = path.basename(stackFile.path).replace(/^Pulumi\.(.+)\.ya?ml$/, "$1")): ProgramConfig {
    const values = new Map<string, ConfigValue>(stackFile.declarations.config);
    for (const [key, value] of Object.entries(overrides)) {
        const full = key.includes(":") ? key : `${project.name}:${key}`;
        if (value === undefined) {
            values.delete(full);
        } else {
            values.set(full, configValue(value));
        }
    }
    const merged = mergeStackConfig(stack, project.declarations, values, stackFile.shownAs);
    const problems = [
        ...project.declarations.problems,
        ...stackFile.declarations.problems,
        ...merged.problems.map((problem) => {
            const esc = stackFile.declarations.environments && problem.message.includes("is missing configuration") ? "; the ESC environments this stack imports may set them, but only the Pulumi CLI can read them" : "";
            return `${stackFile.shownAs}: ${problem.message} (allowed: ${problem.allowed}${esc})`;
        }),
    ];
    if (problems.length > 0) {
        throw new CliConfigError(stack, problems);
    }
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of merged.values) {
        if (value.secure) {
            secretKeys.push(key);
            config[key] = value.object ? JSON.stringify(replaceSecure(value.raw)) : secretMarker;
        } else {
            config[key] = value.text;
        }
    }
    return { config, secretKeys, warnings: [...project.declarations.warnings, ...stackFile.declarations.warnings] };
}
