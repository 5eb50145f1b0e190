import { shown, type Problem } from "../common/rules";
import { availabilityZoneProblems } from "../common/values";

export { availabilityZones } from "../common/values";

/**
 * How big an API Management service may be, by tier: units per region, availability zones,
 * additional regions and autoscale. One rule, checked on the gateway's arguments and, through
 * the same function, on the stack config, so the two can never disagree.
 */

/** The tiers this program deploys: the classic tiers (the v2 tiers have no backup and restore). */
export const gatewayTiers = ["Developer", "Basic", "Standard", "Premium"] as const;
export type GatewayTier = (typeof gatewayTiers)[number];

/** Units each tier allows per region. */
export const tierCapacity: Readonly<Record<GatewayTier, { min: number; max: number }>> = {
    Developer: { min: 1, max: 1 },
    Basic: { min: 1, max: 2 },
    Standard: { min: 1, max: 4 },
    Premium: { min: 1, max: 12 },
};

/** The sizing of a service: what {@link sizingProblems} checks. */
export interface GatewaySizing {
    /** The tier. */
    sku: string;
    /** Units in the primary region. */
    capacity: number;
    /** The primary region. */
    location: string;
    /** Availability zones in the primary region. */
    zones: readonly string[];
    /** Extra regions, each with its units and zones. */
    additionalLocations: ReadonlyArray<{ location: string; capacity: number; zones?: readonly string[] }>;
    /** Autoscale bounds, when the service scales. */
    autoscale?: { minCapacity: number; maxCapacity: number };
}

const rangeText = (range: { min: number; max: number }) => (range.min === range.max ? `${range.min}` : `${range.min}-${range.max}`);
const units = (n: number) => `${n} ${n === 1 ? "unit" : "units"}`;

/** The zones of one region: valid names, each once, and units that spread evenly over them. */
function zoneProblems(
    zones: readonly string[],
    capacity: number,
    zonesPath: (string | number)[],
    capacityPath: (string | number)[],
): Problem[] {
    const problems: Problem[] = [];
    zones.forEach((zone, i) => {
        problems.push(
            ...availabilityZoneProblems(zone).map((problem) => ({ path: [...zonesPath, i, ...problem.path], message: problem.message })),
        );
    });
    if (new Set(zones).size !== zones.length) {
        problems.push({ path: zonesPath, message: `${shown(zones)} lists a zone twice (allowed: each of "1", "2", "3" at most once)` });
    } else if (zones.length > 1 && Number.isInteger(capacity) && capacity % zones.length !== 0) {
        problems.push({
            path: capacityPath,
            message: `${units(capacity)} cannot be spread evenly over ${zones.length} zones (allowed: a multiple of ${zones.length})`,
        });
    }
    return problems;
}

/** Every problem of a service's sizing, with paths inside {@link GatewaySizing}. */
export function sizingProblems(sizing: GatewaySizing): Problem[] {
    if (!(gatewayTiers as readonly string[]).includes(sizing.sku)) {
        return [{ path: ["sku"], message: `${shown(sizing.sku)} is not an API Management tier (allowed: ${gatewayTiers.join(", ")})` }];
    }
    const sku = sizing.sku as GatewayTier;
    const range = tierCapacity[sku];
    const premium = sku === "Premium";
    const problems: Problem[] = [];
    if (!Number.isInteger(sizing.capacity)) {
        problems.push({
            path: ["capacity"],
            message: `${shown(sizing.capacity)} is not a whole number (allowed: ${rangeText(range)} units on ${sku})`,
        });
    } else if (sizing.capacity < range.min || sizing.capacity > range.max) {
        problems.push({
            path: ["capacity"],
            message: `${units(sizing.capacity)} is outside the ${sku} tier's range (allowed: ${rangeText(range)})`,
        });
    }
    if (!premium && sizing.zones.length > 0) {
        problems.push({
            path: ["zones"],
            message: `availability zones need the Premium tier, not ${sku} (allowed: set sku: Premium or remove zones)`,
        });
    }
    if (!premium && sizing.additionalLocations.length > 0) {
        problems.push({
            path: ["additionalLocations"],
            message: `additional regions need the Premium tier, not ${sku} (allowed: set sku: Premium or remove additionalLocations)`,
        });
    }
    problems.push(...zoneProblems(premium ? sizing.zones : [], sizing.capacity, ["zones"], ["capacity"]));
    const seen = new Set<string>();
    sizing.additionalLocations.forEach((extra, i) => {
        const at = (...rest: string[]) => ["additionalLocations", i, ...rest];
        if (extra.location === sizing.location) {
            problems.push({
                path: at("location"),
                message: `"${extra.location}" is the primary location (allowed: a region other than ${sizing.location})`,
            });
        } else if (seen.has(extra.location)) {
            problems.push({ path: at("location"), message: `"${extra.location}" is listed twice (allowed: each additional region once)` });
        }
        seen.add(extra.location);
        const premiumRange = tierCapacity.Premium;
        if (!Number.isInteger(extra.capacity) || extra.capacity < premiumRange.min || extra.capacity > premiumRange.max) {
            problems.push({
                path: at("capacity"),
                message: `${Number.isInteger(extra.capacity) ? units(extra.capacity) : shown(extra.capacity)} is outside the Premium tier's range (allowed: ${rangeText(premiumRange)})`,
            });
        }
        problems.push(...zoneProblems(extra.zones ?? [], extra.capacity, at("zones"), at("capacity")));
    });
    const autoscale = sizing.autoscale;
    if (!autoscale) {
        return problems;
    }
    const step = Math.max(1, sizing.zones.length);
    if (sku === "Developer") {
        problems.push({
            path: ["autoscale"],
            message: "the Developer tier cannot scale (allowed: remove autoscale, or use Basic, Standard or Premium)",
        });
    } else if (autoscale.minCapacity > autoscale.maxCapacity) {
        problems.push({
            path: ["autoscale", "minCapacity"],
            message: `${autoscale.minCapacity} is more than maxCapacity ${autoscale.maxCapacity} (allowed: minCapacity <= maxCapacity)`,
        });
    } else if (autoscale.minCapacity < range.min || autoscale.maxCapacity > range.max) {
        problems.push({
            path: ["autoscale"],
            message: `${autoscale.minCapacity}-${autoscale.maxCapacity} units is outside the ${sku} tier's range (allowed: within ${rangeText(range)})`,
        });
    } else if (autoscale.minCapacity % step !== 0 || autoscale.maxCapacity % step !== 0) {
        problems.push({
            path: ["autoscale"],
            message: `${autoscale.minCapacity}-${autoscale.maxCapacity} units cannot stay spread evenly over ${step} zones; autoscale adds and removes ${step} units at a time (allowed: minCapacity and maxCapacity multiples of ${step})`,
        });
    } else if (sizing.capacity < autoscale.minCapacity || sizing.capacity > autoscale.maxCapacity) {
        problems.push({
            path: ["capacity"],
            message: `${units(sizing.capacity)} is outside the autoscale range (allowed: ${autoscale.minCapacity}-${autoscale.maxCapacity})`,
        });
    }
    return problems;
}
