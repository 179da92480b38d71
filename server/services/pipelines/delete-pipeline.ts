import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { isUuid, type Problem } from "../../../contract/api/common";
import { latestPipelineSpec, pipelineDependents, restoreDeletedPipeline, softDeletePipeline } from "../../../db/queries/pipelines";
import { triggersOf } from "../triggers/sync";
import { describeSchedule } from "../triggers/schedules";

const notFound = (id: string) => new ServiceError("not_found", `pipeline ${id} does not exist`);

/**
 * What keeps pipeline `id` from being deleted, one problem each (`field`
 * names the kind): runs still going, active schedules, and model versions it
 * trained that an alias points at or a deployment serves.
 */
export async function pipelineBlockers(ctx: RequestContext, id: string, spec: unknown): Promise<Problem[]> {
  const problems: Problem[] = [];
  const deps = await pipelineDependents(ctx.db, ctx.teamId, id);
  for (const r of deps.activeRuns) problems.push({ nodeId: null, field: "runs", message: `run ${r.id} is ${r.status}: cancel it or let it finish` });
  for (const [index, t] of triggersOf(spec).entries()) {
    if (t.type !== "schedule") continue;
    let state;
    try {
      state = await describeSchedule(id, index);
    } catch {
      throw new ServiceError("unavailable", "Temporal is not reachable, so whether the pipeline's schedules are active is unknown; try again once it is");
    }
    if (state && !state.paused)
      problems.push({ nodeId: null, field: `triggers.${index}`, message: `the schedule "${t.cron}" is active: pause it (or remove the trigger) first` });
  }
  for (const d of deps.deployments)
    problems.push({
      nodeId: null,
      field: "deployment",
      message: `deployment ${d.deployment} serves ${d.model} v${d.version}, which a run of this pipeline trained`,
    });
  for (const a of deps.aliases)
    problems.push({ nodeId: null, field: "alias", message: `${a.model}@${a.alias} points at v${a.version}, which a run of this pipeline trained` });
  return problems;
}

/**
 * Deletes pipeline `id` softly: it leaves every list and lookup, its
 * webhook, dataset and drift triggers stop acting, and its runs, versions
 * and models stay. Refused (409, one detail per dependent) while something
 * depends on it. `restorePipeline` undoes it.
 */
export async function deletePipeline(ctx: RequestContext, opts: { id: string }) {
  const found = isUuid(opts.id) ? await latestPipelineSpec(ctx.db, ctx.teamId, opts.id) : null;
  if (!found) throw notFound(opts.id);
  const problems = await pipelineBlockers(ctx, found.id, found.spec);
  if (problems.length) {
    throw new ServiceError("conflict", `pipeline "${found.name}" is in use: ${problems.map((p) => p.message).join("; ")}`, problems);
  }
  const deleted = await softDeletePipeline(ctx.db, ctx.teamId, found.id, ctx.userId || null);
  if (!deleted) throw notFound(opts.id);
  return deleted;
}

/** Undoes `deletePipeline`: listed again, triggers acting again (a paused schedule stays paused). */
export async function restorePipeline(ctx: RequestContext, opts: { id: string }) {
  const restored = isUuid(opts.id) ? await restoreDeletedPipeline(ctx.db, ctx.teamId, opts.id) : null;
  if (!restored) throw new ServiceError("not_found", `pipeline ${opts.id} is not deleted (or does not exist)`);
  return { id: restored.id, name: restored.name, version: restored.latestVersion };
}
