import { z } from "zod";
import { defineNode } from "../../types";
import { checkTrainTarget, taskFollowsTarget, trainCommonConfig } from "../../_shared/train-config";
import { GBDT_NODE_OPTIONS, ZGbdtOptions } from "../../../ml/gbdt/options";

const pick = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, true])) as { [P in K]: true };

export default defineNode({
  type: "train.gbdt",
  version: 1,
  label: "Gradient-boosted trees",
  group: "train",
  description: "Histogram gradient boosting (regression, binary, multiclass), exported to ONNX as a tree ensemble.",
  inputs: [{ name: "dataset", type: "dataset" }],
  outputs: [{ name: "model", type: "model" }],
  // Limits, defaults and help are the trainer's own (workflows/ml/gbdt/options.ts), defined once there.
  config: z.object({ ...trainCommonConfig, ...ZGbdtOptions.pick(pick(GBDT_NODE_OPTIONS)).shape }).strict(),
  cacheable: true,
  retry: { maximumAttempts: 2 },
  timeoutSeconds: 3600,
  heavy: true,
  check: checkTrainTarget,
  edited: taskFollowsTarget,
});
