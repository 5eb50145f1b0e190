import { readFileSync } from "node:fs";

/**
 * What a smoke test needs besides the catalog, read from a deployed stack's outputs (the JSON of
 * `pulumi stack output --json --show-secrets`) and from the environment: where the gateway is,
 * where to get a token and for what, and the daemon client's credentials and subscription key.
 * Every value that is missing is reported at once, each named.
 */

/** Where the token comes from when `SMOKE_LOGIN_URL` does not say otherwise. */
const defaultLoginUrl = "https://login.microsoftonline.com";

/** The environment variables the command reads. */
export const environmentVariables = {
    clientSecret: "SMOKE_CLIENT_SECRET",
    subscriptionKey: "SMOKE_SUBSCRIPTION_KEY",
    loginUrl: "SMOKE_LOGIN_URL",
    gatewayUrl: "SMOKE_GATEWAY_URL",
} as const;

export interface SmokeSettings {
    /** The gateway's base URL, without a trailing slash. */
    gatewayUrl: string;
    /** The token endpoint: `<login URL>/<tenant>/oauth2/v2.0/token`. */
    tokenUrl: string;
    /** The scope the token is asked for: `<identifier URI>/.default`. */
    scope: string;
    clientId: string;
    clientSecret: string;
    subscriptionKey: string;
}

/** Settings that cannot be read: every problem, one per line. */
export class SettingsError extends Error {
    constructor(
        readonly stackName: string,
        readonly problems: readonly string[],
        /** What cannot run: "the smoke test", "the load test". */
        what = "the smoke test",
    ) {
        super(
            `Cannot run ${what} of stack ${stackName} (${problems.length === 1 ? "1 problem" : `${problems.length} problems`}):\n${problems.map((problem) => `  - ${problem}`).join("\n")}`,
        );
        this.name = "SettingsError";
    }
}

/** Reads the outputs file (`-` for standard input) as JSON; throws a SettingsError naming the file. */
export function readOutputs(stack: string, file: string, what?: string): Record<string, unknown> {
    const shown = file === "-" ? "the outputs on standard input" : file;
    let text: string;
    try {
        text = readFileSync(file === "-" ? 0 : file, "utf8");
    } catch (error) {
        throw new SettingsError(
            stack,
            [
                `--outputs: ${shown} cannot be read: ${(error as Error).message} (allowed: a file holding the JSON of \`pulumi stack output --json --show-secrets -s ${stack}\`, or - to read it from standard input)`,
            ],
            what,
        );
    }
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch (error) {
        throw new SettingsError(
            stack,
            [
                `${shown}: is not JSON: ${(error as Error).message} (allowed: the JSON of \`pulumi stack output --json --show-secrets -s ${stack}\`)`,
            ],
            what,
        );
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new SettingsError(
            stack,
            [
                `${shown}: is not an object of stack outputs (allowed: the JSON of \`pulumi stack output --json --show-secrets -s ${stack}\`)`,
            ],
            what,
        );
    }
    return value as Record<string, unknown>;
}

/** The value at a dotted key of the outputs, when it is a non-empty string. */
function outputAt(outputs: Record<string, unknown>, key: string): string | undefined {
    let value: unknown = outputs;
    for (const part of key.split(".")) {
        value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[part] : undefined;
    }
    return typeof value === "string" && value !== "" ? value : undefined;
}

/** A base URL without its trailing slashes, or undefined when it is not an http(s) URL. */
function baseUrl(value: string): string | undefined {
    try {
        const url = new URL(value);
        return url.protocol === "https:" || url.protocol === "http:" ? value.replace(/\/+$/, "") : undefined;
    } catch {
        return undefined;
    }
}

/**
 * The settings from the outputs (`shown` names their file in messages) and the environment;
 * `clientId` replaces the outputs' daemon client (a passive DR site has none of its own).
 */
export function smokeSettings(
    stack: string,
    outputs: Record<string, unknown>,
    shown: string,
    env: NodeJS.ProcessEnv,
    clientId?: string,
    what?: string,
): SmokeSettings {
    const problems: string[] = [];
    const from = `the outputs of \`pulumi stack output --json --show-secrets -s ${stack}\``;
    const output = (key: string, hint = "") => {
        const value = outputAt(outputs, key);
        if (value === undefined) {
            problems.push(`${shown}: ${key} is missing (allowed: ${from}${hint})`);
        }
        return value ?? "";
    };
    const variable = (name: string, what: string) => {
        const value = env[name];
        if (value === undefined || value === "") {
            problems.push(`${name} is not set (allowed: ${what})`);
        }
        return value ?? "";
    };
    const url = (value: string, name: string) => {
        const base = value === "" ? "" : baseUrl(value);
        if (base === undefined) {
            problems.push(`${name}: "${value}" is not a URL (allowed: an https URL, such as https://api.contoso.com)`);
        }
        return base ?? "";
    };

    const gatewayOverride = env[environmentVariables.gatewayUrl];
    const gatewayUrl = gatewayOverride
        ? url(gatewayOverride, environmentVariables.gatewayUrl)
        : url(output("gateway.gatewayUrl"), `${shown}: gateway.gatewayUrl`);
    const tenantId = output("identity.tenantId");
    const identifierUri = output("identity.identifierUri");
    const client =
        clientId ||
        output(
            "identity.clientAppClientId",
            "; a passive DR site has no daemon client of its own: give the active site's with --client-id <id>",
        );
    const clientSecret = variable(environmentVariables.clientSecret, "the daemon client's secret, the Key Vault secret api-client-secret");
    const subscriptionKey = variable(
        environmentVariables.subscriptionKey,
        "a subscription key of a product that holds every API with a smoke or load test, or the built-in all-access key",
    );
    const loginUrl = url(env[environmentVariables.loginUrl] || defaultLoginUrl, environmentVariables.loginUrl);
    if (problems.length > 0) {
        throw new SettingsError(stack, problems, what);
    }
    return {
        gatewayUrl,
        tokenUrl: `${loginUrl}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`,
        scope: `${identifierUri.replace(/\/+$/, "")}/.default`,
        clientId: client,
        clientSecret,
        subscriptionKey,
    };
}
