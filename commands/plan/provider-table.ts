/**
 * The shape of the provider table (commands/plan/provider-paths.json): what the REST specs and
 * azure-native say about the resource paths the program's generic resources may target. Written by
 * generators/derive-provider-rules.ts, read by provider-rules.ts.
 */

/** Why a path exists as soon as its parent does. */
export interface ExistsWithParent {
    /**
     * `default-state`: azure-native's list of default states names it; `fixed-name`: no DELETE and a
     * literal last segment; `fixed-names`: no DELETE and a last parameter limited to an enum.
     */
    reason: "default-state" | "fixed-name" | "fixed-names";
    /** The names Azure creates, where the last segment is a parameter limited to an enum. */
    names?: string[];
}

/** What the specs and azure-native say about one resource path. */
export interface PathRule {
    /** The resource provider namespace, e.g. `Microsoft.ApiManagement`. */
    namespace: string;
    /** The REST API version of the spec file. */
    apiVersion: string;
    /** The path template, as the spec writes it. */
    path: string;
    /** The spec file, from the repository root. */
    specFile: string;
    /** The PUT's operation id. */
    put: string;
    /** The spec marks the PUT deprecated. */
    deprecated?: true;
    /** The DELETE's operation id, or null where the spec has no DELETE for the path. */
    delete: string | null;
    /** Set where Azure creates the resource together with its parent. */
    existsWithParent?: ExistsWithParent;
    /**
     * The typed azure-native resource for the path, at the same API version. `adoptsExisting`: its
     * create accepts the resource Azure made (a singleton, or one with a default state: see
     * `provider.existenceCheck`).
     */
    typed?: { token: string; adoptsExisting: boolean };
}

/** The generic resource's REST path, from the Resources spec of the API version azure-native uses. */
export interface GenericResourceFacts {
    token: string;
    apiVersion: string;
    specFile: string;
    path: string;
    /** Path parameters marked `x-ms-skip-url-encoding`: azure-native inserts them with their slashes, trimmed at both ends (crud.PrepareAzureRESTIdAndQuery). */
    unescaped: string[];
    put: string;
    delete: string | null;
}

/** One fact about azure-native, with where it was read. */
export interface ProviderFact {
    file: string;
    commit: string;
    function: string;
    says: string;
}

/** The table written to commands/plan/provider-paths.json. */
export interface ProviderRules {
    source: {
        specs: { repository: string; commit: string; files?: Record<string, string> };
        azureNative: { repository: string; commit: string; files?: Record<string, string> };
        sdk: { package: string; version: string };
        note: string;
    };
    provider: {
        /** The check azure-native makes before it creates a resource, and its refusal. */
        existenceCheck: { message: string; defaultStateMessage: string; facts: ProviderFact[] };
        /** How azure-native deletes a resource that is not a singleton. */
        delete: { facts: ProviderFact[] };
        /** Which paths get a typed resource, and how it handles one Azure created. */
        typedResources: { facts: ProviderFact[] };
    };
    genericResource: GenericResourceFacts;
    rules: PathRule[];
}
