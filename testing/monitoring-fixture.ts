/**
 * A monitored deployment with history, for the monitoring page's screenshots
 * and its performance check: a model version (a real ONNX graph over F
 * inputs) whose manifest names a reference profile (profile.json in the
 * artifact store), a deployment of it, N hourly monitor windows with the
 * figures the monitor would compute (one feature drifting more and more, a
 * gap without traffic, live quality falling once ground truth arrives) and
 * alert events, one of which started a retraining run.
 *
 * The drift figures are computed from the distributions the windows are
 * drawn from (normal features shifted by a known amount over the reference's
 * decile bins), so PSI, JS, KS and Wasserstein agree with each other.
 *
 * Run directly, it starts a throwaway PostgreSQL, seeds it and prints the
 * environment for `next dev` (ARTIFACT_DIR must be set; Ctrl-C stops it);
 * with --url it seeds a running database instead and exits:
 *   ARTIFACT_DIR=/tmp/a npx tsx testing/monitoring-fixture.ts --windows 48 --features 6
 *   ARTIFACT_DIR=/tmp/a npx tsx testing/monitoring-fixture.ts --url postgres://… --deployment churn-30d --windows 720 --features 50
 */
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { monitorEvents } from "../db/schema";
import { addMonitorEvent, replaceAlertRules, saveMonitorWindow, setMonitoring } from "../db/queries/monitoring";
import { getDeployment } from "../db/queries/deployments";
import { createFixtureRun } from "../db/queries/serving";
import { ArtifactStore } from "../infra/artifacts";
import type { ColumnDrift, MonitorFigures, ReferenceProfile } from "../contract/monitoring";
import { DataType, GraphBuilder } from "../workflows/ml/onnx/builder";
import type { ModelInput } from "../workflows/ml/types";
import { manifestFor, type TestModel } from "./models";
import { deployTestModel, startTestDatabase } from "./serving-database";

export interface MonitoringFixtureOptions {
  teamId: string;
  deployment?: string;
  modelName?: string;
  /** Hourly windows (default 48). */
  windows?: number;
  /** Model inputs (default 6): one categorical, the rest numeric. */
  features?: number;
  /** The newest window ends here (default: the current hour). */
  end?: Date;
}

export interface MonitoringFixture {
  deployment: string;
  modelName: string;
  version: number;
  features: string[];
  /** The feature whose drift rises window by window. */
  drifted: string;
  categorical: string;
  /** The run the drift alert started (null with no windows: nothing fired). */
  retrainRunId: string | null;
  windowStarts: Date[];
  /** Indexes of the windows without traffic. */
  gap: number[];
}

const HOUR = 3_600_000;
const REFERENCE_ROWS = 5000;
/** Standard normal quantiles at 10 %, 20 %, … 90 %: the deciles of N(0, 1). */
const Z = [-1.2816, -0.8416, -0.5244, -0.2533, 0, 0.2533, 0.5244, 0.8416, 1.2816];
const PSI_EPSILON = 1e-4;

/** Standard normal CDF (Abramowitz–Stegun 7.1.26, error < 1.5e-7). */
function phi(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x / Math.SQRT2));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}

/** A small deterministic PRNG (mulberry32), so every seeding draws the same history. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function psiOf(expected: number[], actual: number[]): number {
  let s = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]! + PSI_EPSILON;
    const a = actual[i]! + PSI_EPSILON;
    s += (a - e) * Math.log(a / e);
  }
  return s;
}

function jsOf(p: number[], q: number[]): number {
  let d = 0;
  for (let i = 0; i < p.length; i++) {
    const m = (p[i]! + q[i]!) / 2;
    if (p[i]! > 0) d += 0.5 * p[i]! * Math.log2(p[i]! / m);
    if (q[i]! > 0) d += 0.5 * q[i]! * Math.log2(q[i]! / m);
  }
  return Math.sqrt(Math.max(0, d));
}

/** Rows per bin: the shares of `rows`, the rounding remainder in the largest bin. */
function countsOf(shares: number[], rows: number): number[] {
  const c = shares.map((s) => Math.floor(s * rows));
  const rest = rows - c.reduce((a, b) => a + b, 0);
  c[shares.indexOf(Math.max(...shares))]! += rest;
  return c;
}

interface NumericSpec {
  name: string;
  mean: number;
  std: number;
}

function numericReference(f: NumericSpec): ReferenceProfile["features"][number] {
  const deciles = Z.map((z) => f.mean + f.std * z);
  const sample = Array.from({ length: 99 }, (_, i) => {
    // Quantiles of N(mean, std) at 1 %…99 % by bisection on phi.
    const p = (i + 1) / 100;
    let lo = -5;
    let hi = 5;
    for (let k = 0; k < 40; k++) {
      const mid = (lo + hi) / 2;
      if (phi(mid) < p) lo = mid;
      else hi = mid;
    }
    return f.mean + f.std * ((lo + hi) / 2);
  });
  return {
    kind: "numeric",
    name: f.name,
    count: REFERENCE_ROWS,
    missing: 0,
    min: f.mean - 3.5 * f.std,
    max: f.mean + 3.5 * f.std,
    mean: f.mean,
    std: f.std,
    deciles,
    counts: countsOf(new Array<number>(10).fill(0.1), REFERENCE_ROWS),
    sample,
  };
}

/** Drift of a normal feature whose mean moved by `shift` standard deviations (and whose spread grew by `scale`). */
function numericDrift(f: NumericSpec, rows: number, shift: number, scale: number, missingRate: number, noise: () => number): ColumnDrift {
  const cdf = (z: number) => phi((z - shift) / scale);
  const edges = [-Infinity, ...Z, Infinity];
  const raw = edges.slice(1).map((hi, i) => Math.max(0, cdf(hi) - cdf(edges[i]!) + (noise() - 0.5) * 0.004));
  const total = raw.reduce((a, b) => a + b, 0);
  const shares = raw.map((s) => s / total);
  const withValue = Math.round(rows * (1 - missingRate));
  const counts = countsOf(shares, withValue);
  const observed = counts.map((c) => c / Math.max(1, withValue));
  const ref = new Array<number>(10).fill(0.1);
  let ks = 0;
  for (const z of Z) ks = Math.max(ks, Math.abs(cdf(z) - phi(z)));
  const outOfRange = Math.round(withValue * (cdf(-3.5) + 1 - cdf(3.5)));
  return {
    name: f.name,
    kind: "numeric",
    rows: withValue,
    psi: psiOf(ref, observed),
    js: jsOf(ref, observed),
    ks,
    // W1 between N(0,1) and N(shift, scale) is at least |shift|; the spread adds about |scale − 1|·0.8.
    wasserstein: f.std * (Math.abs(shift) + Math.abs(scale - 1) * 0.8),
    missingRate,
    outOfRange,
    unseen: 0,
    counts,
  };
}

const CATEGORIES = { north: 0.45, south: 0.3, east: 0.15, west: 0.1 };

function categoricalDrift(name: string, rows: number, unseenShare: number, noise: () => number): ColumnDrift {
  const labels = [...Object.keys(CATEGORIES), "(unseen)"];
  const ref = [...Object.values(CATEGORIES), 0];
  const raw = [...Object.values(CATEGORIES).map((s) => s * (1 + (noise() - 0.5) * 0.2)), unseenShare];
  const total = raw.reduce((a, b) => a + b, 0);
  const counts = countsOf(
    raw.map((s) => s / total),
    rows,
  );
  const observed = counts.map((c) => c / Math.max(1, rows));
  return {
    name,
    kind: "categorical",
    rows,
    psi: psiOf(ref, observed),
    js: jsOf(ref, observed),
    ks: null,
    wasserstein: null,
    missingRate: 0,
    outOfRange: 0,
    unseen: counts[counts.length - 1]!,
    counts,
    labels,
  };
}

/** prediction = Σ wᵢ·xᵢ over the numeric inputs (missing → 0); the categorical input is read and unused. */
function sumModel(numeric: NumericSpec[], categorical: string): TestModel {
  const g = new GraphBuilder("monitoring_fixture_sum");
  const inputs: ModelInput[] = [
    ...numeric.map((f): ModelInput => ({ name: f.name, datatype: "FP32", shape: [-1, 1] })),
    { name: categorical, datatype: "BYTES", shape: [-1, 1] },
  ];
  for (const i of inputs) g.input({ name: i.name, type: i.datatype === "FP32" ? DataType.FLOAT : DataType.STRING, shape: [-1, 1] });
  let acc: string | null = null;
  numeric.forEach((f, i) => {
    const x = g.op("Where", [g.op("IsNaN", [f.name]), g.floatConst([0], []), f.name]);
    const term = g.op("Mul", [x, g.floatConst([1 / (i + 1)], [])]);
    acc = acc === null ? term : g.op("Add", [acc, term]);
  });
  g.node("Identity", [acc!], { outputs: ["prediction"] });
  g.output({ name: "prediction", type: DataType.FLOAT, shape: [-1, 1] });
  return {
    onnx: g.serialize({ producerVersion: "test" }),
    manifest: manifestFor("regression", inputs, [{ name: "prediction", datatype: "FP32", shape: [-1, 1] }], {
      metrics: { r2: 0.91, rmse: 2.1, mae: 1.6 },
    }),
  };
}

const FEATURE_NAMES = ["income", "age", "tenure_months", "balance", "num_products", "credit_score", "days_since_login", "avg_txn_amount"];

export async function seedMonitoringFixture(db: Db, store: ArtifactStore, opts: MonitoringFixtureOptions): Promise<MonitoringFixture> {
  const n = opts.windows ?? 48;
  const f = Math.max(2, opts.features ?? 6);
  const deployment = opts.deployment ?? "churn";
  const modelName = opts.modelName ?? `${deployment}-model`;
  const end = opts.end ?? new Date(Math.floor(Date.now() / HOUR) * HOUR);
  const random = rng(13);

  const numeric: NumericSpec[] = Array.from({ length: f - 1 }, (_, i) => ({
    name: i < FEATURE_NAMES.length ? FEATURE_NAMES[i]! : `feature_${String(i + 1).padStart(2, "0")}`,
    mean: 10 + i * 7,
    std: 2 + (i % 5),
  }));
  const categorical = "region";
  const drifted = numeric[0]!.name;
  const predictionSpec: NumericSpec = { name: "prediction", mean: 42, std: 6 };

  const profile: ReferenceProfile = {
    format: "conveyor-profile/v1",
    rows: REFERENCE_ROWS,
    features: [
      ...numeric.map(numericReference),
      {
        kind: "categorical",
        name: categorical,
        count: REFERENCE_ROWS,
        missing: 0,
        frequencies: Object.fromEntries(Object.entries(CATEGORIES).map(([k, s]) => [k, Math.round(s * REFERENCE_ROWS)])),
        other: 0,
      },
    ],
    prediction: numericReference(predictionSpec),
  };
  const stored = await store.putBytes(Buffer.from(JSON.stringify(profile)), "profile.json");
  const model = sumModel(numeric, categorical);
  model.manifest = { ...model.manifest, profile: { uri: stored.uri, sha256: stored.sha256 } } as typeof model.manifest;
  const { version } = await deployTestModel(db, store, { teamId: opts.teamId, deployment, modelName, model });
  const dep = (await getDeployment(db, opts.teamId, deployment))!;
  await setMonitoring(db, dep.id, { intervalSeconds: 3600, retentionDays: 30, enabled: true });

  // A gap of three windows without traffic at 40 % of the range.
  const gapAt = Math.floor(n * 0.4);
  const gap = n >= 10 ? [gapAt, gapAt + 1, gapAt + 2] : [];
  // Ground truth arrives from a quarter of the range on.
  const labelledFrom = Math.floor(n * 0.25);
  const windowStarts: Date[] = [];
  let firstDrifted: number | null = null;
  for (let i = 0; i < n; i++) {
    const start = new Date(end.getTime() - (n - i) * HOUR);
    windowStarts.push(start);
    const windowEnd = new Date(start.getTime() + HOUR);
    if (gap.includes(i)) {
      await saveMonitorWindow(db, { deploymentId: dep.id, windowStart: start, windowEnd, rows: 0, figures: {} });
      continue;
    }
    const t = n > 1 ? i / (n - 1) : 1;
    const hour = start.getUTCHours();
    const rows = Math.round(900 + 500 * Math.sin(((hour - 8) / 24) * 2 * Math.PI) + random() * 120);
    const shift = 0.9 * t * t;
    const features: ColumnDrift[] = numeric.map((spec, k) =>
      k === 0
        ? numericDrift(spec, rows, shift, 1 + 0.3 * t, 0.004, random)
        : numericDrift(spec, rows, (random() - 0.5) * 0.12, 1, k === 2 ? 0.01 + 0.05 * t : 0.002, random),
    );
    features.push(categoricalDrift(categorical, rows, 0.002 + 0.01 * t, random));
    const prediction = numericDrift(predictionSpec, rows, shift * 0.45, 1, 0, random);
    const psi = features[0]!.psi;
    if (firstDrifted === null && psi >= 0.2) firstDrifted = i;
    const errors = Math.round(rows * (0.002 + (i % 17 === 5 ? 0.06 : 0.004 * random())));
    const missingCells = features.reduce((a, c) => a + c.missingRate * rows, 0);
    const r2 = 0.9 - 0.35 * t * t + (random() - 0.5) * 0.02;
    const rmse = 2.15 + 2.2 * t * t + (random() - 0.5) * 0.1;
    const mae = 1.62 + 1.6 * t * t + (random() - 0.5) * 0.08;
    const training = { r2: 0.91, rmse: 2.1, mae: 1.6 };
    const metrics = { r2, rmse, mae };
    const figures: MonitorFigures = {
      versions: [{ version, rows }],
      referenceVersion: version,
      features,
      prediction: { ...prediction, name: "prediction" },
      dataQuality: {
        missingRate: missingCells / (rows * features.length),
        outOfRange: features.reduce((a, c) => a + c.outOfRange, 0),
        unseenCategories: features.reduce((a, c) => a + c.unseen, 0),
        schemaMismatches: i % 23 === 7 ? [`"${numeric[numeric.length - 1]!.name}" was missing from ${Math.round(rows * 0.02)} of ${rows} rows`] : [],
      },
      quality:
        i >= labelledFrom
          ? {
              labelled: Math.round(rows * 0.3),
              metrics,
              training,
              change: Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, v - training[k as keyof typeof training]])),
            }
          : null,
      system: {
        requests: Math.round(rows / 1.2),
        errors,
        errorRate: errors / Math.round(rows / 1.2),
        ratePerSecond: Math.round(rows / 1.2) / 3600,
        p50Ms: 2.4 + random() * 0.6 + (i % 17 === 5 ? 3 : 0),
        p99Ms: 9 + random() * 4 + (i % 17 === 5 ? 30 : 0),
      },
    };
    await saveMonitorWindow(db, { deploymentId: dep.id, windowStart: start, windowEnd, rows, figures: figures });
  }

  if (n === 0)
    return {
      deployment,
      modelName,
      version,
      features: [...numeric.map((x) => x.name), categorical],
      drifted,
      categorical,
      retrainRunId: null,
      windowStarts,
      gap,
    };
  const rules = await replaceAlertRules(db, dep.id, [
    { metric: "psi", feature: null, op: ">", value: 0.2, forWindows: 2 },
    { metric: "error_rate", feature: null, op: ">", value: 0.05, forWindows: 1 },
    { metric: "r2_change", feature: null, op: "<", value: -0.1, forWindows: 3 },
  ]);
  const { pipelineId, runId } = await createFixtureRun(db, { teamId: opts.teamId, name: `retrain ${modelName}` });
  const at = (i: number, minutes: number) => new Date(end.getTime() - (n - i - 1) * HOUR + minutes * 60_000);
  const event = async (e: Parameters<typeof addMonitorEvent>[1], createdAt: Date) => {
    const row = await addMonitorEvent(db, e);
    await db.update(monitorEvents).set({ createdAt }).where(eq(monitorEvents.id, row.id));
  };
  const win = (i: number) => ({ windowStart: windowStarts[i]!, windowEnd: new Date(windowStarts[i]!.getTime() + HOUR) });
  // An error-rate spike that fired and resolved.
  const spike = Array.from({ length: n }, (_, i) => i).find((i) => i % 17 === 5 && !gap.includes(i));
  if (spike !== undefined) {
    await event(
      {
        deploymentId: dep.id,
        kind: "alert.firing",
        message: "error_rate > 0.05 (1 window)",
        metric: "error_rate",
        feature: null,
        observed: 0.064,
        threshold: 0.05,
        ruleId: rules[1]!.id,
        ...win(spike),
      },
      at(spike, 1),
    );
    if (spike + 1 < n)
      await event(
        {
          deploymentId: dep.id,
          kind: "alert.resolved",
          message: "error_rate back to 0.004",
          metric: "error_rate",
          feature: null,
          observed: 0.004,
          threshold: 0.05,
          ruleId: rules[1]!.id,
          ...win(spike + 1),
        },
        at(spike + 1, 1),
      );
  }
  // The drift alert (two windows in a row over 0.2), the retraining run it started, and a cooldown after.
  const fired = Math.min(n - 1, (firstDrifted ?? n - 2) + 1);
  await event(
    {
      deploymentId: dep.id,
      kind: "alert.firing",
      message: `psi of ${drifted} > 0.2 for 2 windows`,
      metric: "psi",
      feature: drifted,
      observed: 0.24,
      threshold: 0.2,
      ruleId: rules[0]!.id,
      ...win(fired),
    },
    at(fired, 1),
  );
  await event(
    {
      deploymentId: dep.id,
      kind: "retrain.started",
      message: `drift trigger started retrain ${modelName}: psi of ${drifted} 0.24 > 0.2`,
      metric: "psi",
      feature: drifted,
      observed: 0.24,
      threshold: 0.2,
      ruleId: rules[0]!.id,
      pipelineId,
      runId,
      ...win(fired),
    },
    at(fired, 2),
  );
  if (fired + 2 < n)
    await event(
      {
        deploymentId: dep.id,
        kind: "retrain.cooldown",
        message: `drift trigger held back: retrain ${modelName} ran ${2} h ago (cooldown 24 h)`,
        metric: "psi",
        feature: drifted,
        observed: 0.31,
        threshold: 0.2,
        ruleId: rules[0]!.id,
        pipelineId,
        ...win(fired + 2),
      },
      at(fired + 2, 2),
    );
  return {
    deployment,
    modelName,
    version,
    features: [...numeric.map((x) => x.name), categorical],
    drifted,
    categorical,
    retrainRunId: runId,
    windowStarts,
    gap,
  };
}

async function main() {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  if (!process.env.ARTIFACT_DIR) throw new Error("set ARTIFACT_DIR (where profile.json and the model are stored; give the web app the same)");
  const options = { windows: Number(arg("windows") ?? 48), features: Number(arg("features") ?? 6), deployment: arg("deployment") };
  const url = arg("url");
  if (url) {
    // Into a database that is already running (and migrated): seed, print, exit.
    const { createDb } = await import("../db/client");
    const { seedLocal } = await import("../db/seed");
    const db = createDb(url, { max: 2 });
    const { teamId } = await seedLocal(db);
    const fx = await seedMonitoringFixture(db, new ArtifactStore(), { teamId, ...options });
    console.log(JSON.stringify({ DATABASE_URL: url, ...fx, windowStarts: undefined }));
    await db.$client.end({ timeout: 5 });
    return;
  }
  const t = await startTestDatabase({ embedded: true });
  const fx = await seedMonitoringFixture(t.db, new ArtifactStore(), { teamId: t.teamId, ...options });
  console.log(JSON.stringify({ DATABASE_URL: t.url, ARTIFACT_DIR: process.env.ARTIFACT_DIR, ...fx, windowStarts: undefined }));
  const stop = () => void t.stop().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, "/"))) await main();
