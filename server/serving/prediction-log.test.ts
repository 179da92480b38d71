/**
 * The prediction log's pure parts: row text (COPY text format of JSON
 * inputs and outputs, shortest float32 numbers, missing values as null,
 * escaping) and the queue (bounded in rows, drops counted, a failed write
 * kept for the next flush, close() writes the rest).
 */
import { describe, expect, it } from "vitest";
import { answerText, float32Json, inputsText, outputsText, PredictionLog, type LoggedAnswer } from "./prediction-log";
import type { InputFeed } from "./protocol";

const feeds: InputFeed[] = [
  { name: "x", datatype: "FP32", data: Float32Array.from([0.1, Number.NaN, 12]) },
  { name: 'we"ird\\name', datatype: "BYTES", data: ["a\\b", "", 'q"t'] },
];

function answer(rows: number, extra: Partial<LoggedAnswer> = {}): LoggedAnswer {
  return {
    deploymentId: "00000000-0000-0000-0000-000000000001",
    deployment: "d",
    requestId: "req-1",
    version: 3,
    mode: "live",
    rows,
    feeds: [{ name: "x", datatype: "FP32", data: new Float32Array(rows).fill(1.5) }],
    results: { prediction: { type: "float32", dims: [rows, 1], data: new Float32Array(rows).fill(2.25) } },
    latencyMs: 0.5,
    at: Date.UTC(2026, 11, 7, 12, 0, 0),
    ...extra,
  };
}

/** COPY text → the JSON it carries (backslashes undoubled). */
const unescape = (s: string) => s.replaceAll("\\\\", "\\");

describe("row text", () => {
  it("writes float32 values as the shortest decimal that reads back as the same float32", () => {
    const buf = new Float32Array(1);
    const bits = new Uint32Array(buf.buffer);
    for (let i = 0; i < 20_000; i++) {
      bits[0] = (Math.random() * 2 ** 32) >>> 0;
      const v = buf[0]!;
      if (!Number.isFinite(v)) continue;
      const s = float32Json(v);
      expect(Math.fround(Number(s))).toBe(v);
      // At most 9 significant digits (what any float32 needs).
      expect(s.replace(/^-|e.*$|\./g, "").replace(/^0+|0+$/g, "").length).toBeLessThanOrEqual(9);
    }
    expect([0.1, 9.77, 12, -0.5, 3.4e38, 1e-8].map((x) => float32Json(Math.fround(x)))).toEqual(["0.1", "9.77", "12", "-0.5", "3.4e+38", "1e-8"]);
    expect([Number.NaN, Number.POSITIVE_INFINITY].map(float32Json)).toEqual(["null", "null"]);
  });

  it("inputs: feature → number or string, missing (NaN, empty string) as null, JSON and COPY escaped", () => {
    expect(JSON.parse(unescape(inputsText(feeds, 0)))).toEqual({ x: 0.1, 'we"ird\\name': "a\\b" });
    expect(JSON.parse(unescape(inputsText(feeds, 1)))).toEqual({ x: null, 'we"ird\\name': null });
    expect(JSON.parse(unescape(inputsText(feeds, 2)))).toEqual({ x: 12, 'we"ird\\name': 'q"t' });
    // No raw backslash survives: COPY's text format would read it as an escape.
    expect(inputsText(feeds, 0)).toContain("a\\\\\\\\b");
  });

  it("outputs: a row's prediction; a classifier's label (class indexes as the class) and probabilities", () => {
    expect(JSON.parse(outputsText({ prediction: { type: "float32", dims: [2, 1], data: Float32Array.from([1.5, 2.75]) } }, 2, 1))).toEqual({
      prediction: 2.75,
    });
    const cls = {
      label: { type: "int64", dims: [2], data: BigInt64Array.from([1n, 0n]) },
      probabilities: { type: "float32", dims: [2, 2], data: Float32Array.from([0.25, 0.75, 0.875, 0.125]) },
    };
    expect(JSON.parse(outputsText(cls, 2, 0, ["no", "yes"]))).toEqual({ label: "yes", probabilities: [0.25, 0.75] });
    expect(JSON.parse(outputsText(cls, 2, 1, ["no", "yes"]))).toEqual({ label: "no", probabilities: [0.875, 0.125] });
    expect(JSON.parse(outputsText({ label: { type: "string", dims: [1, 1], data: ["a"] } }, 1, 0))).toEqual({ label: "a" });
  });

  it("a COPY line per row: deployment, request id, row, version, mode, inputs, outputs, latency, time", () => {
    const lines = answerText(answer(2)).split("\n");
    expect(lines.pop()).toBe("");
    expect(lines.map((l) => l.split("\t"))).toEqual([
      ["00000000-0000-0000-0000-000000000001", "req-1", "0", "3", "live", '{"x":1.5}', '{"prediction":2.25}', "0.5", "2026-12-07T12:00:00.000Z"],
      ["00000000-0000-0000-0000-000000000001", "req-1", "1", "3", "live", '{"x":1.5}', '{"prediction":2.25}', "0.5", "2026-12-07T12:00:00.000Z"],
    ]);
  });
});

describe("the queue", () => {
  it("writes everything while there is room, in batches of at most batchRows rows (more at once while a full batch waits)", async () => {
    const batches: number[] = [];
    const log = new PredictionLog(
      async (chunks) => {
        let n = 0;
        for (const c of chunks) n += c.split("\n").length - 1;
        batches.push(n);
      },
      { maxRows: 1000, batchRows: 40, flushMs: 1_000_000 },
    );
    for (let i = 0; i < 25; i++) log.record(answer(4));
    expect(log.depth()).toBe(100);
    await log.flush();
    expect(batches).toEqual([40, 40]);
    expect(log.depth()).toBe(20);
    await log.flush();
    expect(batches).toEqual([40, 40, 20]);
    expect(log.depth()).toBe(0);
  });

  it("drops (and counts) rows past the bound, keeps a failed batch for the next flush, writes the rest on close", async () => {
    const dropped: number[] = [];
    const written: number[] = [];
    let fail = true;
    let wrote = 0;
    const log = new PredictionLog(
      async (chunks) => {
        if (fail) throw new Error("the store is down");
        for (const c of chunks) wrote += c.split("\n").length - 1;
      },
      { maxRows: 10, batchRows: 100, flushMs: 1_000_000 },
      { hooks: { dropped: (_, n) => dropped.push(n), written: (_, n) => written.push(n) } },
    );
    for (let i = 0; i < 4; i++) log.record(answer(3));
    expect(log.depth()).toBe(9);
    expect(dropped).toEqual([3]);
    await log.flush();
    expect(log.depth()).toBe(9); // kept
    log.record(answer(1));
    log.record(answer(1));
    expect(dropped).toEqual([3, 1]);
    fail = false;
    await log.close();
    expect(wrote).toBe(10);
    expect(written).toEqual([10]);
    log.record(answer(1)); // after close: counted, not queued
    expect(dropped).toEqual([3, 1, 1]);
    expect(log.depth()).toBe(0);
  });
});
