import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { validateApiGatewayArgs, type ApiGatewayArgs } from "../../components/gateway";
import { validateSecretsArgs } from "../../components/secrets";
import { checkWorkflows } from "../../components/workflows";
import { ConfigError, parseStackConfig } from "../../stacks/config";

/**
 * Rules the stack config and a component both check are one rule: each bad case goes to both
 * entry points, and both refuse it with the same message at the same path, each path under its
 * own prefix (`gateway.` in the config, none in the component's arguments).
 */

/** A valid stack config, from scratch, with the gateway's and the rest's fields laid over it. */
function configProblems(gateway: Record<string, unknown>, rest: Record<string, unknown> = {}): string[] {
    try {
        parseStackConfig("rules", {
            environment: "rules",
            location: "westeurope",
            owner: "team@example.com",
            costCenter: "CC-0",
            gateway: { sku: "Developer", publisherName: "Example", publisherEmail: "api@example.com", ...gateway },
            secrets: { expiresOn: "2099-12-31" },
            ...rest,
        });
        return [];
    } catch (error) {
        if (error instanceof ConfigError) {
            return [...error.problems];
        }
        throw error;
    }
}

/** The lines of a component's "Invalid ... arguments" error, or [] when it accepts them. */
function componentProblems(check: () => unknown): string[] {
    try {
        check();
        return [];
    } catch (error) {
        return (error as Error).message.split("\n").slice(1).map((line) => line.replace(/^ {2}- /, ""));
    }
}

const gatewayArgs = (sizing: Partial<ApiGatewayArgs>): ApiGatewayArgs => ({
    resourceGroupName: "rg",
    location: "westeurope",
    names: { service: "apim-rules", autoscale: "autoscale-rules" },
    regionDisplayNames: { westeurope: "West Europe", swedencentral: "Sweden Central" },
    sku: "Developer",
    capacity: 1,
    publisherName: "Example",
    publisherEmail: "api@example.com",
    identity: { resourceId: "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id", clientId: "c", principalId: "p" },
    ...sizing,
});

/** Sizing cases: the fields as both entry points name them (the config's keys are the component's), the path, the message. */
const sizingCases: Array<[string, Record<string, unknown>, string, string]> = [
    ["two units on Developer", { capacity: 2 }, "capacity", "2 units is outside the Developer tier's range (allowed: 1)"],
    ["five units on Standard", { sku: "Standard", capacity: 5 }, "capacity", "5 units is outside the Standard tier's range (allowed: 1-4)"],
    ["zones on Standard", { sku: "Standard", capacity: 2, zones: ["1", "2"] }, "zones", "availability zones need the Premium tier, not Standard (allowed: set sku: Premium or remove zones)"],
    [
        "an additional region on Basic",
        { sku: "Basic", additionalLocations: [{ location: "swedencentral", capacity: 1 }] },
        "additionalLocations",
        "additional regions need the Premium tier, not Basic (allowed: set sku: Premium or remove additionalLocations)",
    ],
    ["a zone listed twice", { sku: "Premium", capacity: 2, zones: ["1", "1"] }, "zones", '["1","1"] lists a zone twice (allowed: each of "1", "2", "3" at most once)'],
    ["units that do not spread over the zones", { sku: "Premium", capacity: 3, zones: ["1", "2"] }, "capacity", "3 units cannot be spread evenly over 2 zones (allowed: a multiple of 2)"],
    [
        "the same additional region twice",
        { sku: "Premium", additionalLocations: [{ location: "swedencentral", capacity: 1 }, { location: "swedencentral", capacity: 1 }] },
        "additionalLocations[1].location",
        '"swedencentral" is listed twice (allowed: each additional region once)',
    ],
    [
        "the primary region as an additional one",
        { sku: "Premium", additionalLocations: [{ location: "westeurope", capacity: 1 }] },
        "additionalLocations[0].location",
        '"westeurope" is the primary location (allowed: a region other than westeurope)',
    ],
    [
        "an additional region over Premium's units",
        { sku: "Premium", additionalLocations: [{ location: "swedencentral", capacity: 13 }] },
        "additionalLocations[0].capacity",
        "13 units is outside the Premium tier's range (allowed: 1-12)",
    ],
    ["autoscale on Developer", { autoscale: { minCapacity: 1, maxCapacity: 1 } }, "autoscale", "the Developer tier cannot scale (allowed: remove autoscale, or use Basic, Standard or Premium)"],
    ["autoscale with min above max", { sku: "Standard", capacity: 2, autoscale: { minCapacity: 3, maxCapacity: 2 } }, "autoscale.minCapacity", "3 is more than maxCapacity 2 (allowed: minCapacity <= maxCapacity)"],
    ["autoscale over the tier's units", { sku: "Standard", capacity: 2, autoscale: { minCapacity: 1, maxCapacity: 6 } }, "autoscale", "1-6 units is outside the Standard tier's range (allowed: within 1-4)"],
    [
        "autoscale bounds that break the zone spread",
        { sku: "Premium", capacity: 2, zones: ["1", "2"], autoscale: { minCapacity: 2, maxCapacity: 5 } },
        "autoscale",
        "2-5 units cannot stay spread evenly over 2 zones; autoscale adds and removes 2 units at a time (allowed: minCapacity and maxCapacity multiples of 2)",
    ],
    ["units outside the autoscale range", { sku: "Standard", capacity: 1, autoscale: { minCapacity: 2, maxCapacity: 4 } }, "capacity", "1 unit is outside the autoscale range (allowed: 2-4)"],
];

describe("rules the stack config and the components share", () => {
    describe("the gateway's sizing: refused by the config (under gateway.) and by ApiGateway alike", () => {
        for (const [what, fields, path, message] of sizingCases) {
            it(what, () => {
                assert.deepEqual(configProblems(fields), [`gateway.${path}: ${message}`]);
                assert.deepEqual(componentProblems(() => validateApiGatewayArgs(gatewayArgs(fields as Partial<ApiGatewayArgs>))), [`${path}: ${message}`]);
            });
        }
    });

    describe("IPv4 ranges: refused by the config and by the component that takes them alike", () => {
        const message = '"10.0.0.300" is not an IPv4 range (allowed: an IPv4 address or CIDR range such as 203.0.113.0/24)';

        it("the vault's firewall ranges (secrets.allowedIpRanges, Secrets allowedIpRanges)", () => {
            assert.deepEqual(configProblems({}, { secrets: { expiresOn: "2099-12-31", allowedIpRanges: ["203.0.113.0/24", "10.0.0.300"] } }), [`secrets.allowedIpRanges[1]: ${message}`]);
            const secrets = { resourceGroupName: "rg", location: "westeurope", vaultName: "kv-rules", tenantId: pulumi.output("t"), expiresOn: "2099-12-31" };
            assert.deepEqual(componentProblems(() => validateSecretsArgs({ ...secrets, allowedIpRanges: ["203.0.113.0/24", "10.0.0.300"] })), [`allowedIpRanges[1]: ${message}`]);
        });

        it("the run-history ranges (adminIpRanges, Workflows adminIpRanges)", () => {
            assert.deepEqual(configProblems({}, { adminIpRanges: ["203.0.113.0/24", "10.0.0.300"] }), [`adminIpRanges[1]: ${message}`]);
            const workflows = { resourceGroupName: "rg", location: "westeurope", definitions: {}, workflows: {}, gatewayIpAddresses: [], monitoring: { workspaceId: "w", actionGroupId: "a" } };
            assert.ok(componentProblems(() => checkWorkflows({ ...workflows, adminIpRanges: ["203.0.113.0/24", "10.0.0.300"] })).includes(`adminIpRanges[1]: ${message}`));
        });
    });
});
