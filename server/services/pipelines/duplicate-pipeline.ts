import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { isUuid } from "../../../contract/api/common";
import { latestPipelineSpec, pipelineNamesLike } from "../../../db/queries/pipelines";
import { savePipeline } from "./save-pipeline";

/** `"<name> copy"`, or `"<name> copy 2"`, `"… copy 3"`, … when the team already has a live pipeline of that name. */
export function copyName(name: string, taken: readonly string[]): string {
  const base = `${name} copy`;
  const used = new Set(taken);
  if (!used.has(base)) return base;
  let n = 2;
  while (used.has(`${base} ${n}`)) n++;
  return `${base} ${n}`;
}

/**
 * A new pipeline (version 1) whose spec is the latest version of `id` with
 * a new name and without triggers: a copy never runs on a schedule, a
 * webhook or an upload until someone adds them (`droppedTriggers` says how
 * many were left out).
 */
export async function duplicatePipeline(ctx: RequestContext, opts: { id: string; name?: string }) {
  const found = isUuid(opts.id) ? await latestPipelineSpec(ctx.db, ctx.teamId, opts.id) : null;
  if (!found) throw new ServiceError("not_found", `pipeline ${opts.id} does not exist`);
  const original = found.spec as Record<string, unknown>;
  const name = opts.name ?? copyName(found.name, await pipelineNamesLike(ctx.db, ctx.teamId, `${found.name} copy`));
  const dropped = Array.isArray(original.triggers) ? original.triggers.length : 0;
  // Same keys in the same order, but the name; the triggers left out.
  const spec = Object.fromEntries(
    Object.entries(structuredClone(original))
      .filter(([k]) => k !== "triggers")
      .map(([k, v]) => [k, k === "name" ? name : v]),
  );
  const saved = await savePipeline(ctx, { spec, message: `copy of "${found.name}" version ${found.version}` });
  return { id: saved.id, name, version: saved.version, from: { id: found.id, version: found.version }, droppedTriggers: dropped };
}
