/**
 * The columns of the uploaded datasets a spec reads, looked up in the team:
 * what compile() checks column fields against on the server (saving a
 * version, starting a run), as the editor does with its list of datasets.
 */
import type { Db } from "../../../db/client";
import { findDatasetVersion, getDataset } from "../../../db/queries/datasets";
import { parseSource } from "./source-ref";
import type { Columns } from "../types";

/** compile()'s `datasets` option for `spec`: the columns of each `dataset:` source its nodes name (those that exist). */
export async function datasetColumnsOf(db: Db, teamId: string, spec: unknown): Promise<(source: string) => Columns | undefined> {
  const nodes = (spec as { nodes?: unknown } | null)?.nodes;
  const sources = new Set<string>();
  if (Array.isArray(nodes)) {
    for (const n of nodes) {
      const source = (n as { config?: { source?: unknown } } | null)?.config?.source;
      if (typeof source === "string" && source.startsWith("dataset:")) sources.add(source);
    }
  }
  const found = new Map<string, Columns>();
  for (const source of sources) {
    const ref = parseSource(source);
    if (!ref || ref.kind === "sample") continue;
    const row = ref.kind === "dataset-id" ? await getDataset(db, teamId, ref.id) : await findDatasetVersion(db, teamId, ref.name, ref.version);
    if (row) found.set(source, row.columns);
  }
  return (source) => found.get(source);
}
