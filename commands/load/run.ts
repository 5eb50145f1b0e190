import autocannon from "autocannon";
import type { SmokeRequest } from "../smoke/calls";

/**
 * One API's load, sent with autocannon (`connections` connections, each sending its next call when
 * the last is answered, for `durationSeconds` or until `amount` calls are answered, at most `rate`
 * calls a second over all connections). The calls go in
 * the proportion of their weights: each connection cycles through a sequence in which every
 * operation appears `weight` times (weights divided by their greatest common divisor). Every answer
 * is recorded with its operation, status and time; nothing is retried, redirects are answers.
 */

/** One operation's calls as sent: the request and what counts as a success. */
export interface LoadCall {
    /** The operation's name, for the report. */
    operation: string;
    request: SmokeRequest;
    weight: number;
    /** The status a call must get; default: any status below 400. */
    status?: number;
}

/** How long and how hard. */
export interface LoadShape {
    durationSeconds: number;
    connections: number;
    /** Stop after this many answered calls (for tests and short checks); default: the duration decides. */
    amount?: number;
    timeoutMs: number;
    /** At most this many calls a second over all connections (a whole number); default: as fast as answers come. */
    rate?: number;
    /** Where autocannon draws its progress bar (it draws on a terminal only). */
    progress?: NodeJS.WritableStream;
}

/** What one operation got. */
export interface OperationCounts {
    answered: number;
    failed: number;
    /** Answers by status code. */
    statuses: Record<number, number>;
}

/** What one API's load measured. */
export interface Measured {
    /** Response times in milliseconds of every answered call, in the order they came. */
    latencies: number[];
    /** Calls that got an answer. */
    answered: number;
    /** Calls that failed: an unexpected status, or no answer (a network error or a timeout). */
    failed: number;
    /** Calls that got no answer. */
    unanswered: number;
    /** Wall time of the run in seconds. */
    seconds: number;
    /** By operation. */
    operations: Record<string, OperationCounts>;
}

function gcd(a: number, b: number): number {
    return b === 0 ? a : gcd(b, a % b);
}

/** The sequence each connection cycles through: every call `weight / gcd` times, interleaved. */
export function weightedSequence<T extends { weight: number }>(calls: readonly T[]): T[] {
    const divisor = calls.reduce((found, call) => gcd(found, call.weight), 0) || 1;
    const left = calls.map((call) => call.weight / divisor);
    const sequence: T[] = [];
    while (left.some((count) => count > 0)) {
        calls.forEach((call, i) => {
            if (left[i]! > 0) {
                sequence.push(call);
                left[i]! -= 1;
            }
        });
    }
    return sequence;
}

/** Sends the load of one API; resolves with what was measured. */
export function runLoad(calls: readonly LoadCall[], shape: LoadShape): Promise<Measured> {
    const first = new URL(calls[0]!.request.url);
    const operations: Record<string, OperationCounts> = Object.fromEntries(
        calls.map((call) => [call.operation, { answered: 0, failed: 0, statuses: {} }]),
    );
    const measured: Measured = { latencies: [], answered: 0, failed: 0, unanswered: 0, seconds: 0, operations };
    // autocannon calls a request's onResponse and then emits "response" for the same answer, one
    // right after the other: the first says which operation, the second how long it took.
    let answeredBy: LoadCall | undefined;
    const requests = weightedSequence(calls).map((call) => {
        const url = new URL(call.request.url);
        return {
            method: call.request.method as autocannon.Request["method"],
            path: `${url.pathname}${url.search}`,
            headers: call.request.headers,
            ...(call.request.body !== undefined ? { body: call.request.body } : {}),
            onResponse: (status: number) => {
                answeredBy = call;
                const counts = operations[call.operation]!;
                counts.answered += 1;
                counts.statuses[status] = (counts.statuses[status] ?? 0) + 1;
                const ok = call.status !== undefined ? status === call.status : status < 400;
                if (!ok) {
                    counts.failed += 1;
                    measured.failed += 1;
                }
                measured.answered += 1;
            },
        };
    });
    return new Promise((resolve, reject) => {
        const started = process.hrtime.bigint();
        const instance = autocannon(
            {
                url: first.origin,
                connections: shape.connections,
                duration: shape.durationSeconds,
                ...(shape.amount !== undefined ? { amount: shape.amount } : {}),
                ...(shape.rate !== undefined ? { overallRate: shape.rate } : {}),
                timeout: Math.max(1, Math.ceil(shape.timeoutMs / 1000)),
                requests,
            },
            (error) => {
                if (error) {
                    reject(error);
                    return;
                }
                measured.seconds = Number(process.hrtime.bigint() - started) / 1e9;
                resolve(measured);
            },
        );
        instance.on("response", (_client, _status, _bytes, responseTime) => {
            if (answeredBy) {
                measured.latencies.push(responseTime);
                answeredBy = undefined;
            }
        });
        instance.on("reqError", () => {
            measured.unanswered += 1;
            measured.failed += 1;
        });
        autocannon.track(instance, {
            outputStream: shape.progress ?? process.stderr,
            renderProgressBar: true,
            renderResultsTable: false,
            renderLatencyTable: false,
        });
    });
}
