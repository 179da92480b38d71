/**
 * Automation (`npm run bench -- automation`): how fast a webhook starts a run,
 * and how punctually a schedule fires. Private PostgreSQL and Temporal dev
 * server (bench/services.ts), a real worker in this process, and the REST
 * route `POST /api/v1/hooks/{token}` behind a plain node:http server on
 * 127.0.0.1 (the same handler Next.js mounts).
 *
 * - Webhook: the time from sending the call to the run's first step
 *   starting (its `started_at` row), over WEBHOOK_BENCH_CALLS calls (50).
 * - Schedule: a `* * * * *` schedule trigger saved like any pipeline; for
 *   each of SCHEDULE_BENCH_FIRES fires (10) the delay from the scheduled time
 *   (Temporal's TemporalScheduledStartTime, recorded in the run's trigger) to
 *   the run's first step starting, and to the run row existing.
 *
 * The node activities are instant: only the machinery is measured.
 */
import http from "node:http";
import crypto from "node:crypto";
import { createDb } from "../db/client";
import { seedLocal } from "../db/seed";
import { ArtifactStore } from "../infra/artifacts";
import { createWorker } from "../workflows/temporal/worker";
import type { NodeActivity } from "../workflows/nodes/step-context";
import template from "../contract/templates/boston-housing.pipeline.json";
import { installQuietRuntime, startBenchServices } from "./services";

const CALLS = Number(process.env.WEBHOOK_BENCH_CALLS ?? 50);
const FIRES = Number(process.env.SCHEDULE_BENCH_FIRES ?? 10);

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]!;
}

export default async function automation() {
  installQuietRuntime();
  const services = await startBenchServices();
  // The web side's services read their configuration from the environment (infra/env.ts).
  Object.assign(process.env, {
    DATABASE_URL: services.databaseUrl,
    TEMPORAL_ADDRESS: services.temporalAddress,
    TEMPORAL_TASK_QUEUE: "bench-automation",
    ARTIFACT_DIR: services.artifactDir,
  });
  const db = createDb(services.databaseUrl);
  const sha = () => crypto.randomBytes(32).toString("hex");
  const dataset = () => ({ kind: "dataset" as const, uri: "file:///dev/null", sha256: sha(), rows: 1, schema: [] });
  const instant: Record<string, NodeActivity> = {
    "ingest.csv@1": async () => ({ dataset: dataset() }),
    "feature.split@1": async () => ({ train: dataset(), test: dataset() }),
    "train.linear@1": async () => ({
      model: { kind: "model", uri: "file:///dev/null", sha256: sha(), manifestUri: "file:///dev/null", manifest: {} as never },
    }),
    "evaluate@2": async () => ({ metrics: { kind: "metrics", task: "regression", values: { r2: 0.9 }, rows: 1, modelSha256: sha() } }),
    "gate.threshold@1": async () => ({ decision: { kind: "decision", passed: false, reasons: ["r2 0.9 >= 1 ✗"], metrics: { r2: 0.9 } } }),
    "deploy.endpoint@1": async () => ({ deployment: { kind: "deployment", name: "x", model: "x", version: 1, alias: "champion", strategy: "replace" } }),
    "deploy.endpoint@2": async () => ({ deployment: { kind: "deployment", name: "x", model: "x", version: 1, alias: "champion", strategy: "replace" } }),
  };
  const { worker, connection } = await createWorker({
    address: services.temporalAddress,
    namespace: "default",
    taskQueue: "bench-automation",
    deps: { db, store: new ArtifactStore(services.artifactDir), servingUrl: "http://127.0.0.1:9" },
    nodeActivities: instant,
  });
  const running = worker.run();
  const { rest } = await import("../server/rest/handler");
  const { savePipeline } = await import("../server/services/pipelines/save-pipeline");
  const { getRun } = await import("../db/queries/runs");
  const hook = rest("callWebhook");
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void hook(
        new Request(`http://127.0.0.1${req.url}`, {
          method: req.method,
          headers: req.headers as Record<string, string>,
          body: chunks.length ? Buffer.concat(chunks) : undefined,
        }),
      ).then(async (r) => {
        res.writeHead(r.status, { "content-type": "application/json" });
        res.end(Buffer.from(await r.arrayBuffer()));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;

  const local = await seedLocal(db);
  const ctx = { db, teamId: local.teamId, userId: local.userId };
  const firstStepStarted = async (runId: string, timeoutMs = 30_000): Promise<number> => {
    const t0 = Date.now();
    for (;;) {
      const run = await getRun(db, local.teamId, runId);
      const started = run?.steps
        .map((s) => s.startedAt?.getTime())
        .filter((x): x is number => x !== undefined)
        .sort((a, b) => a - b)[0];
      if (started !== undefined) return started;
      if (Date.now() - t0 > timeoutMs) throw new Error(`run ${runId} has no started step after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  try {
    // --- Webhook -----------------------------------------------------------------
    const saved = await savePipeline(ctx, { spec: { ...structuredClone(template), name: "bench-webhook", triggers: [{ type: "webhook" }] } });
    const url = `http://127.0.0.1:${port}${saved.webhook!.url}`;
    const latencies: number[] = [];
    for (let i = 0; i < CALLS + 3; i++) {
      const sent = Date.now();
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      if (res.status !== 202) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
      const { runId } = (await res.json()) as { runId: string };
      const started = await firstStepStarted(runId);
      if (i >= 3) latencies.push(started - sent);
      await new Promise((r) => setTimeout(r, 100));
    }
    latencies.sort((a, b) => a - b);

    // --- Schedule ------------------------------------------------------------------
    const sched = await savePipeline(ctx, {
      spec: { ...structuredClone(template), name: "bench-schedule", triggers: [{ type: "schedule", cron: "* * * * *" }] },
    });
    const seen = new Set<string>();
    const lateStart: number[] = [];
    const lateRow: number[] = [];
    const { listRuns } = await import("../db/queries/runs");
    const deadline = Date.now() + (FIRES + 1.5) * 60_000;
    while (lateStart.length < FIRES && Date.now() < deadline) {
      for (const { run } of await listRuns(db, local.teamId, { pipelineId: sched.id, limit: 50 })) {
        if (seen.has(run.id)) continue;
        seen.add(run.id);
        const scheduledAt = Date.parse(String(run.triggerDetail.scheduledAt));
        lateRow.push(run.createdAt.getTime() - scheduledAt);
        lateStart.push((await firstStepStarted(run.id)) - scheduledAt);
        console.log(`schedule fire ${lateStart.length}/${FIRES}: first step ${lateStart.at(-1)} ms after the fire time`);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    await savePipeline(ctx, { id: sched.id, spec: { ...structuredClone(template), name: "bench-schedule", triggers: [] } });
    lateStart.sort((a, b) => a - b);
    lateRow.sort((a, b) => a - b);

    const json = {
      webhook: { calls: latencies.length, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), maxMs: latencies.at(-1), goalP50Ms: 250 },
      schedule: {
        fires: lateStart.length,
        firstStepLateMs: { p50: quantile(lateStart, 0.5), max: lateStart.at(-1) },
        runRowLateMs: { p50: quantile(lateRow, 0.5), max: lateRow.at(-1) },
        goalMs: 1000,
      },
    };
    const markdown = [
      "Private PostgreSQL and Temporal dev server, a worker in the benchmark's process, instant node activities (the machinery alone). Times are from the machine's one clock.",
      "",
      "| what | n | p50 | p99 / max | goal |",
      "|---|---:|---:|---:|---|",
      `| webhook call → run's first step started (\`POST /api/v1/hooks/{token}\` over HTTP on 127.0.0.1) | ${latencies.length} | **${json.webhook.p50Ms} ms** | ${json.webhook.p99Ms} ms | p50 ≤ 250 ms |`,
      `| schedule fire time → run's first step started (\`* * * * *\` schedule trigger) | ${lateStart.length} | **${json.schedule.firstStepLateMs.p50} ms** | ${json.schedule.firstStepLateMs.max} ms | ≤ 1 s late |`,
      `| schedule fire time → run row exists | ${lateRow.length} | ${json.schedule.runRowLateMs.p50} ms | ${json.schedule.runRowLateMs.max} ms | |`,
    ].join("\n");
    return { name: "automation", json, markdown };
  } finally {
    server.close();
    worker.shutdown();
    await running;
    await connection.close();
    await db.$client.end();
    await services.stop();
  }
}
