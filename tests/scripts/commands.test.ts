import * as assert from "node:assert/strict";
import * as cost from "../../commands/cost/cli";
import * as plan from "../../commands/plan";
import * as smoke from "../../commands/smoke";
import * as load from "../../commands/load";
import * as replica from "../../commands/replica";
import * as bench from "../../scripts/bench";
import * as docs from "../../scripts/docs";
import { captured } from "../helpers";

/** Each npm script of the project's own, as its npm script starts it, with an argument list. */
const scripts: Record<string, (argv: string[]) => Promise<number> | number> = {
    plan: (argv) => plan.main(argv, undefined, {}),
    cost: (argv) => cost.main(argv, undefined, {}),
    smoke: (argv) => smoke.main(argv, {}),
    load: (argv) => load.main(argv, {}),
    replica: (argv) => replica.main(argv, undefined, {}),
    docs: (argv) => docs.main(argv),
    bench: (argv) => bench.main(argv),
};

describe("every npm script of the project reads its command line alike", () => {
    for (const [name, main] of Object.entries(scripts)) {
        it(`${name}: --help prints the usage and exits 0; an unknown option exits 2 with the usage, no stack trace`, async () => {
            const help = await captured(async () => main(["--help"]));
            assert.equal(help.result, 0);
            assert.match(help.stdout, new RegExp(`^Usage: npm run ${name}\\b`));
            const unknown = await captured(async () => main(["--no-such-option"]));
            assert.equal(unknown.result, 2);
            assert.match(unknown.stderr, /^Unknown option --no-such-option \(allowed: [^)]+\)\n\nUsage: npm run /);
            assert.doesNotMatch(unknown.stderr, /\n\s+at /);
        });
    }
});
