import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml, parseDocument, stringify } from "yaml";
import { loadCatalog, loadConnections, loadWorkflowDefinitions } from "../../content";
import { catalogWorkflowProblems } from "../../content/catalog";
import { availableWorkflows } from "../../content/load-workflows";
import { repoRoot } from "../../engine/project";
import { contentDirs } from "../../stacks/program";
import { readStackConfig } from "../../engine/stack-config";
import { readPolicyConfig } from "../../commands/plan/policies";
import { checkConnectionConfig } from "../../stacks/connections";
import { checkCatalogConfig } from "../../stacks/gateway";
import { fixtureSource } from "../helpers";
import { temporaryDirectory } from "../support/temporary";

/**
 * A copy of the fixture project to make one mistake in, and the stage that refuses it: the stack
 * file's config (the CLI's rules, then the program's), the catalog, the workflow definitions and
 * connections, what the config and the content must agree on, the policy config. Every stage runs
 * before the program registers anything, so none needs a whole-program run.
 */
export class Project {
    readonly dir = temporaryDirectory("mutation-");

    constructor() {
        fs.cpSync(fixtureSource, this.dir, { recursive: true });
        fs.copyFileSync(path.join(repoRoot, "Pulumi.yaml"), path.join(this.dir, "Pulumi.yaml"));
    }

    path(file: string): string {
        return path.join(this.dir, file);
    }

    read(file: string): string {
        return fs.readFileSync(this.path(file), "utf8");
    }

    write(file: string, text: string): void {
        fs.mkdirSync(path.dirname(this.path(file)), { recursive: true });
        fs.writeFileSync(this.path(file), text);
    }

    remove(file: string): void {
        fs.rmSync(this.path(file), { recursive: true });
    }

    /** Replaces `from` (which must be there) with `to` in a file's text. */
    replace(file: string, from: string | RegExp, to: string): void {
        const text = this.read(file);
        if (typeof from === "string" ? !text.includes(from) : !from.test(text)) {
            throw new Error(`${file} has no ${String(from)}`);
        }
        this.write(file, text.replace(from, to));
    }

    /** Changes a YAML file's document. */
    yaml(file: string, change: (doc: any) => void): void {
        const doc = parseYaml(this.read(file));
        change(doc);
        this.write(file, stringify(doc));
    }

    /** Changes a JSON file's document. */
    json(file: string, change: (doc: any) => void): void {
        const doc = JSON.parse(this.read(file));
        change(doc);
        this.write(file, JSON.stringify(doc, null, 4));
    }

    /**
     * Sets (or with undefined, removes) a key of a stack file's config, a bare key or a dotted path
     * into one, leaving the rest of the file as it is written (quotes and comments kept).
     */
    config(stack: string, key: string, value: unknown): void {
        const file = `Pulumi.${stack}.yaml`;
        const doc = parseDocument(this.read(file));
        const [head, ...rest] = key.split(".");
        const at = ["config", head!.includes(":") ? head! : `enterprise-integration:${head}`, ...rest];
        if (value === undefined) {
            doc.deleteIn(at);
        } else {
            doc.setIn(at, doc.createNode(value));
        }
        this.write(file, doc.toString());
    }

    /** Every problem the stages before the program find for `stack`, in order; [] when none does. */
    async problems(stack = "dev"): Promise<string[]> {
        const dirs = contentDirs(this.dir);
        try {
            const config = readStackConfig({ stack, projectDir: this.dir });
            const catalog = await loadCatalog(dirs.catalog);
            const misnamed = catalogWorkflowProblems(catalog, availableWorkflows(dirs.workflows));
            if (misnamed.length > 0) {
                return misnamed;
            }
            const definitions = loadWorkflowDefinitions(dirs.workflows, Object.keys(config.workflows));
            const connections = loadConnections(dirs.workflows);
            checkCatalogConfig(config, catalog);
            checkConnectionConfig(config, connections, definitions);
            readPolicyConfig(this.dir, stack, { production: config.production, serviceExists: false });
            return [];
        } catch (error) {
            const problems = (error as { problems?: readonly string[] }).problems;
            // The copy's folder, which differs on every run, as <project>.
            return (problems ? [...problems] : (error as Error).message.split("\n")).map((line) => line.split(this.dir).join("<project>"));
        }
    }
}
