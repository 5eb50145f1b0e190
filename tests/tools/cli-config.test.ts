import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { listStacks, loadProject, loadStackFile, programConfig } from "../../tools/engine/project";
import { plan } from "../helpers";

/**
 * The Pulumi CLI's config rules, as the engine applies them before the program runs. Each case
 * is one of pulumi/pulumi's own (pkg/workspace/config_project_test.go,
 * sdk/go/common/workspace/project_test.go), with its project and stack file and the CLI's message.
 */

/** A project directory holding exactly these two files. */
function project(projectYaml: string, stackYaml: string, stack = "dev"): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cli-config-"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), projectYaml);
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stackYaml);
    return dir;
}

/** The config the program would receive, and what the CLI would warn about. */
function merged(projectYaml: string, stackYaml: string) {
    const dir = project(projectYaml, stackYaml);
    const loaded = loadProject(dir);
    return programConfig(loaded, loadStackFile(loaded, "dev"), {}, "dev");
}

/** The plan of a project the CLI refuses: exit code 1, the message on stderr, nothing on stdout. */
async function refusal(projectYaml: string, stackYaml: string): Promise<string[]> {
    const { code, stdout, stderr } = await plan("dev", "--project-dir", project(projectYaml, stackYaml));
    assert.equal(code, 1, stderr);
    assert.equal(stdout, "");
    assert.doesNotMatch(stderr, /\n\s+at /, "no stack trace");
    const lines = stderr.trimEnd().split("\n");
    assert.match(lines[0], /^`pulumi preview -s dev` would stop before the program runs: the Pulumi CLI refuses the configuration \(\d+ problems?\):$/);
    assert.equal(lines[lines.length - 1], "The README's config reference says which rules are the CLI's and lists every key.");
    return lines.slice(1, -1).map((line) => line.replace(/^ {2}- /, ""));
}

const runtime = "name: test\nruntime: nodejs\n";

describe("the Pulumi CLI's config rules, before the program runs", () => {
    it("pass every stack file of this project, with no warning", () => {
        const loaded = loadProject();
        for (const stack of listStacks()) {
            assert.deepEqual(programConfig(loaded, loadStackFile(loaded, stack), {}, stack).warnings, [], stack);
        }
    });

    describe("what the CLI accepts, and the config the program then receives", () => {
        it("inherits the project's short-hand defaults; the stack's own value wins", () => {
            const { config } = merged(`${runtime}config:\n  instanceSize: t3.micro\n  instanceCount: 20\n  protect: true\n`, "config:\n  test:instanceSize: t4.large\n");
            assert.deepEqual(config, { "test:instanceSize": "t4.large", "test:instanceCount": "20", "test:protect": "true" });
        });

        it("applies another namespace's project values", () => {
            const { config } = merged(`${runtime}config:\n  aws:region: us-west-1\n  pulumi:disable-default-providers: ["*"]\n  instanceSize: t3.micro\n`, "config:\n  test:instanceSize: t4.large\n");
            assert.deepEqual(config, { "test:instanceSize": "t4.large", "aws:region": "us-west-1", "pulumi:disable-default-providers": '["*"]' });
        });

        it("puts stack keys written without a namespace in the project's", () => {
            const { config } = merged(`${runtime}config:\n  aws:region: us-west-1\n  instanceSize: t3.micro\n`, "config:\n  instanceSize: t4.large\n");
            assert.deepEqual(config, { "test:instanceSize": "t4.large", "aws:region": "us-west-1" });
        });

        it("checks no type on untyped keys", () => {
            const { config } = merged(`${runtime}config:\n  instanceSize: t3.micro\n  aws:region: us-west-1\n`, "config:\n  instanceSize: 9999\n  aws:region: 42\n");
            assert.deepEqual(config, { "test:instanceSize": "9999", "aws:region": "42" });
        });

        it("takes a declaration with only a default or only a value", () => {
            const { config } = merged(`${runtime}config:\n  instanceSize:\n    default: t3.micro\n  region:\n    value: us-west-1\n`, "config:\n  aws:answer: 42\n");
            assert.deepEqual(config, { "aws:answer": "42", "test:instanceSize": "t3.micro", "test:region": "us-west-1" });
        });

        it("passes stack keys the project does not declare, and any key when it declares none", () => {
            assert.deepEqual(merged(`${runtime}config:\n  createVpc: true\n`, "config:\n  instanceSize: 42\n").config, { "test:instanceSize": "42", "test:createVpc": "true" });
            assert.deepEqual(merged(runtime, "config:\n  hello: 21\n  world: 42\n").config, { "test:hello": "21", "test:world": "42" });
        });

        it("hands objects over as JSON text", () => {
            const { config } = merged(`${runtime}config:\n  instanceSize:\n    value:\n      hello: world\n  aws:config:\n    value:\n      region: us-west-1\n`, "config:\n  aws:whatever: 42\n");
            assert.deepEqual(config, { "aws:whatever": "42", "test:instanceSize": '{"hello":"world"}', "aws:config": '{"region":"us-west-1"}' });
        });

        it("takes an integer key as a number or as text that is one, and an object key as a map", () => {
            const declared = `${runtime}config:\n  importantNumber:\n    type: integer\n  example:\n    type: object\n    default: { hello: world }\n`;
            assert.equal(merged(declared, "config:\n  test:importantNumber: 20\n").config["test:importantNumber"], "20");
            assert.equal(merged(declared, 'config:\n  test:importantNumber: "20"\n').config["test:importantNumber"], "20");
            assert.equal(merged(declared, "config:\n  test:importantNumber: 20\n").config["test:example"], '{"hello":"world"}');
        });

        it("takes a typed secret key that is encrypted, and hands it over as a secret", () => {
            const result = merged(`${runtime}config:\n  importantNumber:\n    type: integer\n    secret: true\n`, "config:\n  test:importantNumber:\n    secure: AAABAHgP3m0Iu2dL\n");
            assert.deepEqual(result.secretKeys, ["test:importantNumber"]);
            assert.equal(result.config["test:importantNumber"], "[secret]");
        });

        it("reads a stack file that starts with a UTF-8 byte-order mark", () => {
            assert.deepEqual(merged(runtime, "\uFEFFconfig:\n  test:hello: world\n").config, { "test:hello": "world" });
        });
    });

    describe("what the CLI refuses: exit code 1, its message, the file and what is allowed", () => {
        it("a required key the stack leaves out", async () => {
            assert.deepEqual(await refusal(`${runtime}config:\n  values:\n    type: array\n    items:\n      type: string\n`, ""), [
                "Pulumi.dev.yaml: Stack 'dev' is missing configuration value 'values' (allowed: set test:values in Pulumi.dev.yaml, or give it a default in Pulumi.yaml)",
            ]);
        });

        it("two and three required keys, in one message", async () => {
            assert.deepEqual(await refusal(`${runtime}config:\n  another:\n    type: string\n  values:\n    type: array\n    items:\n      type: string\n`, "config: {}\n"), [
                "Pulumi.dev.yaml: Stack 'dev' is missing configuration values 'another' and 'values' (allowed: set test:another, test:values in Pulumi.dev.yaml, or give them defaults in Pulumi.yaml)",
            ]);
            assert.deepEqual(
                await refusal(`${runtime}config:\n  hello:\n    type: integer\n  values:\n    type: array\n    items:\n      type: string\n  world:\n    type: string\n`, ""),
                [
                    "Pulumi.dev.yaml: Stack 'dev' is missing configuration values 'hello', 'values' and 'world' (allowed: set test:hello, test:values, test:world in Pulumi.dev.yaml, or give them defaults in Pulumi.yaml)",
                ],
            );
        });

        it("a typed key whose stack value has another type", async () => {
            assert.deepEqual(await refusal(`${runtime}config:\n  values:\n    type: array\n    items:\n      type: string\n    default: [value]\n`, "config:\n  test:values: someValue\n"), [
                `Pulumi.dev.yaml: Stack 'dev' with configuration key 'values' must be of type 'array<string>' (allowed: test:values is "someValue"; a list of strings)`,
            ]);
            assert.deepEqual(await refusal(`${runtime}config:\n  importantNumber:\n    type: integer\n`, "config:\n  test:importantNumber: hello\n"), [
                `Pulumi.dev.yaml: Stack 'dev' with configuration key 'importantNumber' must be of type 'integer' (allowed: test:importantNumber is "hello"; a whole number)`,
            ]);
            assert.deepEqual(await refusal(`${runtime}config:\n  protect:\n    type: boolean\n`, "config:\n  protect: yes\n"), [
                `Pulumi.dev.yaml: Stack 'dev' with configuration key 'protect' must be of type 'boolean' (allowed: test:protect is "yes"; true or false)`,
            ]);
        });

        it("a typed secret key stored in plain text", async () => {
            assert.deepEqual(await refusal(`${runtime}config:\n  importantNumber:\n    type: integer\n    secret: true\n`, "config:\n  test:importantNumber: 20\n"), [
                "Pulumi.dev.yaml: Stack 'dev' with configuration key 'importantNumber' must be encrypted as it's secret (allowed: an encrypted value: remove it from Pulumi.dev.yaml and run pulumi config set --secret importantNumber <value> -s dev)",
            ]);
        });

        it("a default that is not of its key's type", async () => {
            assert.deepEqual(await refusal(`${runtime}config:\n  instanceSize:\n    type: integer\n    default: hello\n`, ""), [
                "could not unmarshal 'Pulumi.yaml': The default value specified for configuration key 'instanceSize' is not of the expected type 'integer'",
            ]);
            assert.deepEqual(await refusal(`${runtime}config:\n  values:\n    type: array\n    items:\n      type: array\n      items:\n        type: string\n    default: [hello]\n`, ""), [
                "could not unmarshal 'Pulumi.yaml': The default value specified for configuration key 'values' is not of the expected type 'array<array<string>>'",
            ]);
        });

        it("an array without items", async () => {
            assert.deepEqual(await refusal(`${runtime}config:\n  instanceSize:\n    type: array\n    default: [t3.micro, t4.large]\n`, ""), [
                "could not unmarshal 'Pulumi.yaml': The configuration key 'instanceSize' declares an array but does not specify the underlying type via the 'items' attribute",
            ]);
        });

        it("a key of another namespace given a type, a default, or neither default nor value", async () => {
            assert.deepEqual(await refusal(`${runtime}config:\n  aws:region:\n    type: string\n    value:\n      region: us-west-1\n`, ""), [
                "could not unmarshal 'Pulumi.yaml': Configuration key 'aws:region' is not namespaced by the project and should not define a type",
            ]);
            assert.deepEqual(await refusal(`${runtime}config:\n  aws:region:\n    default: us-west-1\n`, ""), [
                "could not unmarshal 'Pulumi.yaml': Configuration key 'aws:region' is not namespaced by the project and should not define a default value. Did you mean to use the 'value' attribute instead of 'default'?",
            ]);
            assert.deepEqual(await refusal(`${runtime}config:\n  aws:region:\n    description: the region\n`, ""), [
                "could not unmarshal 'Pulumi.yaml': Configuration key 'aws:region' is namespaced and must provide an attribute 'value'",
            ]);
        });

        it("a default and a value together", async () => {
            assert.deepEqual(await refusal(`${runtime}config:\n  instanceSize:\n    type: string\n    default: t3.micro\n    value: t4.large\n`, ""), [
                "could not unmarshal 'Pulumi.yaml': project config 'instanceSize' cannot have both a 'default' and 'value' attribute",
            ]);
        });

        it("a declaration the project schema does not allow", async () => {
            assert.deepEqual(await refusal(`${runtime}config:\n  size:\n    type: number\n    defualt: 2\n`, ""), [
                "could not validate 'Pulumi.yaml': #/config/size: additional properties 'defualt' not allowed; did you mean 'default'?",
                'could not validate \'Pulumi.yaml\': #/config/size/type: value must be one of "string", "integer", "boolean", "array", "object"',
            ]);
        });

        it("a stack key that is not namespace:name", async () => {
            assert.deepEqual(await refusal(runtime, "config:\n  a:b:c: 1\n"), [
                "Pulumi.dev.yaml: could not parse a:b:c as a configuration key (configuration keys should be of the form `<namespace>:<name>`)",
            ]);
        });

        it("every problem at once, where the CLI stops at the first", async () => {
            const problems = await refusal(
                `${runtime}config:\n  owner:\n    type: string\n  size:\n    type: integer\n  tags:\n    type: array\n    default: []\n  secretKey:\n    type: string\n    secret: true\n`,
                "config:\n  size: big\n  secretKey: visible\n",
            );
            assert.deepEqual(problems, [
                "could not unmarshal 'Pulumi.yaml': The configuration key 'tags' declares an array but does not specify the underlying type via the 'items' attribute",
                "Pulumi.dev.yaml: Stack 'dev' is missing configuration value 'owner' (allowed: set test:owner in Pulumi.dev.yaml, or give it a default in Pulumi.yaml)",
                "Pulumi.dev.yaml: Stack 'dev' with configuration key 'secretKey' must be encrypted as it's secret (allowed: an encrypted value: remove it from Pulumi.dev.yaml and run pulumi config set --secret secretKey <value> -s dev)",
                `Pulumi.dev.yaml: Stack 'dev' with configuration key 'size' must be of type 'integer' (allowed: test:size is "big"; a whole number)`,
            ]);
        });
    });

    describe("reading the files", () => {
        it("locates a YAML syntax error in a stack file: file, line, column and the line itself", async () => {
            const { code, stdout, stderr } = await plan("dev", "--project-dir", project(runtime, "config:\n  test:a: 1\n  test:b: [1, 2\n  test:c: 3\n"));
            assert.equal(code, 1);
            assert.equal(stdout, "");
            const lines = stderr.trimEnd().split("\n");
            assert.match(lines[0], /^Pulumi\.dev\.yaml:\d+:\d+: not valid YAML: /);
            assert.equal(lines.length, 3);
            const [, line, column] = /^Pulumi\.dev\.yaml:(\d+):(\d+)/.exec(lines[0])!;
            assert.ok(Number(line) >= 3 && Number(line) <= 5, lines[0]);
            assert.equal(lines[1], `  ${line} | ${["config:", "  test:a: 1", "  test:b: [1, 2", "  test:c: 3", ""][Number(line) - 1]}`);
            assert.equal(lines[2].indexOf("^"), `  ${line} | `.length + Number(column) - 1);
        });

        it("locates a YAML syntax error in Pulumi.yaml, and a key written twice", async () => {
            const { code, stderr } = await plan("dev", "--project-dir", project(`${runtime}config:\n  a: 1\n  a: 2\n`, ""));
            assert.equal(code, 1);
            assert.match(stderr, /^Pulumi\.yaml:5:3: not valid YAML: Map keys must be unique\n {2}5 \| {3}a: 2\n {4}\| {3}\^\n$/);
        });

        it("warns about what the CLI ignores: other top-level keys, another project's keys, ESC environments, empty values", () => {
            const { config, warnings } = merged(
                runtime,
                "secretsprovider: passphrase\nconfgi:\n  test:a: 1\nenvironment:\n  - shared/azure\nconfig:\n  test:b: 1\n  other-project:c: 2\n  azure-native:location: westeurope\n  test:empty:\n",
            );
            assert.deepEqual(config, { "test:b": "1", "other-project:c": "2", "azure-native:location": "westeurope", "test:empty": "" });
            assert.deepEqual(warnings, [
                "Pulumi.dev.yaml: the top-level key 'confgi' is not a stack setting and is ignored; did you mean 'config'?",
                "Pulumi.dev.yaml: imports Pulumi ESC environments (environment:), which only the Pulumi CLI can open; this plan uses the values the file itself holds, so keys the environments set are missing here",
                "Pulumi.dev.yaml: 'other-project:c' is in the namespace of another project or package, 'other-project'; this program never reads it (the keys here are test:<key>, or a provider's such as azure-native:<key>)",
                'Pulumi.dev.yaml: No value for configuration key "test:empty". This is currently treated as an empty string `""`, but will be treated as `null` in a future version of pulumi. Set the value to `""` to avoid this warning.',
            ]);
        });

        it("says that ESC environments may hold the keys it finds missing", async () => {
            const problems = await refusal(`${runtime}config:\n  owner:\n    type: string\n`, "environment:\n  - shared/owners\n");
            assert.deepEqual(problems, [
                "Pulumi.dev.yaml: Stack 'dev' is missing configuration value 'owner' (allowed: set test:owner in Pulumi.dev.yaml, or give it a default in Pulumi.yaml; the ESC environments this stack imports may set them, but only the Pulumi CLI can read them)",
            ]);
        });

        it("warns that secret: true on an untyped key is not enforced by the CLI", () => {
            const { warnings } = merged(`${runtime}config:\n  apiKey:\n    secret: true\n    default: ""\n`, "");
            assert.deepEqual(warnings, ["Pulumi.yaml: 'apiKey' is declared secret: true without a type; the CLI enforces secret only on typed keys, so a plain-text value passes it"]);
        });
    });
});
