import { z } from "zod";
import { defineNode } from "../../types";
import { registryName, registryNameDownstream } from "../../_shared/registry-name";
import { duration } from "../../../../contract/duration";

export default defineNode({
  type: "gate.approval",
  version: 1,
  label: "Approval",
  group: "gate",
  description:
    "Waits for a person to approve or reject the new model (the approvals inbox, or POST /api/v1/approvals/{id}), with its metrics beside the champion's. The wait is durable: it survives restarts of every process. No decision before the timeout rejects.",
  inputs: [
    { name: "metrics", type: "metrics" },
    { name: "model", type: "model", label: "model (for the preview)" },
  ],
  outputs: [{ name: "decision", type: "decision" }],
  config: z
    .object({
      timeout: duration("timeout", { minSeconds: 10, maxSeconds: 90 * 86400 })
        .default("7d")
        .describe("How long to wait for a decision; then it is rejected"),
      instructions: z
        .string()
        .max(2000, "instructions must be at most 2000 characters")
        .default("")
        .describe("What the approver should check (shown in the inbox)"),
      registryName: registryName("registryName")
        .optional()
        .describe("Registry model the new version would join (default: the model of the deploy.endpoint downstream, else the pipeline's name made URL-safe)"),
    })
    .strict(),
  cacheable: false,
  retry: { maximumAttempts: 3 },
  timeoutSeconds: 60,
  complete: (config, pipeline) => {
    if (config.registryName !== undefined) return config;
    return { ...config, registryName: registryNameDownstream(pipeline) };
  },
});
