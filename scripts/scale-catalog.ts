import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { el, policyDocument } from "../components/common/policies";
import { repoRoot } from "../engine/project";

/**
 * A project for measuring the plan at scale: a catalog of `count` OpenAPI APIs, each with a second
 * revision that has its own spec (one operation more), an API policy file with a policy
 * expression, and two operation policies; one Developer-tier stack, `scale`, that publishes them
 * all. Written into a fresh directory under the system's temporary folder, the same content for
 * the same count (so a second plan finds its checks cached, as a user's second plan would).
 */
export function scaleCatalogProject(count: number, dir = path.join(os.tmpdir(), `enterprise-integration-scale-${count}`)): string {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, "apis"), { recursive: true });
    fs.mkdirSync(path.join(dir, "workflows"));
    fs.copyFileSync(path.join(repoRoot, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.writeFileSync(
        path.join(dir, "apis", "products.yaml"),
        stringify({ internal: { displayName: "Internal", description: "Every API of the catalog." } }),
    );
    const backends: Record<string, { url: string }> = {};
    const item = { type: "object", properties: { id: { type: "string" }, quantity: { type: "integer" } } };
    const id = { name: "id", in: "path", required: true, schema: { type: "string" } };
    const operations = {
        "/items": {
            get: {
                operationId: "list-items",
                responses: {
                    "200": { description: "Items.", content: { "application/json": { schema: { type: "array", items: item } } } },
                },
            },
            post: {
                operationId: "add-item",
                requestBody: { content: { "application/json": { schema: item } } },
                responses: { "201": { description: "Added." } },
            },
        },
        "/items/{id}": {
            get: { operationId: "get-item", parameters: [id], responses: { "200": { description: "The item." } } },
            delete: { operationId: "delete-item", parameters: [id], responses: { "204": { description: "Deleted." } } },
        },
    };
    const policy = (header: string, value: string) =>
        `${policyDocument({
            inbound: [el("base"), el("set-header", { name: header, "exists-action": "override" }, el("value", {}, value))],
            backend: [el("base")],
            outbound: [el("base")],
            onError: [el("base")],
        })}\n`;
    for (let i = 1; i <= count; i++) {
        const name = `api-${String(i).padStart(3, "0")}`;
        backends[name] = { url: `https://${name}.contoso.com/api` };
        const spec = (version: string, extra: boolean) => ({
            openapi: "3.0.3",
            info: { title: name, version, description: `The ${name} backend.` },
            paths: extra
                ? {
                      ...operations,
                      "/items/{id}/history": {
                          get: { operationId: "item-history", parameters: [id], responses: { "200": { description: "Its history." } } },
                      },
                  }
                : operations,
        });
        const folder = path.join(dir, "apis", name);
        fs.mkdirSync(path.join(folder, "operations"), { recursive: true });
        fs.writeFileSync(path.join(folder, "openapi.yaml"), stringify(spec("1.0", false)));
        fs.writeFileSync(path.join(folder, "openapi-rev2.yaml"), stringify(spec("1.1", true)));
        fs.writeFileSync(path.join(folder, "policy.xml"), policy("X-Correlation-Id", "@(context.RequestId.ToString())"));
        fs.writeFileSync(path.join(folder, "operations", "get-item.xml"), policy("X-Cache-Hint", "item"));
        fs.writeFileSync(path.join(folder, "operations", "delete-item.xml"), policy("X-Audit", '@(context.User?.Email ?? "anonymous")'));
        fs.writeFileSync(
            path.join(folder, "api.yaml"),
            stringify({
                name,
                displayName: name,
                description: `The ${name} API.`,
                path: name,
                version: "v1",
                kind: "openapi",
                spec: "openapi.yaml",
                products: ["internal"],
                policy: {
                    rateLimit: { calls: 100, renewalPeriod: 60 },
                    access: [
                        { name: "read", methods: ["GET"], role: "Catalog.Read" },
                        { name: "write", methods: ["POST", "DELETE"], role: "Catalog.Write" },
                    ],
                },
                revisions: [
                    { revision: 2, description: "Adds item history.", notes: "New: GET /items/{id}/history.", spec: "openapi-rev2.yaml" },
                ],
            }),
        );
    }
    const config = {
        environment: "scale",
        location: "westeurope",
        owner: "platform-team@contoso.com",
        costCenter: "CC-0",
        gateway: { sku: "Developer", publisherName: "Contoso", publisherEmail: "api@contoso.com", backends },
        secrets: { expiresOn: "2099-12-31" },
    };
    // YAML 1.1 quotes the date, as a stack file must (unquoted, the CLI reads a timestamp).
    fs.writeFileSync(
        path.join(dir, "Pulumi.scale.yaml"),
        stringify(
            { config: Object.fromEntries(Object.entries(config).map(([key, value]) => [`enterprise-integration:${key}`, value])) },
            { schema: "yaml-1.1" },
        ),
    );
    return dir;
}

if (require.main === module) {
    process.stdout.write(`${scaleCatalogProject(Number(process.argv[2] ?? 200))}\n`);
}
