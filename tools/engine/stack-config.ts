import { stackConfigFrom, type StackConfig } from "../../stacks/config";
import { loadProject, loadStackFile, programConfig, repoRoot } from "./project";

/**
 * A stack file's configuration as the program would read it under `pulumi preview`: the CLI's
 * rules first (`programConfig`), then the program's (`stackConfigFrom`), with the keys the file
 * holds encrypted known as secret. The one reader of a stack's config for the tools: the plan's
 * checks across stack files, its policy facts and the cost estimate.
 */
export function readStackConfig(options: { readonly stack: string; readonly projectDir?: string; readonly config?: Record<string, unknown> }): StackConfig {
    const project = loadProject(options.projectDir ?? repoRoot);
    const { config, secretKeys } = programConfig(project, loadStackFile(project, options.stack), options.config, options.stack);
    return stackConfigFrom(options.stack, config, secretKeys);
}
