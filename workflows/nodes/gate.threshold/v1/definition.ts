import { z } from "zod";
import { defineNode } from "../../types";
import { ZCondition } from "../conditions";
import { defaultCondition, metricsOf } from "../../../spec/metrics";
import { metricsSource } from "../../_shared/metrics-task";

export default defineNode({
  type: "gate.threshold",
  version: 1,
  label: "Threshold gate",
  group: "gate",
  description: "Lets the pipeline continue only when every metric condition holds.",
  inputs: [{ name: "metrics", type: "metrics" }],
  outputs: [{ name: "decision", type: "decision" }],
  config: z
    .object({
      conditions: z.array(ZCondition).min(1, "add at least one condition").describe("All must hold, e.g. r2 >= 0.5"),
    })
    .strict(),
  cacheable: false,
  retry: { maximumAttempts: 3 },
  timeoutSeconds: 60,
  // A condition on a metric the evaluate step upstream does not compute could never hold.
  check: (config, around) => {
    const source = metricsSource(around);
    if (!source?.task) return [];
    const produced = metricsOf(source.task);
    return config.conditions.flatMap((c, i) =>
      produced.includes(c.metric)
        ? []
        : [
            {
              field: `config.conditions[${i}].metric`,
              message: `${source.evaluate.nodeId} scores a ${source.task} model, which has no ${c.metric}; its metrics are ${produced.join(", ")}`,
            },
          ],
    );
  },
  formHints: (around) => {
    const task = metricsSource(around)?.task;
    return {
      ...(task ? { options: { "conditions[].metric": metricsOf(task) } } : {}),
      newRow: { conditions: defaultCondition(task) },
    };
  },
});
