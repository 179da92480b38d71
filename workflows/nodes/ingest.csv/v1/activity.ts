import type { z } from "zod";
import definition from "./definition";
import { defineActivity, type StepContext } from "../../step-context";
import { withDuckDb, writeDataset, lit } from "../../../data/duckdb";
import { sampleSql } from "../sources";
import { parseSource } from "../source-ref";
import { findDatasetVersion, getDataset } from "../../../../db/queries/datasets";
import { DataError } from "../../../ml/types";
import type { SampleName } from "../../../spec/samples";

type Config = z.infer<typeof definition.config>;
/** Which upload a source by name reads (its latest version moves): part of the cache key, so a new version is never served a cached read. */
type Facts = { id: string; name: string; version: number; sha256: string } | undefined;

async function facts(ctx: StepContext<Config, Facts>): Promise<Facts> {
  const ref = parseSource(ctx.config.source);
  if (ref?.kind !== "dataset") return undefined; // samples and uploads by id never change
  const row = await findDatasetVersion(ctx.deps.db, ctx.teamId, ref.name, ref.version);
  if (!row) {
    const latest = ref.version ? await findDatasetVersion(ctx.deps.db, ctx.teamId, ref.name) : null;
    throw new DataError(
      latest
        ? `dataset "${ref.name}" has no version ${ref.version} (latest is ${latest.version})`
        : `there is no dataset named "${ref.name}": upload one with that name first`,
      "config.source",
    );
  }
  return { id: row.id, name: row.name, version: row.version, sha256: row.sha256 };
}

export default defineActivity<Config, Facts>(
  definition,
  async (ctx) => {
    const { source } = ctx.config;
    const { store, db } = ctx.deps;
    const ref = parseSource(source);
    if (!ref) throw new DataError(`source "${source}" is not a sample or a dataset`, "config.source");
    let origin: { dataset: string; version: number; id: string } | undefined;
    const dataset = await withDuckDb(async (conn) => {
      if (ref.kind === "sample") {
        ctx.log(`reading bundled sample "${ref.name}"`);
        ctx.progress({ phase: `reading the sample "${ref.name}"` });
        return writeDataset(conn, store, sampleSql(ref.name as SampleName));
      }
      const row = ref.kind === "dataset-id" ? await getDataset(db, ctx.teamId, ref.id) : await getDataset(db, ctx.teamId, ctx.facts!.id);
      if (!row) throw new DataError(`dataset ${source.slice(8)} does not exist (or belongs to another team)`, "config.source");
      origin = { dataset: row.name, version: row.version, id: row.id };
      ctx.log(`reading dataset "${row.name}" version ${row.version} (${row.rows} rows${ref.kind === "dataset" && !ref.version ? ", its latest" : ""})`);
      ctx.progress({ phase: `reading dataset "${row.name}" version ${row.version} (${row.rows} rows)` });
      return writeDataset(conn, store, `SELECT * FROM read_parquet(${lit(await store.localFile(row.uri))})`);
    });
    if (dataset.rows === 0) throw new DataError(`${source} has no rows`, "config.source");
    ctx.log(`${dataset.rows} rows, ${dataset.schema.length} columns: ${dataset.schema.map((c) => `${c.name} ${c.type}`).join(", ")}`);
    return { dataset: origin ? { ...dataset, origin } : dataset };
  },
  facts,
);
