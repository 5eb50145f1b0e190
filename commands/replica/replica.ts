import { isMap, isSeq, parseDocument, type Document, type Node } from "yaml";

/**
 * A replica of a stack file, as text: the same tier, units, autoscale, regions and zones as the
 * source, under the replica's own names, changed where a second stack beside the source must
 * differ to be independent of it and to be thrown away. Pure: the same text gives the same
 * replica. `parseDocument` keeps the source's comments on everything that stays.
 *
 * What differs, and why (each one is a {@link ReplicaChange} the command prints):
 * - the secrets-provider settings (`secretsprovider`, `encryptedkey`, `encryptionsalt`) go: the
 *   replica gets a data key of its own at `pulumi stack init`, as the deploy pipeline's throw-away
 *   copy of test does; a `secure:` value, encrypted with the source's data key, cannot be read
 *   under the new one, so it goes too, named with the `pulumi config cp` that brings it over;
 * - `environment` gets `-replica` (the resources' environment tag, which cost reports group by);
 * - `protect: false`, so that `pulumi destroy` can delete what it made;
 * - no `dns`: the replica serves its default `*.azure-api.net` host names (its own, from its own
 *   service name) and never writes a record of the source's zone, nor serves its host names;
 * - no `dr`: no backups, no DR site, nothing of the source's DR pair read or written;
 * - no `gateway.serviceExists` (its service is new), no `gateway.serviceName` or
 *   `gateway.resourceGroup` (an adopted source's service: the replica makes its own), no
 *   `identity.identifierUri` (unique in the
 *   tenant: the replica's is `api://<workload>-<replica>`), no `identity.clientFederation` (the
 *   replica's daemon client gets a client secret, which the pipeline's smoke test reads);
 * - no `monitoring.alertEmails`: a replica under a load test would page the source's on-call.
 */

/** The top-level keys of a stack file that hold its secrets provider and its data key. */
export const secretsProviderKeys = ["secretsprovider", "encryptedkey", "encryptionsalt"] as const;

/** One thing the replica has differently from its source, for the command to print. */
export interface ReplicaChange {
    /** The key as a user writes it with `pulumi config set --path`, or a top-level key of the file. */
    readonly key: string;
    /** What became of it. */
    readonly what: string;
}

export interface Replica {
    /** The replica's stack file. */
    readonly text: string;
    /** What differs from the source. */
    readonly changes: readonly ReplicaChange[];
    /** What stays and deserves a word: what the replica still shares with the source. */
    readonly notes: readonly string[];
    /** Whether the replica is a production stack (`production: true`): its policy config is needed then. */
    readonly production: boolean;
}

/** A source the command does not replicate, and why. */
export class ReplicaSourceError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ReplicaSourceError";
    }
}

/** The longest environment label the config takes (`environment`, 1-16 characters). */
const environmentLength = 16;

/** The replica's environment label: the source's with `-replica`, or `replica` when that would be too long. */
export function replicaEnvironment(source: string | undefined): string {
    const label = `${source ?? ""}-replica`;
    return source && label.length <= environmentLength ? label : "replica";
}

/** Keys under a config key the replica leaves out, with why. */
const droppedInside: ReadonlyArray<{ key: string; path: string[]; why: string }> = [
    { key: "gateway", path: ["serviceExists"], why: "removed: the replica's service is created by its first pulumi up" },
    {
        key: "gateway",
        path: ["serviceName"],
        why: "removed: the source's service is an adopted one; the replica's own is named from its stack, never the source's",
    },
    {
        key: "gateway",
        path: ["resourceGroup"],
        why: "removed: the replica's service lives in its own gateway resource group, never the source's",
    },
    {
        key: "identity",
        path: ["identifierUri"],
        why: "removed: an identifier URI is unique in the tenant; the replica's is api://<workload>-<its stack>",
    },
    {
        key: "identity",
        path: ["clientFederation"],
        why: "removed: the replica's daemon client gets a client secret in its vault, which the smoke and load tests read",
    },
    {
        key: "monitoring",
        path: ["alertEmails"],
        why: "removed: the replica's alerts (a load test may raise the capacity alert) go to no one, never to the source's on-call",
    },
];

/** `a.b[0].c` for a path under a config key. */
function pathText(path: ReadonlyArray<string | number>): string {
    return path.map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? part : `.${part}`)).join("");
}

/** Whether a parsed value is Pulumi's encrypted value, `{ secure: <ciphertext> }`. */
function isSecure(value: unknown): boolean {
    return (
        value !== null &&
        typeof value === "object" &&
        !Array.isArray(value) &&
        Object.keys(value).length === 1 &&
        typeof (value as Record<string, unknown>).secure === "string"
    );
}

/** The paths of every `secure:` value in a parsed config value, deepest and last first (so deleting them in order keeps the others' indices). */
function securePaths(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
    if (isSecure(value)) {
        return [at];
    }
    if (Array.isArray(value)) {
        return value.flatMap((item, i) => securePaths(item, [...at, i])).reverse();
    }
    if (value !== null && typeof value === "object") {
        return Object.entries(value).flatMap(([key, inner]) => securePaths(inner, [...at, key]));
    }
    return [];
}

/** Whether a node is an empty map or list (what is left of a key whose entries were all removed). */
function isEmptyCollection(node: unknown): boolean {
    return (isMap(node) || isSeq(node)) && node.items.length === 0;
}

/** Deletes `path` under the config, then every map or list above it that it leaves empty, up to the config key itself. */
function deletePruning(doc: Document, path: ReadonlyArray<string | number>): void {
    doc.deleteIn(["config", ...path]);
    for (let depth = path.length - 1; depth >= 1; depth--) {
        const parent = path.slice(0, depth);
        if (isEmptyCollection(doc.getIn(["config", ...parent], true))) {
            doc.deleteIn(["config", ...parent]);
        }
    }
}

/** A scalar node with a comment after it on its line. */
function commented(doc: Document, value: unknown, comment: string): Node {
    const node = doc.createNode(value);
    node.comment = ` ${comment}`;
    return node;
}

/**
 * The replica of the stack file `text` (of stack `source`, in project `project`, whose name is the
 * config namespace), to be stack `name`. Throws {@link ReplicaSourceError} for a source that
 * cannot have a replica: a passive DR site, which reads its active site's outputs and restores its
 * backups.
 */
export function replicaStackFile(text: string, options: { source: string; name: string; project: string }): Replica {
    const { source, name, project } = options;
    const doc = parseDocument(text);
    if (doc.errors.length > 0) {
        throw doc.errors[0];
    }
    const changes: ReplicaChange[] = [];
    const notes: string[] = [];
    const key = (bare: string) => `${project}:${bare}`;
    const plain = (doc.toJS() ?? {}) as { config?: Record<string, unknown> };
    const config = plain.config ?? {};
    const value = (bare: string) => config[key(bare)];
    const role = (value("dr") as { role?: unknown } | undefined)?.role;
    if (role === "passive") {
        const active = (value("dr") as { stack?: unknown }).stack;
        throw new ReplicaSourceError(
            `Stack "${source}" is a passive DR site (dr.role: passive in Pulumi.${source}.yaml): it reads the outputs of ${typeof active === "string" ? active : "its active site"} and restores its backups, which a replica must not (allowed: an active stack, such as ${typeof active === "string" ? active : "the active site"})`,
        );
    }

    for (const top of secretsProviderKeys) {
        if (doc.has(top)) {
            doc.delete(top);
            changes.push({ key: top, what: "removed: pulumi stack init gives the replica a data key of its own" });
        }
    }

    // Encrypted values first, while every path is where the source has it.
    for (const [fullKey, inner] of Object.entries(config)) {
        for (const at of securePaths(inner)) {
            const shown = pathText([fullKey.startsWith(`${project}:`) ? fullKey.slice(project.length + 1) : fullKey, ...at]);
            const cp =
                at.length === 0
                    ? `pulumi config cp '${fullKey}' --stack ${source} --dest ${name}`
                    : `pulumi config cp '${pathText([fullKey, ...at])}' --path --stack ${source} --dest ${name}`;
            deletePruning(doc, [fullKey, ...at]);
            changes.push({
                key: shown,
                what: `removed: a secret encrypted with ${source}'s data key, which the replica's cannot read; after pulumi stack init, bring it over with \`${cp}\``,
            });
        }
    }

    const environment = replicaEnvironment(typeof value("environment") === "string" ? (value("environment") as string) : undefined);
    doc.setIn(["config", key("environment")], commented(doc, environment, `a replica of ${source}: its resources' environment tag`));
    changes.push({
        key: "environment",
        what: `${String(value("environment") ?? "(unset)")} -> ${environment}, the resources' environment tag`,
    });

    if (value("protect") === true) {
        doc.setIn(["config", key("protect")], commented(doc, false, "a throw-away stack: pulumi destroy deletes everything"));
        changes.push({ key: "protect", what: "true -> false, so that pulumi destroy can delete the replica's resources" });
    }

    if (value("dns") !== undefined) {
        const zone = (value("dns") as { zoneName?: unknown }).zoneName;
        doc.deleteIn(["config", key("dns")]);
        changes.push({
            key: "dns",
            what: `removed: the replica serves its own default *.azure-api.net host names, and never touches ${typeof zone === "string" ? `the zone ${zone} or its records` : "a DNS zone"}`,
        });
    }
    if (value("dr") !== undefined) {
        const pair = (value("dr") as { stack?: unknown }).stack;
        doc.deleteIn(["config", key("dr")]);
        changes.push({
            key: "dr",
            what: `removed: no backups and no DR site${typeof pair === "string" ? `; ${source}'s pairing with ${pair} stays theirs` : ""}`,
        });
    }

    for (const dropped of droppedInside) {
        const at = [key(dropped.key), ...dropped.path];
        if (doc.hasIn(["config", ...at])) {
            deletePruning(doc, at);
            changes.push({ key: pathText([dropped.key, ...dropped.path]), what: dropped.why });
        }
    }

    const backends = Object.keys(((value("gateway") as { backends?: Record<string, unknown> } | undefined)?.backends ?? {}) as object);
    if (backends.length > 0) {
        notes.push(
            `gateway.backends (${backends.join(", ")}) are ${source}'s: the replica's smoke and load tests reach them through its own gateway; point them elsewhere in Pulumi.${name}.yaml if they cannot take that load`,
        );
    }
    const connections = Object.entries((value("connections") ?? {}) as Record<string, { resourceId?: unknown }>)
        .filter(([, connection]) => typeof connection?.resourceId === "string")
        .map(([connection]) => connection);
    if (connections.length > 0) {
        notes.push(
            `connections (${connections.join(", ")}) reach ${source}'s resources by ARM id: the replica grants its own workflows their roles there, and destroy takes the grants away again`,
        );
    }

    doc.commentBefore = [
        ` A replica of ${source}, written by npm run replica -- ${source} --name ${name}: ${source}'s tier, units, regions and`,
        ` zones under its own names, with no custom domain and no DR site. A throw-away stack: destroy it after`,
        ` use, and do not commit it (docs/before-production.md).`,
    ]
        .join("\n")
        .concat(doc.commentBefore ? `\n${doc.commentBefore}` : "");

    const production = value("production") === true;
    return { text: doc.toString({ flowCollectionPadding: false }), changes, notes, production };
}
