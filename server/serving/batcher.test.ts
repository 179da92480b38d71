/**
 * Dynamic batching (batcher.ts): how requests are grouped into runs (with a
 * recording session), and, on real onnxruntime sessions, that a row's answer
 * in a batch is bitwise the one it gets alone and that a failing run fails
 * exactly its batch.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { InferenceSession } from "onnxruntime-node";
import { Batcher, BatchRunError, sessionRun, type BatchingConfig, type SessionRun } from "./batcher";
import { SESSION_OPTIONS } from "./model-registry";
import type { InputFeed, OutputTensor } from "./protocol";
import { BENCH_CATEGORIES, BENCH_NUMERIC, benchTreeModel, classifierTestModel, linearTestModel, lookupTestModel } from "../../testing/models";

/** A session that records each run's rows and outputs: `double` = 2x, `neg` = -x, row by row. */
function recorder(opts: { failWhen?: (x: Float32Array) => boolean; wait?: () => Promise<void> } = {}) {
  const runs: Array<{ rows: number; outputs: string[]; xs: number[] }> = [];
  const run: SessionRun = async (rows, feeds, outputs) => {
    const x = feeds[0]!.data as Float32Array;
    runs.push({ rows, outputs: [...outputs], xs: Array.from(x) });
    await opts.wait?.();
    if (opts.failWhen?.(x)) throw new Error("boom");
    const out: Record<string, OutputTensor> = {};
    if (outputs.includes("double")) out.double = { type: "float32", dims: [rows, 1], data: x.map((v) => 2 * v) };
    if (outputs.includes("neg")) out.neg = { type: "float32", dims: [rows, 1], data: x.map((v) => -v) };
    return out;
  };
  return { runs, run };
}

const feed = (...xs: number[]): InputFeed[] => [{ name: "x", datatype: "FP32", data: Float32Array.from(xs) }];
const values = (r: Record<string, OutputTensor>, name: string) => Array.from(r[name]!.data as Float32Array);
const ON: BatchingConfig = { maxBatchSize: 8, maxDelayMs: 1 };

describe("grouping requests into runs", () => {
  it("coalesces concurrent requests into one run and gives each its own rows", async () => {
    const s = recorder();
    const b = new Batcher(ON);
    const key = {};
    const [a, c, d] = await Promise.all([
      b.run(key, s.run, 1, feed(1), ["double"]),
      b.run(key, s.run, 3, feed(2, 3, 4), ["double"]),
      b.run(key, s.run, 1, feed(5), ["double"]),
    ]);
    expect(s.runs).toEqual([{ rows: 5, outputs: ["double"], xs: [1, 2, 3, 4, 5] }]);
    expect(values(a, "double")).toEqual([2]);
    expect(values(c, "double")).toEqual([4, 6, 8]);
    expect(c.double!.dims).toEqual([3, 1]);
    expect(values(d, "double")).toEqual([10]);
  });

  it("never runs more than maxBatchSize rows at once; the rest go in the next run", async () => {
    const s = recorder();
    const b = new Batcher({ maxBatchSize: 4, maxDelayMs: 1 });
    const key = {};
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => b.run(key, s.run, 1, feed(i), ["double"])));
    expect(answers.map((r) => values(r, "double")[0])).toEqual(Array.from({ length: 10 }, (_, i) => 2 * i));
    expect(s.runs.map((r) => r.rows)).toEqual([4, 4, 2]);
    expect(s.runs.flatMap((r) => r.xs)).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it("runs a request of maxBatchSize rows or more alone, at once", async () => {
    const s = recorder();
    const b = new Batcher({ maxBatchSize: 4, maxDelayMs: 60_000 });
    const key = {};
    const big = await b.run(key, s.run, 5, feed(1, 2, 3, 4, 5), ["double"]);
    expect(values(big, "double")).toEqual([2, 4, 6, 8, 10]);
    expect(s.runs.map((r) => r.rows)).toEqual([5]);
    // And a full batch does not wait for the (one minute) delay either.
    const full = await Promise.all([1, 2, 3, 4].map((x) => b.run(key, s.run, 1, feed(x), ["double"])));
    expect(full.map((r) => values(r, "double")[0])).toEqual([2, 4, 6, 8]);
    expect(s.runs.map((r) => r.rows)).toEqual([5, 4]);
  });

  it("fetches the union of the outputs asked for and gives each request only its own", async () => {
    const s = recorder();
    const b = new Batcher(ON);
    const key = {};
    const [onlyDouble, onlyNeg, both] = await Promise.all([
      b.run(key, s.run, 1, feed(1), ["double"]),
      b.run(key, s.run, 1, feed(2), ["neg"]),
      b.run(key, s.run, 1, feed(3), ["neg", "double"]),
    ]);
    expect(s.runs).toHaveLength(1);
    expect(new Set(s.runs[0]!.outputs)).toEqual(new Set(["double", "neg"]));
    expect(Object.keys(onlyDouble)).toEqual(["double"]);
    expect(Object.keys(onlyNeg)).toEqual(["neg"]);
    expect(values(onlyNeg, "neg")).toEqual([-2]);
    expect(Object.keys(both)).toEqual(["neg", "double"]);
    expect([values(both, "neg"), values(both, "double")]).toEqual([[-3], [6]]);
  });

  it("collects the requests that arrive while a run is in progress into the next run", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const s = recorder({ wait: () => (s.runs.length === 1 ? gate : Promise.resolve()) });
    const b = new Batcher(ON);
    const key = {};
    const first = b.run(key, s.run, 1, feed(0), ["double"]);
    while (s.runs.length === 0) await new Promise((r) => setTimeout(r, 1));
    // The first run is in progress: these queue behind it, and run together when it ends.
    const later = [1, 2, 3, 4, 5].map((x) => b.run(key, s.run, 1, feed(x), ["double"]));
    await new Promise((r) => setTimeout(r, 20));
    expect(s.runs).toHaveLength(1);
    release();
    await Promise.all([first, ...later]);
    expect(s.runs.map((r) => r.xs)).toEqual([[0], [1, 2, 3, 4, 5]]);
  });

  it("with maxBatchSize 1 or maxDelayMs 0 every request runs on its own", async () => {
    for (const off of [
      { maxBatchSize: 1, maxDelayMs: 5 },
      { maxBatchSize: 64, maxDelayMs: 0 },
    ]) {
      const s = recorder();
      const b = new Batcher(off);
      await Promise.all([1, 2, 3].map((x) => b.run({}, s.run, 1, feed(x), ["double"])));
      expect(s.runs.map((r) => r.rows)).toEqual([1, 1, 1]);
    }
  });

  it("a per-call setting (a deployment's) overrides the defaults", async () => {
    const key = {};
    const off = recorder();
    const b = new Batcher({ maxBatchSize: 1, maxDelayMs: 0 });
    await Promise.all([1, 2, 3].map((x) => b.run(key, off.run, 1, feed(x), ["double"], ON)));
    expect(off.runs.map((r) => r.rows)).toEqual([3]);
    const on = recorder();
    const b2 = new Batcher(ON);
    await Promise.all([1, 2, 3].map((x) => b2.run(key, on.run, 1, feed(x), ["double"], { maxBatchSize: 1, maxDelayMs: 1 })));
    expect(on.runs.map((r) => r.rows)).toEqual([1, 1, 1]);
  });

  it("reports each run's requests and rows", async () => {
    const seen: Array<[number, number]> = [];
    const s = recorder();
    const b = new Batcher(ON, { onRun: (requests, rows) => seen.push([requests, rows]) });
    await Promise.all([b.run({}, s.run, 2, feed(1, 2), ["double"]), b.run({}, s.run, 1, feed(3), ["double"])]);
    const key = {};
    await Promise.all([b.run(key, s.run, 2, feed(1, 2), ["double"]), b.run(key, s.run, 1, feed(3), ["double"])]);
    expect(seen).toEqual([
      [1, 2],
      [1, 1],
      [2, 3],
    ]);
  });

  it("a failing run fails exactly the requests of its batch, saying so", async () => {
    const s = recorder({ failWhen: (x) => x.includes(99) });
    const b = new Batcher(ON);
    const key = {};
    const batch = await Promise.allSettled([1, 99, 3].map((x) => b.run(key, s.run, 1, feed(x), ["double"])));
    expect(batch.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
    for (const r of batch) {
      const reason = (r as PromiseRejectedResult).reason as Error;
      expect(reason).toBeInstanceOf(BatchRunError);
      expect(reason.message).toBe("the model failed on a batch of 3 requests (3 rows) that included this one: boom");
    }
    const next = await Promise.all([4, 5].map((x) => b.run(key, s.run, 1, feed(x), ["double"])));
    expect(next.map((r) => values(r, "double")[0])).toEqual([8, 10]);
  });

  it("a model whose outputs cannot be split by rows is re-run request by request, and not batched again", async () => {
    const run: SessionRun = async (rows, feeds) => ({
      total: { type: "float32", dims: [1], data: Float32Array.of((feeds[0]!.data as Float32Array).reduce((a, v) => a + v, 0)) },
    });
    const reasons: string[] = [];
    const b = new Batcher(ON, { onUnbatchable: (r) => reasons.push(r) });
    const key = {};
    const answers = await Promise.all([1, 2, 3].map((x) => b.run(key, run, 1, feed(x), ["total"])));
    expect(answers.map((r) => values(r, "total")[0])).toEqual([1, 2, 3]);
    expect(reasons).toEqual(['output "total" has shape [1] for 3 rows: it cannot be split by rows, so requests run one by one']);
    const again = await Promise.all([4, 5].map((x) => b.run(key, run, 1, feed(x), ["total"])));
    expect(again.map((r) => values(r, "total")[0])).toEqual([4, 5]);
  });
});

describe("on real onnxruntime sessions", () => {
  const sessions: InferenceSession[] = [];
  let tree: SessionRun;
  let linear: SessionRun;
  let classifier: SessionRun;
  let lookup: SessionRun;
  beforeAll(async () => {
    const load = async (onnx: Uint8Array) => {
      const s = await InferenceSession.create(onnx, SESSION_OPTIONS);
      sessions.push(s);
      return sessionRun(s);
    };
    tree = await load(benchTreeModel({ trees: 30, depth: 5 }).onnx);
    linear = await load(linearTestModel({ weight: 1.37, bias: -0.2 }).onnx);
    classifier = await load(classifierTestModel().onnx);
    lookup = await load(lookupTestModel().onnx);
  });
  afterAll(async () => {
    for (const s of sessions) await s.release();
  });

  /** Each request alone (batching off), then all at once through a batcher; the same bits. */
  async function sameAnswers(run: SessionRun, requests: Array<{ rows: number; feeds: InputFeed[] }>, outputs: string[]): Promise<void> {
    const alone = new Batcher({ maxBatchSize: 1, maxDelayMs: 0 });
    const solo: Array<Record<string, OutputTensor>> = [];
    for (const r of requests) solo.push(await alone.run({}, run, r.rows, r.feeds, outputs));
    let runs = 0;
    // The batch runs once it holds every row (the delay never expires): one run, whatever the machine's load.
    const total = requests.reduce((n, r) => n + r.rows, 0);
    const b = new Batcher({ maxBatchSize: total, maxDelayMs: 600_000 }, { onRun: () => runs++ });
    const key = {};
    const together = await Promise.all(requests.map((r) => b.run(key, run, r.rows, r.feeds, outputs)));
    expect(runs).toBe(1);
    together.forEach((t, i) => {
      for (const name of outputs) {
        expect(t[name]!.dims).toEqual(solo[i]![name]!.dims);
        const got = t[name]!.data as ArrayLike<unknown>;
        const want = solo[i]![name]!.data as ArrayLike<unknown>;
        expect(got.length).toBe(want.length);
        // Bitwise: Object.is tells -0 from 0 and matches NaN with NaN.
        for (let k = 0; k < want.length; k++) if (!Object.is(got[k], want[k])) expect([i, name, k, got[k]]).toEqual([i, name, k, want[k]]);
      }
    });
  }

  const float = fc.oneof(fc.float({ noDefaultInfinity: true }), fc.constant(Number.NaN), fc.double({ min: -50, max: 50 }));

  it("a tree ensemble answers each row in a batch bitwise as it does alone", async () => {
    const row = fc.record({
      nums: fc.array(float, { minLength: BENCH_NUMERIC.length, maxLength: BENCH_NUMERIC.length }),
      cats: fc.tuple(...Object.values(BENCH_CATEGORIES).map((c) => fc.oneof(fc.constantFrom(...c), fc.string({ maxLength: 3 })))),
    });
    const request = fc.array(row, { minLength: 1, maxLength: 4 }).map((rows) => ({
      rows: rows.length,
      feeds: [
        ...BENCH_NUMERIC.map((name, k): InputFeed => ({ name, datatype: "FP32", data: Float32Array.from(rows.map((r) => r.nums[k]!)) })),
        ...Object.keys(BENCH_CATEGORIES).map((name, k): InputFeed => ({ name, datatype: "BYTES", data: rows.map((r) => r.cats[k]!) })),
      ],
    }));
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 12 }), (requests) => sameAnswers(tree, requests, ["prediction"])),
      { numRuns: 40 },
    );
  });

  it("linear and classifier models too (every output, strings included)", async () => {
    const request = fc.array(fc.tuple(float, fc.constantFrom("a", "b", "", "zz")), { minLength: 1, maxLength: 5 }).map((rows) => {
      const feeds: InputFeed[] = [
        { name: "x", datatype: "FP32", data: Float32Array.from(rows.map((r) => r[0])) },
        { name: "s", datatype: "BYTES", data: rows.map((r) => r[1]) },
      ];
      return { rows: rows.length, feeds };
    });
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 10 }), (requests) => sameAnswers(linear, requests, ["prediction"])),
      { numRuns: 40 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 1, maxLength: 10 }), (requests) =>
        sameAnswers(
          classifier,
          requests.map((r) => ({ rows: r.rows, feeds: [r.feeds[0]!] })),
          ["label", "probabilities"],
        ),
      ),
      { numRuns: 40 },
    );
  });

  it("a run that onnxruntime refuses fails the requests of that batch only", async () => {
    const b = new Batcher({ maxBatchSize: 8, maxDelayMs: 1 });
    const key = {};
    const batch = await Promise.allSettled([0, 7, 1].map((x) => b.run(key, lookup, 1, feed(x), ["prediction"])));
    expect(batch.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
    const reason = (batch[0] as PromiseRejectedResult).reason as Error;
    expect(reason).toBeInstanceOf(BatchRunError);
    expect(reason.message).toMatch(/^the model failed on a batch of 3 requests \(3 rows\) that included this one: .*indices element out of data bounds/);
    const good = await Promise.all([1, 0].map((x) => b.run(key, lookup, 1, feed(x), ["prediction"])));
    expect(good.map((r) => values(r, "prediction"))).toEqual([[20], [10]]);
  });
});
