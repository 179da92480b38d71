/**
 * Batch scoring (deploy.batch), step by step:
 *
 * 1. the model: the `model` input, or `config.model` resolved in the team's
 *    registry (a retry keeps the version its first attempt resolved);
 * 2. the dataset checked against the model's inputs (names, types);
 * 3. the rows scored chunk by chunk in a thread (score-in-thread.ts); each
 *    chunk's predictions become a Parquet part in the artifact store and the
 *    step's checkpoint lists it at once, so a retry after a killed worker
 *    resumes after the last finished chunk (plan.ts resumePlan);
 * 4. the output assembled by DuckDB from the input and the parts (a
 *    positional join, streamed), content-addressed like every dataset;
 * 5. optionally its rows written into a PostgreSQL table, chunk by chunk
 *    (each chunk replaces the run's rows in its range), and the dataset
 *    registered as the next version of a name (workflows/data/dataset-versions.ts,
 *    the upload's way: its `dataset` triggers start runs).
 *
 * Every phase after scoring is recorded in the checkpoint too, so a retry
 * does none of them twice.
 */
import fsp from "node:fs/promises";
import path from "node:path";
import type { z } from "zod";
import type definition from "./v1/definition";
import { inputOf, type StepContext } from "../step-context";
import { ident, lit, withDuckDb, writeDataset } from "../../data/duckdb";
import { addDatasetVersion } from "../../data/dataset-versions";
import { DataError } from "../../ml/types";
import type { DatasetRef, ModelRef } from "../../spec/refs";
import { getAliasedVersion, getModelByName, getModelVersion } from "../../../db/queries/models";
import { copyRunRows, deleteRunRows, ensurePredictionsTable, reservedTable, type TableName } from "../../../db/queries/predictions";
import type { ModelManifest } from "../../../contract/model";
import {
  checkDataset,
  checkTableColumns,
  formatModelRef,
  parseModelRef,
  parseTableName,
  pgType,
  planChunks,
  predictionColumns,
  resumePlan,
  scoringKey,
  TABLE_KEY_COLUMNS,
  type Chunk,
  type PartRef,
} from "./plan";
import { scoreInThread } from "./score-in-thread";

type Config = z.infer<typeof definition.config>;

type Registry = NonNullable<NonNullable<DatasetRef["scoredWith"]>["registry"]>;

/** What a step saves as it goes (run_steps.checkpoint), for its retries. */
export interface BatchCheckpoint {
  /** The scoring the parts belong to (plan.ts scoringKey). */
  key: string;
  /** The registry version config.model resolved to on the first attempt. */
  registry?: Registry;
  parts: PartRef[];
  /** The assembled dataset, once it is stored. */
  output?: Omit<DatasetRef, "scoredWith" | "origin">;
  /** Rows of the output written into the table (from the first on). */
  tableRows?: number;
}

function savedCheckpoint(value: unknown): BatchCheckpoint | null {
  const c = value as Partial<BatchCheckpoint> | null;
  return c && typeof c.key === "string" && Array.isArray(c.parts) ? (c as BatchCheckpoint) : null;
}

interface ResolvedModel {
  manifest: Omit<ModelManifest, "metrics">;
  uri: string;
  sha256: string;
  /** How logs name it: "flights v3 (model:flights@champion)", "the model of the `model` input". */
  label: string;
  registry?: Registry;
}

/** The model to score with: the input's, or config.model resolved in the team (the version an earlier attempt resolved, if any). */
async function resolveModel(ctx: StepContext<Config>, saved: BatchCheckpoint | null): Promise<ResolvedModel> {
  const ref = ctx.config.model;
  if (ref === undefined) {
    const m: ModelRef = inputOf(ctx, "model", "model");
    return { manifest: m.manifest, uri: m.uri, sha256: m.sha256, label: "the model of the `model` input" };
  }
  const spec = parseModelRef(ref);
  if (!spec) throw new DataError(`model "${ref}" is not a registry reference`, "config.model");
  const { db } = ctx.deps;
  const pinned = saved?.registry?.ref === ref ? saved.registry.version : undefined;
  const row =
    pinned !== undefined
      ? (await getModelVersion(db, ctx.teamId, spec.name, pinned))?.version
      : "alias" in spec
        ? await getAliasedVersion(db, ctx.teamId, spec.name, spec.alias)
        : (await getModelVersion(db, ctx.teamId, spec.name, spec.version))?.version;
  if (!row) {
    const found = await getModelByName(db, ctx.teamId, spec.name);
    if (!found) throw new DataError(`model: there is no registry model "${spec.name}" in this team (${ref})`, "config.model");
    const aliases = Object.entries(found.aliases).map(([a, v]) => `${a} → v${v}`);
    const versions = found.versions.map((v) => v.version).sort((a, b) => a - b);
    if ("alias" in spec && pinned === undefined)
      throw new DataError(
        `model: ${spec.name} has no alias "${spec.alias}" (its aliases: ${aliases.join(", ") || "none"}; versions ${versions.join(", ") || "none"})`,
        "config.model",
      );
    throw new DataError(
      `model: ${spec.name} has no version ${pinned ?? ("version" in spec ? spec.version : "")} (versions: ${versions.join(", ") || "none"})`,
      "config.model",
    );
  }
  const registry: Registry = { ref: formatModelRef(spec), name: spec.name, version: row.version };
  const how = pinned !== undefined ? `, the version an earlier attempt of this step resolved ${ref} to` : "";
  ctx.log(`scoring with ${spec.name} version ${row.version} (${ref}${how}), sha256 ${row.sha256.slice(0, 12)}…`);
  return {
    manifest: row.manifest as ModelManifest,
    uri: row.artifactUri,
    sha256: row.sha256,
    label: `${spec.name} v${row.version}`,
    registry,
  };
}

/** Scores `todo` in the thread; each part is stored and checkpointed as soon as it is written. */
async function scoreChunks(
  ctx: StepContext<Config>,
  o: { ds: DatasetRef; model: ResolvedModel; todo: Chunk[]; cp: BatchCheckpoint; save: () => Promise<void> },
): Promise<void> {
  const { store } = ctx.deps;
  const { ds, model, todo, cp } = o;
  const dir = await store.scratch("batch");
  const started = performance.now();
  const rowsBefore = cp.parts.reduce((n, p) => n + p.rows, 0);
  let rowsDone = rowsBefore;
  const progress = () => {
    const rate = (rowsDone - rowsBefore) / ((performance.now() - started) / 1000);
    ctx.progress({
      phase: "scoring",
      iteration: rowsDone,
      total: ds.rows,
      unit: "row",
      ...(rowsDone > rowsBefore && rate > 0 ? { etaSeconds: Math.round((ds.rows - rowsDone) / rate) } : {}),
    });
  };
  progress();
  // Parts are kept one after another (in chunk order) while the thread goes on scoring; a part that cannot be kept stops the thread.
  let keeping: Promise<void> = Promise.resolve();
  const stop = new AbortController();
  try {
    const columns = model.manifest.inputs.map((i) => ({ name: i.name, kind: i.datatype === "FP32" ? ("number" as const) : ("string" as const) }));
    await scoreInThread(
      {
        model: new Uint8Array(await store.read(model.uri)),
        spec: { task: model.manifest.task, inputs: model.manifest.inputs, classes: model.manifest.classes },
        dataset: await store.localFile(ds.uri),
        columns,
        chunks: todo,
        outDir: dir,
      },
      {
        signal: AbortSignal.any([ctx.signal, stop.signal]),
        onPart: (p) => {
          keeping = keeping.then(async () => {
            if (stop.signal.aborted) return;
            try {
              const ref = await store.putFile(p.file, path.basename(p.file));
              cp.parts.push({ index: p.index, uri: ref.uri, sha256: ref.sha256, rows: p.rows });
              await o.save();
              rowsDone += p.rows;
              progress();
            } catch (e) {
              stop.abort(e);
            }
          });
        },
      },
    );
    await keeping;
    if (stop.signal.aborted) throw stop.signal.reason as Error;
  } finally {
    await keeping;
    await fsp.rm(dir, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  const scored = rowsDone - rowsBefore;
  ctx.log(`scored ${scored} rows in ${todo.length} chunk${todo.length === 1 ? "" : "s"} in ${seconds.toFixed(2)} s (${Math.round(scored / seconds)} rows/s)`);
  ctx.metric("rows_per_second", scored / seconds);
}

/** The input's columns, then the parts' prediction columns, row for row (a streamed positional join). */
async function assemble(ctx: StepContext<Config>, ds: DatasetRef, parts: PartRef[]): Promise<Omit<DatasetRef, "scoredWith" | "origin">> {
  const { store } = ctx.deps;
  ctx.progress({ phase: "writing the predictions dataset" });
  const input = await store.localFile(ds.uri);
  const files = await Promise.all(parts.map((p) => store.localFile(p.uri)));
  const out = await withDuckDb((conn) =>
    writeDataset(conn, store, `SELECT * FROM read_parquet(${lit(input)}) POSITIONAL JOIN read_parquet([${files.map(lit).join(", ")}])`, "predictions.parquet"),
  );
  if (out.rows !== ds.rows) throw new Error(`the predictions dataset has ${out.rows} rows, the input ${ds.rows}`);
  return { kind: "dataset", uri: out.uri, sha256: out.sha256, rows: out.rows, schema: out.schema };
}

/** The output's rows into the table, chunk by chunk from where an earlier attempt stopped. */
async function writeTable(
  ctx: StepContext<Config>,
  o: { table: TableName; output: NonNullable<BatchCheckpoint["output"]>; cp: BatchCheckpoint; save: () => Promise<void> },
): Promise<void> {
  const { db, store } = ctx.deps;
  const { table, output, cp } = o;
  const label = `${table.schema}.${table.name}`;
  const columns = output.schema.map((c) => ({ name: c.name, ...pgType(c.type) }));
  const ensured = await ensurePredictionsTable(db, table, [...TABLE_KEY_COLUMNS, ...columns]);
  if (ensured.problem) throw new DataError(`table: ${ensured.problem}; write to another table, or drop this one`, "config.table");
  if (ensured.created) ctx.log(`created table ${label}`);
  const from = cp.tableRows ?? 0;
  // Rows of this run past where this attempt starts (an earlier attempt's, or another model's) go first.
  const deleted = await deleteRunRows(db, table, ctx.runId, from + 1);
  if (deleted) ctx.log(`removed ${deleted} row(s) an earlier attempt wrote to ${label} past row ${from}`);
  if (from > 0) ctx.log(`resuming the table after row ${from}, which an earlier attempt wrote`);
  const file = await store.localFile(output.uri);
  const dir = await store.scratch("batch-table");
  try {
    const select = columns.map((c) => (c.asText ? `CAST(${ident(c.name)} AS VARCHAR)` : ident(c.name))).join(", ");
    const csv = path.join(dir, "rows.csv");
    for (const chunk of planChunks(output.rows, ctx.config.chunkRows)) {
      if (chunk.end <= from) continue;
      const start = Math.max(chunk.start, from);
      ctx.signal.throwIfAborted();
      ctx.progress({ phase: `writing rows to ${label}`, iteration: start, total: output.rows, unit: "row" });
      await withDuckDb((conn) =>
        conn.run(
          `COPY (SELECT ${lit(ctx.runId)} AS run_id, file_row_number + 1 AS row_number, ${select}
                 FROM read_parquet(${lit(file)}, file_row_number = true) WHERE file_row_number >= ${start} AND file_row_number < ${chunk.end})
           TO ${lit(csv)} (FORMAT csv, HEADER false)`,
        ),
      );
      await copyRunRows(db, table, {
        runId: ctx.runId,
        first: start + 1,
        last: chunk.end,
        columns: [...TABLE_KEY_COLUMNS.map((c) => c.name), ...columns.map((c) => c.name)],
        csvFile: csv,
      });
      cp.tableRows = chunk.end;
      await o.save();
    }
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
  ctx.log(`wrote ${output.rows} rows to ${label} (run_id ${ctx.runId})`);
}

export async function runBatchScoring(ctx: StepContext<Config>): Promise<{ predictions: DatasetRef }> {
  const ds = inputOf(ctx, "dataset", "dataset");
  const { config } = ctx;
  const saved = savedCheckpoint(await ctx.loadCheckpoint());
  const model = await resolveModel(ctx, saved);
  const problem = checkDataset(ds.schema, model.manifest, model.label);
  if (problem) throw new DataError(problem.message, problem.field);
  const table = config.table === undefined ? null : parseTableName(config.table);
  if (config.table !== undefined) {
    if (!table) throw new DataError(`table "${config.table}" is not a table name`, "config.table");
    const reserved = reservedTable(table);
    if (reserved) throw new DataError(`table: ${reserved}; choose another table`, "config.table");
    const bad = checkTableColumns([...ds.schema, ...predictionColumns(model.manifest)]);
    if (bad) throw new DataError(`table: ${bad}`, "config.table");
  }
  if (ds.rows === 0) throw new DataError("the dataset has no rows to score", "inputs.dataset");

  const chunks = planChunks(ds.rows, config.chunkRows);
  const key = scoringKey({ datasetSha256: ds.sha256, modelSha256: model.sha256, chunkRows: config.chunkRows });
  const { done, todo } = resumePlan(chunks, key, saved);
  const same = saved?.key === key;
  const cp: BatchCheckpoint = {
    key,
    ...(model.registry ? { registry: model.registry } : {}),
    parts: done,
    ...(same && saved.output ? { output: saved.output } : {}),
    ...(same && saved.tableRows !== undefined ? { tableRows: saved.tableRows } : {}),
  };
  const save = () => ctx.saveCheckpoint(cp);
  if (saved && !same && saved.parts.length) ctx.log("an earlier attempt scored another model or dataset: its chunks are not reused", "warn");
  const doneRows = done.reduce((n, p) => n + p.rows, 0);
  ctx.log(
    done.length === 0
      ? `scoring ${ds.rows} rows in ${chunks.length} chunk${chunks.length === 1 ? "" : "s"} of up to ${config.chunkRows} rows`
      : todo.length
        ? `resuming: ${done.length} of ${chunks.length} chunks (${doneRows} rows) were scored by an earlier attempt; scoring chunks ${todo[0]!.index}–${chunks.length - 1}`
        : `resuming: all ${chunks.length} chunks (${doneRows} rows) were scored by an earlier attempt`,
  );
  await save();

  if (todo.length) await scoreChunks(ctx, { ds, model, todo, cp, save });
  if (!cp.output) {
    cp.output = await assemble(ctx, ds, cp.parts);
    await save();
  }
  const output = cp.output;
  ctx.log(
    `predictions: ${output.rows} rows, sha256 ${output.sha256.slice(0, 12)}…; columns added: ${predictionColumns(model.manifest)
      .map((c) => c.name)
      .join(", ")}`,
  );
  ctx.metric("rows", output.rows);

  if (table) await writeTable(ctx, { table, output, cp, save });

  let origin: DatasetRef["origin"];
  if (config.datasetName !== undefined) {
    ctx.signal.throwIfAborted();
    ctx.progress({ phase: `registering dataset "${config.datasetName}"` });
    const { row, created, runs } = await addDatasetVersion(
      ctx.deps.db,
      {
        teamId: ctx.teamId,
        name: config.datasetName,
        uri: output.uri,
        sha256: output.sha256,
        rows: output.rows,
        columns: output.schema,
        createdBy: null,
        runId: ctx.runId,
        nodeId: ctx.nodeId,
      },
      (pipelineId, detail) =>
        ctx.deps.startRun ? ctx.deps.startRun(ctx.teamId, pipelineId, detail) : Promise.resolve({ error: "this worker cannot start runs" }),
    );
    ctx.log(`${created ? "registered" : "already registered"} dataset "${row.name}" version ${row.version}`);
    for (const r of runs)
      ctx.log(
        r.runId ? `dataset trigger: started run ${r.runId} of pipeline ${r.pipelineId}` : `dataset trigger: pipeline ${r.pipelineId} did not start: ${r.error}`,
        r.runId ? "info" : "warn",
      );
    origin = { dataset: row.name, version: row.version, id: row.id };
  }
  return {
    predictions: {
      ...output,
      ...(origin ? { origin } : {}),
      scoredWith: { modelSha256: model.sha256, modelUri: model.uri, task: model.manifest.task, ...(model.registry ? { registry: model.registry } : {}) },
    },
  };
}
