import * as fs from "node:fs";
import * as path from "node:path";
import { stackConfigFrom } from "../../stacks/config";
import type { StackFacts } from "../../policies/rule";
import { UserError, type StackRun } from "../../engine";
import { PolicyAnalyzer, PolicyPackError, type AnalyzedResource, type Diagnostic } from "../../engine/host/analyzer";
import { parsePolicyPackConfig, reconcilePolicyPackConfig } from "../../engine/host/policy-config";
import { EngineServices, serveEngine } from "../../engine/host/monitor";
import { preloadPath } from "../../engine/host/run";
import { loadProject, loadStackFile, programConfig, repoRoot } from "../../engine/project";
import { Recorder } from "../../engine/recorder";
import { PreviewValues } from "../../engine/values";
import { readPolicyConfig, type PolicyReport, type PolicyViolation } from "./policies";

/**
 * The policy pack's verdict on a planned stack, as `pulumi preview --policy-pack policies
 * --policy-pack-config policies/config/<stack>.json` reaches it: the pack is started through
 * Pulumi's own entry point and called over the Analyzer protocol (engine/host/analyzer.ts);
 * its config is read and reconciled as the CLI reconciles it (policy-config.ts); every registered
 * resource goes to `Remediate` and `Analyze` with its inputs as a preview sends them (what only the
 * deployment will know is unknown), then all of them to `AnalyzeStack` with their outputs. A rule
 * that touches an unknown value is reported by the pack as advisory "can't run ... during
 * preview": the plan lists those apart, as the rules that run only during `pulumi up`.
 */

/** The pack's folder: the project's own `policies/` when it holds one, else this repository's. */
export function policyPackDir(projectDir: string): string {
    const own = path.join(projectDir, "policies");
    return fs.existsSync(path.join(own, "PulumiPolicy.yaml")) ? own : path.join(repoRoot, "policies");
}

/** The file `--policy-pack-config` takes for a stack. */
export function policyConfigFile(projectDir: string, stack: string): string {
    return path.join(projectDir, "policies", "config", `${stack}.json`);
}

/** What the stack's config says that the rules need: its production setting, whether its service exists. */
export function stackFacts(run: Pick<StackRun, "stack" | "config">): Pick<StackFacts, "production" | "serviceExists"> {
    const config = stackConfigFrom(run.stack, { ...run.config.values }, run.config.secretKeys);
    return { production: config.production, serviceExists: config.gateway.serviceExists };
}

export interface PackOptions {
    readonly projectDir: string;
    readonly stack: string;
    /** Organization name Pulumi reports. Default: `organization`. */
    readonly organization?: string;
    /** Config laid over the stack file, as the run takes it. */
    readonly config?: Record<string, unknown>;
}

/**
 * Starts the policy pack for a stack, as the CLI does before the program runs (the plan starts it
 * beside the program's run, on the other core). Its own engine service takes what it logs.
 */
export async function startPolicyPack(options: PackOptions): Promise<PolicyAnalyzer> {
    const project = loadProject(options.projectDir);
    const { config, secretKeys } = programConfig(project, loadStackFile(project, options.stack), options.config, options.stack);
    const services = new EngineServices(
        project.name,
        options.stack,
        { newResource: () => ({ id: "", state: {} }), call: () => ({}) },
        new Recorder(project.name, options.stack),
    );
    const server = await serveEngine(services);
    try {
        const analyzer = await PolicyAnalyzer.start({
            packDir: policyPackDir(options.projectDir),
            engineAddress: server.address,
            organization: options.organization ?? "organization",
            project: project.name,
            stack: options.stack,
            dryRun: true,
            config,
            secretKeys,
            // What the program's process preloads (lazy modules, no debugging records) serves the pack too.
            env: { NODE_OPTIONS: [process.env.NODE_OPTIONS, `--require="${preloadPath}"`].filter(Boolean).join(" ") },
        });
        analyzer.onClose(() => void server.stop());
        analyzer.onUnref(() => server.unref());
        return analyzer;
    } catch (error) {
        await server.stop();
        throw error;
    }
}

const cantRun = /^can't run policy '[^']+' from policy pack '[^']+' during preview: /;

function stackUrnOf(run: StackRun): string {
    return run.resources.find((resource) => resource.type === "pulumi:pulumi:Stack")?.urn ?? "";
}

type Registered = StackRun["resources"][number];

/**
 * `Remediate` and `Analyze` for each resource (or those in `only`), then `AnalyzeStack` with all
 * of them, as the engine calls them; each diagnostic with the URN the engine gives it.
 */
async function analyzeAll(
    analyzer: PolicyAnalyzer,
    run: StackRun,
    registered: readonly Registered[],
    values: {
        inputs(resource: Registered): Record<string, unknown>;
        outputs(resource: Registered): Record<string, unknown>;
        only?: ReadonlySet<string>;
    },
): Promise<Array<Diagnostic & { fromStack?: boolean }>> {
    const options = (resource: Registered) => ({
        urn: resource.urn,
        type: resource.type,
        name: resource.name,
        protect: resource.protect,
        ignoreChanges: resource.ignoreChanges,
        parent: resource.parent,
        dependencies: resource.dependsOn,
    });
    // Each resource as it registers: remediations first, then the analysis of the result.
    const analyzeOne = async (resource: Registered): Promise<Diagnostic[]> => {
        const analyzed: AnalyzedResource = { ...options(resource), properties: values.inputs(resource) };
        const remediated = await analyzer.remediate(analyzed);
        const found = await analyzer.analyze({ ...analyzed, properties: remediated.properties });
        // A resource policy reports without a URN: the engine gives it the analyzed resource's.
        return [...remediated.diagnostics, ...found.map((diagnostic) => ({ ...diagnostic, urn: diagnostic.urn || resource.urn }))];
    };
    const diagnostics: Array<Diagnostic & { fromStack?: boolean }> = [];
    const selected = values.only ? registered.filter((resource) => values.only!.has(resource.urn)) : registered;
    for (let i = 0; i < selected.length; i += 16) {
        for (const found of await Promise.all(selected.slice(i, i + 16).map(analyzeOne))) {
            diagnostics.push(...found);
        }
    }
    const atEnd = await analyzer.analyzeStack(
        registered.map((resource) => ({ ...options(resource), properties: values.outputs(resource) })),
    );
    // A stack policy's URN that is not a resource of the stack goes to the stack (`AnalyzeResources`).
    const urns = new Set(registered.map((resource) => resource.urn));
    const stackUrn = stackUrnOf(run);
    diagnostics.push(
        ...atEnd.map((diagnostic) => ({ ...diagnostic, urn: urns.has(diagnostic.urn) ? diagnostic.urn : stackUrn, fromStack: true })),
    );
    return diagnostics;
}

/**
 * The pack's verdict on a planned stack. `pack` is a started pack (startPolicyPack), closed here
 * unless `keepOpen` (the tests analyze several stacks with one pack; each is configured for its
 * stack first).
 */
export async function analyzeStack(
    projectDir: string,
    run: StackRun,
    pack: PolicyAnalyzer | Promise<PolicyAnalyzer>,
    options: { keepOpen?: boolean } = {},
): Promise<PolicyReport> {
    const analyzer = await pack;
    try {
        if (options.keepOpen) {
            await analyzer.configureStack({
                stack: run.stack,
                project: run.project,
                organization: "organization",
                dryRun: true,
                config: run.config.values,
                secretKeys: run.config.secretKeys,
            });
        }
        const facts = stackFacts(run);
        // The project's own checks of the file first: known rules, and the facts the stack file states.
        readPolicyConfig(projectDir, run.stack, facts);
        const file = policyConfigFile(projectDir, run.stack);
        const shown = path.relative(projectDir, file);
        let fromFile: ReturnType<typeof parsePolicyPackConfig>["config"] | undefined;
        if (fs.existsSync(file)) {
            try {
                fromFile = parsePolicyPackConfig(fs.readFileSync(file, "utf8")).config;
            } catch (error) {
                throw new UserError(`${shown}: ${(error as Error).message}`);
            }
        }
        const { info } = analyzer;
        const { config, validationErrors } = info.supportsConfig
            ? reconcilePolicyPackConfig(info.policies, info.initialConfig, fromFile)
            : { config: {}, validationErrors: [] };
        if (!info.supportsConfig && fromFile) {
            throw new UserError(`policy pack "${info.name}" at "${policyPackDir(projectDir)}" does not support config`);
        }
        if (validationErrors.length > 0) {
            // The CLI's words (`pkg/engine/update.go`): every error, sorted, then "validating policy config".
            throw new UserError(
                [
                    ...validationErrors.map((error) => `error: validating policy config: ${info.name} ${info.version}  ${error}`).sort(),
                    `${shown}: validating policy config`,
                ].join("\n"),
            );
        }
        await analyzer.configure(config);

        const preview = new PreviewValues(run.fabricated, run.knownInPreview);
        const registered = run.resources.filter((resource) => !resource.read);
        // The preview: inputs and outputs as a preview sends them.
        const previewFound = await analyzeAll(analyzer, run, registered, {
            inputs: (resource) => preview.inputs(resource.type, resource.rawInputs),
            outputs: (resource) => preview.convert(resource.rawOutputs) as Record<string, unknown>,
        });
        const stopped = previewFound.filter((diagnostic) => cantRun.test(diagnostic.message));
        // What `pulumi up` runs once the values exist, here on the values the mocks invented: only
        // the checks the preview could not run, on the resources it could not run them on.
        const pending = new Set(stopped.map((diagnostic) => `${diagnostic.policyName}\u0000${diagnostic.urn}`));
        const stackPolicies = new Set(
            stopped.filter((diagnostic) => diagnostic.urn === stackUrnOf(run)).map((diagnostic) => diagnostic.policyName),
        );
        const upFound =
            stopped.length === 0
                ? []
                : (
                      await analyzeAll(analyzer, run, registered, {
                          inputs: (resource) => resource.rawInputs,
                          outputs: (resource) => resource.rawOutputs,
                          only: new Set(stopped.map((diagnostic) => diagnostic.urn)),
                      })
                  ).filter(
                      (diagnostic) =>
                          pending.has(`${diagnostic.policyName}\u0000${diagnostic.urn}`) ||
                          (diagnostic.fromStack && stackPolicies.has(diagnostic.policyName)),
                  );

        const byUrn = new Map(run.resources.map((resource) => [resource.urn, resource]));
        const violation = (diagnostic: Diagnostic): PolicyViolation => {
            const resource = byUrn.get(diagnostic.urn);
            const level =
                diagnostic.enforcementLevel === "mandatory" || diagnostic.enforcementLevel === "remediate" ? "mandatory" : "advisory";
            // `@pulumi/policy` writes the policy's description, a line break, then what the rule reported
            // (server.js, makeReportViolationFun): the plan keeps what the rule reported.
            const reported =
                diagnostic.description && diagnostic.message.startsWith(`${diagnostic.description}\n`)
                    ? diagnostic.message.slice(diagnostic.description.length + 1)
                    : diagnostic.message;
            return {
                rule: diagnostic.policyName,
                level,
                resource: resource?.name ?? diagnostic.urn,
                type: resource?.type ?? "",
                message: reported.replace(cantRun, ""),
            };
        };
        const configuredLevel = (rule: string): PolicyViolation["level"] => {
            const level = config[rule]?.enforcementLevel ?? info.policies.find((policy) => policy.name === rule)?.enforcementLevel;
            return level === "mandatory" || level === "remediate" ? "mandatory" : "advisory";
        };
        return {
            pack: info.name,
            version: info.version,
            rules: info.policies.filter((policy) => (config[policy.name]?.enforcementLevel ?? policy.enforcementLevel) !== "disabled")
                .length,
            violations: previewFound.filter((diagnostic) => !cantRun.test(diagnostic.message)).map(violation),
            duringUp: stopped.map((diagnostic) => ({ ...violation(diagnostic), level: configuredLevel(diagnostic.policyName) })),
            upViolations: upFound.map(violation),
        };
    } catch (error) {
        if (error instanceof PolicyPackError) {
            throw new UserError(error.message);
        }
        throw error;
    } finally {
        if (!options.keepOpen) {
            analyzer.close();
        }
    }
}
