import type { Rule } from "../rule";
import { apiManagementRules } from "./api-management";
import { constraintRules } from "./constraints";
import { everywhereRules } from "./everywhere";
import { workloadRules } from "./workloads";

/** Every rule of the pack, in the order they are reported. */
export const rules: readonly Rule[] = [...constraintRules, ...apiManagementRules, ...workloadRules, ...everywhereRules];
