import type { z } from "zod";
import definition from "./definition";
import { defineActivity, inputOf } from "../../step-context";
import { ident, parquetRel, withDuckDb, writeDataset } from "../../../data/duckdb";
import { DataError } from "../../../ml/types";

export default defineActivity<z.infer<typeof definition.config>>(definition, async (ctx) => {
  const input = inputOf(ctx, "dataset", "dataset");
  const { strategy, testFraction, seed, timeColumn } = ctx.config;
  if (input.rows < 2) throw new DataError(`cannot split ${input.rows} row(s); need at least 2`, "inputs.dataset");
  if (strategy === "time" && !input.schema.some((c) => c.name === timeColumn)) {
    throw new DataError(
      `timeColumn "${timeColumn}" is not a column of the dataset (columns: ${input.schema.map((c) => c.name).join(", ")})`,
      "config.timeColumn",
    );
  }
  const nTest = Math.max(1, Math.min(input.rows - 1, Math.round(input.rows * testFraction)));
  const { store } = ctx.deps;
  // Rank rows once: by a seeded hash of the row number (random) or by time;
  // the first nTest ranks are the test set. Deterministic for a given input.
  const order = strategy === "time" ? `${ident(timeColumn!)} DESC, __rn DESC` : `hash(__rn, ${Math.trunc(seed)}), __rn`;
  const ranked = `(SELECT * EXCLUDE (__rn), row_number() OVER (ORDER BY ${order}) AS __rank
                   FROM (SELECT *, row_number() OVER () AS __rn FROM ${await parquetRel(store, input)}))`;
  ctx.progress({ phase: `splitting ${input.rows} rows (${strategy})` });
  const [train, test] = await withDuckDb(async (conn) => [
    await writeDataset(conn, store, `SELECT * EXCLUDE (__rank) FROM ${ranked} WHERE __rank > ${nTest} ORDER BY __rank`, "train.parquet"),
    await writeDataset(conn, store, `SELECT * EXCLUDE (__rank) FROM ${ranked} WHERE __rank <= ${nTest} ORDER BY __rank`, "test.parquet"),
  ]);
  ctx.log(`${strategy} split: ${train.rows} train rows, ${test.rows} test rows`);
  return { train, test };
});
