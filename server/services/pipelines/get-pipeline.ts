import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { getPipeline as queryPipeline, listPipelines as queryList } from "../../../db/queries/pipelines";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function getPipeline(ctx: RequestContext, opts: { id: string; version?: number }) {
  const found = UUID.test(opts.id) ? await queryPipeline(ctx.db, ctx.teamId, opts.id, opts.version) : null;
  if (!found) throw new ServiceError("not_found", `pipeline ${opts.id}${opts.version ? ` version ${opts.version}` : ""} does not exist`);
  return {
    id: found.pipeline.id,
    name: found.pipeline.name,
    version: found.version.version,
    spec: found.version.spec,
    versions: found.versions,
  };
}

export async function listPipelines(ctx: RequestContext) {
  return queryList(ctx.db, ctx.teamId);
}
