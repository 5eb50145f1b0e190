import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { apiSchema, issuesOf, productsSchema } from "../../content/catalog/schema";
import { CliConfigError } from "../../engine/project";
import { ConfigError } from "../../stacks/config";
import { configOf, fixtureContent, stackFileValues } from "../helpers";

/** The problem lines of the config with `overrides`, whichever stage refuses it (the CLI's rules or the program's). */
function problemsOf(stack: string, overrides: Record<string, unknown>): string[] {
    try {
        configOf(stack, overrides);
        return [];
    } catch (error) {
        if (error instanceof ConfigError || error instanceof CliConfigError) {
            return [...error.problems];
        }
        throw error;
    }
}

/** The schema library's own words, which no message a user reads may carry. */
const libraryWording =
    /Invalid input|Invalid option|expected (string|number|boolean|array|object)|received (undefined|string|number)|Too (small|big)/;

/** Each way of getting one key wrong: left out, a number, a list, an object. */
const wrongs: Array<[string, (doc: Record<string, unknown>, key: string) => void]> = [
    ["left out", (doc, key) => delete doc[key]],
    ["a number", (doc, key) => (doc[key] = 42)],
    ["a list", (doc, key) => (doc[key] = ["x"])],
    ["a map", (doc, key) => (doc[key] = { x: 1 })],
];

describe("messages in the project's words, never the schema library's", () => {
    const api = parseYaml(fs.readFileSync(path.join(fixtureContent.catalog, "ledger", "api.yaml"), "utf8")) as Record<string, unknown>;
    for (const key of Object.keys(api)) {
        for (const [how, wrong] of wrongs) {
            it(`api.yaml's ${key}, ${how}`, () => {
                const doc = structuredClone(api);
                wrong(doc, key);
                const result = apiSchema.safeParse(doc);
                const lines = result.success ? [] : issuesOf("apis/ledger/api.yaml", result.error);
                for (const line of lines) {
                    assert.doesNotMatch(line, libraryWording);
                    assert.match(line, /^apis\/ledger\/api\.yaml: /);
                }
            });
        }
    }

    const products = parseYaml(fs.readFileSync(path.join(fixtureContent.catalog, "products.yaml"), "utf8")) as Record<
        string,
        Record<string, unknown>
    >;
    const product = Object.keys(products)[0]!;
    for (const key of Object.keys(products[product]!)) {
        for (const [how, wrong] of wrongs) {
            it(`products.yaml's ${product}.${key}, ${how}`, () => {
                const doc = structuredClone(products);
                wrong(doc[product]!, key);
                const result = productsSchema.safeParse(doc);
                for (const line of result.success ? [] : issuesOf("apis/products.yaml", result.error)) {
                    assert.doesNotMatch(line, libraryWording);
                }
            });
        }
    }

    const config = stackFileValues("prod");
    for (const key of Object.keys(config)) {
        for (const [how, wrong] of wrongs) {
            it(`the stack file's ${key}, ${how}`, () => {
                const overrides: Record<string, unknown> = {};
                const doc = { [key]: structuredClone(config[key]) };
                wrong(doc, key);
                overrides[key] = doc[key];
                for (const line of problemsOf("prod", overrides)) {
                    assert.doesNotMatch(line, libraryWording);
                }
            });
        }
    }
    for (const key of Object.keys(config.gateway as object)) {
        for (const [how, wrong] of wrongs) {
            it(`the stack file's gateway.${key}, ${how}`, () => {
                const gateway = structuredClone(config.gateway) as Record<string, unknown>;
                wrong(gateway, key);
                for (const line of problemsOf("prod", { gateway })) {
                    assert.doesNotMatch(line, libraryWording);
                }
            });
        }
    }
});
