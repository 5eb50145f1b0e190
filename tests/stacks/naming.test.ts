import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import {
    Namer,
    containerWriterGrant,
    defaultIdentifierUri,
    failedRunsAlertPurpose,
    gatewayReadsCertificateGrant,
    gatewayReadsSecretGrant,
    globalNamer,
    jobRoleName,
    namingRule,
    operatorsReadGrant,
    resourceKinds,
    resourceName,
    stackLabel,
    type NameParts,
} from "../../stacks/naming";
import { regionNames } from "../../stacks/regions";

const typical: NameParts = { workload: "integration", stack: "prod", location: "westeurope", suffix: "k3x9q" };
const extreme: NameParts = {
    workload: "fabrikam-payments",
    stack: "Feature_Very.Long-branch-name-1234567890-abcdefghij",
    location: "australiasoutheast",
    purpose: "shipment-notify-and-more-words",
    suffix: "a1b2c",
};

describe("resource names", () => {
    it("follow <abbreviation>-<workload>-<stack>-<purpose>-<region>", () => {
        assert.equal(
            resourceName("resourceGroup", { ...typical, purpose: "gateway", suffix: undefined }),
            "rg-integration-prod-gateway-weu",
        );
        assert.equal(resourceName("apiManagement", typical), "apim-integration-prod-weu-k3x9q");
        assert.equal(
            resourceName("workflow", { ...typical, purpose: "shipment-intake", suffix: undefined }),
            "logic-integration-prod-shipment-intake-weu",
        );
    });

    it("fit every type's length and character rules, even from long inputs", () => {
        for (const kind of resourceKinds) {
            const rule = namingRule(kind);
            for (const parts of [typical, extreme, { ...extreme, location: "southafricanorth" }]) {
                const name = resourceName(kind, parts);
                assert.ok(name.length >= rule.minLength && name.length <= rule.maxLength, `${kind}: ${name} (${name.length})`);
                assert.match(name, rule.pattern, kind);
                assert.ok(name.startsWith(rule.abbreviation), `${kind}: ${name}`);
                assert.ok(name.endsWith(parts.suffix!), `${kind} keeps the suffix: ${name}`);
            }
        }
    });

    it("cut the workload before the stack, so Key Vault names still tell prod from prod-dr", () => {
        assert.equal(resourceName("keyVault", typical), "kv-integr-prod-weu-k3x9q");
        assert.equal(resourceName("keyVault", { ...typical, stack: "prod-dr", location: "northeurope" }), "kv-int-prod-dr-neu-k3x9q");
    });

    it("give storage accounts 3-24 lower-case letters and digits only", () => {
        assert.equal(resourceName("storageAccount", { ...typical, purpose: "backup" }), "stinteprodbackupweuk3x9q");
        assert.match(resourceName("storageAccount", { ...extreme, purpose: "backup" }), /^st[a-z0-9]{1,22}$/);
    });

    it("keep API Management names within 50 characters, starting with a letter", () => {
        const name = resourceName("apiManagement", extreme);
        assert.equal(name, "apim-fab-feature-very-long-branch-n-shi-ause-a1b2c");
        assert.ok(name.length <= 50);
    });

    it("keep workflow names within 43 characters", () => {
        assert.ok(resourceName("workflow", { ...extreme, suffix: undefined }).length <= 43);
    });

    it("need the random suffix for globally unique types", () => {
        for (const kind of ["apiManagement", "keyVault", "storageAccount"] as const) {
            assert.throws(
                () => resourceName(kind, { ...typical, suffix: undefined }),
                new RegExp(`A ${kind} name must be unique across Azure`),
            );
        }
    });

    it("differ between stacks and between regions", () => {
        const prod = resourceName("resourceGroup", { ...typical, purpose: "shared" });
        const dr = resourceName("resourceGroup", { ...typical, stack: "prod-dr", location: "northeurope", purpose: "shared" });
        const swe = resourceName("resourceGroup", { ...typical, location: "swedencentral", purpose: "shared" });
        assert.equal(new Set([prod, dr, swe]).size, 3);
    });

    it("are the same for the same inputs", () => {
        const namer = new Namer("integration", "prod", "westeurope");
        assert.equal(namer.name("keyVault", { suffix: "abcde" }), namer.name("keyVault", { suffix: "abcde" }));
        assert.equal(namer.name("resourceGroup", { purpose: "shared", location: "northeurope" }), "rg-integration-prod-shared-neu");
    });

    it("have a short code for every region", () => {
        const codes = regionNames.map((name) =>
            resourceName("resourceGroup", { ...typical, location: name, suffix: undefined })
                .split("-")
                .pop(),
        );
        assert.equal(new Set(codes).size, regionNames.length, "short codes are unique");
    });
});

describe("the names the stack derives", () => {
    it("label the stack in names Azure leaves free: display names, the default identifier URI, job roles", () => {
        assert.equal(stackLabel("integration", "prod-dr"), "integration-prod-dr");
        assert.equal(defaultIdentifierUri("integration", "prod"), "api://integration-prod");
        assert.equal(jobRoleName("integration", "prod", "backup"), "integration-prod API Management backup");
    });

    it("give a failed-runs alert its workflow's purpose", () => {
        const namer = new Namer("integration", "prod", "westeurope");
        assert.equal(
            namer.name("metricAlert", { purpose: failedRunsAlertPurpose("shipment-intake") }),
            "alert-integration-prod-shipment-intake-failed-weu",
        );
    });

    it("key each role assignment by what it grants, stable across runs", () => {
        assert.equal(operatorsReadGrant("shared"), "operators-read-shared");
        assert.equal(gatewayReadsSecretGrant("ledger-backend-key"), "gateway-reads-ledger-backend-key");
        assert.equal(gatewayReadsCertificateGrant("portal"), "gateway-reads-portal-certificate");
        assert.equal(containerWriterGrant("shipment-notify", "shipments"), "shipment-notify-shipments");
    });

    it("name globally unique resources with the stack's suffix, in the primary region unless told", async () => {
        const globalName = globalNamer(new Namer("integration", "prod", "westeurope"), pulumi.output("k3x9q"));
        const known = (output: pulumi.Output<string>) => new Promise<string>((resolve) => output.apply(resolve));
        assert.equal(await known(globalName("apiManagement")), "apim-integration-prod-weu-k3x9q");
        assert.equal(await known(globalName("storageAccount", { purpose: "bk", location: "northeurope" })), "stintegratprodbkneuk3x9q");
    });
});
