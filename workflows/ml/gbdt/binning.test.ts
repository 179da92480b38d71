import { describe, expect, it } from "vitest";
import { binCategorical, binNumeric, fitCategoricalBinning, fitNumericBinning, numericBin, type CategoricalBinning, type NumericBinning } from "./binning";

function numeric(values: number[], maxBins = 256): NumericBinning {
  const r = fitNumericBinning("x", Float64Array.from(values), maxBins);
  if (!r.ok) throw new Error(r.note);
  if (r.binning.kind !== "number") throw new Error("expected numeric");
  return r.binning;
}

describe("numeric binning", () => {
  it("gives each distinct value a bin, cut at float32 midpoints, missing bin last", () => {
    const b = numeric([3, 1, 2, 2, NaN, 1]);
    expect(Array.from(b.cuts)).toEqual([1.5, 2.5]);
    expect(b.nBins).toBe(4);
    expect(b.missingBin).toBe(3);
    expect(b.hasMissing).toBe(true);
    const out = new Uint8Array(6);
    binNumeric(b, Float64Array.from([3, 1, 2, 2, NaN, 1]), out, 0);
    expect(Array.from(out)).toEqual([2, 0, 1, 1, 3, 0]);
    // x ≤ cut goes to the lower bin — the rule predict() and ONNX apply.
    expect(numericBin(b, 1.5)).toBe(0);
    expect(numericBin(b, 1.5000001)).toBe(1);
    expect(numericBin(b, 100)).toBe(2);
  });

  it("cuts are float32 numbers and respect float32 rounding of the inputs", () => {
    const a = 0.1;
    const b = numeric([a, 0.2, 0.2]);
    for (const c of b.cuts) expect(Math.fround(c)).toBe(c);
    // 0.1 and its float32 rounding fall into the same bin.
    expect(numericBin(b, a)).toBe(numericBin(b, Math.fround(a)));
    // Neighbouring float32 values: the cut is the lower one, never the upper.
    const lo = Math.fround(1);
    const hi = Math.fround(1 + 2 ** -23);
    const n = numeric([lo, hi]);
    expect(n.cuts[0]).toBe(lo);
    expect(numericBin(n, hi)).toBe(1);
  });

  it("keeps a missing bin even without NaN in training (NaN follows the default direction later)", () => {
    const b = numeric([1, 2, 3]);
    expect(b.hasMissing).toBe(false);
    expect(b.missingBin).toBe(3);
    expect(numericBin(b, NaN)).toBe(3);
  });

  it("drops a constant or empty column with a note", () => {
    const c = fitNumericBinning("c", Float64Array.from([7, 7, 7]), 256);
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.note).toMatch(/"c".*constant/);
    const e = fitNumericBinning("e", Float64Array.from([NaN, NaN]), 256);
    expect(e.ok).toBe(false);
    if (!e.ok) expect(e.note).toMatch(/"e".*no values/);
    // Constant but partly missing: missing vs present is information, so it stays.
    expect(fitNumericBinning("m", Float64Array.from([7, NaN, 7]), 256).ok).toBe(true);
  });

  it("quantile-bins many values into at most maxBins − 1 value bins of similar size", () => {
    const n = 10_000;
    const v = Float64Array.from({ length: n }, (_, i) => (i * 7919) % n); // 0 … n−1, shuffled
    const b = numeric(Array.from(v), 16);
    expect(b.cuts.length + 1).toBeLessThanOrEqual(15);
    const out = new Uint8Array(n);
    binNumeric(b, v, out, 0);
    const counts = new Array<number>(b.nBins).fill(0);
    for (const x of out) counts[x]!++;
    const valueBins = counts.slice(0, -1);
    expect(Math.min(...valueBins)).toBeGreaterThan(n / 15 / 2);
    expect(Math.max(...valueBins)).toBeLessThan((n / 15) * 2);
    // Monotone: larger values never land in a lower bin.
    for (let i = 1; i < n; i++) expect(numericBin(b, i)).toBeGreaterThanOrEqual(numericBin(b, i - 1));
  });

  it("gives a heavy value a bin of its own", () => {
    const values = [...Array.from({ length: 1000 }, (_, i) => i), ...new Array<number>(5000).fill(500.5)];
    const b = numeric(values, 8);
    const heavy = numericBin(b, 500.5);
    expect(numericBin(b, 500)).not.toBe(heavy);
    expect(numericBin(b, 501)).not.toBe(heavy);
  });

  it("uses the sorting path past 4096 distinct values with the same cut rules", () => {
    const values = Array.from({ length: 6000 }, (_, i) => i / 3);
    const b = numeric(values, 256);
    expect(b.cuts.length).toBe(254);
    for (let i = 1; i < b.cuts.length; i++) expect(b.cuts[i]!).toBeGreaterThan(b.cuts[i - 1]!);
  });
});

describe("categorical binning", () => {
  it("bin 0 = missing or not kept, bin c + 1 = category c (sorted by code units)", () => {
    const r = fitCategoricalBinning("s", ["b", "a", null, "", "b", "Z"], 256);
    expect(r.ok).toBe(true);
    const b = (r as { binning: CategoricalBinning }).binning;
    expect(b.categories).toEqual(["Z", "a", "b"]);
    expect(b.nBins).toBe(4);
    const out = new Uint8Array(6);
    binCategorical(b, ["b", "a", null, "", "b", "Z"], out, 0);
    expect(Array.from(out)).toEqual([3, 2, 0, 0, 3, 1]);
  });

  it("keeps the maxBins − 1 most frequent categories, with a note", () => {
    const values = ["a", "a", "a", "b", "b", "c", "d"];
    const r = fitCategoricalBinning("s", values, 3);
    expect(r.ok).toBe(true);
    if (r.ok && r.binning.kind === "string") {
      expect(r.binning.categories).toEqual(["a", "b"]);
      expect(r.note).toMatch(/4 distinct values.*2 most frequent/);
    }
  });

  it("drops a single-category column with no missing values, and an empty one", () => {
    expect(fitCategoricalBinning("s", ["x", "x"], 256).ok).toBe(false);
    expect(fitCategoricalBinning("s", [null, ""], 256).ok).toBe(false);
    expect(fitCategoricalBinning("s", ["x", null], 256).ok).toBe(true);
  });
});
