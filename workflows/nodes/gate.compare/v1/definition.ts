import { z } from "zod";
import { defineNode } from "../../types";
import { CLASSIFICATION_METRICS, METRIC_NAMES, metricsOf, REGRESSION_METRICS } from "../../../spec/metrics";
import { metricsSource } from "../../_shared/metrics-task";

export default defineNode({
  type: "gate.compare",
  version: 1,
  label: "Beat the champion",
  group: "gate",
  description:
    "Lets the pipeline continue only when the new model beats the registry's current champion on the same evaluation rows by a margin. Connect it to an evaluate step with compareWithChampion on. With no champion yet, it passes and says so.",
  inputs: [{ name: "metrics", type: "metrics" }],
  outputs: [{ name: "decision", type: "decision" }],
  config: z
    .object({
      metric: z.enum(METRIC_NAMES, { error: `metric must be one of ${METRIC_NAMES.join(", ")}` }).describe("Metric to compare (see Metrics)"),
      margin: z
        .number()
        .finite()
        .min(0, "margin must be 0 or more")
        .default(0)
        .describe("How much better the new model must be, in the metric's unit (e.g. 0.01 r2)"),
      direction: z.enum(["higher", "lower"]).optional().describe("Which way is better (default: the metric's own, e.g. lower for rmse, higher for accuracy)"),
    })
    .strict(),
  cacheable: false,
  retry: { maximumAttempts: 3 },
  timeoutSeconds: 60,
  check: (config, around) => {
    const evaluate = around.input("metrics");
    if (!evaluate) return [];
    if (evaluate.type !== "evaluate" || evaluate.config.compareWithChampion !== true) {
      return [
        {
          field: "inputs.metrics",
          message: `gate.compare needs the metrics of an evaluate step with compareWithChampion: true (${evaluate.nodeId} ${evaluate.type === "evaluate" ? "does not score the champion" : `is a ${evaluate.type}`})`,
        },
      ];
    }
    // The task of the model the evaluate step scores, when a train node makes it.
    const task = evaluate.input("model")?.config.task;
    const produced: readonly string[] = task === "classification" ? CLASSIFICATION_METRICS : task === "regression" ? REGRESSION_METRICS : METRIC_NAMES;
    if (!produced.includes(config.metric)) {
      return [
        {
          field: "config.metric",
          message: `${evaluate.nodeId} scores a ${String(task)} model, which has no ${config.metric}; its metrics are ${produced.join(", ")}`,
        },
      ];
    }
    return [];
  },
  formHints: (around) => {
    const task = metricsSource(around)?.task;
    return task ? { options: { metric: metricsOf(task) } } : {};
  },
});
