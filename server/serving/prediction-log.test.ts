/**
 * The prediction log's pure parts: a batch's encoding (a COPY line of
 * prediction_log_batches whose data reads back, row by row, as what was
 * answered: shortest float32 numbers, missing values as null, escaping) and
 * the queue (bounded in rows, a batch per deployment, version and mode,
 * drops counted, a failed write kept for the next flush, close() writes the
 * rest).
 */
import { describe, expect, it } from "vitest";
import {
  ANSWER_WITHIN_MS,
  BATCH_MAX_SPAN_MS,
  batchRows,
  CLOCK_SLACK_MS,
  PREDICTION_BATCH_COLUMNS,
  type PredictionBatchData,
} from "../../db/queries/prediction-log";
import { float32Json, PredictionBatch, PredictionLog, STORED_BATCH_ROWS, type LoggedAnswer } from "./prediction-log";
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
    requestAt: null,
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

/** A COPY line → its fields, as PostgreSQL reads them (backslashes undoubled; the two arrays parsed). */
function fields(line: string) {
  expect(line.endsWith("\n")).toBe(true);
  const f = line.slice(0, -1).split("\t");
  expect(f.length).toBe(PREDICTION_BATCH_COLUMNS.length);
  // No raw backslash survives: COPY's text format reads one as an escape.
  expect(f[9]!.replaceAll("\\\\", "")).not.toContain("\\");
  const [deploymentId, version, mode, rowCount, firstAt, lastAt, ids, rows, indexed, data] = f as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    deploymentId,
    version: Number(version),
    mode,
    rowCount: Number(rowCount),
    firstAt: new Date(firstAt),
    lastAt: new Date(lastAt),
    requestIds: ids.slice(2, -2).split('","'),
    requestRows: rows.slice(1, -1).split(",").map(Number),
    indexedRequestIds: indexed === "{}" ? [] : indexed.slice(2, -2).split('","'),
    data: data.replaceAll("\\\\", "\\"),
  };
}

/** What a batch of these answers reads back as. */
function roundTrip(answers: LoggedAnswer[]) {
  const b = new PredictionBatch(answers[0]!.deploymentId, "d", answers[0]!.version, answers[0]!.mode, answers[0]!.feeds, 0);
  for (const a of answers) b.append(a);
  const f = fields(b.copyLine());
  return { fields: f, rows: batchRows(f) };
}

describe("a batch", () => {
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

  it("inputs read back per row: feature → number or string, missing (NaN, empty string) as null, JSON and COPY escaped", () => {
    const { rows } = roundTrip([answer(3, { feeds })]);
    expect(rows.map((r) => r.inputs)).toEqual([
      { x: 0.1, 'we"ird\\name': "a\\b" },
      { x: null, 'we"ird\\name': null },
      { x: 12, 'we"ird\\name': 'q"t' },
    ]);
  });

  it("outputs: each row's prediction; a classifier's label (class indexes as the class) and probabilities", () => {
    const reg = roundTrip([answer(2, { results: { prediction: { type: "float32", dims: [2, 1], data: Float32Array.from([1.5, 2.75]) } } })]);
    expect(reg.rows.map((r) => r.outputs)).toEqual([{ prediction: 1.5 }, { prediction: 2.75 }]);
    const cls = {
      label: { type: "int64", dims: [2], data: BigInt64Array.from([1n, 0n]) },
      probabilities: { type: "float32", dims: [2, 2], data: Float32Array.from([0.25, 0.75, 0.875, 0.125]) },
    };
    expect(roundTrip([answer(2, { results: cls, classes: ["no", "yes"] })]).rows.map((r) => r.outputs)).toEqual([
      { label: "yes", probabilities: [0.25, 0.75] },
      { label: "no", probabilities: [0.875, 0.125] },
    ]);
    expect(roundTrip([answer(1, { results: { label: { type: "string", dims: [1, 1], data: ["a"] } } })]).rows[0]!.outputs).toEqual({ label: "a" });
  });

  it("a COPY line per batch: deployment, version, mode, rows, first and last time, request ids and rows, then each prediction in order", () => {
    const t = Date.UTC(2026, 11, 7, 12, 0, 0);
    const { fields: f, rows } = roundTrip([answer(2, { at: t + 5, requestId: "a" }), answer(1, { at: t, requestId: "b", latencyMs: 0.25 })]);
    expect(f).toMatchObject({
      deploymentId: "00000000-0000-0000-0000-000000000001",
      version: 3,
      mode: "live",
      rowCount: 3,
      firstAt: new Date(t),
      lastAt: new Date(t + 5),
      requestIds: ["a", "a", "b"],
      requestRows: [0, 1, 0],
    });
    expect(rows.map((r) => [r.requestId, r.row, r.at.getTime() - t, r.latencyMs, r.version, r.mode])).toEqual([
      ["a", 0, 5, 0.5, 3, "live"],
      ["a", 1, 5, 0.5, 3, "live"],
      ["b", 0, 0, 0.25, 3, "live"],
    ]);
    // Both ids were the caller's: feedback finds them through the index.
    expect(f.indexedRequestIds).toEqual(["a", "b"]);
    // A time range keeps the rows answered in it.
    expect(batchRows(f, { from: new Date(t + 1), to: new Date(t + 10) }).map((r) => r.requestId)).toEqual(["a", "a"]);
  });
  it("packs float columns as float32 bytes (base64), single rows and whole feeds alike; they read back as the shortest decimals", () => {
    const x = { name: "x", datatype: "FP32" as const, data: Float32Array.from([0.1, Number.NaN, 1e-8]) };
    const one = (v: number) => ({ name: "x", datatype: "FP32" as const, data: Float32Array.from([v]) });
    const { fields: f, rows } = roundTrip([answer(3, { feeds: [x] }), ...[2.5, 3.4e38].map((v) => answer(1, { feeds: [one(v)] }))]);
    const data = JSON.parse(f.data) as PredictionBatchData;
    expect(data.inputs.x).toEqual({ f32: Buffer.from(Float32Array.from([0.1, Number.NaN, 1e-8, 2.5, 3.4e38]).buffer).toString("base64") });
    expect(data.latencyMs).toHaveProperty("f32");
    expect(rows.map((r) => r.inputs.x)).toEqual([0.1, null, 1e-8, 2.5, 3.4e38]);
  });

  it("reads batches written with decimal columns (before packing) as before", () => {
    const t = Date.UTC(2026, 11, 7, 12, 0, 0);
    const data: PredictionBatchData = { at: [0, 2], latencyMs: [0.5, 0.25], inputs: { x: [1.5, null], c: ["a", null] }, outputs: { prediction: [3, 4.5] } };
    const rows = batchRows({ version: 2, mode: "live", firstAt: new Date(t), requestIds: ["a", "b"], requestRows: [0, 0], data: JSON.stringify(data) });
    expect(rows.map((r) => [r.requestId, r.inputs, r.outputs, r.latencyMs, r.at.getTime() - t])).toEqual([
      ["a", { x: 1.5, c: "a" }, { prediction: 3 }, 0.5, 0],
      ["b", { x: null, c: null }, { prediction: 4.5 }, 0.25, 2],
    ]);
  });

  it("indexes only the request ids feedback cannot find by their time: the caller's, and those answered late or before", () => {
    const t = Date.UTC(2026, 11, 7, 12, 0, 0);
    const { fields: f } = roundTrip([
      answer(2, { at: t + 3, requestId: "made", requestAt: t }),
      answer(1, { at: t + 4, requestId: "mine", requestAt: null }),
      answer(1, { at: t + 5, requestId: "late", requestAt: t + 5 - ANSWER_WITHIN_MS - 1 }),
      answer(1, { at: t + 6, requestId: "stepped-back", requestAt: t + 6 + CLOCK_SLACK_MS + 1 }),
      answer(1, { at: t + 7, requestId: "on-time", requestAt: t + 7 - ANSWER_WITHIN_MS }),
    ]);
    expect(f.requestIds).toEqual(["made", "made", "mine", "late", "stepped-back", "on-time"]);
    expect(f.indexedRequestIds).toEqual(["mine", "late", "stepped-back"]);
  });
});

describe("the queue", () => {
  it("writes everything while there is room, in batches of at most batchRows rows (more at once while a full batch waits)", async () => {
    const batches: number[] = [];
    const log = new PredictionLog(
      async (lines) => {
        let n = 0;
        for (const line of lines) n += Number(line.split("\t")[3]);
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
      async (lines) => {
        if (fail) throw new Error("the store is down");
        for (const line of lines) wrote += Number(line.split("\t")[3]);
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

  it("stores at most STORED_BATCH_ROWS rows per batch, several batches per COPY", async () => {
    const writes: number[][] = [];
    const log = new PredictionLog(
      async (ls) => {
        writes.push([...ls].map((l) => Number(l.split("\t")[3])));
      },
      { maxRows: 100_000, batchRows: 5_000, flushMs: 1_000_000 },
    );
    for (let i = 0; i < 25; i++) log.record(answer(100));
    await log.flush();
    expect(writes).toEqual([[STORED_BATCH_ROWS, STORED_BATCH_ROWS, 500]]);
  });

  it("keeps a batch per deployment, version and mode, and seals one that spans BATCH_MAX_SPAN_MS", async () => {
    const lines: string[][] = [];
    const log = new PredictionLog(
      async (ls) => {
        lines.push([...ls].map((l) => l.split("\t").slice(1, 4).join(" ")));
      },
      { maxRows: 1000, batchRows: 1000, flushMs: 1_000_000 },
    );
    const t = Date.UTC(2026, 11, 7, 12, 0, 0);
    log.record(answer(2, { at: t }));
    log.record(answer(1, { at: t, version: 4 }));
    log.record(answer(1, { at: t, mode: "shadow" }));
    log.record(answer(3, { at: t + BATCH_MAX_SPAN_MS }));
    log.record(answer(1, { at: t + BATCH_MAX_SPAN_MS + 1 }));
    await log.flush();
    expect(lines.length).toBe(1); // one COPY
    expect(lines[0]!.sort()).toEqual(["3 live 1", "3 live 5", "3 shadow 1", "4 live 1"]);
  });
});
