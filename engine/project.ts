import * as fs from "node:fs";
import * as path from "node:path";
import { YAMLParseError, parseDocument } from "yaml";
import {
    YamlValueError,
    cloneValue,
    configValue,
    goJson,
    mergeStackConfig,
    readProjectDeclarations,
    readStackDeclarations,
    yamlV3Value,
    type ConfigValue,
    type ProjectDeclarations,
    type StackDeclarations,
} from "./cli-config";
import { secretMarker } from "./values";

/**
 * Reads `Pulumi.yaml` (or `Pulumi.yml`) and `Pulumi.<stack>.yaml` the way the Pulumi CLI does
 * (`cli-config.ts` holds its rules): found where the CLI looks for them, their YAML read as
 * yaml.v3 reads it, and turned into the flat config map a Pulumi program receives: namespaced
 * keys, scalars as text, objects and lists as JSON text, the project's defaults and values applied.
 * Whatever the CLI would refuse before the program runs is refused here, with its words.
 */

/** The repository root (where `Pulumi.yaml` is). */
export const repoRoot = path.resolve(__dirname, "..");

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
                "docs/config-reference.md says which rules are the CLI's and lists every key.",
            ].join("\n"),
        );
        this.name = "CliConfigError";
    }
}

export class StackNotFoundError extends UserError {
    constructor(
        readonly stackName: string,
        readonly known: readonly string[],
        /** The stack file the CLI would read. */
        readonly file = `Pulumi.${stackName}.yaml`,
    ) {
        super(`Stack "${stackName}" has no stack file ${file} (allowed: ${known.join(", ") || "none: the project has no stack file"})`);
        this.name = "StackNotFoundError";
    }
}

const parsedYaml = new Map<string, { text: string; doc: unknown }>();

/** The line and column (1-based) of an offset in a text. */
function linePosition(text: string, offset: number): { line: number; col: number } {
    const before = text.slice(0, offset).split(/\r?\n/);
    return { line: before.length, col: before[before.length - 1].length + 1 };
}

/**
 * A YAML file parsed once per content (runs read the same files many times), as the CLI reads it
 * (loaders.go `readFileStripUTF8BOM`, then yaml.v3; see `yamlV3Value`): a UTF-8 byte-order mark is
 * dropped, scalars are what yaml.v3 makes of them; a syntax error names the file, the line and the
 * column.
 */
function readYamlFile(file: string, shownAs: string): unknown {
    const text = fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "");
    const known = parsedYaml.get(file);
    if (known?.text === text) {
        return cloneValue(known.doc);
    }
    let doc: unknown;
    try {
        const parsed = parseDocument(text, { prettyErrors: true });
        if (parsed.errors.length > 0) {
            throw parsed.errors[0];
        }
        doc = yamlV3Value(parsed);
    } catch (error) {
        if (error instanceof YAMLParseError) {
            const position = error.linePos?.[0] ?? { line: 1, col: 1 };
            throw new YamlSyntaxError(
                shownAs,
                position.line,
                position.col,
                error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, ""),
                text,
            );
        }
        if (error instanceof YamlValueError) {
            const position = linePosition(text, error.offset);
            throw new YamlSyntaxError(shownAs, position.line, position.col, error.message, text);
        }
        throw error;
    }
    parsedYaml.set(file, { text, doc });
    return cloneValue(doc);
}

export interface ProjectFile {
    readonly dir: string;
    /** The project file's name: `Pulumi.yaml`, or `Pulumi.yml`. */
    readonly file: string;
    /** Where the stack files are: the project directory, or its `stackConfigDir`. */
    readonly stackDir: string;
    readonly name: string;
    readonly declarations: ProjectDeclarations;
    /** Config namespaces of the packages the program uses (`azure-native`, `pulumi`, ...). */
    readonly knownNamespaces: readonly string[];
}

export interface StackFile {
    readonly path: string;
    /** The file name as users see it: `Pulumi.<stack>.yaml` (relative to the project directory). */
    readonly shownAs: string;
    readonly declarations: StackDeclarations;
}

/** The config namespaces of the Pulumi packages in package.json, and Pulumi's own. */
function packageNamespaces(dir: string): string[] {
    const manifest = [dir, repoRoot].map((where) => path.join(where, "package.json")).find((file) => fs.existsSync(file));
    const dependencies = manifest
        ? Object.keys((JSON.parse(fs.readFileSync(manifest, "utf8")) as { dependencies?: Record<string, string> }).dependencies ?? {})
        : [];
    return [
        "pulumi",
        ...dependencies
            .filter((name) => name.startsWith("@pulumi/") && name !== "@pulumi/pulumi")
            .map((name) => name.slice("@pulumi/".length)),
    ];
}

/**
 * The extensions the CLI tries for `Pulumi.<ext>`, in its order (sdk/go/common/encoding/marshal.go
 * `Exts`, workspace/paths.go `findProjectInDir`): the first that is a file is the project file, and
 * a later one is ignored.
 */
export const projectFileExtensions = [".json", ".yaml", ".yml"] as const;

function isFile(file: string): boolean {
    try {
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}

/** Go's `*PathError` text for a failed `os.Stat`. */
function statError(file: string, error: NodeJS.ErrnoException): string {
    const reasons: Record<string, string> = {
        ENOENT: "no such file or directory",
        ENOTDIR: "not a directory",
        EACCES: "permission denied",
        ELOOP: "too many levels of symbolic links",
    };
    return `stat ${file}: ${reasons[error.code ?? ""] ?? error.message}`;
}

/**
 * Reads the project as the CLI finds it in a directory (`findProjectInDir`): `Pulumi.json`, else
 * `Pulumi.yaml`, else `Pulumi.yml`. A second project file is refused, as the CLI ignores it; so is
 * `Pulumi.json`, which this plan does not read. A `main` that cannot be read stops the CLI before
 * the program runs (pkg/engine/project.go `getPwdMain`): that is a problem of the project.
 */
export function loadProject(dir: string = repoRoot): ProjectFile {
    const found = projectFileExtensions.map((ext) => `Pulumi${ext}`).filter((file) => isFile(path.join(dir, file)));
    if (found.length === 0) {
        throw new UserError(
            fs.existsSync(dir)
                ? `There is no Pulumi.yaml in ${dir} (the Pulumi CLI looks for Pulumi.json, Pulumi.yaml and Pulumi.yml, in that order)`
                : `${dir} does not exist (allowed: the folder of a project, with its Pulumi.yaml; --project-dir defaults to this repository)`,
        );
    }
    const file = found[0];
    if (file === "Pulumi.json") {
        throw new UserError(
            `Pulumi.json: the Pulumi CLI reads the project from Pulumi.json before ${found.slice(1).join(" or ") || "Pulumi.yaml"}, and this plan reads only Pulumi.yaml or Pulumi.yml (allowed: the project in Pulumi.yaml, without Pulumi.json)`,
        );
    }
    const doc = readYamlFile(path.join(dir, file), file);
    // A project without a name is reported with the stack's other problems (programConfig).
    const read = readProjectDeclarations(doc, file);
    const problems = [...read.problems];
    for (const ignored of found.slice(1)) {
        problems.push(
            `${ignored}: the CLI reads the project from ${file} and ignores ${ignored} (allowed: one project file; remove ${ignored})`,
        );
    }
    if (read.main !== undefined) {
        // getPwdMain: a relative main is joined to the project directory and cleaned.
        const full = path.isAbsolute(read.main) ? read.main : path.join(dir, read.main).replace(/(.)\/+$/, "$1");
        try {
            fs.statSync(full);
        } catch (error) {
            problems.push(
                `${file}: \`main\`: project 'main' could not be read: ${statError(full, error as NodeJS.ErrnoException)} (allowed: a file or directory of the program, relative to ${file}; without main the program is the project directory)`,
            );
        }
    }
    const declarations: ProjectDeclarations = { ...read, problems };
    const stackDir = read.stackConfigDir === undefined ? dir : path.join(dir, read.stackConfigDir);
    return { dir, file, stackDir, name: declarations.name, declarations, knownNamespaces: packageNamespaces(dir) };
}

/** Where a project directory's stack files are (its `stackConfigDir`), without refusing anything. */
function stackDirOf(dir: string): string {
    try {
        return loadProject(dir).stackDir;
    } catch {
        return dir;
    }
}

/** The stacks that have a `Pulumi.<stack>.yaml` (or `.yml`) among the project's stack files. */
export function listStacks(dir: string = repoRoot): string[] {
    const stackDir = stackDirOf(dir);
    if (!fs.existsSync(stackDir)) {
        return [];
    }
    return [
        ...new Set(
            fs
                .readdirSync(stackDir)
                .map((file) => /^Pulumi\.(.+)\.ya?ml$/.exec(file)?.[1])
                .filter((stack): stack is string => stack !== undefined),
        ),
    ].sort();
}

/**
 * Reads a stack's settings where the CLI looks for them (workspace/paths.go
 * `DetectProjectStackPath`): `Pulumi.<stack>` with the extension of the project file, in the
 * project's `stackConfigDir` if it has one. A file with the other YAML extension is refused, as the
 * CLI does not read it (it then finds no settings for the stack, and reads its config as empty).
 */
export function loadStackFile(project: ProjectFile, stack: string): StackFile {
    const ext = path.extname(project.file);
    const expected = `Pulumi.${stack.replaceAll("/", "-")}${ext}`;
    const other = `Pulumi.${stack.replaceAll("/", "-")}${ext === ".yaml" ? ".yml" : ".yaml"}`;
    const file = path.join(project.stackDir, expected);
    const where = path.relative(project.dir, project.stackDir);
    const shown = (name: string) => (where === "" ? name : path.join(where, name));
    const misnamed = isFile(path.join(project.stackDir, other));
    if (!isFile(file)) {
        if (!misnamed) {
            if (project.declarations.problems.length > 0) {
                // The CLI reads the project before it looks for the stack's settings, and stops there.
                throw new CliConfigError(stack, project.declarations.problems);
            }
            throw new StackNotFoundError(stack, listStacks(project.dir), shown(expected));
        }
        const problem = `${shown(other)}: the CLI does not read it: the settings of stack '${stack}' are in ${shown(expected)}, with the extension of ${project.file} (allowed: rename it to ${expected})`;
        // The CLI finds no settings for the stack: its config is empty.
        return {
            path: path.join(project.stackDir, other),
            shownAs: shown(expected),
            declarations: { config: new Map(), environments: false, problems: [problem], warnings: [] },
        };
    }
    const shownAs = shown(expected);
    const declarations = readStackDeclarations(readYamlFile(file, shownAs), project.name, shownAs, project.knownNamespaces);
    if (!misnamed) {
        return { path: file, shownAs, declarations };
    }
    const problem = `${shown(other)}: the CLI reads the settings of stack '${stack}' from ${shownAs} and ignores ${other} (allowed: one stack file; remove ${other})`;
    return { path: file, shownAs, declarations: { ...declarations, problems: [problem, ...declarations.problems] } };
}

function replaceSecure(value: unknown): unknown {
    if (
        value !== null &&
        typeof value === "object" &&
        !Array.isArray(value) &&
        Object.keys(value).length === 1 &&
        typeof (value as { secure?: unknown }).secure === "string"
    ) {
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
export function programConfig(
    project: ProjectFile,
    stackFile: StackFile,
    overrides: Record<string, unknown> = {},
    stack = path.basename(stackFile.path).replace(/^Pulumi\.(.+)\.ya?ml$/, "$1"),
): ProgramConfig {
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
    // A project name the CLI refuses puts every key in another namespace, and a stack file the CLI
    // does not read holds none of them: "missing configuration" would then be a follow-on of the
    // one fault already reported, with a fix that cannot work.
    const cascades =
        project.declarations.problems.some((problem) => problem.includes("`name`")) ||
        stackFile.declarations.problems.some((problem) => problem.includes("the CLI does not read it"));
    const problems = [
        ...project.declarations.problems,
        ...stackFile.declarations.problems,
        ...merged.problems
            .filter((problem) => !(cascades && problem.message.includes("is missing configuration")))
            .map((problem) => {
                const esc =
                    stackFile.declarations.environments && problem.message.includes("is missing configuration")
                        ? "; the ESC environments this stack imports may set them, but only the Pulumi CLI can read them"
                        : "";
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
            config[key] = value.object ? goJson(replaceSecure(value.raw)) : secretMarker;
        } else {
            config[key] = value.text;
        }
    }
    return { config, secretKeys, warnings: [...project.declarations.warnings, ...stackFile.declarations.warnings] };
}
