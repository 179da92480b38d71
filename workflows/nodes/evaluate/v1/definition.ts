import { z } from "zod";
import { defineNode } from "../../types";

export default defineNode({
  type: "evaluate",
  version: 1,
  label: "Evaluate",
  group: "evaluate",
  description: "Scores the model's ONNX file on a dataset and computes its metrics.",
  inputs: [
    { name: "model", type: "model" },
    { name: "dataset", type: "dataset" },
  ],
  outputs: [{ name: "metrics", type: "metrics" }],
  config: z.object({}).strict(),
  cacheable: true,
  retry: { maximumAttempts: 3 },
  timeoutSeconds: 900,
});
