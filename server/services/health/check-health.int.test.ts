import fs from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { Client, Connection } from "@temporalio/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../../db/client";
import { beatWorker } from "../../../db/queries/workers";
import { ArtifactStore } from "../../../infra/artifacts";
import { createWorker } from "../../../workflows/temporal/worker";
import { freePort } from "../../../scripts/process-utils";
import { testEnv } from "../../../testing/env";
import { checkHealth, isHealthy } from "./check-health";

/** A stand-in for the serving process: answers /v2/health/ready with `status`. */
async function fakeServing(status: number): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    res.writeHead(req.url === "/v2/health/ready" ? status : 404, { "content-type": "application/json" });
    res.end(JSON.stringify({ ready: status === 200 }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe("checkHealth against real services", () => {
  let db: Db;
  let connection: Connection;
  let client: Client;
  const taskQueue = `health-${Date.now().toString(36)}`;

  beforeAll(async () => {
    const env = testEnv();
    db = createDb(env.DATABASE_URL, { max: 1 });
    connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
    client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
  });

  afterAll(async () => {
    await db.$client.end();
    await connection.close();
  });

  it("names what is missing: no worker on the queue, serving down", async () => {
    const closedPort = await freePort();
    const report = await checkHealth({ db, temporal: async () => client, taskQueue, servingUrl: `http://127.0.0.1:${closedPort}` });
    expect(report.db).toBe("ok");
    expect(report.temporal).toBe("ok");
    expect(report.worker).toBe(`no live worker polls task queues "${taskQueue}" and "${taskQueue}-heavy" (none beat in the last 15 s)`);
    expect(report.serving).toMatch(new RegExp(`^serving unreachable at http://127\\.0\\.0\\.1:${closedPort}: connect ECONNREFUSED`));
    expect(isHealthy(report)).toBe(false);
  });

  it("is all ok while a worker beats for both queues and serving is ready; a stopped or silent worker is reported at once", async () => {
    const serving = await fakeServing(200);
    const env = testEnv();
    const { worker, connection: wc } = await createWorker({
      address: env.TEMPORAL_ADDRESS,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue,
      deps: { db, store: new ArtifactStore(await fs.mkdtemp(path.join(os.tmpdir(), "health-"))), servingUrl: serving.url },
    });
    const running = worker.run();
    try {
      await expect
        .poll(async () => checkHealth({ db, temporal: async () => client, taskQueue, servingUrl: serving.url }), { timeout: 10_000, interval: 200 })
        .toEqual({ db: "ok", temporal: "ok", worker: "ok", serving: "ok" });
      // A worker for the light queue only: training steps would wait, and the report says which queue has nobody.
      const other = `${taskQueue}-b`;
      await beatWorker(db, { identity: `light-only-${other}`, host: "h", pid: 1, taskQueues: [other] });
      expect((await checkHealth({ db, temporal: async () => client, taskQueue: other, servingUrl: serving.url })).worker).toBe(
        `no live worker polls task queue "${other}-heavy" (none beat in the last 15 s)`,
      );
    } finally {
      worker.shutdown();
      await running;
      await wc.close();
    }
    // Stopped cleanly: not counted from that moment on.
    expect((await checkHealth({ db, temporal: async () => client, taskQueue, servingUrl: serving.url })).worker).toMatch(/^no live worker polls/);
    // Killed (no clean stop): its last beat ages out after 15 s.
    await beatWorker(db, { identity: `killed-${taskQueue}`, host: "h", pid: 2, taskQueues: [taskQueue, `${taskQueue}-heavy`] });
    expect((await checkHealth({ db, temporal: async () => client, taskQueue, servingUrl: serving.url })).worker).toBe("ok");
    await db.$client`update workers set last_seen_at = now() - interval '16 seconds' where identity = ${`killed-${taskQueue}`}`;
    expect((await checkHealth({ db, temporal: async () => client, taskQueue, servingUrl: serving.url })).worker).toMatch(/^no live worker polls/);
    await serving.close();
  });

  it("reports a serving process that is up but not ready", async () => {
    const serving = await fakeServing(503);
    try {
      const report = await checkHealth({ db, temporal: async () => client, taskQueue, servingUrl: serving.url });
      expect(report.serving).toBe(`GET ${serving.url}/v2/health/ready answered 503`);
    } finally {
      await serving.close();
    }
  });

  it("answers within the timeout when a dependency hangs", async () => {
    const t0 = Date.now();
    const report = await checkHealth({
      db,
      temporal: () => new Promise<Client>(() => {}),
      taskQueue,
      servingUrl: "http://127.0.0.1:1",
      timeoutMs: 300,
    });
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(report.temporal).toBe("no answer within 0.3 s");
  });
});
