import * as pulumi from "@pulumi/pulumi";
import * as apimanagement from "@pulumi/azure-native/apimanagement";
import * as loadtestservice from "@pulumi/azure-native/loadtestservice";
import { ArgumentsError } from "../common/rules";

/**
 * Load beyond one machine: an Azure Load Testing resource, which runs the test `npm run load --
 * <stack> --azure <dir>` generates from the catalog (a Locust script) on as many engines as the
 * stack asks, and a gateway subscription of its own whose key the vault keeps, so the test reads
 * both of its secrets from Key Vault and no key travels in a test's plain settings. Tests and their
 * runs are data-plane objects ("creating an Azure Load Testing resource is a control plane operation
 * and creating a load test is a data plane operation": Microsoft Learn, Load Testing REST API,
 * data-plane URI), so they are created by the pipeline (`az load test create`), not here.
 */
export interface LoadTestingArgs {
    /** Resource group of the resource (the gateway's). Required. */
    resourceGroupName: pulumi.Input<string>;
    /** Region of the resource: the gateway's primary region, so the load starts near it. Required. */
    location: pulumi.Input<string>;
    /** Azure name of the Load Testing resource, 1-64 letters, digits, hyphens, underscores. Required. */
    loadTestName: pulumi.Input<string>;
    /** Name of the API Management service the subscription is made on. Required. */
    serviceName: pulumi.Input<string>;
    /** The load-test subscription's primary key: a secret, kept in Key Vault. Required. */
    subscriptionKey: pulumi.Input<string>;
    /** Tags on the resource. Default: none. */
    tags?: Record<string, string>;
    /** Resources the subscription waits for (the published APIs). Default: none. */
    after?: pulumi.Input<pulumi.Resource>[];
}

/** The subscription's id on the service: its keys open every API, as the built-in all-access one does. */
export const loadTestSubscriptionId = "load-test";

/** Checks {@link LoadTestingArgs}: a name the service takes. */
export function validateLoadTestingArgs(args: LoadTestingArgs): void {
    const name = args.loadTestName;
    if (typeof name === "string" && !/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(name)) {
        throw new ArgumentsError("LoadTesting", [
            `loadTestName: "${name}" is not a Load Testing resource name (allowed: 1-64 letters, digits, hyphens and underscores, starting with a letter or digit)`,
        ]);
    }
}

export class LoadTesting extends pulumi.ComponentResource {
    /** ARM id of the Load Testing resource. */
    readonly loadTestId: pulumi.Output<string>;
    /** Its name, for `az load test create --load-test-resource`. */
    readonly loadTestName: pulumi.Output<string>;
    /** The data-plane URI the tests and runs are made at. */
    readonly dataPlaneUri: pulumi.Output<string>;
    /** Object id of its system-assigned identity, which reads the test's secrets from Key Vault. */
    readonly principalId: pulumi.Output<string>;

    constructor(name: string, args: LoadTestingArgs, opts?: pulumi.ComponentResourceOptions) {
        validateLoadTestingArgs(args);
        super("enterprise-integration:testing:LoadTesting", name, {}, opts);
        const resource = new loadtestservice.LoadTest(
            `${name}-service`,
            {
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                loadTestName: args.loadTestName,
                description: "Runs the load test generated from the API catalog (npm run load -- <stack> --azure <dir>)",
                // Secrets of a test are read with the resource's identity ("the system-assigned
                // identity of the load testing resource" is the default: Load Testing's test
                // configuration YAML reference, keyVaultReferenceIdentity).
                identity: { type: loadtestservice.ManagedServiceIdentityType.SystemAssigned },
                tags: args.tags,
            },
            { parent: this },
        );
        new apimanagement.Subscription(
            `${name}-subscription`,
            {
                resourceGroupName: args.resourceGroupName,
                serviceName: args.serviceName,
                sid: loadTestSubscriptionId,
                displayName: "Load tests (npm run load, Azure Load Testing)",
                scope: "/apis",
                primaryKey: pulumi.secret(args.subscriptionKey),
                state: apimanagement.SubscriptionState.Active,
                allowTracing: false,
            },
            { parent: this, dependsOn: args.after ?? [] },
        );
        this.loadTestId = resource.id;
        this.loadTestName = pulumi.output(args.loadTestName);
        this.dataPlaneUri = resource.dataPlaneURI;
        this.principalId = resource.identity.apply((identity) => identity?.principalId ?? "");
        this.registerOutputs({ loadTestId: this.loadTestId, dataPlaneUri: this.dataPlaneUri });
    }
}
