import * as path from "node:path";
import { CatalogError, type ApiDefinition } from "../../content/catalog";
import { loadCatalog } from "../../content";
import { missingStack, parseCommand, projectDirOf, runMain, userErrorExit } from "../cli";
import { accessToken, send, smokeRequest, snippet, type Answer, type SmokeRequest } from "./calls";
import { SettingsError, environmentVariables, readOutputs, smokeSettings } from "./settings";

const usage = `Usage: npm run smoke -- <stack> --outputs <file> [--timeout-ms <ms>] [--client-id <id>] [--project-dir <dir>]

Checks a deployed stack through its gateway: gets an access token for the API application with the
daemon client's credentials (client credentials grant), then makes each API's smoke call (smoke in
its api.yaml) with the token and a subscription key, and compares the status with the one declared.
Exit code 0 when every API answers as declared, 1 when one does not (or no token is issued), 2 when
something it needs is missing.

  --outputs <file>   the JSON of \`pulumi stack output --json --show-secrets -s <stack>\`; - reads it
                     from standard input
  --timeout-ms <ms>  how long each request may take (default 15000)
  --client-id <id>   the daemon client's application id, instead of identity.clientAppClientId
                     (a passive DR site has none: give the active site's)
  --project-dir <dir>
                     the directory of the stack files and apis/ (default: this repository)
  --help             this text

Environment: ${environmentVariables.clientSecret} (the daemon client's secret, the Key Vault secret
api-client-secret) and ${environmentVariables.subscriptionKey} (a subscription key) are required;
${environmentVariables.loginUrl} (default https://login.microsoftonline.com) and ${environmentVariables.gatewayUrl} (default: the
gateway.gatewayUrl output) change where the requests go.`;

/** The command line of `npm run smoke`. */
const command = {
    script: "smoke",
    usage,
    verb: "check",
    options: {
        outputs: { type: "string" },
        "timeout-ms": { type: "string" },
        "client-id": { type: "string" },
        "project-dir": { type: "string" },
        help: { type: "boolean", short: "h" },
    },
    shownAs: {
        outputs: "--outputs <file>",
        "timeout-ms": "--timeout-ms <ms>",
        "client-id": "--client-id <id>",
        "project-dir": "--project-dir <dir>",
    },
} as const;

/** The default time each request may take. */
const defaultTimeoutMs = 15_000;

/** One API's line of the report. */
interface Result {
    api: ApiDefinition;
    request?: SmokeRequest;
    answer?: Answer;
    passed: boolean;
}

/**
 * Runs the command; returns the process exit code. `env` holds the environment variables (and
 * where npm leaves the options it swallowed).
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
    const parsed = parseCommand(command, argv, env);
    if (typeof parsed === "number") {
        return parsed;
    }
    const stack = parsed.stack;
    const projectDir = projectDirOf(parsed.values);
    const missing = missingStack(stack, projectDir);
    if (missing !== undefined) {
        return missing;
    }
    const outputsFile = parsed.values.outputs;
    if (outputsFile === undefined) {
        process.stderr.write(
            `--outputs is missing (allowed: a file holding the JSON of \`pulumi stack output --json --show-secrets -s ${stack}\`, or - to read it from standard input)\n\n${usage}\n`,
        );
        return 2;
    }
    const timeoutText = parsed.values["timeout-ms"];
    const timeoutMs = timeoutText === undefined ? defaultTimeoutMs : Number(timeoutText);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
        process.stderr.write(
            `--timeout-ms: "${timeoutText}" is not a number of milliseconds (allowed: a whole number of 1 or more, such as 15000)\n`,
        );
        return 2;
    }

    let settings;
    try {
        settings = smokeSettings(
            stack,
            readOutputs(stack, outputsFile),
            outputsFile === "-" ? "the outputs" : outputsFile,
            env,
            parsed.values["client-id"],
        );
    } catch (error) {
        return userErrorExit(error, 2, SettingsError);
    }
    let apis: ApiDefinition[];
    try {
        apis = (await loadCatalog(path.join(projectDir, "apis"))).apis;
    } catch (error) {
        return userErrorExit(error, 2, CatalogError);
    }

    const tested = apis.filter((api) => api.smoke);
    process.stdout.write(
        `Smoke test of stack ${stack} through ${settings.gatewayUrl} (${tested.length} of ${apis.length} APIs declare one)\n`,
    );
    if (tested.length === 0) {
        process.stdout.write("No API declares a smoke test (smoke in its api.yaml): nothing to call.\n");
        return 0;
    }
    const token = await accessToken(settings, timeoutMs);
    if ("problem" in token) {
        process.stdout.write(`No access token: ${token.problem}\nNo API was called.\n`);
        return 1;
    }
    const results: Result[] = [];
    for (const api of apis) {
        if (!api.smoke) {
            results.push({ api, passed: true });
            continue;
        }
        const request = smokeRequest(api, api.smoke, settings, token.token);
        const answer = await send(request, timeoutMs);
        results.push({ api, request, answer, passed: "status" in answer && answer.status === api.smoke.status });
    }
    process.stdout.write(report(results));
    return results.every((result) => result.passed) ? 0 : 1;
}

/**
 * The report: a line per API (passed or failed, API id, method, path, expected and actual
 * status, latency), what a failed call answered, and the counts.
 */
export function report(results: readonly Result[]): string {
    const rows = results.map((result) => {
        const { api, request, answer } = result;
        if (!request || !answer || !api.smoke) {
            return { cells: ["-", api.apiId, "", "", "no smoke test declared", ""], detail: undefined };
        }
        const target = new URL(request.url);
        const got = "status" in answer ? `got ${answer.status}` : `got ${answer.error}`;
        const detail = "status" in answer && !result.passed && answer.body.trim() !== "" ? `answer: ${snippet(answer.body)}` : undefined;
        return {
            cells: [
                result.passed ? "PASS" : "FAIL",
                api.apiId,
                request.method,
                `${target.pathname}${target.search}`,
                `expected ${api.smoke.status}, ${got}`,
                `${answer.ms} ms`,
            ],
            detail,
        };
    });
    const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((row) => row.cells[i]!.length)));
    const lines = rows.flatMap((row) => {
        const cells = row.cells.map((cell, i) =>
            i === 5 ? cell.padStart(Math.max(...rows.map((other) => other.cells[5]!.length))) : cell.padEnd(widths[i]!),
        );
        const line = `  ${cells.join("  ")}`.trimEnd();
        return row.detail ? [line, `        ${row.detail}`] : [line];
    });
    const called = results.filter((result) => result.request);
    const failed = called.filter((result) => !result.passed).length;
    const untested = results.length - called.length;
    return `${lines.join("\n")}\n${called.length - failed} passed, ${failed} failed${untested > 0 ? `, ${untested} with no smoke test declared` : ""}\n`;
}

if (require.main === module) {
    runMain(() => main(process.argv.slice(2)));
}
