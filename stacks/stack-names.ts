/**
 * How a StackReference names a stack: `stack`, `org/stack` or `org/project/stack`. The first two,
 * and the third with this project's name, are stacks of this project; the organisation is the
 * user's (it cannot be known before deploy, so any organisation counts as theirs).
 */

/** The stack of `project` that `reference` names, or undefined when it names another project's stack. */
export function ownStack(reference: string, project: string): string | undefined {
    const parts = reference.split("/");
    if (parts.length === 3) {
        return parts[1] === project ? parts[2] : undefined;
    }
    return parts.length <= 2 ? parts[parts.length - 1] : undefined;
}
