/**
 * The Pulumi CLI's project-config rules, ported so that the offline plan stops wherever
 * `pulumi preview` would stop before the program runs. Sources (pulumi/pulumi v3.248.0, the version
 * of the installed SDK):
 * - `sdk/go/common/workspace/loaders.go`: how `Pulumi.yaml` and `Pulumi.<stack>.yaml` are read
 *   (byte-order mark stripped, short-hand declarations rewritten, bare stack keys namespaced with
 *   the project, `null` values warned about and read as "");
 * - `sdk/go/common/workspace/project.go`: `ValidateProject` (the JSON schema `project.json`, checked
 *   by santhosh-tekuri/jsonschema v5.0.0, whose messages the CLI prints), `Project.Validate`,
 *   `RewriteConfigPathIntoStackConfigDir`, `ValidateConfigValue`, `InferFullTypeName`;
 * - `sdk/go/common/workspace/config.go`: `mergeConfig` / `ValidateStackConfigAndApplyProjectConfig`
 *   (the merge of project defaults and values into the stack's config, then the missing keys, then
 *   the secret and type checks of explicitly typed keys), where a project key may be a path
 *   (`outer.inner`) into a stack's object value;
 * - `sdk/go/common/resource/config/` (`key.go`, `map.go`, `object.go`, `value.go`,
 *   `plaintext.go`): key syntax, paths, `secure:` values and the text a value becomes;
 * - `gopkg.in/yaml.v3` v3.0.1 (`resolve.go`, `decode.go`, `encode.go`): what a YAML scalar is;
 * - `sdk/go/common/tokens/project.go` (`ValidateProjectName`) and the Node.js language host's
 *   `parseOptions` (`sdk/nodejs/cmd/pulumi-language-nodejs/main.go`).
 *
 * The messages keep the CLI's wording. The CLI stops at its first error (except the missing keys,
 * which it lists in one message); here every problem is reported. The JSON-schema messages of the
 * `config:` section are the CLI's framing (`could not validate 'Pulumi.yaml': #/config/<key>: ...`)
 * with a plain description of the schema rule; those of the other attributes are the schema
 * library's own text.
 *
 * Pure functions over parsed YAML: reading files lives in `project.ts`.
 *
 * The rules live in `cli/`, one module each: `yaml-v3.ts` (YAML scalars, timestamps, tags, merge
 * keys), `go.ts` and `go-json.ts` (Go's integers, times, types and JSON text), `project-schema.ts`
 * (`project.json`, the project name, the runtime options), `project-file.ts` (`Pulumi.yaml` and its
 * config declarations), `stack-file.ts` (`Pulumi.<stack>.yaml`), `values.ts` (config values),
 * `config-paths.ts` (keys and property paths) and `merge.ts` (the stack's config with the project's
 * defaults, and its checks); `wording.ts` has the "did you mean" of their messages. This module is
 * their public face.
 */

export { configGet, configSet, parseConfigKey, parsePropertyPath, type PropertyPath } from "./cli/config-paths";
export { GoTime, cloneValue } from "./cli/go";
export { GoJsonError, goFloatG, goJson, goSort } from "./cli/go-json";
export { mergeStackConfig, type MergedConfig, type StackConfigProblem } from "./cli/merge";
export {
    fullTypeName,
    isProjectKey,
    readProjectDeclarations,
    validateConfigValue,
    type ConfigDeclaration,
    type ConfigItemsType,
    type ProjectDeclarations,
} from "./cli/project-file";
export { nodejsRuntimeOptions, projectFileKeys } from "./cli/project-schema";
export { readStackDeclarations, stackFileKeys, type StackDeclarations } from "./cli/stack-file";
export { configValue, projectConfigValue, type ConfigValue } from "./cli/values";
export { closestKey } from "./cli/wording";
export { YamlValueError, parseYamlTimestamp, resolvePlainScalar, yamlV3Value } from "./cli/yaml-v3";
