import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { compile } from "../../../workflows/compiler/compile";
import { insertPipeline, insertPipelineVersion } from "../../../db/queries/pipelines";

/**
 * Saves a spec as a new pipeline (no id) or as the next immutable version of
 * pipeline `id`. The spec is stored exactly as given; an invalid one is
 * refused with every error by node and field.
 */
export async function savePipeline(ctx: RequestContext, opts: { id?: string; spec: unknown; message?: string }): Promise<{ id: string; version: number }> {
  const result = compile(opts.spec);
  if (!result.ok) throw new ServiceError("invalid", "the pipeline spec is invalid", result.errors);
  const { name, description } = result.spec;
  const common = { teamId: ctx.teamId, name, description, spec: opts.spec, message: opts.message ?? "", createdBy: ctx.userId };
  if (!opts.id) return insertPipeline(ctx.db, common);
  const saved = await insertPipelineVersion(ctx.db, { ...common, pipelineId: opts.id });
  if (!saved) throw new ServiceError("not_found", `pipeline ${opts.id} does not exist`);
  return saved;
}
