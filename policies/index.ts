// The policy pack: `pulumi preview --policy-pack policies [--policy-pack-config policies/config/<stack>.json]`.
// It only lists the rules; each is a pure function in ./rules, which the offline plan and the
// tests call without starting a pack.
import { PolicyPack } from "@pulumi/policy";
import { toPolicy } from "./rule";
import { rules } from "./rules";

new PolicyPack("enterprise-integration-baseline", {
    description:
        "Azure's constraints and the security baseline of the enterprise integration platform: API Management, Logic Apps, Key Vault, Storage, monitoring, tags, protection and role assignments.",
    policies: rules.map(toPolicy),
});
