/**
 * The serving HTTP server end to end over real sockets and real
 * onnxruntime-node sessions, with an in-memory model source instead of
 * PostgreSQL (the database path is covered by server.int.test.ts).
 */
import crypto from "node:crypto";
import http from "node:http";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import type { ServedDeployment, ServingStatsRow } from "../../db/queries/deployments";
import { createServingServer, type ServingServer, type ServingSource } from "./server";
import { singleRoute } from "./source";
import { createLogger, silentLogger } from "../../infra/log";
import { trainLinear } from "../../workflows/ml/linear/train-linear";
import type { Frame } from "../../workflows/ml/types";
import { classifierTestModel, linearTestExpected, linearTestModel, type TestModel } from "../../testing/models";

class MemorySource implements ServingSource {
  readonly deployments = new Map<
    string,
    { model: string; alias: number; routes?: Array<{ version: number; weight: number; mode: "live" | "shadow" }>; config?: ServedDeployment["config"] }
  >();
  readonly versions = new Map<string, Map<number, { uri: string; sha256: string; model: TestModel }>>();
  readonly blobs = new Map<string, Uint8Array>();
  readonly reads = new Map<string, number>();
  readonly resolves: string[] = [];
  healthy = true;
  readDelayMs = 20;
  private listeners: Array<(name: string) => void> = [];

  addVersion(model: string, version: number, m: TestModel, bytes: Uint8Array = m.onnx): void {
    const sha256 = crypto.createHash("sha256").update(bytes).digest("hex");
    const uri = `mem://${model}/${version}/${sha256}`;
    this.blobs.set(uri, bytes);
    if (!this.versions.has(model)) this.versions.set(model, new Map());
    this.versions.get(model)!.set(version, { uri, sha256, model: m });
  }

  private served(name: string, model: string, version: number) {
    const v = this.versions.get(model)?.get(version);
    return v ? { name, modelName: model, version, artifactUri: v.uri, sha256: v.sha256, manifest: v.model.manifest } : null;
  }

  async resolve(name: string, version?: number): Promise<ServedDeployment | null> {
    this.resolves.push(name);
    const d = this.deployments.get(name);
    if (!d) return null;
    if (version !== undefined) return singleRoute(this.served(name, d.model, version));
    const routes = (d.routes ?? [{ version: d.alias, weight: 100, mode: "live" as const }]).flatMap((r) => {
      const served = this.served(name, d.model, r.version);
      return served ? [{ served, weight: r.weight, mode: r.mode }] : [];
    });
    return routes.length ? { name, modelName: d.model, routes, config: d.config ?? {} } : null;
  }

  async readArtifact(uri: string): Promise<Uint8Array> {
    this.reads.set(uri, (this.reads.get(uri) ?? 0) + 1);
    await new Promise((r) => setTimeout(r, this.readDelayMs));
    const b = this.blobs.get(uri);
    if (!b) throw new Error(`no artifact ${uri}`);
    return b;
  }

  async ping(): Promise<void> {
    if (!this.healthy) throw new Error("connection refused");
  }

  async listDeployments(): Promise<string[]> {
    return [...this.deployments.keys()];
  }

  async subscribe(onChange: (name: string) => void, onReset: () => void) {
    this.listeners.push(onChange);
    onReset();
    return { unlisten: async () => void (this.listeners = this.listeners.filter((l) => l !== onChange)) };
  }

  readonly stats: ServingStatsRow[] = [];
  async recordStats(rows: ServingStatsRow[]): Promise<void> {
    this.stats.push(...rows);
  }

  notify(name: string): void {
    for (const l of this.listeners) l(name);
  }
}

const source = new MemorySource();
let serving: ServingServer;
let base: string;

beforeAll(async () => {
  source.addVersion("lin", 1, linearTestModel({ weight: 2 }));
  source.addVersion("lin", 2, linearTestModel({ weight: 3, bias: 1 }));
  source.addVersion("cls", 1, classifierTestModel());
  source.addVersion("broken", 1, linearTestModel(), new TextEncoder().encode("not an onnx file"));
  source.deployments.set("lin", { model: "lin", alias: 1 });
  source.deployments.set("cls", { model: "cls", alias: 1 });
  source.deployments.set("broken", { model: "broken", alias: 1 });
  serving = createServingServer({ source, logger: silentLogger(), releaseGraceMs: 0 });
  base = (await serving.listen(0)).url;
});

afterAll(async () => {
  await serving?.close();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json, headers: res.headers };
}

/** A raw node:http request (for bodies fetch would not send as-is). */
function raw(path: string, opts: { headers?: http.OutgoingHttpHeaders; chunks: Buffer[] }): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const url = new URL(base + path);
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: opts.headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(parts).toString() || "null") }));
    });
    req.on("error", (e) => reject(e));
    (async () => {
      for (const c of opts.chunks) {
        if (req.destroyed) return;
        if (!req.write(c)) await new Promise((r) => req.once("drain", r));
      }
      req.end();
    })().catch(() => {});
  });
}

const linInfer = (x: unknown[], s: unknown[], extra: Record<string, unknown> = {}) => ({
  inputs: [
    { name: "x", shape: [x.length, 1], datatype: "FP32", data: x },
    { name: "s", shape: [s.length, 1], datatype: "BYTES", data: s },
  ],
  ...extra,
});

describe("routes", () => {
  /** What version v of lin answers for x = [1, 0], called directly. */
  const direct = async (v: number) =>
    (
      await call("POST", `/v1/predict/lin/versions/${v}`, {
        instances: [
          { x: 1, s: "a" },
          { x: 0, s: "a" },
        ],
      })
    ).json.predictions.map((p: { prediction: number }) => p.prediction) as number[];

  it("splits live traffic by weight, answers with the version that answered, and counts each version", async () => {
    const byVersion: Record<string, number> = { "1": (await direct(1))[0]!, "2": (await direct(2))[0]! };
    expect(byVersion["1"]).not.toBe(byVersion["2"]);
    source.deployments.set("canary", {
      model: "lin",
      alias: 1,
      routes: [
        { version: 1, weight: 50 },
        { version: 2, weight: 50 },
      ].map((r) => ({ ...r, mode: "live" as const })),
    });
    const seen = new Map<string, number>();
    for (let i = 0; i < 60; i++) {
      const { status, json } = await call("POST", "/v2/models/canary/infer", linInfer([1], ["a"]));
      expect(status).toBe(200);
      expect(json.outputs[0].data[0]).toBe(byVersion[json.model_version]);
      seen.set(json.model_version, (seen.get(json.model_version) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual(["1", "2"]);
    const meta = await call("GET", "/v2/models/canary");
    expect(meta.json.parameters.routes).toEqual([
      { version: 1, weight: 50, mode: "live" },
      { version: 2, weight: 50, mode: "live" },
    ]);
    await serving.stats.flush();
    const counted = source.stats.filter((r) => r.deployment === "canary");
    expect(counted.reduce((a, r) => a + r.requests, 0)).toBe(60);
    expect(counted.find((r) => r.version === 2)!.requests).toBe(seen.get("2"));
  });

  it("A/B: one sticky key always reaches one version", async () => {
    source.deployments.set("ab", {
      model: "lin",
      alias: 1,
      routes: [
        { version: 1, weight: 50, mode: "live" },
        { version: 2, weight: 50, mode: "live" },
      ],
      config: { sticky: { parameter: "customer" } },
    });
    const versions = new Set<string>();
    for (const customer of ["c1", "c2", "c3", "c4", "c5", "c6"]) {
      const answers = new Set<string>();
      for (let i = 0; i < 4; i++)
        answers.add((await call("POST", "/v2/models/ab/infer", linInfer([1], ["a"], { parameters: { customer } }))).json.model_version);
      expect(answers.size).toBe(1);
      versions.add([...answers][0]!);
    }
    expect(versions.size).toBe(2);
  });

  it("A/B by an input column: a key reaches one version whether it comes as JSON, /v1/predict or binary tensor data", async () => {
    const routes = [
      { version: 1, weight: 50, mode: "live" as const },
      { version: 2, weight: 50, mode: "live" as const },
    ];
    source.deployments.set("ab-s", { model: "lin", alias: 1, routes, config: { sticky: { column: "s" } } });
    source.deployments.set("ab-x", { model: "lin", alias: 1, routes, config: { sticky: { column: "x" } } });
    /** The versions that answer row (x, s) first, by each encoding. */
    const answers = async (name: string, x: number, s: string) => {
      const binaryInputs = [
        { name: "x", shape: [2, 1], datatype: "FP32", parameters: { binary_data_size: 8 } },
        { name: "s", shape: [2, 1], datatype: "BYTES", parameters: { binary_data_size: bytesTensor([s, "z"]).length } },
      ];
      const binary = await binaryCall(`/v2/models/${name}/infer`, { inputs: binaryInputs }, [
        Buffer.from(Float32Array.from([x, 0]).buffer),
        bytesTensor([s, "z"]),
      ]);
      const json = await call("POST", `/v2/models/${name}/infer`, linInfer([x, 0], [s, "z"]));
      const predict = await call("POST", `/v1/predict/${name}`, {
        instances: [
          { x, s },
          { x: 0, s: "z" },
        ],
      });
      for (const r of [binary, json, predict]) expect(r.status).toBe(200);
      return new Set([binary.json.model_version, json.json.model_version, String(predict.json.model_version)]);
    };
    const versions = { s: new Set<string>(), x: new Set<string>() };
    for (const [i, key] of ["a", "b", "c", "d", "e", "f", "g", "h", "ünï", ""].entries()) {
      const byKey = await answers("ab-s", i, key);
      expect(byKey.size, `key ${JSON.stringify(key)}`).toBe(1);
      versions.s.add([...byKey][0]);
    }
    // FP32 keys: a JSON 6.1 and its float32 bytes (6.099999904…) are one key.
    for (const key of [1, 2, 3, 4, 5, 6.1, -2.5, 1e-3, 123.456, 99999]) {
      const byKey = await answers("ab-x", key, "a");
      expect(byKey.size, `key ${key}`).toBe(1);
      versions.x.add([...byKey][0]);
    }
    expect(versions.s.size).toBe(2);
    expect(versions.x.size).toBe(2);
    // The named column missing: the 400 it always was.
    const missing = await binaryCall(
      "/v2/models/ab-s/infer",
      { inputs: [{ name: "x", shape: [1, 1], datatype: "FP32", parameters: { binary_data_size: 4 } }] },
      [Buffer.from(Float32Array.from([1]).buffer)],
    );
    expect(missing).toMatchObject({ status: 400, json: { field: "inputs", error: expect.stringContaining('missing input "s"') } });
  });

  it("shadow: gets a copy of every request, never answers, and its agreement is counted", async () => {
    source.deployments.set("shadowed", {
      model: "lin",
      alias: 1,
      routes: [
        { version: 1, weight: 100, mode: "live" },
        { version: 2, weight: 0, mode: "shadow" },
      ],
    });
    const [live, shadowAnswers] = [await direct(1), await direct(2)];
    const agreeing = live.filter((p, i) => Math.abs(p - shadowAnswers[i]!) <= 0.05 * Math.max(Math.abs(p), Math.abs(shadowAnswers[i]!))).length;
    for (let i = 0; i < 10; i++) {
      const { json } = await call("POST", "/v1/predict/shadowed", {
        instances: [
          { x: 1, s: "a" },
          { x: 0, s: "a" },
        ],
      });
      expect(json.model_version).toBe(1);
      expect(json.predictions.map((p: { prediction: number }) => p.prediction)).toEqual(live);
    }
    await new Promise((r) => setTimeout(r, 50));
    await serving.stats.flush();
    const shadow = source.stats.filter((r) => r.deployment === "shadowed" && r.mode === "shadow");
    expect(shadow.reduce((a, r) => a + r.requests, 0)).toBe(10);
    expect(shadow.reduce((a, r) => a + r.compared, 0)).toBe(20);
    expect(shadow.reduce((a, r) => a + r.agreed, 0)).toBe(10 * agreeing);
    expect(source.stats.filter((r) => r.deployment === "shadowed" && r.mode === "live").reduce((a, r) => a + r.requests, 0)).toBe(10);
  });

  it("a live route whose version cannot be loaded answers 503, counted against that version", async () => {
    source.addVersion("lin", 7, linearTestModel(), new TextEncoder().encode("not onnx"));
    source.deployments.set("bad-canary", {
      model: "lin",
      alias: 1,
      routes: [
        { version: 1, weight: 50, mode: "live" },
        { version: 7, weight: 50, mode: "live" },
      ],
    });
    const codes = new Map<number, number>();
    for (let i = 0; i < 40; i++) {
      const { status } = await call("POST", "/v2/models/bad-canary/infer", linInfer([1], ["a"]));
      codes.set(status, (codes.get(status) ?? 0) + 1);
    }
    expect([...codes.keys()].sort()).toEqual([200, 503]);
    await serving.stats.flush();
    const v7 = source.stats.filter((r) => r.deployment === "bad-canary" && r.version === 7);
    expect(v7.reduce((a, r) => a + r.errors, 0)).toBe(codes.get(503));
  });
});

describe("health and metadata", () => {
  it("is live, and ready while its database answers", async () => {
    expect(await call("GET", "/v2/health/live")).toMatchObject({ status: 200, json: { live: true } });
    expect(await call("GET", "/v2/health/ready")).toMatchObject({ status: 200, json: { ready: true } });
    source.healthy = false;
    try {
      expect(await call("GET", "/v2/health/ready")).toMatchObject({
        status: 503,
        json: { ready: false, error: expect.stringContaining("connection refused") },
      });
    } finally {
      source.healthy = true;
    }
  });

  it("describes the server", async () => {
    expect(await call("GET", "/v2")).toMatchObject({ status: 200, json: { name: "conveyor-serving", extensions: ["binary_tensor_data"] } });
  });

  it("describes a model with exactly its manifest's inputs and outputs", async () => {
    const { status, json } = await call("GET", "/v2/models/lin");
    expect(status).toBe(200);
    const m = linearTestModel().manifest;
    expect(json).toMatchObject({ name: "lin", versions: ["1"], platform: "onnxruntime", inputs: m.inputs, outputs: m.outputs });
    expect((await call("GET", "/v2/models/lin/versions/2")).json.versions).toEqual(["2"]);
    expect((await call("GET", "/v2/models/cls")).json.parameters).toMatchObject({ task: "classification", classes: ["yes", "no"] });
  });

  it("reports model readiness", async () => {
    expect(await call("GET", "/v2/models/lin/ready")).toMatchObject({ status: 200, json: { name: "lin", ready: true, version: "1" } });
    expect((await call("GET", "/v2/models/nope/ready")).status).toBe(404);
  });
});

describe("inference", () => {
  it("OIP v2 infer computes the model (missing values imputed) and echoes the id", async () => {
    const { status, json } = await call("POST", "/v2/models/lin/infer", linInfer([1, null, 3.25, -7], ["a", "b", null, "a"], { id: "req-1" }));
    expect(status).toBe(200);
    expect(json).toMatchObject({ model_name: "lin", model_version: "1", id: "req-1" });
    expect(json.outputs).toHaveLength(1);
    expect(json.outputs[0]).toMatchObject({ name: "prediction", datatype: "FP32", shape: [4, 1] });
    expect(json.outputs[0].data).toEqual([
      linearTestExpected(1, "a"),
      linearTestExpected(null, "b"),
      linearTestExpected(3.25, null),
      linearTestExpected(-7, "a"),
    ]);
  });

  it("generates a request id when none is given", async () => {
    const { json } = await call("POST", "/v2/models/lin/infer", linInfer([1], ["a"]));
    expect(json.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("serves an explicit version", async () => {
    const { json } = await call("POST", "/v2/models/lin/versions/2/infer", linInfer([2], ["b"]));
    expect(json.model_version).toBe("2");
    expect(json.outputs[0].data).toEqual([linearTestExpected(2, "b", { weight: 3, bias: 1 })]);
  });

  it("honours an outputs filter", async () => {
    const body = { inputs: [{ name: "x", shape: [1, 1], datatype: "FP32", data: [2] }], outputs: [{ name: "label" }] };
    const { json } = await call("POST", "/v2/models/cls/infer", body);
    expect(json.outputs).toEqual([{ name: "label", datatype: "BYTES", shape: [1, 1], data: ["yes"] }]);
    const all = await call("POST", "/v2/models/cls/infer", { inputs: body.inputs });
    expect(all.json.outputs.map((o: { name: string }) => o.name)).toEqual(["label", "probabilities"]);
  });

  it("v1 predict: { prediction } per row for regression", async () => {
    const { status, json } = await call("POST", "/v1/predict/lin", {
      instances: [
        { x: 1, s: "a" },
        { x: 0.5, s: "z" },
      ],
    });
    expect(status).toBe(200);
    expect(json).toEqual({
      model_name: "lin",
      model_version: 1,
      request_id: expect.any(String),
      predictions: [{ prediction: linearTestExpected(1, "a") }, { prediction: linearTestExpected(0.5, "z") }],
    });
    // The answer names its request id (what feedback is keyed by): the x-request-id, the client's when it sent one.
    const mine = await fetch(`${base}/v1/predict/lin`, {
      method: "POST",
      headers: { "x-request-id": "order-7" },
      body: JSON.stringify({ instances: [{ x: 1, s: "a" }] }),
    });
    expect(mine.headers.get("x-request-id")).toBe("order-7");
    expect(((await mine.json()) as { request_id: string }).request_id).toBe("order-7");
  });

  it("v1 predict: { label, probabilities: {class: p} } for classification", async () => {
    const { json } = await call("POST", "/v1/predict/cls", { instances: [{ x: 1 }, { x: -2 }] });
    expect(json.predictions).toHaveLength(2);
    const [a, b] = json.predictions;
    expect(a.label).toBe("yes");
    expect(b.label).toBe("no");
    expect(a.probabilities.yes).toBeCloseTo(1 / (1 + Math.exp(-2)), 5);
    expect(a.probabilities.yes + a.probabilities.no).toBeCloseTo(1, 5);
    expect(b.probabilities.no).toBeCloseTo(1 / (1 + Math.exp(-4)), 5);
  });
});

describe("errors", () => {
  it("404 for an unknown model or version, 405 for a wrong method, 404 for an unknown path", async () => {
    expect(await call("POST", "/v2/models/nope/infer", linInfer([1], ["a"]))).toMatchObject({ status: 404, json: { error: 'model "nope" is not deployed' } });
    expect(await call("GET", "/v2/models/lin/versions/9")).toMatchObject({ status: 404, json: { error: 'model "lin" has no version 9' } });
    expect(await call("POST", "/v1/predict/nope", { instances: [{}] })).toMatchObject({ status: 404 });
    const wrong = await call("GET", "/v2/models/lin/infer");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("POST");
    expect((await call("GET", "/nope")).status).toBe(404);
    expect((await call("GET", "/v2/models/lin/versions/x")).json).toMatchObject({ field: "version" });
  });

  it("400 naming the problem for bad bodies", async () => {
    expect(await call("POST", "/v2/models/lin/infer", "{not json")).toMatchObject({
      status: 400,
      json: { field: "body", error: expect.stringContaining("not valid JSON") },
    });
    expect(await call("POST", "/v2/models/lin/infer", "")).toMatchObject({ status: 400, json: { field: "body" } });
    expect(await call("POST", "/v2/models/lin/infer", linInfer([1], [2]))).toMatchObject({ status: 400, json: { field: "inputs[1].data[0]" } });
    expect(await call("POST", "/v1/predict/lin", { instances: [{ x: 1 }] })).toMatchObject({
      status: 400,
      json: { error: 'instances[0]: missing column "s"', field: "instances[0].s" },
    });
    expect(await call("POST", "/v1/predict/lin", { instances: [] })).toMatchObject({ status: 400, json: { field: "instances" } });
  });

  it("413 for a body over 10 MB, declared or streamed", async () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 10, 0x20);
    const declared = await raw("/v2/models/lin/infer", { headers: { "content-length": big.length }, chunks: [big] });
    expect(declared).toMatchObject({ status: 413, json: { field: "body", error: expect.stringContaining("larger than") } });
    const chunks = Array.from({ length: 11 }, () => Buffer.alloc(1024 * 1024, 0x20));
    const streamed = await raw("/v2/models/lin/infer", { headers: { "transfer-encoding": "chunked" }, chunks });
    expect(streamed.status).toBe(413);
    expect((await call("GET", "/v2/health/live")).status).toBe(200);
  });

  it("503 for a model whose artifact is not a valid ONNX file; other models unaffected", async () => {
    const r = await call("POST", "/v2/models/broken/infer", linInfer([1], ["a"]));
    expect(r.status).toBe(503);
    expect(r.json.error).toMatch(/could not be loaded/);
    expect((await call("GET", "/v2/models/broken/ready")).json).toMatchObject({ ready: false });
    expect((await call("POST", "/v2/models/lin/infer", linInfer([1], ["a"]))).status).toBe(200);
  });
});

describe("model lifecycle", () => {
  it("concurrent first requests share one load", async () => {
    source.addVersion("fresh", 1, linearTestModel({ weight: 5 }));
    source.deployments.set("fresh", { model: "fresh", alias: 1 });
    const uri = source.versions.get("fresh")!.get(1)!.uri;
    const before = source.resolves.filter((n) => n === "fresh").length;
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => call("POST", "/v2/models/fresh/infer", linInfer([i], ["b"]))));
    expect(results.map((r) => r.status)).toEqual(Array(25).fill(200));
    results.forEach((r, i) => expect(r.json.outputs[0].data).toEqual([linearTestExpected(i, "b", { weight: 5 })]));
    expect(source.reads.get(uri)).toBe(1);
    expect(source.resolves.filter((n) => n === "fresh").length - before).toBe(1);
  });

  it("a warm request does not consult the source", async () => {
    await call("POST", "/v2/models/lin/infer", linInfer([1], ["a"]));
    const before = source.resolves.length;
    for (let i = 0; i < 5; i++) await call("POST", "/v2/models/lin/infer", linInfer([1], ["a"]));
    await call("GET", "/v2/models/lin");
    expect(source.resolves.length).toBe(before);
  });

  it("a change notification switches the served version and releases the old session", async () => {
    source.addVersion("hot", 1, linearTestModel({ weight: 1 }));
    source.addVersion("hot", 2, linearTestModel({ weight: 10 }));
    // The deployment is named differently from its model: moveAlias notifies the model name.
    source.deployments.set("hot-endpoint", { model: "hot", alias: 1 });
    const v1 = await call("POST", "/v1/predict/hot-endpoint", { instances: [{ x: 1, s: "b" }] });
    expect(v1.json).toMatchObject({ model_version: 1, predictions: [{ prediction: 1 }] });
    const loaded = serving.registry.loadedSessions();

    source.deployments.set("hot-endpoint", { model: "hot", alias: 2 });
    // Nothing changes until the registry says so (no DB query per request).
    expect((await call("GET", "/v2/models/hot-endpoint")).json.versions).toEqual(["1"]);
    source.notify("hot");
    let meta: any;
    for (let i = 0; i < 100; i++) {
      meta = (await call("GET", "/v2/models/hot-endpoint")).json;
      if (meta.versions[0] === "2") break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(meta.versions).toEqual(["2"]);
    const v2 = await call("POST", "/v1/predict/hot-endpoint", { instances: [{ x: 1, s: "b" }] });
    expect(v2.json).toMatchObject({ model_version: 2, predictions: [{ prediction: 10 }] });

    // v1 is released once nothing resolves to it (grace period 0 here).
    await serving.registry.sweep(Date.now());
    await serving.registry.sweep(Date.now() + 1);
    expect(serving.registry.loadedSessions()).toBe(loaded);
    // Still answering after the release.
    expect((await call("POST", "/v1/predict/hot-endpoint", { instances: [{ x: 2, s: "a" }] })).json.predictions).toEqual([{ prediction: 21 }]);
  });

  it("a notification for a new deployment name makes it servable", async () => {
    expect((await call("GET", "/v2/models/late")).status).toBe(404);
    source.addVersion("late", 1, linearTestModel());
    source.deployments.set("late", { model: "late", alias: 1 });
    expect((await call("GET", "/v2/models/late")).status).toBe(404); // negative result cached
    source.notify("late");
    await new Promise((r) => setTimeout(r, 50));
    expect((await call("GET", "/v2/models/late")).status).toBe(200);
  });
});

describe("models exported by train.linear (the real exporter)", () => {
  // A small synthetic frame: y ≈ 3x + (color == "red" ? 2 : 0); cls = y > 4.
  const n = 60;
  const xs = Array.from({ length: n }, (_, i) => (i % 13) * 0.7 - 1);
  const colors = Array.from({ length: n }, (_, i) => ["red", "green", "blue"][i % 3]!);
  const ys = xs.map((x, i) => 3 * x + (colors[i] === "red" ? 2 : 0) + ((i * 7) % 5) * 0.01);
  const frame: Frame = {
    rows: n,
    columns: [
      { name: "x", kind: "number", values: Float64Array.from(xs) },
      { name: "color", kind: "string", values: colors },
      { name: "y", kind: "number", values: Float64Array.from(ys) },
      { name: "cls", kind: "string", values: ys.map((y) => (y > 4 ? "high" : "low")) },
    ],
  };
  const probe: Frame = {
    rows: 3,
    columns: [
      { name: "x", kind: "number", values: Float64Array.from([0.5, NaN, 4]) },
      { name: "color", kind: "string", values: ["red", null, "purple"] },
    ],
  };
  const instances = [
    { x: 0.5, color: "red" },
    { x: null, color: null },
    { x: 4, color: "purple" },
  ];
  const asTestModel = (m: ReturnType<typeof trainLinear>): TestModel => ({
    onnx: m.onnx,
    manifest: { ...linearTestModel().manifest, task: m.task, target: m.target, inputs: m.inputs, outputs: m.outputs, classes: m.classes },
  });

  it("regression: { prediction } equal to the TypeScript model", async () => {
    const m = trainLinear(frame, { task: "regression", target: "y", features: ["x", "color"] });
    source.addVersion("trained-reg", 1, asTestModel(m));
    source.deployments.set("trained-reg", { model: "trained-reg", alias: 1 });
    const { status, json } = await call("POST", "/v1/predict/trained-reg", { instances });
    expect(status).toBe(200);
    const want = m.predict(probe);
    if (want.task !== "regression") throw new Error("expected regression");
    json.predictions.forEach((p: { prediction: number }, i: number) => expect(p.prediction).toBeCloseTo(want.prediction[i]!, 4));
    const meta = await call("GET", "/v2/models/trained-reg");
    expect(meta.json.inputs).toEqual(m.inputs);
    expect(meta.json.outputs).toEqual(m.outputs);
  });

  it("classification: { label, probabilities: {class: p} } equal to the TypeScript model", async () => {
    const m = trainLinear(frame, { task: "classification", target: "cls", features: ["x", "color"] });
    source.addVersion("trained-cls", 1, asTestModel(m));
    source.deployments.set("trained-cls", { model: "trained-cls", alias: 1 });
    const { status, json } = await call("POST", "/v1/predict/trained-cls", { instances });
    expect(status).toBe(200);
    const want = m.predict(probe);
    if (want.task !== "classification") throw new Error("expected classification");
    expect(json.predictions.map((p: { label: string }) => p.label)).toEqual(want.label);
    json.predictions.forEach((p: { probabilities: Record<string, number> }, i: number) => {
      expect(Object.keys(p.probabilities)).toEqual(m.classes);
      m.classes!.forEach((c, k) => expect(p.probabilities[c]).toBeCloseTo(want.probabilities[k]![i]!, 5));
    });
    const v2 = await call("POST", "/v2/models/trained-cls/infer", {
      inputs: [
        { name: "x", shape: [1, 1], datatype: "FP32", data: [4] },
        { name: "color", shape: [1, 1], datatype: "BYTES", data: ["red"] },
      ],
    });
    expect(v2.json.outputs.map((o: { name: string; shape: number[] }) => [o.name, o.shape])).toEqual([
      ["label", [1]],
      ["probabilities", [1, 2]],
    ]);
  });
});

/** BYTES elements as the binary extension lays them out. */
function bytesTensor(values: string[]): Buffer {
  return Buffer.concat(
    values.flatMap((v) => {
      const b = Buffer.from(v, "utf8");
      const len = Buffer.alloc(4);
      len.writeUInt32LE(b.length);
      return [len, b];
    }),
  );
}

async function binaryCall(path: string, json: unknown, chunks: Buffer[], headers: Record<string, string> = {}) {
  const head = Buffer.from(JSON.stringify(json));
  const res = await fetch(base + path, {
    method: "POST",
    headers: { "inference-header-content-length": String(head.length), "content-type": "application/octet-stream", ...headers },
    body: new Uint8Array(Buffer.concat([head, ...chunks])),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  const n = res.headers.get("inference-header-content-length");
  const answer = JSON.parse(bytes.subarray(0, n === null ? bytes.length : Number(n)).toString());
  return { status: res.status, headers: res.headers, json: answer, binary: n === null ? undefined : bytes.subarray(Number(n)) };
}

describe("binary tensor data (OIP extension)", () => {
  const xs = [1, -2.5, 0.1];
  const ss = ["a", "b", "ünï"];
  const x = Buffer.from(Float32Array.from(xs).buffer);
  const s = bytesTensor(ss);
  const inputs = [
    { name: "x", shape: [3, 1], datatype: "FP32", parameters: { binary_data_size: x.length } },
    { name: "s", shape: [3, 1], datatype: "BYTES", parameters: { binary_data_size: s.length } },
  ];

  it("takes binary inputs and answers JSON outputs equal to the JSON API's", async () => {
    const viaJson = await call("POST", "/v2/models/lin/infer", linInfer(xs, ss));
    const r = await binaryCall("/v2/models/lin/infer", { id: "b1", inputs }, [x, s]);
    expect(r.status).toBe(200);
    expect(r.binary).toBeUndefined();
    expect(r.json).toEqual({ ...viaJson.json, id: "b1" });
  });

  it("answers binary outputs when asked, per output or for all, with the JSON's length in the header", async () => {
    const viaJson = await call("POST", "/v2/models/cls/infer", { inputs: [{ name: "x", shape: [3, 1], datatype: "FP32", data: xs }] });
    const want = Object.fromEntries(viaJson.json.outputs.map((o: { name: string; data: unknown[] }) => [o.name, o.data]));
    const all = await binaryCall("/v2/models/cls/infer", { inputs: [inputs[0]], parameters: { binary_data_output: true } }, [x]);
    expect(all.status).toBe(200);
    expect(all.headers.get("content-type")).toBe("application/octet-stream");
    expect(all.json.outputs).toEqual([
      { name: "label", datatype: "BYTES", shape: [3, 1], parameters: { binary_data_size: bytesTensor(want.label).length } },
      { name: "probabilities", datatype: "FP32", shape: [3, 2], parameters: { binary_data_size: 24 } },
    ]);
    const labelBytes = bytesTensor(want.label).length;
    expect(all.binary!.subarray(0, labelBytes)).toEqual(bytesTensor(want.label));
    const probs = all.binary!.subarray(labelBytes);
    expect(Array.from(new Float32Array(probs.buffer.slice(probs.byteOffset, probs.byteOffset + probs.length)))).toEqual(want.probabilities);

    // One output in binary, the other in JSON; a plain JSON request may ask for binary outputs too.
    const res = await fetch(`${base}/v2/models/cls/infer`, {
      method: "POST",
      body: JSON.stringify({
        inputs: [{ name: "x", shape: [3, 1], datatype: "FP32", data: xs }],
        outputs: [{ name: "label" }, { name: "probabilities", parameters: { binary_data: true } }],
      }),
    });
    const n = Number(res.headers.get("inference-header-content-length"));
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(JSON.parse(bytes.subarray(0, n).toString()).outputs).toEqual([
      { name: "label", datatype: "BYTES", shape: [3, 1], data: want.label },
      { name: "probabilities", datatype: "FP32", shape: [3, 2], parameters: { binary_data_size: 24 } },
    ]);
    expect(bytes.length - n).toBe(24);
  });

  it("a shadow with other inputs reads the binary data again from its start", async () => {
    // Version 3 of "lin" declares its inputs as (s, x): the shadow parses the request (binary x, s) again for its own order.
    source.addVersion("lin", 3, linearTestModel({ weight: 2, sFirst: true }));
    source.deployments.set("shadowed-binary", {
      model: "lin",
      alias: 1,
      routes: [
        { version: 1, weight: 100, mode: "live" },
        { version: 3, weight: 0, mode: "shadow" },
      ],
    });
    const r = await binaryCall("/v2/models/shadowed-binary/infer", { inputs }, [x, s]);
    expect(r.status).toBe(200);
    expect(r.json.outputs[0].data).toEqual(xs.map((v, i) => linearTestExpected(v, ss[i]!)));
    // The shadow runs after the answer: wait for its figures (bounded).
    const shadowRows = () => source.stats.filter((row) => row.deployment === "shadowed-binary" && row.mode === "shadow");
    for (let i = 0; i < 200 && shadowRows().length === 0; i++) {
      await new Promise((res) => setTimeout(res, 25));
      await serving.stats.flush();
    }
    const shadow = shadowRows();
    expect(shadow.reduce((a, row) => a + row.requests, 0)).toBe(1);
    expect(shadow.reduce((a, row) => a + row.errors, 0)).toBe(0);
    // The same model, so every row agrees.
    expect(shadow.reduce((a, row) => a + row.agreed, 0)).toBe(3);
  });

  it("400 naming the field for a binary_data_size past the end of the body", async () => {
    const bad = [inputs[0], { ...inputs[1], parameters: { binary_data_size: s.length + 10 } }];
    const r = await binaryCall("/v2/models/lin/infer", { inputs: bad }, [x, s]);
    expect(r.status).toBe(400);
    expect(r.json).toEqual({
      field: "inputs[1].parameters.binary_data_size",
      error: `inputs[1].parameters.binary_data_size of input "s" is ${s.length + 10} bytes, but only ${s.length} bytes of binary data are left after the inputs before it`,
    });
    const predict = await binaryCall("/v1/predict/lin", { instances: [] }, []);
    expect(predict).toMatchObject({ status: 400, json: { field: "Inference-Header-Content-Length" } });
  });
});

describe("compressed request bodies", () => {
  const json = Buffer.from(JSON.stringify(linInfer([2, 3], ["a", "b"])));
  const post = (body: Buffer, encoding: string) =>
    fetch(`${base}/v2/models/lin/infer`, { method: "POST", headers: { "content-encoding": encoding }, body: new Uint8Array(body) }).then(async (r) => ({
      status: r.status,
      json: await r.json(),
    }));

  it("accepts gzip and deflate (zlib or raw), and identity", async () => {
    const want = (await call("POST", "/v2/models/lin/infer", linInfer([2, 3], ["a", "b"]))).json.outputs;
    for (const [body, encoding] of [
      [zlib.gzipSync(json), "gzip"],
      [zlib.deflateSync(json), "deflate"],
      [zlib.deflateRawSync(json), "deflate"],
      [json, "identity"],
      [zlib.gzipSync(zlib.deflateSync(json)), "deflate, gzip"],
    ] as const) {
      const r = await post(body, encoding);
      expect([encoding, r.status]).toEqual([encoding, 200]);
      expect(r.json.outputs).toEqual(want);
    }
    // With binary tensor data inside.
    const x = Buffer.from(Float32Array.of(2, 3).buffer);
    const s = bytesTensor(["a", "b"]);
    const head = Buffer.from(
      JSON.stringify({
        inputs: [
          { name: "x", shape: [2, 1], datatype: "FP32", parameters: { binary_data_size: 8 } },
          { name: "s", shape: [2, 1], datatype: "BYTES", parameters: { binary_data_size: s.length } },
        ],
      }),
    );
    const res = await fetch(`${base}/v2/models/lin/infer`, {
      method: "POST",
      headers: { "content-encoding": "gzip", "inference-header-content-length": String(head.length) },
      body: new Uint8Array(zlib.gzipSync(Buffer.concat([head, x, s]))),
    });
    expect(((await res.json()) as { outputs: unknown }).outputs).toEqual(want);
  });

  it("413 when the body is over the limit once decompressed (a zip bomb), 415 for an unknown encoding, 400 for corrupt data", async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(11 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(await post(bomb, "gzip")).toEqual({
      status: 413,
      json: { field: "body", error: "the request body is larger than the limit of 10485760 bytes once decompressed (gzip)" },
    });
    expect(await post(json, "br")).toEqual({
      status: 415,
      json: { field: "content-encoding", error: 'Content-Encoding "br" is not supported; send gzip, deflate or identity' },
    });
    expect(await post(json, "gzip")).toMatchObject({ status: 400, json: { field: "body", error: expect.stringContaining("not valid gzip data") } });
    expect((await call("GET", "/v2/health/live")).status).toBe(200);
  });
});

describe("dynamic batching over HTTP", () => {
  it("concurrent requests run as one batch when it fills, each answered with its own rows", async () => {
    // A batch of 6 rows, and a delay long enough that only a full batch runs: the 6 rows must run together.
    const s = createServingServer({ source, logger: silentLogger(), batching: { maxBatchSize: 6, maxDelayMs: 600_000 } });
    const { url } = await s.listen(0);
    try {
      const bodies = [linInfer([1], ["a"]), linInfer([2, 3], ["b", "a"]), linInfer([4, 5, 6], ["a", "a", "z"])];
      const answers = await Promise.all(
        bodies.map((b) => fetch(`${url}/v2/models/lin/infer`, { method: "POST", body: JSON.stringify(b) }).then((r) => r.json())),
      );
      expect(answers.map((a) => a.outputs[0].data)).toEqual([
        [linearTestExpected(1, "a")],
        [linearTestExpected(2, "b"), linearTestExpected(3, "a")],
        [linearTestExpected(4, "a"), linearTestExpected(5, "a"), linearTestExpected(6, "z")],
      ]);
      expect(answers.map((a) => a.outputs[0].shape)).toEqual([
        [1, 1],
        [2, 1],
        [3, 1],
      ]);
      const text = await (await fetch(`${url}/metrics`)).text();
      expect(text).toMatch(/^conveyor_serving_batch_requests_count 1$/m);
      expect(text).toMatch(/^conveyor_serving_batch_requests_sum 3$/m);
      expect(text).toMatch(/^conveyor_serving_batch_rows_total 6$/m);
      // A request of the batch size or more does not wait: it runs alone at once.
      const big = await fetch(`${url}/v1/predict/lin`, {
        method: "POST",
        body: JSON.stringify({ instances: Array.from({ length: 6 }, (_, i) => ({ x: i, s: "b" })) }),
      });
      expect(((await big.json()) as { predictions: unknown[] }).predictions).toHaveLength(6);
    } finally {
      await s.close();
    }
  });

  it("a deployment's config.batching overrides the server's defaults", async () => {
    source.deployments.set("lin-batched", { model: "lin", alias: 1, config: { batching: { maxBatchSize: 4, maxDelayMs: 600_000 } } });
    const s = createServingServer({ source, logger: silentLogger(), batching: { maxBatchSize: 1, maxDelayMs: 0 } });
    const { url } = await s.listen(0);
    try {
      const answers = await Promise.all(
        [1, 2, 3, 4].map((v) =>
          fetch(`${url}/v2/models/lin-batched/infer`, { method: "POST", body: JSON.stringify(linInfer([v], ["b"])) }).then((r) => r.json()),
        ),
      );
      expect(answers.map((a) => a.outputs[0].data[0])).toEqual([1, 2, 3, 4].map((v) => linearTestExpected(v, "b")));
      const text = await (await fetch(`${url}/metrics`)).text();
      expect(text).toMatch(/^conveyor_serving_batch_requests_count 1$/m);
      expect(text).toMatch(/^conveyor_serving_batch_requests_sum 4$/m);
    } finally {
      await s.close();
    }
  });

  it("batching off: each request runs on its own", async () => {
    const s = createServingServer({ source, logger: silentLogger(), batching: { maxBatchSize: 1, maxDelayMs: 1 } });
    const { url } = await s.listen(0);
    try {
      await Promise.all([1, 2, 3].map((v) => fetch(`${url}/v2/models/lin/infer`, { method: "POST", body: JSON.stringify(linInfer([v], ["a"])) })));
      expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^conveyor_serving_batch_requests_sum 3$/m);
      expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^conveyor_serving_batch_requests_count 3$/m);
    } finally {
      await s.close();
    }
  });
});

describe("metrics", () => {
  it("exposes request counts and a latency histogram in Prometheus text", async () => {
    await call("POST", "/v2/models/lin/infer", linInfer([1], ["a"]));
    await call("POST", "/v2/models/lin/infer", linInfer([1], [1]));
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0.0.4/);
    const text = await res.text();
    expect(text).toMatch(/^conveyor_serving_requests_total\{endpoint="infer",model="lin",version="1",code="200"\} \d+$/m);
    expect(text).toMatch(/^conveyor_serving_requests_total\{endpoint="infer",model="lin",version="1",code="400"\} \d+$/m);
    expect(text).toMatch(/^conveyor_serving_request_duration_seconds_bucket\{le="\+Inf",endpoint="infer",model="lin",version="1"\} \d+$/m);
    expect(text).toMatch(/^conveyor_serving_request_duration_seconds_count\{endpoint="infer",model="lin",version="1"\} \d+$/m);
    expect(text).toMatch(/^conveyor_serving_models_loaded \d+$/m);
    // The version is the one that answered: an explicit version has its own series.
    await call("POST", "/v2/models/lin/versions/2/infer", linInfer([1], ["a"]));
    const again = await (await fetch(`${base}/metrics`)).text();
    expect(again).toMatch(/^conveyor_serving_requests_total\{endpoint="infer",model="lin",version="2",code="200"\} \d+$/m);
    // Where no model answered, no version.
    expect(again).toMatch(/^conveyor_serving_requests_total\{endpoint="metrics",model="",code="200"\} \d+$/m);
    // Session runs (dynamic batching) and the process's own metrics.
    expect(again).toMatch(/^conveyor_serving_batch_requests_count \d+$/m);
    expect(again).toMatch(/^conveyor_serving_batch_rows_total \d+$/m);
    expect(again).toMatch(/^process_cpu_user_seconds_total [\d.e-]+$/m);
    expect(again).toMatch(/^nodejs_eventloop_lag_seconds [\d.e-]+$/m);
    // Unknown names do not become label values.
    expect(text).not.toContain('model="nope"');
  });
});

describe("never crashes on input (property)", () => {
  const value = fc.oneof(fc.double(), fc.integer(), fc.constant(null), fc.string(), fc.boolean(), fc.jsonValue());
  const tensor = fc.record(
    {
      name: fc.oneof(fc.constantFrom("x", "s", "__proto__", "toString"), fc.string()),
      shape: fc.oneof(fc.constant([1, 1]), fc.tuple(fc.integer({ min: -2, max: 3 }), fc.integer({ min: 0, max: 2 })), fc.jsonValue()),
      datatype: fc.oneof(fc.constantFrom("FP32", "BYTES"), fc.jsonValue()),
      data: fc.oneof(fc.array(value, { maxLength: 3 }), fc.jsonValue()),
    },
    { requiredKeys: [] },
  );
  const body = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.string(),
    fc
      .record({ inputs: fc.array(tensor, { maxLength: 3 }), id: fc.jsonValue(), outputs: fc.jsonValue() }, { requiredKeys: ["inputs"] })
      .map((v) => JSON.stringify(v)),
    fc.record({ instances: fc.array(fc.dictionary(fc.constantFrom("x", "s", "y", "__proto__"), value), { maxLength: 3 }) }).map((v) => JSON.stringify(v)),
  );
  const path = fc.constantFrom("/v2/models/lin/infer", "/v1/predict/lin", "/v2/models/cls/infer", "/v1/predict/cls", "/v2/models/lin/versions/2/infer");

  it("answers 200 or a JSON 400 to any body, and stays up", async () => {
    await fc.assert(
      fc.asyncProperty(path, body, async (p, b) => {
        const { status, json } = await call("POST", p, b);
        expect([200, 400]).toContain(status);
        if (status === 400) expect(typeof json.error).toBe("string");
        else expect(json.model_name).toBeDefined();
      }),
      { numRuns: 400 },
    );
    expect((await call("GET", "/v2/health/live")).status).toBe(200);
  });
});

describe("shutdown", () => {
  it("lets an in-flight request finish, then closes; close is idempotent", async () => {
    const s = createServingServer({ source, logger: silentLogger(), preload: false });
    const { url } = await s.listen(0);
    const uri = source.versions.get("lin")!.get(1)!.uri;
    const readsBefore = source.reads.get(uri) ?? 0;
    source.readDelayMs = 300;
    try {
      // This server has not loaded anything: the request waits on the (slow) model load.
      const pending = fetch(`${url}/v1/predict/lin`, { method: "POST", body: JSON.stringify({ instances: [{ x: 1, s: "a" }] }) });
      while ((source.reads.get(uri) ?? 0) === readsBefore) await new Promise((r) => setTimeout(r, 5));
      const closing = s.close();
      const res = await pending;
      expect(res.status).toBe(200);
      expect(res.headers.get("connection")).toBe("close");
      await Promise.all([closing, s.close()]);
    } finally {
      source.readDelayMs = 20;
    }
    await expect(fetch(`${url}/v2/health/live`)).rejects.toThrow();
  });
});

describe("request ids and the access log", () => {
  it("keeps the caller's x-request-id (else makes one), echoes it, and logs one JSON line per request with the ids", async () => {
    const lines: string[] = [];
    const s = createServingServer({ source, logger: createLogger({ destination: { write: (l) => void lines.push(l) } }).child({ component: "serving" }) });
    const { url } = await s.listen(0);
    try {
      const given = await fetch(`${url}/v1/predict/lin?trace=1`, {
        method: "POST",
        headers: { "x-request-id": "req-42.a:b" },
        body: JSON.stringify({ instances: [{ x: 1, s: "a" }] }),
      });
      expect(given.status).toBe(200);
      expect(given.headers.get("x-request-id")).toBe("req-42.a:b");
      const made = await fetch(`${url}/v2/models/nope/infer`, { method: "POST", headers: { "x-request-id": "bad id\twith spaces" }, body: "{}" });
      expect(made.status).toBe(404);
      const madeId = made.headers.get("x-request-id");
      expect(madeId).toMatch(/^[0-9a-f-]{36}$/);
      await new Promise((r) => setTimeout(r, 10));
      const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === "request");
      expect(logged).toHaveLength(2);
      expect(logged[0]).toMatchObject({
        level: "info",
        component: "serving",
        requestId: "req-42.a:b",
        method: "POST",
        path: "/v1/predict/lin",
        status: 200,
        deployment: "lin",
        model: "lin",
        version: 1,
      });
      expect(typeof logged[0]!.ms).toBe("number");
      expect(typeof logged[0]!.time).toBe("string");
      expect(logged[1]).toMatchObject({ component: "serving", requestId: madeId, method: "POST", path: "/v2/models/nope/infer", status: 404 });
      expect(logged[1]).not.toHaveProperty("version");
    } finally {
      await s.close();
    }
  });
});
