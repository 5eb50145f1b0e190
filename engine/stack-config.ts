import { costVolumesFrom, stackConfigFrom, type StackConfig } from "../stacks/config";
import { loadProject, loadStackFile, programConfig, repoRoot } from "./project";

/**
 * A stack file's configuration as the program would read it under `pulumi preview`: the CLI's
 * rules first (`programConfig`), then the program's (`stackConfigFrom`), with the keys the file
 * holds encrypted known as secret. The one reader of a stack's config for the tools: the plan's
 * checks across stack files, its policy facts and the cost estimate.
 */
export function readStackConfig(options: {
    readonly stack: string;
    readonly projectDir?: string;
    readonly config?: Record<string, unknown>;
}): StackConfig {
    const project = loadProject(options.projectDir ?? repoRoot);
    const { config, secretKeys } = programConfig(project, loadStackFile(project, options.stack), options.config, options.stack);
    return stackConfigFrom(options.stack, config, secretKeys);
}

/**
 * A stack file's cost volumes, checked strictly (the program takes the defaults for a `cost` it
 * cannot read; the cost estimate refuses it, naming the field), after the stack's own config.
 */
export function readCostVolumes(options: {
    readonly stack: string;
    readonly projectDir?: string;
    readonly config?: Record<string, unknown>;
}): StackConfig["cost"] {
    const project = loadProject(options.projectDir ?? repoRoot);
    const { config } = programConfig(project, loadStackFile(project, options.stack), options.config, options.stack);
    readStackConfig(options);
    return costVolumesFrom(options.stack, config);
}
