import { z } from "zod";
import { defineNode } from "../../types";
import { MODEL_REF_HELP, parseModelRef, parseTableName, predictionColumns, TABLE_HELP } from "../plan";

export default defineNode({
  type: "deploy.batch",
  version: 1,
  label: "Batch scoring",
  group: "deploy",
  description:
    "Scores every row of a dataset with a model — the one on the `model` input, or a registry version named in `model` — and outputs the dataset with the predictions added: " +
    "`prediction` (DOUBLE) for a regression model; `label` (VARCHAR, the predicted class) and one `probability_<class>` column (DOUBLE) per class, in the model's class order, for a classifier. " +
    "Scores in chunks in a thread of its own; a retry after a lost worker resumes after the last finished chunk. Optionally registers the result as a named dataset and writes it into a PostgreSQL table.",
  inputs: [
    { name: "dataset", type: "dataset" },
    { name: "model", type: "model", required: false },
  ],
  outputs: [{ name: "predictions", type: "dataset" }],
  config: z
    .object({
      model: z
        .string()
        .refine((s) => parseModelRef(s) !== null, { message: MODEL_REF_HELP })
        .optional()
        .describe(
          "Registry model to score with instead of the `model` input: model:<name>@<alias> (e.g. model:flights@champion) or model:<name>@<version> (e.g. model:flights@3), resolved in the team when the step runs (the version used is logged and recorded in the output); give either this or the input, not both",
        ),
      chunkRows: z
        .number()
        .int("chunkRows must be a whole number")
        .min(100, "chunkRows must be ≥ 100")
        .max(1_000_000, "chunkRows must be ≤ 1000000")
        .default(50_000)
        .describe("Rows scored per chunk: memory use is bounded by one chunk, and a retry resumes after the last finished chunk"),
      datasetName: z
        .string()
        .trim()
        .min(1, "datasetName must not be empty")
        .max(200, "datasetName must be at most 200 characters")
        .optional()
        .describe(
          "Also register the predictions as the next version of this named dataset, like an upload: it is listed under Datasets, ingest can read it (dataset:<name>), and pipelines with a dataset trigger on the name start",
        ),
      table: z
        .string()
        .refine((s) => parseTableName(s) !== null, { message: TABLE_HELP })
        .optional()
        .describe(
          "Also write the predictions into this PostgreSQL table (name or schema.name) in Conveyor's database: created if missing with run_id (uuid), row_number (bigint, from 1) and the output's columns in PostgreSQL types; a run's rows are replaced, never doubled, when its step is retried",
        ),
    })
    .strict(),
  // Not cached: its outputs are side effects too (a table's rows for this run, a dataset version, the runs it triggers) that a cache hit would skip; a retry resumes instead.
  cacheable: false,
  retry: { maximumAttempts: 3 },
  timeoutSeconds: 3600,
  heavy: true,
  // A regression model trained upstream adds `prediction`; a classifier's probability columns depend on its classes (unknown before a run).
  outputColumns: (config, around) => {
    const input = around.columns("dataset");
    const task = config.model === undefined ? around.input("model")?.config.task : undefined;
    return { predictions: input && task === "regression" ? [...input, ...predictionColumns({ task })] : undefined };
  },
  check: (config, around) => {
    const fromInput = around.connected("model");
    if (fromInput && config.model !== undefined)
      return [{ field: "config.model", message: "the model comes from the `model` input and from config.model: remove one of them" }];
    if (!fromInput && config.model === undefined)
      return [
        { field: "config.model", message: 'no model to score with: connect a model to the `model` input or set model to "model:<name>@<alias|version>"' },
      ];
    return [];
  },
});
