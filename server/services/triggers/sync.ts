/**
 * After a pipeline version is saved, its triggers take effect: a Temporal
 * Schedule per `schedule` trigger (created, updated, or deleted when the
 * trigger is gone), a webhook token while there is a `webhook` trigger.
 * `dataset` triggers need nothing here: an upload looks its subscribers up.
 */
import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { ZPipelineSpec, type Trigger } from "../../../workflows/spec/spec";
import { latestDatasetVersion } from "../../../db/queries/datasets";
import { getDeployment } from "../../../db/queries/deployments";
import { versionManifests } from "../../../db/queries/monitoring";
import { deleteSchedule, upsertSchedule } from "./schedules";
import { syncWebhook } from "./webhooks";

export const triggersOf = (spec: unknown): Trigger[] => {
  const parsed = ZPipelineSpec.safeParse(spec);
  return parsed.success ? parsed.data.triggers : [];
};

/**
 * What the spec cannot check on its own: a dataset trigger names a dataset
 * of the team; a drift trigger a deployment of the team, and features its
 * model has. Throws before anything is saved.
 */
export async function checkTriggers(ctx: RequestContext, spec: unknown): Promise<void> {
  const problems = [];
  for (const [i, t] of triggersOf(spec).entries()) {
    if (t.type === "dataset" && (await latestDatasetVersion(ctx.db, ctx.teamId, t.dataset)) === null) {
      problems.push({
        nodeId: null,
        field: `triggers[${i}].dataset`,
        message: `trigger ${i + 1} (dataset): there is no dataset named "${t.dataset}"; upload one with that name first`,
      });
    }
  }
  for (const [i, t] of triggersOf(spec).entries()) {
    if (t.type !== "drift") continue;
    const d = await getDeployment(ctx.db, ctx.teamId, t.deployment);
    if (!d) {
      problems.push({
        nodeId: null,
        field: `triggers[${i}].deployment`,
        message: `trigger ${i + 1} (drift): there is no deployment named "${t.deployment}"; deploy a model under that name first`,
      });
      continue;
    }
    if (!t.features) continue;
    const version = d.aliases[d.alias];
    const [served] = version === undefined ? [] : await versionManifests(ctx.db, d.modelId, [version]);
    const inputs = served?.manifest.inputs.map((x) => x.name) ?? [];
    for (const [j, f] of t.features.entries()) {
      if (served && !inputs.includes(f))
        problems.push({
          nodeId: null,
          field: `triggers[${i}].features[${j}]`,
          message: `trigger ${i + 1} (drift): deployment "${t.deployment}" has no feature "${f}" (its model's inputs: ${inputs.join(", ")})`,
        });
    }
  }
  if (problems.length) throw new ServiceError("invalid", "the pipeline spec is invalid", problems);
}

/** Returns the webhook token when one was just made (shown once). */
export async function syncTriggers(ctx: RequestContext, opts: { pipelineId: string; version: number; spec: unknown; previous: unknown }) {
  const now = triggersOf(opts.spec);
  const before = triggersOf(opts.previous);
  try {
    for (const [i, t] of now.entries()) if (t.type === "schedule") await upsertSchedule(ctx.teamId, opts.pipelineId, i, t);
    for (let i = 0; i < before.length; i++) if (before[i]!.type === "schedule" && now[i]?.type !== "schedule") await deleteSchedule(opts.pipelineId, i);
  } catch (e) {
    if (e instanceof ServiceError) throw e;
    throw new ServiceError(
      "unavailable",
      `version ${opts.version} was saved, but its schedules could not be set up (Temporal is not reachable); save again once it is`,
    );
  }
  return syncWebhook(
    ctx,
    opts.pipelineId,
    now.some((t) => t.type === "webhook"),
  );
}
