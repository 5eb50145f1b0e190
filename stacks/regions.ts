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
    /**
     * Display name (`az account list-locations` displayName), which API Management's resources and
     * the `Location` dimension of its metrics use.
     */
    readonly display: string;
    /** 2-5 lower-case characters used inside resource names. */
    readonly short: string;
    /** The paired region, if Microsoft pairs this region with another. */
    readonly paired?: string;
}

const table: ReadonlyArray<AzureRegion> = [
    // Americas
    { name: "eastus", display: "East US", short: "eus", paired: "westus" },
    { name: "eastus2", display: "East US 2", short: "eus2", paired: "centralus" },
    { name: "centralus", display: "Central US", short: "cus", paired: "eastus2" },
    { name: "northcentralus", display: "North Central US", short: "ncus", paired: "southcentralus" },
    { name: "southcentralus", display: "South Central US", short: "scus", paired: "northcentralus" },
    { name: "westcentralus", display: "West Central US", short: "wcus", paired: "westus2" },
    { name: "westus", display: "West US", short: "wus", paired: "eastus" },
    { name: "westus2", display: "West US 2", short: "wus2", paired: "westcentralus" },
    { name: "westus3", display: "West US 3", short: "wus3", paired: "eastus" },
    { name: "canadacentral", display: "Canada Central", short: "cac", paired: "canadaeast" },
    { name: "canadaeast", display: "Canada East", short: "cae", paired: "canadacentral" },
    { name: "brazilsouth", display: "Brazil South", short: "brs", paired: "southcentralus" },
    { name: "brazilsoutheast", display: "Brazil Southeast", short: "brse", paired: "brazilsouth" },
    { name: "mexicocentral", display: "Mexico Central", short: "mxc" },
    { name: "chilecentral", display: "Chile Central", short: "clc" },
    // Europe
    { name: "northeurope", display: "North Europe", short: "neu", paired: "westeurope" },
    { name: "westeurope", display: "West Europe", short: "weu", paired: "northeurope" },
    { name: "uksouth", display: "UK South", short: "uks", paired: "ukwest" },
    { name: "ukwest", display: "UK West", short: "ukw", paired: "uksouth" },
    { name: "francecentral", display: "France Central", short: "frc", paired: "francesouth" },
    { name: "francesouth", display: "France South", short: "frs", paired: "francecentral" },
    { name: "germanywestcentral", display: "Germany West Central", short: "gwc", paired: "germanynorth" },
    { name: "germanynorth", display: "Germany North", short: "gn", paired: "germanywestcentral" },
    { name: "norwayeast", display: "Norway East", short: "noe", paired: "norwaywest" },
    { name: "norwaywest", display: "Norway West", short: "now", paired: "norwayeast" },
    { name: "switzerlandnorth", display: "Switzerland North", short: "chn", paired: "switzerlandwest" },
    { name: "switzerlandwest", display: "Switzerland West", short: "chw", paired: "switzerlandnorth" },
    { name: "swedencentral", display: "Sweden Central", short: "sec", paired: "swedensouth" },
    { name: "swedensouth", display: "Sweden South", short: "ses", paired: "swedencentral" },
    { name: "italynorth", display: "Italy North", short: "itn" },
    { name: "polandcentral", display: "Poland Central", short: "plc" },
    { name: "spaincentral", display: "Spain Central", short: "esc" },
    { name: "austriaeast", display: "Austria East", short: "ate" },
    { name: "belgiumcentral", display: "Belgium Central", short: "bec" },
    // Asia Pacific
    { name: "eastasia", display: "East Asia", short: "ea", paired: "southeastasia" },
    { name: "southeastasia", display: "Southeast Asia", short: "sea", paired: "eastasia" },
    { name: "australiaeast", display: "Australia East", short: "aue", paired: "australiasoutheast" },
    { name: "australiasoutheast", display: "Australia Southeast", short: "ause", paired: "australiaeast" },
    { name: "australiacentral", display: "Australia Central", short: "auc", paired: "australiacentral2" },
    { name: "australiacentral2", display: "Australia Central 2", short: "auc2", paired: "australiacentral" },
    { name: "centralindia", display: "Central India", short: "inc", paired: "southindia" },
    { name: "southindia", display: "South India", short: "ins", paired: "centralindia" },
    { name: "westindia", display: "West India", short: "inw", paired: "southindia" },
    { name: "japaneast", display: "Japan East", short: "jpe", paired: "japanwest" },
    { name: "japanwest", display: "Japan West", short: "jpw", paired: "japaneast" },
    { name: "koreacentral", display: "Korea Central", short: "krc", paired: "koreasouth" },
    { name: "koreasouth", display: "Korea South", short: "krs", paired: "koreacentral" },
    { name: "newzealandnorth", display: "New Zealand North", short: "nzn" },
    { name: "indonesiacentral", display: "Indonesia Central", short: "idc" },
    { name: "malaysiawest", display: "Malaysia West", short: "myw" },
    // Middle East and Africa
    { name: "uaenorth", display: "UAE North", short: "aen", paired: "uaecentral" },
    { name: "uaecentral", display: "UAE Central", short: "aec", paired: "uaenorth" },
    { name: "qatarcentral", display: "Qatar Central", short: "qac" },
    { name: "israelcentral", display: "Israel Central", short: "ilc" },
    { name: "southafricanorth", display: "South Africa North", short: "san", paired: "southafricawest" },
    { name: "southafricawest", display: "South Africa West", short: "saw", paired: "southafricanorth" },
];

const byName = new Map(table.map((region) => [region.name, region]));

/** Every region name the project accepts, in the order of the table. */
export const regionNames: ReadonlyArray<string> = table.map((region) => region.name);

const byDisplay = new Map(table.map((region) => [region.display.toLowerCase(), region]));

/**
 * The region name of what ARM returns as a resource's location: its display name (`West Europe`,
 * as API Management's resources give it) or its name; undefined for a region this project does not know.
 */
export function regionNameOf(location: string): string | undefined {
    return (byDisplay.get(location.toLowerCase()) ?? byName.get(location.toLowerCase()))?.name;
}

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
