/**
 * The serving process against a real PostgreSQL: registry resolution, the
 * LISTEN/NOTIFY hot reload after an alias move, and the `main.ts` entry
 * point (start, serve, graceful SIGTERM).
 */
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../db/client";
import { moveAlias } from "../../db/queries/models";
import {
  changeDeployment,
  deploymentFigures,
  deploymentHistory,
  pruneServingStats,
  recordServingStats,
  stableRoutes,
  STATS_RETENTION_MS,
} from "../../db/queries/deployments";
import { ArtifactStore } from "../../infra/artifacts";
import { createServingServer, type ServingServer } from "./server";
import { silentLogger } from "../../infra/log";
import { deployTestModel, freePort, registerTestVersion, startTestDatabase, type TestDatabase } from "../../testing/serving-database";
import { linearTestExpected, linearTestModel } from "../../testing/models";

// Unique names: DATABASE_URL may point at a database other tests share.
const suffix = crypto.randomBytes(4).toString("hex");
const deployment = `delay-${suffix}`;
const modelName = `delay-model-${suffix}`;

let tdb: TestDatabase;
let artifactDir: string;
let store: ArtifactStore;
let servingDb: Db;
let serving: ServingServer;
let base: string;
let modelId: string;

beforeAll(async () => {
  tdb = await startTestDatabase();
  artifactDir = await fsp.mkdtemp(path.join(os.tmpdir(), "conveyor-serving-artifacts-"));
  store = new ArtifactStore(artifactDir);
  ({ modelId } = await deployTestModel(tdb.db, store, { teamId: tdb.teamId, deployment, modelName, model: linearTestModel({ weight: 2 }) }));
  // Its own pool, like the real process.
  servingDb = createDb(tdb.url, { max: 4 });
  serving = createServingServer({ db: servingDb, store, logger: silentLogger() });
  base = (await serving.listen(0)).url;
  await serving.subscribed();
});

afterAll(async () => {
  await serving?.close();
  await servingDb?.$client.end({ timeout: 5 });
  await tdb?.stop();
  if (artifactDir) await fsp.rm(artifactDir, { recursive: true, force: true });
});

async function call(method: string, url: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

const infer = (x: number, s: string) => ({
  inputs: [
    { name: "x", shape: [1, 1], datatype: "FP32", data: [x] },
    { name: "s", shape: [1, 1], datatype: "BYTES", data: [s] },
  ],
});

async function pollVersion(url: string, want: string, budgetMs = 5_000): Promise<{ version: string; ms: number }> {
  const t0 = performance.now();
  let version = "";
  while (performance.now() - t0 < budgetMs) {
    const r = await call("GET", url);
    version = r.status === 200 ? (r.json.versions?.[0] ?? "") : `HTTP ${r.status}`;
    if (version === want) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return { version, ms: performance.now() - t0 };
}

describe("serving with PostgreSQL", () => {
  it("is ready and listening for registry changes", async () => {
    expect(await call("GET", `${base}/v2/health/ready`)).toEqual({ status: 200, json: { ready: true, subscribed: true } });
  });

  it("serves the deployment's champion with its manifest as metadata", async () => {
    const meta = await call("GET", `${base}/v2/models/${deployment}`);
    expect(meta.status).toBe(200);
    expect(meta.json).toMatchObject({
      name: deployment,
      versions: ["1"],
      platform: "onnxruntime",
      inputs: [
        { name: "x", datatype: "FP32", shape: [-1, 1] },
        { name: "s", datatype: "BYTES", shape: [-1, 1] },
      ],
      outputs: [{ name: "prediction", datatype: "FP32", shape: [-1, 1] }],
      parameters: { model: modelName, version: 1 },
    });
    const r = await call("POST", `${base}/v2/models/${deployment}/infer`, infer(1.5, "a"));
    expect(r.json).toMatchObject({ model_name: deployment, model_version: "1", outputs: [{ name: "prediction", data: [linearTestExpected(1.5, "a")] }] });
    const p = await call("POST", `${base}/v1/predict/${deployment}`, { instances: [{ x: 4, s: "b" }] });
    expect(p.json).toEqual({ model_name: deployment, model_version: 1, request_id: expect.any(String), predictions: [{ prediction: 8 }] });
    expect((await call("GET", `${base}/v2/models/${deployment}/ready`)).json).toMatchObject({ ready: true });
  });

  it("answers 404 for an unknown deployment or version", async () => {
    expect((await call("GET", `${base}/v2/models/nope-${suffix}`)).status).toBe(404);
    expect((await call("POST", `${base}/v2/models/${deployment}/versions/7/infer`, infer(1, "a"))).status).toBe(404);
  });

  it("serves the new version after an alias move, without a restart", async () => {
    const { version } = await registerTestVersion(tdb.db, store, { teamId: tdb.teamId, modelName, model: linearTestModel({ weight: 3, bias: 1 }) });
    expect(version).toBe(2);
    // Registering alone changes nothing: the alias still points at 1.
    expect((await call("GET", `${base}/v2/models/${deployment}`)).json.versions).toEqual(["1"]);

    await moveAlias(tdb.db, { modelId, alias: "champion", version: 2, actor: "test", reason: "promote v2" });
    const seen = await pollVersion(`${base}/v2/models/${deployment}`, "2");
    console.log(`[serving.int] alias move → new version served after ${seen.ms.toFixed(0)} ms`);
    expect(seen.version).toBe("2");

    const r = await call("POST", `${base}/v2/models/${deployment}/infer`, infer(2, "a"));
    expect(r.json).toMatchObject({ model_version: "2", outputs: [{ data: [linearTestExpected(2, "a", { weight: 3, bias: 1 })] }] });
    // The old version stays reachable explicitly.
    const old = await call("POST", `${base}/v2/models/${deployment}/versions/1/infer`, infer(2, "a"));
    expect(old.json).toMatchObject({ model_version: "1", outputs: [{ data: [linearTestExpected(2, "a")] }] });

    // And back (a rollback is just another alias move).
    await moveAlias(tdb.db, { modelId, alias: "champion", version: 1, actor: "test", reason: "rollback" });
    expect((await pollVersion(`${base}/v2/models/${deployment}`, "1")).version).toBe("1");
  });

  it("routes a canary by weight after a route change, and writes each version's live figures to the database", async () => {
    // Its own deployment: the figures are per deployment name.
    const canary = `canary-${suffix}`;
    const canaryModel = `canary-model-${suffix}`;
    await deployTestModel(tdb.db, store, { teamId: tdb.teamId, deployment: canary, modelName: canaryModel, model: linearTestModel({ weight: 2 }) });
    await registerTestVersion(tdb.db, store, { teamId: tdb.teamId, modelName: canaryModel, model: linearTestModel({ weight: 3, bias: 1 }) });
    // champion is v1; v2 is the 50% challenger, and v1 also a shadow.
    const changed = await changeDeployment(tdb.db, { teamId: tdb.teamId, name: canary }, async () => ({
      routes: [
        { alias: "champion", weight: 50, mode: "live" },
        { version: 2, weight: 50, mode: "live" },
        { version: 1, weight: 0, mode: "shadow" },
      ],
      rollout: null,
      kind: "updated",
      actor: "test",
      reason: "canary by hand",
    }));
    expect(changed?.changed).toBe(true);
    const since = new Date(Date.now() - 1000);
    const t0 = Date.now();
    while (Date.now() - t0 < 5000 && (await call("GET", `${base}/v2/models/${canary}`)).json.versions.length !== 3) await new Promise((r) => setTimeout(r, 20));
    const answered = new Map<string, number>();
    for (let i = 0; i < 50; i++) {
      const r = await call("POST", `${base}/v2/models/${canary}/infer`, infer(1, "a"));
      answered.set(r.json.model_version, (answered.get(r.json.model_version) ?? 0) + 1);
    }
    expect([...answered.keys()].sort()).toEqual(["1", "2"]);
    await new Promise((r) => setTimeout(r, 50));
    // Two flushes into the same window add up (the upsert merges counts and buckets).
    await serving.stats.flush();
    await call("POST", `${base}/v2/models/${canary}/infer`, infer(1, "a")).then((r) =>
      answered.set(r.json.model_version, answered.get(r.json.model_version)! + 1),
    );
    await new Promise((r) => setTimeout(r, 50));
    await serving.stats.flush();
    const figures = await deploymentFigures(tdb.db, canary, since);
    const live = (v: number) => figures.find((f) => f.version === v && f.mode === "live")!;
    expect(live(1).requests).toBe(answered.get("1"));
    expect(live(2).requests).toBe(answered.get("2"));
    expect(live(2).errors).toBe(0);
    expect(live(2).p50Ms).toBeGreaterThan(0);
    const shadow = figures.find((f) => f.mode === "shadow")!;
    expect(shadow).toMatchObject({ version: 1, requests: 51, compared: 51 });
    // The shadow is the same version as the live v1: it agrees exactly on the requests v1 answered.
    expect(shadow.agreement).toBeCloseTo(answered.get("1")! / 51, 6);
    const history = await deploymentHistory(tdb.db, changed!.row.id);
    expect(history.map((h) => [h.kind, h.reason])).toEqual([
      ["updated", "canary by hand"],
      ["created", "fixture"],
    ]);
    expect(history[0]!.fromRoutes).toEqual(stableRoutes("champion"));
  });

  it("keeps live figures for their retention, then prunes them", async () => {
    const name = `prune-${suffix}`;
    const row = (windowStart: Date) => ({
      deployment: name,
      version: 1,
      mode: "live" as const,
      windowStart,
      requests: 1,
      errors: 0,
      latencyBuckets: [1],
      latencySumMs: 1,
      compared: 0,
      agreed: 0,
    });
    const now = Date.now();
    await recordServingStats(tdb.db, "test", [row(new Date(now - STATS_RETENTION_MS - 60_000)), row(new Date(now - 60_000))]);
    expect(await pruneServingStats(tdb.db, now)).toBeGreaterThanOrEqual(1);
    expect((await deploymentFigures(tdb.db, name, new Date(0))).map((f) => f.requests)).toEqual([1]);
  });

  it("serves a deployment created after start", async () => {
    const late = `late-${suffix}`;
    expect((await call("GET", `${base}/v2/models/${late}`)).status).toBe(404);
    await deployTestModel(tdb.db, store, { teamId: tdb.teamId, deployment: late, modelName: `late-model-${suffix}`, model: linearTestModel({ weight: 7 }) });
    expect((await pollVersion(`${base}/v2/models/${late}`, "1")).version).toBe("1");
    const p = await call("POST", `${base}/v1/predict/${late}`, { instances: [{ x: 1, s: "b" }] });
    expect(p.json.predictions).toEqual([{ prediction: 7 }]);
  });
});

describe("main.ts", () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
  });

  it("starts on SERVING_PORT, serves the registry, and exits cleanly on SIGTERM", async () => {
    const port = await freePort();
    const root = fileURLToPath(new URL("../..", import.meta.url));
    // Node itself with tsx's loader, not the tsx CLI: the CLI is a second
    // process relaying signals, and under load it can take SIGTERM for an
    // unhandled one and kill the server (exit 143) before it shuts down.
    child = spawn(process.execPath, ["--import", "tsx", "server/serving/main.ts"], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: tdb.url, SERVING_PORT: String(port), ARTIFACT_DIR: artifactDir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    let live = false;
    while (!live && Date.now() < deadline) {
      live = await fetch(`${url}/v2/health/live`).then(
        (r) => r.ok,
        () => false,
      );
      if (!live) await new Promise((r) => setTimeout(r, 100));
    }
    expect(live, output).toBe(true);
    while (!output.includes("listening on") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const r = await call("POST", `${url}/v1/predict/${deployment}`, { instances: [{ x: 1, s: "a" }] });
    expect(r.status, output).toBe(200);
    expect(r.json.predictions).toHaveLength(1);

    const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).toContain("listening on");
    expect(output).toContain("SIGTERM: shutting down");
  });
});
