import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { isUuid, type Problem } from "../../../contract/api/common";
import { getDataset, latestDatasetVersion, pipelineVersionsMentioning, restoreDeletedDataset, softDeleteDataset } from "../../../db/queries/datasets";
import { parseSource } from "../../../workflows/nodes/ingest.csv/source-ref";

const view = (r: { id: string; name: string; version: number; rows: number; columns: { name: string; type: string }[]; createdAt: Date }) => ({
  id: r.id,
  name: r.name,
  version: r.version,
  rows: r.rows,
  columns: r.columns,
  createdAt: r.createdAt,
});

interface SpecLike {
  nodes?: { id?: unknown; config?: { source?: unknown } }[];
  triggers?: { type?: unknown; dataset?: unknown }[];
}

/**
 * The pipeline versions that read dataset version `d`, one problem each: a
 * node whose source is its id or `<name>@<version>`, or — when `d` is the
 * latest version, which a bare name means — `dataset:<name>` or a `dataset`
 * trigger on the name. Only live pipelines count (a deleted one is not run).
 */
export async function datasetBlockers(ctx: RequestContext, d: { id: string; name: string; version: number }): Promise<Problem[]> {
  const latest = (await latestDatasetVersion(ctx.db, ctx.teamId, d.name)) === d.version;
  const candidates = await pipelineVersionsMentioning(ctx.db, ctx.teamId, [d.id, d.name]);
  const problems: Problem[] = [];
  for (const pv of candidates) {
    const spec = (pv.spec ?? {}) as SpecLike;
    const where = `pipeline "${pv.pipelineName}" version ${pv.version}`;
    for (const node of Array.isArray(spec.nodes) ? spec.nodes : []) {
      const source = typeof node?.config?.source === "string" ? node.config.source : "";
      const ref = parseSource(source);
      if (!ref || ref.kind === "sample") continue;
      const reads = ref.kind === "dataset-id" ? ref.id === d.id : ref.name === d.name && (ref.version === undefined ? latest : ref.version === d.version);
      if (reads)
        problems.push({
          nodeId: typeof node.id === "string" ? node.id : null,
          field: "config.source",
          message: `${where} reads it (source "${source}")${ref.kind === "dataset" && ref.version === undefined ? ", the latest version" : ""}`,
        });
    }
    if (latest && (Array.isArray(spec.triggers) ? spec.triggers : []).some((t) => t?.type === "dataset" && t.dataset === d.name))
      problems.push({ nodeId: null, field: "triggers", message: `${where} has a dataset trigger on "${d.name}"` });
  }
  return problems;
}

/**
 * Deletes dataset version `id` softly: it leaves the list and no source
 * finds it; the file stays, so `restoreDataset` undoes it. Refused (409,
 * naming each pipeline version and node) while a live pipeline reads it.
 */
export async function deleteDataset(ctx: RequestContext, opts: { id: string }) {
  const row = isUuid(opts.id) ? await getDataset(ctx.db, ctx.teamId, opts.id) : null;
  if (!row) throw new ServiceError("not_found", `dataset ${opts.id} does not exist`);
  const problems = await datasetBlockers(ctx, row);
  if (problems.length) {
    throw new ServiceError(
      "conflict",
      `dataset "${row.name}" version ${row.version} is in use: ${problems.map((p) => (p.nodeId ? `${p.message}, node ${p.nodeId}` : p.message)).join("; ")}`,
      problems,
    );
  }
  const gone = await softDeleteDataset(ctx.db, ctx.teamId, row.id);
  if (!gone) throw new ServiceError("not_found", `dataset ${opts.id} does not exist`);
  return { ...view(gone), deletedAt: gone.deletedAt! };
}

/** Undoes `deleteDataset`. */
export async function restoreDataset(ctx: RequestContext, opts: { id: string }) {
  const row = isUuid(opts.id) ? await restoreDeletedDataset(ctx.db, ctx.teamId, opts.id) : null;
  if (!row) throw new ServiceError("not_found", `dataset ${opts.id} is not deleted (or does not exist)`);
  return view(row);
}
