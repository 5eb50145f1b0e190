import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { parseOptions, runMain } from "../cli";
import {
    apiEntries,
    apimApiVersion,
    operationPolicyEntry,
    productEntries,
    resourceGroupApiVersion,
    revisionEntries,
    serviceEntries,
    type ExportEntry,
} from "./layout";

const usage = `Usage: npm run export-apim -- --subscription <id> --resource-group <name> --name <service> --out <dir>

Exports an API Management service as Azure Resource Manager returns it, for \`npm run adopt\`: the
service, its resource group, APIs with every revision, release and specification (exported as
OpenAPI 3 JSON or WSDL), policies at every scope (rawxml), products, version sets, backends, named
values (no secret's value: a GET never returns one), loggers, diagnostics, identity providers,
certificates and portal settings. Every call is a GET made with \`az rest\`, signed in as you
(\`az login\`; reading needs the API Management Service Reader role), and each specification is
downloaded from the short-lived link the export call returns. Nothing is changed in Azure.

  --subscription <id>      the subscription of the service
  --resource-group <name>  its resource group
  --name <service>         the service's name
  --out <dir>              where to write the export (created; must be empty)
  --az <path>              the Azure CLI to run (default: az)`;

const run = promisify(execFile);

/** One GET through `az rest`; undefined for a 404 when the entry may be absent. */
async function armGet(az: string, url: string, optional: boolean): Promise<unknown> {
    try {
        const { stdout } = await run(az, ["rest", "--method", "get", "--url", url, "--output", "json"], { maxBuffer: 256 * 1024 * 1024 });
        return stdout.trim() === "" ? {} : JSON.parse(stdout);
    } catch (error) {
        const text = `${(error as { stderr?: string }).stderr ?? ""}${(error as Error).message}`;
        if (optional && /\bNot ?Found\b|\b404\b|ResourceNotFound/i.test(text)) {
            return undefined;
        }
        throw new Error(`az rest --method get --url ${url} failed: ${text.trim()}`);
    }
}

/** Runs `task` on every item, at most `width` at a time. */
async function inTurn<T>(items: readonly T[], width: number, task: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            await task(items[next++]!);
        }
    };
    await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

export interface ExportOptions {
    subscription: string;
    resourceGroup: string;
    name: string;
    out: string;
    az?: string;
    /** Prints progress; default none. */
    log?: (line: string) => void;
}

/** Writes the export of one service into `out` (see commands/adopt/layout.ts). */
export async function exportService(options: ExportOptions): Promise<string[]> {
    const az = options.az ?? "az";
    const group = `https://management.azure.com/subscriptions/${options.subscription}/resourceGroups/${options.resourceGroup}`;
    const service = `${group}/providers/Microsoft.ApiManagement/service/${options.name}`;
    const written: string[] = [];
    const write = (file: string, content: string) => {
        const target = path.join(options.out, file);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, content);
        written.push(file);
        options.log?.(file);
    };
    const fetchEntry = async (entry: ExportEntry): Promise<unknown> => {
        if (entry.call === "DOWNLOAD") {
            const exported = JSON.parse(fs.readFileSync(path.join(options.out, entry.path), "utf8")) as { value?: { link?: string } };
            const link = exported.value?.link;
            if (!link) {
                throw new Error(`${entry.path}: value.link: missing (the export call returned no link)`);
            }
            const response = await fetch(link);
            if (!response.ok) {
                throw new Error(`${entry.file}: downloading the exported specification failed: HTTP ${response.status}`);
            }
            const text = await response.text();
            write(entry.file, text);
            return text;
        }
        const base = entry.path === "RG" ? group : `${service}${entry.path}`;
        const version = entry.path === "RG" ? resourceGroupApiVersion : apimApiVersion;
        let url: string | undefined = `${base}?api-version=${version}${entry.query ? `&${entry.query}` : ""}`;
        if (entry.call === "GET") {
            const value = await armGet(az, url, entry.optional === true);
            if (value !== undefined) {
                write(entry.file, `${JSON.stringify(value, null, 2)}\n`);
            }
            return value;
        }
        // A list: every page, one file.
        const items: unknown[] = [];
        while (url) {
            const page = (await armGet(az, url, false)) as { value?: unknown[]; nextLink?: string };
            items.push(...(page.value ?? []));
            url = page.nextLink || undefined;
        }
        write(entry.file, `${JSON.stringify({ value: items }, null, 2)}\n`);
        return { value: items };
    };
    fs.mkdirSync(options.out, { recursive: true });
    if (fs.readdirSync(options.out).length > 0) {
        throw new Error(`${options.out}: is not empty (allowed: a new or empty directory, so an export never mixes two services)`);
    }
    const lists: Record<string, { value: Array<{ name: string; properties?: Record<string, unknown> }> }> = {};
    for (const entry of serviceEntries) {
        lists[entry.file] = (await fetchEntry(entry)) as (typeof lists)[string];
    }
    // Four APIs at a time: each az call is a process of its own.
    await inTurn(lists["apis.json"]!.value, 4, async (api) => {
        const [revisions] = await Promise.all(apiEntries(api.name).map(fetchEntry));
        const soap = api.properties?.["type"] === "soap" || api.properties?.["apiType"] === "soap";
        for (const revision of (revisions as { value: Array<{ apiRevision: string }> }).value) {
            const entries = revisionEntries(api.name, revision.apiRevision, soap);
            for (const entry of entries) {
                await fetchEntry(entry);
            }
            const operations = JSON.parse(fs.readFileSync(path.join(options.out, entries.at(-1)!.file), "utf8")) as {
                value: Array<{ name: string }>;
            };
            for (const operation of operations.value) {
                await fetchEntry(operationPolicyEntry(api.name, revision.apiRevision, operation.name));
            }
        }
    });
    await inTurn(lists["products.json"]!.value, 4, async (product) => {
        await Promise.all(productEntries(product.name).map(fetchEntry));
    });
    return written.sort();
}

async function main(argv: string[]): Promise<number> {
    const values = parseOptions(
        usage,
        {
            subscription: { type: "string" },
            "resource-group": { type: "string" },
            name: { type: "string" },
            out: { type: "string" },
            az: { type: "string" },
        },
        argv,
    );
    if (typeof values === "number") {
        return values;
    }
    const missing = ["subscription", "resource-group", "name", "out"].filter((key) => !values[key as keyof typeof values]);
    if (missing.length > 0) {
        process.stderr.write(`Missing ${missing.map((key) => `--${key}`).join(", ")}.\n\n${usage}\n`);
        return 2;
    }
    try {
        const written = await exportService({
            subscription: values.subscription!,
            resourceGroup: values["resource-group"]!,
            name: values.name!,
            out: path.resolve(values.out!),
            az: values.az,
            log: (file) => process.stderr.write(`wrote ${file}\n`),
        });
        process.stdout.write(
            `Exported ${values.name} into ${values.out} (${written.length} files). Next: npm run adopt -- <stack> --from ${values.out}\n`,
        );
        return 0;
    } catch (error) {
        process.stderr.write(`${(error as Error).message}\n`);
        return 1;
    }
}

if (require.main === module) {
    runMain(() => main(process.argv.slice(2)));
}
