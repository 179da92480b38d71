import { z } from "zod";
import { defineNode } from "../../types";
import { defaultRegistryName, deployRegistryName } from "../../_shared/registry-name";
import { duration } from "../../../../contract/duration";
import { QUALITY_METRICS } from "../../../../contract/monitoring";
import v1 from "../v1/definition";

const ZLiveMetric = z
  .object({
    metric: z.enum(QUALITY_METRICS, { error: `metric must be one of ${QUALITY_METRICS.join(", ")}` }),
    value: z.number(),
    minLabelled: z.number().int().min(1).default(20).describe("Labelled requests needed to judge it; fewer extend the step"),
  })
  .strict();

const ZCanary = z
  .object({
    steps: z
      .array(z.number().int("canary steps are whole percents").min(1, "a canary step is at least 1 (%)").max(100, "a canary step is at most 100 (%)"))
      .min(1, "give at least one canary step")
      .max(20, "at most 20 canary steps")
      .default([10, 50, 100])
      .superRefine((steps, ctx) => {
        for (let i = 1; i < steps.length; i++) {
          if (steps[i]! <= steps[i - 1]!) {
            ctx.addIssue({ code: "custom", message: `canary steps must increase: ${steps[i]} after ${steps[i - 1]}`, path: [i] });
            return;
          }
        }
        if (steps.at(-1) !== 100)
          ctx.addIssue({ code: "custom", message: `the last canary step must be 100 (the challenger gets all traffic), got ${steps.at(-1)}` });
      })
      .describe("Percent of live traffic the new version gets at each step, increasing, ending at 100"),
    interval: duration("interval", { minSeconds: 1, maxSeconds: 7 * 86400 })
      .default("10m")
      .describe("How long each step lasts before its figures are judged"),
    rollback: z
      .object({
        maxErrorRate: z
          .number()
          .min(0)
          .max(1, "maxErrorRate is a share between 0 and 1")
          .optional()
          .describe("Roll back when a larger share of the new version's requests fail (answered with status 400 or more), e.g. 0.01"),
        maxP99Ms: z.number().positive("maxP99Ms must be positive").optional().describe("Roll back when the new version's p99 latency is higher (ms)"),
        minRequests: z.number().int().min(1).default(10).describe("Requests the new version needs in a step to be judged; fewer extend the step"),
        minLiveMetric: ZLiveMetric.optional().describe(
          'Roll back when the new version\'s live quality (its predictions in the step joined with the ground truth sent as feedback) is worse than a bound, e.g. {"metric": "mae", "value": 5}: at most 5 for an error metric, at least the value for accuracy, f1, auc or r2',
        ),
      })
      .strict()
      .default({ minRequests: 10 })
      .describe("Rules read between steps from the live figures of the new version"),
  })
  .strict();

const ZShadow = z
  .object({
    duration: duration("duration", { minSeconds: 1 }).default("1h").describe("How long the new version shadows the champion"),
    promote: z
      .object({
        minAgreement: z
          .number()
          .min(0)
          .max(1, "minAgreement is a share between 0 and 1")
          .optional()
          .describe("Promote when at least this share of its answers agree with the champion's"),
        minCompared: z.number().int().min(1).default(100).describe("…over at least this many compared rows"),
        minImprovement: z
          .number()
          .min(0)
          .optional()
          .describe(
            "Promote when the new version is better than the champion by at least this share on the same labelled requests (0.02: 2% lower error, or 2% higher accuracy)",
          ),
        metric: z.enum(QUALITY_METRICS).optional().describe("The metric minImprovement compares (default: mae for regression, accuracy for classification)"),
        minLabelled: z.number().int().min(1).default(100).describe("…over at least this many requests whose ground truth arrived (feedback)"),
      })
      .strict()
      .refine((p) => p.minAgreement !== undefined || p.minImprovement !== undefined, {
        message: "shadow.promote needs minAgreement or minImprovement (or both)",
      })
      .optional()
      .describe("Promote automatically at the end of the period when every rule given holds (else only a person promotes it)"),
  })
  .strict();

const ZAb = z
  .object({
    weight: z.number().int().min(1, "weight is 1–99 (%)").max(99, "weight is 1–99 (%)").default(50).describe("Percent of live traffic for the new version"),
    duration: duration("duration", { minSeconds: 1 })
      .default("7d")
      .describe("How long the test runs before traffic returns to the champion (a person promotes the winner)"),
    sticky: z
      .union([z.object({ parameter: z.string().min(1).max(64) }).strict(), z.object({ column: z.string().min(1).max(256) }).strict()])
      .describe('What keeps one caller on one version: an OIP request parameter ({"parameter": "customer_id"}) or an input column ({"column": "store"})'),
  })
  .strict();

export default defineNode({
  type: "deploy.endpoint",
  version: 2,
  label: "Deploy endpoint",
  group: "deploy",
  description:
    "Registers the model version and rolls it out at /v2/models/{model}: replace (at once), canary (traffic moves step by step, rolled back automatically when a rule breaks), shadow (a copy of every request, answers compared, never returned) or ab (a sticky split). A rollout that ends without promotion fails the step and leaves the champion serving.",
  inputs: v1.inputs,
  outputs: v1.outputs,
  config: z
    .object({
      model: deployRegistryName(),
      alias: z
        .string()
        .regex(/^[a-z][a-z0-9-_]{0,31}$/, "alias must be a lowercase name")
        .refine((a) => a !== "challenger", "alias names what the endpoint serves (e.g. champion); a rollout sets challenger itself")
        .default("champion")
        .describe("Alias the endpoint serves; moved to the new version when it is promoted"),
      strategy: z
        .enum(["replace", "canary", "shadow", "ab"], { error: 'strategy must be "replace", "canary", "shadow" or "ab"' })
        .default("replace")
        .describe("Rollout strategy"),
      canary: ZCanary.optional().describe("strategy canary: steps, interval and rollback rules"),
      shadow: ZShadow.optional().describe("strategy shadow: the period and an optional promotion rule"),
      ab: ZAb.optional().describe("strategy ab: the split and what keeps it sticky"),
    })
    .strict()
    .superRefine((c, ctx) => {
      for (const k of ["canary", "shadow", "ab"] as const) {
        if (c[k] !== undefined && c.strategy !== k)
          ctx.addIssue({ code: "custom", path: [k], message: `${k} settings are for strategy "${k}", but strategy is "${c.strategy}"` });
      }
      if (c.strategy === "ab" && !c.ab)
        ctx.addIssue({
          code: "custom",
          path: ["ab"],
          message: "strategy ab needs ab.sticky: the request parameter or input column that keeps a caller on one version",
        });
    }),
  cacheable: false,
  retry: { maximumAttempts: 3 },
  timeoutSeconds: 120,
  // No name given: the pipeline's (as evaluate and approval steps assume).
  complete: (config, pipeline) => (config.model !== undefined ? config : { ...config, model: defaultRegistryName(pipeline.name) }),
  formHints: (_around, pipeline) => ({ placeholders: { model: defaultRegistryName(pipeline.name) } }),
  upgradeNote: "Adds the canary, shadow and ab strategies; a v1 node's config (strategy replace) carries over unchanged.",
});
