/**
 * Arguments → requests (method, path with encoded params, query, body) and
 * answers → output and exit codes, with the CLI run in-process against a
 * scripted transport (testing/cli.ts). e2e/cli.spec.ts runs the real binary
 * against the real stack.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import boston from "../contract/templates/boston-housing.pipeline.json";
import { exportSpec } from "../workflows/compiler/spec-file";
import type { PipelineSpecInput } from "../workflows/spec/spec";
import { runCli, routes, TEST_URL, type RecordedRequest } from "../testing/cli";
import type { ByteSource } from "./client";
import { EXIT } from "./errors";

const PID = "0b6f8d2e-4a35-4c1e-9d4f-7f0c1a2b3c4d";
const RID = "9a1c2b3d-0000-4000-8000-00000000abcd";
const T = "2026-03-01T11:58:00.000Z";

const summary = (over: Record<string, unknown> = {}) => ({
  id: PID,
  name: "boston",
  description: "",
  latestVersion: 3,
  updatedAt: T,
  isTemplate: false,
  lastRun: null,
  deletedAt: null,
  ...over,
});
const pipeline = (spec: unknown, over: Record<string, unknown> = {}) => ({
  id: PID,
  name: "boston",
  version: 3,
  spec,
  message: "",
  createdAt: T,
  createdBy: null,
  versions: [],
  draft: null,
  ...over,
});
const spec = (over: Record<string, unknown> = {}): Record<string, unknown> & { nodes: unknown[]; edges: unknown[] } => ({
  ...(boston as unknown as { nodes: unknown[]; edges: unknown[] }),
  name: "boston",
  ...over,
});

function tmpFile(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "conveyor-cli-test-"));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const calls = (reqs: RecordedRequest[]) => reqs.map((r) => `${r.method} ${r.target}`);

const step = (nodeId: string, status: string, logs: string[] = [], error: string | null = null) => ({
  nodeId,
  type: "t",
  status,
  attempt: 1,
  cached: false,
  startedAt: null,
  finishedAt: null,
  error,
  outputs: null,
  logs: logs.map((message) => ({ ts: T, level: "info", message })),
});
const run = (status: string, steps: unknown[], error: string | null = null) => ({
  id: RID,
  pipelineId: PID,
  pipelineName: "boston",
  pipelineVersion: 3,
  workflowId: "run-1",
  status,
  trigger: { type: "api", detail: {} },
  params: {},
  error,
  createdAt: T,
  startedAt: T,
  finishedAt: status === "running" || status === "queued" ? null : "2026-03-01T11:58:12.300Z",
  steps,
  metrics: [],
});

describe("pipelines", () => {
  it("list: GET /api/v1/pipelines; an aligned table, relative times; --json is the answer's shape", async () => {
    const answer = routes({
      "GET /api/v1/pipelines": {
        status: 200,
        body: [summary(), summary({ id: "x", name: "boston-house-prices", latestVersion: 1, isTemplate: true, updatedAt: "2026-02-28T12:00:00Z" })],
      },
    });
    const r = await runCli(["pipelines", "list"], answer);
    expect(r.code).toBe(0);
    expect(calls(r.requests)).toEqual(["GET /api/v1/pipelines"]);
    expect(r.requests[0]!.url).toBe(`${TEST_URL}/api/v1/pipelines`);
    expect(r.requests[0]!.body).toBeUndefined();
    expect(r.stdout.split("\n")).toEqual([
      "NAME                 ID                                    VERSION  UPDATED",
      `boston               ${PID}  v3       2 minutes ago`,
      "boston-house-prices  x                                     v1       yesterday      template",
      "",
    ]);
    const json = await runCli(["pipelines", "list", "--json"], answer);
    expect(JSON.parse(json.stdout)).toEqual([
      summary(),
      summary({ id: "x", name: "boston-house-prices", latestVersion: 1, isTemplate: true, updatedAt: "2026-02-28T12:00:00.000Z" }),
    ]);
    const before = await runCli(["--json", "pipelines", "list"], answer);
    expect(before.stdout).toBe(json.stdout);
  });

  it("pull by name: the canonical file (spec key order, 2-space indent, trailing newline), stable across runs; --version in the query", async () => {
    // Keys deliberately out of order, as another tool may have saved them.
    const stored = {
      nodes: spec().nodes,
      edges: spec().edges,
      name: "boston",
      apiVersion: "conveyor/v1",
      zExtra: 1,
      triggers: [],
      description: "d",
      params: [],
    };
    const answer = routes({
      "GET /api/v1/pipelines": { status: 200, body: [summary()] },
      [`GET /api/v1/pipelines/${PID}`]: { status: 200, body: pipeline(stored, { version: 2 }) },
    });
    const r = await runCli(["pipelines", "pull", "boston", "--version", "2"], answer);
    expect(r.code).toBe(0);
    expect(calls(r.requests)).toEqual(["GET /api/v1/pipelines", `GET /api/v1/pipelines/${PID}?version=2`]);
    expect(Object.keys(JSON.parse(r.stdout))).toEqual(["apiVersion", "name", "description", "params", "nodes", "edges", "triggers", "zExtra"]);
    expect(Object.keys(JSON.parse(r.stdout).nodes[0])).toEqual(["id", "type", "label", "config", "position"]);
    expect(r.stdout).toBe(exportSpec(stored as PipelineSpecInput));
    expect(r.stdout.endsWith("}\n")).toBe(true);
    expect(r.stdout).toContain('\n  "name": "boston",\n');
    const again = await runCli(["pipelines", "pull", "boston", "--version", "2"], answer);
    expect(again.stdout).toBe(r.stdout);

    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "conveyor-pull-")), "b.pipeline.json");
    const toFile = await runCli(["pipelines", "pull", PID, "-o", out], answer);
    expect(toFile.code).toBe(0);
    expect(fs.readFileSync(out, "utf8")).toBe(r.stdout);
    expect(toFile.stdout).toBe(`wrote boston v2 to ${out}\n`);
  });

  it("pull → push round trip: an unchanged file saves nothing; a changed one saves the next version (PUT); a new name creates (POST)", async () => {
    const stored = spec();
    let file = "";
    const answer = routes({
      "GET /api/v1/pipelines": { status: 200, body: [summary()] },
      [`GET /api/v1/pipelines/${PID}`]: { status: 200, body: pipeline(stored) },
      [`PUT /api/v1/pipelines/${PID}`]: { status: 201, body: { id: PID, version: 4 } },
      "POST /api/v1/pipelines": { status: 201, body: { id: "new-id", version: 1 } },
    });
    const pulled = await runCli(["pipelines", "pull", "boston"], answer);
    file = tmpFile("boston.pipeline.json", pulled.stdout);

    const same = await runCli(["pipelines", "push", file], answer);
    expect(same.code).toBe(0);
    expect(calls(same.requests)).toEqual(["GET /api/v1/pipelines", `GET /api/v1/pipelines/${PID}`]);
    expect(same.stdout).toContain("unchanged at version 3");

    // Key order alone is no change either.
    const reordered = tmpFile("r.pipeline.json", JSON.stringify({ ...JSON.parse(pulled.stdout), apiVersion: "conveyor/v1" }));
    expect(calls((await runCli(["pipelines", "push", reordered], answer)).requests)).not.toContain(`PUT /api/v1/pipelines/${PID}`);

    const forced = await runCli(["pipelines", "push", file, "--force", "-m", "again"], answer);
    expect(calls(forced.requests)).toEqual(["GET /api/v1/pipelines", `PUT /api/v1/pipelines/${PID}?message=again`]);
    expect(forced.requests[1]!.headers["content-type"]).toBe("application/json");
    expect(forced.requests[1]!.json).toEqual(stored);

    const changed = tmpFile("c.pipeline.json", exportSpec({ ...stored, description: "new" } as PipelineSpecInput));
    const saved = await runCli(["pipelines", "push", changed, "-m", "describe it"], answer);
    expect(saved.code).toBe(0);
    expect(calls(saved.requests)).toEqual(["GET /api/v1/pipelines", `GET /api/v1/pipelines/${PID}`, `PUT /api/v1/pipelines/${PID}?message=describe+it`]);
    expect(saved.requests[2]!.json).toEqual({ ...stored, description: "new" });
    expect(saved.stdout).toBe(`saved boston version 4 (${PID})\n`);

    const fresh = tmpFile("n.pipeline.json", JSON.stringify({ ...stored, name: "brand-new" }));
    const created = await runCli(["pipelines", "push", fresh, "--json"], answer);
    expect(calls(created.requests)).toEqual(["GET /api/v1/pipelines", "POST /api/v1/pipelines"]);
    expect(created.requests[1]!.json).toEqual({ ...stored, name: "brand-new" });
    expect(JSON.parse(created.stdout)).toEqual({ id: "new-id", version: 1 });
  });

  it("push: a JSON syntax error is a usage error with line and column; the server's 422 lists every problem, exit 1", async () => {
    const broken = await runCli(["pipelines", "push", tmpFile("b.json", '{\n  "name": "x",\n  nodes: []\n}')]);
    expect(broken.code).toBe(EXIT.usage);
    expect(broken.requests).toEqual([]);
    expect(broken.stderr).toMatch(/line 3, column 3/);

    const details = [
      { nodeId: "train", field: "config.target", message: "target is required" },
      { nodeId: null, field: "edges", message: "edge e9 targets unknown node x" },
    ];
    const answer = routes({
      "GET /api/v1/pipelines": { status: 200, body: [] },
      "POST /api/v1/pipelines": { status: 422, body: { error: { code: "invalid", message: "the pipeline spec is invalid", details } } },
    });
    const r = await runCli(["pipelines", "push", tmpFile("x.pipeline.json", JSON.stringify(spec({ name: "x" })))], answer);
    expect(r.code).toBe(EXIT.failure);
    expect(r.stderr).toBe("error: the pipeline spec is invalid\n  node train: config.target: target is required\n  edges: edge e9 targets unknown node x\n");
  });

  it("validate: offline (no request), the canvas's errors by node and field, exit 1 when invalid", async () => {
    const fixtures = path.join(__dirname, "..", "workflows", "compiler", "fixtures");
    const bad = await runCli(["pipelines", "validate", path.join(fixtures, "invalid-config.pipeline.json")], undefined, {
      env: { CONVEYOR_URL: "not a url at all" },
    });
    expect(bad.code).toBe(EXIT.failure);
    expect(bad.requests).toEqual([]);
    expect(bad.stderr).toContain("node train: config.target: target is required\n");
    expect(bad.stderr).toContain('node deploy: config.replicas: unknown config field "replicas" for deploy.endpoint\n');
    const good = await runCli(["pipelines", "validate", path.join(fixtures, "valid-boston.pipeline.json")]);
    expect(good.code).toBe(0);
    expect(good.stdout).toBe("valid: valid-boston.pipeline.json — boston-house-prices (6 nodes, 7 edges)\n");
    const json = await runCli(["pipelines", "validate", path.join(fixtures, "invalid-cycle.pipeline.json"), "--json"]);
    expect(json.code).toBe(EXIT.failure);
    expect(JSON.parse(json.stdout).ok).toBe(false);
    expect(JSON.parse(json.stdout).errors.length).toBeGreaterThan(0);
    const missing = await runCli(["pipelines", "validate", "/nonexistent/x.json"]);
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toBe("error: /nonexistent/x.json does not exist\n");
  });

  it("a name shared by two pipelines must be given as an id; an unknown one names itself", async () => {
    const answer = routes({ "GET /api/v1/pipelines": { status: 200, body: [summary(), summary({ id: "11111111-2222-4333-8444-555555555555" })] } });
    const two = await runCli(["pipelines", "pull", "boston"], answer);
    expect(two.code).toBe(EXIT.failure);
    expect(two.stderr).toContain('2 pipelines are named "boston"; name one by id:');
    expect(two.stderr).toContain("11111111-2222-4333-8444-555555555555");
    const none = await runCli(["run", "nope"], answer);
    expect(none.code).toBe(EXIT.failure);
    expect(none.stderr).toBe('error: no pipeline named "nope"\n  `conveyor pipelines list` shows what exists\n');
  });
});

describe("runs", () => {
  const withParams = spec({ params: [{ name: "month", type: "number" }, { name: "retrain", type: "boolean" }, { name: "region" }] });
  const base = {
    "GET /api/v1/pipelines": { status: 200, body: [summary()] },
    [`GET /api/v1/pipelines/${PID}`]: { status: 200, body: pipeline(withParams) },
    [`POST /api/v1/pipelines/${PID}/runs`]: { status: 202, body: { runId: RID, workflowId: "run-1" } },
  };
  it("run: params typed by the spec's params, --version in the body; without --wait it only starts", async () => {
    const r = await runCli(["run", "boston", "--param", "month=3", "-p", "retrain=true", "--param", "region=042", "--version", "2"], routes(base));
    expect(r.code).toBe(0);
    expect(calls(r.requests)).toEqual(["GET /api/v1/pipelines", `GET /api/v1/pipelines/${PID}?version=2`, `POST /api/v1/pipelines/${PID}/runs`]);
    expect(r.requests[2]!.json).toEqual({ version: 2, params: { month: 3, retrain: true, region: "042" } });
    expect(r.stdout).toContain(`started run ${RID} of boston v3`);
    const bad = await runCli(["run", "boston", "--param", "month=March"], routes(base));
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toBe('error: --param month: "March" is not a number\n');
    expect(calls(bad.requests)).not.toContain(`POST /api/v1/pipelines/${PID}/runs`);
  });

  it("run --follow: each status change and each log line once, prefixed with the node id; exit 0 on success", async () => {
    const polls = [
      run("queued", [step("ingest", "queued"), step("train", "queued")]),
      run("running", [step("ingest", "running", ["reading"]), step("train", "queued")]),
      run("running", [step("ingest", "succeeded", ["reading", "506 rows"]), step("train", "running", ["training"])]),
      run("running", [step("ingest", "succeeded", ["reading", "506 rows"]), step("train", "running", ["training"])]),
      run("succeeded", [step("ingest", "succeeded", ["reading", "506 rows"]), step("train", "succeeded", ["training", "trained"])]),
    ];
    let poll = 0;
    const r = await runCli(
      ["run", "boston", "--follow"],
      routes({ ...base, [`GET /api/v1/runs/${RID}`]: () => ({ status: 200, body: polls[Math.min(poll++, polls.length - 1)] }) }),
    );
    expect(r.code).toBe(0);
    expect(poll).toBe(5);
    expect(r.stdout.split("\n")).toEqual([
      `started run ${RID} of boston v3`,
      "ingest ▶ running",
      "ingest │ reading",
      "ingest │ 506 rows",
      "ingest ✓ succeeded",
      "train  ▶ running",
      "train  │ training",
      "train  │ trained",
      "train  ✓ succeeded",
      `run ${RID} succeeded in 12.3s`,
      "",
    ]);
  });

  it("run --wait: a failed run exits 1 naming the failing step's error; --json prints the final run", async () => {
    const failed = run("failed", [
      step("ingest", "succeeded"),
      step("train", "failed", ["oops"], 'target column "nope" is not in the dataset'),
      step("deploy", "skipped", [], 'upstream step "train" failed'),
    ]);
    const answer = routes({ ...base, [`GET /api/v1/runs/${RID}`]: { status: 200, body: failed } });
    const r = await runCli(["run", "boston", "--wait"], answer);
    expect(r.code).toBe(EXIT.failure);
    expect(r.stderr).toContain(`error: run ${RID} failed in 12.3s\n`);
    expect(r.stderr).toContain('  step train failed: target column "nope" is not in the dataset\n');
    expect(r.stderr).toContain('  step deploy skipped: upstream step "train" failed\n');
    const json = await runCli(["run", "boston", "--wait", "--json"], answer);
    expect(json.code).toBe(EXIT.failure);
    expect(JSON.parse(json.stdout).status).toBe("failed");
    const cancelled = await runCli(
      ["run", "boston", "--wait"],
      routes({ ...base, [`GET /api/v1/runs/${RID}`]: { status: 200, body: run("cancelled", [step("ingest", "cancelled")], "cancelled") } }),
    );
    expect(cancelled.code).toBe(EXIT.failure);
    expect(cancelled.stderr).toContain(`run ${RID} cancelled`);
  });

  it("runs list: --pipeline (a name, resolved to its id), --status and --limit in the query", async () => {
    const answer = routes({
      "GET /api/v1/pipelines": { status: 200, body: [summary()] },
      "GET /api/v1/runs": { status: 200, body: [run("succeeded", [])].map(({ steps, metrics, ...s }) => (void steps, void metrics, s)) },
    });
    const r = await runCli(["runs", "list", "--pipeline", "boston", "--status", "failed", "--limit", "5"], answer);
    expect(r.code).toBe(0);
    expect(calls(r.requests)).toEqual(["GET /api/v1/pipelines", `GET /api/v1/runs?pipelineId=${PID}&status=failed&limit=5`]);
    expect(r.stdout).toContain(`${RID}  boston    v1`.replace("v1", "v3"));
    expect((await runCli(["runs", "list", "--limit", "0"])).code).toBe(EXIT.usage);
  });

  it("runs logs: every step's lines in order; runs cancel: POST .../cancel", async () => {
    const answer = routes({
      [`GET /api/v1/runs/${RID}`]: { status: 200, body: run("succeeded", [step("ingest", "succeeded", ["a", "b"]), step("train", "succeeded", ["c"])]) },
      [`POST /api/v1/runs/${RID}/cancel`]: { status: 202, body: { runId: RID, status: "running" } },
    });
    const logs = await runCli(["runs", "logs", RID], answer);
    expect(logs.stdout.split("\n").slice(0, 3)).toEqual(["ingest │ a", "ingest │ b", "train  │ c"]);
    const cancel = await runCli(["runs", "cancel", RID], answer);
    expect(calls(cancel.requests)).toEqual([`POST /api/v1/runs/${RID}/cancel`]);
    expect(cancel.requests[0]!.body).toBeUndefined();
    expect(cancel.stdout).toBe(`cancel requested for run ${RID} (status now: running)\n`);
  });
});

describe("models, predict, datasets, login", () => {
  const version = (v: number, inputs: unknown[]) => ({
    name: "a b/c",
    version: v,
    manifest: {
      format: "onnx",
      task: "regression",
      target: "medv",
      nodeType: "train.linear",
      inputs,
      outputs: [{ name: "prediction", datatype: "FP32", shape: [-1, 1] }],
      metrics: {},
      trainingData: { sha256: "s", rows: 1 },
      pipeline: { id: PID, version: 1, nodeId: "train" },
      runId: RID,
      params: {},
      seed: null,
      libraries: {},
    },
    metrics: { r2: 0.7 },
    runId: RID,
    sha256: "s",
    createdAt: T,
    modelUrl: "/x",
    lineage: {
      run: null,
      pipeline: null,
      trainingData: { dataset: null, sha256: "s", rows: 1 },
      params: {},
      seed: null,
      libraries: {},
      reproductions: [],
    },
  });
  const inputs = [
    { name: "rm", datatype: "FP32", shape: [-1, 1] },
    { name: "town", datatype: "BYTES", shape: [-1, 1] },
  ];
  const model = {
    name: "a b/c",
    versions: [
      { version: 2, metrics: { r2: 0.75 }, runId: RID, createdAt: T, sha256: "s2" },
      { version: 1, metrics: { r2: 0.7, rmse: 4.95288 }, runId: null, createdAt: T, sha256: "s1" },
    ],
    aliases: { champion: 1, challenger: 2 },
    events: [{ alias: "challenger", fromVersion: null, toVersion: 2, actor: "user:u1", reason: "shadow", runId: null, pipelineName: null, createdAt: T }],
  };
  const enc = "a%20b%2Fc";

  it("show: the name encoded into the path; versions, aliases and the alias history", async () => {
    const r = await runCli(["models", "show", "a b/c"], routes({ [`GET /api/v1/models/${enc}`]: { status: 200, body: model } }));
    expect(r.code).toBe(0);
    expect(r.requests[0]!.url).toBe(`${TEST_URL}/api/v1/models/${enc}`);
    expect(r.stdout).toContain("aliases: challenger=v2 champion=v1");
    expect(r.stdout).toContain("v1       champion    r2=0.7 rmse=4.953");
    expect(r.stdout).toMatch(/2 minutes ago\s+challenger\s+- → v2\s+user:u1\s+shadow/);
  });

  it("promote: PUT the alias with { version, reason }; demote: DELETE with reason in the query; --reason is required", async () => {
    const answer = routes({
      [`PUT /api/v1/models/${enc}/aliases/challenger`]: { status: 200, body: { name: "a b/c", alias: "challenger", version: 1, fromVersion: 2 } },
      [`DELETE /api/v1/models/${enc}/aliases/challenger`]: { status: 200, body: { name: "a b/c", alias: "challenger", version: null, fromVersion: 1 } },
      [`PUT /api/v1/models/${enc}/aliases/champion`]: { status: 200, body: { name: "a b/c", alias: "champion", version: 2, fromVersion: 1 } },
    });
    const p = await runCli(["models", "promote", "a b/c", "1", "--alias", "challenger", "--reason", "roll back"], answer);
    expect(p.code).toBe(0);
    expect(calls(p.requests)).toEqual([`PUT /api/v1/models/${enc}/aliases/challenger`]);
    expect(p.requests[0]!.json).toEqual({ version: 1, reason: "roll back" });
    expect(p.stdout).toBe("challenger of a b/c: v2 → v1\n");
    const champion = await runCli(["models", "promote", "a b/c", "2", "--reason", "better"], answer);
    expect(calls(champion.requests)).toEqual([`PUT /api/v1/models/${enc}/aliases/champion`]);
    const d = await runCli(["models", "demote", "a b/c", "--alias", "challenger", "--reason", "done & dusted"], answer);
    expect(calls(d.requests)).toEqual([`DELETE /api/v1/models/${enc}/aliases/challenger?reason=done+%26+dusted`]);
    expect(d.requests[0]!.body).toBeUndefined();
    expect(d.stdout).toBe("removed challenger of a b/c (it pointed at v1)\n");
    const noReason = await runCli(["models", "promote", "a b/c", "2"], answer);
    expect(noReason.code).toBe(EXIT.usage);
    expect(noReason.stderr).toContain("--reason");
    const badAlias = await runCli(["models", "promote", "a b/c", "2", "--alias", "Champion!", "--reason", "x"], answer);
    expect(badAlias.code).toBe(EXIT.usage);
    expect(badAlias.requests).toEqual([]);
    expect(badAlias.stderr).toContain("alias: must be lower-case letters");
  });

  it("predict --row: the champion's manifest types the row, then POST { instances }", async () => {
    const answer = routes({
      [`GET /api/v1/models/${enc}`]: { status: 200, body: model },
      [`GET /api/v1/models/${enc}/versions/1`]: { status: 200, body: version(1, inputs) },
      [`POST /api/v1/models/${enc}/predict`]: { status: 200, body: { model_name: "a b/c", model_version: 1, predictions: [{ prediction: 24.5 }] } },
    });
    const r = await runCli(["predict", "a b/c", "--row", '{"rm": "6.5", "town": 7}'], answer);
    expect(r.code).toBe(0);
    expect(calls(r.requests)).toEqual([`GET /api/v1/models/${enc}`, `GET /api/v1/models/${enc}/versions/1`, `POST /api/v1/models/${enc}/predict`]);
    expect(r.requests[2]!.json).toEqual({ instances: [{ rm: 6.5, town: "7" }] });
    expect(r.stdout).toBe("prediction: 24.5  a b/c v1\n");
  });

  it("predict --csv --version: that version's manifest; batches of 1000 rows; extra columns ignored (noted on stderr)", async () => {
    const rows = Array.from({ length: 1500 }, (_, i) => `${i},t${i % 3},${i * 2}`);
    const file = tmpFile("rows.csv", `rm,town,medv\n${rows.join("\n")}\n`);
    const answer = routes({
      [`GET /api/v1/models/${enc}/versions/2`]: { status: 200, body: version(2, inputs) },
      [`POST /api/v1/models/${enc}/predict`]: (req) => {
        const n = (req.json as { instances: unknown[] }).instances.length;
        return { status: 200, body: { model_name: "a b/c", model_version: 2, predictions: Array.from({ length: n }, (_, i) => ({ prediction: i })) } };
      },
    });
    const r = await runCli(["predict", "a b/c", "--csv", file, "--version", "2", "--json"], answer);
    expect(r.code).toBe(0);
    expect(calls(r.requests)).toEqual([`GET /api/v1/models/${enc}/versions/2`, `POST /api/v1/models/${enc}/predict`, `POST /api/v1/models/${enc}/predict`]);
    const [first, second] = r.requests.slice(1).map((q) => q.json as { version: number; instances: Record<string, unknown>[] });
    expect(first!.version).toBe(2);
    expect(first!.instances).toHaveLength(1000);
    expect(second!.instances).toHaveLength(500);
    expect(first!.instances[1]).toEqual({ rm: 1, town: "t1" });
    expect(JSON.parse(r.stdout).predictions).toHaveLength(1500);
    expect(r.stderr).toContain("ignoring column the model does not take: medv");
    const neither = await runCli(["predict", "a b/c"], answer);
    expect(neither.code).toBe(EXIT.usage);
  });

  it("datasets upload: the file streamed as text/csv with its length, the name in the query", async () => {
    const file = tmpFile("sales.csv", "a,b\n1,2\n3,4\n");
    let uploaded = "";
    const r = await runCli(["datasets", "upload", file], async (req) => {
      const source = req.body as ByteSource;
      expect(source.size).toBe(12);
      for await (const chunk of source.chunks()) uploaded += Buffer.from(chunk).toString("utf8");
      return {
        status: 201,
        body: {
          id: "d1",
          name: "sales",
          version: 1,
          rows: 2,
          columns: [
            { name: "a", type: "BIGINT" },
            { name: "b", type: "BIGINT" },
          ],
          createdAt: T,
          runs: [],
        },
      };
    });
    expect(r.code).toBe(0);
    expect(calls(r.requests)).toEqual(["POST /api/v1/datasets?name=sales"]);
    expect(r.requests[0]!.headers["content-type"]).toBe("text/csv");
    expect(uploaded).toBe("a,b\n1,2\n3,4\n");
    expect(r.stdout).toContain("uploaded sales v1 (d1): 2 rows, 2 columns");
    const named = await runCli(["datasets", "upload", file, "--name", "q3 sales"], () => ({
      status: 201,
      body: { id: "d2", name: "q3 sales", version: 2, rows: 2, columns: [], createdAt: T, runs: [{ pipelineId: "p1", runId: "r9", error: null }] },
    }));
    expect(named.stdout).toContain("started run r9 of pipeline p1 (dataset trigger)");
    expect(calls(named.requests)).toEqual(["POST /api/v1/datasets?name=q3+sales"]);
    const empty = await runCli(["datasets", "upload", tmpFile("e.csv", "")]);
    expect(empty.code).toBe(EXIT.usage);
    expect(empty.requests).toEqual([]);
  });

  const lineageVersion = (reproductions: unknown[]) => ({
    ...version(3, inputs),
    metrics: { r2: 0.7357, rmse: 4.955 },
    sha256: "b".repeat(64),
    lineage: {
      run: { id: RID, status: "succeeded", trigger: "api", createdAt: T },
      pipeline: { id: PID, name: "boston-house-prices", version: 2 },
      trainingData: { dataset: { name: "tracts", version: 1, id: "ds1" }, sha256: "d".repeat(64), rows: 405 },
      params: { l2: 0.1, month: "may" },
      seed: 42,
      libraries: { conveyor: "0.1.0", "onnxruntime-node": "1.20.0" },
      reproductions,
    },
  });

  it("version: GET .../versions/{v}; metrics, inputs and the lineage: run, pipeline version, data, params, seed, code versions, reproductions", async () => {
    const answer = routes({
      [`GET /api/v1/models/${enc}/versions/3`]: {
        status: 200,
        body: lineageVersion([
          { runId: "r2", status: "succeeded", createdAt: T, sameBytes: true },
          { runId: "r1", status: "failed", createdAt: "2026-02-28T10:00:00Z", sameBytes: null },
        ]),
      },
    });
    const r = await runCli(["models", "version", "a b/c", "3"], answer);
    expect(r.code).toBe(0);
    expect(calls(r.requests)).toEqual([`GET /api/v1/models/${enc}/versions/3`]);
    expect(r.stdout.split("\n")).toEqual([
      "a b/c v3  regression of medv (train.linear)",
      "metrics  r2=0.7357 rmse=4.955",
      `sha256   ${"b".repeat(64)}`,
      "inputs   rm FP32, town BYTES",
      "created  2 minutes ago",
      "",
      "lineage",
      `  run            ${RID} (succeeded, trigger api, 2 minutes ago)`,
      `  pipeline       boston-house-prices v2 (${PID})`,
      `  training data  dataset tracts v1 (ds1), 405 rows, sha256 ${"d".repeat(64)}`,
      "  params         l2=0.1 month=may",
      "  seed           42",
      "  code versions  conveyor 0.1.0, onnxruntime-node 1.20.0",
      "",
      "reproductions (newest first)",
      "  RUN  STATUS     SAME BYTES  STARTED",
      "  r2   succeeded  yes         2 minutes ago",
      "  r1   failed     -           yesterday",
      "",
    ]);
    const json = await runCli(["models", "version", "a b/c", "3", "--json"], answer);
    expect(JSON.parse(json.stdout).lineage.reproductions[0]).toEqual({ runId: "r2", status: "succeeded", createdAt: T, sameBytes: true });
    // A version with no run and a bundled sample says so.
    const bare = await runCli(
      ["models", "version", "a b/c", "1"],
      routes({ [`GET /api/v1/models/${enc}/versions/1`]: { status: 200, body: version(1, inputs) } }),
    );
    expect(bare.stdout).toContain("  run            none: not made by a run\n");
    expect(bare.stdout).toContain("  training data  a bundled sample, 1 rows, sha256 s\n");
    expect(bare.stdout).toContain("  params         none\n");
    expect(bare.stdout).toContain("reproductions (newest first)\n  none yet\n");
    expect((await runCli(["models", "version", "a b/c", "x"])).code).toBe(EXIT.usage);
  });

  describe("reproduce", () => {
    const NEW = "7d0b3a5a-0865-41af-abe3-a892c5ef84d8";
    const trained = (sha: string) => ({
      model: { kind: "model", sha256: sha, manifest: { ...version(3, inputs).manifest, metrics: undefined, runId: NEW } },
    });
    const reproduction = (status: string, steps: unknown[]) => ({
      ...run(status, steps),
      id: NEW,
      pipelineVersion: 2,
      trigger: { type: "reproduce", detail: {} },
    });
    /** The reproduction's run as polled (running, then `end`), and the version's lineage listing it. */
    const answer = (end: ReturnType<typeof reproduction>, sameBytes: boolean | null) => {
      let poll = 0;
      return routes({
        [`POST /api/v1/models/${enc}/versions/3/reproduce`]: { status: 202, body: { runId: NEW, workflowId: "run-2" } },
        [`GET /api/v1/runs/${NEW}`]: () => ({ status: 200, body: poll++ === 0 ? reproduction("running", [step("train", "running", ["training"])]) : end }),
        [`GET /api/v1/models/${enc}/versions/3`]: {
          status: 200,
          body: lineageVersion([{ runId: NEW, status: end.status, createdAt: T, sameBytes }]),
        },
      });
    };
    const succeeded = (sha: string) => {
      const s = step("train", "succeeded", ["training", "trained"]);
      return reproduction("succeeded", [{ ...s, outputs: trained(sha) }]);
    };

    it("without --follow: POST .../versions/{v}/reproduce (no body) and the run id", async () => {
      const r = await runCli(["models", "reproduce", "a b/c", "3"], answer(succeeded("b".repeat(64)), true));
      expect(r.code).toBe(0);
      expect(calls(r.requests)).toEqual([`POST /api/v1/models/${enc}/versions/3/reproduce`]);
      expect(r.requests[0]!.body).toBeUndefined();
      expect(r.stdout.split("\n")[0]).toBe(`started run ${NEW} reproducing a b/c v3 (its pipeline version, params and data; no step cache)`);
      const json = await runCli(["models", "reproduce", "a b/c", "3", "--json"], answer(succeeded("b".repeat(64)), true));
      expect(JSON.parse(json.stdout)).toEqual({ runId: NEW, workflowId: "run-2" });
    });

    it("--follow: the run's steps and logs like `run --follow`, then the lineage says the bytes matched (exit 0)", async () => {
      const r = await runCli(["models", "reproduce", "a b/c", "3", "--follow"], answer(succeeded("b".repeat(64)), true));
      expect(r.code).toBe(0);
      expect(calls(r.requests)).toEqual([
        `POST /api/v1/models/${enc}/versions/3/reproduce`,
        `GET /api/v1/runs/${NEW}`,
        `GET /api/v1/runs/${NEW}`,
        `GET /api/v1/models/${enc}/versions/3`,
      ]);
      expect(r.stdout.split("\n")).toEqual([
        `started run ${NEW} reproducing a b/c v3 (its pipeline version, params and data; no step cache)`,
        "train ▶ running",
        "train │ training",
        "train │ trained",
        "train ✓ succeeded",
        `run ${NEW} succeeded in 12.3s`,
        `same bytes: run ${NEW} made a b/c v3 again, byte for byte (sha256 ${"b".repeat(64)})`,
        "",
      ]);
      const json = await runCli(["models", "reproduce", "a b/c", "3", "--follow", "--json"], answer(succeeded("b".repeat(64)), true));
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual({ runId: NEW, status: "succeeded", createdAt: T, sameBytes: true });
      expect(json.stderr).toContain("train │ trained\n");
    });

    it("--follow: other bytes exit 1 naming both hashes; a failed reproduction exits 1 naming the failing step", async () => {
      const other = await runCli(["models", "reproduce", "a b/c", "3", "--follow"], answer(succeeded("c".repeat(64)), false));
      expect(other.code).toBe(EXIT.failure);
      expect(other.stderr).toBe(
        [
          `error: run ${NEW} did not reproduce a b/c v3: its model has other bytes`,
          `  v3: sha256 ${"b".repeat(64)}`,
          `  run ${NEW}: sha256 ${"c".repeat(64)}`,
          "  compare the lineage (params, seed, code versions): conveyor models version a b/c 3",
          "",
        ].join("\n"),
      );
      const json = await runCli(["models", "reproduce", "a b/c", "3", "--follow", "--json"], answer(succeeded("c".repeat(64)), false));
      expect(json.code).toBe(EXIT.failure);
      expect(JSON.parse(json.stdout).sameBytes).toBe(false);

      const failed = await runCli(
        ["models", "reproduce", "a b/c", "3", "--follow"],
        answer(reproduction("failed", [step("train", "failed", ["training"], "out of memory")]), null),
      );
      expect(failed.code).toBe(EXIT.failure);
      expect(failed.stderr).toContain(`error: run ${NEW} failed in 12.3s\n  step train failed: out of memory\n`);
      expect(failed.stdout).not.toContain("same bytes");

      const gone = await runCli(
        ["models", "reproduce", "a b/c", "3"],
        routes({
          [`POST /api/v1/models/${enc}/versions/3/reproduce`]: {
            status: 422,
            body: { error: { code: "invalid", message: "model a b/c version 3 was not made by a run: there is nothing to reproduce" } },
          },
        }),
      );
      expect(gone.code).toBe(EXIT.failure);
      expect(gone.stderr).toBe("error: model a b/c version 3 was not made by a run: there is nothing to reproduce\n");
    });
  });

  it("login: stores the URL (and token) in $XDG_CONFIG_HOME/conveyor/config.json, mode 0600, checks health; later calls send the token", async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "conveyor-login-"));
    const env = { XDG_CONFIG_HOME: home, CONVEYOR_URL: undefined };
    const healthy = { db: "ok", temporal: "ok", worker: "ok", serving: "ok" };
    const r = await runCli(["login", "example.test:4000/", "--token", "s3cret"], routes({ "GET /api/health": { status: 200, body: healthy } }), { env });
    expect(r.code).toBe(0);
    expect(r.requests[0]!.url).toBe("http://example.test:4000/api/health");
    expect(r.requests[0]!.headers.authorization).toBe("Bearer s3cret");
    const file = path.join(home, "conveyor", "config.json");
    expect(JSON.parse(fs.readFileSync(file, "utf8"))).toEqual({ url: "http://example.test:4000", token: "s3cret" });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(r.stdout).toContain("ok: http://example.test:4000 answers; db ok, temporal ok, worker ok, serving ok");

    const list = await runCli(["datasets", "list"], routes({ "GET /api/v1/datasets": { status: 200, body: [] } }), { env });
    expect(list.requests[0]!.url).toBe("http://example.test:4000/api/v1/datasets");
    expect(list.requests[0]!.headers.authorization).toBe("Bearer s3cret");
    const overridden = await runCli(["datasets", "list"], routes({ "GET /api/v1/datasets": { status: 200, body: [] } }), {
      env: { XDG_CONFIG_HOME: home, CONVEYOR_URL: "http://other:1", CONVEYOR_TOKEN: "t2" },
    });
    expect(overridden.requests[0]!.url).toBe("http://other:1/api/v1/datasets");
    expect(overridden.requests[0]!.headers.authorization).toBe("Bearer t2");

    const down = await runCli(
      ["login", "example.test:4000"],
      routes({ "GET /api/health": { status: 503, body: { ...healthy, worker: "no worker polls the task queue" } } }),
      { env },
    );
    expect(down.code).toBe(EXIT.server);
    expect(down.stdout).toContain("worker: no worker polls the task queue");
    // Same URL, no --token: the token is kept.
    expect(JSON.parse(fs.readFileSync(file, "utf8")).token).toBe("s3cret");
    const other = await runCli(
      ["login", "http://elsewhere:3000"],
      () => {
        throw new TypeError("fetch failed");
      },
      { env },
    );
    expect(other.code).toBe(EXIT.server);
    expect(other.stderr).toContain("cannot reach http://elsewhere:3000");
    expect(JSON.parse(fs.readFileSync(file, "utf8"))).toEqual({ url: "http://elsewhere:3000" });
  });
});

describe("deployments", () => {
  const route = (version: number | null, weight: number, mode = "live", alias: string | null = null) => ({ version, alias, weight, mode });
  const canary = {
    strategy: "canary",
    challenger: 4,
    step: 0,
    steps: [10, 50, 100],
    workflowId: "rollout-1",
    runId: RID,
    startedAt: "2026-03-01T11:50:00.000Z",
    stepStartedAt: T,
  };
  const deployment = (over: Record<string, unknown> = {}) => ({
    name: "flights",
    model: "flights",
    alias: "champion",
    status: "active",
    routes: [route(3, 90, "live", "champion"), route(4, 10)],
    rollout: canary,
    sticky: null,
    updatedAt: T,
    ...over,
  });
  const detail = (over: Record<string, unknown> = {}) => ({
    ...deployment(over),
    figuresSince: T,
    figures: [
      { version: 3, mode: "live", requests: 9012, errors: 3, errorRate: 3 / 9012, p50Ms: 1.24, p99Ms: 8.51, agreement: null, compared: 0 },
      { version: 4, mode: "live", requests: 1003, errors: 0, errorRate: 0, p50Ms: 1.31, p99Ms: 12.4, agreement: null, compared: 0 },
    ],
    quality: null,
    history: [
      {
        kind: "canary-step",
        fromRoutes: [route(null, 100, "live", "champion")],
        toRoutes: [route(null, 90, "live", "champion"), route(4, 10)],
        actor: "pipeline:p1",
        reason: "canary: v4 gets 10% of live traffic",
        runId: RID,
        pipelineName: "flights-daily",
        createdAt: T,
      },
      {
        kind: "promoted",
        fromRoutes: null,
        toRoutes: [route(null, 100, "live", "champion")],
        actor: "user:u1",
        reason: "v3 by hand",
        runId: null,
        pipelineName: null,
        createdAt: "2026-02-20T10:00:00Z",
      },
    ],
    ...over,
  });
  const changed = (outcome: string, routesNow: unknown[]) => ({ ...deployment({ routes: routesNow, rollout: null }), outcome });

  it("list: GET /api/v1/deployments (--model in the query); routes as 'v3 90% · v4 10%' and 'v2 100% · v3 shadow', the rollout in progress", async () => {
    const answer = routes({
      "GET /api/v1/deployments": {
        status: 200,
        body: [
          deployment(),
          deployment({
            name: "churn",
            model: "churn-model",
            routes: [route(2, 100, "live", "champion"), route(3, 0, "shadow")],
            rollout: { strategy: "shadow", challenger: 3, workflowId: "w", startedAt: T, stepStartedAt: T },
          }),
          deployment({ name: "boston", model: "boston", routes: [route(1, 100, "live", "champion")], rollout: null, updatedAt: "2026-02-28T12:00:00Z" }),
        ],
      },
    });
    const r = await runCli(["deployments", "list"], answer);
    expect(r.code).toBe(0);
    expect(calls(r.requests)).toEqual(["GET /api/v1/deployments"]);
    expect(r.stdout.split("\n")).toEqual([
      "NAME     MODEL        ROUTES               ROLLOUT                       UPDATED",
      "flights  flights      v3 90% · v4 10%      canary of v4, step 1/3 (10%)  2 minutes ago",
      "churn    churn-model  v2 100% · v3 shadow  shadow of v3                  2 minutes ago",
      "boston   boston       v1 100%              -                             yesterday",
      "",
    ]);
    const json = await runCli(["deployments", "list", "--model", "churn-model", "--json"], answer);
    expect(calls(json.requests)).toEqual(["GET /api/v1/deployments?model=churn-model"]);
    expect(JSON.parse(json.stdout)[1].routes).toEqual([route(2, 100, "live", "champion"), route(3, 0, "shadow")]);
    const none = await runCli(["deployments", "list"], routes({ "GET /api/v1/deployments": { status: 200, body: [] } }));
    expect(none.stdout).toBe("no deployments yet: a pipeline's deploy.endpoint step creates one (`conveyor run <pipeline>`)\n");
  });

  it("show: routes, rollout, live figures per version (requests, errors, p50/p99, shadow agreement), history newest first with who, why and the pipeline", async () => {
    const answer = routes({ "GET /api/v1/deployments/flights": { status: 200, body: detail() } });
    const r = await runCli(["deployments", "show", "flights"], answer);
    expect(r.code).toBe(0);
    expect(calls(r.requests)).toEqual(["GET /api/v1/deployments/flights"]);
    expect(r.stdout.split("\n")).toEqual([
      "flights",
      "model    flights (routes follow its alias champion)",
      "routes   v3 90% · v4 10%",
      `rollout  canary of v4, step 1/3 (10%), started 10 minutes ago, this step 2 minutes ago (run ${RID})`,
      "",
      "live figures since 2 minutes ago (all serving replicas)",
      "  VERSION  MODE  REQUESTS  ERRORS  ERROR RATE    P50    P99  SHADOW AGREEMENT",
      "  v3       live      9012       3       0.03%  1.2ms  8.5ms  -",
      "  v4       live      1003       0          0%  1.3ms   12ms  -",
      "",
      "history (newest first)",
      "  WHEN           CHANGE       ROUTES                  BY           PIPELINE       REASON",
      "  2 minutes ago  canary-step  @champion 90% · v4 10%  pipeline:p1  flights-daily  canary: v4 gets 10% of live traffic",
      "  last week      promoted     @champion 100%          user:u1      -              v3 by hand",
      "",
      "promote v4 now: conveyor deployments promote flights --reason '…'   back to the champion: conveyor deployments rollback flights --reason '…'",
      "",
    ]);

    const shadow = detail({
      routes: [route(3, 100, "live", "champion"), route(4, 0, "shadow")],
      rollout: { strategy: "shadow", challenger: 4, workflowId: "w", startedAt: T, stepStartedAt: T },
      figures: [
        { version: 3, mode: "live", requests: 500, errors: 0, errorRate: 0, p50Ms: 2, p99Ms: 1500, agreement: null, compared: 0 },
        { version: 4, mode: "shadow", requests: 500, errors: 1, errorRate: 0.002, p50Ms: 0.42, p99Ms: null, agreement: 0.9712, compared: 499 },
      ],
      sticky: { parameter: "customer_id" },
    });
    const s = await runCli(["deployments", "show", "flights", "--minutes", "60"], routes({ "GET /api/v1/deployments/flights": { status: 200, body: shadow } }));
    expect(calls(s.requests)).toEqual(["GET /api/v1/deployments/flights?minutes=60"]);
    expect(s.stdout).toContain("routes   v3 100% · v4 shadow\n");
    expect(s.stdout).toContain("rollout  shadow of v4, started 2 minutes ago\n");
    expect(s.stdout).toContain("sticky   request parameter customer_id\n");
    expect(s.stdout).toContain("  v3       live         500       0          0%     2ms  1.5s  -\n");
    expect(s.stdout).toContain("  v4       shadow       500       1        0.2%  0.42ms     -  97.12% of 499 rows\n");
    expect(s.stdout).not.toContain("live quality");

    const judged = detail({
      quality: {
        windowStart: T,
        windowEnd: T,
        versions: [
          { version: 3, mode: "live", rows: 500, labelled: 60, metrics: { r2: 0.71234, mae: 5.2 } },
          { version: 4, mode: "shadow", rows: 500, labelled: 0, metrics: {} },
        ],
      },
    });
    const j = await runCli(["deployments", "show", "flights"], routes({ "GET /api/v1/deployments/flights": { status: 200, body: judged } }));
    expect(j.stdout).toContain("live quality in the monitor window ending 2 minutes ago (ground truth sent as feedback)\n");
    expect(j.stdout).toContain("  VERSION  MODE    PREDICTIONS  LABELLED  MAE      R2\n");
    expect(j.stdout).toContain("  v3       live            500        60  5.2  0.7123\n");
    expect(j.stdout).toContain("  v4       shadow          500         0    -       -\n");

    const quiet = await runCli(
      ["deployments", "show", "flights"],
      routes({ "GET /api/v1/deployments/flights": { status: 200, body: detail({ rollout: null, figures: [], history: [] }) } }),
    );
    expect(quiet.stdout).toContain("rollout  none in progress\n");
    expect(quiet.stdout).toContain("  no requests since then\n");
    expect(quiet.stdout).toContain("  no changes yet\n");
    expect(quiet.stdout).not.toContain("conveyor deployments promote");

    const json = await runCli(["deployments", "show", "flights", "--json"], answer);
    expect(JSON.parse(json.stdout).history[0].pipelineName).toBe("flights-daily");
  });

  it("promote: POST .../promote { version?, reason } and the outcome; rollback: POST .../rollback { reason }; --reason is required", async () => {
    const answer = routes({
      "POST /api/v1/deployments/flights/promote": (req) => ({
        status: 200,
        body: (req.json as { version?: number }).version
          ? changed("champion: v4 → v3", [route(3, 100, "live", "champion")])
          : changed("v4 promoted by user:u1: healthy at 10%", [route(4, 100, "live", "champion")]),
      }),
      "POST /api/v1/deployments/flights/rollback": {
        status: 200,
        body: changed("v4 rolled back by user:u1: p99 too high", [route(3, 100, "live", "champion")]),
      },
    });
    const p = await runCli(["deployments", "promote", "flights", "--reason", "healthy at 10%"], answer);
    expect(p.code).toBe(0);
    expect(calls(p.requests)).toEqual(["POST /api/v1/deployments/flights/promote"]);
    expect(p.requests[0]!.json).toEqual({ reason: "healthy at 10%" });
    expect(p.stdout).toBe("flights: v4 promoted by user:u1: healthy at 10%\nroutes now: v4 100%\n");
    const byHand = await runCli(["deployments", "promote", "flights", "--version", "3", "--reason", "back to May"], answer);
    expect(byHand.requests[0]!.json).toEqual({ version: 3, reason: "back to May" });
    expect(byHand.stdout).toBe("flights: champion: v4 → v3\nroutes now: v3 100%\n");
    const back = await runCli(["deployments", "rollback", "flights", "--reason", "p99 too high", "--json"], answer);
    expect(back.code).toBe(0);
    expect(calls(back.requests)).toEqual(["POST /api/v1/deployments/flights/rollback"]);
    expect(back.requests[0]!.json).toEqual({ reason: "p99 too high" });
    expect(JSON.parse(back.stdout).outcome).toBe("v4 rolled back by user:u1: p99 too high");
    for (const argv of [
      ["deployments", "promote", "flights"],
      ["deployments", "rollback", "flights"],
      ["deployments", "promote", "flights", "--version", "0", "--reason", "x"],
    ]) {
      const bad = await runCli(argv, answer);
      expect(bad.code).toBe(EXIT.usage);
      expect(bad.requests).toEqual([]);
    }
    const blank = await runCli(["deployments", "rollback", "flights", "--reason", " "], answer);
    expect(blank.code).toBe(EXIT.usage);
    expect(blank.requests).toEqual([]);
    expect(blank.stderr).toContain("reason: say why (it is kept in the audit trail)");
  });

  it("feedback: POST .../feedback with the file's JSON array as the body; recorded and unknown items; a file that is no JSON array is a usage error", async () => {
    const answer = routes({
      "POST /api/v1/deployments/flights/feedback": { status: 200, body: { recorded: 2, unknown: [{ index: 2, requestId: "r9", row: 0 }] } },
    });
    const items = [
      { requestId: "r1", value: 3.5 },
      { requestId: "r1", row: 1, value: 4 },
      { requestId: "r9", value: 1 },
    ];
    const r = await runCli(["deployments", "feedback", "flights", "--file", tmpFile("truth.json", JSON.stringify(items))], answer);
    expect(r.code).toBe(0);
    expect(calls(r.requests)).toEqual(["POST /api/v1/deployments/flights/feedback"]);
    expect(r.requests[0]!.json).toEqual(items);
    expect(r.stdout).toBe("flights: 2 recorded, 1 naming no logged prediction (not stored):\n  [2] request r9 row 0\n");
    for (const text of ["{ nope", JSON.stringify({ requestId: "r1", value: 1 })]) {
      const bad = await runCli(["deployments", "feedback", "flights", "--file", tmpFile("bad.json", text)], answer);
      expect(bad.code).toBe(EXIT.usage);
      expect(bad.requests).toEqual([]);
    }
  });

  it("a 409 (the rollout already ended) and a 422 exit 1 with the API's message; an unknown deployment names the list command; unreachable exits 3", async () => {
    const answer = routes({
      "POST /api/v1/deployments/flights/rollback": {
        status: 409,
        body: { error: { code: "conflict", message: "the canary rollout of flights has already ended" } },
      },
      "POST /api/v1/deployments/flights/promote": {
        status: 422,
        body: {
          error: {
            code: "invalid",
            message: "deployment flights is rolling out v4; promote it, or roll it back before promoting v3",
            details: [{ nodeId: null, field: "version", message: "the rollout's challenger is v4" }],
          },
        },
      },
    });
    const conflict = await runCli(["deployments", "rollback", "flights", "--reason", "x"], answer);
    expect(conflict.code).toBe(EXIT.failure);
    expect(conflict.stderr).toBe("error: the canary rollout of flights has already ended\n");
    const invalid = await runCli(["deployments", "promote", "flights", "--version", "3", "--reason", "x"], answer);
    expect(invalid.code).toBe(EXIT.failure);
    expect(invalid.stderr).toBe(
      "error: deployment flights is rolling out v4; promote it, or roll it back before promoting v3\n  version: the rollout's challenger is v4\n",
    );
    const missing = await runCli(
      ["deployments", "show", "nope"],
      routes({ "GET /api/v1/deployments/nope": { status: 404, body: { error: { code: "not_found", message: "deployment nope does not exist" } } } }),
    );
    expect(missing.code).toBe(EXIT.failure);
    expect(missing.stderr).toBe("error: deployment nope does not exist\n  `conveyor deployments list` shows what exists\n");
    const down = await runCli(["deployments", "list"], () => {
      throw new TypeError("fetch failed");
    });
    expect(down.code).toBe(EXIT.server);
    // An answer that does not match the contract is the server's problem.
    const odd = await runCli(["deployments", "list"], routes({ "GET /api/v1/deployments": { status: 200, body: [{ name: "x" }] } }));
    expect(odd.code).toBe(EXIT.server);
    expect(odd.stderr).toContain("the answer to GET /api/v1/deployments is not what this CLI expects");
  });
});

describe("approvals", () => {
  const AID = "5c0e7a9e-2f4b-4d1a-9a53-0d3c2e1b4f60";
  const approval = (over: Record<string, unknown> = {}) => ({
    id: AID,
    status: "pending",
    runId: RID,
    nodeId: "approve",
    modelName: "flights",
    pipeline: { id: PID, name: "flights-daily", version: 4 },
    instructions: "Check the delay report before approving.",
    task: "classification",
    rows: 2000,
    metrics: { accuracy: 0.912, logloss: 0.301, f1: 0.88 },
    champion: {
      version: 3,
      runId: "r-3",
      pipeline: { id: PID, version: 2, nodeId: "train" },
      metrics: { accuracy: 0.89, logloss: 0.35, f1: 0.88 },
      sameRows: true,
    },
    model: { sha256: "abc", manifest: {} },
    modelUrl: `/api/v1/approvals/${AID}/model.onnx`,
    expiresAt: "2026-03-08T11:58:00.000Z",
    decidedBy: null,
    comment: null,
    decidedAt: null,
    createdAt: T,
    ...over,
  });
  const detail = (over: Record<string, unknown> = {}) => ({
    ...approval(),
    championPipeline: { id: PID, version: 2, nodeId: "train" },
    diff: {
      nodes: {
        added: ["explain"],
        removed: ["old-gate"],
        changed: [
          {
            id: "train",
            fields: [
              { field: "config.l2", before: 0.1, after: 0.01 },
              { field: "position.x", before: 1, after: 2 },
            ],
          },
          { id: "split", fields: [{ field: "position.y", before: 1, after: 2 }] },
        ],
      },
      edges: { added: ["train.model → explain.model"], removed: ["evaluate.metrics → old-gate.metrics"] },
      pipeline: [{ field: "description", before: "old", after: "new" }],
      layoutOnly: false,
    },
    ...over,
  });
  const decided = approval({ status: "approved", decidedBy: "user:u1", decidedAt: T, comment: "ok" });

  it("list: pending by default (status=pending in the query), --all every one; who decided and when", async () => {
    const answer = routes({
      "GET /api/v1/approvals": (req) =>
        req.target.includes("status=pending")
          ? { status: 200, body: [approval()] }
          : { status: 200, body: [approval(), { ...decided, id: "a2" }, approval({ id: "a3", status: "expired", decidedAt: T, metrics: {} })] },
    });
    const r = await runCli(["approvals", "list"], answer);
    expect(r.code).toBe(0);
    expect(calls(r.requests)).toEqual(["GET /api/v1/approvals?status=pending"]);
    expect(r.stdout.split("\n")).toEqual([
      "ID                                    STATUS   MODEL    PIPELINE          METRICS                               CREATED        DECISION",
      `${AID}  pending  flights  flights-daily v4  accuracy=0.912 f1=0.88 logloss=0.301  2 minutes ago  expires in 7 days`,
      "",
    ]);
    const all = await runCli(["approvals", "list", "--all"], answer);
    expect(calls(all.requests)).toEqual(["GET /api/v1/approvals"]);
    expect(all.stdout).toMatch(/a2 +approved +flights .* approved by user:u1 2 minutes ago\n/);
    expect(all.stdout).toMatch(/a3 +expired +flights +flights-daily v4 +- +2 minutes ago +expired 2 minutes ago\n/);
    const json = await runCli(["approvals", "list", "--json"], answer);
    expect(JSON.parse(json.stdout)).toEqual([approval()]);
    const empty = await runCli(["approvals", "list"], routes({ "GET /api/v1/approvals": { status: 200, body: [] } }));
    expect(empty.stdout).toBe("no pending approvals (`conveyor approvals list --all` shows decided ones)\n");
  });

  it("show: challenger and champion metrics side by side (better or worse by the metric's direction), the pipeline diff summary", async () => {
    const r = await runCli(["approvals", "show", AID], routes({ [`GET /api/v1/approvals/${AID}`]: { status: 200, body: detail() } }));
    expect(r.code).toBe(0);
    expect(calls(r.requests)).toEqual([`GET /api/v1/approvals/${AID}`]);
    expect(r.stdout.split("\n")).toEqual([
      `approval ${AID}`,
      "status        pending, expires in 7 days",
      "model         flights (classification)",
      `run           ${RID} of flights-daily v4, step approve, asked 2 minutes ago`,
      "instructions  Check the delay report before approving.",
      "",
      "metrics: challenger vs champion v3 (both scored on 2000 rows)",
      "  METRIC    CHALLENGER  CHAMPION v3  CHANGE",
      "  accuracy       0.912         0.89  +0.022 better",
      "  f1              0.88         0.88  0 same",
      "  logloss        0.301         0.35  −0.049 better",
      "",
      "pipeline flights-daily v4 against v2 (the champion's)",
      '  ~ description: "old" → "new"',
      "  + node explain",
      "  - node old-gate",
      "  ~ node train: config.l2 0.1 → 0.01",
      "  + edge train.model → explain.model",
      "  - edge evaluate.metrics → old-gate.metrics",
      "",
      `decide: conveyor approvals approve ${AID} --comment '…'   or: conveyor approvals reject ${AID} --comment '…'`,
      "",
    ]);

    const worse = detail({
      ...decided,
      metrics: { accuracy: 0.85 },
      champion: { ...approval().champion, metrics: { accuracy: 0.89, auc: 0.9 }, sameRows: false },
      diff: {
        nodes: { added: [], removed: [], changed: [{ id: "split", fields: [{ field: "position.y", before: 1, after: 2 }] }] },
        edges: { added: [], removed: [] },
        pipeline: [],
        layoutOnly: true,
      },
    });
    const w = await runCli(["approvals", "show", AID], routes({ [`GET /api/v1/approvals/${AID}`]: { status: 200, body: worse } }));
    expect(w.stdout).toContain("status        approved, approved by user:u1 2 minutes ago\n");
    expect(w.stdout).toContain("comment       ok\n");
    expect(w.stdout).toContain("metrics: challenger vs champion v3 (challenger scored on 2000 rows; the champion's are its registered metrics)\n");
    expect(w.stdout).toContain("  accuracy        0.85         0.89  −0.04 worse\n");
    expect(w.stdout).toContain("  auc                -          0.9  -\n");
    expect(w.stdout).toContain("  only node positions changed\n");
    expect(w.stdout).not.toContain("decide:");

    const first = await runCli(
      ["approvals", "show", AID],
      routes({ [`GET /api/v1/approvals/${AID}`]: { status: 200, body: detail({ champion: null, championPipeline: null, diff: null }) } }),
    );
    expect(first.stdout).toContain("metrics on 2000 rows (no champion to compare with yet)\n  METRIC    CHALLENGER\n  accuracy       0.912\n");
    expect(first.stdout).toContain("pipeline (no champion: no diff)\n");
  });

  it("approve / reject: POST /api/v1/approvals/{id} { decision, comment? }; deciding twice is the API's 409, exit 1 with its message", async () => {
    const answer = routes({ [`POST /api/v1/approvals/${AID}`]: { status: 200, body: decided } });
    const ok = await runCli(["approvals", "approve", AID, "--comment", "ok"], answer);
    expect(ok.code).toBe(0);
    expect(calls(ok.requests)).toEqual([`POST /api/v1/approvals/${AID}`]);
    expect(ok.requests[0]!.json).toEqual({ decision: "approve", comment: "ok" });
    expect(ok.stdout).toBe(`approved ${AID}: flights of run ${RID} (flights-daily v4); the run goes on\nfollow it: conveyor runs logs ${RID}\n`);
    const rejected = await runCli(
      ["approvals", "reject", AID, "--json"],
      routes({ [`POST /api/v1/approvals/${AID}`]: { status: 200, body: approval({ status: "rejected", decidedBy: "user:u1", decidedAt: T, comment: "" }) } }),
    );
    expect(rejected.code).toBe(0);
    expect(rejected.requests[0]!.json).toEqual({ decision: "reject" });
    expect(JSON.parse(rejected.stdout).status).toBe("rejected");

    const twice = await runCli(
      ["approvals", "approve", AID],
      routes({
        [`POST /api/v1/approvals/${AID}`]: {
          status: 409,
          body: { error: { code: "conflict", message: `approval ${AID} was already approved by user:u1 at ${T}` } },
        },
      }),
    );
    expect(twice.code).toBe(EXIT.failure);
    expect(twice.stdout).toBe("");
    expect(twice.stderr).toBe(`error: approval ${AID} was already approved by user:u1 at ${T}\n`);
    const unknown = await runCli(["approvals", "reject", "nope"], answer);
    expect(unknown.code).toBe(EXIT.failure);
    expect(unknown.stderr).toContain("`conveyor approvals list --all` shows what exists");
    expect((await runCli(["approvals", "approve"], answer)).code).toBe(EXIT.usage);
  });
});

describe("output", () => {
  it("colours only on a TTY, never with NO_COLOR or --json", async () => {
    const answer = routes({ "GET /api/v1/pipelines": { status: 200, body: [summary()] } });
    const ESC = "\u001b[";
    expect((await runCli(["pipelines", "list"], answer, { tty: true })).stdout).toContain(ESC);
    expect((await runCli(["pipelines", "list"], answer, { tty: false })).stdout).not.toContain(ESC);
    expect((await runCli(["pipelines", "list"], answer, { tty: true, env: { NO_COLOR: "1" } })).stdout).not.toContain(ESC);
    expect((await runCli(["pipelines", "list", "--json"], answer, { tty: true })).stdout).not.toContain(ESC);
  });
});
