import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { compile } from "../../../workflows/compiler/compile";
import { insertPipeline, insertPipelineVersion } from "../../../db/queries/pipelines";
import { isUuid } from "../../../contract/api/common";

export const MAX_MESSAGE = 500;

/**
 * Saves a spec as a new pipeline (no id) or as the next immutable version of
 * pipeline `id`. The spec is stored exactly as given; an invalid one is
 * refused with every error by node and field. Saving a version deletes the
 * pipeline's draft. `message` (trimmed, at most 500 characters) describes
 * the version in its history.
 */
export async function savePipeline(ctx: RequestContext, opts: { id?: string; spec: unknown; message?: string }): Promise<{ id: string; version: number }> {
  const message = (opts.message ?? "").trim();
  if (message.length > MAX_MESSAGE) throw new ServiceError("bad_request", `message: at most ${MAX_MESSAGE} characters, got ${message.length}`);
  const result = compile(opts.spec);
  if (!result.ok) throw new ServiceError("invalid", "the pipeline spec is invalid", result.errors);
  const { name, description } = result.spec;
  const common = { teamId: ctx.teamId, name, description, spec: opts.spec, message, createdBy: ctx.userId };
  if (!opts.id) return insertPipeline(ctx.db, common);
  const saved = isUuid(opts.id) ? await insertPipelineVersion(ctx.db, { ...common, pipelineId: opts.id }) : null;
  if (!saved) throw new ServiceError("not_found", `pipeline ${opts.id} does not exist`);
  return saved;
}
