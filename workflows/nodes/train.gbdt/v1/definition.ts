import { z } from "zod";
import { defineNode } from "../../types";
import { trainCommonConfig } from "../../_shared/train-config";
import { GBDT_DEFAULTS } from "../../../ml/gbdt/options";

const D = GBDT_DEFAULTS;

export default defineNode({
  type: "train.gbdt",
  version: 1,
  label: "Gradient-boosted trees",
  group: "train",
  description: "Histogram gradient boosting (regression, binary, multiclass), exported to ONNX as a tree ensemble.",
  inputs: [{ name: "dataset", type: "dataset" }],
  outputs: [{ name: "model", type: "model" }],
  config: z
    .object({
      ...trainCommonConfig,
      nTrees: z.number().int().min(1, "nTrees must be ≥ 1").max(5000, "nTrees must be ≤ 5000").default(D.nTrees).describe("Boosting rounds"),
      maxDepth: z.number().int().min(1, "maxDepth must be ≥ 1").max(16, "maxDepth must be ≤ 16").default(D.maxDepth).describe("Depth of each tree"),
      learningRate: z.number().gt(0, "learningRate must be > 0").max(1, "learningRate must be ≤ 1").default(D.learningRate).describe("Shrinkage per tree"),
      l2: z.number().min(0, "l2 must be ≥ 0").default(D.l2).describe("L2 regularisation of leaf weights"),
      minChildWeight: z.number().min(0, "minChildWeight must be ≥ 0").default(D.minChildWeight).describe("Minimum hessian sum in a leaf"),
      subsample: z.number().gt(0, "subsample must be > 0").max(1, "subsample must be ≤ 1").default(D.subsample).describe("Share of rows drawn per tree"),
      colsampleByTree: z.number().gt(0, "colsampleByTree must be > 0").max(1, "colsampleByTree must be ≤ 1").default(D.colsampleByTree).describe("Share of columns drawn per tree"),
      maxBins: z.number().int().min(2, "maxBins must be ≥ 2").max(256, "maxBins must be ≤ 256").default(D.maxBins).describe("Histogram bins per feature"),
      earlyStoppingRounds: z.number().int().min(1, "earlyStoppingRounds must be ≥ 1").optional().describe("Stop when the validation loss has not improved for this many rounds (off when empty)"),
      seed: z.number().int().default(D.seed).describe("Random seed (subsampling, validation split)"),
    })
    .strict(),
  cacheable: true,
  retry: { maximumAttempts: 2 },
  timeoutSeconds: 3600,
});
