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
