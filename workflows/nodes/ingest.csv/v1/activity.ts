import type { z } from "zod";
import definition from "./definition";
import { defineActivity } from "../../step-context";
import { withDuckDb, writeDataset, lit } from "../../../data/duckdb";
import { sampleSql } from "../sources";
import { getDataset } from "../../../../db/queries/datasets";
import { DataError } from "../../../ml/types";
import type { SampleName } from "../../../spec/samples";

export default defineActivity<z.infer<typeof definition.config>>(definition, async (ctx) => {
  const { source } = ctx.config;
  const { store, db } = ctx.deps;
  const [kind, id] = [source.slice(0, source.indexOf(":")), source.slice(source.indexOf(":") + 1)];
  const dataset = await withDuckDb(async (conn) => {
    if (kind === "sample") {
      ctx.log(`reading bundled sample "${id}"`);
      return writeDataset(conn, store, sampleSql(id as SampleName));
    }
    const row = await getDataset(db, ctx.teamId, id);
    if (!row) throw new DataError(`dataset ${id} does not exist (or belongs to another team)`, "config.source");
    ctx.log(`reading uploaded dataset "${row.name}" (${row.rows} rows)`);
    return writeDataset(conn, store, `SELECT * FROM read_parquet(${lit(store.localPath(row.uri))})`);
  });
  if (dataset.rows === 0) throw new DataError(`${source} has no rows`, "config.source");
  ctx.log(`${dataset.rows} rows, ${dataset.schema.length} columns: ${dataset.schema.map((c) => `${c.name} ${c.type}`).join(", ")}`);
  return { dataset };
});
