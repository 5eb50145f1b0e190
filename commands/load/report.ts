import { capacityMetric, locationDimension, scalePolicy } from "../../components/gateway/scale";
import type { LoadCriteria } from "../../content/catalog/schema";
import type { Measured } from "./run";

/**
 * The load test's verdict and report: percentiles, errors and throughput per API, each criterion
 * with what was measured, and what the load should do to the gateway's Capacity metric.
 */

/** The nearest-rank percentile (`p` of 100) of unsorted values; undefined for none. */
export function percentile(values: readonly number[], p: number): number | undefined {
    if (values.length === 0) {
        return undefined;
    }
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

/** One criterion as judged. */
export interface Judged {
    criterion: keyof LoadCriteria;
    /** As the report shows it: `p95 <= 500 ms`. */
    wanted: string;
    /** What was measured, as the report shows it. */
    got: string;
    passed: boolean;
}

/** The figures of one API's run. */
export interface Figures {
    calls: number;
    p50?: number;
    p95?: number;
    p99?: number;
    max?: number;
    errorPercent: number;
    requestsPerSecond: number;
}

export function figures(measured: Measured): Figures {
    const calls = measured.answered + measured.unanswered;
    return {
        calls,
        ...(measured.latencies.length > 0
            ? {
                  p50: percentile(measured.latencies, 50),
                  p95: percentile(measured.latencies, 95),
                  p99: percentile(measured.latencies, 99),
                  max: Math.max(...measured.latencies),
              }
            : {}),
        errorPercent: calls === 0 ? 100 : (100 * measured.failed) / calls,
        requestsPerSecond: measured.seconds > 0 ? measured.answered / measured.seconds : 0,
    };
}

/** The criteria that apply: the stack's over the API's, key by key. */
export function criteriaOf(api: LoadCriteria, stack: LoadCriteria | undefined): LoadCriteria {
    return { ...api, ...Object.fromEntries(Object.entries(stack ?? {}).filter(([, value]) => value !== undefined)) };
}

function round(value: number, digits = 1): string {
    return String(Math.round(value * 10 ** digits) / 10 ** digits);
}

/** Each criterion judged against the figures. A run with no answer fails a latency criterion. */
export function judge(criteria: LoadCriteria, found: Figures): Judged[] {
    const judged: Judged[] = [];
    if (criteria.p95Ms !== undefined) {
        judged.push({
            criterion: "p95Ms",
            wanted: `p95 <= ${criteria.p95Ms} ms`,
            got: found.p95 === undefined ? "no answer" : `${round(found.p95)} ms`,
            passed: found.p95 !== undefined && found.p95 <= criteria.p95Ms,
        });
    }
    if (criteria.errorPercent !== undefined) {
        judged.push({
            criterion: "errorPercent",
            wanted: `errors <= ${criteria.errorPercent} %`,
            got: `${round(found.errorPercent, 2)} %`,
            passed: found.calls > 0 && found.errorPercent <= criteria.errorPercent,
        });
    }
    if (criteria.requestsPerSecond !== undefined) {
        judged.push({
            criterion: "requestsPerSecond",
            wanted: `>= ${criteria.requestsPerSecond} req/s`,
            got: `${round(found.requestsPerSecond)} req/s`,
            passed: found.requestsPerSecond >= criteria.requestsPerSecond,
        });
    }
    return judged;
}

/**
 * Requests a second one unit of each classic tier is estimated to take. Microsoft states Basic's
 * ("a unit of the Basic tier has an estimated maximum throughput of approximately 1,000 requests per
 * second": Microsoft Learn, "Plan to manage costs for API Management"); the other tiers' figures are
 * the pricing page's as commonly quoted, unverified here (docs/known-limits.md). An estimate only:
 * Capacity measures the gateway's CPU, memory and queues, which depend on the policies and payloads.
 */
export const estimatedRequestsPerUnit: Record<string, number> = { Developer: 500, Basic: 1_000, Standard: 2_500, Premium: 4_000 };

/** The gateway the load went to: its tier, the primary region's units, the service's resource id. */
export interface GatewaySize {
    sku: string;
    units: number;
    /** The units autoscale moves between, when it does. */
    autoscale?: { min: number; max: number };
    location: string;
    serviceId?: string;
}

/** What the load should do to Capacity, and where to read the metric: lines of the report. */
export function capacityLines(requestsPerSecond: number, gateway: GatewaySize): string[] {
    const perUnit = estimatedRequestsPerUnit[gateway.sku];
    if (perUnit === undefined) {
        return [`Capacity: no per-unit estimate for the ${gateway.sku} tier; read the metric below.`];
    }
    const percent = (100 * requestsPerSecond) / (perUnit * gateway.units);
    const lines = [
        `Capacity: ${round(requestsPerSecond)} req/s on ${gateway.units} ${gateway.sku} unit${gateway.units === 1 ? "" : "s"} in ${gateway.location} (about ${perUnit} req/s a unit) should read about ${round(percent, 0)} %.`,
    ];
    if (gateway.autoscale) {
        const verdict =
            percent > scalePolicy.scaleOutAbove
                ? `above ${scalePolicy.scaleOutAbove} %: sustained for 30 minutes, autoscale adds units (up to ${gateway.autoscale.max})`
                : percent < scalePolicy.scaleInBelow
                  ? `below ${scalePolicy.scaleInBelow} %: sustained, autoscale removes units (down to ${gateway.autoscale.min})`
                  : `between ${scalePolicy.scaleInBelow} % and ${scalePolicy.scaleOutAbove} %: autoscale leaves the units as they are`;
        lines.push(`  That is ${verdict}.`);
    } else if (percent > scalePolicy.scaleOutAbove) {
        lines.push(
            `  That is above the ${scalePolicy.scaleOutAbove} % at which this project's autoscale would add a unit: consider more units.`,
        );
    }
    lines.push(
        `  Compare with the metric: Azure portal, the API Management service, Metrics, ${capacityMetric.name} (average, split by ${locationDimension}); or`,
        `  az monitor metrics list --resource ${gateway.serviceId ?? "<gateway.serviceId output>"} --metric ${capacityMetric.name} --aggregation Average --interval PT1M --filter "${locationDimension} eq '*'"`,
        "  The estimate scales the tier's published throughput; policies, payloads and backends move the real figure.",
    );
    return lines;
}
