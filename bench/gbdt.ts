/**
 * GBDT benchmark (issue 4): our TypeScript trainer against XGBoost on
 * vega-datasets flights-3m.parquet — train on January 2001, test on February;
 * features hour of day, day of week, distance, origin and destination as
 * numeric category codes; target delay (minutes). 200 trees, depth 6,
 * learning rate 0.1, 256 bins, λ 1, min child weight 1, one thread.
 *
 * The parent reads the data with DuckDB and writes it as float32 files to a
 * temporary folder; ours trains in a child process (so its peak RSS is its
 * own: Node + the data + training), XGBoost in `bench/gbdt-xgboost.py`
 * (`tree_method=hist`, `nthread=1`). Times cover training from in-memory
 * arrays: ours = `trainGbdt` (binning, boosting and ONNX export), XGBoost =
 * DMatrix construction (quantile sketch) + `xgb.train`. The test MAE of ours
 * is also computed through the exported ONNX model with onnxruntime-node.
 *
 * The machine is shared, so timings are noisy: ours and XGBoost run in
 * alternation GBDT_BENCH_RUNS times (default 3), each pair giving one time
 * ratio, and the tables report the medians (every run is in the JSON).
 *
 * XGBoost runs in the anchors' venv (bench/anchors.ts: xgboost-cpu and numpy
 * pinned in bench/anchors.requirements.txt, made once per machine).
 *
 * Env: GBDT_BENCH_PYTHON (a Python with xgboost and numpy to use instead of
 * the anchors' venv), GBDT_BENCH_TREES (default 200),
 * GBDT_BENCH_RUNS (default 3), GBDT_BENCH_DATA_DIR (keep the float32 files
 * there instead of a temp folder).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { anchorPython } from "./anchors";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const PARQUET = join(root, "node_modules/vega-datasets/data/flights-3m.parquet");
const FEATURES = ["hour", "day_of_week", "distance", "origin", "destination"] as const;
const TARGET = "delay";

interface Meta {
  features: string[];
  trainRows: number;
  testRows: number;
  params: { nTrees: number; maxDepth: number; learningRate: number; l2: number; minChildWeight: number; maxBins: number };
}

interface OursResult {
  seconds: number;
  cpuSeconds: number;
  mae: number;
  onnxMae: number;
  onnxMaxAbsDiff: number;
  peakRssMb: number;
  trees: number;
  finalTrainMse: number;
  importance: { name: string; share: number }[];
}

interface XgbResult {
  version: string;
  seconds: number;
  cpuSeconds: number;
  mae: number;
}

function writeF32(path: string, a: Float32Array): void {
  writeFileSync(path, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

function readF32(path: string): Float32Array {
  const b = readFileSync(path);
  const out = new Float32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/**
 * Reads one month with DuckDB into row-major float32 X and y, in the file's
 * own row order (by time). Airport codes are the 1-based rank of the airport
 * name over the whole file, so both months share them.
 */
async function loadMonth(con: import("@duckdb/node-api").DuckDBConnection, month: number): Promise<{ x: Float32Array; y: Float32Array; rows: number }> {
  const file = `read_parquet('${PARQUET.replaceAll("'", "''")}')`;
  const codes = async (col: string) => {
    const r = await con.runAndReadAll(`SELECT DISTINCT ${col} AS k FROM ${file} WHERE ${col} IS NOT NULL ORDER BY k`);
    return new Map((r.getColumnsJS()[0] as string[]).map((k, i) => [k, i + 1]));
  };
  const origin = await codes("origin");
  const destination = await codes("destination");
  const mm = (m: number) => String(m).padStart(2, "0");
  const reader = await con.runAndReadAll(`
    SELECT hour(date)::DOUBLE, dayofweek(date)::DOUBLE, distance::DOUBLE, origin, destination, delay::DOUBLE
    FROM ${file}
    WHERE date >= TIMESTAMP '2001-${mm(month)}-01' AND date < TIMESTAMP '2001-${mm(month + 1)}-01' AND delay IS NOT NULL`);
  const cols = reader.getColumnsJS() as unknown as [number[], number[], number[], string[], string[], number[]];
  const rows = cols[0].length;
  const nf = FEATURES.length;
  const x = new Float32Array(rows * nf);
  for (let i = 0; i < rows; i++) {
    x[i * nf] = cols[0][i]!;
    x[i * nf + 1] = cols[1][i]!;
    x[i * nf + 2] = cols[2][i]!;
    x[i * nf + 3] = origin.get(cols[3][i]!) ?? NaN;
    x[i * nf + 4] = destination.get(cols[4][i]!) ?? NaN;
  }
  return { x, y: Float32Array.from(cols[5]), rows };
}

/** Child mode: train ours on the files in `dir`, print one JSON line. */
async function child(dir: string): Promise<void> {
  const { trainGbdt } = await import("../workflows/ml/gbdt/index");
  const meta = JSON.parse(readFileSync(join(dir, "meta.json"), "utf8")) as Meta;
  const nf = meta.features.length;
  const frameOf = (name: string, rows: number) => {
    const x = readF32(join(dir, `${name}_x.f32`));
    const y = readF32(join(dir, `${name}_y.f32`));
    const columns = meta.features.map((f, j) => {
      const v = new Float64Array(rows);
      for (let i = 0; i < rows; i++) v[i] = x[i * nf + j]!;
      return { name: f, kind: "number" as const, values: v };
    });
    columns.push({ name: TARGET, kind: "number", values: Float64Array.from(y) });
    return { rows, columns };
  };
  const train = frameOf("train", meta.trainRows);
  const test = frameOf("test", meta.testRows);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const model = trainGbdt(train, { task: "regression", target: TARGET, features: meta.features, ...meta.params, seed: 42 });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const pred = model.predict(test);
  if (pred.task !== "regression") throw new Error("expected a regression prediction");
  const yTest = test.columns[nf]!.values as Float64Array;
  let abs = 0;
  for (let i = 0; i < meta.testRows; i++) abs += Math.abs(pred.prediction[i]! - yTest[i]!);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;

  // The exported model on the same test rows.
  const ort = await import("onnxruntime-node");
  const session = await ort.InferenceSession.create(model.onnx);
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const c of test.columns.slice(0, nf)) feeds[c.name] = new ort.Tensor("float32", Float32Array.from(c.values as Float64Array), [meta.testRows, 1]);
  const out = (await session.run(feeds)).prediction!.data as Float32Array;
  let onnxAbs = 0;
  let maxDiff = 0;
  for (let i = 0; i < meta.testRows; i++) {
    onnxAbs += Math.abs(out[i]! - yTest[i]!);
    maxDiff = Math.max(maxDiff, Math.abs(out[i]! - pred.prediction[i]!));
  }
  const result: OursResult = {
    seconds,
    cpuSeconds,
    mae: abs / meta.testRows,
    onnxMae: onnxAbs / meta.testRows,
    onnxMaxAbsDiff: maxDiff,
    peakRssMb,
    trees: model.ensemble.trees.length,
    finalTrainMse: model.series.train_loss!.at(-1)!,
    importance: model.featureImportance.map((f) => ({ name: f.name, share: f.share })),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function lastJsonLine<T>(stdout: string): T {
  const line = stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(line) as T;
}

const fmt = (x: number, d = 2) => x.toFixed(d);

export default async function gbdtBench(): Promise<{ name: "gbdt"; json: Record<string, unknown>; markdown: string }> {
  const nTrees = Number(process.env.GBDT_BENCH_TREES ?? 200);
  const params = { nTrees, maxDepth: 6, learningRate: 0.1, l2: 1, minChildWeight: 1, maxBins: 256 };
  const keep = process.env.GBDT_BENCH_DATA_DIR;
  if (keep) mkdirSync(keep, { recursive: true });
  const dir = keep ?? mkdtempSync(join(tmpdir(), "conveyor-gbdt-"));
  try {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    await con.run("SET threads = 1"); // a plain scan in file order
    const train = await loadMonth(con, 1);
    const test = await loadMonth(con, 2);
    con.closeSync();
    const meta: Meta = { features: [...FEATURES], trainRows: train.rows, testRows: test.rows, params };
    writeFileSync(join(dir, "meta.json"), JSON.stringify(meta));
    writeF32(join(dir, "train_x.f32"), train.x);
    writeF32(join(dir, "train_y.f32"), train.y);
    writeF32(join(dir, "test_x.f32"), test.x);
    writeF32(join(dir, "test_y.f32"), test.y);

    const anchor = await anchorPython(process.env.GBDT_BENCH_PYTHON);
    const runOurs = (): OursResult => {
      const run = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url)], {
        cwd: root,
        env: { ...process.env, GBDT_BENCH_CHILD: dir },
        encoding: "utf8",
        maxBuffer: 16 << 20,
      });
      if (run.status !== 0) throw new Error(`gbdt child failed (${run.status}): ${run.stderr}`);
      return lastJsonLine<OursResult>(run.stdout);
    };
    const runXgb = (): XgbResult | { error: string } => {
      if ("missing" in anchor) return { error: `XGBoost did not run: ${anchor.missing}` };
      const python = anchor.python;
      const run = spawnSync(python, [join(here, "gbdt-xgboost.py"), dir], { cwd: root, encoding: "utf8", maxBuffer: 16 << 20 });
      if (run.status === 0) return lastJsonLine<XgbResult>(run.stdout);
      return {
        error: `XGBoost did not run (${python}: ${(run.stderr || String(run.error ?? "")).trim().split("\n").at(-1)})${process.env.GBDT_BENCH_PYTHON ? "; GBDT_BENCH_PYTHON must name a Python with xgboost and numpy, or be unset to use the pinned anchors' venv" : ""}`,
      };
    };
    // Alternate the two so both see the same share of whatever else the machine is doing.
    const nRuns = Math.max(1, Number(process.env.GBDT_BENCH_RUNS ?? 3));
    const runs: { ours: OursResult; xgboost: XgbResult | null }[] = [];
    let xgbError: { error: string } | null = null;
    for (let i = 0; i < nRuns; i++) {
      const o = runOurs();
      const x: XgbResult | { error: string } = xgbError ?? runXgb();
      if ("error" in x) xgbError = x;
      runs.push({ ours: o, xgboost: "error" in x ? null : x });
    }
    const median = (v: number[]) => {
      const a = [...v].sort((p, q) => p - q);
      return a.length % 2 ? a[(a.length - 1) / 2]! : (a[a.length / 2 - 1]! + a[a.length / 2]!) / 2;
    };
    const first = runs[0]!.ours;
    const ours: OursResult = {
      ...first,
      seconds: median(runs.map((r) => r.ours.seconds)),
      cpuSeconds: median(runs.map((r) => r.ours.cpuSeconds)),
      peakRssMb: Math.max(...runs.map((r) => r.ours.peakRssMb)),
    };
    const xgbRuns = runs.map((r) => r.xgboost).filter((x): x is XgbResult => x !== null);
    const xgboost: XgbResult | { error: string } = xgbError ?? {
      ...xgbRuns[0]!,
      seconds: median(xgbRuns.map((x) => x.seconds)),
      cpuSeconds: median(xgbRuns.map((x) => x.cpuSeconds)),
    };

    const xgb = "seconds" in xgboost ? xgboost : null;
    // The median of the per-pair ratios: each pair ran back to back, under the same load.
    const timeRatio = xgb ? median(runs.map((r) => r.ours.seconds / r.xgboost!.seconds)) : null;
    const cpuTimeRatio = xgb ? median(runs.map((r) => r.ours.cpuSeconds / r.xgboost!.cpuSeconds)) : null;
    const maeRatio = xgb ? ours.mae / xgb.mae : null;
    const json = {
      dataset: "vega-datasets flights-3m.parquet: train 2001-01, test 2001-02",
      trainRows: train.rows,
      testRows: test.rows,
      features: meta.features,
      params: { ...params, threads: 1 },
      ours: {
        seconds: ours.seconds,
        cpuSeconds: ours.cpuSeconds,
        mae: ours.mae,
        peakRssMb: ours.peakRssMb,
        onnxMae: ours.onnxMae,
        onnxMaxAbsDiff: ours.onnxMaxAbsDiff,
        trees: ours.trees,
        node: process.version,
        importance: ours.importance,
      },
      xgboost,
      timeRatio,
      cpuTimeRatio,
      maeRatio,
      runs: runs.map((r) => ({
        oursSeconds: r.ours.seconds,
        oursCpuSeconds: r.ours.cpuSeconds,
        oursPeakRssMb: r.ours.peakRssMb,
        xgboostSeconds: r.xgboost?.seconds ?? null,
        xgboostCpuSeconds: r.xgboost?.cpuSeconds ?? null,
        timeRatio: r.xgboost ? r.ours.seconds / r.xgboost.seconds : null,
      })),
      note: "Times cover training from in-memory arrays (ours: trainGbdt incl. binning and ONNX export; XGBoost: DMatrix + train). Ours and XGBoost run in alternation; times are medians over the runs and the ratios medians of the per-pair ratios. On a shared machine wall time includes waiting for a core; CPU time is the steadier comparison.",
    };
    const rows = [
      "| trainer | wall (s) | CPU (s) | test MAE | peak RSS (MB) |",
      "|---|---:|---:|---:|---:|",
      `| Conveyor train.gbdt (TypeScript, Node ${process.version}) | ${fmt(ours.seconds)} | ${fmt(ours.cpuSeconds)} | ${fmt(ours.mae, 3)} | ${fmt(ours.peakRssMb, 0)} |`,
      xgb
        ? `| XGBoost ${xgb.version} (hist, nthread=1) | ${fmt(xgb.seconds)} | ${fmt(xgb.cpuSeconds)} | ${fmt(xgb.mae, 3)} | — |`
        : `| XGBoost | — | — | — | — |`,
    ];
    const markdown = [
      `### GBDT: flights, January → February 2001 (${train.rows.toLocaleString("en-US")} train rows, ${test.rows.toLocaleString("en-US")} test rows)`,
      "",
      `${nTrees} trees, depth 6, learning rate 0.1, 256 bins, λ 1, min child weight 1, one thread. Features: hour, day of week, distance, origin and destination codes; target: delay (minutes). Ours and XGBoost ran in alternation, ${nRuns} time${nRuns === 1 ? "" : "s"} each; times are medians, peak RSS the largest.`,
      "",
      ...rows,
      "",
      xgb
        ? `Time ratio (ours / XGBoost, median of the pairs): **${fmt(timeRatio!)}×** wall, ${fmt(cpuTimeRatio!)}× CPU (goal ≤ 2×; per pair: ${runs.map((r) => `${fmt(r.ours.seconds / r.xgboost!.seconds)}×`).join(", ")}). MAE ratio: **${fmt(maeRatio!, 4)}** (goal within 1%).`
        : `XGBoost: ${"error" in xgboost ? xgboost.error : "not run"}.`,
      `The exported ONNX model (onnxruntime-node) gives test MAE ${fmt(ours.onnxMae, 3)}; largest difference from the TypeScript predictions ${ours.onnxMaxAbsDiff.toExponential(1)}.`,
    ].join("\n");
    return { name: "gbdt", json, markdown };
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env.GBDT_BENCH_CHILD) {
  await child(process.env.GBDT_BENCH_CHILD);
} else if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // `npx tsx bench/gbdt.ts` runs this benchmark alone.
  const r = await gbdtBench();
  console.log(r.markdown);
  console.log(JSON.stringify(r.json, null, 2));
}
