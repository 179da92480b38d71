/** `dataset`: a new version of the named dataset starts a run. */
import { z } from "zod";
import { defineTrigger } from "./types";

export const datasetTrigger = defineTrigger({
  type: "dataset",
  label: "New dataset version",
  summary: "Runs the latest saved version when a new version of the named dataset is uploaded",
  schema: z.object({
    dataset: z.string().trim().min(1, "dataset is required").max(200).describe("Name of the dataset; every upload of a new version starts a run"),
  }),
  describe: (t) => `when a new version of dataset "${t.dataset}" is uploaded`,
});
