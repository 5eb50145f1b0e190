import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { planStack, runStack } from "../../engine";
import { listStacks, repoRoot } from "../../engine/project";
import { estimateCost, priceTable } from "../../commands/cost";
import { stackVolumes } from "../../commands/cost/volumes";
import { hourlyText, hourlyUsd, main } from "../../commands/replica";
import { protectionRule, replicaPolicyConfig } from "../../commands/replica/policy";
import { ReplicaSourceError, replicaEnvironment, replicaStackFile } from "../../commands/replica/replica";
import { captured, plan, tempProject } from "../helpers";
import { temporaryDirectory } from "../support/temporary";

/** Runs the replica command in-process, as `npm run replica -- <argv>` would. */
async function replica(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const { result, stdout, stderr } = await captured(() => main(argv, runStack, {}));
    return { code: result, stdout, stderr };
}

/** A temporary copy of the shipped project: Pulumi.yaml, the stack files, apis/, workflows/ and the policy configs. */
function shippedCopy(): string {
    const dir = temporaryDirectory("enterprise-integration-replica-");
    for (const file of fs.readdirSync(repoRoot).filter((name) => /^Pulumi(\..+)?\.yaml$/.test(name))) {
        fs.copyFileSync(path.join(repoRoot, file), path.join(dir, file));
    }
    for (const folder of ["apis", "workflows", path.join("policies", "config")]) {
        fs.cpSync(path.join(repoRoot, folder), path.join(dir, folder), { recursive: true });
    }
    return dir;
}

/** The config of a stack file, by bare key. */
function configOfFile(file: string): Record<string, any> {
    const doc = parseYaml(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> };
    return Object.fromEntries(Object.entries(doc.config).map(([key, value]) => [key.replace(/^enterprise-integration:/, ""), value]));
}

const ns = "enterprise-integration";

describe("a replica of a stack (npm run replica)", () => {
    describe("of the shipped prod, in a copy of the project", () => {
        let dir: string;
        let written: { code: number; stdout: string; stderr: string };
        const name = "prod-replica-123-1";

        before(async () => {
            dir = shippedCopy();
            written = await replica("prod", "--name", name, "--project-dir", dir);
        });

        it("writes Pulumi.<name>.yaml and exits 0", () => {
            assert.equal(written.code, 0, written.stderr);
            assert.ok(fs.existsSync(path.join(dir, `Pulumi.${name}.yaml`)));
            assert.match(written.stdout, new RegExp(`^Wrote Pulumi\\.${name}\\.yaml, a replica of prod;`));
        });

        it("keeps prod's tier, units, autoscale, regions and zones, and changes what ties it to prod", () => {
            const source = configOfFile(path.join(dir, "Pulumi.prod.yaml"));
            const copy = configOfFile(path.join(dir, `Pulumi.${name}.yaml`));
            assert.equal(copy.location, source.location);
            for (const key of ["sku", "capacity", "zones", "additionalLocations", "autoscale"]) {
                assert.deepEqual(copy.gateway[key], source.gateway[key], `gateway.${key}`);
            }
            assert.equal(copy.production, source.production);
            assert.equal(copy.protect, false);
            assert.equal(copy.environment, replicaEnvironment(source.environment));
            assert.notEqual(copy.environment, source.environment);
            for (const gone of ["dns", "dr"]) {
                assert.equal(copy[gone], undefined, gone);
            }
            assert.equal(copy.monitoring?.alertEmails, undefined);
            const text = fs.readFileSync(path.join(dir, `Pulumi.${name}.yaml`), "utf8");
            for (const key of ["secretsprovider", "encryptedkey", "encryptionsalt", "secure:"]) {
                assert.doesNotMatch(text, new RegExp(`^\\s*${key}`, "m"), key);
            }
        });

        it("passes npm run plan -- <replica>, the policy pack with its policy config included", async () => {
            const planned = await plan(name, "--project-dir", dir);
            assert.equal(planned.code, 0, `${planned.stderr}\n${planned.stdout.slice(-3000)}`);
            assert.match(planned.stdout, /Policies \([^)]*\): all pass/);
            const policy = JSON.parse(fs.readFileSync(path.join(dir, "policies", "config", `${name}.json`), "utf8")) as Record<
                string,
                Record<string, unknown>
            >;
            assert.equal(policy[protectionRule].enforcementLevel, "disabled");
        });

        it("prints its cost per hour: the cost estimate of the replica's stack file over 730 hours", async () => {
            const result = await planStack({ stack: name, projectDir: dir });
            const estimate = estimateCost(result, stackVolumes({ stack: name, projectDir: dir }));
            assert.equal(priceTable.hoursPerMonth, 730);
            const lines = written.stdout.trimEnd().split("\n");
            assert.equal(lines[lines.length - 1], hourlyText(estimate));
            assert.match(lines[lines.length - 1], new RegExp(`^Cost per hour of ${name}: \\d`));
            assert.ok(estimate.total.monthlyUsd > 0);
        });
    });

    describe("the stack file, from its text", () => {
        const source = [
            "secretsprovider: azurekeyvault://kv-pulumi.vault.azure.net/keys/pulumi",
            "encryptedkey: abc",
            "# prod: production.",
            "config:",
            `  ${ns}:environment: prod`,
            `  ${ns}:protect: true`,
            `  ${ns}:production: true`,
            `  ${ns}:gateway:`,
            "    sku: Premium # the tier",
            "    capacity: 2",
            '    zones: ["1", "2"]',
            "    serviceExists: true",
            "    serviceName: apim-contoso-legacy",
            "    resourceGroup: rg-apim-legacy",
            "    backends:",
            "      inventory:",
            "        url: https://inventory.contoso.com/api",
            `  ${ns}:backendApiKeys:`,
            "    inventory:",
            "      secure: v1:AAAA",
            `  ${ns}:connectionSecrets:`,
            "    sql:",
            "      password:",
            "        secure: v1:BBBB",
            "      user: app",
            `  ${ns}:identity:`,
            "    identifierUri: api://contoso-orders",
            "    clientFederation:",
            "      issuer: https://token.actions.githubusercontent.com",
            "      subject: repo:contoso/orders:environment:prod",
            `  ${ns}:monitoring:`,
            "    alertEmails: [oncall@contoso.com]",
            `  ${ns}:dns:`,
            "    zoneName: contoso.com",
            `  ${ns}:dr:`,
            "    role: active",
            "    stack: prod-dr",
            "    location: northeurope",
            "",
        ].join("\n");
        const made = replicaStackFile(source, { source: "prod", name: "prod-replica", project: ns });
        const config = (parseYaml(made.text) as { config: Record<string, any> }).config;

        it("drops the secrets-provider settings and every secure: value, naming the pulumi config cp that brings each over", () => {
            assert.equal((parseYaml(made.text) as Record<string, unknown>).secretsprovider, undefined);
            assert.equal((parseYaml(made.text) as Record<string, unknown>).encryptedkey, undefined);
            assert.equal(config[`${ns}:backendApiKeys`], undefined, "a map left empty goes");
            assert.deepEqual(config[`${ns}:connectionSecrets`], { sql: { user: "app" } });
            const secrets = made.changes.filter((change) => change.what.includes("pulumi config cp"));
            assert.deepEqual(
                secrets.map((change) => change.key),
                ["backendApiKeys.inventory", "connectionSecrets.sql.password"],
            );
            assert.match(
                secrets[0].what,
                /`pulumi config cp 'enterprise-integration:backendApiKeys\.inventory' --path --stack prod --dest prod-replica`/,
            );
        });

        it("removes dns, dr, serviceExists, an adopted service's name and group, the identifier URI, the federated credential and the alert e-mails; unprotects it", () => {
            for (const key of ["dns", "dr"]) {
                assert.equal(config[`${ns}:${key}`], undefined, key);
            }
            assert.equal(config[`${ns}:gateway`].serviceExists, undefined);
            // Never the source's (adopted) service or its group.
            assert.equal(config[`${ns}:gateway`].serviceName, undefined);
            assert.equal(config[`${ns}:gateway`].resourceGroup, undefined);
            assert.equal(config[`${ns}:identity`], undefined);
            assert.equal(config[`${ns}:monitoring`], undefined);
            assert.equal(config[`${ns}:protect`], false);
            assert.equal(config[`${ns}:environment`], "prod-replica");
            assert.equal(made.production, true);
            assert.deepEqual(
                made.changes.map((change) => change.key),
                [
                    "secretsprovider",
                    "encryptedkey",
                    "backendApiKeys.inventory",
                    "connectionSecrets.sql.password",
                    "environment",
                    "protect",
                    "dns",
                    "dr",
                    "gateway.serviceExists",
                    "gateway.serviceName",
                    "gateway.resourceGroup",
                    "identity.identifierUri",
                    "identity.clientFederation",
                    "monitoring.alertEmails",
                ],
            );
            assert.match(made.notes.join("\n"), /gateway\.backends \(inventory\) are prod's/);
        });

        it("keeps the comments of what stays, under a header that says what the file is", () => {
            assert.match(made.text, /^# A replica of prod, written by npm run replica -- prod --name prod-replica/);
            assert.match(made.text, /# prod: production\./);
            assert.match(made.text, /sku: Premium # the tier/);
            assert.match(made.text, /zones: \["1", "2"\]/);
        });

        it("labels the environment <source>-replica, or replica when that is longer than 16 characters", () => {
            assert.equal(replicaEnvironment("prod"), "prod-replica");
            assert.equal(replicaEnvironment("production-eu"), "replica");
            assert.equal(replicaEnvironment(undefined), "replica");
        });
    });

    describe("its policy config", () => {
        it("is the source's with the protection rule disabled, production kept, and serviceExists gone", () => {
            const made = replicaPolicyConfig(
                { "apim-production-zones": { production: true }, "some-rule": { serviceExists: true }, all: "advisory" },
                { production: true },
            );
            assert.deepEqual(made?.config, {
                "apim-production-zones": { production: true },
                all: "advisory",
                [protectionRule]: { enforcementLevel: "disabled", production: true },
            });
        });

        it("is none for a stack that is not production and has none", () => {
            assert.equal(replicaPolicyConfig(undefined, { production: false }), undefined);
        });
    });

    it("gives the hourly figure as the monthly one over the price table's 730 hours", () => {
        assert.deepEqual(hourlyUsd({ total: { monthlyUsd: 7300, maxMonthlyUsd: 14600 } }), { hourlyUsd: 10, maxHourlyUsd: 20 });
        assert.equal(
            hourlyText({ stack: "r", total: { monthlyUsd: 730, maxMonthlyUsd: 730 } }),
            "Cost per hour of r: 1.00 USD (the monthly estimate, 730.00 USD, over 730 hours; list prices, not verified against the live price list)",
        );
    });

    describe("refuses", () => {
        const dir = tempProject({
            "site-a": "config:\n  enterprise-integration:environment: a\n",
            "site-b": "config:\n  enterprise-integration:dr:\n    role: passive\n    stack: site-a\n    location: westeurope\n",
        });
        fs.mkdirSync(path.join(dir, "policies", "config"), { recursive: true });
        fs.writeFileSync(path.join(dir, "policies", "config", "other.json"), "{}\n");
        const stacks = () => listStacks(dir).join(", ");

        it("an unknown stack, naming the stacks there are", async () => {
            const { code, stdout, stderr } = await replica("nope", "--project-dir", dir);
            assert.equal(code, 2);
            assert.equal(stdout, "");
            assert.equal(stderr, `Stack "nope" has no stack file Pulumi.nope.yaml (allowed: ${stacks()})\n`);
        });

        it("a --name that a stack has already", async () => {
            const { code, stderr } = await replica("site-a", "--name", "site-b", "--project-dir", dir);
            assert.equal(code, 2);
            assert.equal(
                stderr,
                `--name: stack "site-b" has a stack file already, Pulumi.site-b.yaml; a replica never overwrites a stack (allowed: a name no stack has; stacks here: ${stacks()})\n`,
            );
        });

        it("a --name whose policy config exists already", async () => {
            const { code, stderr } = await replica("site-a", "--name", "other", "--project-dir", dir);
            assert.equal(code, 2);
            assert.equal(
                stderr,
                `--name: ${path.join("policies", "config", "other.json")} exists already, the policy config of another stack "other" (allowed: a name no policy config has, or remove that file)\n`,
            );
        });

        it("a --name that is not a stack name", async () => {
            const before = fs.readdirSync(dir).sort();
            for (const bad of ["prod replica", "org/prod-replica", "x".repeat(101), ""]) {
                const { code, stderr } = await replica("site-a", "--name", bad, "--project-dir", dir);
                assert.equal(code, 2, bad);
                assert.equal(
                    stderr,
                    `--name: ${JSON.stringify(bad)} is not a stack name (allowed: 1-100 letters, digits, hyphens, underscores and periods)\n`,
                );
            }
            assert.deepEqual(fs.readdirSync(dir).sort(), before, "nothing written");
        });

        it("a passive DR site, which reads its active site", async () => {
            const { code, stderr } = await replica("site-b", "--project-dir", dir);
            assert.equal(code, 1);
            assert.equal(
                stderr,
                'Stack "site-b" is a passive DR site (dr.role: passive in Pulumi.site-b.yaml): it reads the outputs of site-a and restores its backups, which a replica must not (allowed: an active stack, such as site-a)\n',
            );
            assert.ok(!fs.existsSync(path.join(dir, "Pulumi.site-b-replica.yaml")), "nothing written");
            assert.throws(
                () =>
                    replicaStackFile(fs.readFileSync(path.join(dir, "Pulumi.site-b.yaml"), "utf8"), {
                        source: "site-b",
                        name: "x",
                        project: ns,
                    }),
                ReplicaSourceError,
            );
        });

        it("an unknown option, with the usage and exit 2; --help prints the usage", async () => {
            const unknown = await replica("site-a", "--nmae", "x");
            assert.equal(unknown.code, 2);
            assert.match(unknown.stderr, /^Unknown option --nmae; did you mean --name\?\n\nUsage: npm run replica -- <stack>/);
            const help = await replica("--help");
            assert.equal(help.code, 0);
            assert.match(help.stdout, /^Usage: npm run replica -- <stack> \[--name <new-stack>\] \[--project-dir <dir>\]/);
        });
    });
});
