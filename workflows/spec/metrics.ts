/** Metric names (docs/spec.md), which direction is better, and the values each can take. */
export const REGRESSION_METRICS = ["mae", "rmse", "r2"] as const;
export const CLASSIFICATION_METRICS = ["accuracy", "f1", "auc", "logloss"] as const;
export const METRIC_NAMES = [...REGRESSION_METRICS, ...CLASSIFICATION_METRICS] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
export type Task = "regression" | "classification";

/** What each metric measures, which way is better and its range (a bound absent: unbounded on that side). */
export const METRIC_INFO: Record<MetricName, { better: "lower" | "higher"; description: string; min?: number; max?: number }> = {
  mae: { better: "lower", description: "Mean absolute error, in the target's unit", min: 0 },
  rmse: { better: "lower", description: "Root mean squared error, in the target's unit", min: 0 },
  r2: { better: "higher", description: "Coefficient of determination (1 is perfect, 0 is predicting the mean)", max: 1 },
  accuracy: { better: "higher", description: "Share of rows whose predicted label is right", min: 0, max: 1 },
  f1: { better: "higher", description: "F1 score (macro average over the classes)", min: 0, max: 1 },
  auc: { better: "higher", description: "Area under the ROC curve (binary classification)", min: 0, max: 1 },
  logloss: { better: "lower", description: "Cross-entropy of the predicted probabilities", min: 0 },
};

/** The metrics an evaluate step computes for a model of this task (every metric when the task is not known). */
export function metricsOf(task: unknown): readonly MetricName[] {
  return task === "classification" ? CLASSIFICATION_METRICS : task === "regression" ? REGRESSION_METRICS : METRIC_NAMES;
}

/** Why a threshold for `metric` lies outside the values it can take (a condition on it could never change a decision), or null. */
export function thresholdProblem(metric: MetricName, value: number): string | null {
  const { min, max } = METRIC_INFO[metric];
  if ((min === undefined || value >= min) && (max === undefined || value <= max)) return null;
  const range =
    min !== undefined && max !== undefined
      ? `lies between ${min} and ${max}`
      : max !== undefined
        ? `is at most ${max}`
        : min === 0
          ? "is never negative"
          : `is at least ${min}`;
  return `${metric} ${range}, so ${value} is out of range`;
}

/** The condition a new gate starts from: a bar a useful model clears, on a metric the task produces. */
export function defaultCondition(task: unknown): { metric: MetricName; op: ">="; value: number } {
  return task === "classification" ? { metric: "accuracy", op: ">=", value: 0.8 } : { metric: "r2", op: ">=", value: 0.5 };
}
