import { z } from "zod";
import { defineNode } from "../../types";
import { checkTrainTarget, taskFollowsTarget, trainCommonConfig } from "../../_shared/train-config";
import { ZLinearOptions } from "../../../ml/linear/options";

export default defineNode({
  type: "train.linear",
  version: 1,
  label: "Linear model",
  group: "train",
  description: "Ridge regression or (multinomial) logistic regression, exported to ONNX with its preprocessing.",
  inputs: [{ name: "dataset", type: "dataset" }],
  outputs: [{ name: "model", type: "model" }],
  // Limits, defaults and help are the trainer's own (workflows/ml/linear/options.ts), defined once there.
  config: z.object({ ...trainCommonConfig, l2: ZLinearOptions.shape.l2 }).strict(),
  cacheable: true,
  retry: { maximumAttempts: 2 },
  timeoutSeconds: 1800,
  heavy: true,
  check: checkTrainTarget,
  edited: taskFollowsTarget,
});
