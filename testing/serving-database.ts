/**
 * A real PostgreSQL for the serving integration test and benchmark: the one
 * at DATABASE_URL when set (the test global setup), otherwise a throwaway
 * embedded server in a temp dir on a free port. Plus helpers that put a
 * model into the registry the way `deploy.endpoint` does.
 */
import fsp from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createDb, type Db } from "../db/client";
import { migrateAndSeed } from "../db/migrate";
import { moveAlias, registerModelVersion } from "../db/queries/models";
import { upsertDeployment } from "../db/queries/deployments";
import { createFixtureRun } from "../db/queries/serving";
import { seedLocal } from "../db/seed";
import { startEmbeddedPostgres } from "../scripts/postgres";
import type { ArtifactStore } from "../infra/artifacts";
import type { TestModel } from "./models";

export interface TestDatabase {
  url: string;
  db: Db;
  teamId: string;
  /** True when this helper started its own embedded server. */
  embedded: boolean;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * `embedded: true` always starts a private server (the benchmark: it must
 * not write fixtures into a developer's database).
 */
export async function startTestDatabase(opts: { embedded?: boolean } = {}): Promise<TestDatabase> {
  let url = opts.embedded ? undefined : process.env.DATABASE_URL;
  let stopPg: (() => Promise<void>) | undefined;
  let dir: string | undefined;
  if (!url) {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), "conveyor-serving-pg-"));
    // The embedded server may run as a dedicated OS user (when we are root).
    await fsp.chmod(dir, 0o777);
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port: await freePort() });
    url = pg.url;
    stopPg = () => pg.stop();
  }
  try {
    await migrateAndSeed(url);
  } catch (e) {
    await stopPg?.();
    throw e;
  }
  const db = createDb(url, { max: 4 });
  const { teamId } = await seedLocal(db);
  return {
    url,
    db,
    teamId,
    embedded: stopPg !== undefined,
    async stop() {
      await db.$client.end({ timeout: 5 });
      if (stopPg) await stopPg();
      if (dir) await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}

/** Stores the ONNX bytes and registers them as a new version of `modelName`. */
export async function registerTestVersion(
  db: Db,
  store: ArtifactStore,
  input: { teamId: string; modelName: string; model: TestModel },
): Promise<{ modelId: string; version: number; runId: string }> {
  const artifact = await store.putBytes(input.model.onnx, "model.onnx");
  const { pipelineId, runId } = await createFixtureRun(db, { teamId: input.teamId, name: `${input.modelName} fixture` });
  const { modelId, version } = await registerModelVersion(db, {
    teamId: input.teamId,
    modelName: input.modelName,
    runId,
    artifactUri: artifact.uri,
    sha256: artifact.sha256,
    manifest: { ...input.model.manifest, runId, pipeline: { id: pipelineId, version: 1, nodeId: "train" } },
    metrics: input.model.manifest.metrics,
  });
  return { modelId, version, runId };
}

/** Registers a version, points a deployment at the model's `champion`, moves the alias. */
export async function deployTestModel(
  db: Db,
  store: ArtifactStore,
  input: { teamId: string; deployment: string; modelName: string; model: TestModel },
): Promise<{ modelId: string; version: number }> {
  const { modelId, version, runId } = await registerTestVersion(db, store, input);
  await moveAlias(db, { modelId, alias: "champion", version, actor: "test", reason: "fixture", runId });
  await upsertDeployment(db, {
    teamId: input.teamId,
    name: input.deployment,
    modelId,
    alias: "champion",
    strategy: "replace",
    runId,
    actor: "test",
    reason: "fixture",
  });
  return { modelId, version };
}
