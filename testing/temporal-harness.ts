/**
 * Integration-test harness: a real worker (in this process) on a private
 * task queue against the real Temporal dev server and PostgreSQL started by
 * the global setup, plus a real serving server on a free port. Artifacts go
 * to the store the setup configured (ARTIFACT_URI: S3 on SeaweedFS), and the
 * worker and the serving server share no directory: each has a store with a
 * local cache of its own, so a served model is one read back from S3.
 */
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createDb, type Db } from "../db/client";
import { migrateAndSeed } from "../db/migrate";
import { seedLocal } from "../db/seed";
import { createTeam } from "../db/queries/teams";
import { runTeam } from "../db/queries/runs";
import { ArtifactStore } from "../infra/artifacts";
import { createServingServer, type ServingServer } from "../server/serving/server";
import type { RequestContext } from "../server/context";
import { getRun } from "../server/services/runs/get-run";
import { DefaultLogger, Runtime } from "@temporalio/worker";
import { sixStepSpec } from "./specs";
export { flightsTrainingSpec, sixStepSpec } from "./specs";
import { createWorker, type WorkerQueue } from "../workflows/temporal/worker";
import { NODE_ACTIVITIES } from "../workflows/nodes/activities.generated";
import type { NodeActivity } from "../workflows/nodes/step-context";
import { createRun } from "../db/queries/runs";
import { temporalClient } from "../server/temporal";
import { savePipeline } from "../server/services/pipelines/save-pipeline";
import { prepareRun } from "../workflows/temporal/prepare-run";
import type { PipelinePlan, PlanStep } from "../workflows/compiler/plan";
import type { PipelineRunInput } from "../workflows/temporal/contracts";

export interface Harness {
  db: Db;
  /** The worker's store. */
  store: ArtifactStore;
  /** The serving server's store (same ARTIFACT_URI, its own cache directory). */
  servingStore: ArtifactStore;
  ctx: RequestContext;
  servingUrl: string;
  taskQueue: string;
  /** The harness worker's identity (as step records name it). */
  workerIdentity: string;
  /** Stops the harness worker and starts a new one on the same queues (a worker restart). */
  restartWorker(): Promise<void>;
  waitForRun(runId: string, timeoutMs?: number): Promise<Awaited<ReturnType<typeof getRun>>>;
  stop(): Promise<void>;
}

let runtimeInstalled = false;
/** Worker and serving logs at WARN in tests unless LOG_LEVEL says otherwise (Runtime can be installed once per process). */
function installQuietRuntime() {
  process.env.LOG_LEVEL ??= "warn";
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger("WARN") });
  } catch {
    // already installed by an earlier harness in this process
  }
}

/**
 * `localTeam`: act as the seeded local team, like requests to the REST API do;
 * otherwise the harness gets a team of its own (no cache hits or names shared
 * with other test files). `databaseUrl`: a PostgreSQL of the test's own
 * instead of the shared one (migrated and seeded here).
 */
export async function startHarness(
  opts: {
    nodeActivities?: Record<string, NodeActivity>;
    localTeam?: boolean;
    databaseUrl?: string;
    temporalAddress?: string;
    /** The harness worker's queues (default both). */
    queues?: readonly WorkerQueue[];
  } = {},
): Promise<Harness> {
  const url = opts.databaseUrl ?? process.env.DATABASE_URL;
  // A private Temporal server (a restart test): the web side's client connects there too.
  if (opts.temporalAddress) process.env.TEMPORAL_ADDRESS = opts.temporalAddress;
  const address = process.env.TEMPORAL_ADDRESS;
  if (!url || !address) throw new Error("integration tests need DATABASE_URL and TEMPORAL_ADDRESS (set by scripts/test-services.ts)");
  installQuietRuntime();
  const taskQueue = `test-${Math.random().toString(36).slice(2, 10)}`;
  process.env.TEMPORAL_TASK_QUEUE = taskQueue;
  const artifactDir = process.env.ARTIFACT_DIR ?? (await fsp.mkdtemp(path.join(os.tmpdir(), "conveyor-artifacts-")));
  process.env.ARTIFACT_DIR = artifactDir;
  await migrateAndSeed(url);
  const db = createDb(url);
  const local = await seedLocal(db);
  const { userId } = local;
  const teamId = opts.localTeam ? local.teamId : (await createTeam(db, { slug: taskQueue, name: `Test ${taskQueue}`, adminUserId: userId })).id;
  const caches = await fsp.mkdtemp(path.join(os.tmpdir(), "conveyor-harness-caches-"));
  const store = new ArtifactStore({ cacheDir: path.join(caches, "worker") });
  const servingStore = new ArtifactStore({ cacheDir: path.join(caches, "serving") });
  const serving: ServingServer = createServingServer({ db, store: servingStore });
  const { url: servingUrl } = await serving.listen(0, "127.0.0.1");
  await serving.subscribed();
  process.env.SERVING_URL = servingUrl;
  const start = () =>
    createWorker({
      address,
      namespace: process.env.TEMPORAL_NAMESPACE ?? "default",
      taskQueue,
      deps: { db, store, servingUrl },
      nodeActivities: { ...NODE_ACTIVITIES, ...opts.nodeActivities },
      queues: opts.queues,
    });
  let { worker, connection } = await start();
  let running = worker.run();
  const ctx: RequestContext = { db, teamId, userId };
  return {
    db,
    store,
    servingStore,
    ctx,
    servingUrl,
    taskQueue,
    workerIdentity: worker.identity,
    async restartWorker() {
      worker.shutdown();
      await running;
      await connection.close();
      ({ worker, connection } = await start());
      running = worker.run();
    },
    async waitForRun(runId, timeoutMs = 150_000) {
      const started = Date.now();
      for (;;) {
        // Runs started through the REST API belong to the local team.
        const teamId = (await runTeam(db, runId)) ?? ctx.teamId;
        const run = await getRun({ ...ctx, teamId }, { runId });
        if (run.status !== "queued" && run.status !== "running") return run;
        if (Date.now() - started > timeoutMs)
          throw new Error(`run ${runId} still ${run.status} after ${timeoutMs} ms: ${JSON.stringify(run.steps.map((s) => [s.nodeId, s.status]))}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
      await serving.close();
      await db.$client.end();
      await fsp.rm(caches, { recursive: true, force: true });
    },
  };
}

/**
 * Starts a saved pipeline's run like startRun does, with its compiled plan
 * edited first (e.g. a short heartbeat timeout for a test): the run row and
 * steps are the real ones. `taskQueue`: the queue of the worker(s) to run it.
 */
export async function startEditedRun(
  ctx: RequestContext,
  taskQueue: string,
  pipelineId: string,
  edit: (plan: PipelinePlan) => void,
): Promise<{ runId: string; workflowId: string }> {
  const prepared = await prepareRun(ctx.db, { teamId: ctx.teamId, pipelineId, trigger: { type: "api" } });
  if (!prepared.ok) throw new Error(`cannot prepare a run of ${pipelineId}: ${prepared.reason}`);
  edit(prepared.input.plan as PipelinePlan);
  const client = await temporalClient();
  await client.workflow.start("pipelineRun", { taskQueue, workflowId: prepared.workflowId, args: [prepared.input] });
  return { runId: prepared.runId, workflowId: prepared.workflowId };
}

/**
 * Starts a run of a hand-made plan (steps of node types only a test's
 * harness has, e.g. "test.late@1"), with its run row and step rows, under a
 * saved pipeline of its own.
 */
export async function startPlanRun(
  h: Pick<Harness, "ctx" | "taskQueue">,
  steps: PlanStep[],
): Promise<{ runId: string; workflowId: string; input: PipelineRunInput }> {
  const name = `plan-${Math.random().toString(36).slice(2, 10)}`;
  const { id } = await savePipeline(h.ctx, {
    spec: sixStepSpec({
      name,
      source: "sample:penguins",
      train: { type: "train.linear", config: { task: "classification", target: "species" } },
      conditions: [{ metric: "accuracy", op: ">=", value: 0 }],
      model: name,
    }),
  });
  const workflowId = `run-${name}`;
  const run = await createRun(h.ctx.db, {
    teamId: h.ctx.teamId,
    pipelineId: id,
    pipelineVersion: 1,
    workflowId,
    params: {},
    trigger: "api",
    steps: steps.map((s) => ({ nodeId: s.nodeId, type: s.type })),
  });
  const input: PipelineRunInput = {
    runId: run.id,
    teamId: h.ctx.teamId,
    pipelineId: id,
    pipelineVersion: 1,
    plan: { apiVersion: "conveyor/v1", name, params: {}, steps } satisfies PipelinePlan,
  };
  const client = await temporalClient();
  await client.workflow.start("pipelineRun", { taskQueue: h.taskQueue, workflowId, args: [input] });
  return { runId: run.id, workflowId, input };
}
