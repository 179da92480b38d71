import { z } from "zod";
import { defineNode } from "../../types";

/** A time bound: an ISO 8601 date-time, a duration back from now ("30d"), or empty (no bound). */
const ZWhen = (field: string) =>
  z
    .string()
    .max(64)
    .refine((s) => s === "" || /^[1-9][0-9]{0,6}[smhd]$/.test(s) || !Number.isNaN(Date.parse(s)), {
      message: `${field} must be an ISO 8601 date-time, a duration back from now like "30d", or empty`,
    });

export default defineNode({
  type: "ingest.predictions",
  version: 1,
  label: "Logged predictions",
  group: "ingest",
  description:
    "Reads what a deployment was asked and the ground truth that came back (POST …/feedback) into a dataset: one row per logged live prediction, the model's input columns and the target. What a drift-triggered retraining learns from.",
  inputs: [],
  outputs: [{ name: "dataset", type: "dataset" }],
  config: z
    .object({
      deployment: z.string({ error: "deployment is required" }).min(1, "deployment is required").describe("The deployment whose logged predictions to read"),
      from: ZWhen("from")
        .default("")
        .describe(
          'Predictions logged at or after: an ISO date-time ("${params.drift_window_start}" in a drift-triggered run), a duration back from now ("30d"), or empty for all that are kept',
        ),
      to: ZWhen("to").default("").describe("Predictions logged before (empty: now)"),
      labelledOnly: z.boolean().default(true).describe("Only rows whose ground truth arrived (the target column is then never missing)"),
      minRows: z.number().int().min(1).default(50).describe("Fail when fewer rows are found"),
    })
    .strict(),
  cacheable: false,
  retry: { maximumAttempts: 3 },
  timeoutSeconds: 600,
});
