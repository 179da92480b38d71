import { z } from "zod";
import { defineNode } from "../../types";
import { registryName, registryNameDownstream } from "../../_shared/registry-name";
import v1 from "../v1/definition";

export const CHAMPION_ALIAS = "champion";

export default defineNode({
  type: "evaluate",
  version: 2,
  label: "Evaluate",
  group: "evaluate",
  description:
    "Scores the model's ONNX file on a dataset and computes its metrics; optionally scores the registry's current champion on the same rows for comparison.",
  inputs: v1.inputs,
  outputs: v1.outputs,
  config: z
    .object({
      compareWithChampion: z
        .boolean()
        .default(false)
        .describe("Also score the registry model's current champion on the same dataset and record its metrics next to this model's (champion.<metric>)"),
      registryName: registryName("registryName")
        .optional()
        .describe(
          "Registry model whose champion to compare with (default: the model of the deploy.endpoint downstream, else the pipeline's name made URL-safe)",
        ),
    })
    .strict(),
  cacheable: true,
  retry: { maximumAttempts: 3 },
  timeoutSeconds: 900,
  upgrade: (previous) => ({ ...previous, compareWithChampion: false }),
  upgradeNote: "Adds compareWithChampion (set to false, so the upgraded node computes exactly what v1 did) and the optional registryName.",
  // The registry name users deploy under is the deploy node's `model`: compare with that model's champion.
  complete: (config, pipeline) => {
    if (!config.compareWithChampion || config.registryName !== undefined) return config;
    return { ...config, registryName: registryNameDownstream(pipeline) };
  },
});
