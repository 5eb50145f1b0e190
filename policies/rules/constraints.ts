import { dependsOn, list, ofType, type Resource, type Rule } from "../rule";

/**
 * What Azure rejects, or runs wrongly, that no schema catches: constraints, not style. Each is a
 * first-deploy failure or a silent misbehaviour found in the platform's review.
 */

const apim = "azure-native:apimanagement:ApiManagementService";

/** Region names compared the way Azure does: `West Europe` and `westeurope` are one region. */
const region = (name: unknown) =>
    String(name ?? "")
        .toLowerCase()
        .replace(/\s+/g, "");

export const constraintRules: Rule[] = [
    {
        kind: "resource",
        id: "apim-managed-certificate-on-create",
        types: [apim],
        level: "mandatory",
        facts: ["serviceExists"],
        description:
            "A managed (free) certificate in an API Management service's create call fails the deployment: API Management issues one only when an existing service is updated.",
        remediation:
            "Serve the host with a Key Vault certificate on the first deployment; switch it to Managed once the service exists (gateway.serviceExists: true, and serviceExists in this rule's config).",
        source: "Microsoft Learn, Configure a custom domain name (free managed certificate limitations)",
        url: "https://learn.microsoft.com/azure/api-management/configure-custom-domain",
        check: (service, facts) =>
            facts.serviceExists
                ? []
                : list<Record<string, unknown>>(service.props.hostnameConfigurations)
                      .filter((host) => host.certificateSource === "Managed")
                      .map(
                          (host) =>
                              `${String(host.hostName)} asks for a managed certificate, which API Management issues only when an existing service is updated, never in its create call`,
                      ),
    },
    {
        kind: "stack",
        id: "apim-autoscale-primary-location",
        level: "mandatory",
        description:
            "Only the primary location's units autoscale; a rule that reads Capacity without a Location filter averages every region, so a saturated region scales nothing and a busy primary can be masked.",
        remediation:
            "Filter every autoscale rule's Capacity trigger on the Location dimension, Equals the primary region; scale additional regions by config.",
        source: "Microsoft Learn, Automatically scale an Azure API Management instance (only the primary location autoscales); API Management metrics (Capacity has a Location dimension)",
        url: "https://learn.microsoft.com/azure/api-management/api-management-howto-autoscale",
        check: (resources) => {
            const services = ofType(resources, apim);
            // A setting that depends on a service scales it; otherwise its triggers' resource ids say
            // (read only then: a service's id is known only after deploy).
            const targetsGateway = (setting: Resource) =>
                services.some((service) => dependsOn(setting, service)) ||
                list<Record<string, any>>(setting.props.profiles).some((profile) =>
                    list<Record<string, any>>(profile.rules).some((rule) =>
                        /microsoft\.apimanagement\/service/i.test(String(rule.metricTrigger?.metricResourceUri ?? "")),
                    ),
                );
            return ofType(resources, "azure-native:monitor:AutoscaleSetting")
                .filter(targetsGateway)
                .flatMap((setting) => {
                    const service =
                        services.find((candidate) => dependsOn(setting, candidate)) ?? (services.length === 1 ? services[0] : undefined);
                    return list<Record<string, any>>(setting.props.profiles).flatMap((profile) =>
                        list<Record<string, any>>(profile.rules).flatMap((rule, i) => {
                            const trigger = rule.metricTrigger ?? {};
                            if (String(trigger.metricName).toLowerCase() !== "capacity") {
                                return [];
                            }
                            const location = list<Record<string, any>>(trigger.dimensions).find(
                                (dimension) => String(dimension.dimensionName).toLowerCase() === "location",
                            );
                            const values = list<string>(location?.values);
                            if (!location || location.operator !== "Equals" || values.length !== 1) {
                                return [
                                    {
                                        resource: setting,
                                        message: `profile ${profile.name}, rule ${i}: Capacity without a Location filter naming one region averages every region`,
                                    },
                                ];
                            }
                            if (service && region(values[0]) !== region(service.props.location)) {
                                return [
                                    {
                                        resource: setting,
                                        message: `profile ${profile.name}, rule ${i}: scales on ${values[0]}, not the primary region ${String(service.props.location)}; only the primary's units autoscale`,
                                    },
                                ];
                            }
                            return [];
                        }),
                    );
                });
        },
    },
    {
        kind: "resource",
        id: "apim-zone-capacity",
        types: [apim],
        level: "mandatory",
        description:
            "With availability zones set, API Management spreads units evenly over them: a unit count that is not a multiple of the zone count is refused.",
        remediation: "Set each region's capacity to a multiple of its number of zones.",
        source: "Microsoft Learn, Reliability in Azure API Management (units must be distributed evenly across zones)",
        url: "https://learn.microsoft.com/azure/reliability/reliability-api-management",
        check: (service) => {
            const regions = [
                {
                    where: String(service.props.location),
                    zones: list<string>(service.props.zones),
                    capacity: Number(service.props.sku?.capacity),
                },
                ...list<Record<string, any>>(service.props.additionalLocations).map((extra) => ({
                    where: String(extra.location),
                    zones: list<string>(extra.zones),
                    capacity: Number(extra.sku?.capacity),
                })),
            ];
            return regions
                .filter(({ zones, capacity }) => zones.length > 1 && capacity % zones.length !== 0)
                .map(({ where, zones, capacity }) => `${where}: ${capacity} units cannot be spread over ${zones.length} zones`);
        },
    },
    {
        kind: "resource",
        id: "apim-workflow-api-single-auth-scheme",
        types: ["azure-native:apimanagement:ApiPolicy", "azure-native:apimanagement:ApiOperationPolicy"],
        level: "mandatory",
        description:
            "A Logic Apps trigger takes one authorization scheme per request: a call that carries the signature (sig) and the caller's Authorization header fails.",
        remediation:
            'In a policy that rewrites the request to a workflow trigger with sig, delete the Authorization header after validate-jwt (set-header name="Authorization" exists-action="delete").',
        source: "Microsoft Learn, Secure access and data in Azure Logic Apps (using both schemes at the same time causes an error)",
        url: "https://learn.microsoft.com/azure/logic-apps/logic-apps-securing-a-logic-app",
        check: (policy) => {
            const document = String(policy.props.value ?? "");
            const signed = /<rewrite-uri\b[^>]*\bsig=/.test(document);
            const stripped = /<set-header\b(?=[^>]*\bname="Authorization")(?=[^>]*\bexists-action="delete")[^>]*\/?>/.test(document);
            return signed && !stripped
                ? ["forwards to a workflow trigger with its signature but keeps the caller's Authorization header"]
                : [];
        },
    },
    {
        kind: "resource",
        id: "logic-caller-prefix-length",
        types: ["azure-native:logic:Workflow"],
        level: "mandatory",
        description: "Logic Apps takes caller address ranges as x.x.x.x/x or x.x.x.x-x.x.x.x; a bare address is not a documented form.",
        remediation: "Write single addresses with their prefix length: /32 for IPv4, /128 for IPv6.",
        source: "Microsoft Learn, Secure access and data in Azure Logic Apps (Restrict inbound IP addresses)",
        url: "https://learn.microsoft.com/azure/logic-apps/logic-apps-securing-a-logic-app",
        check: (workflow) => {
            const access = workflow.props.accessControl ?? {};
            return [
                ...list<Record<string, unknown>>(access.triggers?.allowedCallerIpAddresses),
                ...list<Record<string, unknown>>(access.contents?.allowedCallerIpAddresses),
            ]
                .map((entry) => String(entry.addressRange ?? ""))
                .filter((range) => !range.includes("/") && !range.includes("-"))
                .map((range) => `caller range "${range}" has no prefix length (allowed: x.x.x.x/x or x.x.x.x-x.x.x.x)`);
        },
    },
    {
        kind: "stack",
        id: "apim-revision-addressed",
        level: "mandatory",
        description:
            "Once a later revision is current, an API's bare id means that revision: a resource for an older revision addressed by the bare id would re-import the old document into the live revision.",
        remediation: "Address every revision as <api>;rev=<n>, the first one too, and set apiRevision to n.",
        source: "Microsoft Learn, Revisions in Azure API Management; the 2024-05-01 REST spec (apiId: non-current revision has ;rev=n as a suffix)",
        url: "https://learn.microsoft.com/azure/api-management/api-management-revisions",
        check: (resources) => {
            const apis = ofType(resources, "azure-native:apimanagement:Api");
            const base = (api: (typeof apis)[number]) => String(api.props.apiId ?? "").replace(/;rev=\d+$/, "");
            const revised = new Set(apis.filter((api) => Number(api.props.apiRevision ?? 1) > 1).map(base));
            return apis.flatMap((api) => {
                const id = String(api.props.apiId ?? "");
                const revision = api.props.apiRevision === undefined ? undefined : String(api.props.apiRevision);
                if (revision !== undefined && !id.endsWith(`;rev=${revision}`)) {
                    return [
                        { resource: api, message: `revision ${revision} is addressed as ${id} (allowed: ${base(api)};rev=${revision})` },
                    ];
                }
                if (revision === undefined && revised.has(base(api)) && !id.includes(";rev=")) {
                    return [
                        {
                            resource: api,
                            message: `${id} has later revisions, so the bare id means the current one (allowed: ${id};rev=1 with apiRevision 1)`,
                        },
                    ];
                }
                return [];
            });
        },
    },
    {
        kind: "resource",
        id: "apim-premium-features",
        types: [apim],
        level: "mandatory",
        description: "Availability zones and additional regions exist on the Premium tier only; any other tier refuses them.",
        remediation: "Set sku Premium, or remove zones and additionalLocations.",
        source: "Microsoft Learn, Feature-based comparison of the Azure API Management tiers",
        url: "https://learn.microsoft.com/azure/api-management/api-management-features",
        check: (service) => {
            const sku = String(service.props.sku?.name ?? "");
            if (sku === "Premium") {
                return [];
            }
            return [
                ...(list(service.props.zones).length > 0 ? [`availability zones on the ${sku} tier`] : []),
                ...(list(service.props.additionalLocations).length > 0 ? [`additional regions on the ${sku} tier`] : []),
            ];
        },
    },
];
