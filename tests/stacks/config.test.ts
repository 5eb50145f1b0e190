import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { ConfigError, configKeys, parseStackConfig } from "../../stacks/config";
import { repoRoot } from "../../engine/project";
import { configOf, gatewayWith, problemsOf, stackFileValues } from "../helpers";

describe("stack configuration", () => {
    describe("the stack files", () => {
        it("dev and test run the Developer tier with one unit in one region", () => {
            for (const stack of ["dev", "test"]) {
                const config = configOf(stack);
                assert.equal(config.gateway.sku, "Developer");
                assert.equal(config.gateway.capacity, 1);
                assert.deepEqual(config.gateway.zones, []);
                assert.deepEqual(config.gateway.additionalLocations, []);
                assert.equal(config.gateway.autoscale, undefined);
                assert.equal(config.production, false);
                assert.equal(config.protect, false);
            }
        });

        it("prod runs Premium over two zones in two regions with autoscale, protected", () => {
            const config = configOf("prod");
            assert.equal(config.gateway.sku, "Premium");
            assert.deepEqual(config.gateway.zones, ["1", "2"]);
            assert.deepEqual(
                config.gateway.additionalLocations.map((extra) => extra.location),
                ["swedencentral"],
            );
            assert.notEqual(config.gateway.additionalLocations[0].location, config.location);
            assert.deepEqual(config.gateway.autoscale, { minCapacity: 2, maxCapacity: 6 });
            assert.equal(config.production, true);
            assert.equal(config.protect, true);
            assert.deepEqual(
                { role: config.dr.role, location: config.dr.location, stack: config.dr.stack },
                { role: "active", location: "northeurope", stack: "prod-dr" },
            );
            assert.ok(config.dns.ttl <= 300);
        });

        it("prod-dr is the passive site of prod in another region, on prod's tier", () => {
            const dr = configOf("prod-dr");
            const prod = configOf("prod");
            assert.deepEqual(dr.dr, { role: "passive", location: prod.location, stack: "prod" });
            assert.equal(dr.location, prod.dr.location);
            assert.notEqual(dr.location, prod.location);
            assert.equal(dr.gateway.sku, prod.gateway.sku);
            assert.equal(dr.protect, true);
        });

        it("switching prod to Standard is a config change", () => {
            const config = configOf("prod", {
                gateway: gatewayWith("prod", {
                    sku: "Standard",
                    capacity: 2,
                    zones: undefined,
                    additionalLocations: undefined,
                    autoscale: { minCapacity: 2, maxCapacity: 4 },
                }),
            });
            assert.equal(config.gateway.sku, "Standard");
            assert.equal(config.gateway.capacity, 2);
        });

        it("no stack file holds a secret in plain text", () => {
            // Walks the config values (not the file's top level, where `pulumi stack init` may
            // add `secretsprovider` and `encryptedkey`): a secret-sounding key needs `secure:`.
            const secretish = /password|secret|apikey|api-key|connectionstring|sig$|token|key$/i;
            const plainSecrets = (value: unknown, where: string): string[] => {
                if (value === null || typeof value !== "object") {
                    return [];
                }
                if ("secure" in value) {
                    return [];
                }
                return Object.entries(value).flatMap(([key, inner]) => [
                    ...(secretish.test(key) && (inner === null || typeof inner !== "object") ? [`${where}.${key}`] : []),
                    ...plainSecrets(inner, `${where}.${key}`),
                ]);
            };
            const files = fs.readdirSync(repoRoot).filter((name) => /^Pulumi\..+\.yaml$/.test(name));
            assert.ok(files.length > 0);
            for (const file of files) {
                const doc = parseYaml(fs.readFileSync(path.join(repoRoot, file), "utf8")) as { config: Record<string, unknown> };
                assert.deepEqual(plainSecrets(doc.config, file), [], file);
            }
            assert.deepEqual(plainSecrets({ "enterprise-integration:backend": { apiKey: "abc" } }, "example"), [
                "example.enterprise-integration:backend.apiKey",
            ]);
        });
    });

    describe("Pulumi.yaml", () => {
        const project = parseYaml(fs.readFileSync(path.join(repoRoot, "Pulumi.yaml"), "utf8")) as {
            name: string;
            runtime: { name: string; options?: Record<string, unknown> };
            main?: string;
            config: Record<string, { type?: string; description?: string; default?: unknown }>;
        };

        it("names the project and the nodejs runtime, and starts the program in the project directory, beside tsconfig.json", () => {
            assert.equal(project.name, "enterprise-integration");
            assert.equal(project.runtime.name, "nodejs");
            // No `main`: the CLI starts the program in the project directory (getPwdMain), where
            // run.js finds tsconfig.json, and takes the entry from package.json's main (the Pulumi
            // docs' "Program entrypoint"). A `main` naming a file under stacks/ would start it in
            // stacks/, without the tsconfig.
            assert.equal(project.main, undefined);
            const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { main: string };
            assert.match(manifest.main, /^stacks\//);
            assert.ok(fs.existsSync(path.join(repoRoot, manifest.main)));
            assert.ok(fs.existsSync(path.join(repoRoot, "tsconfig.json")));
        });

        it("declares exactly the keys the program reads, each with a description", () => {
            assert.deepEqual(Object.keys(project.config).sort(), [...configKeys].sort());
            for (const [key, declaration] of Object.entries(project.config)) {
                assert.ok(declaration.description && declaration.description.length > 20, `${key} has a description`);
            }
        });

        it("types the scalar keys and gives the optional ones their defaults", () => {
            assert.equal(project.config.location.type, "string");
            assert.equal(project.config.production.type, "boolean");
            assert.equal(project.config.production.default, false);
            assert.equal(project.config.workload.default, "integration");
            assert.deepEqual(project.config.dr.default, {});
            assert.equal(project.config.gateway.default, undefined, "gateway is required");
            assert.equal(project.config.owner.default, undefined, "owner is required");
        });
    });

    describe("rejects bad configuration with one message per problem", () => {
        it("a tag that is one of the project's to Azure, whatever its case, and two tags Azure takes for one", () => {
            assert.deepEqual(problemsOf("dev", { tags: { Environment: "staging", team: "a", Team: "b", environment: "x" } }), [
                'tags.Environment: "Environment" is the project\'s tag environment to Azure, which compares tag names without regard to case (allowed: a tag name other than environment, workload, owner, costCenter, stack, managedBy, in any case)',
                'tags.environment: "environment" is set by the project (allowed: a tag name other than environment, workload, owner, costCenter, stack, managedBy)',
                'tags.team: "team" is the same tag as "Team" to Azure, which compares tag names without regard to case (allowed: one of them)',
            ]);
            assert.deepEqual(problemsOf("dev", { tags: { Team: "integration", CostCentre: "cc-1" } }), []);
        });

        it("an API Management tier other than Developer, Basic, Standard or Premium", () => {
            assert.deepEqual(problemsOf("dev", { gateway: gatewayWith("dev", { sku: "Consumption" }) }), [
                'gateway.sku: "Consumption" is not an API Management tier (allowed: Developer, Basic, Standard, Premium)',
            ]);
        });

        it("an adopted service's name or resource group Azure would refuse", () => {
            assert.deepEqual(problemsOf("dev", { gateway: gatewayWith("dev", { serviceName: "1-apim", resourceGroup: "rg." }) }), [
                'gateway.serviceName: "1-apim" is not valid (allowed: the name of an existing API Management service to adopt: 1-50 letters, digits and hyphens, starting with a letter)',
                'gateway.resourceGroup: "rg." is not valid (allowed: the resource group of an existing API Management service to adopt: 1-90 letters, digits, -_.(), not ending in .)',
            ]);
        });

        for (const [sku, capacity, allowed] of [
            ["Developer", 2, "1"],
            ["Basic", 3, "1-2"],
            ["Standard", 5, "1-4"],
            ["Premium", 13, "1-12"],
            ["Premium", 0, "1-12"],
        ] as const) {
            it(`a capacity of ${capacity} on the ${sku} tier`, () => {
                assert.deepEqual(problemsOf("dev", { gateway: gatewayWith("dev", { sku, capacity }) }), [
                    `gateway.capacity: ${capacity} units is outside the ${sku} tier's range (allowed: ${allowed})`,
                ]);
            });
        }

        it("a capacity per additional region outside Premium's range", () => {
            const gateway = gatewayWith("prod", { additionalLocations: [{ location: "swedencentral", capacity: 14 }] });
            assert.deepEqual(problemsOf("prod", { gateway }), [
                "gateway.additionalLocations[0].capacity: 14 units is outside the Premium tier's range (allowed: 1-12)",
            ]);
        });

        it("zones on a tier other than Premium", () => {
            assert.deepEqual(problemsOf("dev", { gateway: gatewayWith("dev", { sku: "Standard", zones: ["1", "2"], capacity: 2 }) }), [
                "gateway.zones: availability zones need the Premium tier, not Standard (allowed: set sku: Premium or remove zones)",
            ]);
        });

        it("additional locations on a tier other than Premium", () => {
            assert.deepEqual(
                problemsOf("dev", { gateway: gatewayWith("dev", { sku: "Basic", additionalLocations: [{ location: "northeurope" }] }) }),
                [
                    "gateway.additionalLocations: additional regions need the Premium tier, not Basic (allowed: set sku: Premium or remove additionalLocations)",
                ],
            );
        });

        it("an additional location equal to the primary", () => {
            const gateway = gatewayWith("prod", { additionalLocations: [{ location: "westeurope", capacity: 2, zones: ["1", "2"] }] });
            assert.deepEqual(problemsOf("prod", { gateway }), [
                'gateway.additionalLocations[0].location: "westeurope" is the primary location (allowed: a region other than westeurope)',
            ]);
        });

        it("a DR region equal to the primary", () => {
            assert.deepEqual(problemsOf("prod", { dr: { ...stackFileValues("prod").dr, location: "westeurope" } }), [
                'dr.location: "westeurope" is the primary location; the other site must survive its outage (allowed: a region other than westeurope, such as its pair northeurope)',
            ]);
        });

        it("an unknown Azure region, with the nearest names when there are any", () => {
            assert.deepEqual(problemsOf("dev", { location: "westeurop" }), [
                'location: "westeurop" is not an Azure region (allowed: an Azure region name such as westeurope; `az account list-locations -o table` lists them; did you mean westeurope?)',
            ]);
            assert.deepEqual(problemsOf("dev", { location: "West Europe (Amsterdam)" }), [
                'location: "West Europe (Amsterdam)" is not an Azure region (allowed: an Azure region name such as westeurope; `az account list-locations -o table` lists them)',
            ]);
        });

        it("an invalid publisher e-mail", () => {
            assert.deepEqual(problemsOf("dev", { gateway: gatewayWith("dev", { publisherEmail: "api-team(at)fabrikam.com" }) }), [
                'gateway.publisherEmail: "api-team(at)fabrikam.com" is not an e-mail address (allowed: an address such as api-team@contoso.com)',
            ]);
        });

        it("an invalid DNS zone", () => {
            for (const zoneName of ["fabrikam", "Fabrikam.com", "fabrikam..com", "-fabrikam.com"]) {
                assert.deepEqual(problemsOf("prod", { dns: { zoneName, ttl: 60 } }), [
                    `dns.zoneName: ${JSON.stringify(zoneName)} is not a DNS zone name (allowed: a DNS zone such as contoso.com: two or more lower-case labels of letters, digits and hyphens)`,
                ]);
            }
        });

        it("an invalid host name", () => {
            assert.deepEqual(
                problemsOf("prod", { dns: { ...stackFileValues("prod").dns, hosts: { gateway: "api.v2", portal: "developer-" } } }),
                [
                    'dns.hosts.gateway: "api.v2" is not a DNS label (allowed: 1-63 lower-case letters, digits and hyphens, not starting or ending with a hyphen, such as api or api-dev)',
                    'dns.hosts.portal: "developer-" is not a DNS label (allowed: 1-63 lower-case letters, digits and hyphens, not starting or ending with a hyphen, such as api or api-dev)',
                ],
            );
        });

        it("autoscale with a minimum above its maximum", () => {
            assert.deepEqual(problemsOf("prod", { gateway: gatewayWith("prod", { autoscale: { minCapacity: 6, maxCapacity: 4 } }) }), [
                "gateway.autoscale.minCapacity: 6 is more than maxCapacity 4 (allowed: minCapacity <= maxCapacity)",
            ]);
        });

        it("autoscale on the Developer tier", () => {
            assert.deepEqual(problemsOf("dev", { gateway: gatewayWith("dev", { autoscale: { minCapacity: 1, maxCapacity: 1 } }) }), [
                "gateway.autoscale: the Developer tier cannot scale (allowed: remove autoscale, or use Basic, Standard or Premium)",
            ]);
        });

        it("a missing required key", () => {
            // (The Pulumi CLI refuses a stack file without a required top-level key before the program
            // runs; the program refuses it too, for callers that start it without the CLI.)
            assert.throws(
                () => parseStackConfig("dev", { ...stackFileValues("dev"), owner: undefined }),
                (error: ConfigError) => {
                    assert.deepEqual(error.problems, [
                        "owner: missing (allowed: the team or person accountable, e.g. platform-team@contoso.com)",
                    ]);
                    return true;
                },
            );
            assert.deepEqual(problemsOf("dev", { gateway: gatewayWith("dev", { publisherName: undefined }) }), [
                "gateway.publisherName: missing (allowed: the organisation name shown in the developer portal, 1-100 characters)",
            ]);
        });

        it("a key the project does not know, naming the keys it does", () => {
            assert.deepEqual(problemsOf("dev", { gateway: gatewayWith("dev", { zone: ["1"] }) }), [
                "gateway.zone: unknown key (allowed: sku, capacity, zones, additionalLocations, publisherName, publisherEmail, autoscale, corsOrigins, backends, samplingPercentage, serviceExists, serviceName, resourceGroup, portalSignUp)",
            ]);
        });

        it("zones that cannot share the units evenly", () => {
            assert.deepEqual(problemsOf("prod", { gateway: gatewayWith("prod", { capacity: 3, autoscale: undefined }) }), [
                "gateway.capacity: 3 units cannot be spread evenly over 2 zones (allowed: a multiple of 2)",
            ]);
        });

        it("a DNS TTL over 300 s on a production stack", () => {
            assert.deepEqual(problemsOf("prod", { dns: { ...stackFileValues("prod").dns, ttl: 3600 } }), [
                "dr.maxRtoMinutes: 15, but a failover takes 65 minutes: 60 of DNS TTL + 5 to switch dns.activeSite (allowed: a shorter dns.ttl, or a larger dr.maxRtoMinutes)",
                "dns.ttl: 3600 seconds is too long for a production stack; a failover would take that long to be seen (allowed: 1-300)",
            ]);
            assert.deepEqual(problemsOf("dev", { dns: { ...stackFileValues("dev").dns, ttl: 3600 } }), []);
        });

        describe("the backup and restore schedule and its objectives", () => {
            const prodDr = (patch: Record<string, unknown>) => ({ dr: { ...stackFileValues("prod").dr, ...patch } });
            for (const [what, patch, message] of [
                [
                    "a retention under one day",
                    { backupRetentionDays: 0 },
                    "dr.backupRetentionDays: 0 keeps no backup for a day (allowed: 1-30 days)",
                ],
                [
                    "a retention longer than backups live",
                    { backupRetentionDays: 45 },
                    "dr.backupRetentionDays: 45 is longer than backups live (they expire after 30 days) (allowed: 1-30 days)",
                ],
                [
                    "a backup interval over 24 hours in production",
                    { backupInterval: "36h", maxRpoMinutes: 5000 },
                    "dr.backupInterval: 36h leaves a production stack more than a day between backups (allowed: 24h or less)",
                ],
                [
                    "a backup interval that is no interval",
                    { backupInterval: "hourly" },
                    'dr.backupInterval: "hourly" is not an interval (allowed: minutes or hours such as 30m or 1h, at least 15m)',
                ],
                [
                    "a restore interval shorter than a restore takes",
                    { restoreInterval: "30m" },
                    'dr.restoreInterval: "30m" leaves no room for a restore, which can take 30 minutes or more and must end before the next (allowed: minutes or hours such as 30m or 1h, at least 1h)',
                ],
                [
                    "a recovery point objective over the limit",
                    { backupInterval: "2h", restoreInterval: "24h", maxRpoMinutes: 300 },
                    "dr.maxRpoMinutes: 300, but what only backups carry (users, subscriptions) can be 1560 minutes old on the passive site: a backup every 120 minutes and a restore every 1440 (allowed: dr.backupInterval and dr.restoreInterval that add up to at most 300 minutes, or a larger dr.maxRpoMinutes)",
                ],
                [
                    "a recovery time objective under the DNS TTL",
                    { maxRtoMinutes: 5 },
                    "dr.maxRtoMinutes: 5, but a failover takes 6 minutes: 1 of DNS TTL + 5 to switch dns.activeSite (allowed: a shorter dns.ttl, or a larger dr.maxRtoMinutes)",
                ],
            ] as const) {
                it(what, () => {
                    assert.deepEqual(problemsOf("prod", prodDr(patch)), [message]);
                });
            }

            it("the schedule on a stack without a DR site, or on the passive site", () => {
                assert.deepEqual(problemsOf("dev", { dr: { backupInterval: "1h" } }), [
                    "dr.backupInterval: set, but this stack has no DR site to back up for (allowed: remove it, or set dr.stack and dr.location)",
                ]);
                assert.deepEqual(problemsOf("prod-dr", { dr: { ...stackFileValues("prod-dr").dr, restoreInterval: "4h" } }), [
                    "dr.restoreInterval: set on a passive site; the active site's stack file holds the backup and restore schedule (allowed: move it to the active stack)",
                ]);
            });

            it("an objective stated nowhere: the defaults (hourly backups, a daily restore) exceed the default limit of 60 minutes", () => {
                const { backupInterval, restoreInterval, maxRpoMinutes, ...rest } = stackFileValues("prod").dr;
                void [backupInterval, restoreInterval, maxRpoMinutes];
                assert.deepEqual(problemsOf("prod", { dr: rest }), [
                    "dr.maxRpoMinutes: 60 (the default), but what only backups carry (users, subscriptions) can be 1500 minutes old on the passive site: a backup every 60 minutes and a restore every 1440 (allowed: a dr.maxRpoMinutes of 75 or more: the shortest schedule, a backup every 15 minutes and a restore every 60, adds up to 75)",
                ]);
            });
        });

        it("a passive site without the active site's region and stack", () => {
            assert.deepEqual(problemsOf("prod-dr", { dr: { role: "passive" } }), [
                "dr.location: missing on a passive site (allowed: the region of the active site)",
                "dr.stack: missing on a passive site (allowed: the name of the active stack, e.g. prod)",
            ]);
        });

        it("a secrets expiry that is not in the future", () => {
            assert.deepEqual(problemsOf("dev", { secrets: { ...stackFileValues("dev").secrets, expiresOn: "2020-01-31" } }), [
                'secrets.expiresOn: "2020-01-31" is not in the future; every secret the stack stores and its Entra ID client secrets would be created expired (allowed: a later date, YYYY-MM-DD, quoted; rotate before it)',
            ]);
        });

        it("text that is not a number where the structured keys take numbers; quoted numbers are read as numbers", () => {
            // The CLI never looks inside the structured keys; like its own integer type, the program
            // takes a quoted whole number as the number.
            const quoted = configOf("dev", {
                gateway: gatewayWith("dev", { capacity: "1", samplingPercentage: "25" }),
                monitoring: { retentionDays: "60" },
            });
            assert.equal(quoted.gateway.capacity, 1);
            assert.equal(quoted.gateway.samplingPercentage, 25);
            assert.equal(quoted.monitoring.retentionDays, 60);
            assert.deepEqual(problemsOf("dev", { gateway: gatewayWith("dev", { capacity: "one", samplingPercentage: "most" }) }), [
                'gateway.capacity: "one" is not a whole number (allowed: 1-12 units, as the tier allows)',
                'gateway.samplingPercentage: "most" is not a number (allowed: 0-100)',
            ]);
        });

        it("every problem at once, in one error", () => {
            const problems = problemsOf("dev", {
                location: "mars",
                owner: " ",
                gateway: gatewayWith("dev", { sku: "Standard", capacity: 9, zones: ["1"], publisherEmail: "nobody" }),
            });
            assert.deepEqual(problems, [
                'location: "mars" is not an Azure region (allowed: an Azure region name such as westeurope; `az account list-locations -o table` lists them)',
                'owner: " " is not valid (allowed: the team or person accountable, e.g. platform-team@contoso.com)',
                'gateway.publisherEmail: "nobody" is not an e-mail address (allowed: an address such as api-team@contoso.com)',
                "gateway.capacity: 9 units is outside the Standard tier's range (allowed: 1-4)",
                "gateway.zones: availability zones need the Premium tier, not Standard (allowed: set sku: Premium or remove zones)",
            ]);
        });

        it("is a Pulumi RunError, which Pulumi prints without a stack trace", () => {
            assert.throws(
                () => parseStackConfig("dev", {}),
                (error: unknown) => {
                    assert.ok(error instanceof ConfigError);
                    assert.ok(pulumi.RunError.isInstance(error));
                    assert.match(error.message, /^Invalid configuration for stack "dev" \(6 problems\):\n {2}- environment: missing/);
                    assert.match(error.message, /Fix the keys in Pulumi\.dev\.yaml/);
                    return true;
                },
            );
        });
    });

    it("takes any stack name: the shape comes from the stack file", () => {
        const config = parseStackConfig("staging", { ...stackFileValues("prod"), environment: "staging" });
        assert.equal(config.stack, "staging");
        assert.equal(config.gateway.sku, "Premium");
    });
});
