/**
 * A monitored deployment with history, for the monitoring page's screenshots
 * and its performance check: a model version (a real ONNX graph over F
 * inputs) whose manifest names a reference profile (profile.json in the
 * artifact store), a deployment of it, N hourly monitor windows with the
 * figures the monitor would compute (one feature drifting more and more, a
 * gap without traffic, live quality falling once ground truth arrives) and
 * alert events, one of which started a retraining run.
 *
 * The figures are the monitor's own: the reference profile is built from
 * generated training rows (workflows/ml/drift/profile.ts), and every window's
 * figures by windowFigures (workflows/monitoring/window.ts) from generated
 * live rows: normal features, one shifting further window by window, the
 * model's answers (the sum model below, computed as its graph does) and
 * ground truth for 30 % of the rows from a quarter of the range on, whose
 * relation to the drifting feature changes (so live quality falls).
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
import { referenceProfile } from "../workflows/ml/drift/profile";
import { regressionMetrics } from "../workflows/ml/metrics";
import { windowFigures, type WindowRow } from "../workflows/monitoring/window";
import { DataType, GraphBuilder } from "../workflows/ml/onnx/builder";
import type { ModelInput } from "../workflows/ml/types";
import { manifestFor, type TestModel } from "./models";
import { deployTestModel, startTestDatabase } from "./serving-database";
import { Rng } from "../workflows/ml/gbdt/rng";

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

/** Uniform draws in [0, 1) from the trainer's seeded generator. */
const rng = (seed: number): (() => number) => {
  const r = new Rng(seed);
  return () => r.next();
};

/** Standard normal draws (Box–Muller). */
function normal(random: () => number) {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

interface NumericSpec {
  name: string;
  mean: number;
  std: number;
  /** Its weight in the sum model. */
  weight: number;
}

const CATEGORIES: [string, number][] = [
  ["north", 0.45],
  ["south", 0.3],
  ["east", 0.15],
  ["west", 0.1],
];

function category(u: number, unseenShare: number): string {
  if (u < unseenShare) return "central";
  let acc = unseenShare;
  for (const [c, s] of CATEGORIES) {
    acc += s * (1 - unseenShare);
    if (u < acc) return c;
  }
  return CATEGORIES[CATEGORIES.length - 1]![0];
}

/** prediction = Σ wᵢ·xᵢ over the numeric inputs (missing → 0); the categorical input is read and unused. */
function sumModel(numeric: NumericSpec[], categorical: string, metrics: Record<string, number>): TestModel {
  const g = new GraphBuilder("monitoring_fixture_sum");
  const inputs: ModelInput[] = [
    ...numeric.map((f): ModelInput => ({ name: f.name, datatype: "FP32", shape: [-1, 1] })),
    { name: categorical, datatype: "BYTES", shape: [-1, 1] },
  ];
  for (const i of inputs) g.input({ name: i.name, type: i.datatype === "FP32" ? DataType.FLOAT : DataType.STRING, shape: [-1, 1] });
  let acc: string | null = null;
  numeric.forEach((f) => {
    const x = g.op("Where", [g.op("IsNaN", [f.name]), g.floatConst([0], []), f.name]);
    const term = g.op("Mul", [x, g.floatConst([f.weight], [])]);
    acc = acc === null ? term : g.op("Add", [acc, term]);
  });
  g.node("Identity", [acc!], { outputs: ["prediction"] });
  g.output({ name: "prediction", type: DataType.FLOAT, shape: [-1, 1] });
  return {
    onnx: g.serialize({ producerVersion: "test" }),
    manifest: manifestFor("regression", inputs, [{ name: "prediction", datatype: "FP32", shape: [-1, 1] }], { metrics }),
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
  const z = normal(random);

  const numeric: NumericSpec[] = Array.from({ length: f - 1 }, (_, i) => ({
    name: i < FEATURE_NAMES.length ? FEATURE_NAMES[i]! : `feature_${String(i + 1).padStart(2, "0")}`,
    mean: 10 + i * 7,
    std: 2 + (i % 5),
    weight: 1 / (i + 1),
  }));
  const categorical = "region";
  const drifted = numeric[0]!.name;
  /** The model's answer, as its graph computes it (a missing number counts 0). */
  const predict = (x: Float64Array) => numeric.reduce((acc, spec, k) => acc + (Number.isNaN(x[k]!) ? 0 : spec.weight * x[k]!), 0);
  /** The truth: the model's relation plus noise, and (concept drift) an extra effect of the drifting feature that grows over the range. */
  const truth = (x: Float64Array, t: number) => predict(x) + 2 * z() + (Number.isNaN(x[0]!) ? 0 : 1.2 * t * (x[0]! - numeric[0]!.mean));

  // Training rows → the reference profile and the evaluation metrics, as a train step would record them.
  const trainX = numeric.map(() => new Float64Array(REFERENCE_ROWS));
  const trainCat: string[] = [];
  const trainPred = new Float64Array(REFERENCE_ROWS);
  const trainTrue = new Float64Array(REFERENCE_ROWS);
  const row = new Float64Array(numeric.length);
  for (let r = 0; r < REFERENCE_ROWS; r++) {
    numeric.forEach((spec, k) => (row[k] = trainX[k]![r] = spec.mean + spec.std * z()));
    trainCat.push(category(random(), 0));
    trainPred[r] = predict(row);
    trainTrue[r] = truth(row, 0);
  }
  const { r2, rmse, mae } = regressionMetrics(trainTrue, trainPred);
  const training = { r2, rmse, mae };
  const model = sumModel(numeric, categorical, training);
  const profile = referenceProfile(
    {
      rows: REFERENCE_ROWS,
      columns: [
        ...numeric.map((spec, k) => ({ name: spec.name, kind: "number" as const, values: trainX[k]! })),
        { name: categorical, kind: "string" as const, values: trainCat },
      ],
    },
    model.manifest.inputs,
    { task: "regression", prediction: trainPred },
  );
  const stored = await store.putBytes(Buffer.from(JSON.stringify(profile)), "profile.json");
  model.manifest = { ...model.manifest, profile: { uri: stored.uri, sha256: stored.sha256 } };
  const { version } = await deployTestModel(db, store, { teamId: opts.teamId, deployment, modelName, model });
  const dep = (await getDeployment(db, opts.teamId, deployment))!;
  await setMonitoring(db, dep.id, { intervalSeconds: 3600, retentionDays: 30, enabled: true });
  const reference = { version, manifest: model.manifest, metrics: training, profile };

  // A gap of three windows without traffic at 40 % of the range.
  const gapAt = Math.floor(n * 0.4);
  const gap = n >= 10 ? [gapAt, gapAt + 1, gapAt + 2] : [];
  // Ground truth arrives from a quarter of the range on.
  const labelledFrom = Math.floor(n * 0.25);
  const windowStarts: Date[] = [];
  let firstDrifted: number | null = null;
  // What the alert rules below watch, per window (NaN without traffic).
  const psiOf = new Array<number>(n).fill(Number.NaN);
  const errorRateOf = new Array<number>(n).fill(Number.NaN);
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
    const rows = Math.round(700 + 400 * Math.sin(((hour - 8) / 24) * 2 * Math.PI) + random() * 100);
    // The drifting feature's mean moves up to 0.9 standard deviations and its spread grows by 30 %;
    // one feature's values go missing more and more; a few region values were never seen in training.
    const shift = 0.9 * t * t;
    const live: WindowRow[] = [];
    for (let r = 0; r < rows; r++) {
      numeric.forEach((spec, k) => {
        const missing = random() < (k === 2 ? 0.01 + 0.05 * t : 0.002);
        row[k] = missing ? Number.NaN : spec.mean + spec.std * (k === 0 ? shift + (1 + 0.3 * t) * z() : 0.03 * (random() - 0.5) + z());
      });
      const prediction = Math.fround(predict(row));
      const inputs: WindowRow["inputs"] = {
        ...Object.fromEntries(numeric.map((spec, k) => [spec.name, Number.isNaN(row[k]!) ? null : row[k]!])),
        [categorical]: category(random(), 0.002 + 0.01 * t),
      };
      // Now and then a client leaves out the last numeric input altogether (a schema mismatch, not a missing value).
      if (i % 23 === 7 && random() < 0.02) delete inputs[numeric[numeric.length - 1]!.name];
      live.push({
        version,
        inputs,
        outputs: { prediction },
        label: null,
        value: i >= labelledFrom && random() < 0.3 ? truth(row, t) : null,
      });
    }
    const requests = Math.round(rows / 1.2);
    const errors = Math.round(requests * (i % 17 === 5 ? 0.06 : 0.004 * random()));
    const figures = windowFigures(live, reference, {
      requests,
      errors,
      errorRate: errors / requests,
      ratePerSecond: requests / 3600,
      p50Ms: 2.4 + random() * 0.6 + (i % 17 === 5 ? 3 : 0),
      p99Ms: 9 + random() * 4 + (i % 17 === 5 ? 30 : 0),
    });
    psiOf[i] = figures.features[0]?.psi ?? Number.NaN;
    errorRateOf[i] = errors / requests;
    if (firstDrifted === null && psiOf[i]! >= 0.2) firstDrifted = i;
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
        observed: errorRateOf[spike]!,
        threshold: 0.05,
        ruleId: rules[1]!.id,
        ...win(spike),
      },
      at(spike, 1),
    );
    if (spike + 1 < n && !gap.includes(spike + 1))
      await event(
        {
          deploymentId: dep.id,
          kind: "alert.resolved",
          message: `error_rate back to ${(errorRateOf[spike + 1]! * 100).toFixed(1)}%`,
          metric: "error_rate",
          feature: null,
          observed: errorRateOf[spike + 1]!,
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
      observed: psiOf[fired]!,
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
      message: `drift trigger started retrain ${modelName}: psi of ${drifted} ${psiOf[fired]!.toFixed(3)} > 0.2`,
      metric: "psi",
      feature: drifted,
      observed: psiOf[fired]!,
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
        observed: psiOf[fired + 2]!,
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
