import { z } from "zod";
import { defineNode } from "../../types";
import { SAMPLE_NAMES } from "../../../spec/samples";

const SOURCE = /^(sample:[a-z0-9-]+|dataset:[0-9a-f-]{36})$/;

export default defineNode({
  type: "ingest.csv",
  version: 1,
  label: "CSV dataset",
  group: "ingest",
  description: "Reads a bundled sample or an uploaded CSV into a Parquet dataset.",
  inputs: [],
  outputs: [{ name: "dataset", type: "dataset" }],
  config: z
    .object({
      source: z
        .string({ error: "source is required" })
        .regex(SOURCE, 'source must be "sample:<name>" or "dataset:<id>"')
        .refine((s) => !s.startsWith("sample:") || (SAMPLE_NAMES as string[]).includes(s.slice(7)), {
          message: `unknown sample; available: ${SAMPLE_NAMES.map((n) => `sample:${n}`).join(", ")}`,
        })
        .describe("Bundled sample (sample:<name>) or uploaded dataset (dataset:<id>)"),
    })
    .strict(),
  cacheable: true,
  retry: { maximumAttempts: 3 },
  timeoutSeconds: 300,
});
