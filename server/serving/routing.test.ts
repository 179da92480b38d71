import { describe, expect, it } from "vitest";
import { float32Text, hashKey, pickRoute, stickyKeyOf } from "./routing";
import type { LoadedRoute } from "./model-registry";
import { agreement } from "./shadow";
import { RouteStats } from "./stats";
import type { ServingStatsRow } from "../../db/queries/deployments";

/** BYTES elements as the binary extension lays them out: a 4-byte little-endian length, then the bytes. */
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

function fp32(values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeFloatLE(v, i * 4));
  return b;
}

function deployment(weights: number[]) {
  const live = weights.map((weight, i) => ({ weight, mode: "live", served: { version: i + 1 } }) as unknown as LoadedRoute);
  const cumulative: number[] = [];
  let sum = 0;
  for (const w of weights) cumulative.push((sum += w));
  return { live, cumulative };
}

describe("pickRoute", () => {
  it("sends everything to a single live route", () => {
    const d = deployment([100]);
    expect(pickRoute(d, undefined, () => 0.999).served.version).toBe(1);
  });

  it("draws by weight without a key", () => {
    const d = deployment([90, 10]);
    expect(pickRoute(d, undefined, () => 0.5).served.version).toBe(1);
    expect(pickRoute(d, undefined, () => 0.95).served.version).toBe(2);
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    let challenger = 0;
    for (let i = 0; i < 20_000; i++) if (pickRoute(d, undefined, random).served.version === 2) challenger++;
    expect(Math.abs(challenger / 20_000 - 0.1)).toBeLessThan(0.01);
  });

  it("is sticky by key: one key, one version; the split over 10,000 keys is within 2% of the weights", () => {
    const d = deployment([70, 30]);
    const seen = new Map<string, number>();
    let b = 0;
    for (let i = 0; i < 10_000; i++) {
      const key = `customer-${i}`;
      const v = pickRoute(d, key).served.version;
      seen.set(key, v);
      if (v === 2) b++;
    }
    expect(Math.abs(b / 10_000 - 0.3)).toBeLessThan(0.02);
    for (const [key, v] of [...seen].slice(0, 500)) expect(pickRoute(d, key, () => Math.random()).served.version).toBe(v);
  });

  it("hashes the same on every process (FNV-1a)", () => {
    expect(hashKey("")).toBe(0x811c9dc5);
    expect(hashKey("a")).toBe(0xe40c292c);
  });
});

describe("stickyKeyOf", () => {
  it("reads an OIP request parameter", () => {
    expect(stickyKeyOf({ parameters: { user: "u1" }, inputs: [] }, { parameter: "user" }, "infer")).toBe("u1");
    expect(stickyKeyOf({ parameters: { user: 42 } }, { parameter: "user" }, "infer")).toBe("42");
    expect(stickyKeyOf({ inputs: [] }, { parameter: "user" }, "infer")).toBeUndefined();
  });
  it("reads the first row of an input column", () => {
    expect(stickyKeyOf({ inputs: [{ name: "store", data: [["s9"], ["s1"]] }] }, { column: "store" }, "infer")).toBe("s9");
    expect(stickyKeyOf({ instances: [{ store: "s2" }, { store: "s3" }] }, { column: "store" }, "predict")).toBe("s2");
    expect(stickyKeyOf({ instances: [{ other: 1 }] }, { column: "store" }, "predict")).toBeUndefined();
  });
  it("counts a number in a column as its float32, as the model receives it", () => {
    expect(stickyKeyOf({ instances: [{ store: 12 }] }, { column: "store" }, "predict")).toBe("12");
    expect(stickyKeyOf({ inputs: [{ name: "store", data: [6.1] }] }, { column: "store" }, "infer")).toBe("6.1");
    // Past float32's precision: the value the model sees (so the binary encoding of the same number agrees).
    expect(stickyKeyOf({ instances: [{ store: 16_777_217 }] }, { column: "store" }, "predict")).toBe("16777216");
    // A missing value (null, NaN) has no key: the route is drawn at random.
    expect(stickyKeyOf({ instances: [{ store: null }] }, { column: "store" }, "predict")).toBeUndefined();
  });
  it("reads the first row of a column sent as binary tensor data, the same key as its JSON", () => {
    const x = fp32([6.1, 2]);
    const store = bytesTensor(["s9", "s1"]);
    const binary = (store2 = store) => Buffer.concat([x, store2]);
    const inputs = [
      { name: "x", datatype: "FP32", shape: [2, 1], parameters: { binary_data_size: x.length } },
      { name: "store", datatype: "BYTES", shape: [2, 1], parameters: { binary_data_size: store.length } },
    ];
    // BYTES after an FP32 input: its bytes start after the FP32 ones.
    expect(stickyKeyOf({ inputs }, { column: "store" }, "infer", binary())).toBe("s9");
    // FP32: the float32 6.1 (6.099999904…) is the key "6.1", as in JSON.
    expect(stickyKeyOf({ inputs }, { column: "x" }, "infer", binary())).toBe("6.1");
    expect(stickyKeyOf({ inputs: [{ name: "x", datatype: "FP32", shape: [1, 1], data: [6.1] }] }, { column: "x" }, "infer")).toBe("6.1");
    // An input sent as JSON among binary ones takes no bytes.
    const mixed = [{ name: "x", datatype: "FP32", shape: [2, 1], data: [1, 2] }, inputs[1]];
    expect(stickyKeyOf({ inputs: mixed }, { column: "store" }, "infer", store)).toBe("s9");
    // The named column missing, or its binary data malformed: no key (the parse then answers the 400 it always did).
    expect(stickyKeyOf({ inputs }, { column: "other" }, "infer", binary())).toBeUndefined();
    expect(stickyKeyOf({ inputs }, { column: "store" }, "infer", x)).toBeUndefined();
    const badSize = [{ ...inputs[0], parameters: { binary_data_size: -4 } }, inputs[1]];
    expect(stickyKeyOf({ inputs: badSize }, { column: "store" }, "infer", binary())).toBeUndefined();
    // A parameter key ignores the binary data.
    expect(stickyKeyOf({ inputs, parameters: { user: "u7" } }, { parameter: "user" }, "infer", binary())).toBe("u7");
  });
  it("float32Text: the shortest decimal that reads back as the same float32", () => {
    expect(float32Text(Math.fround(6.1))).toBe("6.1");
    expect(float32Text(Math.fround(-2.5))).toBe("-2.5");
    expect(float32Text(Math.fround(123_456_789))).toBe("123456790");
    expect(float32Text(Math.fround(1e-7))).toBe("1e-7");
    expect(float32Text(3.4e39)).toBe("Infinity");
    for (const x of [0.1, 1 / 3, 7e-30, 98765.4321, -0.000123]) {
      const f = Math.fround(x);
      expect(Math.fround(Number(float32Text(f)))).toBe(f);
    }
  });
  it("has none without a sticky config or with a body that is not an object", () => {
    expect(stickyKeyOf({ parameters: { user: "u" } }, undefined, "infer")).toBeUndefined();
    expect(stickyKeyOf("text", { column: "x" }, "predict")).toBeUndefined();
  });
});

describe("shadow agreement", () => {
  const t = (data: unknown) => ({ type: "", dims: [], data });
  it("counts equal labels", () => {
    expect(agreement({ label: t(["a", "b", "c"]) }, { label: t(["a", "x", "c"]) }, 3)).toBe(2);
  });
  it("counts regression predictions within 5%", () => {
    expect(agreement({ prediction: t(new Float32Array([100, 100, 0])) }, { prediction: t(new Float32Array([104, 120, 0])) }, 3)).toBe(2);
  });
  it("cannot compare when the live answer has neither output", () => {
    expect(agreement({ probabilities: t([]) }, { label: t(["a"]) }, 1)).toBeNull();
  });
});

describe("RouteStats", () => {
  it("counts per version and window, writes them and keeps them when the write fails", async () => {
    const written: ServingStatsRow[][] = [];
    let fail = true;
    const stats = new RouteStats(
      async (rows) => {
        if (fail) throw new Error("down");
        written.push(rows);
      },
      { now: () => 25_000 },
    );
    stats.observe("d", 1, "live", false, 0.0007);
    stats.observe("d", 1, "live", true, 0.02);
    stats.observe("d", 2, "shadow", false, 0.001);
    stats.compare("d", 2, 3, 2);
    await stats.flush();
    expect(written).toHaveLength(0);
    fail = false;
    stats.observe("d", 1, "live", false, 0.0007);
    await stats.close();
    const rows = written.flat();
    const v1 = rows.find((r) => r.version === 1)!;
    expect(v1).toMatchObject({ requests: 3, errors: 1, windowStart: new Date(20_000) });
    expect(v1.latencyBuckets[1]).toBe(2);
    expect(rows.find((r) => r.version === 2)).toMatchObject({ mode: "shadow", requests: 1, compared: 3, agreed: 2 });
  });
});
