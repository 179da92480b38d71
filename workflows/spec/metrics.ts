/** Metric names (docs/spec.md) and which direction is better. */
export const REGRESSION_METRICS = ["mae", "rmse", "r2"] as const;
export const CLASSIFICATION_METRICS = ["accuracy", "f1", "auc", "logloss"] as const;
export const METRIC_NAMES = [...REGRESSION_METRICS, ...CLASSIFICATION_METRICS] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
