import { z } from "zod";
import { defineNode } from "../../types";
import { ALIAS_NAME, defaultRegistryName, deployRegistryName } from "../../_shared/registry-name";

export default defineNode({
  type: "deploy.endpoint",
  version: 1,
  label: "Deploy endpoint",
  group: "deploy",
  description: "Registers the model version, moves its alias and serves it at /v2/models/{model}.",
  inputs: [
    { name: "model", type: "model" },
    { name: "decision", type: "decision" },
  ],
  outputs: [{ name: "deployment", type: "deployment" }],
  config: z
    .object({
      model: deployRegistryName(),
      alias: z.string().regex(ALIAS_NAME, "alias must be a lowercase name").default("champion").describe("Alias to move to the new version"),
      strategy: z
        .enum(["replace"], { error: 'strategy must be "replace" (canary, shadow and A/B come later)' })
        .default("replace")
        .describe("Rollout strategy"),
    })
    .strict(),
  cacheable: false,
  retry: { maximumAttempts: 3 },
  timeoutSeconds: 120,
  // No name given: the pipeline's (as evaluate and approval steps assume).
  complete: (config, pipeline) => (config.model !== undefined ? config : { ...config, model: defaultRegistryName(pipeline.name) }),
  formHints: (_around, pipeline) => ({ placeholders: { model: defaultRegistryName(pipeline.name) } }),
});
