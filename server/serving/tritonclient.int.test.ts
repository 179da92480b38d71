/**
 * A real OIP v2 client against the real serving process: Triton's Python
 * client, tritonclient[http] (pinned by hash, testing/tritonclient.ts), sends
 * binary FP32 and BYTES inputs (its default), asks for binary and JSON
 * outputs, compresses requests with gzip and deflate, and names a version
 * (server/serving/tritonclient_check.py); every answer it decodes must equal
 * the JSON API's answer to the same rows. Serving runs as `main.ts` does in
 * production, on the test PostgreSQL. Skipped only where the machine has no
 * Python 3 at all.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArtifactStore } from "../../infra/artifacts";
import { classifierTestModel, linearTestModel } from "../../testing/models";
import { deployTestModel, freePort, startTestDatabase, type TestDatabase } from "../../testing/serving-database";
import { ensureTritonclient } from "../../testing/tritonclient";

const here = path.dirname(fileURLToPath(import.meta.url));
const suffix = crypto.randomBytes(4).toString("hex");
const linear = `triton-lin-${suffix}`;
const classifier = `triton-cls-${suffix}`;

const client = await ensureTritonclient();
if ("noPython" in client) console.log(`[tritonclient] skipped: no Python 3 on this machine (${client.noPython})`);

describe.skipIf("noPython" in client)(
  `tritonclient[http] against the serving process${"noPython" in client ? ` (skipped: no Python 3 on this machine: ${client.noPython})` : ""}`,
  () => {
    let tdb: TestDatabase;
    let artifactDir: string;
    let child: ChildProcess | undefined;
    let output = "";
    let base: string;
    let hostPort: string;

    beforeAll(async () => {
      if ("missing" in client) throw new Error(`tritonclient cannot be installed: ${client.missing}`);
      tdb = await startTestDatabase();
      artifactDir = await fsp.mkdtemp(path.join(os.tmpdir(), "conveyor-triton-artifacts-"));
      const store = new ArtifactStore(artifactDir);
      await deployTestModel(tdb.db, store, { teamId: tdb.teamId, deployment: linear, modelName: linear, model: linearTestModel({ weight: 1.5, bias: 0.25 }) });
      await deployTestModel(tdb.db, store, { teamId: tdb.teamId, deployment: classifier, modelName: classifier, model: classifierTestModel() });
      const port = await freePort();
      hostPort = `127.0.0.1:${port}`;
      base = `http://${hostPort}`;
      child = spawn(process.execPath, ["--import", "tsx", "server/serving/main.ts"], {
        cwd: path.join(here, "..", ".."),
        env: { ...process.env, DATABASE_URL: tdb.url, SERVING_PORT: String(port), ARTIFACT_DIR: artifactDir },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
      child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
      const deadline = Date.now() + 60_000;
      while (!output.includes("listening on")) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`serving did not start:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    });

    afterAll(async () => {
      if (child && child.exitCode === null) {
        const exited = new Promise((r) => child!.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      await tdb?.stop();
      if (artifactDir) await fsp.rm(artifactDir, { recursive: true, force: true });
    });

    /** What the JSON API answers for the rows the Python script sends. */
    async function viaJson(deployment: string, withS: boolean): Promise<Record<string, unknown[]>> {
      const inputs = [{ name: "x", shape: [4, 1], datatype: "FP32", data: [1, -2.5, null, 0.1] }];
      if (withS) inputs.push({ name: "s", shape: [4, 1], datatype: "BYTES", data: ["a", "b", "ünï", ""] as never });
      const res = await fetch(`${base}/v2/models/${deployment}/infer`, { method: "POST", body: JSON.stringify({ inputs }) });
      expect(res.status).toBe(200);
      const json = (await res.json()) as { outputs: Array<{ name: string; data: unknown[] }> };
      return Object.fromEntries(json.outputs.map((o) => [o.name, o.data]));
    }

    it("sends binary inputs and reads binary and JSON outputs equal to the JSON API's answers", async () => {
      const python = (client as { python: string }).python;
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile(python, [path.join(here, "tritonclient_check.py"), hostPort, linear, classifier], { timeout: 120_000 }, (err, out, errOut) =>
          err ? reject(new Error(`tritonclient_check.py failed: ${err.message}\n${errOut}\nserving:\n${output.slice(-3000)}`)) : resolve(out),
        ),
      );
      const report = JSON.parse(stdout) as Record<string, any>;
      const lin = await viaJson(linear, true);
      const cls = await viaJson(classifier, false);
      expect(lin.prediction).toHaveLength(4);

      expect(report).toMatchObject({ live: true, ready: true, model_ready: true, extensions: ["binary_tensor_data"], metadata_inputs: ["x", "s"] });
      const prediction = (binary: boolean) => ({
        model_name: linear,
        model_version: "1",
        outputs: { prediction: { dtype: "float32", shape: [4], data: lin.prediction } },
        binary: binary ? ["prediction"] : [],
      });
      // The prediction output's shape is [rows] here: linearTestModel declares [-1, 1] and answers [4, 1].
      for (const key of ["binary_in_default_out", "binary_in_json_out", "json_in_binary_out", "gzip", "deflate", "version_1"]) {
        const r = report[key];
        expect(r.outputs.prediction.shape, key).toEqual([4, 1]);
        r.outputs.prediction.shape = [4];
      }
      expect(report.binary_in_default_out).toEqual({ ...prediction(true), id: "t1" });
      expect(report.binary_in_json_out).toMatchObject(prediction(false));
      expect(report.json_in_binary_out).toMatchObject(prediction(true));
      expect(report.gzip).toMatchObject(prediction(true));
      expect(report.deflate).toMatchObject(prediction(true));
      expect(report.version_1).toMatchObject(prediction(true));

      const classes = { label: { dtype: "object", data: cls.label }, probabilities: { dtype: "float32", shape: [4, 2], data: cls.probabilities } };
      expect(report.classifier_default).toMatchObject({ model_name: classifier, outputs: classes, binary: ["label", "probabilities"] });
      expect(report.classifier_mixed).toMatchObject({ outputs: classes, binary: ["label"] });

      // A request the server refuses reaches the client as its status and message.
      expect(report.refused).toEqual({ status: "400", message: 'missing input "s"; the model\'s inputs are: x, s' });
    });
  },
);
