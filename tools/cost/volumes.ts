import { parseStackConfig, projectSecretKeys, rawConfigFromPulumi } from "../../stacks/config";
import type { RunOptions } from "../engine/run";
import { loadProject, loadStackFile, programConfig, repoRoot } from "../engine/project";
import type { CostVolumes } from "./types";

/**
 * The monthly volumes of a stack: the `cost` key of its stack file (with `config` laid over it),
 * validated by the config schema, defaults applied. Throws what the plan would throw for a stack
 * file the CLI or the program refuses.
 */
export function stackVolumes(options: Pick<RunOptions, "stack" | "projectDir" | "config">): CostVolumes {
    const project = loadProject(options.projectDir ?? repoRoot);
    const { config, secretKeys } = programConfig(project, loadStackFile(project, options.stack), options.config, options.stack);
    return parseStackConfig(options.stack, rawConfigFromPulumi(config), projectSecretKeys(secretKeys)).cost;
}
