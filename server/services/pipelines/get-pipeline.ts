import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { isUuid, MAX_INT32 } from "../../../contract/api/common";
import { getPipeline as queryPipeline, listPipelines as queryList, listPipelineVersions } from "../../../db/queries/pipelines";

/**
 * One version of a pipeline (the latest unless `version`), with the version
 * history (newest first, with authors) and whether a draft exists.
 */
export async function getPipeline(ctx: RequestContext, opts: { id: string; version?: number }) {
  if (opts.version !== undefined && !(Number.isInteger(opts.version) && opts.version > 0)) {
    throw new ServiceError("bad_request", `version must be a positive integer, got ${opts.version}`);
  }
  const exists = isUuid(opts.id) && (opts.version === undefined || opts.version <= MAX_INT32);
  const found = exists ? await queryPipeline(ctx.db, ctx.teamId, opts.id, opts.version) : null;
  if (!found) throw new ServiceError("not_found", `pipeline ${opts.id}${opts.version ? ` version ${opts.version}` : ""} does not exist`);
  return {
    id: found.pipeline.id,
    name: found.pipeline.name,
    version: found.version.version,
    spec: found.version.spec as Record<string, unknown>,
    message: found.version.message,
    createdAt: found.version.createdAt,
    createdBy: found.versions.find((v) => v.version === found.version.version)?.createdBy ?? null,
    versions: found.versions,
    draft: found.draft,
  };
}

/** One immutable version of pipeline `id`. */
export function getPipelineVersion(ctx: RequestContext, opts: { id: string; version: number }) {
  return getPipeline(ctx, opts);
}

/** The version history of pipeline `id`, newest first: { version, message, createdAt, createdBy: { id, name } | null }. */
export async function listVersions(ctx: RequestContext, opts: { id: string }) {
  const versions = isUuid(opts.id) ? await listPipelineVersions(ctx.db, ctx.teamId, opts.id) : [];
  if (versions.length === 0) throw new ServiceError("not_found", `pipeline ${opts.id} does not exist`);
  return versions;
}

/** The team's pipelines with their last run; `q` searches names, `sort` orders, `show: "deleted"` lists the deleted ones (to restore). */
export async function listPipelines(ctx: RequestContext, opts: { q?: string; sort?: "updated" | "name" | "lastRun"; show?: "live" | "deleted" } = {}) {
  return queryList(ctx.db, ctx.teamId, { q: opts.q || undefined, sort: opts.sort, deleted: opts.show === "deleted" });
}
