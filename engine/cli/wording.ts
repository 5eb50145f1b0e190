/**
 * How the CLI's messages name keys: the closest key it suggests ("did you mean") and quoted lists
 * of names.
 */

/** Levenshtein distance, case-insensitive (project.go `findClosestKey`). */
function distance(a: string, b: string): number {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    let previous = Array.from({ length: y.length + 1 }, (_, i) => i);
    for (let i = 1; i <= x.length; i++) {
        const current = [i];
        for (let j = 1; j <= y.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[y.length];
}

/** The attribute within distance 2 of `needle`, first alphabetically among the closest. */
export function closestKey(needle: string, haystack: readonly string[]): string | undefined {
    let match: string | undefined;
    let closest = 3;
    for (const key of [...haystack].sort()) {
        const d = distance(needle, key);
        if (d < closest) {
            closest = d;
            match = key;
        }
    }
    return match;
}

/** Names quoted and sorted: `'a', 'b' and 'c'`. */
export function listQuoted(keys: readonly string[]): string {
    const quoted = [...keys].sort().map((key) => `'${key}'`);
    return quoted.length > 1 ? `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}` : quoted[0];
}
