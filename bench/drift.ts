/**
 * Drift benchmark (issue 13): how long the monitor takes to compare a window
 * with a model's reference profile, against Evidently's data drift preset on
 * the same data.
 *
 * Data: 1M reference rows and 1M current rows × 20 numeric features,
 * generated here from a fixed seed (normal, lognormal, uniform, integer and
 * bimodal columns; 0.5% missing values in five of them); the current rows are
 * drifted in six features (shifted means, wider spread, another mixture) and
 * drawn afresh, from the same distributions, in the other fourteen.
 *
 * Conveyor: `numericDrift` (workflows/ml/drift/drift.ts: bins, PSI, JS, KS
 * and Wasserstein-1 against the reference's quantile sketch, missing rate,
 * out of range) for all 20 features, on the main thread (one core, no
 * workers), DRIFT_BENCH_RUNS times (default 5) after one warm-up run; the
 * median is reported, and the cold first run too. Separately, the time to
 * build the reference profile of the 1M reference rows (done once per
 * trained model, in the training thread).
 *
 * Anchor: Evidently's Report([DataDriftPreset()]) over the same rows (written
 * to a temporary folder as float64 files, read into pandas before the clock
 * starts), in its own venv (bench/anchors.ts, bench/evidently.requirements.txt).
 * Evidently computes one statistic per column (for numeric columns of more
 * than 1,000 rows, the Wasserstein distance divided by the reference's
 * standard deviation); ours computes four, and the Wasserstein figures are
 * compared.
 *
 * Env: DRIFT_BENCH_PYTHON (a Python with evidently to use instead of the
 * venv), DRIFT_BENCH_ROWS (default 1,000,000), DRIFT_BENCH_RUNS (default 5).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { ColumnDrift, NumericProfile } from "../contract/monitoring";
import { numericDrift } from "../workflows/ml/drift/drift";
import { numericProfile } from "../workflows/ml/drift/profile";
import { evidentlyPython } from "./anchors";
import { Rng } from "../workflows/ml/gbdt/rng";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = resolve(here, "..");
const FEATURES = 20;
/** The features whose current rows are drifted. */
const DRIFTED = new Set([0, 1, 2, 3, 4, 10]);

/** Uniform draws in [0, 1) from the trainer's seeded generator. */
const mulberry32 = (seed: number): (() => number) => {
  const r = new Rng(seed);
  return () => r.next();
};

/** Feature j's values: its kind is j mod 5; `drift` shifts or reshapes it. */
function feature(j: number, rows: number, seed: number, drift: boolean): Float64Array {
  const rnd = mulberry32(seed * 1000 + j);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const out = new Float64Array(rows);
  const kind = j % 5;
  for (let i = 0; i < rows; i++) {
    let x: number;
    if (kind === 0) x = j + (1 + j / 10) * (drift ? normal() * 1.2 + 0.3 : normal());
    else if (kind === 1) x = Math.exp((drift ? 0.15 : 0) + 0.6 * normal());
    else if (kind === 2) x = 100 * rnd() + (drift ? 5 : 0);
    else if (kind === 3) x = Math.floor(-Math.log(1 - rnd()) * (drift ? 6 : 5));
    else x = rnd() < (drift ? 0.4 : 0.5) ? normal() : 10 + 2 * normal();
    out[i] = x;
  }
  if (j >= 15) for (let i = 0; i < rows; i++) if (rnd() < 0.005) out[i] = NaN;
  return out;
}

interface EvidentlyResult {
  version: string;
  seconds: number;
  cpuSeconds: number;
  driftedColumns: number | null;
  columns: Record<string, { method: string | null; score: unknown }>;
}

const median = (v: number[]) => {
  const a = [...v].sort((p, q) => p - q);
  return a.length % 2 ? a[(a.length - 1) / 2]! : (a[a.length / 2 - 1]! + a[a.length / 2]!) / 2;
};
const fmt = (x: number, d = 2) => x.toFixed(d);

function writeRowMajor(path: string, columns: Float64Array[], rows: number): void {
  const out = new Float64Array(rows * columns.length);
  for (let j = 0; j < columns.length; j++) {
    const c = columns[j]!;
    for (let i = 0; i < rows; i++) out[i * columns.length + j] = c[i]!;
  }
  writeFileSync(path, new Uint8Array(out.buffer));
}

export default async function driftBench(): Promise<{ name: "drift"; json: Record<string, unknown>; markdown: string }> {
  const rows = Number(process.env.DRIFT_BENCH_ROWS ?? 1_000_000);
  const nRuns = Math.max(1, Number(process.env.DRIFT_BENCH_RUNS ?? 5));
  const names = Array.from({ length: FEATURES }, (_, j) => `f${String(j).padStart(2, "0")}`);
  const ref = names.map((_, j) => feature(j, rows, 1, false));
  const cur = names.map((_, j) => feature(j, rows, 2, DRIFTED.has(j)));

  // The reference profile, as training builds it (numeric columns; once per model).
  const p0 = performance.now();
  const profiles: NumericProfile[] = ref.map((v, j) => numericProfile(names[j]!, v));
  const profileSeconds = (performance.now() - p0) / 1000;

  // Drift of the window against it, all 20 features on this thread.
  const driftAll = (): { seconds: number; cpuSeconds: number; result: ColumnDrift[] } => {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const result = profiles.map((p, j) => numericDrift(p, cur[j]!));
    const cpu = process.cpuUsage(c0);
    return { seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, result };
  };
  const cold = driftAll();
  const runs = Array.from({ length: nRuns }, driftAll);
  const driftSeconds = median(runs.map((r) => r.seconds));
  const driftCpuSeconds = median(runs.map((r) => r.cpuSeconds));
  const drifts = runs[0]!.result;
  const loadDuringOurs = os.loadavg()[0]!;

  // Evidently on the same rows.
  const dir = mkdtempSync(join(os.tmpdir(), "conveyor-drift-"));
  let evidently: EvidentlyResult | { error: string };
  let loadDuringEvidently = NaN;
  try {
    writeFileSync(join(dir, "meta.json"), JSON.stringify({ rows, features: names }));
    writeRowMajor(join(dir, "ref.f64"), ref, rows);
    writeRowMajor(join(dir, "cur.f64"), cur, rows);
    const anchor = await evidentlyPython(process.env.DRIFT_BENCH_PYTHON);
    if ("missing" in anchor) evidently = { error: `Evidently did not run: ${anchor.missing}` };
    else {
      const run = spawnSync(anchor.python, [join(here, "drift-evidently.py"), dir], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
      loadDuringEvidently = os.loadavg()[0]!;
      evidently =
        run.status === 0
          ? (JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "") as EvidentlyResult)
          : { error: `Evidently did not run (${anchor.python}: ${(run.stderr || String(run.error ?? "")).trim().split("\n").at(-1)})` };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const ev = "seconds" in evidently ? evidently : null;
  const ratio = ev ? ev.seconds / driftSeconds : null;

  // Evidently's normed Wasserstein (W / reference std) against ours (against the sketch), per feature.
  const perFeature = drifts.map((d, j) => {
    const e = ev?.columns[d.name];
    const evScore = typeof e?.score === "number" ? e.score : null;
    const oursNormed = d.wasserstein! / profiles[j]!.std!;
    return {
      name: d.name,
      drifted: DRIFTED.has(j),
      psi: d.psi,
      js: d.js,
      ks: d.ks,
      wasserstein: d.wasserstein,
      wassersteinNormed: oursNormed,
      missingRate: d.missingRate,
      outOfRange: d.outOfRange,
      evidentlyMethod: e?.method ?? null,
      evidentlyScore: evScore,
    };
  });
  const compared = perFeature.filter((f) => f.evidentlyScore !== null && /wasserstein/i.test(f.evidentlyMethod ?? ""));
  const maxNormedDiff = compared.length ? Math.max(...compared.map((f) => Math.abs(f.wassersteinNormed - f.evidentlyScore!))) : null;

  const json = {
    rows,
    features: FEATURES,
    driftedFeatures: names.filter((_, j) => DRIFTED.has(j)),
    conveyor: {
      driftSeconds,
      driftCpuSeconds,
      driftColdSeconds: cold.seconds,
      driftRunsSeconds: runs.map((r) => r.seconds),
      profileSeconds,
      node: process.version,
      thread: "main (one core, no workers)",
    },
    evidently,
    ratio,
    cpuRatio: ev ? ev.cpuSeconds / driftCpuSeconds : null,
    loadAverage: { duringConveyor: loadDuringOurs, afterEvidently: loadDuringEvidently },
    maxNormedWassersteinDiff: maxNormedDiff,
    perFeature,
    note: "Conveyor: numericDrift (PSI, JS, KS, Wasserstein-1, missing rate, out of range) of 20 features × rows on the main thread, median of the warm runs; profile: numericProfile of the 20 reference columns. Evidently: Report([DataDriftPreset()]).run + snapshot.dict(), data already in pandas.",
  };

  const strongest = [...perFeature].sort((a, b) => b.psi - a.psi).slice(0, 3);
  const calm = perFeature.filter((f) => !f.drifted);
  const markdown = [
    `### Drift of ${FEATURES} numeric features, ${rows.toLocaleString("en-US")} reference rows vs ${rows.toLocaleString("en-US")} current rows`,
    "",
    `Synthetic data from a fixed seed (normal, lognormal, uniform, integer and bimodal columns; 0.5% missing in five); ${DRIFTED.size} features drifted. Conveyor computes bins, PSI, JS, KS and Wasserstein-1 (against the reference's 2,001-point quantile sketch), missing rate and out-of-range counts for every feature on one thread; Evidently runs its data drift preset (one statistic per column) on the same rows, already in pandas.`,
    "",
    "| | wall (s) | CPU (s) |",
    "|---|---:|---:|",
    `| Conveyor drift, 20 features (numericDrift, main thread; median of ${nRuns} warm run${nRuns === 1 ? "" : "s"}) | ${fmt(driftSeconds, 3)} | ${fmt(driftCpuSeconds, 3)} |`,
    `| Conveyor drift, first (cold) run | ${fmt(cold.seconds, 3)} | ${fmt(cold.cpuSeconds, 3)} |`,
    `| Conveyor reference profile of the ${rows.toLocaleString("en-US")} reference rows (numericProfile × 20; once per model) | ${fmt(profileSeconds, 3)} | — |`,
    ev ? `| Evidently ${ev.version} DataDriftPreset | ${fmt(ev.seconds)} | ${fmt(ev.cpuSeconds)} |` : "| Evidently | — | — |",
    "",
    ev
      ? `Evidently / Conveyor: **${fmt(ratio!, 0)}×** wall, ${fmt(ev.cpuSeconds / driftCpuSeconds, 0)}× CPU (goal ≥ 100×; Conveyor's goal < 1 s: ${driftSeconds < 1 ? "met" : "not met"}; Evidently used more than one core where its CPU time exceeds its wall time). Evidently flagged ${ev.driftedColumns ?? "?"} of ${FEATURES} columns; the ${compared.length} Wasserstein scores it computed differ from ours (W/std, against the sketch) by at most ${maxNormedDiff === null ? "—" : maxNormedDiff.toExponential(1)}.`
      : `Evidently: ${"error" in evidently ? evidently.error : "not run"}.`,
    `Strongest drift (PSI): ${strongest.map((f) => `${f.name} ${fmt(f.psi, 3)}`).join(", ")}; the undrifted features' largest PSI ${fmt(Math.max(...calm.map((f) => f.psi)), 5)}, KS ${fmt(Math.max(...calm.map((f) => f.ks!)), 4)}.`,
    `Load average (1 min) ${fmt(loadDuringOurs)} after Conveyor's runs, ${Number.isNaN(loadDuringEvidently) ? "—" : fmt(loadDuringEvidently)} after Evidently's (a shared 2-core machine).`,
  ].join("\n");
  return { name: "drift", json, markdown };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // `npx tsx bench/drift.ts` runs this benchmark alone.
  const r = await driftBench();
  console.log(r.markdown);
}
