import * as assert from "node:assert/strict";
import type * as Libxml2 from "libxml2-wasm" with { "resolution-mode": "import" };
import { backupContainer, maxBackupAgeMinutes, restoreDefinition } from "../../components/backup";

/**
 * The restore workflow run against a container of backups: its definition, as deployed, evaluated
 * by a small interpreter of the workflow definition language (the functions the definition uses,
 * with the semantics of "Reference guide to functions in expressions", learn.microsoft.com/azure/
 * logic-apps/workflow-definition-language-functions-reference), its XPath evaluated by libxml2 (an
 * XPath 1.0 engine, as the .NET library Logic Apps uses is), its List Blobs calls answered the way
 * "Listing Blob storage resources" (learn.microsoft.com/rest/api/storageservices/enumerating-blob-
 * resources) describes: alphabetical order, at most 5,000 names a call, the rest behind a
 * `NextMarker`. Each scenario asserts how the run ends and which backup, if any, it restores.
 */

let lib: typeof Libxml2;

const serviceId =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-gateway/providers/Microsoft.ApiManagement/service/apim-dr";
const account = "stbackuptest";
const containerUrl = `https://${account}.blob.core.windows.net/${backupContainer}`;

// --- the expression language -------------------------------------------------------------------

type Node = { t: "lit"; v: unknown } | { t: "call"; name: string; args: Node[] } | { t: "index"; target: Node; key: Node };
type Token = { kind: "str" | "num" | "id" | "punct"; value: string };

function tokenize(source: string): Token[] {
    const tokens: Token[] = [];
    let i = 0;
    while (i < source.length) {
        const c = source[i]!;
        if (/\s/.test(c)) {
            i++;
        } else if (c === "'") {
            let value = "";
            for (i++; ; i++) {
                if (i >= source.length) {
                    throw new Error(`unterminated string in ${source}`);
                }
                if (source[i] === "'") {
                    if (source[i + 1] !== "'") {
                        i++;
                        break;
                    }
                    i++;
                }
                value += source[i];
            }
            tokens.push({ kind: "str", value });
        } else if (/\d/.test(c) || (c === "-" && /\d/.test(source[i + 1] ?? ""))) {
            let j = i + 1;
            while (j < source.length && /[\d.]/.test(source[j]!)) {
                j++;
            }
            tokens.push({ kind: "num", value: source.slice(i, j) });
            i = j;
        } else if (/[A-Za-z_]/.test(c)) {
            let j = i + 1;
            while (j < source.length && /\w/.test(source[j]!)) {
                j++;
            }
            tokens.push({ kind: "id", value: source.slice(i, j) });
            i = j;
        } else if (source.startsWith("?[", i)) {
            tokens.push({ kind: "punct", value: "[" });
            i += 2;
        } else if ("(),[].".includes(c)) {
            tokens.push({ kind: "punct", value: c });
            i++;
        } else {
            throw new Error(`unexpected ${c} in ${source}`);
        }
    }
    return tokens;
}

function parse(source: string): Node {
    const tokens = tokenize(source);
    let at = 0;
    const expect = (value: string) => {
        if (tokens[at++]?.value !== value) {
            throw new Error(`expected ${value} in ${source}`);
        }
    };
    const primary = (): Node => {
        const token = tokens[at++];
        if (token?.kind === "str") {
            return { t: "lit", v: token.value };
        }
        if (token?.kind === "num") {
            return { t: "lit", v: Number(token.value) };
        }
        if (token?.kind === "id" && tokens[at]?.value === "(") {
            at++;
            const args: Node[] = [];
            while (tokens[at]?.value !== ")") {
                args.push(expression());
                if (tokens[at]?.value === ",") {
                    at++;
                }
            }
            expect(")");
            return { t: "call", name: token.value, args };
        }
        if (token?.kind === "id" && ["true", "false", "null"].includes(token.value)) {
            return { t: "lit", v: JSON.parse(token.value) };
        }
        throw new Error(`unexpected ${token?.value} in ${source}`);
    };
    const expression = (): Node => {
        let node = primary();
        for (;;) {
            if (tokens[at]?.value === "[") {
                at++;
                const key = expression();
                expect("]");
                node = { t: "index", target: node, key };
            } else if (tokens[at]?.value === ".") {
                at++;
                node = { t: "index", target: node, key: { t: "lit", v: tokens[at++]!.value } };
            } else {
                return node;
            }
        }
    };
    const node = expression();
    if (at !== tokens.length) {
        throw new Error(`trailing input in ${source}`);
    }
    return node;
}

interface ActionResult {
    status: "Succeeded" | "Failed" | "Skipped";
    outputs?: unknown;
    body?: unknown;
}

interface Context {
    now: Date;
    parameters: Record<string, unknown>;
    results: Map<string, ActionResult>;
    items: Map<string, unknown>;
    item?: unknown;
    docs: Libxml2.XmlDocument[];
    http: (inputs: Record<string, any>) => { statusCode: number; body: unknown };
    failed: string[];
}

/** A timestamp as the functions take it: ISO 8601, any number of fractional digits. */
function time(value: unknown): Date {
    const date = new Date(String(value).replace(/(\.\d{3})\d+/, "$1"));
    if (Number.isNaN(date.getTime())) {
        throw new Error(`${JSON.stringify(value)} is not a timestamp`);
    }
    return date;
}

/** A timestamp in a .NET format: the default `o`, `r`, or custom yyyy MM dd HH mm ss. */
function format(date: Date, pattern?: unknown): string {
    if (pattern === undefined) {
        return date.toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");
    }
    if (pattern === "r") {
        return date.toUTCString();
    }
    const parts: Record<string, string> = {
        yyyy: String(date.getUTCFullYear()),
        MM: String(date.getUTCMonth() + 1).padStart(2, "0"),
        dd: String(date.getUTCDate()).padStart(2, "0"),
        HH: String(date.getUTCHours()).padStart(2, "0"),
        mm: String(date.getUTCMinutes()).padStart(2, "0"),
        ss: String(date.getUTCSeconds()).padStart(2, "0"),
    };
    return String(pattern).replace(/yyyy|MM|dd|HH|mm|ss/g, (token) => parts[token]!);
}

const text = (value: unknown) => (typeof value === "string" ? value : typeof value === "bigint" ? String(value) : JSON.stringify(value));

const functions: Record<string, (args: any[], ctx: Context) => unknown> = {
    concat: (args) => args.map(text).join(""),
    substring: ([value, start, length]) => {
        const s = String(value);
        if (start < 0 || start + length > s.length) {
            throw new Error(
                `substring(${JSON.stringify(s)}, ${start}, ${length}): the index and length must refer to a location within the string`,
            );
        }
        return s.substr(start, length);
    },
    replace: ([value, old, replacement]) => String(value).split(String(old)).join(String(replacement)),
    utcNow: ([pattern], ctx) => format(ctx.now, pattern),
    formatDateTime: ([value, pattern]) => format(time(value), pattern),
    addDays: ([value, days, pattern]) => format(new Date(time(value).getTime() + days * 86_400_000), pattern),
    addMinutes: ([value, minutes, pattern]) => format(new Date(time(value).getTime() + minutes * 60_000), pattern),
    ticks: ([value]) => BigInt(time(value).getTime()) * 10_000n + 621_355_968_000_000_000n,
    xml: ([value], ctx) => {
        const doc = lib.XmlDocument.fromString(String(value).replace(/^\uFEFF/, ""));
        ctx.docs.push(doc);
        return doc;
    },
    // "An XML node when only a single node matches", "The value ... when only a single value
    // matches", an array for several; a string, number or Boolean XPath result as it is.
    xpath: ([doc, path]) => {
        const result = (doc as Libxml2.XmlDocument).eval(String(path));
        if (!Array.isArray(result)) {
            return result;
        }
        const values = result.map((node) => node.content);
        return values.length === 1 ? values[0] : values;
    },
    body: ([name], ctx) => ctx.results.get(name)?.body,
    outputs: ([name], ctx) => ctx.results.get(name)?.outputs,
    parameters: ([name], ctx) => ctx.parameters[name],
    items: ([name], ctx) => ctx.items.get(name),
    item: (_, ctx) => ctx.item,
    createArray: (args) => args,
    empty: ([value]) =>
        value === null || value === undefined || (typeof value === "object" ? Object.keys(value).length === 0 : String(value).length === 0),
    not: ([value]) => !value,
    and: (args) => args.every(Boolean),
    or: (args) => args.some(Boolean),
    equals: ([a, b]) => JSON.stringify(a) === JSON.stringify(b),
    less: ([a, b]) => a < b,
    greater: ([a, b]) => a > b,
    length: ([value]) => value.length,
    first: ([value]) => value[0] ?? null,
    last: ([value]) => value[value.length - 1] ?? null,
    endsWith: ([value, end]) => String(value).endsWith(String(end)),
};

function evaluate(node: Node, ctx: Context): unknown {
    if (node.t === "lit") {
        return node.v;
    }
    if (node.t === "index") {
        const target = evaluate(node.target, ctx) as Record<string, unknown> | undefined;
        return target?.[String(evaluate(node.key, ctx))];
    }
    const fn = functions[node.name];
    if (!fn) {
        throw new Error(`the interpreter has no ${node.name}()`);
    }
    return fn(
        node.args.map((arg) => evaluate(arg, ctx)),
        ctx,
    );
}

/** A string of a definition: `@expression` (any type), text with `@{...}` inside (a string), or plain text. */
function evaluateString(value: string, ctx: Context): unknown {
    if (value.startsWith("@") && !value.startsWith("@{")) {
        return evaluate(parse(value.slice(1)), ctx);
    }
    let out = "";
    let i = 0;
    while (i < value.length) {
        const at = value.indexOf("@{", i);
        if (at < 0) {
            out += value.slice(i);
            break;
        }
        out += value.slice(i, at);
        let end = at + 2;
        for (let quoted = false; quoted || value[end] !== "}"; end++) {
            if (value[end] === "'") {
                quoted = !quoted;
            }
        }
        out += text(evaluate(parse(value.slice(at + 2, end)), ctx));
        i = end + 1;
    }
    return out;
}

function deep(value: unknown, ctx: Context): unknown {
    if (typeof value === "string") {
        return evaluateString(value, ctx);
    }
    if (Array.isArray(value)) {
        return value.map((item) => deep(item, ctx));
    }
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, deep(item, ctx)]));
    }
    return value;
}

function condition(expression: any, ctx: Context): boolean {
    if (typeof expression === "string") {
        return Boolean(evaluateString(expression, ctx));
    }
    const [op, args] = Object.entries(expression)[0] as [string, any];
    if (op === "and") {
        return args.every((inner: unknown) => condition(inner, ctx));
    }
    if (op === "or") {
        return args.some((inner: unknown) => condition(inner, ctx));
    }
    if (op === "not") {
        return !condition(args, ctx);
    }
    return Boolean(
        functions[op]!(
            (args as unknown[]).map((arg) => deep(arg, ctx)),
            ctx,
        ),
    );
}

// --- the runtime ---------------------------------------------------------------------------------

class Terminated {
    constructor(
        readonly status: string,
        readonly error?: { code: string; message: string },
    ) {}
}

function runScope(actions: Record<string, any>, ctx: Context): "Succeeded" | "Failed" {
    const pending = new Set(Object.keys(actions));
    const done = new Set<string>();
    let failed = false;
    while (pending.size > 0) {
        const ready = [...pending].filter((name) => Object.keys(actions[name].runAfter ?? {}).every((before) => done.has(before)));
        assert.ok(ready.length > 0, `runAfter cycle among ${[...pending].join(", ")}`);
        for (const name of ready) {
            pending.delete(name);
            done.add(name);
            const action = actions[name];
            const runs = Object.entries(action.runAfter ?? {}).every(([before, statuses]) =>
                (statuses as string[]).includes(ctx.results.get(before)!.status),
            );
            const result: ActionResult = runs ? runAction(name, action, ctx) : { status: "Skipped" };
            ctx.results.set(name, result);
            if (result.status === "Failed") {
                failed = true;
                ctx.failed.push(name);
            }
        }
    }
    return failed ? "Failed" : "Succeeded";
}

function runAction(name: string, action: any, ctx: Context): ActionResult {
    switch (action.type) {
        case "Compose": {
            const value = deep(action.inputs, ctx);
            return { status: "Succeeded", outputs: value, body: value };
        }
        case "Http": {
            const response = ctx.http(deep(action.inputs, ctx) as Record<string, any>);
            const ok = response.statusCode >= 200 && response.statusCode < 300;
            return { status: ok ? "Succeeded" : "Failed", outputs: response, body: response.body };
        }
        case "Query": {
            const from = deep(action.inputs.from, ctx);
            if (!Array.isArray(from)) {
                // "The 'from' property value in the 'query' action inputs is of type 'String'. The value must be an array."
                return { status: "Failed", outputs: `from is a ${typeof from}` };
            }
            const kept = from.filter((item) => Boolean(evaluateString(action.inputs.where, { ...ctx, item })));
            return { status: "Succeeded", outputs: { body: kept }, body: kept };
        }
        case "If": {
            const branch = condition(action.expression, ctx) ? action.actions : action.else?.actions;
            return { status: branch ? runScope(branch, ctx) : "Succeeded" };
        }
        case "Foreach": {
            let status: "Succeeded" | "Failed" = "Succeeded";
            for (const item of deep(action.foreach, ctx) as unknown[]) {
                ctx.items.set(name, item);
                if (runScope(action.actions, ctx) === "Failed") {
                    status = "Failed";
                }
            }
            return { status };
        }
        case "Terminate":
            throw new Terminated(action.inputs.runStatus, action.inputs.runError && (deep(action.inputs.runError, ctx) as any));
        default:
            throw new Error(`the interpreter has no ${action.type} action (${name})`);
    }
}

/** How a run ended, the calls it made, and what it restored. */
interface Run {
    status: string;
    error?: { code: string; message: string };
    calls: Array<{ method: string; uri: string; body?: any }>;
    /** The blob names each List Blobs call returned. */
    pages: string[][];
    restored?: string;
}

/** One run of `definition` at `now` against a container holding `names`, listed `pageSize` names a call at most. */
function runRestore(definition: any, now: string, names: string[], options: { pageSize?: number; listing?: number } = {}): Run {
    const run: Run = { status: "", calls: [], pages: [] };
    const sorted = [...names].sort();
    const ctx: Context = {
        now: new Date(now),
        parameters: {
            serviceId,
            storageAccountName: account,
            containerName: backupContainer,
            containerUrl,
            siteSettings: { puts: [{ path: "backends/ledger", body: { properties: { url: "https://dr.example" } } }], patches: [] },
        },
        results: new Map(),
        items: new Map(),
        docs: [],
        failed: [],
        http: (inputs) => {
            run.calls.push({ method: inputs.method, uri: inputs.uri, body: inputs.body });
            const url = new URL(inputs.uri);
            if (url.host === `${account}.blob.core.windows.net`) {
                assert.equal(inputs.authentication.audience, "https://storage.azure.com/");
                assert.ok(inputs.headers["x-ms-version"] && inputs.headers["x-ms-date"], "Storage answers 403 without them");
                if (options.listing !== undefined) {
                    return { statusCode: options.listing, body: "" };
                }
                assert.equal(url.pathname, `/${backupContainer}`);
                assert.deepEqual([url.searchParams.get("restype"), url.searchParams.get("comp")], ["container", "list"]);
                const prefix = url.searchParams.get("prefix") ?? "";
                const max = Math.min(Number(url.searchParams.get("maxresults") ?? 5000), options.pageSize ?? 5000);
                const matching = sorted.filter((name) => name.startsWith(prefix));
                const page = matching.slice(0, max);
                run.pages.push(page);
                return { statusCode: 200, body: listing(prefix, page, matching.length > max ? `2!${page.length}!marker` : "") };
            }
            assert.equal(url.host, "management.azure.com");
            if (url.pathname.endsWith("/restore")) {
                run.restored = inputs.body.backupName;
            }
            return { statusCode: 200, body: {} };
        },
    };
    try {
        run.status = runScope(definition.actions, ctx);
    } catch (error) {
        if (!(error instanceof Terminated)) {
            throw error;
        }
        run.status = error.status;
        run.error = error.error;
    } finally {
        ctx.docs.forEach((doc) => doc.dispose());
    }
    return run;
}

/** A List Blobs response body, as the REST reference shows it (with the UTF-8 byte order mark Storage sends). */
function listing(prefix: string, names: string[], nextMarker: string): string {
    const blobs = names
        .map(
            (name) =>
                `<Blob><Name>${name}</Name><Properties><Last-Modified>Sun, 29 Nov 2026 10:00:00 GMT</Last-Modified><Content-Length>1024</Content-Length><BlobType>BlockBlob</BlobType></Properties></Blob>`,
        )
        .join("");
    return `\uFEFF<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="https://${account}.blob.core.windows.net/" ContainerName="${backupContainer}"><Prefix>${prefix}</Prefix><Blobs>${blobs}</Blobs>${nextMarker ? `<NextMarker>${nextMarker}</NextMarker>` : "<NextMarker />"}</EnumerationResults>`;
}

/** The backup taken at `at` (UTC) and, unless it failed or is under way, its complete marker. */
function backup(at: Date, complete = true): string[] {
    const name = `apim-${format(at, "yyyyMMddHHmmss")}.apimbackup`;
    return complete ? [name, `${name}.complete`] : [name];
}

/** Backups every `minutes` from `from` up to `to` (UTC), all complete. */
function backupsBetween(from: string, to: string, minutes: number): string[] {
    const names: string[] = [];
    for (let at = new Date(from).getTime(); at <= new Date(to).getTime(); at += minutes * 60_000) {
        names.push(...backup(new Date(at)));
    }
    return names;
}

describe("the restore workflow, run against a container of backups", () => {
    const startTime = "2026-11-01T00:30:00Z";
    // Hourly backups: the newest may be 240 minutes old, listed over today and yesterday.
    const hourly = restoreDefinition(240, startTime, maxBackupAgeMinutes(60)) as any;

    before(async () => {
        lib = await import("libxml2-wasm");
    });

    it("(the interpreter's xpath answers as the reference says: a lone value for one match, an array for more, so an array-valued XPath breaks on the first backup)", () => {
        const ctx = { docs: [] as Libxml2.XmlDocument[] } as unknown as Context;
        const names = (list: string[]) =>
            functions.xpath!([functions.xml!([listing("apim-", list, "")], ctx), "/EnumerationResults/Blobs/Blob/Name/text()"], ctx);
        try {
            assert.equal(names(["apim-20261129100000.apimbackup"]), "apim-20261129100000.apimbackup");
            assert.deepEqual(names(["a", "b"]), ["a", "b"]);
        } finally {
            ctx.docs.forEach((doc) => doc.dispose());
        }
    });

    it("cancels the run, restoring nothing, while the container holds no backup at all", () => {
        const run = runRestore(hourly, "2026-11-29T10:00:00Z", []);
        assert.deepEqual([run.status, run.restored], ["Cancelled", undefined]);
        assert.deepEqual(
            run.calls.map((call) => new URL(call.uri).search),
            [
                "?restype=container&comp=list&prefix=apim-20261129",
                "?restype=container&comp=list&prefix=apim-20261128",
                "?restype=container&comp=list&prefix=apim-&maxresults=1",
            ],
        );
    });

    it("restores the only backup there is (one name matches: the case an array-valued xpath() breaks on)", () => {
        const run = runRestore(hourly, "2026-11-29T10:40:00Z", backup(new Date("2026-11-29T10:00:00Z")));
        assert.deepEqual([run.status, run.restored], ["Succeeded", "apim-20261129100000.apimbackup"]);
        assert.ok(
            run.calls.some((call) => call.method === "PUT" && call.uri.includes("/backends/ledger?")),
            "then puts the site's settings back",
        );
    });

    it("skips the newest backup while its complete marker is missing (under way, or failed) and restores the newest complete one", () => {
        const names = [
            ...backupsBetween("2026-11-29T05:00:00Z", "2026-11-29T09:00:00Z", 60),
            ...backup(new Date("2026-11-29T10:00:00Z"), false),
        ];
        const run = runRestore(hourly, "2026-11-29T10:20:00Z", names);
        assert.deepEqual([run.status, run.restored], ["Succeeded", "apim-20261129090000.apimbackup"]);
    });

    it("finds the newest backup among 30 days of quarter-hourly backups (5,760 names, more than one List Blobs call returns oldest first)", () => {
        const quarterly = restoreDefinition(60, startTime, maxBackupAgeMinutes(15)) as any;
        const names = [
            ...backupsBetween("2026-10-30T12:00:00Z", "2026-11-29T11:30:00Z", 15),
            ...backup(new Date("2026-11-29T11:45:00Z"), false),
        ];
        assert.ok(names.length > 5000);
        const unprefixed = [...names].sort().slice(0, 5000);
        assert.ok(unprefixed.at(-1)! < "apim-20261126", "one unprefixed call ends days before the newest backup");
        const run = runRestore(quarterly, "2026-11-29T11:50:00Z", names);
        assert.deepEqual([run.status, run.restored], ["Succeeded", "apim-20261129113000.apimbackup"]);
        assert.ok(
            run.pages.every((page) => page.length <= 5000),
            "every call fits in one page",
        );
    });

    it("finds yesterday's backup just after midnight UTC, when today has none complete yet", () => {
        const names = [
            ...backupsBetween("2026-11-28T20:00:00Z", "2026-11-28T23:00:00Z", 60),
            ...backup(new Date("2026-11-29T00:00:00Z"), false),
        ];
        const run = runRestore(hourly, "2026-11-29T00:10:00Z", names);
        assert.deepEqual([run.status, run.restored], ["Succeeded", "apim-20261128230000.apimbackup"]);
    });

    it("lists every day a backup younger than the limit can be named after: a daily backup from the day before yesterday", () => {
        const daily = restoreDefinition(1440, startTime, maxBackupAgeMinutes(1440)) as any;
        const names = backupsBetween("2026-11-20T23:30:00Z", "2026-11-27T23:30:00Z", 1440);
        const run = runRestore(daily, "2026-11-29T22:00:00Z", names);
        assert.deepEqual([run.status, run.restored], ["Succeeded", "apim-20261127233000.apimbackup"]);
    });

    it("fails the run (StaleBackup), restoring nothing, when the newest complete backup is older than the limit", () => {
        const run = runRestore(hourly, "2026-11-29T10:00:00Z", backupsBetween("2026-11-28T12:00:00Z", "2026-11-29T05:00:00Z", 60));
        assert.deepEqual([run.status, run.error?.code, run.restored], ["Failed", "StaleBackup", undefined]);
        assert.match(run.error!.message, /apim-20261129050000\.apimbackup, is more than 240 minutes old/);
    });

    it("fails the run (StaleBackup) when the backups stopped before the days it lists, rather than take the silence for none yet", () => {
        const run = runRestore(hourly, "2026-11-29T10:00:00Z", backupsBetween("2026-11-20T00:00:00Z", "2026-11-26T05:00:00Z", 60));
        assert.deepEqual([run.status, run.error?.code, run.restored], ["Failed", "StaleBackup", undefined]);
        assert.match(
            run.error!.message,
            /No backup of the last 240 minutes is complete, and the oldest, apim-20261120000000\.apimbackup, is older/,
        );
    });

    it("fails the run (StaleBackup) when every backup of the last hours failed, and cancels it while the first backups are still young", () => {
        const failing = [...backup(new Date("2026-11-29T01:00:00Z"), false), ...backup(new Date("2026-11-29T09:00:00Z"), false)];
        assert.deepEqual(
            [runRestore(hourly, "2026-11-29T10:00:00Z", failing).status, runRestore(hourly, "2026-11-29T10:00:00Z", failing).error?.code],
            ["Failed", "StaleBackup"],
        );
        const firstUnderWay = runRestore(hourly, "2026-11-29T10:00:00Z", backup(new Date("2026-11-29T09:50:00Z"), false));
        assert.deepEqual([firstUnderWay.status, firstUnderWay.restored], ["Cancelled", undefined]);
    });

    it("fails the run (BackupListingCutShort), restoring nothing, when a day comes back with a NextMarker", () => {
        const run = runRestore(hourly, "2026-11-29T10:20:00Z", backupsBetween("2026-11-29T05:00:00Z", "2026-11-29T10:00:00Z", 60), {
            pageSize: 4,
        });
        assert.deepEqual([run.status, run.error?.code, run.restored], ["Failed", "BackupListingCutShort", undefined]);
    });

    it("fails the run, restoring nothing, when Storage refuses the listing", () => {
        const run = runRestore(hourly, "2026-11-29T10:20:00Z", backupsBetween("2026-11-29T05:00:00Z", "2026-11-29T10:00:00Z", 60), {
            listing: 403,
        });
        assert.deepEqual([run.status, run.restored], ["Failed", undefined]);
        assert.ok(!run.calls.some((call) => call.uri.startsWith("https://management.azure.com")));
    });
});
