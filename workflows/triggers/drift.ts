/** `drift`: retrain when a deployment's inputs drift (acted on by the monitoring workflow). */
import { z } from "zod";
import { defineTrigger } from "./types";

export const driftTrigger = defineTrigger({
  type: "drift",
  label: "Drift",
  summary: "Runs the pipeline when a deployment's inputs drift (acted on by monitoring)",
  schema: z.object({
    deployment: z.string().min(1).describe("The deployment whose monitor fires the trigger"),
    metric: z.string().default("psi").describe("Drift statistic: psi, ks or js"),
    threshold: z.number().positive().describe("Fire when the statistic exceeds this"),
  }),
  describe: (t) => `when ${t.metric} of deployment "${t.deployment}" exceeds ${t.threshold}`,
});
