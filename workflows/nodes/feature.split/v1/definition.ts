import { z } from "zod";
import { defineNode } from "../../types";

export default defineNode({
  type: "feature.split",
  version: 1,
  label: "Train/test split",
  group: "feature",
  description: "Splits a dataset into train and test sets, at random (seeded) or by time.",
  inputs: [{ name: "dataset", type: "dataset" }],
  outputs: [
    { name: "train", type: "dataset" },
    { name: "test", type: "dataset" },
  ],
  config: z
    .object({
      strategy: z.enum(["random", "time"]).default("random").describe("random: seeded shuffle; time: the latest rows become the test set"),
      testFraction: z.number().gt(0, "testFraction must be > 0").lt(1, "testFraction must be < 1").default(0.2).describe("Share of rows in the test set"),
      seed: z.number().int().default(42).describe("Random seed (random strategy)"),
      timeColumn: z.string().min(1).optional().describe("Column that orders rows in time (time strategy)").meta({ "x-column": "one" }),
    })
    .strict()
    .refine((c) => c.strategy !== "time" || !!c.timeColumn, { message: "timeColumn is required when strategy is time", path: ["timeColumn"] }),
  cacheable: true,
  retry: { maximumAttempts: 3 },
  timeoutSeconds: 300,
  // Both parts keep the input's columns.
  outputColumns: (_config, around) => ({ train: around.columns("dataset"), test: around.columns("dataset") }),
});
