import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Which input changes make Pulumi replace a resource instead of updating it in place.
 *
 * - Azure resources (azure-native): derived from the REST specs of the API versions azure-native
 *   uses (`replacements.json`, written by generators/derive-replacements.ts): the PUT's path
 *   parameters (the resource's name and its parents') and the properties whose `x-ms-mutability`
 *   lacks `update`. The provider may add rules of its own.
 * - The other providers are bridged from Terraform providers; their inputs marked RequiresReplace
 *   or ForceNew in the provider's schema are listed below with the source they were read from.
 */

interface Derived {
    source: { repository: string; commit: string; note?: string };
    types: Record<string, { apiVersion: string; specFile: string; operation?: string; replaceOn: string[] }>;
}

let derived: Derived | undefined;

/** The table derived from the REST specs. */
export function specReplacements(): Derived {
    derived ??= JSON.parse(fs.readFileSync(path.join(__dirname, "replacements.json"), "utf8")) as Derived;
    return derived;
}

/** Inputs that force a replacement in the Terraform-bridged providers, by type, with where that is stated. */
const providerReplacements: Readonly<Record<string, { replaceOn: readonly string[]; source: string }>> = {
    // terraform-provider-time, internal/provider/resource_time_sleep.go: only `triggers` has RequiresReplace.
    "time:index/sleep:Sleep": { replaceOn: ["triggers"], source: "terraform-provider-time resource_time_sleep.go" },
    // terraform-provider-time, resource_time_offset.go: `triggers` has RequiresReplace; a new offset updates in place, from the same base.
    "time:index/offset:Offset": { replaceOn: ["triggers"], source: "terraform-provider-time resource_time_offset.go" },
    // terraform-provider-azuread, app_role_assignment_resource.go: app_role_id, principal_object_id, resource_object_id are ForceNew.
    "azuread:index/appRoleAssignment:AppRoleAssignment": {
        replaceOn: ["appRoleId", "principalObjectId", "resourceObjectId"],
        source: "terraform-provider-azuread app_role_assignment_resource.go",
    },
    // terraform-provider-random: every argument of random_string and random_password has RequiresReplace.
    "random:index/randomString:RandomString": { replaceOn: ["*"], source: "terraform-provider-random resource_string.go" },
    "random:index/randomPassword:RandomPassword": { replaceOn: ["*"], source: "terraform-provider-random resource_password.go" },
};

/** Where a type's replace rules come from, for the reader; undefined when none are known. */
export function replaceRuleSource(type: string): string | undefined {
    const spec = specReplacements().types[type];
    if (spec) {
        return `derived from the REST specs: ${spec.specFile} (${spec.apiVersion})`;
    }
    return providerReplacements[type]?.source;
}

/**
 * Whether a change at `changed` (a property path such as `sku.name`, `rules[0].name` or, in a keyed
 * list, `rules["deny-all"].name`) falls under rule `rule`, where a rule may name every item of a
 * list (`rules[*].name`) or every value of a map (`tags.*`).
 */
export function under(changed: string, rule: string): boolean {
    if (rule === "*") {
        return true;
    }
    const pattern = rule
        .split(/(\[\*\]|\.\*(?=\.|$))/)
        .map((part) =>
            part === "[*]"
                ? '\\[(?:\\d+|"(?:[^"\\\\]|\\\\.)*")\\]'
                : part === ".*"
                  ? "\\.[^.[]+"
                  : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
        )
        .join("");
    return new RegExp(`^${pattern}(?:$|[.[])`).test(changed);
}

/** The rule a change to `changed` of a resource of `type` falls under, when it forces a replacement. */
export function replacedBy(type: string, changed: string): string | undefined {
    const rules = specReplacements().types[type]?.replaceOn ?? providerReplacements[type]?.replaceOn ?? [];
    const rule = rules.find((candidate) => under(changed, candidate));
    return rule === undefined ? undefined : rule === "*" ? changed.split(/[.[]/)[0] : rule;
}
