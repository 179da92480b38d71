import { z } from "zod";
import { defineNode } from "../../types";
import { trainCommonConfig } from "../../_shared/train-config";

export default defineNode({
  type: "train.linear",
  version: 1,
  label: "Linear model",
  group: "train",
  description: "Ridge regression or (multinomial) logistic regression, exported to ONNX with its preprocessing.",
  inputs: [{ name: "dataset", type: "dataset" }],
  outputs: [{ name: "model", type: "model" }],
  config: z
    .object({
      ...trainCommonConfig,
      l2: z.number().min(0, "l2 must be ≥ 0").default(1.0).describe("L2 regularisation strength"),
    })
    .strict(),
  cacheable: true,
  retry: { maximumAttempts: 2 },
  timeoutSeconds: 1800,
});
