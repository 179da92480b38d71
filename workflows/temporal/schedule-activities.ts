/**
 * The activity a scheduled run needs: find the pipeline's `schedule` trigger
 * in its latest saved version and prepare a run with the trigger's params.
 */
import type { Db } from "../../db/client";
import { getPipeline } from "../../db/queries/pipelines";
import { ZPipelineSpec } from "../spec/spec";
import type { ScheduledRunInput } from "./contracts";
import { prepareRun } from "./prepare-run";
import type { PipelineRunInput } from "./contracts";

export type PreparedScheduledRun =
  { ok: true; runId: string; workflowId: string; pipelineName: string; input: PipelineRunInput } | { ok: false; reason: string };

export function createScheduleActivities(deps: { db: Db }) {
  return {
    async prepareScheduledRun(input: ScheduledRunInput & { scheduledAt: string }): Promise<PreparedScheduledRun> {
      const found = await getPipeline(deps.db, input.teamId, input.pipelineId);
      if (!found) return { ok: false, reason: `pipeline ${input.pipelineId} no longer exists` };
      const spec = ZPipelineSpec.safeParse(found.version.spec);
      const trigger = spec.success ? spec.data.triggers[input.triggerIndex] : undefined;
      if (trigger?.type !== "schedule") return { ok: false, reason: `version ${found.version.version} has no schedule trigger ${input.triggerIndex + 1}` };
      const prepared = await prepareRun(deps.db, {
        teamId: input.teamId,
        pipelineId: input.pipelineId,
        version: found.version.version,
        params: trigger.params,
        trigger: {
          type: "schedule",
          detail: { triggerIndex: input.triggerIndex, cron: trigger.cron, timezone: trigger.timezone, scheduledAt: input.scheduledAt },
        },
      });
      if (!prepared.ok) return { ok: false, reason: prepared.reason === "invalid" ? prepared.errors.map((e) => e.message).join("; ") : "pipeline not found" };
      return { ok: true, runId: prepared.runId, workflowId: prepared.workflowId, pipelineName: prepared.pipelineName, input: prepared.input };
    },
  };
}
