import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { compile } from "../../../workflows/compiler/compile";
import { deletePipelineDraft, getPipeline, insertPipeline, insertPipelineVersion } from "../../../db/queries/pipelines";
import { isUuid } from "../../../contract/api/common";
import { checkTriggers, syncTriggers } from "../triggers/sync";
import { datasetColumnsOf } from "../../../workflows/nodes/ingest.csv/dataset-columns";

export const MAX_MESSAGE = 500;

/**
 * Saves a spec as a new pipeline (no id) or as the next immutable version of
 * pipeline `id`. The spec is stored exactly as given; an invalid one is
 * refused with every error by node and field (column fields are checked
 * against the team's uploaded datasets, as the editor does). Saving a version deletes the
 * pipeline's draft, and makes its triggers take effect (schedules, webhook:
 * `webhook` is the new webhook's token and URL, returned this once).
 * `message` (trimmed, at most 500 characters) describes the version.
 */
export async function savePipeline(
  ctx: RequestContext,
  opts: { id?: string; spec: unknown; message?: string },
): Promise<{ id: string; version: number; unchanged?: boolean; webhook?: { token: string; url: string } }> {
  const message = (opts.message ?? "").trim();
  if (message.length > MAX_MESSAGE) throw new ServiceError("bad_request", `message: at most ${MAX_MESSAGE} characters, got ${message.length}`);
  const result = compile(opts.spec, { datasets: await datasetColumnsOf(ctx.db, ctx.teamId, opts.spec) });
  if (!result.ok) throw new ServiceError("invalid", "the pipeline spec is invalid", result.errors);
  await checkTriggers(ctx, opts.spec);
  const { name, description } = result.spec;
  const common = { teamId: ctx.teamId, name, description, spec: opts.spec, message, createdBy: ctx.userId };
  let previous: unknown = null;
  let saved: { id: string; version: number } | null;
  if (!opts.id) saved = await insertPipeline(ctx.db, common);
  else {
    const latest = isUuid(opts.id) ? await getPipeline(ctx.db, ctx.teamId, opts.id) : null;
    previous = latest?.version.spec ?? null;
    // The same spec as the latest version (key order aside): no new version; the draft, if any, is that version.
    if (latest && canonical(previous) === canonical(opts.spec)) {
      await deletePipelineDraft(ctx.db, ctx.teamId, opts.id);
      return { id: opts.id, version: latest.version.version, unchanged: true };
    }
    saved = previous === null ? null : await insertPipelineVersion(ctx.db, { ...common, pipelineId: opts.id });
  }
  if (!saved) throw new ServiceError("not_found", `pipeline ${opts.id} does not exist`);
  const webhook = await syncTriggers(ctx, { pipelineId: saved.id, version: saved.version, spec: opts.spec, previous });
  return webhook ? { ...saved, webhook: { token: webhook.token, url: webhook.url } } : saved;
}

/** JSON with object keys sorted: equal for specs that differ only in key order. */
function canonical(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
