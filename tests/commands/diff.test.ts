import * as assert from "node:assert/strict";
import { propertyChanges } from "../../commands/plan/diff";

describe("the difference between two sets of inputs", () => {
    it("names each input that changes by its path, into objects and lists", () => {
        assert.deepEqual(
            propertyChanges(
                { url: "https://a", tls: { validate: true }, rules: [{ name: "x" }, { name: "y" }] },
                { url: "https://b", tls: { validate: true }, rules: [{ name: "x" }, { name: "z" }, { name: "w" }] },
            ),
            [
                { path: "rules[1].name", before: "y", after: "z" },
                { path: "rules[2]", before: undefined, after: { name: "w" } },
                { path: "url", before: "https://a", after: "https://b" },
            ],
        );
        assert.deepEqual(propertyChanges({ a: 1 }, { a: 1 }), []);
        assert.deepEqual(propertyChanges({ a: 1 }, { b: 1 }), [
            { path: "a", before: 1, after: undefined },
            { path: "b", before: undefined, after: 1 },
        ]);
    });
});
