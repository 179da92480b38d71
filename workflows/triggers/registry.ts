/**
 * Every trigger type, and the spec's `triggers` item schema built from them.
 * Adding a type: one module next to this file, listed here, plus its run-time
 * part in server/services/triggers if it needs one.
 */
import { z } from "zod";
import { datasetTrigger } from "./dataset";
import { driftTrigger } from "./drift";
import { scheduleTrigger } from "./schedule";
import type { TriggerDefinition, TriggerProblem } from "./types";
import { webhookTrigger } from "./webhook";

export const TRIGGER_TYPES = [scheduleTrigger, webhookTrigger, datasetTrigger, driftTrigger] as const;

export const ZTrigger = z.discriminatedUnion(
  "type",
  [
    z.object({ type: z.literal(scheduleTrigger.type), ...scheduleTrigger.schema.shape }).describe(scheduleTrigger.summary),
    z.object({ type: z.literal(webhookTrigger.type), ...webhookTrigger.schema.shape }).describe(webhookTrigger.summary),
    z.object({ type: z.literal(datasetTrigger.type), ...datasetTrigger.schema.shape }).describe(datasetTrigger.summary),
    z.object({ type: z.literal(driftTrigger.type), ...driftTrigger.schema.shape }).describe(driftTrigger.summary),
  ],
  {
    error: (issue) => (issue.code === "invalid_union" ? `trigger type must be one of ${TRIGGER_TYPES.map((t) => t.type).join(", ")}` : undefined),
  },
);
export type Trigger = z.infer<typeof ZTrigger>;

export function triggerDefinition(type: string): TriggerDefinition | undefined {
  return (TRIGGER_TYPES as readonly TriggerDefinition[]).find((t) => t.type === type);
}

/** Problems beyond the schema, by field of trigger `index` (`triggers[0].cron`). */
export function checkTrigger(trigger: Trigger, index: number): Array<TriggerProblem & { path: string }> {
  const def = triggerDefinition(trigger.type);
  return (def?.check?.(trigger as never) ?? []).map((p) => ({ ...p, path: `triggers[${index}].${p.field}` }));
}

export function describeTrigger(trigger: Trigger): string {
  return triggerDefinition(trigger.type)?.describe(trigger) ?? trigger.type;
}
