import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { deletePipelineDraft, findPipelineDraft, findPipelineLatestVersion, upsertPipelineDraft } from "../../../db/queries/pipelines";
import { isUuid } from "../../../contract/api/common";

export const MAX_DRAFT_BYTES = 5 * 1024 * 1024;

const notFound = (id: string) => new ServiceError("not_found", `pipeline ${id} does not exist`);
const invalid = (field: string, message: string) => new ServiceError("invalid", `${field}: ${message}`, [{ nodeId: null, field, message }]);

async function latestVersion(ctx: RequestContext, id: string): Promise<number> {
  const latest = isUuid(id) ? await findPipelineLatestVersion(ctx.db, ctx.teamId, id) : null;
  if (latest === null) throw notFound(id);
  return latest;
}

/** The autosaved editor state of pipeline `id`, or null when there is none. */
export async function getDraft(ctx: RequestContext, opts: { id: string }) {
  const draft = isUuid(opts.id) ? await findPipelineDraft(ctx.db, ctx.teamId, opts.id) : null;
  if (!draft) await latestVersion(ctx, opts.id); // unknown pipeline: not_found rather than "no draft"
  return draft && { ...draft, spec: draft.spec as Record<string, unknown> };
}

/**
 * Creates or replaces the draft. The spec is stored verbatim and is not
 * validated as a pipeline (a draft may be half-edited); it only has to be a
 * JSON object of at most 5 MB. `baseVersion` is the version it started from.
 */
export async function saveDraft(
  ctx: RequestContext,
  opts: { id: string; spec: unknown; baseVersion: unknown },
): Promise<{ baseVersion: number; updatedAt: Date }> {
  const { spec, baseVersion } = opts;
  if (typeof spec !== "object" || spec === null || Array.isArray(spec))
    throw invalid("spec", `must be a JSON object, got ${spec === null ? "null" : Array.isArray(spec) ? "an array" : typeof spec}`);
  const bytes = Buffer.byteLength(JSON.stringify(spec));
  if (bytes > MAX_DRAFT_BYTES) throw invalid("spec", `is ${(bytes / 1024 / 1024).toFixed(1)} MB as JSON; a draft may be at most 5 MB`);
  if (typeof baseVersion !== "number" || !Number.isInteger(baseVersion) || baseVersion < 1)
    throw invalid("baseVersion", `must be a positive integer, got ${JSON.stringify(baseVersion) ?? "nothing"}`);
  const latest = await latestVersion(ctx, opts.id);
  if (baseVersion > latest) throw invalid("baseVersion", `pipeline ${opts.id} has no version ${baseVersion} (latest is ${latest})`);
  const saved = await upsertPipelineDraft(ctx.db, { teamId: ctx.teamId, pipelineId: opts.id, spec, baseVersion, updatedBy: ctx.userId });
  if (!saved) throw notFound(opts.id);
  return saved;
}

/** Deletes the draft; `discarded` is false when there was none. */
export async function discardDraft(ctx: RequestContext, opts: { id: string }): Promise<{ discarded: boolean }> {
  await latestVersion(ctx, opts.id);
  return { discarded: await deletePipelineDraft(ctx.db, ctx.teamId, opts.id) };
}
