/** The compiled plan the workflow interprets (parsed again inside the workflow). */
import { z } from "zod";

export const ZPlanStep = z.object({
  nodeId: z.string(),
  type: z.string(),
  version: z.number().int(),
  label: z.string(),
  config: z.record(z.string(), z.unknown()),
  /** input port → producing step and its output port */
  inputs: z.record(z.string(), z.object({ nodeId: z.string(), port: z.string() })),
  dependsOn: z.array(z.string()),
  cacheable: z.boolean(),
  retry: z.object({ maximumAttempts: z.number().int().positive() }),
  timeoutSeconds: z.number().positive(),
  /** Heartbeat timeout of the step's activity; default STEP_HEARTBEAT_TIMEOUT_SECONDS. The compiler never sets it (tests do). */
  heartbeatTimeoutSeconds: z.number().positive().optional(),
  /** "heavy": the activity runs on the heavy task queue. Absent: the workflow's own queue. */
  queue: z.literal("heavy").optional(),
});
export type PlanStep = z.infer<typeof ZPlanStep>;

export const ZPipelinePlan = z.object({
  apiVersion: z.literal("conveyor/v1"),
  name: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  /** Steps in a topological order. */
  steps: z.array(ZPlanStep),
});
export type PipelinePlan = z.infer<typeof ZPipelinePlan>;
