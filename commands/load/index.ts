import * as fs from "node:fs";
import * as path from "node:path";
import { CatalogError, formatRate, type ApiDefinition } from "../../content/catalog";
import { loadCatalog } from "../../content";
import { missingStack, parseCommand, projectDirOf, runMain, userErrorExit } from "../cli";
import { readStackConfig } from "../../engine/stack-config";
import type { StackConfig } from "../../stacks/config";
import { accessToken, smokeRequest } from "../smoke/calls";
import { SettingsError, environmentVariables, readOutputs, smokeSettings } from "../smoke/settings";
import { locustScript, testConfiguration, testId, type AzureTestTarget } from "./azure";
import { capacityLines, criteriaOf, figures, judge, type Figures, type GatewaySize, type Judged } from "./report";
import { runLoad, type LoadShape } from "./run";

const usage = `Usage: npm run load -- <stack> --outputs <file> [--api <name>] [--duration-s <s>] [--connections <n>]
                     [--requests <n>] [--timeout-ms <ms>] [--client-id <id>] [--project-dir <dir>]
       npm run load -- <stack> --outputs <file> --azure <dir> [--project-dir <dir>]

Loads a deployed stack's APIs through its gateway, one API after the other: each API's load
(load in its api.yaml: operations and their weights, or its smoke test's call) from this machine,
with a token for the daemon client and a subscription key as the smoke test gets them. Reports the
50th, 95th and 99th percentile response times, errors and throughput per API, judges each against
its criteria (the stack file's load.criteria over the API's own), and says what Capacity the load
should produce. Exit code 0 when every criterion is met, 1 when one is not, 2 when something it
needs is missing.

With --azure <dir>, writes the same load as an Azure Load Testing test instead (locustfile.py and
load-test.yaml, for az load test create) on a stack with load.azureLoadTesting; sends nothing.

  --outputs <file>    the JSON of \`pulumi stack output --json --show-secrets -s <stack>\`; - reads it
                      from standard input
  --api <name>        load only this API (its name in api.yaml; the versions that have a load test)
  --duration-s <s>    seconds per API (default: the stack file's load.durationSeconds, or 60)
  --connections <n>   connections per API (default: the stack file's load.connections, or 10)
  --requests <n>      stop each API after this many answered calls, before the duration if sooner
  --timeout-ms <ms>   how long each call may take (default 15000)
  --client-id <id>    the daemon client's application id, instead of identity.clientAppClientId
  --azure <dir>       write the Azure Load Testing test into this directory instead of running
  --project-dir <dir> the directory of the stack files and apis/ (default: this repository)
  --help              this text

Environment: ${environmentVariables.clientSecret} and ${environmentVariables.subscriptionKey}, as for npm run smoke; ${environmentVariables.loginUrl}
and ${environmentVariables.gatewayUrl} change where the requests go.`;

const command = {
    script: "load",
    usage,
    verb: "load",
    options: {
        outputs: { type: "string" },
        api: { type: "string" },
        "duration-s": { type: "string" },
        connections: { type: "string" },
        requests: { type: "string" },
        "timeout-ms": { type: "string" },
        "client-id": { type: "string" },
        azure: { type: "string" },
        "project-dir": { type: "string" },
        help: { type: "boolean", short: "h" },
    },
    shownAs: {
        outputs: "--outputs <file>",
        api: "--api <name>",
        "duration-s": "--duration-s <s>",
        connections: "--connections <n>",
        requests: "--requests <n>",
        "timeout-ms": "--timeout-ms <ms>",
        "client-id": "--client-id <id>",
        azure: "--azure <dir>",
        "project-dir": "--project-dir <dir>",
    },
} as const;

/** A whole-number option within bounds, or the message saying what it takes. */
function wholeOption(name: string, text: string | undefined, min: number, max: number, example: number): number | string | undefined {
    if (text === undefined) {
        return undefined;
    }
    const value = Number(text);
    return Number.isInteger(value) && value >= min && value <= max
        ? value
        : `--${name}: "${text}" is not allowed (allowed: a whole number, ${min}-${max}, such as ${example})`;
}

/** One API's run as the report shows it. */
interface ApiRun {
    api: ApiDefinition;
    found: Figures;
    judged: Judged[];
    failedBy: Record<string, string>;
}

/** The requests-per-second criteria of the stack file that no API can meet under its own rate limit. */
function stackCriteriaProblems(stack: string, load: StackConfig["load"], apis: readonly ApiDefinition[]): string[] {
    const rps = load.criteria?.requestsPerSecond;
    if (rps === undefined) {
        return [];
    }
    return apis
        .filter((api) => api.load && rps > api.policy.rateLimit.calls / api.policy.rateLimit.renewalPeriod)
        .map(
            (api) =>
                `Pulumi.${stack}.yaml: load.criteria.requestsPerSecond: ${rps} cannot be met by ${api.apiId}: its policy.rateLimit (apis/${api.folder}/api.yaml) lets one subscription make ${formatRate(api.policy.rateLimit.calls / api.policy.rateLimit.renewalPeriod)} calls a second and answers 429 beyond it (allowed: at most the lowest rate limit of the APIs loaded, or raise theirs)`,
        );
}

/** The gateway's size as the stack file sets it: tier, the primary region's units, autoscale's range. */
function gatewaySize(config: StackConfig, serviceId: string | undefined): GatewaySize {
    const autoscale = config.gateway.autoscale;
    return {
        sku: config.gateway.sku,
        units: autoscale ? autoscale.minCapacity : config.gateway.capacity,
        ...(autoscale ? { autoscale: { min: autoscale.minCapacity, max: autoscale.maxCapacity } } : {}),
        location: config.location,
        ...(serviceId ? { serviceId } : {}),
    };
}

/** A string at a dotted key of the outputs. */
function outputString(outputs: Record<string, unknown>, key: string): string | undefined {
    let value: unknown = outputs;
    for (const part of key.split(".")) {
        value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[part] : undefined;
    }
    return typeof value === "string" && value !== "" ? value : undefined;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
    const parsed = parseCommand(command, argv, env);
    if (typeof parsed === "number") {
        return parsed;
    }
    const stack = parsed.stack;
    const values = parsed.values;
    const projectDir = projectDirOf(values);
    const missing = missingStack(stack, projectDir);
    if (missing !== undefined) {
        return missing;
    }
    if (values.outputs === undefined) {
        process.stderr.write(
            `--outputs is missing (allowed: a file holding the JSON of \`pulumi stack output --json --show-secrets -s ${stack}\`, or - to read it from standard input)\n\n${usage}\n`,
        );
        return 2;
    }
    const options = {
        duration: wholeOption("duration-s", values["duration-s"], 1, 3600, 60),
        connections: wholeOption("connections", values.connections, 1, 1000, 10),
        requests: wholeOption("requests", values.requests, 1, 10_000_000, 1000),
        timeout: wholeOption("timeout-ms", values["timeout-ms"], 1, 600_000, 15000),
    };
    const wrong = Object.values(options).filter((value): value is string => typeof value === "string");
    if (wrong.length > 0) {
        process.stderr.write(`${wrong.join("\n")}\n`);
        return 2;
    }

    let config: StackConfig;
    let apis: ApiDefinition[];
    try {
        config = readStackConfig({ stack, projectDir });
        apis = (await loadCatalog(path.join(projectDir, "apis"))).apis;
    } catch (error) {
        return userErrorExit(error, 2, CatalogError);
    }
    const names = [...new Set(apis.map((api) => api.name))];
    if (values.api !== undefined && !names.includes(values.api)) {
        process.stderr.write(`--api: "${values.api}" is not an API of apis/ (allowed: ${names.join(", ") || "none"})\n`);
        return 2;
    }
    const chosen = apis.filter((api) => values.api === undefined || api.name === values.api);
    const loaded = chosen.filter((api) => api.load);
    const refused = stackCriteriaProblems(stack, config.load, loaded);
    if (refused.length > 0) {
        process.stderr.write(`${refused.join("\n")}\n`);
        return 2;
    }
    if (loaded.length === 0) {
        process.stdout.write(
            `No API${values.api ? ` named ${values.api}` : ""} declares a load test (load in its api.yaml): nothing to load.\n`,
        );
        return 0;
    }

    let outputs: Record<string, unknown>;
    try {
        outputs = readOutputs(stack, values.outputs, "the load test");
    } catch (error) {
        return userErrorExit(error, 2, SettingsError);
    }
    const shown = values.outputs === "-" ? "the outputs" : values.outputs;

    if (values.azure !== undefined) {
        return writeAzureTest(stack, config, outputs, shown, path.resolve(values.azure), loaded, env, values["client-id"]);
    }

    let settings;
    try {
        settings = smokeSettings(stack, outputs, shown, env, values["client-id"], "the load test");
    } catch (error) {
        return userErrorExit(error, 2, SettingsError);
    }
    const timeoutMs = (options.timeout as number | undefined) ?? 15_000;
    const shape: LoadShape = {
        durationSeconds: (options.duration as number | undefined) ?? config.load.durationSeconds,
        connections: (options.connections as number | undefined) ?? config.load.connections,
        ...(options.requests !== undefined ? { amount: options.requests as number } : {}),
        timeoutMs,
    };
    process.stdout.write(
        `Load test of stack ${stack} through ${settings.gatewayUrl}: ${loaded.length} of ${chosen.length} APIs declare one; ${shape.connections} connection${shape.connections === 1 ? "" : "s"} for ${shape.durationSeconds} s each${shape.amount ? `, at most ${shape.amount} calls` : ""}\n`,
    );
    const token = await accessToken(settings, timeoutMs);
    if ("problem" in token) {
        process.stdout.write(`No access token: ${token.problem}\nNo API was loaded.\n`);
        return 1;
    }
    const runs: ApiRun[] = [];
    for (const api of loaded) {
        const load = api.load!;
        const calls = load.operations.map((call) => ({
            operation: call.operation,
            request: smokeRequest(
                api,
                { ...call, ...(load.revision !== undefined ? { revision: load.revision } : {}) },
                settings,
                token.token,
            ),
            weight: call.weight,
            ...(call.status !== undefined ? { status: call.status } : {}),
        }));
        // One subscription may make no more calls than the API's rate limit allows (the gateway
        // answers 429 beyond it): the load keeps to it, as a whole number of calls a second.
        const rate = Math.max(1, Math.floor(api.policy.rateLimit.calls / api.policy.rateLimit.renewalPeriod));
        process.stdout.write(
            `${api.apiId}${load.revision !== undefined ? ` (staged revision ${load.revision})` : ""}: loading at up to ${rate} calls a second (policy.rateLimit)\n`,
        );
        const measured = await runLoad(calls, { ...shape, rate });
        const found = figures(measured);
        const failedBy = Object.fromEntries(
            Object.entries(measured.operations)
                .filter(([, counts]) => counts.failed > 0)
                .map(([operation, counts]) => [
                    operation,
                    Object.entries(counts.statuses)
                        .map(([status, count]) => `${count} × ${status}`)
                        .join(", "),
                ]),
        );
        if (measured.unanswered > 0) {
            failedBy["(no answer)"] = `${measured.unanswered} call${measured.unanswered === 1 ? "" : "s"}`;
        }
        runs.push({ api, found, judged: judge(criteriaOf(load.criteria, config.load.criteria), found), failedBy });
    }
    process.stdout.write(report(runs, gatewaySize(config, outputString(outputs, "gateway.serviceId"))));
    return runs.every((run) => run.judged.every((judged) => judged.passed)) ? 0 : 1;
}

/** The report: a line per API with its figures, its criteria, what failed, and the Capacity estimate. */
export function report(runs: readonly ApiRun[], gateway: GatewaySize): string {
    const ms = (value: number | undefined) => (value === undefined ? "-" : `${Math.round(value * 10) / 10} ms`);
    const rows = runs.map((run) => [
        run.api.apiId,
        `${run.found.calls}`,
        ms(run.found.p50),
        ms(run.found.p95),
        ms(run.found.p99),
        `${Math.round(run.found.errorPercent * 100) / 100} %`,
        `${Math.round(run.found.requestsPerSecond * 10) / 10}`,
    ]);
    const header = ["API", "calls", "p50", "p95", "p99", "errors", "req/s"];
    const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
    const line = (cells: string[]) =>
        `  ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ")}`.trimEnd();
    const lines = [line(header), ...rows.map(line)];
    for (const run of runs) {
        const verdicts = run.judged.map((judged) => `${judged.passed ? "PASS" : "FAIL"} ${judged.wanted} (got ${judged.got})`);
        lines.push(`${run.api.apiId}: ${verdicts.length > 0 ? verdicts.join("; ") : "no criteria: measured only"}`);
        for (const [operation, statuses] of Object.entries(run.failedBy)) {
            lines.push(`  failed calls of ${operation}: ${statuses}`);
        }
    }
    const total = runs.reduce((sum, run) => sum + run.found.requestsPerSecond, 0);
    const busiest = Math.max(...runs.map((run) => run.found.requestsPerSecond));
    lines.push(...capacityLines(busiest, gateway));
    const failed = runs.filter((run) => run.judged.some((judged) => !judged.passed)).length;
    lines.push(
        `${runs.length - failed} passed, ${failed} failed (${Math.round(total * 10) / 10} req/s over ${runs.length} API${runs.length === 1 ? "" : "s"}, one after the other)`,
    );
    return `${lines.join("\n")}\n`;
}

/** The virtual user hours a run bills, with the service's minimum (10 users per engine, 10 minutes), to two decimals. */
export function virtualUserHours(usersPerEngine: number, engines: number, seconds: number): number {
    const billed = Math.max(usersPerEngine, 10) * engines * (Math.max(seconds, 600) / 3600);
    return Math.round(billed * 100) / 100;
}

/** Writes the Azure Load Testing test; 2 when the stack or its outputs lack what it needs. */
function writeAzureTest(
    stack: string,
    config: StackConfig,
    outputs: Record<string, unknown>,
    shown: string,
    dir: string,
    apis: readonly ApiDefinition[],
    env: NodeJS.ProcessEnv,
    clientId: string | undefined,
): number {
    if (!config.load.azureLoadTesting) {
        process.stderr.write(
            `--azure: Pulumi.${stack}.yaml does not set load.azureLoadTesting, so the stack has no Azure Load Testing resource or load-test subscription (allowed: set load.azureLoadTesting in the stack file and pulumi up, or run the load from here without --azure)\n`,
        );
        return 2;
    }
    const problems: string[] = [];
    const needed = (key: string, hint = "") => {
        const value = outputString(outputs, key);
        if (value === undefined) {
            problems.push(
                `${shown}: ${key} is missing (allowed: the outputs of \`pulumi stack output --json --show-secrets -s ${stack}\`${hint})`,
            );
        }
        return value ?? "";
    };
    const gatewayUrl = (env[environmentVariables.gatewayUrl] || needed("gateway.gatewayUrl")).replace(/\/+$/, "");
    const tenant = needed("identity.tenantId");
    const identifierUri = needed("identity.identifierUri");
    const client =
        clientId || needed("identity.clientAppClientId", "; a passive DR site has none: give the active site's with --client-id <id>");
    const secretIds = (outputs.vault as { secretIds?: Record<string, unknown> } | undefined)?.secretIds ?? {};
    const secretUri = (name: string) => {
        const value = secretIds[name];
        if (typeof value !== "string" || value === "") {
            problems.push(
                `${shown}: vault.secretIds.${name} is missing (allowed: the outputs of a stack deployed with load.azureLoadTesting)`,
            );
            return "";
        }
        return value;
    };
    const target: AzureTestTarget = {
        stack,
        gatewayUrl,
        tokenUrl: `${(env[environmentVariables.loginUrl] || "https://login.microsoftonline.com").replace(/\/+$/, "")}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`,
        scope: `${identifierUri.replace(/\/+$/, "")}/.default`,
        clientId: client,
        clientSecretUri: secretUri("api-client-secret"),
        subscriptionKeyUri: secretUri("load-test-subscription-key"),
    };
    if (problems.length > 0) {
        process.stderr.write(`${new SettingsError(stack, problems, "the Azure Load Testing test").message}\n`);
        return 2;
    }
    fs.mkdirSync(dir, { recursive: true });
    const shape = {
        connections: config.load.connections,
        durationSeconds: config.load.durationSeconds,
        engineInstances: config.load.azureLoadTesting.engineInstances,
        ...(config.load.criteria ? { criteria: config.load.criteria } : {}),
    };
    fs.writeFileSync(path.join(dir, "locustfile.py"), locustScript(stack, apis, shape));
    fs.writeFileSync(path.join(dir, "load-test.yaml"), testConfiguration(target, shape, apis));
    const resource = outputString(outputs, "loadTesting.name") ?? "<loadTesting.name output>";
    const group = outputString(outputs, "resourceGroups.gateway") ?? "<resourceGroups.gateway output>";
    process.stdout.write(
        [
            `Wrote ${path.join(dir, "locustfile.py")} and ${path.join(dir, "load-test.yaml")}: ${apis.length} API${apis.length === 1 ? "" : "s"}, ${shape.connections} users each per engine, ${shape.engineInstances} engine${shape.engineInstances === 1 ? "" : "s"}, ${shape.durationSeconds} s.`,
            "Create (or update) the test and run it:",
            `  az load test create --load-test-resource ${resource} --resource-group ${group} --test-id ${testId(stack)} --load-test-config-file ${path.join(dir, "load-test.yaml")}`,
            `  az load test-run create --load-test-resource ${resource} --resource-group ${group} --test-id ${testId(stack)} --test-run-id <run id> --query testResult --output tsv`,
            "The run prints PASSED or FAILED; az exits 0 either way, so check the word.",
            `Azure Load Testing bills virtual user hours: this run is about ${virtualUserHours(apis.length * shape.connections, shape.engineInstances, shape.durationSeconds)} (users × engines × hours; at least 10 users per engine for 10 minutes a run, from March 2026: "Minimum Usage in Azure App Testing", Microsoft Tech Community).`,
            "",
        ].join("\n"),
    );
    return 0;
}

if (require.main === module) {
    runMain(() => main(process.argv.slice(2)));
}
