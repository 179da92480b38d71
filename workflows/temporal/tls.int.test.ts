/**
 * Temporal behind TLS with client certificates (mTLS), like a cluster or
 * Temporal Cloud: the web app's client and a worker connect through
 * TEMPORAL_TLS_* settings only, and the worker's polls arrive; without the
 * client certificate the frontend refuses the handshake.
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Client, Connection } from "@temporalio/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "../../db/client";
import { ArtifactStore } from "../../infra/artifacts";
import { parseEnv } from "../../infra/env";
import { temporalConnectionOptions } from "../../infra/temporal-connection";
import { testEnv } from "../../testing/env";
import { makeCerts, startTlsProxy, type TestCerts, type TlsProxy } from "../../testing/tls-proxy";
import { createWorker } from "./worker";

describe("Temporal over TLS (mTLS)", () => {
  let certs: TestCerts;
  let proxy: TlsProxy;
  let db: Db;

  beforeAll(async () => {
    certs = makeCerts();
    proxy = await startTlsProxy(testEnv().TEMPORAL_ADDRESS, certs, { requireClientCert: true });
    db = createDb(testEnv().DATABASE_URL, { max: 1 });
  });
  afterAll(async () => {
    await proxy.close();
    await db.$client.end();
    await fs.rm(certs.dir, { recursive: true, force: true });
  });

  const settings = () => ({
    TEMPORAL_ADDRESS: proxy.address,
    TEMPORAL_TLS_CA: certs.ca,
    TEMPORAL_TLS_CERT: certs.clientCert,
    TEMPORAL_TLS_KEY: certs.clientKey,
    TEMPORAL_TLS_SERVER_NAME: "localhost",
  });

  it("a client and a worker connect with TEMPORAL_TLS_* alone; the worker's polls arrive", async () => {
    const options = temporalConnectionOptions(parseEnv(settings()));
    expect(options.tls?.clientCertPair).toBeDefined();
    const connection = await Connection.connect({ ...options, connectTimeout: "5s" });
    const client = new Client({ connection, namespace: testEnv().TEMPORAL_NAMESPACE });
    const taskQueue = `tls-${Date.now().toString(36)}`;
    const { worker, connection: nc } = await createWorker({
      address: options.address,
      connectionOptions: options,
      namespace: testEnv().TEMPORAL_NAMESPACE,
      taskQueue,
      queues: ["heavy"],
      deps: { db, store: new ArtifactStore(await fs.mkdtemp(path.join(os.tmpdir(), "tls-"))), servingUrl: "http://127.0.0.1:1" },
    });
    const running = worker.run();
    try {
      await expect
        .poll(
          async () => {
            const res = await client.workflowService.describeTaskQueue({
              namespace: testEnv().TEMPORAL_NAMESPACE,
              taskQueue: { name: `${taskQueue}-heavy`, kind: 1 },
              taskQueueType: 2, // activity
            });
            return (res.pollers ?? []).map((p) => p.identity);
          },
          { timeout: 20_000, interval: 500 },
        )
        .toContain(worker.identity);
    } finally {
      worker.shutdown();
      await running;
      await nc.close();
      await connection.close();
    }
  });

  it("without the client certificate the handshake is refused", async () => {
    const refusedBefore = proxy.refused;
    const { TEMPORAL_TLS_CERT: _c, TEMPORAL_TLS_KEY: _k, ...noCert } = settings();
    const attempt = Connection.connect({ ...temporalConnectionOptions(parseEnv(noCert)), connectTimeout: "3s" }).then(async (c) => {
      try {
        await c.withDeadline(Date.now() + 3_000, () => c.workflowService.getSystemInfo({}));
      } finally {
        await c.close();
      }
    });
    await expect(attempt).rejects.toThrow();
    expect(proxy.refused).toBeGreaterThan(refusedBefore);
  });

  it("settings that contradict each other are refused, naming the variables", () => {
    expect(() => temporalConnectionOptions(parseEnv({ ...settings(), TEMPORAL_TLS_KEY: "" }))).toThrow(
      "TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (mTLS): set both or neither",
    );
    expect(() => temporalConnectionOptions(parseEnv({ ...settings(), TEMPORAL_TLS_CA: "/nonexistent/ca.pem" }))).toThrow(
      "TEMPORAL_TLS_CA=/nonexistent/ca.pem: cannot read it (ENOENT)",
    );
  });
});
