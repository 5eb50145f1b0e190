import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot } from "../../engine/project";

/**
 * The layers and what each may import (the README's layout): the program (`stacks/`) and what
 * `pulumi up` runs with it (`components/`, `content/`) never reach into the tools; a component
 * imports no other component (only `components/common`) and reads no file (it takes data); the
 * policy pack stands alone, as it is published. Read from the sources' import statements.
 */

const layers = ["stacks", "components", "content", "engine", "commands", "scripts", "generators", "policies", "tests"] as const;
type Layer = (typeof layers)[number];

/** Every TypeScript and JavaScript file of a layer, outside fixtures. */
function sources(layer: Layer): string[] {
    const walk = (dir: string): string[] =>
        fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                return entry.name === "node_modules" || entry.name === "fixtures" ? [] : walk(full);
            }
            return /\.(ts|js)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [full] : [];
        });
    return walk(path.join(repoRoot, layer));
}

/** The modules a file imports: relative ones as repository paths, packages by name. */
function importsOf(file: string): Array<{ spec: string; target: string }> {
    const text = fs.readFileSync(file, "utf8");
    const specs = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm)].map(
        (match) => match[1]!,
    );
    return specs.map((spec) => ({
        spec,
        target: spec.startsWith(".") ? path.relative(repoRoot, path.resolve(path.dirname(file), spec)) : spec,
    }));
}

function layerOf(target: string): string | undefined {
    const top = target.split(/[\\/]/)[0];
    return (layers as readonly string[]).includes(top ?? "") ? top : undefined;
}

/** Breaches of `allowed` in a layer's files: "file: imports spec". */
function breaches(layer: Layer, allowed: (target: string, file: string) => boolean): string[] {
    return sources(layer).flatMap((file) =>
        importsOf(file)
            .filter(({ target }) => !allowed(target, path.relative(repoRoot, file)))
            .map(({ spec }) => `${path.relative(repoRoot, file)}: imports ${spec}`),
    );
}

const deployed: readonly string[] = ["stacks", "components", "content"];

describe("the boundaries between the project's layers", () => {
    it("keeps the program and what pulumi up runs with it out of the tools", () => {
        for (const layer of ["stacks", "components", "content"] as const) {
            assert.deepEqual(
                breaches(layer, (target) => {
                    const to = layerOf(target);
                    return to === undefined || deployed.includes(to);
                }),
                [],
                layer,
            );
        }
    });

    it("lets a component import no other component (only components/common) and no part of the program", () => {
        assert.deepEqual(
            breaches("components", (target, file) => {
                const to = target.split(/[\\/]/);
                if (to[0] === "stacks") {
                    return false;
                }
                return to[0] !== "components" || to[1] === "common" || to[1] === file.split(/[\\/]/)[1];
            }),
            [],
        );
    });

    it("keeps the user's content below the components: it uses their shared rules (components/common), no component", () => {
        assert.deepEqual(
            breaches("content", (target) => {
                const to = target.split(/[\\/]/);
                return to[0] !== "stacks" && (to[0] !== "components" || to[1] === "common");
            }),
            [],
        );
    });

    it("lets no component read a file: components take data", () => {
        assert.deepEqual(
            breaches("components", (target) => !["fs", "node:fs", "fs/promises", "node:fs/promises"].includes(target)),
            [],
        );
    });

    it("keeps the policy pack standalone, as it is published: its own files and packages only", () => {
        assert.deepEqual(
            breaches("policies", (target) => layerOf(target) === undefined || target.startsWith("policies")),
            [],
        );
    });

    it("keeps the repository's tooling out of the user commands and the engine", () => {
        for (const layer of ["engine", "commands"] as const) {
            assert.deepEqual(
                breaches(layer, (target) => !["scripts", "generators", "tests"].includes(layerOf(target) ?? "")),
                [],
                layer,
            );
        }
    });

    it("finds the imports it checks (a breach would not go unseen)", () => {
        const catalog = sources("components").find((file) => file.endsWith(path.join("catalog", "args.ts")))!;
        assert.ok(
            importsOf(catalog).some(({ target }) => target.startsWith("content")),
            "components/catalog/args.ts imports content/",
        );
        assert.ok(breaches("engine", () => false).length > 10, "the engine's imports are read");
    });
});
