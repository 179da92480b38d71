import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { getRun as queryRun, listRuns as queryRuns } from "../../../db/queries/runs";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function getRun(ctx: RequestContext, opts: { runId: string }) {
  const run = UUID.test(opts.runId) ? await queryRun(ctx.db, ctx.teamId, opts.runId) : null;
  if (!run) throw new ServiceError("not_found", `run ${opts.runId} does not exist`);
  return run;
}

export async function listRuns(ctx: RequestContext, opts: { pipelineId?: string }) {
  const rows = await queryRuns(ctx.db, ctx.teamId, opts);
  return rows.map((r) => ({ ...r.run, pipelineName: r.pipelineName }));
}
