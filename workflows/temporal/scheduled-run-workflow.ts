/**
 * What a pipeline's Temporal Schedule starts at each fire time (one Schedule
 * per `schedule` trigger, server/services/triggers/schedules.ts): prepare a
 * run of the pipeline's latest saved version with the trigger's params, then
 * run it as a child workflow and wait, so the Schedule's overlap policy
 * (skip) covers the whole pipeline run.
 */
import { defineSearchAttributeKey, SearchAttributeType } from "@temporalio/common";
import { executeChild, proxyLocalActivities, workflowInfo } from "@temporalio/workflow";
import type { createScheduleActivities } from "./schedule-activities";
import type { PipelineRunResult, ScheduledRunInput } from "./contracts";
import type { pipelineRun } from "./pipeline-workflow";

const SCHEDULED_START = defineSearchAttributeKey("TemporalScheduledStartTime", SearchAttributeType.DATETIME);

const { prepareScheduledRun } = proxyLocalActivities<ReturnType<typeof createScheduleActivities>>({
  startToCloseTimeout: "30 seconds",
  retry: { maximumAttempts: 10, initialInterval: "1 second" },
});

export async function scheduledRun(input: ScheduledRunInput): Promise<PipelineRunResult | { status: "skipped"; reason: string }> {
  const info = workflowInfo();
  const scheduledAt = info.typedSearchAttributes.get(SCHEDULED_START) ?? info.startTime;
  const prepared = await prepareScheduledRun({ ...input, scheduledAt: scheduledAt.toISOString() });
  if (!prepared.ok) return { status: "skipped", reason: prepared.reason };
  return executeChild<typeof pipelineRun>("pipelineRun", {
    workflowId: prepared.workflowId,
    args: [prepared.input],
    memo: { pipeline: prepared.pipelineName, runId: prepared.runId },
  });
}
