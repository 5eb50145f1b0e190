/**
 * The mock engine: runs the real program for a stack under Pulumi's mocks, after the checks the
 * Pulumi CLI makes before a program runs, and returns every resource it registered. The tests and
 * the `plan` command both stand on it.
 */
export { runStack, type RegisteredResource, type RunOptions, type StackRun } from "./run";
export { planStack, projectStacks } from "./plan-stack";
export { CliConfigError, StackNotFoundError, UserError, YamlSyntaxError } from "./project";
