import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { getPipeline as queryPipeline, listPipelines as queryList, listPipelineVersions } from "../../../db/queries/pipelines";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (id: string) => UUID.test(id);

/**
 * One version of a pipeline (the latest unless `version`), with the version
 * history (newest first, with authors) and whether a draft exists.
 */
export async function getPipeline(ctx: RequestContext, opts: { id: string; version?: number }) {
  if (opts.version !== undefined && !(Number.isInteger(opts.version) && opts.version > 0)) {
    throw new ServiceError("bad_request", `version must be a positive integer, got ${opts.version}`);
  }
  const found = isUuid(opts.id) ? await queryPipeline(ctx.db, ctx.teamId, opts.id, opts.version) : null;
  if (!found) throw new ServiceError("not_found", `pipeline ${opts.id}${opts.version ? ` version ${opts.version}` : ""} does not exist`);
  return {
    id: found.pipeline.id,
    name: found.pipeline.name,
    version: found.version.version,
    spec: found.version.spec,
    message: found.version.message,
    createdAt: found.version.createdAt,
    createdBy: found.versions.find((v) => v.version === found.version.version)?.createdBy ?? null,
    versions: found.versions,
    draft: found.draft,
  };
}

/** The version history of pipeline `id`, newest first: { version, message, createdAt, createdBy: { id, name } | null }. */
export async function listVersions(ctx: RequestContext, opts: { id: string }) {
  const versions = isUuid(opts.id) ? await listPipelineVersions(ctx.db, ctx.teamId, opts.id) : [];
  if (versions.length === 0) throw new ServiceError("not_found", `pipeline ${opts.id} does not exist`);
  return versions;
}

export async function listPipelines(ctx: RequestContext) {
  return queryList(ctx.db, ctx.teamId);
}
