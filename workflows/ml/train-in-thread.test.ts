import { describe, expect, it } from "vitest";
import { synthetic } from "../../testing/gbdt-data";
import { DataError, type Frame, type TrainProgress } from "./types";
import { trainInThread } from "./train-in-thread";
import { liveThreads } from "./thread";
import { evenlySpacedRows, ProgressThrottle, runTrainJob, type ReportedProgress } from "./train-job";
import { trainGbdt } from "./gbdt";
import { referenceProfile } from "./drift/profile";

const copy = (f: Frame): Frame => ({
  rows: f.rows,
  columns: f.columns.map((c) => (c.kind === "number" ? { ...c, values: c.values.slice() } : { ...c, values: [...c.values] })),
});
const wait = async (cond: () => boolean, ms: number) => {
  const t0 = Date.now();
  while (!cond() && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 20));
};

describe("trainInThread", () => {
  it("trains GBDT in a thread: the same ONNX bytes as in-process, progress per tree, the columns moved, the thread gone after", async () => {
    const frame = synthetic(3000);
    const job = { trainer: "gbdt" as const, options: { task: "regression" as const, target: "y", features: ["a", "b", "c"], nTrees: 60, maxDepth: 4 } };
    const inProcess = runTrainJob(copy(frame), job);
    const progress: ReportedProgress[] = [];
    const sent = frame.columns[0]!.values as Float64Array;
    const model = await trainInThread(frame, job, { onProgress: (p) => progress.push(p) });
    expect(Buffer.from(model.onnx).equals(Buffer.from(inProcess.onnx))).toBe(true);
    expect(model.params).toEqual(inProcess.params);
    expect(model.featureImportance).toEqual(inProcess.featureImportance);
    expect(model.profile).toEqual(inProcess.profile);
    expect("predict" in model).toBe(false);
    expect(sent.byteLength).toBe(0); // transferred, not copied
    expect(progress[0]).toEqual({ phase: "preparing" });
    const last = progress.filter((p) => p.phase === "training").at(-1)!;
    expect(last).toMatchObject({ iteration: 60, total: 60, unit: "tree" });
    expect(progress.at(-1)).toEqual({ phase: "exporting" });
    await wait(() => liveThreads() === 0, 2000);
    expect(liveThreads()).toBe(0);
  });

  it("returns the model's reference profile: its inputs and its own predictions on the training rows", () => {
    const frame = synthetic(1500);
    const options = { task: "regression" as const, target: "y", features: ["a", "b", "c"], nTrees: 20, maxDepth: 3 };
    const data = runTrainJob(copy(frame), { trainer: "gbdt", options });
    const model = trainGbdt(copy(frame), options);
    expect(data.profile).toEqual(referenceProfile(frame, model.inputs, model.predict(frame)));
    expect(data.profile.features.map((f) => f.name)).toEqual(model.inputs.map((i) => i.name));
    expect(data.profile).toMatchObject({ format: "conveyor-profile/v1", rows: 1500, prediction: { kind: "numeric", name: "prediction", count: 1500 } });
    const cls = runTrainJob(synthetic(600), { trainer: "linear", options: { task: "classification", target: "cls", features: ["a", "b", "c"], l2: 0.1 } });
    expect(cls.profile.prediction).toMatchObject({ kind: "categorical", name: "label", count: 600 });
    expect(Object.keys((cls.profile.prediction as { frequencies: object }).frequencies).sort()).toEqual(["high", "low", "mid"]);
  });

  it("profiles at most 200k training rows, evenly spaced and always the same ones", () => {
    const frame: Frame = {
      rows: 10,
      columns: [
        { name: "x", kind: "number", values: Float64Array.from({ length: 10 }, (_, i) => i) },
        { name: "s", kind: "string", values: Array.from({ length: 10 }, (_, i) => (i % 2 ? null : `v${i}`)) },
      ],
    };
    expect(evenlySpacedRows(frame, 10)).toBe(frame);
    const four = evenlySpacedRows(frame, 4);
    expect(four.rows).toBe(4);
    expect(Array.from(four.columns[0]!.values as Float64Array)).toEqual([0, 2, 5, 7]);
    expect(four.columns[1]!.values).toEqual(["v0", "v2", null, null]);
    expect(evenlySpacedRows(frame, 4)).toEqual(four);
  });

  it("trains a linear classifier in a thread with progress per L-BFGS iteration", async () => {
    const progress: ReportedProgress[] = [];
    const model = await trainInThread(
      synthetic(800),
      { trainer: "linear", options: { task: "classification", target: "cls", features: ["a", "b", "c"], l2: 0.1 } },
      { onProgress: (p) => progress.push(p) },
    );
    expect(model.classes).toEqual(["high", "low", "mid"]);
    expect(model.onnx.byteLength).toBeGreaterThan(100);
    expect(progress.some((p) => p.phase === "training" && p.unit === "iteration" && (p.iteration ?? 0) >= 1)).toBe(true);
  });

  it("a DataError in the thread is a DataError here, naming its field", async () => {
    const err = await trainInThread(synthetic(100), { trainer: "gbdt", options: { task: "regression", target: "y", nTrees: 0 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).field).toBe("nTrees");
    expect((err as DataError).message).toBe("nTrees must be ≥ 1");
  });

  it("running out of memory is a DataError saying what to lower (a retry would run out again), not a crash", async () => {
    const err = await trainInThread(
      synthetic(20_000),
      { trainer: "gbdt", options: { task: "regression", target: "y", features: ["a", "b", "c"], nTrees: 5000, maxDepth: 12 } },
      { maxHeapMb: 24 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toBe(
      "training ran out of memory (24 MB heap): the model is too large for this worker — lower nTrees or maxDepth, or train on fewer rows",
    );
    await wait(() => liveThreads() === 0, 2000);
  });

  it("an abort terminates the thread mid-training and rejects with the abort reason", async () => {
    const controller = new AbortController();
    const progress: ReportedProgress[] = [];
    const running = trainInThread(
      synthetic(20_000),
      { trainer: "gbdt", options: { task: "regression", target: "y", features: ["a", "b", "c"], nTrees: 5000, maxDepth: 8 } },
      {
        signal: controller.signal,
        onProgress: (p) => progress.push(p),
      },
    );
    await wait(() => progress.some((p) => (p.iteration ?? 0) > 5), 20_000);
    expect(liveThreads()).toBe(1);
    const t0 = performance.now();
    controller.abort(new Error("stop now"));
    await expect(running).rejects.toThrow("stop now");
    await wait(() => liveThreads() === 0, 2000);
    expect(liveThreads()).toBe(0);
    expect(performance.now() - t0).toBeLessThan(1000);
    const seen = progress.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(progress.length).toBe(seen);
  });
});

describe("ProgressThrottle", () => {
  it("passes phase changes and the last iteration, at most one report per interval otherwise, with the time left", () => {
    let t = 0;
    const out: ReportedProgress[] = [];
    const th = new ProgressThrottle(
      (p) => out.push(p),
      250,
      () => t,
    );
    const at = (ms: number, p: TrainProgress) => {
      t = ms;
      th.report(p);
    };
    at(0, { phase: "preparing" });
    at(100, { phase: "training", iteration: 1, total: 100, unit: "tree" });
    at(200, { phase: "training", iteration: 2, total: 100, unit: "tree" }); // within 250 ms of the last report
    at(400, { phase: "training", iteration: 4, total: 100, unit: "tree" });
    at(10_000, { phase: "training", iteration: 100, total: 100, unit: "tree" });
    at(10_010, { phase: "exporting" });
    expect(out).toEqual([
      { phase: "preparing" },
      { phase: "training", iteration: 1, total: 100, unit: "tree" },
      { phase: "training", iteration: 4, total: 100, unit: "tree", etaSeconds: 9.6 }, // 100 ms per tree × 96 trees
      { phase: "training", iteration: 100, total: 100, unit: "tree", etaSeconds: 0 },
      { phase: "exporting" },
    ]);
  });

  it("a phase that ends early (an optimizer converging before its cap) still reports where it ended", () => {
    let t = 0;
    const out: ReportedProgress[] = [];
    const th = new ProgressThrottle(
      (p) => out.push(p),
      250,
      () => t,
    );
    for (let i = 0; i <= 23; i++) {
      t = i * 10;
      th.report({ phase: "training", iteration: i, total: 100, unit: "iteration" });
    }
    t = 240;
    th.report({ phase: "exporting" });
    expect(out).toEqual([
      { phase: "training", iteration: 0, total: 100, unit: "iteration" },
      { phase: "training", iteration: 23, total: 100, unit: "iteration", etaSeconds: 0.8 },
      { phase: "exporting" },
    ]);
  });
});
