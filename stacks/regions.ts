/**
 * Azure public-cloud regions the project can deploy to: the ARM name, a short code for resource
 * names, and the region Microsoft pairs it with (none for the regions without a pair).
 *
 * The list is the physical regions of the public cloud; logical names such as `europe` or `global`
 * are not deployment targets and are rejected by the config validation.
 */
export interface AzureRegion {
    /** ARM location name, as `az account list-locations` prints it. */
    readonly name: string;
    /** 2-5 lower-case characters used inside resource names. */
    readonly short: string;
    /** The paired region, if Microsoft pairs this region with another. */
    readonly paired?: string;
}

const table: ReadonlyArray<AzureRegion> = [
    // Americas
    { name: "eastus", short: "eus", paired: "westus" },
    { name: "eastus2", short: "eus2", paired: "centralus" },
    { name: "centralus", short: "cus", paired: "eastus2" },
    { name: "northcentralus", short: "ncus", paired: "southcentralus" },
    { name: "southcentralus", short: "scus", paired: "northcentralus" },
    { name: "westcentralus", short: "wcus", paired: "westus2" },
    { name: "westus", short: "wus", paired: "eastus" },
    { name: "westus2", short: "wus2", paired: "westcentralus" },
    { name: "westus3", short: "wus3", paired: "eastus" },
    { name: "canadacentral", short: "cac", paired: "canadaeast" },
    { name: "canadaeast", short: "cae", paired: "canadacentral" },
    { name: "brazilsouth", short: "brs", paired: "southcentralus" },
    { name: "brazilsoutheast", short: "brse", paired: "brazilsouth" },
    { name: "mexicocentral", short: "mxc" },
    { name: "chilecentral", short: "clc" },
    // Europe
    { name: "northeurope", short: "neu", paired: "westeurope" },
    { name: "westeurope", short: "weu", paired: "northeurope" },
    { name: "uksouth", short: "uks", paired: "ukwest" },
    { name: "ukwest", short: "ukw", paired: "uksouth" },
    { name: "francecentral", short: "frc", paired: "francesouth" },
    { name: "francesouth", short: "frs", paired: "francecentral" },
    { name: "germanywestcentral", short: "gwc", paired: "germanynorth" },
    { name: "germanynorth", short: "gn", paired: "germanywestcentral" },
    { name: "norwayeast", short: "noe", paired: "norwaywest" },
    { name: "norwaywest", short: "now", paired: "norwayeast" },
    { name: "switzerlandnorth", short: "chn", paired: "switzerlandwest" },
    { name: "switzerlandwest", short: "chw", paired: "switzerlandnorth" },
    { name: "swedencentral", short: "sec", paired: "swedensouth" },
    { name: "swedensouth", short: "ses", paired: "swedencentral" },
    { name: "italynorth", short: "itn" },
    { name: "polandcentral", short: "plc" },
    { name: "spaincentral", short: "esc" },
    { name: "austriaeast", short: "ate" },
    { name: "belgiumcentral", short: "bec" },
    // Asia Pacific
    { name: "eastasia", short: "ea", paired: "southeastasia" },
    { name: "southeastasia", short: "sea", paired: "eastasia" },
    { name: "australiaeast", short: "aue", paired: "australiasoutheast" },
    { name: "australiasoutheast", short: "ause", paired: "australiaeast" },
    { name: "australiacentral", short: "auc", paired: "australiacentral2" },
    { name: "australiacentral2", short: "auc2", paired: "australiacentral" },
    { name: "centralindia", short: "inc", paired: "southindia" },
    { name: "southindia", short: "ins", paired: "centralindia" },
    { name: "westindia", short: "inw", paired: "southindia" },
    { name: "japaneast", short: "jpe", paired: "japanwest" },
    { name: "japanwest", short: "jpw", paired: "japaneast" },
    { name: "koreacentral", short: "krc", paired: "koreasouth" },
    { name: "koreasouth", short: "krs", paired: "koreacentral" },
    { name: "newzealandnorth", short: "nzn" },
    { name: "indonesiacentral", short: "idc" },
    { name: "malaysiawest", short: "myw" },
    // Middle East and Africa
    { name: "uaenorth", short: "aen", paired: "uaecentral" },
    { name: "uaecentral", short: "aec", paired: "uaenorth" },
    { name: "qatarcentral", short: "qac" },
    { name: "israelcentral", short: "ilc" },
    { name: "southafricanorth", short: "san", paired: "southafricawest" },
    { name: "southafricawest", short: "saw", paired: "southafricanorth" },
];

const byName = new Map(table.map((region) => [region.name, region]));

/** Every region name the project accepts, in the order of the table. */
export const regionNames: ReadonlyArray<string> = table.map((region) => region.name);

/** Whether `name` is an Azure region the project can deploy to. */
export function isRegion(name: string): boolean {
    return byName.has(name);
}

/** The region called `name`; throws for a name that {@link isRegion} rejects. */
export function region(name: string): AzureRegion {
    const found = byName.get(name);
    if (!found) {
        throw new Error(`"${name}" is not an Azure region known to this project`);
    }
    return found;
}

/** The region names closest in spelling to `name` (at most two edits), best first. */
export function similarRegions(name: string): string[] {
    const wanted = name.toLowerCase().replace(/[\s_-]/g, "");
    return regionNames
        .map((candidate) => ({ candidate, distance: editDistance(wanted, candidate) }))
        .filter(({ distance }) => distance <= 2)
        .sort((a, b) => a.distance - b.distance)
        .map(({ candidate }) => candidate);
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
            current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
        }
        previous = current;
    }
    return previous[b.length];
}
