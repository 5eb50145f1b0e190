import * as assert from "node:assert/strict";
import { changesText, diffResources, propertyChanges } from "../../tools/plan/diff";

const resource = (name: string, inputs: Record<string, unknown>) => ({ urn: `urn:pulumi:s::p::t::${name}`, type: "azure-native:apimanagement:Backend", name, inputs });

describe("the difference between two states of a stack", () => {
    it("names each input that changes by its path, into objects and lists", () => {
        assert.deepEqual(propertyChanges({ url: "https://a", tls: { validate: true }, rules: [{ name: "x" }, { name: "y" }] }, { url: "https://b", tls: { validate: true }, rules: [{ name: "x" }, { name: "z" }, { name: "w" }] }), [
            { path: "rules[1].name", before: "y", after: "z" },
            { path: "rules[2]", before: undefined, after: { name: "w" } },
            { path: "url", before: "https://a", after: "https://b" },
        ]);
        assert.deepEqual(propertyChanges({ a: 1 }, { a: 1 }), []);
        assert.deepEqual(propertyChanges({ a: 1 }, { b: 1 }), [
            { path: "a", before: 1, after: undefined },
            { path: "b", before: undefined, after: 1 },
        ]);
    });

    it("creates what only the program declares, deletes what only the state holds, updates what differs, and leaves the rest out", () => {
        const before = [resource("kept", { url: "https://same" }), resource("moved", { url: "https://prod" }), resource("gone", { url: "https://old" })];
        const after = [resource("kept", { url: "https://same" }), resource("moved", { url: "https://dr" }), resource("new", { url: "https://new" })];
        const changes = diffResources(before, after);
        assert.deepEqual(
            changes.map((change) => [change.op, change.name]),
            [
                ["update", "moved"],
                ["create", "new"],
                ["delete", "gone"],
            ],
        );
        assert.equal(
            changesText(changes),
            [
                "~ update azure-native:apimanagement:Backend moved",
                '    url: "https://prod" => "https://dr"',
                "+ create azure-native:apimanagement:Backend new",
                "- delete azure-native:apimanagement:Backend gone",
            ].join("\n"),
        );
        assert.equal(changesText(diffResources(after, after)), "no changes");
    });
});
