import type { CostEstimate, CostLine } from "./types";

/**
 * The estimate as text: a table of resource, what is priced and USD a month, the total, and what
 * the figures are (list prices from a dated table, not verified against the live price list).
 * `npm run cost` prints it; the plan and the pull-request diff print it too.
 */

const nameWidth = 34;
const whatWidth = 70;

/** "1,234.50"; a figure under a cent shows as "0.00", a range as "11,180.68 - 22,361.36". */
export function usdText(monthly: number, max?: number): string {
    const format = (value: number) => value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    return max !== undefined && format(max) !== format(monthly) ? `${format(monthly)} - ${format(max)}` : format(monthly);
}

/** `text` cut into lines of at most `width` columns, at spaces where it can be. */
/**
 * Lines of at most `width` characters, broken at word boundaries: after a space, or after a hyphen
 * or slash inside a name (`workflows-shipment-intake-` / `failed-runs`); a word longer than the
 * width is the only thing ever cut inside.
 */
export function wrap(text: string, width: number): string[] {
    const lines: string[] = [];
    let rest = text;
    while (rest.length > width) {
        const window = rest.slice(0, width + 1);
        const space = window.lastIndexOf(" ");
        const joint = Math.max(window.lastIndexOf("-", width - 1), window.lastIndexOf("/", width - 1));
        const cut = space > 0 && space >= joint ? space : joint > 0 ? joint + 1 : width;
        lines.push(rest.slice(0, cut).trimEnd());
        rest = rest.slice(cut).trimStart();
    }
    lines.push(rest);
    return lines;
}

function rows(name: string, what: string, amount: string, amountWidth: number): string[] {
    const names = wrap(name, nameWidth);
    const whats = wrap(what, whatWidth);
    return Array.from({ length: Math.max(names.length, whats.length) }, (_, i) =>
        `  ${(names[i] ?? "").padEnd(nameWidth)}  ${(whats[i] ?? "").padEnd(whatWidth)}  ${i === 0 ? amount.padStart(amountWidth) : ""}`.trimEnd(),
    );
}

/** A change of a monthly figure: "+5,590.34 USD", "-9,806.90 USD", "no change". */
export function usdChangeText(delta: number): string {
    return Math.abs(delta) < 0.005 ? "no change" : `${delta > 0 ? "+" : "-"}${usdText(Math.abs(delta))} USD`;
}

/** The sentence every estimate ends with. */
function estimateSentence(estimate: Pick<CostEstimate, "pricesReadOn" | "lines">): string {
    const range = estimate.lines.some((line) => line.maxMonthlyUsd !== undefined)
        ? " A range is autoscale at its minimum and at its maximum."
        : "";
    const sentence =
        `This is an estimate at list prices (pay-as-you-go, USD), not verified against the live Azure price list: the prices in ` +
        `commands/cost/prices.json were read from public pages on ${estimate.pricesReadOn}, most of them US list prices and many from ` +
        `third-party summaries. Usage-based lines use the monthly volumes under \`cost\` in the stack file, or their defaults; ` +
        `free monthly grants, taxes, discounts and data transfer are left out.${range}`;
    return wrap(sentence, 100).join("\n");
}

export function costText(estimate: CostEstimate): string {
    const amounts = [
        ...estimate.lines.map((line: CostLine) => usdText(line.monthlyUsd, line.maxMonthlyUsd)),
        usdText(estimate.total.monthlyUsd, estimate.total.maxMonthlyUsd),
    ];
    const amountWidth = Math.max("monthly USD".length, ...amounts.map((amount) => amount.length));
    const header = `  ${"resource".padEnd(nameWidth)}  ${"what".padEnd(whatWidth)}  ${"monthly USD".padStart(amountWidth)}`;
    const table = estimate.lines.flatMap((line, i) => rows(line.name, line.what, amounts[i], amountWidth));
    const unpriced =
        estimate.unpriced.length > 0
            ? [``, `Not priced: ${estimate.unpriced.map((entry) => `${entry.type} ×${entry.count} (${entry.why})`).join("; ")}.`]
            : [];
    return [
        `Monthly cost estimate for stack ${estimate.stack}`,
        ``,
        header,
        ...table,
        ...rows("total", "", amounts[amounts.length - 1], amountWidth),
        ...unpriced,
        ``,
        estimateSentence(estimate),
    ].join("\n");
}
