import fs from "node:fs";
import path from "node:path";
import type { z } from "zod";
import definition from "./definition";
import { defineActivity } from "../../step-context";
import { ident, lit, withDuckDb, writeDataset } from "../../../data/duckdb";
import { DataError } from "../../../ml/types";
import { getDeployment } from "../../../../db/queries/deployments";
import { loggedPredictions, versionManifests } from "../../../../db/queries/monitoring";
import { durationSeconds } from "../../../../contract/duration";

type Config = z.infer<typeof definition.config>;

/** Most rows one step reads. */
const MAX_ROWS = 2_000_000;

function when(text: string, field: string, now: Date): Date | null {
  if (text === "") return null;
  const back = durationSeconds(text);
  if (back !== null) return new Date(now.getTime() - back * 1000);
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new DataError(`${field} "${text}" is not a date-time or a duration`, `config.${field}`);
  return new Date(t);
}

export default defineActivity<Config>(definition, async (ctx) => {
  const { db, store } = ctx.deps;
  const c = ctx.config;
  const d = await getDeployment(db, ctx.teamId, c.deployment);
  if (!d) throw new DataError(`there is no deployment named "${c.deployment}"`, "config.deployment");
  const version = d.aliases[d.alias];
  const [served] = version === undefined ? [] : await versionManifests(db, d.modelId, [version]);
  if (!served) throw new DataError(`deployment "${c.deployment}" serves no version yet (its ${d.alias} alias is not set)`, "config.deployment");
  const m = served.manifest;
  const now = new Date();
  const from = when(c.from, "from", now) ?? new Date(0);
  const to = when(c.to, "to", now) ?? now;
  if (from >= to) throw new DataError(`from (${from.toISOString()}) must be before to (${to.toISOString()})`, "config.from");

  ctx.progress({ phase: `reading predictions of ${c.deployment}` });
  const rows = await loggedPredictions(db, d.id, from, to, MAX_ROWS);
  const target = m.target;
  const truth = (r: (typeof rows)[number]) => (m.task === "regression" ? r.value : r.label);
  const kept = c.labelledOnly ? rows.filter((r) => truth(r) !== null) : rows;
  const labelled = rows.filter((r) => truth(r) !== null).length;
  ctx.log(`${rows.length} live predictions of ${c.deployment} in [${from.toISOString()}, ${to.toISOString()}), ${labelled} with ground truth`);
  if (kept.length < c.minRows)
    throw new DataError(
      `deployment "${c.deployment}" has ${kept.length} ${c.labelledOnly ? "labelled " : ""}predictions in that range; at least ${c.minRows} are needed (send ground truth with POST /api/v1/deployments/${c.deployment}/feedback)`,
      "config.minRows",
    );
  if (m.inputs.some((i) => i.name === target)) throw new DataError(`the model's target "${target}" is also one of its inputs`, "config.deployment");

  // NDJSON with the model's input columns and the target, typed by the model (FP32: DOUBLE, BYTES: VARCHAR).
  const dir = await store.scratch("predictions");
  try {
    const file = path.join(dir, "rows.ndjson");
    const out = fs.createWriteStream(file);
    for (const r of kept) {
      const o: Record<string, unknown> = {};
      for (const i of m.inputs) {
        const v = r.inputs[i.name];
        o[i.name] = i.datatype === "FP32" ? (typeof v === "number" && Number.isFinite(v) ? v : null) : v === null || v === undefined ? null : String(v);
      }
      o[target] = truth(r);
      if (!out.write(JSON.stringify(o) + "\n")) await new Promise<void>((res) => out.once("drain", () => res()));
    }
    await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
    const columns = [...m.inputs.map((i) => [i.name, i.datatype === "FP32" ? "DOUBLE" : "VARCHAR"] as const), [target, m.task === "regression" ? "DOUBLE" : "VARCHAR"] as const];
    const spec = `{${columns.map(([n, t]) => `${lit(n)}: ${lit(t)}`).join(", ")}}`;
    const dataset = await withDuckDb((conn) =>
      writeDataset(conn, store, `SELECT ${columns.map(([n]) => ident(n)).join(", ")} FROM read_json(${lit(file)}, format = 'newline_delimited', columns = ${spec})`),
    );
    ctx.log(`${dataset.rows} rows, columns: ${dataset.schema.map((s) => `${s.name} ${s.type}`).join(", ")}`);
    return { dataset };
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
});
