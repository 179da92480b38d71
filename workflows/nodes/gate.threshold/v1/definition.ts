import { z } from "zod";
import { defineNode } from "../../types";
import { ZCondition } from "../conditions";

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
});
