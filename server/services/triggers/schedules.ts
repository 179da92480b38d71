/**
 * One Temporal Schedule per `schedule` trigger of a pipeline's latest saved
 * version (id `pipeline-<id>-trigger-<index>`). Each fire starts the
 * `scheduledRun` workflow (workflows/temporal/scheduled-run-workflow.ts),
 * which runs the latest version with the trigger's params. Overlap: skip.
 * Pausing and resuming keep a reason in the Schedule's note.
 */
import { ScheduleNotFoundError, ScheduleOverlapPolicy, type ScheduleDescription } from "@temporalio/client";
import { env } from "../../../infra/env";
import { temporalClient } from "../../temporal";
import type { Trigger } from "../../../workflows/spec/spec";
import type { ScheduledRunInput } from "../../../workflows/temporal/contracts";

type ScheduleTrigger = Extract<Trigger, { type: "schedule" }>;

export const scheduleId = (pipelineId: string, index: number) => `pipeline-${pipelineId}-trigger-${index}`;

function definition(teamId: string, pipelineId: string, index: number, t: ScheduleTrigger) {
  const args: [ScheduledRunInput] = [{ teamId, pipelineId, triggerIndex: index }];
  return {
    spec: { cronExpressions: [t.cron], timezone: t.timezone },
    action: {
      type: "startWorkflow" as const,
      workflowType: "scheduledRun",
      workflowId: `scheduled-${pipelineId}-${index}`,
      taskQueue: env().TEMPORAL_TASK_QUEUE,
      args,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: "1 minute" },
  };
}

/** Creates or updates the Schedule of trigger `index`; an update keeps its paused state and note. */
export async function upsertSchedule(teamId: string, pipelineId: string, index: number, t: ScheduleTrigger): Promise<void> {
  const client = await temporalClient();
  const id = scheduleId(pipelineId, index);
  const def = definition(teamId, pipelineId, index, t);
  const handle = client.schedule.getHandle(id);
  try {
    await handle.update((prev) => ({ ...prev, ...def, policies: { ...prev.policies, ...def.policies } }));
  } catch (e) {
    if (!(e instanceof ScheduleNotFoundError)) throw e;
    await client.schedule.create({ scheduleId: id, ...def, memo: { pipelineId } });
  }
}

export async function deleteSchedule(pipelineId: string, index: number): Promise<void> {
  const client = await temporalClient();
  try {
    await client.schedule.getHandle(scheduleId(pipelineId, index)).delete();
  } catch (e) {
    if (!(e instanceof ScheduleNotFoundError)) throw e;
  }
}

export interface ScheduleState {
  paused: boolean;
  note: string | null;
  nextFireTimes: Date[];
  lastFiredAt: Date | null;
}

export async function describeSchedule(pipelineId: string, index: number): Promise<ScheduleState | null> {
  const client = await temporalClient();
  let d: ScheduleDescription;
  try {
    d = await client.schedule.getHandle(scheduleId(pipelineId, index)).describe();
  } catch (e) {
    if (e instanceof ScheduleNotFoundError) return null;
    throw e;
  }
  const last = d.info.recentActions.at(-1);
  return { paused: d.state.paused, note: d.state.note ?? null, nextFireTimes: d.info.nextActionTimes.slice(0, 5), lastFiredAt: last?.scheduledAt ?? null };
}

export async function setSchedulePaused(pipelineId: string, index: number, paused: boolean, note: string): Promise<boolean> {
  const client = await temporalClient();
  const handle = client.schedule.getHandle(scheduleId(pipelineId, index));
  try {
    if (paused) await handle.pause(note);
    else await handle.unpause(note);
    return true;
  } catch (e) {
    if (e instanceof ScheduleNotFoundError) return false;
    throw e;
  }
}

/** Fires the Schedule now (its overlap policy applies): tests and "run now" from the schedules page. */
export async function triggerScheduleNow(pipelineId: string, index: number): Promise<boolean> {
  const client = await temporalClient();
  try {
    await client.schedule.getHandle(scheduleId(pipelineId, index)).trigger();
    return true;
  } catch (e) {
    if (e instanceof ScheduleNotFoundError) return false;
    throw e;
  }
}
