/**
 * Serving benchmark: OIP v2 `infer` throughput and p50/p99 latency of the
 * Conveyor serving server, all measured in one run:
 *
 * 1. Single-row requests at SERVING_BENCH_CONNECTIONS (default 64)
 *    connections against three servers, one at a time: Conveyor with dynamic
 *    batching on (the defaults, SERVING_BATCH_MAX_SIZE 64 rows and
 *    SERVING_BATCH_MAX_DELAY_MS 1 ms), the same server with batching off, and
 *    the ceiling of a server that does not batch — a bare `node:http` server
 *    that parses the same JSON and calls the very same onnxruntime-node
 *    session directly. Goals: batching on ≥ 3× batching off with p99 ≤ 20 ms;
 *    batching off ≥ 80% of the ceiling (our per-request overhead). Each round
 *    measures all three (warm-up, then the measured run; the order rotates
 *    between rounds); the round with the median throughput is reported for
 *    each, plus this process's CPU time per request (median over rounds),
 *    which a busy machine disturbs far less than throughput.
 * 2. MLflow's model server as the anchor: `mlflow models serve` (uvicorn, its
 *    default one worker, `--env-manager local`) of a pyfunc model that runs
 *    the same ONNX file with Python onnxruntime (bench/serving-mlflow.py), on
 *    127.0.0.1; MLflow and onnxruntime come from a venv made once per
 *    machine from bench/mlflow.requirements.txt (pinned by sha256). Measured:
 *    single-row requests at the same connections (goal: Conveyor with
 *    batching ≥ 100× MLflow) and 1,000-row requests at
 *    SERVING_BENCH_BATCH_CONNECTIONS (default 4) against both (goal ≥ 10×).
 *    Both answer the same predictions (checked first).
 * 3. What a rollout costs on the batching server: a canary deployment (90% /
 *    10% over two versions; goal ≥ 90% of one version's throughput) and a
 *    shadow deployment (goal ≥ 80%), rotated with the single version.
 * 4. How long after an alias move the new version is served (LISTEN/NOTIFY
 *    hot reload).
 * 5. What the prediction log costs (server/serving/prediction-log.ts): the
 *    batching server answering single-row requests for a deployment whose
 *    predictions are logged and for one whose monitoring is off (same model),
 *    rotated over rounds (at least 5); goal: logging on ≥ 90% of logging
 *    off, as the median of the rounds' ratios (each round runs both back to
 *    back, so a round's ratio is free of the machine's slower drifts; the
 *    ratio of the two medians is reported too). Every answered row must be
 *    written or counted as dropped. Run this part alone
 *    with `npx tsx bench/serving.ts --logging` (prints, writes no results).
 *
 * Setup: a private embedded PostgreSQL (never DATABASE_URL) and artifact
 * dir; a trained-like model (10 numeric inputs standardized + NaN-imputed,
 * 2 string inputs one-hot encoded, then a TreeEnsembleRegressor of 100
 * trees of depth 6) registered and deployed as `champion` exactly as
 * `deploy.endpoint` does. The Conveyor servers and the ceiling run in this
 * process, MLflow in its own; the load comes from autocannon in a child
 * process on 127.0.0.1. The Conveyor servers write their access log (a JSON
 * line per request) to a file, as in production.
 *
 * Note: onnxruntime-node runs `session.run` synchronously on the main thread
 * (deferred with setImmediate), so the servers are bound by one core and
 * every microsecond of per-request work shows; batching pays a session run
 * once per batch instead of once per request.
 *
 * Env: SERVING_BENCH_DURATION (s, default 8), SERVING_BENCH_CONNECTIONS
 * (default 64), SERVING_BENCH_BATCH_CONNECTIONS (default 4),
 * SERVING_BENCH_ROUNDS (default 3).
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import readline from "node:readline";
import http from "node:http";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Tensor, type InferenceSession } from "onnxruntime-node";
import { sql } from "drizzle-orm";
import { moveAlias } from "../db/queries/models";
import type { Db } from "../db/client";
import { changeDeployment, upsertDeployment, type DeploymentRoute } from "../db/queries/deployments";
import { createServingServer, type ServingServer } from "../server/serving/server";
import { DEFAULT_BATCHING } from "../server/serving/batcher";
import { deployTestModel, freePort, registerTestVersion, startTestDatabase } from "../testing/serving-database";
import { benchInferBody, benchTreeModel } from "../testing/models";
import { countLogged, deploymentIdOf, predictionLogBytes, setMonitoring } from "../testing/prediction-log";
import { venvExecutable } from "../testing/python-venv";
import pino from "pino";
import { ArtifactStore } from "../infra/artifacts";
import { batched, createLogger } from "../infra/log";
import { MLFLOW_VERSION, mlflowAnchor } from "./anchors";

const require = createRequire(import.meta.url);
const AUTOCANNON = require.resolve("autocannon/autocannon.js");
const here = path.dirname(fileURLToPath(import.meta.url));

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  mean: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** CPU time of this (server) process per request, µs: robust to a busy machine (not meaningful for MLflow, another process). */
  cpuUsPerRequest: number;
}

function int(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback;
}

/** Runs autocannon in a child process (the body from a file: 1,000-row bodies are too long for an argument) and returns its summary. */
function autocannon(url: string, bodyFile: string, connections: number, seconds: number): Promise<Omit<LoadResult, "cpuUsPerRequest">> {
  return new Promise((resolve, reject) => {
    const args = [
      AUTOCANNON,
      "-c",
      String(connections),
      "-d",
      String(seconds),
      "-m",
      "POST",
      "-H",
      "content-type=application/json",
      "-i",
      bodyFile,
      "-j",
      "-n",
      url,
    ];
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}: ${err.slice(-500)}`));
      try {
        const r = JSON.parse(out) as {
          requests: { average: number; total: number };
          latency: { p50: number; p99: number; average: number };
          non2xx: number;
          errors: number;
          timeouts: number;
          duration: number;
        };
        resolve({
          rps: r.requests.total / r.duration,
          p50: r.latency.p50,
          p99: r.latency.p99,
          mean: r.latency.average,
          requests: r.requests.total,
          non2xx: r.non2xx,
          errors: r.errors,
          timeouts: r.timeouts,
        });
      } catch (e) {
        reject(new Error(`cannot parse autocannon output: ${String(e)}: ${out.slice(0, 300)}`));
      }
    });
  });
}

/**
 * The ceiling of a server that runs each request on its own: node:http,
 * JSON.parse, one tensor per input, session.run, JSON.stringify — no
 * routing, validation, metrics or registry.
 */
function ceilingServer(session: InferenceSession): http.Server {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { inputs: { name: string; datatype: string; data: unknown[] }[] };
          const feeds: Record<string, Tensor> = {};
          for (const t of body.inputs) {
            feeds[t.name] =
              t.datatype === "BYTES"
                ? new Tensor("string", t.data as string[], [t.data.length, 1])
                : new Tensor("float32", Float32Array.from(t.data as number[]), [t.data.length, 1]);
          }
          const out = await session.run(feeds);
          const outputs = Object.entries(out).map(([name, t]) => ({ name, datatype: "FP32", shape: t.dims, data: Array.from(t.data as Float32Array) }));
          const text = JSON.stringify({ model_name: "bench", outputs });
          res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
          res.end(text);
        } catch (e) {
          res.writeHead(500);
          res.end(String(e));
        }
      })();
    });
  });
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return `http://127.0.0.1:${port}`;
}

async function post(url: string, body: string): Promise<any> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/** The same rows as an MLflow scoring request (pandas `dataframe_split`). */
function mlflowBody(oip: ReturnType<typeof benchInferBody>): string {
  const columns = oip.inputs.map((i) => i.name);
  const rows = oip.inputs[0]!.data.length;
  const data = Array.from({ length: rows }, (_, r) => oip.inputs.map((i) => i.data[r]));
  return JSON.stringify({ dataframe_split: { columns, data } });
}

interface Mlflow {
  url: string;
  stop(): Promise<void>;
}

/** `mlflow models serve` of the pyfunc around `onnxPath`, on 127.0.0.1; or why it cannot run here. */
async function startMlflow(onnxPath: string, workDir: string): Promise<Mlflow | { missing: string }> {
  const venv = await mlflowAnchor();
  if ("missing" in venv) return venv;
  const bin = path.dirname(venv.python);
  // uvicorn, which `mlflow models serve` execs, is found on PATH: the venv's bin first.
  const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`, MLFLOW_TRACKING_URI: `file://${path.join(workDir, "mlruns")}` };
  const modelDir = path.join(workDir, "mlflow-model");
  const saved = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(venv.python, [path.join(here, "serving-mlflow.py"), onnxPath, modelDir], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => resolve({ code, out }));
  });
  if (saved.code !== 0) return { missing: `saving the MLflow pyfunc model failed: ${saved.out.slice(-800)}` };
  const port = await freePort();
  // Its own process group: `mlflow models serve` runs uvicorn as a child, and stop() ends both.
  const child: ChildProcess = spawn(
    venvExecutable(venv.dir, "mlflow"),
    ["models", "serve", "-m", modelDir, "-h", "127.0.0.1", "-p", String(port), "--env-manager", "local"],
    { env, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let log = "";
  child.stdout!.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  child.stderr!.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      return;
    }
    const killed = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, 10_000);
    await exited;
    clearTimeout(killed);
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    const up = await fetch(`${url}/ping`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return { url, stop };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      return { missing: `mlflow models serve did not start: ${log.slice(-800)}` };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

const fmt = (n: number, digits = 1) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

type Measure = (url: string, file?: string, conns?: number) => Promise<LoadResult>;

/** The round with the median throughput (robust to a noisy neighbour in either direction). */
const mid = (xs: LoadResult[]) => [...xs].sort((p, q) => p.rps - q.rps)[Math.floor(xs.length / 2)]!;

export interface LoggingCost {
  on: LoadResult;
  off: LoadResult;
  /** on.rps / off.rps of the medians. */
  ratio: number;
  /** The median of the rounds' on/off throughput ratios (goal ≥ 0.9). */
  pairedRatio: number;
  /** Rows the logging deployment answered, and how many were written and dropped. */
  answered: number;
  written: number;
  dropped: number;
  rounds: { on: LoadResult[]; off: LoadResult[] };
  /** The store's (PostgreSQL's) CPU per request while each ran, median over rounds (µs; null where /proc is not readable). */
  storeCpuUsPerRequest: { on: number | null; off: number | null };
  /** What a logged prediction takes on disk (prediction_log_batches with TOAST and indexes), bytes. */
  storedBytesPerRow: number;
}

/**
 * CPU time (ms) of a PostgreSQL server so far: its postmaster (the pid in
 * postmaster.pid of its data directory) and every process it started.
 * Null off Linux or when the server runs as another machine.
 */
async function postgresCpuMs(db: Db): Promise<(() => Promise<number | null>) | null> {
  try {
    const [row] = await db.execute<{ dir: string }>(sql`select current_setting('data_directory') as dir`);
    const pid = Number((await fsp.readFile(path.join(row!.dir, "postmaster.pid"), "utf8")).split("\n")[0]);
    const tick = 1000 / 100; // USER_HZ
    const stat = async (p: string) => (await fsp.readFile(`/proc/${p}/stat`, "utf8")).split(") ")[1]!.split(" ");
    return async () => {
      let ms = 0;
      for (const p of await fsp.readdir("/proc")) {
        if (!/^\d+$/.test(p)) continue;
        try {
          const f = await stat(p);
          // Fields after the name: state (0), ppid (1), …, utime (11), stime (12).
          if (Number(p) === pid || Number(f[1]) === pid) ms += (Number(f[11]) + Number(f[12])) * tick;
        } catch {
          // The process ended meanwhile.
        }
      }
      return ms;
    };
  } catch {
    return null;
  }
}

/**
 * Part 5: single-row throughput of `server` for two deployments of `modelId`,
 * one logging its predictions and one with monitoring off, rotated over
 * `rounds` rounds (the median round each).
 */
async function loggingCost(
  db: Db,
  server: ServingServer,
  base: string,
  input: { teamId: string; modelId: string; body: string; rounds: number; measure: Measure },
): Promise<LoggingCost> {
  const names = { on: "bench-log-on", off: "bench-log-off" } as const;
  for (const name of Object.values(names)) {
    await upsertDeployment(db, {
      teamId: input.teamId,
      name,
      modelId: input.modelId,
      alias: "champion",
      strategy: "replace",
      actor: "bench",
      reason: "logging cost",
    });
  }
  await setMonitoring(db, names.off, { intervalSeconds: 3600, retentionDays: 30, enabled: false });
  const urls = { on: `${base}/v2/models/${names.on}/infer`, off: `${base}/v2/models/${names.off}/infer` };
  // The change is heard (LISTEN/NOTIFY): the off deployment resolves without logging.
  for (let i = 0; i < 200 && server.registry.peek(names.off)?.logTo !== undefined; i++) {
    await post(urls.off, input.body);
    await new Promise((r) => setTimeout(r, 10));
  }
  for (const url of Object.values(urls)) await post(url, input.body);
  await server.predictionLog.flush();
  const counted = async () => {
    const text = await server.metrics.render();
    const value = (metric: string) =>
      Number(
        text
          .split("\n")
          .find((l) => l.startsWith(`${metric}{deployment="${names.on}"}`))
          ?.split(" ")
          .pop() ?? 0,
      );
    return { written: value("conveyor_prediction_log_written_total"), dropped: value("conveyor_prediction_log_dropped_total") };
  };
  const before = await counted();
  const bytesBefore = await predictionLogBytes(db);
  const runs: { on: LoadResult[]; off: LoadResult[] } = { on: [], off: [] };
  const pgCpu = await postgresCpuMs(db);
  const storeCpu: { on: number[]; off: number[] } = { on: [], off: [] };
  const order = ["on", "off"] as const;
  let answered = 0;
  for (let r = 0; r < input.rounds; r++) {
    for (let k = 0; k < order.length; k++) {
      const kind = order[(k + r) % order.length]!;
      const pg0 = await pgCpu?.();
      const result = await input.measure(urls[kind]);
      const pg1 = await pgCpu?.();
      runs[kind].push(result);
      if (pg0 != null && pg1 != null) storeCpu[kind].push(((pg1 - pg0) * 1000) / Math.max(1, result.requests));
    }
  }
  // Everything the logging deployment answered (warm-ups included) is written or counted as dropped.
  const t0 = Date.now();
  while (server.predictionLog.depth() > 0 && Date.now() - t0 < 60_000) {
    await server.predictionLog.flush();
    await new Promise((r) => setTimeout(r, 50));
  }
  const after = await counted();
  const bytesAfter = await predictionLogBytes(db);
  const logged = await countLogged(db, await deploymentIdOf(db, names.on));
  const unlogged = await countLogged(db, await deploymentIdOf(db, names.off));
  if (unlogged !== 0) throw new Error(`${unlogged} predictions of the deployment whose monitoring is off were logged`);
  const written = after.written - before.written;
  const dropped = after.dropped - before.dropped;
  answered = written + dropped;
  if (logged !== after.written) throw new Error(`prediction_log holds ${logged} rows of ${names.on} but ${after.written} were counted as written`);
  const on = mid(runs.on);
  const off = mid(runs.off);
  const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : null);
  return {
    on,
    off,
    ratio: on.rps / off.rps,
    pairedRatio: median(runs.on.map((r, i) => r.rps / runs.off[i]!.rps))!,
    answered,
    written,
    dropped,
    rounds: runs,
    storeCpuUsPerRequest: { on: median(storeCpu.on), off: median(storeCpu.off) },
    storedBytesPerRow: (bytesAfter - bytesBefore) / Math.max(1, written),
  };
}

/** Warm-up, then a measured autocannon run with this process's CPU time per request. */
function measurer(bodyFile: string, connections: number, warmup: number, seconds: number): Measure {
  return async (url, file = bodyFile, conns = connections) => {
    await autocannon(url, file, conns, warmup);
    const cpu0 = process.cpuUsage();
    const r = await autocannon(url, file, conns, seconds);
    const cpu = process.cpuUsage(cpu0);
    return { ...r, cpuUsPerRequest: (cpu.user + cpu.system) / Math.max(1, r.requests) };
  };
}

/** The markdown line of part 5. */
function loggingLine(l: LoggingCost, load: number[]): string {
  return (
    `Prediction log: single-row throughput with every prediction logged is **${fmt(l.pairedRatio * 100, 0)}%** of the same deployment's with monitoring off ` +
    `(median of ${l.rounds.on.length} rounds' ratios; the ratio of the medians is ${fmt(l.ratio * 100, 0)}%) ` +
    `(${fmt(l.on.rps, 0)} vs ${fmt(l.off.rps, 0)} req/s, p99 ${fmt(l.on.p99)} vs ${fmt(l.off.p99)} ms, server CPU per request ${fmt(l.on.cpuUsPerRequest, 0)} vs ${fmt(l.off.cpuUsPerRequest, 0)} µs; ` +
    `goal ≥ 90%${l.pairedRatio >= 0.9 ? ": met" : ": not met"}); ${fmt(l.written, 0)} rows written, ${fmt(l.dropped, 0)} dropped (queue full). ` +
    `Rounds (on/off, in order): ${l.rounds.on.map((on, i) => `${fmt((on.rps / l.rounds.off[i]!.rps) * 100, 0)}%`).join(", ")}. ` +
    (l.storeCpuUsPerRequest.on !== null && l.storeCpuUsPerRequest.off !== null
      ? `PostgreSQL's CPU per request ${fmt(l.storeCpuUsPerRequest.on, 1)} vs ${fmt(l.storeCpuUsPerRequest.off, 1)} µs (same machine). `
      : "") +
    `On disk: ${fmt(l.storedBytesPerRow, 0)} bytes per logged prediction (table, TOAST and indexes). ` +
    `Load average: ${load.map((x) => fmt(x, 1)).join(", ")}.`
  );
}

export default async function servingBench(): Promise<{ name: "serving"; json: Record<string, unknown>; markdown: string }> {
  const seconds = int("SERVING_BENCH_DURATION", 8);
  const connections = int("SERVING_BENCH_CONNECTIONS", 64);
  const batchConnections = int("SERVING_BENCH_BATCH_CONNECTIONS", 4);
  const rounds = int("SERVING_BENCH_ROUNDS", 3);
  const warmup = Math.min(3, seconds);
  const batchRows = 1000;

  const tdb = await startTestDatabase({ embedded: true });
  const workDir = await fsp.mkdtemp(path.join(os.tmpdir(), "conveyor-bench-serving-"));
  const artifactDir = path.join(workDir, "artifacts");
  const store = new ArtifactStore(artifactDir);
  const model = benchTreeModel({ trees: 100, depth: 6 });
  // With its access log on, as in production: a JSON line per request (to a file here, not the terminal).
  const accessLogFile = path.join(workDir, "serving.log");
  const accessLog = pino.destination({ dest: accessLogFile, sync: true });
  const accessBatch = batched(accessLog);
  const logger = createLogger({ destination: accessBatch }).child({ component: "serving" });
  const batching = createServingServer({ db: tdb.db, store, logger });
  const single = createServingServer({ db: tdb.db, store, logger, batching: { maxBatchSize: 1, maxDelayMs: 0 } });
  const ceiling: { server?: http.Server } = {};
  let mlflow: Mlflow | { missing: string } | undefined;
  try {
    const { modelId } = await deployTestModel(tdb.db, store, { teamId: tdb.teamId, deployment: "bench-gbdt", modelName: "bench-gbdt", model });
    const onUrl = `${(await batching.listen(0)).url}/v2/models/bench-gbdt/infer`;
    const offUrl = `${(await single.listen(0)).url}/v2/models/bench-gbdt/infer`;
    await batching.subscribed();
    const oneRow = benchInferBody();
    const body = JSON.stringify(oneRow);
    const bodyFile = path.join(workDir, "one-row.json");
    await fsp.writeFile(bodyFile, body);
    const bigRows = benchInferBody(11, batchRows);
    const bigBody = JSON.stringify(bigRows);
    const bigFile = path.join(workDir, "rows.json");
    await fsp.writeFile(bigFile, bigBody);

    // Correctness first: every server computes the same prediction.
    const ours = await post(onUrl, body);
    const off = await post(offUrl, body);
    const loaded = batching.registry.peek("bench-gbdt");
    if (!loaded) throw new Error("the bench model is not loaded");
    ceiling.server = ceilingServer(loaded.live[0]!.model!.session);
    const ceilingUrl = await listen(ceiling.server);
    const bare = await post(ceilingUrl, body);
    const a = ours.outputs[0].data[0] as number;
    if (off.outputs[0].data[0] !== a || bare.outputs[0].data[0] !== a) {
      throw new Error(`the servers disagree: ${a} (batching), ${off.outputs[0].data[0]} (no batching), ${bare.outputs[0].data[0]} (ceiling)`);
    }
    const ourBig = (await post(onUrl, bigBody)).outputs[0].data as number[];

    const servers = { ceiling: ceilingUrl, off: offUrl, on: onUrl } as const;
    type Kind = keyof typeof servers;
    const runs: Record<Kind, LoadResult[]> = { ceiling: [], off: [], on: [] };
    const measure = measurer(bodyFile, connections, warmup, seconds);
    const order: Kind[] = ["ceiling", "off", "on"];
    for (let r = 0; r < rounds; r++) {
      // Rotate which goes first, so none always gets the quieter slot.
      for (let k = 0; k < order.length; k++) {
        const kind = order[(k + r) % order.length]!;
        runs[kind].push(await measure(servers[kind]));
      }
    }
    const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;
    const c = mid(runs.ceiling);
    const s = mid(runs.off);
    const b = mid(runs.on);
    const cpu = {
      ceiling: median(runs.ceiling.map((x) => x.cpuUsPerRequest)),
      off: median(runs.off.map((x) => x.cpuUsPerRequest)),
      on: median(runs.on.map((x) => x.cpuUsPerRequest)),
    };
    const batchingGain = b.rps / s.rps;
    const overhead = s.rps / c.rps;

    // Conveyor on 1,000-row requests (they run alone: larger than the batch size).
    const conveyorRows = await measure(onUrl, bigFile, batchConnections);

    // What a rollout costs: the same batching server answering a canary deployment (90% champion, 10% another
    // version) and a shadow deployment (every request also runs on the other version), against the single version.
    const { version: challenger } = await registerTestVersion(tdb.db, store, {
      teamId: tdb.teamId,
      modelName: "bench-gbdt",
      model: benchTreeModel({ seed: 44 }),
    });
    const rolloutRoutes: Record<"canary" | "shadow", DeploymentRoute[]> = {
      canary: [
        { alias: "champion", weight: 90, mode: "live" },
        { version: challenger, weight: 10, mode: "live" },
      ],
      shadow: [
        { alias: "champion", weight: 100, mode: "live" },
        { version: challenger, weight: 0, mode: "shadow" },
      ],
    };
    for (const [kind, routes] of Object.entries(rolloutRoutes)) {
      const name = `bench-${kind}`;
      await upsertDeployment(tdb.db, { teamId: tdb.teamId, name, modelId, alias: "champion", strategy: "replace", actor: "bench", reason: "rollout cost" });
      await changeDeployment(tdb.db, { teamId: tdb.teamId, name }, async () => ({
        routes,
        rollout: null,
        kind: "updated",
        actor: "bench",
        reason: "rollout cost",
      }));
    }
    const onBase = onUrl.slice(0, onUrl.indexOf("/v2/"));
    const rolloutUrls = { single: onUrl, canary: `${onBase}/v2/models/bench-canary/infer`, shadow: `${onBase}/v2/models/bench-shadow/infer` } as const;
    type Rollout = keyof typeof rolloutUrls;
    for (const url of Object.values(rolloutUrls)) await post(url, body);
    const rolloutRuns: Record<Rollout, LoadResult[]> = { single: [], canary: [], shadow: [] };
    const rolloutOrder: Rollout[] = ["single", "canary", "shadow"];
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < rolloutOrder.length; k++) {
        const kind = rolloutOrder[(k + r) % rolloutOrder.length]!;
        rolloutRuns[kind].push(await measure(rolloutUrls[kind]));
      }
    }
    const rollout = { single: mid(rolloutRuns.single), canary: mid(rolloutRuns.canary), shadow: mid(rolloutRuns.shadow) };
    const canaryCost = rollout.canary.rps / rollout.single.rps;
    const shadowCost = rollout.shadow.rps / rollout.single.rps;

    // What logging every prediction costs: the batching server, a deployment that logs vs one that does not.
    const logging = await loggingCost(tdb.db, batching, onBase, { teamId: tdb.teamId, modelId, body, rounds: Math.max(5, rounds), measure });

    // MLflow, in the same run.
    await fsp.writeFile(path.join(workDir, "model.onnx"), model.onnx);
    mlflow = await startMlflow(path.join(workDir, "model.onnx"), workDir).catch((e: unknown) => ({ missing: e instanceof Error ? e.message : String(e) }));
    let anchor: { single: LoadResult; rows: LoadResult; maxAbsDiff: number } | { missing: string };
    if ("missing" in mlflow) anchor = mlflow;
    else {
      const mlSingleFile = path.join(workDir, "mlflow-one-row.json");
      const mlRowsFile = path.join(workDir, "mlflow-rows.json");
      await fsp.writeFile(mlSingleFile, mlflowBody(oneRow));
      await fsp.writeFile(mlRowsFile, mlflowBody(bigRows));
      const invocations = `${mlflow.url}/invocations`;
      const theirs = ((await post(invocations, mlflowBody(bigRows))) as { predictions: number[] }).predictions;
      const theirOne = ((await post(invocations, mlflowBody(oneRow))) as { predictions: number[] }).predictions[0]!;
      let maxAbsDiff = Math.abs(theirOne - a);
      for (let i = 0; i < batchRows; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(theirs[i]! - ourBig[i]!));
      if (theirs.length !== batchRows || !(maxAbsDiff <= 1e-4))
        throw new Error(`MLflow and Conveyor disagree: max |Δ| ${maxAbsDiff} over ${theirs.length} rows`);
      anchor = { single: await measure(invocations, mlSingleFile), rows: await measure(invocations, mlRowsFile, batchConnections), maxAbsDiff };
    }
    const failures = [
      ...runs.ceiling,
      ...runs.off,
      ...runs.on,
      ...rolloutRuns.single,
      ...rolloutRuns.canary,
      ...rolloutRuns.shadow,
      ...logging.rounds.on,
      ...logging.rounds.off,
      conveyorRows,
      ...("missing" in anchor ? [] : [anchor.single, anchor.rows]),
    ].reduce((n, x) => n + x.non2xx + x.errors + x.timeouts, 0);

    // Hot reload: alias move → the new version is what `infer` answers.
    const { version: v2 } = await registerTestVersion(tdb.db, store, { teamId: tdb.teamId, modelName: "bench-gbdt", model: benchTreeModel({ seed: 43 }) });
    const t0 = performance.now();
    await moveAlias(tdb.db, { modelId, alias: "champion", version: v2, actor: "bench", reason: "reload latency" });
    let reloadMs = Number.NaN;
    while (performance.now() - t0 < 10_000) {
      const r = await post(onUrl, body);
      if (r.model_version === String(v2)) {
        reloadMs = performance.now() - t0;
        break;
      }
      await new Promise((res) => setTimeout(res, 5));
    }

    // The access log really was written: a line per request.
    accessBatch.flush();
    // Read line by line: a whole run's log is larger than the longest string V8 makes.
    let accessLogLines = 0;
    for await (const line of readline.createInterface({ input: fs.createReadStream(accessLogFile), crlfDelay: Infinity })) {
      if (line.includes('"msg":"request"')) accessLogLines++;
    }
    const measured = [...runs.off, ...runs.on, conveyorRows].reduce((n, x) => n + x.requests, 0);
    if (accessLogLines < measured) throw new Error(`the access log has ${accessLogLines} lines for at least ${measured} requests`);

    const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? "unknown", node: process.version, platform: `${os.platform()} ${os.arch()}` };
    const mlflowSingleRatio = "missing" in anchor ? null : b.rps / anchor.single.rps;
    const mlflowRowsRatio = "missing" in anchor ? null : conveyorRows.rps / anchor.rows.rps;
    const goals = {
      batchingGain: { goal: 3, value: batchingGain, met: batchingGain >= 3 && b.p99 <= 20 },
      overhead: { goal: 0.8, value: overhead, met: overhead >= 0.8 },
      mlflowSingleRow: { goal: 100, value: mlflowSingleRatio, met: mlflowSingleRatio !== null && mlflowSingleRatio >= 100 },
      mlflowRows: { goal: 10, value: mlflowRowsRatio, met: mlflowRowsRatio !== null && mlflowRowsRatio >= 10 },
      canaryThroughput: { goal: 0.9, value: canaryCost, met: canaryCost >= 0.9 },
      shadowThroughput: { goal: 0.8, value: shadowCost, met: shadowCost >= 0.8 },
      predictionLogThroughput: { goal: 0.9, value: logging.pairedRatio, met: logging.pairedRatio >= 0.9 },
    };
    const json = {
      model: {
        kind: "TreeEnsembleRegressor",
        trees: 100,
        depth: 6,
        numericInputs: 10,
        stringInputs: 2,
        onnxBytes: model.onnx.byteLength,
        sessionThreads: { intraOp: 1, interOp: 1 },
      },
      load: {
        tool: "autocannon (child process)",
        connections,
        batchConnections,
        seconds,
        warmupSeconds: warmup,
        rounds,
        host: "127.0.0.1",
        bodyBytes: Buffer.byteLength(body),
        batchRows,
        batchBodyBytes: Buffer.byteLength(bigBody),
      },
      batching: DEFAULT_BATCHING,
      machine,
      ceiling: c,
      batchingOff: s,
      batchingOn: b,
      rollout,
      predictionLog: {
        on: logging.on,
        off: logging.off,
        ratio: logging.ratio,
        pairedRatio: logging.pairedRatio,
        storeCpuUsPerRequest: logging.storeCpuUsPerRequest,
        storedBytesPerRow: logging.storedBytesPerRow,
        answered: logging.answered,
        written: logging.written,
        dropped: logging.dropped,
      },
      rows1000: { conveyor: conveyorRows, mlflow: "missing" in anchor ? anchor : anchor.rows },
      mlflow: "missing" in anchor ? anchor : { version: MLFLOW_VERSION, single: anchor.single, maxAbsDiff: anchor.maxAbsDiff },
      cpuUsPerRequest: cpu,
      goals,
      loadAverage: os.loadavg(),
      failures,
      rounds: runs,
      reloadMs,
      accessLogLines,
    };
    const row = (label: string, r: LoadResult, cpuUs: number | null, unit = 1) =>
      `| ${label} | ${fmt(r.rps * unit, 0)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${cpuUs === null ? "—" : fmt(cpuUs, 0)} |`;
    const mlflowLine =
      "missing" in anchor
        ? `MLflow did not run: ${anchor.missing}`
        : `Against MLflow ${MLFLOW_VERSION} (\`mlflow models serve\`, uvicorn with its default 1 worker, a pyfunc running the same ONNX file with Python onnxruntime, same predictions within ${anchor.maxAbsDiff.toExponential(1)}): ` +
          `single-row **${fmt(mlflowSingleRatio!, 1)}×** MLflow's throughput (goal ≥ 100×), 1,000-row requests **${fmt(mlflowRowsRatio!, 1)}×** (goal ≥ 10×).`;
    const markdown = [
      "### Serving: OIP v2 infer, dynamic batching, and MLflow",
      "",
      `Model: 10 numeric inputs (standardized, NaN-imputed) + 2 string inputs (one-hot) → TreeEnsembleRegressor, 100 trees of depth 6 (${fmt(model.onnx.byteLength / 1024, 0)} KB ONNX); onnxruntime-node with 1 intra-op and 1 inter-op thread. ` +
        `Load: autocannon in a separate process on 127.0.0.1, ${seconds} s after a ${warmup} s warm-up; single-row requests at ${connections} connections, the median of ${rounds} round${rounds > 1 ? "s" : ""} (the three servers rotate); ` +
        `1,000-row requests at ${batchConnections} connections, one run each. Conveyor writes its access log. Machine: ${machine.cpus} × ${machine.cpu}, Node ${machine.node}.`,
      "",
      "| server | req/s | p50 latency (ms) | p99 latency (ms) | server CPU per request (µs) |",
      "|---|---:|---:|---:|---:|",
      row(`Conveyor, dynamic batching on (≤ ${DEFAULT_BATCHING.maxBatchSize} rows, ≤ ${DEFAULT_BATCHING.maxDelayMs} ms)`, b, cpu.on),
      row("Conveyor, batching off (the same server, `SERVING_BATCH_MAX_SIZE=1`)", s, cpu.off),
      row("ceiling without batching: bare node:http + JSON.parse + the same session.run", c, cpu.ceiling),
      ...("missing" in anchor ? [] : [row(`MLflow ${MLFLOW_VERSION} \`mlflow models serve\``, anchor.single, null)]),
      row(`Conveyor, ${batchConnections} connections × 1,000-row requests (rows/s: ×1,000)`, conveyorRows, null),
      ...("missing" in anchor ? [] : [row(`MLflow, ${batchConnections} connections × 1,000-row requests`, anchor.rows, null)]),
      row("Conveyor, batching on: one live version (the rollout comparison's baseline)", rollout.single, null),
      row("Conveyor, batching on: canary, 90% / 10% over two versions", rollout.canary, null),
      row("Conveyor, batching on: one live version + a shadow of another", rollout.shadow, null),
      row("Conveyor, batching on: every prediction logged (prediction log on)", logging.on, logging.on.cpuUsPerRequest),
      row("Conveyor, batching on: the same model, monitoring off (nothing logged)", logging.off, logging.off.cpuUsPerRequest),
      "",
      `Rollouts: a canary over two live versions keeps **${fmt(canaryCost * 100, 0)}%** of one version's throughput (goal ≥ 90%${goals.canaryThroughput.met ? ": met" : ": not met"}); ` +
        `a shadow **${fmt(shadowCost * 100, 0)}%** (goal ≥ 80%${goals.shadowThroughput.met ? ": met" : ": not met"}; the shadow runs every request a second time, off the request path).`,
      "",
      loggingLine(logging, os.loadavg()),
      "",
      `Dynamic batching: **${fmt(batchingGain, 2)}×** the throughput of the same server without it, p99 ${fmt(b.p99)} ms (goal ≥ 3× with p99 ≤ 20 ms${goals.batchingGain.met ? ": met" : ": not met"}). ` +
        `Without batching, serving reaches **${fmt(overhead * 100, 0)}%** of the ceiling's throughput (goal ≥ 80%; by CPU time per request ${fmt((cpu.ceiling / cpu.off) * 100, 0)}%)${failures > 0 ? `; ${failures} failed requests` : ""}. ` +
        `${mlflowLine} ` +
        `Load average during the run: ${os
          .loadavg()
          .map((l) => fmt(l, 1))
          .join(", ")}. ` +
        `After an alias move the new version answered \`infer\` within **${fmt(reloadMs, 0)} ms** (goal ≤ 2 s).`,
      "",
      "Reproduce: `npm run bench -- serving` (env SERVING_BENCH_DURATION, SERVING_BENCH_CONNECTIONS, SERVING_BENCH_BATCH_CONNECTIONS, SERVING_BENCH_ROUNDS; the MLflow venv is made once per machine from `bench/mlflow.requirements.txt`).",
    ].join("\n");
    return { name: "serving", json, markdown };
  } finally {
    if (mlflow && !("missing" in mlflow)) await mlflow.stop();
    if (ceiling.server)
      await new Promise<void>((r) => {
        ceiling.server!.close(() => r());
        ceiling.server!.closeAllConnections();
      });
    await batching.close();
    await single.close();
    accessLog.end();
    await tdb.stop();
    await fsp.rm(workDir, { recursive: true, force: true });
  }
}

/** Part 5 alone (`npx tsx bench/serving.ts --logging`): the same setup, only the prediction log's cost; prints, writes no results. */
async function loggingBench(): Promise<{ json: Record<string, unknown>; markdown: string }> {
  const seconds = int("SERVING_BENCH_DURATION", 8);
  const connections = int("SERVING_BENCH_CONNECTIONS", 64);
  const rounds = int("SERVING_BENCH_ROUNDS", 3);
  const tdb = await startTestDatabase({ embedded: true });
  const workDir = await fsp.mkdtemp(path.join(os.tmpdir(), "conveyor-bench-logging-"));
  const store = new ArtifactStore(path.join(workDir, "artifacts"));
  const accessLog = pino.destination({ dest: path.join(workDir, "serving.log"), sync: true });
  const logger = createLogger({ destination: batched(accessLog) }).child({ component: "serving" });
  const server = createServingServer({ db: tdb.db, store, logger });
  try {
    const { modelId } = await deployTestModel(tdb.db, store, {
      teamId: tdb.teamId,
      deployment: "bench-gbdt",
      modelName: "bench-gbdt",
      model: benchTreeModel({ trees: 100, depth: 6 }),
    });
    const base = (await server.listen(0)).url;
    await server.subscribed();
    const body = JSON.stringify(benchInferBody());
    const bodyFile = path.join(workDir, "one-row.json");
    await fsp.writeFile(bodyFile, body);
    const measure = measurer(bodyFile, connections, Math.min(3, seconds), seconds);
    const logging = await loggingCost(tdb.db, server, base, { teamId: tdb.teamId, modelId, body, rounds: Math.max(5, rounds), measure });
    const load = os.loadavg();
    return { json: { ...logging, loadAverage: load, connections, seconds }, markdown: loggingLine(logging, load) };
  } finally {
    await server.close();
    accessLog.end();
    await tdb.stop();
    await fsp.rm(workDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--logging")) {
    const r = await loggingBench();
    console.log(r.markdown);
    console.log(JSON.stringify({ ...r.json, rounds: undefined }, null, 2));
  } else {
    const r = await servingBench();
    console.log(r.markdown);
    console.log(JSON.stringify({ ...r.json, rounds: undefined }, null, 2));
  }
}
