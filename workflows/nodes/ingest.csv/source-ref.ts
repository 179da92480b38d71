/**
 * What an `ingest.csv` source names: a bundled sample (`sample:<name>`), an
 * uploaded dataset by name — its latest version at run time
 * (`dataset:<name>`) or a pinned one (`dataset:<name>@<version>`) — or, as
 * saved by earlier versions of the editor, one upload by id
 * (`dataset:<uuid>`). Universal: the editor, the compiler and the worker
 * read sources the same way.
 */
export type SourceRef = { kind: "sample"; name: string } | { kind: "dataset-id"; id: string } | { kind: "dataset"; name: string; version?: number };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseSource(source: string): SourceRef | null {
  if (source.startsWith("sample:")) return /^[a-z0-9-]+$/.test(source.slice(7)) ? { kind: "sample", name: source.slice(7) } : null;
  if (!source.startsWith("dataset:")) return null;
  const rest = source.slice(8);
  if (UUID.test(rest)) return { kind: "dataset-id", id: rest };
  const m = /^(.+?)(?:@([1-9][0-9]{0,8}))?$/.exec(rest);
  const name = m?.[1]?.trim();
  if (!m || !name || name.length > 200) return null;
  return m[2] ? { kind: "dataset", name, version: Number(m[2]) } : { kind: "dataset", name };
}

export const datasetSource = (name: string, version?: number) => `dataset:${name}${version ? `@${version}` : ""}`;

/** The dataset a source names among `datasets` (latest version of a name unless pinned), if it is there. */
export function findDatasetFor<D extends { id: string; name: string; version: number }>(source: string, datasets: readonly D[]): D | undefined {
  const ref = parseSource(source);
  if (!ref || ref.kind === "sample") return undefined;
  if (ref.kind === "dataset-id") return datasets.find((d) => d.id === ref.id);
  const same = datasets.filter((d) => d.name === ref.name);
  return ref.version ? same.find((d) => d.version === ref.version) : same.reduce<D | undefined>((a, d) => (!a || d.version > a.version ? d : a), undefined);
}
