import { z } from "zod";
import { defineNode } from "../types";

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
      task: z.enum(["regression", "classification"]).default("regression").describe("What to predict: a number or a class"),
      target: z.string({ error: "target is required" }).min(1, "target is required").describe("Column to predict"),
      features: z.array(z.string().min(1)).min(1, "features must list at least one column").optional().describe("Feature columns (default: every other column; text columns are one-hot encoded)"),
      l2: z.number().min(0, "l2 must be ≥ 0").default(1.0).describe("L2 regularisation strength"),
    })
    .strict(),
  cacheable: true,
  retry: { maximumAttempts: 2 },
  timeoutSeconds: 1800,
});
