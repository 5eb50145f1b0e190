import { armId } from "../../engine/mocks";
import type { RegisteredResource, StackRun } from "../../engine";
import type { ServiceExport } from "./export";

/**
 * The Pulumi bulk import file (`pulumi import --file`) of an adoption: every resource the program
 * registers whose Azure id the export holds, under the program's own logical name and parent, so
 * that `pulumi import` puts it in the state where the program will register it, and `pulumi
 * preview` then compares, never creates. The components between a resource and the stack are in
 * the file as `component: true` entries (no id): Pulumi creates empty components to parent
 * imported resources (pulumi/pulumi v3.94.0 changelog: "import can now create empty component
 * resource to use as the parent of other imported resources", #14467; and entries may name a
 * parent imported in the same file, #14524). The file format: the `pulumi import` command's
 * reference (`nameTable`, `resources` with `type`, `name`, `id`, `parent`, `component`,
 * `logicalName`, `version`).
 */

export interface ImportEntry {
    type: string;
    /** The entry's name in this file: the logical name, unless two entries share one. */
    name: string;
    /** The program's logical name, when it differs from `name`. */
    logicalName?: string;
    id?: string;
    parent?: string;
    component?: boolean;
    version?: string;
}

export interface ImportFile {
    nameTable: Record<string, string>;
    resources: ImportEntry[];
}

/** The export's id of a registered resource, when the resource is in the export. */
export function exportedIdOf(resource: RegisteredResource, exported: ServiceExport): string | undefined {
    if (!resource.custom || resource.read) {
        return undefined;
    }
    let id: string | undefined;
    try {
        id = armId(resource.type, resource.inputs, exported.subscriptionId);
    } catch {
        // An input the id needs is unknown until deploy: a resource the export cannot hold.
        return undefined;
    }
    return id === undefined ? undefined : exported.ids.get(id.toLowerCase())?.id;
}

/**
 * What a run adopts from an export: each registered resource whose id the export holds (by URN,
 * with that id), and the components between those resources and the stack.
 */
export function adoptedOf(run: StackRun, exported: ServiceExport): { ids: Map<string, string>; components: Set<string> } {
    const byUrn = new Map(run.resources.map((resource) => [resource.urn, resource]));
    const ids = new Map<string, string>();
    const components = new Set<string>();
    for (const resource of run.resources) {
        const id = exportedIdOf(resource, exported);
        if (!id) {
            continue;
        }
        ids.set(resource.urn, id);
        for (
            let parent = resource.parent ? byUrn.get(resource.parent) : undefined;
            parent && parent.type !== "pulumi:pulumi:Stack";
            parent = parent.parent ? byUrn.get(parent.parent) : undefined
        ) {
            components.add(parent.urn);
        }
    }
    return { ids, components };
}

/** The import file of a run against an export. */
export function importFile(run: StackRun, exported: ServiceExport, providerVersion: string): ImportFile {
    const byUrn = new Map(run.resources.map((resource) => [resource.urn, resource]));
    const { ids, components } = adoptedOf(run, exported);
    // The components first (a parent before its children: registration order), then what is adopted.
    const entries = [
        ...run.resources
            .filter((resource) => components.has(resource.urn))
            .map((resource) => ({ resource, id: undefined as string | undefined })),
        ...run.resources.filter((resource) => ids.has(resource.urn)).map((resource) => ({ resource, id: ids.get(resource.urn) })),
    ];
    const counts = new Map<string, number>();
    for (const { resource } of entries) {
        counts.set(resource.name, (counts.get(resource.name) ?? 0) + 1);
    }
    const key = (resource: RegisteredResource) =>
        (counts.get(resource.name) ?? 0) > 1 ? `${resource.name} (${resource.type})` : resource.name;
    return {
        nameTable: {},
        resources: entries.map(({ resource, id }) => {
            const parent = resource.parent ? byUrn.get(resource.parent) : undefined;
            return {
                type: resource.type,
                name: key(resource),
                ...(key(resource) !== resource.name ? { logicalName: resource.name } : {}),
                ...(id ? { id } : { component: true }),
                ...(parent && parent.type !== "pulumi:pulumi:Stack" ? { parent: key(parent) } : {}),
                ...(id && resource.type.startsWith("azure-native:") ? { version: providerVersion } : {}),
            };
        }),
    };
}
