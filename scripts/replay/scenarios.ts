/**
 * Replay scenarios (`npm run replay -- <scenario>`): train a model on one
 * period of real bundled data, serve it, send it the following period as
 * live traffic at a fixed rate with ground truth arriving later, and let
 * the monitor judge each period. Everything goes through the public API
 * (contract/api/endpoints.ts, through the CLI's client) and the serving
 * endpoint, as a user's own traffic would.
 *
 * - `seattle`: trained on summer days of seattle-weather, replayed winter:
 *   temp_max drifts far past PSI 0.2, the drift trigger retrains on the
 *   logged winter days with their truth, the challenger beats the champion
 *   on the same rows and a canary makes it the new champion.
 * - `flights`: trained on January 2001 of flights-3m, replayed February to
 *   June month by month: mild drift (delay PSI ≈ 0.01 a month) that must not
 *   fire the pipeline's 0.2 trigger.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { endpoints } from "../../contract/api/endpoints";
import type { Client } from "../../cli/client";
import { lit, withDuckDb } from "../../workflows/data/duckdb";
import { packageDir } from "../../workflows/nodes/ingest.csv/sources";
import { binEdges, numericCounts, psi, sortedFinite } from "../../workflows/ml/drift/drift";
import { fileURLToPath } from "node:url";

/** A pipeline template shipped in contract/templates (read as a file: the replay also runs under Playwright, whose ESM loader wants import attributes for JSON). */
function template(name: string): { name: string; triggers: unknown[] } & Record<string, unknown> {
  return JSON.parse(fs.readFileSync(fileURLToPath(new URL(`../../contract/templates/${name}.pipeline.json`, import.meta.url)), "utf8")) as never;
}
const seattleSpec = template("seattle-weather");
const seattleRetrainSpec = template("seattle-weather-retrain");

export const SCENARIOS = ["seattle", "flights"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

type Row = Record<string, number | string | null>;

export interface ReplayOptions {
  client: Client;
  /** Base URL of the serving process. */
  servingUrl: string;
  /** Live rows sent per second. */
  rate: number;
  /** Ground truth for a prediction is sent this long after it. */
  feedbackLagMs: number;
  log(line: string): void;
  /** Longest wait for a run (ms). */
  runTimeoutMs?: number;
  /** Seattle: false stops once the retraining run has started (default: follow it to its end, sending traffic for its canary). */
  closeLoop?: boolean;
}

export interface PeriodOutcome {
  period: string;
  rows: number;
  /** The monitor's figures of the period's window. */
  worstFeature: { name: string; psi: number } | null;
  psi: Record<string, number>;
  predictionPsi: number | null;
  /** PSI of the truth (the target) against the training period's. */
  targetPsi: number;
  liveQuality: Record<string, number> | null;
  events: { kind: string; message: string; runId: string | null }[];
}

export interface ScenarioOutcome {
  scenario: ScenarioName;
  deployment: string;
  championBefore: number;
  championAfter: number;
  periods: PeriodOutcome[];
  retrainRun: { id: string; status: string } | null;
}

// ---------------------------------------------------------------------------
// Data

function seattleRows(): { summer: Row[]; winter: Row[] } {
  const text = fs.readFileSync(path.join(packageDir("vega-datasets"), "data", "seattle-weather.csv"), "utf8");
  const [header, ...lines] = text.trim().split(/\r?\n/);
  const cols = header!.split(",");
  const rows = lines.map((l) => {
    const v = l.split(",");
    return Object.fromEntries(cols.map((c, i) => [c, c === "date" || c === "weather" ? v[i]! : Number(v[i])]));
  });
  const month = (r: Row) => Number(String(r.date).slice(5, 7));
  return { summer: rows.filter((r) => [6, 7, 8].includes(month(r))), winter: rows.filter((r) => [12, 1, 2].includes(month(r))) };
}

const FLIGHT_FEATURES = ["hour", "day_of_week", "distance"] as const;

/** A deterministic sample of one month of flights-3m (2001), with the features the flights model uses. */
async function flightsMonth(month: number, n: number): Promise<Row[]> {
  const file = path.join(packageDir("vega-datasets"), "data", "flights-3m.parquet");
  return withDuckDb(async (conn) => {
    const r = await conn.runAndReadAll(
      `SELECT hour(date) + minute(date) / 60.0 AS hour, CAST(isodow(date) AS DOUBLE) AS day_of_week, CAST(distance AS DOUBLE) AS distance, CAST(delay AS DOUBLE) AS delay
       FROM read_parquet(${lit(file)}) WHERE month(date) = ${month} AND delay IS NOT NULL
       ORDER BY hash(date, origin, destination, distance, delay) LIMIT ${n}`,
    );
    return r.getRowObjectsJS() as Row[];
  });
}

const toCsv = (rows: Row[], cols: string[]) => [cols.join(","), ...rows.map((r) => cols.map((c) => String(r[c] ?? "")).join(","))].join("\n") + "\n";

// ---------------------------------------------------------------------------
// API steps

async function ensurePipeline(client: Client, spec: { name: string }): Promise<string> {
  const existing = (await client.call(endpoints.listPipelines, {})).find((p) => p.name === spec.name);
  if (existing) return (await client.call(endpoints.savePipeline, { id: existing.id, spec })).id;
  return (await client.call(endpoints.createPipeline, { spec })).id;
}

async function waitForRun(o: ReplayOptions, runId: string, what: string): Promise<{ status: string }> {
  const t0 = Date.now();
  let last = "";
  for (;;) {
    const run = await o.client.call(endpoints.getRun, { runId });
    const step = run.steps.find((s) => s.status === "running");
    const now = `${run.status}${step ? ` (${step.nodeId})` : ""}`;
    if (now !== last) o.log(`  ${what} ${runId.slice(0, 8)}: ${now}`);
    last = now;
    if (!["queued", "running"].includes(run.status)) return run;
    if (Date.now() - t0 > (o.runTimeoutMs ?? 600_000))
      throw new Error(`${what} ${runId} is still ${run.status} after ${Math.round((Date.now() - t0) / 1000)} s`);
    await sleep(1000);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function champion(client: Client, model: string): Promise<number | undefined> {
  return (await client.call(endpoints.getModel, { name: model })).aliases.champion;
}

/**
 * Sends rows to the deployment at `rate` rows a second, one row a request,
 * each with its own request id; ground truth follows `feedbackLagMs` later.
 * With `until`, cycles through the rows until it returns true.
 */
async function replay(o: ReplayOptions, deployment: string, rows: Row[], target: string, until?: () => boolean): Promise<{ sent: number; failed: number }> {
  const pending: { at: number; requestId: string; truth: number | string }[] = [];
  let sent = 0;
  let failed = 0;
  const t0 = performance.now();
  const flush = async (all: boolean) => {
    const due = pending.filter((p) => all || performance.now() - p.at >= o.feedbackLagMs);
    if (!due.length) return;
    pending.splice(0, due.length);
    const items = due.map((p) => (typeof p.truth === "number" ? { requestId: p.requestId, value: p.truth } : { requestId: p.requestId, label: p.truth }));
    const r = await o.client.call(endpoints.recordFeedback, { name: deployment, feedback: items });
    if (r.unknown.length) o.log(`  feedback: ${r.unknown.length} request ids were unknown`);
  };
  for (let i = 0; until ? !until() : i < rows.length; i++) {
    const row = rows[i % rows.length]!;
    const { [target]: truth, ...instance } = row;
    const requestId = crypto.randomUUID();
    const due = t0 + (sent * 1000) / o.rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const res = await fetch(`${o.servingUrl}/v1/predict/${encodeURIComponent(deployment)}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": requestId },
      body: JSON.stringify({ instances: [instance] }),
    }).catch(() => null);
    sent++;
    if (!res || !res.ok) failed++;
    await res?.arrayBuffer();
    if (res?.ok && truth !== null && truth !== undefined) pending.push({ at: performance.now(), requestId, truth });
    if (sent % 50 === 0) await flush(false);
  }
  await sleep(Math.max(o.feedbackLagMs, 1500));
  await flush(true);
  return { sent, failed };
}

/** Waits until the serving replicas have written the period's predictions (the log flushes about every second). */
const settle = () => sleep(2500);

async function judge(o: ReplayOptions, deployment: string, period: string, from: Date, to: Date, rows: number, targetPsi: number): Promise<PeriodOutcome> {
  const r = await o.client.call(endpoints.runMonitoring, { name: deployment, from: from.toISOString(), to: to.toISOString() });
  const f = r.window.figures;
  const psiOf = Object.fromEntries((f?.features ?? []).map((x) => [x.name, x.psi]));
  const worst = (f?.features ?? []).reduce<{ name: string; psi: number } | null>(
    (a, x) => (a === null || x.psi > a.psi ? { name: x.name, psi: x.psi } : a),
    null,
  );
  const out: PeriodOutcome = {
    period,
    rows,
    worstFeature: worst,
    psi: psiOf,
    predictionPsi: f?.prediction?.psi ?? null,
    targetPsi,
    liveQuality: f?.quality?.metrics ?? null,
    events: r.events.map((e) => ({ kind: e.kind, message: e.message, runId: e.runId })),
  };
  o.log(
    `  ${period}: ${r.window.rows} predictions; PSI ${Object.entries(psiOf)
      .map(([k, v]) => `${k} ${v.toFixed(3)}`)
      .join(", ")}; prediction PSI ${out.predictionPsi?.toFixed(3) ?? "n/a"}; target PSI ${targetPsi.toFixed(3)}${
      f?.quality
        ? `; live ${Object.entries(f.quality.metrics)
            .map(([k, v]) => `${k} ${v.toFixed(3)}`)
            .join(", ")}`
        : ""
    }`,
  );
  for (const e of out.events) o.log(`  → ${e.kind}: ${e.message}${e.runId ? ` (run ${e.runId})` : ""}`);
  return out;
}

/** PSI of `current` against `reference` over the reference's deciles (the monitor's definition). */
function columnPsi(reference: number[], current: number[]): number {
  const edges = binEdges(sortedFinite(Float64Array.from(reference)));
  return psi(numericCounts(Float64Array.from(reference), edges).counts, numericCounts(Float64Array.from(current), edges).counts);
}

async function trainAndDeploy(o: ReplayOptions, spec: { name: string }, deployment: string): Promise<number> {
  const id = await ensurePipeline(o.client, spec);
  const { runId } = await o.client.call(endpoints.startRun, { pipelineId: id });
  const run = await waitForRun(o, runId, `training run of "${spec.name}"`);
  if (run.status !== "succeeded") throw new Error(`the training run ${runId} ${run.status}`);
  const v = await champion(o.client, deployment);
  if (v === undefined) throw new Error(`${deployment} has no champion after run ${runId}`);
  // A whole minute per window is the shortest interval; the replay computes its own windows at once.
  await o.client.call(endpoints.configureMonitoring, { name: deployment, intervalSeconds: 3600 });
  return v;
}

// ---------------------------------------------------------------------------
// Scenarios

export async function seattle(o: ReplayOptions): Promise<ScenarioOutcome> {
  const deployment = "seattle-weather";
  const { summer, winter } = seattleRows();
  o.log(`seattle: ${summer.length} summer days to train on; every other one, then ${winter.length} winter days a month at a time, replayed at ${o.rate}/s`);
  const cols = ["date", "precipitation", "temp_max", "temp_min", "wind", "weather"];
  await o.client.call(endpoints.uploadDataset, { name: "seattle-summer", csv: new TextEncoder().encode(toCsv(summer, cols)) });
  const before = await trainAndDeploy(o, seattleSpec, deployment);
  o.log(`  ${deployment} v${before} is the champion (trained on summer)`);
  await ensurePipeline(o.client, seattleRetrainSpec);
  o.log(`  "${seattleRetrainSpec.name}" watches ${deployment}: ${JSON.stringify(seattleRetrainSpec.triggers[0])}`);

  const features = (rows: Row[]) => rows.map(({ date: _d, ...r }) => r);
  const lows = (rows: Row[]) => rows.map((r) => r.temp_min as number);
  const month = (rows: Row[], m: number) => rows.filter((r) => Number(String(r.date).slice(5, 7)) === m);
  /** Replays `rows` as one period and has the monitor judge its window. */
  const period = async (name: string, rows: Row[]) => {
    const from = new Date();
    const sent = await replay(o, deployment, features(rows), "temp_min");
    await settle();
    return judge(o, deployment, name, from, new Date(), sent.sent, columnPsi(lows(summer), lows(rows)));
  };

  // Summer days first: the calm baseline (nothing fires). Then winter, a month at a time.
  const periods = [
    await period(
      "summer",
      summer.filter((_, i) => i % 2 === 0),
    ),
  ];
  let started: PeriodOutcome["events"][number] | undefined;
  for (const [m, name] of [
    [12, "December"],
    [1, "January"],
    [2, "February"],
  ] as const) {
    const p = await period(name, month(winter, m));
    periods.push(p);
    started ??= p.events.find((e) => e.kind === "retrain.started" && e.runId);
  }
  let retrainRun: ScenarioOutcome["retrainRun"] = started?.runId ? { id: started.runId, status: "running" } : null;
  if (started?.runId && o.closeLoop !== false) {
    // Winter keeps coming while the challenger trains, is judged and rolls out: its canary judges live traffic.
    let done = false;
    const keepSending = replay(o, deployment, features(winter), "temp_min", () => done);
    try {
      const run = await waitForRun(o, started.runId, "retraining run");
      retrainRun = { id: started.runId, status: run.status };
    } finally {
      done = true;
      await keepSending;
    }
    // The new champion knows winter: the same days drift no more against its own training profile.
    if (retrainRun?.status === "succeeded") periods.push(await period("winter, after retraining", winter));
  }
  const after = (await champion(o.client, deployment)) ?? before;
  o.log(`seattle: champion v${before} → v${after}${retrainRun ? ` (retraining run ${retrainRun.id} ${retrainRun.status})` : " (no retraining)"}`);
  return { scenario: "seattle", deployment, championBefore: before, championAfter: after, periods, retrainRun };
}

/** The flights pipelines: January's model, and a retraining pipeline that would fire on PSI above 0.2 (it must not). */
function flightsSpecs(deployment: string) {
  const train = { task: "regression", target: "delay", features: [...FLIGHT_FEATURES], nTrees: 60, seed: 3 };
  const edges = [
    { id: "e1", source: "ingest", sourcePort: "dataset", target: "split", targetPort: "dataset" },
    { id: "e2", source: "split", sourcePort: "train", target: "train", targetPort: "dataset" },
    { id: "e3", source: "train", sourcePort: "model", target: "evaluate", targetPort: "model" },
    { id: "e4", source: "split", sourcePort: "test", target: "evaluate", targetPort: "dataset" },
    { id: "e5", source: "evaluate", sourcePort: "metrics", target: "gate", targetPort: "metrics" },
    { id: "e6", source: "train", sourcePort: "model", target: "deploy", targetPort: "model" },
    { id: "e7", source: "gate", sourcePort: "decision", target: "deploy", targetPort: "decision" },
  ];
  const nodes = (ingest: Record<string, unknown>, gate: Record<string, unknown>, deploy: Record<string, unknown>, compare: boolean) => [
    { id: "ingest", ...ingest },
    { id: "split", type: "feature.split", config: { strategy: "random", testFraction: 0.2, seed: 3 } },
    { id: "train", type: "train.gbdt", config: train },
    { id: "evaluate", type: "evaluate", config: compare ? { compareWithChampion: true } : {} },
    { id: "gate", ...gate },
    { id: "deploy", type: "deploy.endpoint", version: 2, config: { model: deployment, ...deploy } },
  ];
  return {
    first: {
      apiVersion: "conveyor/v1",
      name: "flight-delays",
      description: "Predicts a flight's arrival delay (minutes) from its departure hour, weekday and distance, trained on January 2001 (flights-3m).",
      nodes: nodes(
        { type: "ingest.csv", config: { source: "dataset:flights-january" } },
        { type: "gate.threshold", config: { conditions: [{ metric: "mae", op: "<=", value: 1000 }] } },
        { strategy: "replace" },
        false,
      ),
      edges,
    },
    retrain: {
      apiVersion: "conveyor/v1",
      name: "flight-delays-retrain",
      description: "Retrains flight-delays on logged flights when any feature's PSI passes 0.2.",
      params: [{ name: "drift_window_start", type: "string", default: "" }],
      nodes: nodes(
        { type: "ingest.predictions", config: { deployment, from: "${params.drift_window_start}", minRows: 100 } },
        { type: "gate.compare", config: { metric: "mae", margin: 0 } },
        { strategy: "canary", canary: { steps: [50, 100], interval: "15s" } },
        true,
      ),
      edges,
      triggers: [{ type: "drift", deployment, metric: "psi", threshold: 0.2, cooldown: "1h" }],
    },
  };
}

export async function flights(o: ReplayOptions & { rowsPerMonth?: number; trainingRows?: number }): Promise<ScenarioOutcome> {
  const deployment = "flight-delays";
  const perMonth = o.rowsPerMonth ?? 1500;
  const january = await flightsMonth(1, o.trainingRows ?? 30_000);
  o.log(`flights: ${january.length} January flights to train on; February to June replayed at ${o.rate}/s, ${perMonth} flights a month`);
  await o.client.call(endpoints.uploadDataset, { name: "flights-january", csv: new TextEncoder().encode(toCsv(january, [...FLIGHT_FEATURES, "delay"])) });
  const specs = flightsSpecs(deployment);
  const before = await trainAndDeploy(o, specs.first, deployment);
  o.log(`  ${deployment} v${before} is the champion (trained on January)`);
  await ensurePipeline(o.client, specs.retrain);
  const periods: PeriodOutcome[] = [];
  const names = ["February", "March", "April", "May", "June"];
  for (let m = 2; m <= 6; m++) {
    const rows = await flightsMonth(m, perMonth);
    const from = new Date();
    const sent = await replay(o, deployment, rows, "delay");
    await settle();
    const to = new Date();
    const targetPsi = columnPsi(
      january.map((r) => r.delay as number),
      rows.map((r) => r.delay as number),
    );
    periods.push(await judge(o, deployment, names[m - 2]!, from, to, sent.sent, targetPsi));
  }
  const after = (await champion(o.client, deployment)) ?? before;
  const fired = periods.flatMap((p) => p.events).filter((e) => e.kind === "retrain.started");
  o.log(`flights: ${fired.length === 0 ? "the 0.2 trigger never fired" : `the trigger fired ${fired.length} times`}; champion v${before} → v${after}`);
  return { scenario: "flights", deployment, championBefore: before, championAfter: after, periods, retrainRun: null };
}

export function runScenario(name: ScenarioName, o: ReplayOptions): Promise<ScenarioOutcome> {
  return name === "seattle" ? seattle(o) : flights(o);
}
