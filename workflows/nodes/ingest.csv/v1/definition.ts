import { z } from "zod";
import { defineNode } from "../../types";
import { SAMPLE_NAMES, SAMPLES, type SampleName } from "../../../spec/samples";
import { parseSource } from "../source-ref";

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
        .refine((s) => parseSource(s) !== null, { message: 'source must be "sample:<name>", "dataset:<name>" or "dataset:<name>@<version>"' })
        .refine((s) => !s.startsWith("sample:") || (SAMPLE_NAMES as string[]).includes(s.slice(7)), {
          message: `unknown sample; available: ${SAMPLE_NAMES.map((n) => `sample:${n}`).join(", ")}`,
        })
        .describe(
          "Bundled sample (sample:<name>), uploaded dataset by name — its latest version at run time (dataset:<name>) or a pinned one (dataset:<name>@<version>)",
        ),
    })
    .strict(),
  cacheable: true,
  retry: { maximumAttempts: 3 },
  timeoutSeconds: 300,
  // A sample's columns are bundled; an upload's are the caller's to look up (the editor's list, the server's database).
  outputColumns: (config, around) => {
    const ref = config.source === undefined ? null : parseSource(config.source);
    if (!ref) return {};
    return { dataset: ref.kind === "sample" ? SAMPLES[ref.name as SampleName]?.columns : around.dataset(config.source!) };
  },
});
