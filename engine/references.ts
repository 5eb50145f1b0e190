/**
 * Stack references, in the user's terms. A `StackReference` names a stack as `stack`,
 * `org/stack` or `org/project/stack`; the first two, and the third with this project's name, are
 * stacks of this project (the organisation cannot be known offline, so any organisation counts as
 * the user's). Such a stack is planned from its own stack file first and its outputs handed over;
 * a stack of another project is read as unknown: every value from it is "(known after deploy)".
 */

/** A reference's outputs: known ones, or unknown (another project's stack, or a cycle). */
export type ReferencedOutputs = Readonly<Record<string, unknown>> | "unknown";

/** The stack of this project a reference names, or undefined when it names another project's. */
export { ownStack as ownStackName } from "../stacks/stack-names";

/** A run read a stack of this project whose outputs it was not given. */
export class UnresolvedStackReference extends Error {
    constructor(
        readonly reference: string,
        readonly stackName: string,
    ) {
        super(
            `The stack reference "${reference}" reads stack ${stackName} of this project: plan it with npm run plan, which plans ${stackName} first and reads its outputs`,
        );
        this.name = "UnresolvedStackReference";
    }
}
