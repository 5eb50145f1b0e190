import table from "./prices.json";

/**
 * The price table kept in `commands/cost/prices.json`: list prices read from public pages on a date,
 * none verified against the live Azure price list.
 */

/** One price of the table. */
export interface Price {
    /** What is priced, in words. */
    readonly item: string;
    /** USD per `unit`. */
    readonly price: number;
    /** What the price is for: "unit-month", "GB", "10,000 operations", ... */
    readonly unit: string;
    readonly currency: "USD";
    /** The region the price was quoted for, where prices differ by region. */
    readonly region?: string;
    /** Where the price was read (an address). */
    readonly source: string;
    /** "official" (a Microsoft page) or "third-party summary". */
    readonly sourceKind: string;
    /** How the source gives the price, and what it leaves out. */
    readonly sourceDetail?: string;
    /** The date the price was read, YYYY-MM-DD. */
    readonly readOn: string;
    /** Always false: the table is not checked against the live price list. */
    readonly verified: false;
}

export interface PriceTable {
    readonly about: string;
    readonly currency: "USD";
    /** Hours in a month, the convention of Azure's pricing pages. */
    readonly hoursPerMonth: number;
    /** When the table was last read as a whole, YYYY-MM-DD. */
    readonly readOn: string;
    readonly verified: false;
    readonly prices: Readonly<Record<string, Price>>;
}

/** The table in `prices.json`. */
export const priceTable = table as PriceTable;

/** The price under `key`; a key the table lacks is a mistake in this folder, named in the error. */
export function priceOf(key: string, prices: PriceTable = priceTable): Price {
    const found = prices.prices[key];
    if (!found) {
        throw new Error(`commands/cost/prices.json has no price "${key}" (it has: ${Object.keys(prices.prices).join(", ")})`);
    }
    return found;
}
