import type { RunOptions } from "../../engine/run";
import { readCostVolumes } from "../../engine/stack-config";
import type { CostVolumes } from "./types";

/**
 * The monthly volumes of a stack: the `cost` key of its stack file (with `config` laid over it),
 * validated by the config schema, defaults applied. Throws what the plan would throw for a stack
 * file the CLI or the program refuses.
 */
export function stackVolumes(options: Pick<RunOptions, "stack" | "projectDir" | "config">): CostVolumes {
    return readCostVolumes(options);
}
