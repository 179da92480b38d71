/**
 * `drift`: retrain when a deployment's monitor sees its inputs drift or its
 * live quality fall (acted on by the monitor, workflows/monitoring/monitor.ts).
 * Drift statistics and error metrics (mae, rmse, logloss) fire above the
 * threshold; accuracy, f1, auc and r2 below it. A cooldown after each start
 * keeps the loop from retraining again on the same drift.
 */
import { z } from "zod";
import { defineTrigger } from "./types";
import { duration } from "../../contract/duration";
import { DRIFT_STATISTICS, QUALITY_METRICS, triggerOp } from "../../contract/monitoring";

export const DRIFT_TRIGGER_METRICS = [...DRIFT_STATISTICS, ...QUALITY_METRICS] as const;

/** The params a drift-started run gets, when its pipeline declares them (all strings but drift_value). */
export const DRIFT_PARAMS = ["drift_window_start", "drift_window_end", "drift_metric", "drift_feature", "drift_value", "drift_event"] as const;

export const driftTrigger = defineTrigger({
  type: "drift",
  label: "Drift",
  summary: "Runs the pipeline when a deployment's monitor reports drift (or a fall in live quality) past a threshold",
  schema: z.object({
    deployment: z.string().min(1, "deployment is required").describe("The deployment whose monitor fires the trigger"),
    metric: z
      .enum(DRIFT_TRIGGER_METRICS, { error: `metric must be one of ${DRIFT_TRIGGER_METRICS.join(", ")}` })
      .default("psi")
      .describe("A drift statistic (psi, ks, js, wasserstein: of the most drifted feature) or a live quality metric"),
    threshold: z
      .number({ error: "threshold must be a number" })
      .describe("Fire when the metric passes it (drift, mae, rmse, logloss: above; accuracy, f1, auc, r2: below)"),
    features: z
      .array(z.string().min(1))
      .min(1, "features, when given, names at least one feature")
      .optional()
      .describe("Only these features' drift counts (default: every model input)"),
    cooldown: duration("cooldown", { minSeconds: 0 }).default("1d").describe("No new run for this long after one started"),
  }),
  check: (t) =>
    (DRIFT_TRIGGER_METRICS.slice(0, DRIFT_STATISTICS.length) as readonly string[]).includes(t.metric) && t.threshold <= 0
      ? [{ field: "threshold", message: `a ${t.metric} threshold must be positive, got ${t.threshold}` }]
      : [],
  describe: (t) =>
    `when ${t.metric}${t.features ? ` of ${t.features.join(", ")}` : ""} of deployment "${t.deployment}" is ${triggerOp(t.metric) === ">" ? "above" : "below"} ${t.threshold} (cooldown ${t.cooldown})`,
});
