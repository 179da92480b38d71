/** Config fields every train.* node shares (docs/spec.md): the same names, help and errors. */
import { z } from "zod";

export const trainCommonConfig = {
  task: z.enum(["regression", "classification"]).default("regression").describe("What to predict: a number or a class"),
  target: z.string({ error: "target is required" }).min(1, "target is required").describe("Column to predict").meta({ "x-column": "one" }),
  features: z
    .array(z.string().min(1))
    .min(1, "features must list at least one column")
    .optional()
    .describe("Feature columns (default: every other column; text columns are one-hot encoded)")
    .meta({ "x-column": "many" }),
};
