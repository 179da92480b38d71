/** The triggers of a pipeline's latest version with their live state, and the team's schedules. */
import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { isUuid } from "../../../contract/api/common";
import { latestSpecs } from "../../../db/queries/triggers";
import { getPipeline } from "../../../db/queries/pipelines";
import { latestDatasetVersion } from "../../../db/queries/datasets";
import { ZPipelineSpec, type Trigger } from "../../../workflows/spec/spec";
import { describeTrigger } from "../../../workflows/triggers/registry";
import { describeSchedule, setSchedulePaused, type ScheduleState } from "./schedules";
import { hookPath, newWebhookToken, webhookHint } from "./webhooks";

async function latestTriggers(ctx: RequestContext, pipelineId: string) {
  const found = isUuid(pipelineId) ? await getPipeline(ctx.db, ctx.teamId, pipelineId) : null;
  if (!found) throw new ServiceError("not_found", `pipeline ${pipelineId} does not exist`);
  const spec = ZPipelineSpec.safeParse(found.version.spec);
  return { found, triggers: spec.success ? spec.data.triggers : [] };
}

async function stateOf(ctx: RequestContext, pipelineId: string, t: Trigger, index: number) {
  switch (t.type) {
    case "schedule":
      return { schedule: (await describeSchedule(pipelineId, index)) ?? null };
    case "webhook": {
      const hint = await webhookHint(ctx, pipelineId);
      return { webhook: hint ? { path: hookPath(`whk_…${hint}`), hint } : null };
    }
    case "dataset":
      return { dataset: { latestVersion: await latestDatasetVersion(ctx.db, ctx.teamId, t.dataset) } };
    default:
      return {};
  }
}

export async function listTriggers(ctx: RequestContext, opts: { id: string }) {
  const { found, triggers } = await latestTriggers(ctx, opts.id);
  return Promise.all(
    triggers.map(async (t, index) => ({
      index,
      version: found.version.version,
      description: describeTrigger(t),
      trigger: t,
      ...(await stateOf(ctx, opts.id, t, index)),
    })),
  );
}

async function scheduleAt(ctx: RequestContext, id: string, index: number) {
  const { triggers } = await latestTriggers(ctx, id);
  const t = triggers[index];
  if (t?.type !== "schedule") throw new ServiceError("not_found", `pipeline ${id} has no schedule trigger at index ${index}`);
  return t;
}

export async function pauseTrigger(ctx: RequestContext, opts: { id: string; index: number; reason: string; paused: boolean }): Promise<ScheduleState> {
  await scheduleAt(ctx, opts.id, opts.index);
  const note = `${opts.paused ? "paused" : "resumed"} by user:${ctx.userId}: ${opts.reason}`;
  if (!(await setSchedulePaused(opts.id, opts.index, opts.paused, note)))
    throw new ServiceError("conflict", "the schedule does not exist in Temporal yet; save the pipeline again");
  return (await describeSchedule(opts.id, opts.index))!;
}

export async function regenerateWebhook(ctx: RequestContext, opts: { id: string }) {
  const { triggers } = await latestTriggers(ctx, opts.id);
  if (!triggers.some((t) => t.type === "webhook")) throw new ServiceError("conflict", `pipeline ${opts.id} has no webhook trigger; add one and save first`);
  return newWebhookToken(ctx, opts.id);
}

/** Every schedule trigger of the team's pipelines, with its state. */
export async function listSchedules(ctx: RequestContext) {
  const rows = await latestSpecs(ctx.db, ctx.teamId);
  const out = [];
  for (const row of rows) {
    const spec = ZPipelineSpec.safeParse(row.spec);
    if (!spec.success) continue;
    for (const [index, t] of spec.data.triggers.entries()) {
      if (t.type !== "schedule") continue;
      out.push({
        pipelineId: row.id,
        pipelineName: row.name,
        index,
        cron: t.cron,
        timezone: t.timezone,
        description: describeTrigger(t),
        schedule: await describeSchedule(row.id, index),
      });
    }
  }
  return out.sort((a, b) => a.pipelineName.localeCompare(b.pipelineName) || a.index - b.index);
}
