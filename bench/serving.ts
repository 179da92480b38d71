/**
 * Serving benchmark (issue 2 §8): single-row OIP v2 `infer` throughput and
 * p50/p99 latency of the Conveyor serving server, against the ceiling on
 * this machine — a bare `node:http` server that parses the same JSON and
 * calls the very same onnxruntime-node session directly — and the ratio.
 *
 * Setup: a private embedded PostgreSQL (never DATABASE_URL) and artifact
 * dir; a trained-like model (10 numeric inputs standardized + NaN-imputed,
 * 2 string inputs one-hot encoded, then a TreeEnsembleRegressor of 100
 * trees of depth 6) registered and deployed as `champion` exactly as
 * `deploy.endpoint` does. Both servers run in this process, one at a time;
 * the load comes from autocannon in a child process on 127.0.0.1. Each
 * round measures both (warm-up, then the measured run; which goes first
 * alternates between rounds); the round with the median throughput is
 * reported for each, plus this process's CPU time per request (median over
 * rounds), which a busy machine disturbs far less than throughput. The
 * server writes its access log (a JSON line per request) to a file. Also
 * measured: how long after an alias move the new version is served
 * (LISTEN/NOTIFY hot reload).
 *
 * Note: onnxruntime-node runs `session.run` synchronously on the main thread
 * (deferred with setImmediate), so both servers are bound by one core and
 * every microsecond of our own per-request work shows in the ratio.
 *
 * Env: SERVING_BENCH_DURATION (s, default 8), SERVING_BENCH_CONNECTIONS
 * (default 32), SERVING_BENCH_ROUNDS (default 3).
 */
import { spawn } from "node:child_process";
import fsp from "node:fs/promises";
import http from "node:http";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Tensor, type InferenceSession } from "onnxruntime-node";
import { moveAlias } from "../db/queries/models";
import { createServingServer } from "../server/serving/server";
import { deployTestModel, registerTestVersion, startTestDatabase } from "../testing/serving-database";
import { benchInferBody, benchTreeModel } from "../testing/models";
import pino from "pino";
import { ArtifactStore } from "../infra/artifacts";
import { batched, createLogger } from "../infra/log";

const require = createRequire(import.meta.url);
const AUTOCANNON = require.resolve("autocannon/autocannon.js");

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  mean: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** CPU time of this (server) process per request, µs: robust to a busy machine. */
  cpuUsPerRequest: number;
}

function int(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback;
}

/** Runs autocannon in a child process and returns its summary. */
function autocannon(url: string, body: string, connections: number, seconds: number): Promise<Omit<LoadResult, "cpuUsPerRequest">> {
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
      "-b",
      body,
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
 * The ceiling: node:http, JSON.parse, one tensor per input, session.run,
 * JSON.stringify — no routing, validation, metrics or registry.
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

const fmt = (n: number, digits = 1) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

export default async function servingBench(): Promise<{ name: "serving"; json: Record<string, unknown>; markdown: string }> {
  const seconds = int("SERVING_BENCH_DURATION", 8);
  const connections = int("SERVING_BENCH_CONNECTIONS", 32);
  const rounds = int("SERVING_BENCH_ROUNDS", 3);
  const warmup = Math.min(3, seconds);

  const tdb = await startTestDatabase({ embedded: true });
  const artifactDir = await fsp.mkdtemp(path.join(os.tmpdir(), "conveyor-bench-artifacts-"));
  const store = new ArtifactStore(artifactDir);
  const model = benchTreeModel({ trees: 100, depth: 6 });
  // With its access log on, as in production: a JSON line per request (to a file here, not the terminal).
  const accessLogFile = path.join(artifactDir, "serving.log");
  const accessLog = pino.destination({ dest: accessLogFile, sync: true });
  const accessBatch = batched(accessLog);
  const serving = createServingServer({ db: tdb.db, store, logger: createLogger({ destination: accessBatch }).child({ component: "serving" }) });
  const ceiling: { server?: http.Server } = {};
  try {
    const { modelId } = await deployTestModel(tdb.db, store, { teamId: tdb.teamId, deployment: "bench-gbdt", modelName: "bench-gbdt", model });
    const servingUrl = (await serving.listen(0)).url;
    await serving.subscribed();
    const inferUrl = `${servingUrl}/v2/models/bench-gbdt/infer`;
    const body = JSON.stringify(benchInferBody());

    // Correctness first: both servers compute the same prediction.
    const ours = await post(inferUrl, body);
    const loaded = serving.registry.peek("bench-gbdt");
    if (!loaded) throw new Error("the bench model is not loaded");
    ceiling.server = ceilingServer(loaded.live[0]!.model!.session);
    const ceilingUrl = await listen(ceiling.server);
    const bare = await post(ceilingUrl, body);
    const a = ours.outputs[0].data[0] as number;
    const b = bare.outputs[0].data[0] as number;
    if (a !== b) throw new Error(`the two servers disagree: ${a} vs ${b}`);

    const runs: { ceiling: LoadResult[]; serving: LoadResult[] } = { ceiling: [], serving: [] };
    const measure = async (url: string): Promise<LoadResult> => {
      await autocannon(url, body, connections, warmup);
      const cpu0 = process.cpuUsage();
      const r = await autocannon(url, body, connections, seconds);
      const cpu = process.cpuUsage(cpu0);
      return { ...r, cpuUsPerRequest: (cpu.user + cpu.system) / Math.max(1, r.requests) };
    };
    for (let r = 0; r < rounds; r++) {
      // Alternate which goes first, so neither always gets the quieter slot.
      if (r % 2 === 0) {
        runs.ceiling.push(await measure(ceilingUrl));
        runs.serving.push(await measure(inferUrl));
      } else {
        runs.serving.push(await measure(inferUrl));
        runs.ceiling.push(await measure(ceilingUrl));
      }
    }
    // The round with the median throughput (robust to a noisy neighbour in either direction).
    const mid = (xs: LoadResult[]) => [...xs].sort((p, q) => p.rps - q.rps)[Math.floor(xs.length / 2)]!;
    const c = mid(runs.ceiling);
    const s = mid(runs.serving);
    const ratio = s.rps / c.rps;
    const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)]!;
    const cpuCeiling = median(runs.ceiling.map((x) => x.cpuUsPerRequest));
    const cpuServing = median(runs.serving.map((x) => x.cpuUsPerRequest));
    const cpuRatio = cpuCeiling / cpuServing;
    const failures = [...runs.ceiling, ...runs.serving].reduce((n, x) => n + x.non2xx + x.errors + x.timeouts, 0);

    // Hot reload: alias move → the new version is what `infer` answers.
    const { version: v2 } = await registerTestVersion(tdb.db, store, { teamId: tdb.teamId, modelName: "bench-gbdt", model: benchTreeModel({ seed: 43 }) });
    const t0 = performance.now();
    await moveAlias(tdb.db, { modelId, alias: "champion", version: v2, actor: "bench", reason: "reload latency" });
    let reloadMs = Number.NaN;
    while (performance.now() - t0 < 10_000) {
      const r = await post(inferUrl, body);
      if (r.model_version === String(v2)) {
        reloadMs = performance.now() - t0;
        break;
      }
      await new Promise((res) => setTimeout(res, 5));
    }

    // The access log really was written: a line per request.
    accessBatch.flush();
    const accessLogLines = (await fsp.readFile(accessLogFile, "utf8")).split("\n").filter((l) => l.includes('"msg":"request"')).length;
    const measured = runs.serving.reduce((n, x) => n + x.requests, 0);
    if (accessLogLines < measured) throw new Error(`the access log has ${accessLogLines} lines for at least ${measured} requests`);

    const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? "unknown", node: process.version, platform: `${os.platform()} ${os.arch()}` };
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
      load: { tool: "autocannon (child process)", connections, seconds, warmupSeconds: warmup, rounds, host: "127.0.0.1", bodyBytes: Buffer.byteLength(body) },
      machine,
      ceiling: c,
      serving: s,
      ratio,
      cpuUsPerRequest: { ceiling: cpuCeiling, serving: cpuServing },
      cpuRatio,
      loadAverage: os.loadavg(),
      goal: 0.8,
      meetsGoal: ratio >= 0.8,
      failures,
      rounds: runs,
      reloadMs,
      accessLogLines,
    };
    const markdown = [
      "### Serving: single-row OIP v2 infer",
      "",
      `Model: 10 numeric inputs (standardized, NaN-imputed) + 2 string inputs (one-hot) → TreeEnsembleRegressor, 100 trees of depth 6 (${fmt(model.onnx.byteLength / 1024, 0)} KB ONNX); onnxruntime-node with 1 intra-op and 1 inter-op thread. ` +
        `Load: autocannon in a separate process, ${connections} connections, ${seconds} s after a ${warmup} s warm-up, on 127.0.0.1; the median of ${rounds} round${rounds > 1 ? "s" : ""} (ceiling and server alternate). ` +
        `Machine: ${machine.cpus} × ${machine.cpu}, Node ${machine.node}.`,
      "",
      "| server | req/s | p50 latency (ms) | p99 latency (ms) | server CPU per request (µs) |",
      "|---|---:|---:|---:|---:|",
      `| ceiling: bare node:http + JSON.parse + the same session.run | ${fmt(c.rps, 0)} | ${fmt(c.p50)} | ${fmt(c.p99)} | ${fmt(cpuCeiling, 0)} |`,
      `| Conveyor serving (\`POST /v2/models/{name}/infer\`, access log on) | ${fmt(s.rps, 0)} | ${fmt(s.p50)} | ${fmt(s.p99)} | ${fmt(cpuServing, 0)} |`,
      "",
      `Serving reaches **${fmt(ratio * 100, 0)}%** of the ceiling's throughput (goal ≥ 80%)${failures > 0 ? `; ${failures} failed requests` : ""}; ` +
        `by CPU time per request (median over rounds; much less sensitive to other load on the machine) it is at **${fmt(cpuRatio * 100, 0)}%** of the ceiling's efficiency. ` +
        `Load average during the run: ${os
          .loadavg()
          .map((l) => fmt(l, 1))
          .join(", ")}. ` +
        `After an alias move the new version answered \`infer\` within **${fmt(reloadMs, 0)} ms** (goal ≤ 2 s).`,
      "",
      "Reproduce: `npm run bench` (this section alone: `npx tsx bench/serving.ts`; env SERVING_BENCH_DURATION, SERVING_BENCH_CONNECTIONS, SERVING_BENCH_ROUNDS).",
    ].join("\n");
    return { name: "serving", json, markdown };
  } finally {
    if (ceiling.server)
      await new Promise<void>((r) => {
        ceiling.server!.close(() => r());
        ceiling.server!.closeAllConnections();
      });
    await serving.close();
    accessLog.end();
    await tdb.stop();
    await fsp.rm(artifactDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await servingBench();
  console.log(r.markdown);
  console.log(JSON.stringify({ ...r.json, rounds: undefined }, null, 2));
}
