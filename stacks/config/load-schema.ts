import { z } from "zod";
import { loadCriteriaBounds } from "../../content/catalog/schema";
import { decimalNumber, problem, strictObject, wholeNumber, withDocs } from "./fields";

/**
 * The `load` key: how `npm run load -- <stack>` loads the stack's APIs (how long, how many
 * connections) and the criteria every API must meet there, which take precedence over an API's own
 * (`load.criteria` in its api.yaml) key by key; and whether the stack has an Azure Load Testing
 * resource for a load beyond one machine. Every key has a default, so a stack file needs none.
 */

/** A whole number within `min`-`max`, `unit` naming what it counts. */
function within(min: number, max: number, unit: string) {
    const allowed = `${min}-${max} ${unit}`;
    return wholeNumber(allowed).refine((value) => value >= min && value <= max, {
        error: (issue) => problem(issue.input, value(issue.input, min), allowed),
    });
}

/** "is too small" or "is too large", for a number out of its range. */
function value(input: unknown, min: number): string {
    return Number(input) < min ? "is too small" : "is too large";
}

/** A criterion of the stack file, with the bounds and wording api.yaml's has. */
function criterion(key: keyof typeof loadCriteriaBounds) {
    const { min, max, allowed } = loadCriteriaBounds[key];
    const number = key === "p95Ms" ? wholeNumber(allowed) : decimalNumber(allowed);
    return number.refine((found) => found >= min && found <= max, {
        error: (issue) => problem(issue.input, value(issue.input, min), allowed),
    });
}

export const loadCriteriaFields = withDocs(
    {
        p95Ms: criterion("p95Ms").optional(),
        errorPercent: criterion("errorPercent").optional(),
        requestsPerSecond: criterion("requestsPerSecond").optional(),
    },
    {
        p95Ms: { description: "Each API's 95th-percentile response time must be at most this many milliseconds." },
        errorPercent: {
            description: "At most this percentage of each API's calls may fail (no answer, or a status the operation does not expect).",
        },
        requestsPerSecond: { description: "Each API must sustain at least this many answered calls per second over the run." },
    },
);

export const azureLoadTestingFields = withDocs(
    {
        engineInstances: within(1, 400, "engine instances").default(1),
    },
    {
        engineInstances: {
            description:
                "How many engine instances Azure Load Testing runs the generated test on; each runs `load.connections` users (the service's limit is 400).",
        },
    },
);

export const loadFields = withDocs(
    {
        durationSeconds: within(5, 3600, "seconds").default(60),
        connections: within(1, 1000, "connections").default(10),
        criteria: strictObject(loadCriteriaFields, "the load test's criteria").optional(),
        azureLoadTesting: strictObject(azureLoadTestingFields, "the Azure Load Testing settings").optional(),
    },
    {
        durationSeconds: { description: "How long `npm run load` loads each API, in seconds." },
        connections: {
            description: "How many connections `npm run load` keeps open to each API (each sends its next call when the last is answered).",
        },
        criteria: {
            description:
                "What every API must meet in this stack: `p95Ms`, `errorPercent`, `requestsPerSecond`. Each takes precedence over the same key of an API's own `load.criteria`; a Developer-tier stack can relax what prod requires.",
        },
        azureLoadTesting: {
            description:
                "Deploys an Azure Load Testing resource for this stack and lets `npm run load -- <stack> --azure <dir>` write the test it runs (`engineInstances`); for a load beyond one machine.",
        },
    },
);

export const loadSchema = strictObject(loadFields, "the load test settings");

export type LoadSettings = z.output<typeof loadSchema>;
