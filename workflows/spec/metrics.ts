/** Metric names (docs/spec.md) and which direction is better. */
export const REGRESSION_METRICS = ["mae", "rmse", "r2"] as const;
export const CLASSIFICATION_METRICS = ["accuracy", "f1", "auc", "logloss"] as const;
export const METRIC_NAMES = [...REGRESSION_METRICS, ...CLASSIFICATION_METRICS] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** What each metric measures and which way is better (docs/spec.md). */
export const METRIC_INFO: Record<MetricName, { better: "lower" | "higher"; description: string }> = {
  mae: { better: "lower", description: "Mean absolute error, in the target's unit" },
  rmse: { better: "lower", description: "Root mean squared error, in the target's unit" },
  r2: { better: "higher", description: "Coefficient of determination (1 is perfect, 0 is predicting the mean)" },
  accuracy: { better: "higher", description: "Share of rows whose predicted label is right" },
  f1: { better: "higher", description: "F1 score (macro average over the classes)" },
  auc: { better: "higher", description: "Area under the ROC curve (binary classification)" },
  logloss: { better: "lower", description: "Cross-entropy of the predicted probabilities" },
};
