/**
 * Uploads through the real route handler (real PostgreSQL, the configured
 * artifact store): a malformed file is refused naming its line and leaves
 * nothing behind; a body past the limit is cut as soon as it passes it,
 * without being held in memory; a good one can be looked at (column
 * statistics and first rows) before anything is built on it.
 */
import fsp from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../../../testing/temporal-harness";
import { api, apiJson } from "../../../testing/api";
import { LIMITS } from "../../../contract/api/common";
import { artifactStore } from "../../../infra/artifacts";

const suffix = Math.random().toString(36).slice(2, 8);
let h: Harness;
let scratchRoot: string;

beforeAll(async () => {
  h = await startHarness();
  // Where uploads are written while they arrive (the store's scratch directory).
  const probe = await artifactStore().scratch("probe");
  scratchRoot = path.dirname(probe);
  await fsp.rm(probe, { recursive: true });
});
afterAll(async () => {
  await h?.stop();
});

const leftovers = async () => (await fsp.readdir(scratchRoot)).filter((d) => d.startsWith("upload-"));
const names = async () => (await apiJson<{ name: string }[]>("GET", "/api/v1/datasets", 200)).map((d) => d.name);

describe("uploading a dataset", () => {
  it("refuses a malformed file with a 422 naming the line or the problem, and stores nothing", async () => {
    const cases: [string, string | Uint8Array, string][] = [
      ["quote", 'a,b,c\n1,2,3\n4,"five,6\n7,8,9\n', "the CSV was not accepted: line 3: a quoted field opens here and is never closed"],
      ["ragged", "a,b,c\n1,2,3\n4,5\n", "the CSV was not accepted: line 3 has 2 fields but the header has 3"],
      ["header", "size,rooms,price\n", "the CSV was not accepted: the CSV has a header row (size, rooms, price) but no data rows"],
      ["binary", new Uint8Array([0x50, 0x41, 0x52, 0x31, 0x15, 0x04, 0x15, 0x10]), "the CSV was not accepted: the file is a Parquet file, not CSV text"],
      ["blank", "\n\n", "the CSV was not accepted: the file is empty"],
    ];
    for (const [kind, body, message] of cases) {
      const res = await api("POST", `/api/v1/datasets?name=bad-${kind}-${suffix}`, { body, type: "text/csv" });
      const text = await res.text();
      expect(res.status, kind).toBe(422);
      const { error } = JSON.parse(text) as { error: { code: string; message: string; details: { field: string; message: string }[] } };
      expect(error.code).toBe("invalid");
      expect(error.message.startsWith(message), `${kind}: ${error.message}`).toBe(true);
      expect(error.details).toEqual([{ nodeId: null, field: "body", message: expect.any(String) }]);
      expect(text).not.toContain(scratchRoot);
      expect(text).not.toMatch(/duckdb|sniff|upload\.csv/i);
    }
    const empty = await apiJson("POST", `/api/v1/datasets?name=bad-empty-${suffix}`, 400, { body: "", type: "text/csv" });
    expect(empty.error.message).toBe("the request body is empty; send the CSV as text/csv");
    expect((await names()).filter((n) => n.endsWith(suffix))).toEqual([]);
    expect(await leftovers()).toEqual([]);
  });

  it("reads a large file with DuckDB, and names the line of a ragged row far down in one; mixed line ends are fine", async () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => `${i},${(i * 0.5).toFixed(1)},city ${i % 7}`);
    const good = await apiJson("POST", `/api/v1/datasets?name=large-${suffix}`, 201, { body: `id,price,city\n${rows.join("\n")}\n`, type: "text/csv" });
    expect(good).toMatchObject({ rows: 200_000, columns: [{ name: "id" }, { name: "price", type: "DOUBLE" }, { name: "city", type: "VARCHAR" }] });
    rows[150_000] = "150000,75000.0";
    const bad = await apiJson("POST", `/api/v1/datasets?name=large-bad-${suffix}`, 422, { body: `id,price,city\n${rows.join("\n")}\n`, type: "text/csv" });
    expect(bad.error.message).toMatch(/^the CSV was not accepted: line 150002 has 2 fields but the header has 3/);
    const mixed = await apiJson("POST", `/api/v1/datasets?name=mixed-${suffix}`, 201, { body: "a,b\r\n1,x\r\n2,y\n3,z\r\n", type: "text/csv" });
    expect(mixed.rows).toBe(3);
    expect(await leftovers()).toEqual([]);
  });

  it("cuts a chunked body as soon as it passes the limit: 413, the rest never read, memory not grown by it, nothing left behind", async () => {
    const total = 1024 * 1024 * 1024; // 1 GB offered, 200 MB allowed
    const row = "12345,67.5,some text in a row\n";
    const chunkText = row.repeat(Math.floor((1024 * 1024) / row.length));
    const chunk = new TextEncoder().encode(chunkText);
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        start(controller) {
          controller.enqueue(new TextEncoder().encode("id,price,note\n"));
        },
        pull(controller) {
          if (pulled >= total) return controller.close();
          pulled += chunk.byteLength;
          controller.enqueue(chunk.slice()); // a fresh buffer each time, as a socket gives
        },
      },
      { highWaterMark: 1 },
    );
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const started = performance.now();
    let res: Response;
    try {
      res = await api("POST", `/api/v1/datasets?name=too-big-${suffix}`, { body, type: "text/csv" });
    } finally {
      clearInterval(sampler);
    }
    const seconds = (performance.now() - started) / 1000;
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatchObject({ code: "payload_too_large", message: "the CSV is larger than 200 MB" });
    // Read up to the limit and a few chunks the stream had queued, never the rest of the gigabyte.
    expect(pulled).toBeGreaterThanOrEqual(LIMITS.csvBytes - 2 * chunk.byteLength);
    expect(pulled).toBeLessThan(LIMITS.csvBytes + 8 * chunk.byteLength);
    // One chunk at a time in memory: the process grew by far less than the 200 MB it read (it held them all before: +210 MB).
    const grewMb = (peak - before) / 1024 / 1024;
    console.log(`413 after ${seconds.toFixed(1)} s, ${(pulled / 1024 / 1024).toFixed(0)} MB read of 1024 MB, RSS +${grewMb.toFixed(0)} MB at the peak`);
    expect(grewMb).toBeLessThan(150);
    expect(await leftovers()).toEqual([]);
    expect(await names()).not.toContain(`too-big-${suffix}`);

    // Declared too large: refused before a byte is read.
    const declared = await apiJson("POST", `/api/v1/datasets?name=too-big-${suffix}`, 413, {
      body: "a\n1\n",
      type: "text/csv",
      headers: { "content-length": String(LIMITS.csvBytes + 1) },
    });
    expect(declared.error.code).toBe("payload_too_large");
  });

  it("shows a dataset's column statistics and first rows", async () => {
    const csv = [
      "size,rooms,city,sold,note",
      "50.5,2,Oslo,2024-01-02,",
      "60,3,Bergen,2024-02-03,corner flat",
      '70,,Oslo,2024-03-04,"has ""quotes"", a comma"',
      "80,4,Oslo,2024-04-05,",
      "",
    ].join("\n");
    const up = await apiJson("POST", `/api/v1/datasets?name=houses-${suffix}`, 201, { body: csv, type: "text/csv" });
    expect(up.rows).toBe(4);
    const ds = await apiJson("GET", `/api/v1/datasets/${up.id}`, 200);
    expect(ds).toMatchObject({ id: up.id, name: `houses-${suffix}`, version: 1, rows: 4 });
    expect(ds.stats).toEqual([
      { name: "size", type: "DOUBLE", kind: "number", missing: 0, distinct: 4, min: 50.5, max: 80, mean: 65.125, top: [] },
      { name: "rooms", type: "BIGINT", kind: "number", missing: 1, distinct: 3, min: 2, max: 4, mean: 3, top: [] },
      {
        name: "city",
        type: "VARCHAR",
        kind: "string",
        missing: 0,
        distinct: 2,
        min: null,
        max: null,
        mean: null,
        top: [
          { value: "Oslo", count: 3 },
          { value: "Bergen", count: 1 },
        ],
      },
      {
        name: "sold",
        type: "DATE",
        kind: "other",
        missing: 0,
        distinct: 4,
        min: "2024-01-02",
        max: "2024-04-05",
        mean: null,
        top: [],
      },
      {
        name: "note",
        type: "VARCHAR",
        kind: "string",
        missing: 2,
        distinct: 2,
        min: null,
        max: null,
        mean: null,
        top: [
          { value: "corner flat", count: 1 },
          { value: 'has "quotes", a comma', count: 1 },
        ],
      },
    ]);
    expect(ds.preview.rows).toEqual([
      [50.5, 2, "Oslo", "2024-01-02", null],
      [60, 3, "Bergen", "2024-02-03", "corner flat"],
      [70, null, "Oslo", "2024-03-04", 'has "quotes", a comma'],
      [80, 4, "Oslo", "2024-04-05", null],
    ]);
    expect((await apiJson("GET", "/api/v1/datasets/00000000-0000-0000-0000-000000000000", 404)).error.message).toBe(
      "dataset 00000000-0000-0000-0000-000000000000 does not exist",
    );
    expect((await apiJson("GET", "/api/v1/datasets/not-a-uuid", 404)).error.code).toBe("not_found");
  });
});
