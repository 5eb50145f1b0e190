import * as assert from "node:assert/strict";
import { wrap } from "../../commands/cost/text";

describe("the cost table's columns", () => {
    it("wrap at word boundaries: a space, or a hyphen or slash inside a resource name, never mid-word", () => {
        assert.deepEqual(wrap("workflows-shipment-intake-failed-runs", 34), ["workflows-shipment-intake-failed-", "runs"]);
        assert.deepEqual(wrap("1 time series monitored, evaluated every 5 minutes", 20), [
            "1 time series",
            "monitored, evaluated",
            "every 5 minutes",
        ]);
        assert.deepEqual(wrap("short", 34), ["short"]);
    });

    it("cut only a word longer than the column", () => {
        assert.deepEqual(wrap("abcdefghijklmnopqrstuvwxyz", 10), ["abcdefghij", "klmnopqrst", "uvwxyz"]);
    });
});
