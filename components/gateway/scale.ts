import type * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";
import type * as inputs from "@pulumi/azure-native/types/input";

/**
 * Autoscale and the capacity alert, from the reference architecture's guidance: scale out when the
 * Capacity metric stays above 66 % for 30 minutes, scale in when it stays below 20 %, and wait at
 * least an hour between operations (each takes 20 minutes or more).
 *
 * Only the primary location's units autoscale; the other regions' are scaled by config
 * (learn.microsoft.com/azure/api-management/api-management-howto-autoscale: "only units in the
 * Primary location can be autoscaled"). Capacity has a `Location` dimension (Supported metrics for
 * Microsoft.ApiManagement/service), and a rule without a filter averages every region: a saturated
 * additional region would never scale anything and a busy primary could be masked. So the rules read
 * the primary location's Capacity, and the alert watches each region on its own.
 */

/** The dimension of the Capacity metric that names the region, by its display name (`West Europe`). */
export const locationDimension = "Location";

export const capacityMetric = { name: "Capacity", namespace: "microsoft.apimanagement/service" } as const;

/** Thresholds and timings of the scale rules and the alert. */
export const scalePolicy = {
    /** Average capacity (%) above which a unit step is added. */
    scaleOutAbove: 66,
    /** Average capacity (%) below which a unit step is removed. */
    scaleInBelow: 20,
    /** How long the average must stay past a threshold. */
    window: "PT30M",
    /** Time between scale operations. */
    cooldown: "PT60M",
} as const;

/**
 * One autoscale profile over the service's Capacity metric. `step` is the units added or removed at
 * once: the zone count with zones, so the units stay spread evenly; otherwise 1.
 */
export function autoscaleProfile(
    serviceId: pulumi.Input<string>,
    bounds: { minCapacity: number; maxCapacity: number; defaultCapacity: number },
    step: number,
    primaryLocation: string,
): inputs.monitor.AutoscaleProfileArgs {
    const trigger = (operator: monitor.ComparisonOperationType, threshold: number) => ({
        metricName: capacityMetric.name,
        dimensions: [
            { dimensionName: locationDimension, operator: monitor.ScaleRuleMetricDimensionOperationType.Equals, values: [primaryLocation] },
        ],
        metricNamespace: capacityMetric.namespace,
        metricResourceUri: serviceId,
        timeGrain: "PT1M",
        statistic: monitor.MetricStatisticType.Average,
        timeWindow: scalePolicy.window,
        timeAggregation: monitor.TimeAggregationType.Average,
        operator,
        threshold,
    });
    const action = (direction: monitor.ScaleDirection) => ({
        direction,
        type: monitor.ScaleType.ChangeCount,
        value: String(step),
        cooldown: scalePolicy.cooldown,
    });
    return {
        name: "capacity",
        capacity: { minimum: String(bounds.minCapacity), maximum: String(bounds.maxCapacity), default: String(bounds.defaultCapacity) },
        rules: [
            {
                metricTrigger: trigger(monitor.ComparisonOperationType.GreaterThan, scalePolicy.scaleOutAbove),
                scaleAction: action(monitor.ScaleDirection.Increase),
            },
            {
                metricTrigger: trigger(monitor.ComparisonOperationType.LessThan, scalePolicy.scaleInBelow),
                scaleAction: action(monitor.ScaleDirection.Decrease),
            },
        ],
    };
}

/**
 * The alert criteria: average Capacity above the scale-out threshold over the window, in each of
 * `locations` on its own (one time series per value of the Location dimension).
 */
export function capacityAlertCriteria(locations: readonly string[]): inputs.monitor.MetricAlertSingleResourceMultipleMetricCriteriaArgs {
    return {
        odataType: "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
        allOf: [
            {
                criterionType: "StaticThresholdCriterion",
                name: "capacity-high",
                metricName: capacityMetric.name,
                metricNamespace: capacityMetric.namespace,
                operator: monitor.Operator.GreaterThan,
                threshold: scalePolicy.scaleOutAbove,
                timeAggregation: monitor.AggregationTypeEnum.Average,
                dimensions: [{ name: locationDimension, operator: "Include", values: [...locations] }],
            },
        ],
    };
}
