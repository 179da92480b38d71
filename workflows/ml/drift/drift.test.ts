/**
 * Drift statistics against SciPy: fixtures/scipy-drift.json holds fixed
 * datasets and the figures numpy 2.3 / SciPy 1.16 give for them
 * (fixtures/scipy-drift.py); every statistic must match to 1e-6 (absolute,
 * relative for Wasserstein). Plus the edge cases: constant columns, ties,
 * empty windows, missing values, the radix sort.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DRIFT_BINS, PSI_EPSILON, ZColumnDrift, type CategoricalProfile, type NumericProfile } from "../../../contract/monitoring";
import {
  binEdges,
  binIndex,
  categoricalCounts,
  categoricalDrift,
  jsDistance,
  ksStatistic,
  numericCounts,
  numericDrift,
  psi,
  sortedFinite,
  UNSEEN_LABEL,
  wasserstein1,
} from "./drift";
import { categoricalProfile, numericProfile } from "./profile";

interface NumericCase {
  name: string;
  kind: "numeric";
  ref: (number | null)[];
  cur: (number | null)[];
  deciles: number[];
  refCounts: number[];
  curCounts: number[];
  refMissing: number;
  curMissing: number;
  min: number;
  max: number;
  mean: number;
  std: number;
  sample: number[];
  psi: number;
  js: number;
  ks: number;
  wasserstein: number;
  ksSketch: number;
  wassersteinSketch: number;
  outOfRange: number;
}
interface CategoricalCase {
  name: string;
  kind: "categorical";
  ref: (string | null)[];
  cur: (string | null)[];
  categories: string[];
  frequencies: number[];
  other: number;
  refMissing: number;
  curMissing: number;
  refCounts: number[];
  curCounts: number[];
  unseen: number;
  psi: number;
  js: number;
}
interface ScipyFixture {
  numpy: string;
  scipy: string;
  psiEpsilon: number;
  cases: (NumericCase | CategoricalCase)[];
}

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "scipy-drift.json"), "utf8")) as ScipyFixture;
const numericCases = fixture.cases.filter((c): c is NumericCase => c.kind === "numeric");
const categoricalCases = fixture.cases.filter((c): c is CategoricalCase => c.kind === "categorical");
const f64 = (v: (number | null)[]) => Float64Array.from(v, (x) => (x === null ? NaN : x));

const TOL = 1e-6;
/** |a − b| ≤ 1e-6, or 1e-6 of b's magnitude when that is larger. */
function close(actual: number, expected: number, what: string): void {
  expect(Number.isFinite(actual), `${what}: ${actual}`).toBe(true);
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(TOL * Math.max(1, Math.abs(expected)));
}

describe("the drift statistics match SciPy (fixtures/scipy-drift.json)", () => {
  it("uses the fixture of the pinned versions and the contract's epsilon", () => {
    expect([fixture.numpy, fixture.scipy]).toEqual(["2.3.5", "1.16.3"]);
    expect(fixture.psiEpsilon).toBe(PSI_EPSILON);
    expect(numericCases.length).toBeGreaterThanOrEqual(8);
    expect(categoricalCases.length).toBeGreaterThanOrEqual(3);
  });

  for (const c of numericCases) {
    it(`numeric: ${c.name}`, () => {
      const ref = f64(c.ref);
      const cur = f64(c.cur);
      const rs = sortedFinite(ref);
      const cs = sortedFinite(cur);
      // Deciles as numpy.quantile (linear): to the last bit, since bins depend on ties with them.
      expect(binEdges(rs)).toEqual(c.deciles);
      expect(numericCounts(ref, c.deciles)).toEqual({ counts: c.refCounts, missing: c.refMissing });
      expect(numericCounts(cur, c.deciles)).toEqual({ counts: c.curCounts, missing: c.curMissing });
      close(psi(c.refCounts, c.curCounts), c.psi, "psi");
      close(jsDistance(c.refCounts, c.curCounts), c.js, "js");
      close(ksStatistic(rs, cs), c.ks, "ks");
      close(wasserstein1(rs, cs), c.wasserstein, "wasserstein");

      // The profile and the window's drift against it (KS and Wasserstein against the profile's sample).
      const profile = numericProfile(c.name, ref);
      expect(profile).toMatchObject({ count: rs.length, missing: c.refMissing, min: c.min, max: c.max, deciles: c.deciles, counts: c.refCounts });
      close(profile.mean!, c.mean, "mean");
      close(profile.std!, c.std, "std");
      expect(profile.sample.length).toBe(c.sample.length);
      profile.sample.forEach((v, i) => close(v, c.sample[i]!, `sample[${i}]`));
      const d = numericDrift(profile, cur);
      expect(ZColumnDrift.parse(d)).toEqual(d);
      expect(d).toMatchObject({ name: c.name, kind: "numeric", rows: cs.length, counts: c.curCounts, outOfRange: c.outOfRange, unseen: 0 });
      close(d.missingRate, c.curMissing / c.cur.length, "missingRate");
      close(d.psi, c.psi, "drift psi");
      close(d.js, c.js, "drift js");
      close(d.ks!, c.ksSketch, "drift ks");
      close(d.wasserstein!, c.wassersteinSketch, "drift wasserstein");
      if (c.sample.length === rs.length) expect([d.ks, d.wasserstein]).toEqual([ksStatistic(rs, cs), wasserstein1(rs, cs)]);
    });
  }

  for (const c of categoricalCases) {
    it(`categorical: ${c.name}`, () => {
      const profile = categoricalProfile(c.name, c.ref);
      expect(Object.keys(profile.frequencies).length).toBe(c.categories.length);
      expect(c.categories.map((k) => profile.frequencies[k])).toEqual(c.frequencies);
      expect([profile.other, profile.missing, profile.count]).toEqual([c.other, c.refMissing, c.ref.length - c.refMissing]);
      expect(categoricalCounts(c.cur, c.categories)).toEqual({ counts: c.curCounts, missing: c.curMissing, unseen: c.unseen });
      close(psi(c.refCounts, c.curCounts), c.psi, "psi");
      close(jsDistance(c.refCounts, c.curCounts), c.js, "js");
      const d = categoricalDrift(profile, c.cur);
      expect(ZColumnDrift.parse(d)).toEqual(d);
      expect(d).toMatchObject({
        kind: "categorical",
        rows: c.cur.length - c.curMissing,
        ks: null,
        wasserstein: null,
        outOfRange: 0,
        unseen: c.unseen,
        counts: c.curCounts,
        labels: [...c.categories, UNSEEN_LABEL],
      });
      close(d.psi, c.psi, "drift psi");
      close(d.js, c.js, "drift js");
      close(d.missingRate, c.curMissing / c.cur.length, "missingRate");
    });
  }
});

describe("drift edge cases", () => {
  const constant = (n: number, v: number) => new Float64Array(n).fill(v);

  it("bins: a value equal to an edge goes to the lower bin; the outer bins are open-ended", () => {
    const edges = [1, 2, 2, 3];
    expect([-1e300, 1, 1.5, 2, 2.0000001, 3, 3.5, 1e300].map((x) => binIndex(x, edges))).toEqual([0, 0, 1, 1, 3, 3, 4, 4]);
    expect(binEdges(Float64Array.from([0, 10]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => k / 1)); // (n−1)·q between the two
    expect(binEdges(Float64Array.from([7]))).toEqual(new Array(DRIFT_BINS - 1).fill(7));
    expect(() => binEdges(new Float64Array(0))).toThrow(/no values/);
  });

  it("a constant column gives defined figures: zero against itself, KS 1 and Wasserstein |δ| against another constant", () => {
    const p = numericProfile("c", constant(500, 2));
    expect(p).toMatchObject({ count: 500, min: 2, max: 2, mean: 2, std: 0, deciles: new Array(9).fill(2) });
    expect(p.counts).toEqual([500, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const same = numericDrift(p, constant(100, 2));
    expect([same.psi, same.js, same.ks, same.wasserstein, same.outOfRange]).toEqual([0, 0, 0, 0, 0]);
    const up = numericDrift(p, constant(100, 2.5));
    expect(up.counts).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 100]);
    expect([up.ks, up.wasserstein, up.js, up.outOfRange]).toEqual([1, 0.5, 1, 100]);
    // Shares 1 + ε and ε in two bins, swapped: 2·(1)·ln((1 + ε)/ε).
    expect(up.psi).toBeCloseTo(2 * Math.log((1 + PSI_EPSILON) / PSI_EPSILON), 9);
    const down = numericDrift(p, constant(100, 1));
    expect(down.counts[0]).toBe(100); // below the constant: bin 0, like the reference itself
    expect([down.psi, down.js, down.ks, down.wasserstein, down.outOfRange]).toEqual([0, 0, 1, 1, 100]);
    // A varied reference against a constant window.
    const varied = numericProfile(
      "v",
      Float64Array.from({ length: 100 }, (_, i) => i),
    );
    const flat = numericDrift(varied, constant(50, 49.5));
    for (const k of ["psi", "js", "ks", "wasserstein"] as const) expect(Number.isFinite(flat[k])).toBe(true);
    expect(flat.ks).toBeCloseTo(0.5, 12);
    expect(flat.wasserstein).toBeCloseTo(25, 12);
  });

  it("an empty window or an all-missing one is the caller's 'no data', never NaN", () => {
    const p = numericProfile("x", Float64Array.from([1, 2, 3]));
    expect(() => numericDrift(p, new Float64Array(0))).toThrow(/no values of "x".*no data/);
    expect(() => numericDrift(p, Float64Array.from([NaN, Infinity]))).toThrow(/no values of "x" \(2 rows, all missing\)/);
    expect(() => psi([1, 2], [0, 0])).toThrow(/all zero/);
    expect(() => jsDistance([0, 0], [1, 1])).toThrow(/all zero/);
    expect(() => psi([1], [1, 2])).toThrow(/1 reference bins but 2/);
    expect(() => ksStatistic(new Float64Array(0), Float64Array.from([1]))).toThrow(/no values/);
    expect(() => wasserstein1(Float64Array.from([1]), new Float64Array(0))).toThrow(/no values/);
    const empty = numericProfile("e", Float64Array.from([NaN, NaN]));
    expect(empty).toMatchObject({ count: 0, missing: 2, min: null, deciles: [], sample: [] });
    expect(() => numericDrift(empty, Float64Array.from([1]))).toThrow(/reference profile of "e" has no values/);
    const cat = categoricalProfile("k", ["a", null]);
    expect(() => categoricalDrift(cat, [null, null])).toThrow(/no values of "k"/);
    expect(() => categoricalDrift(categoricalProfile("n", [null]), ["a"])).toThrow(/reference profile of "n" has no values/);
  });

  it("missing values (NaN, ±Infinity) count only towards the missing rate", () => {
    const p = numericProfile("m", Float64Array.from([1, 2, 3, 4, NaN, Infinity, -Infinity]));
    expect([p.count, p.missing, p.min, p.max]).toEqual([4, 3, 1, 4]);
    const d = numericDrift(p, Float64Array.from([1, NaN, 2, 3, 4, -Infinity, NaN, 5]));
    expect([d.rows, d.missingRate, d.outOfRange]).toEqual([5, 3 / 8, 1]);
    expect(numericCounts(Float64Array.from([NaN, Infinity, 0]), [1])).toEqual({ counts: [1, 0], missing: 2 });
  });

  it("ties: KS and Wasserstein of samples with shared values", () => {
    const a = Float64Array.from([1, 1, 1, 2, 2, 3]);
    const b = Float64Array.from([1, 2, 2, 2, 3, 3]);
    // F_a: 1→1/2, 2→5/6, 3→1; F_b: 1→1/6, 2→2/3, 3→1.
    expect(ksStatistic(a, b)).toBeCloseTo(1 / 3, 15);
    expect(wasserstein1(a, b)).toBeCloseTo(1 / 3 + 1 / 6, 15);
    expect(ksStatistic(a, a)).toBe(0);
    expect(wasserstein1(a, a)).toBe(0);
  });

  it("categorical: the reference's `other` mass is the last bucket's, and a window's rare training categories land there", () => {
    const p: CategoricalProfile = { kind: "categorical", name: "k", count: 10, missing: 0, frequencies: { b: 3, a: 5 }, other: 2 };
    // Categories in frequency order whatever the JSON object's order.
    const d = categoricalDrift(p, ["a", "a", "a", "a", "a", "b", "b", "b", "zzz", "rare", null]);
    expect(d.labels).toEqual(["a", "b", UNSEEN_LABEL]);
    expect(d.counts).toEqual([5, 3, 2]);
    expect([d.unseen, d.psi, d.js, d.rows]).toEqual([2, 0, 0, 10]);
    expect(d.missingRate).toBeCloseTo(1 / 11, 15);
  });

  it("PSI is symmetric in its shares and zero only for equal shares; JS stays within [0, 1]", () => {
    expect(psi([1, 2, 3], [2, 4, 6])).toBe(0);
    expect(psi([1, 2, 3], [3, 2, 1])).toBeCloseTo(psi([3, 2, 1], [1, 2, 3]), 15);
    expect(jsDistance([1, 0], [0, 1])).toBeCloseTo(1, 12);
    expect(jsDistance([5, 5], [5, 5])).toBe(0);
  });

  it("sortedFinite sorts like Float64Array.prototype.sort on large, tied, negative, subnormal and integer data", () => {
    let s = 1;
    const rnd = () => {
      s = (Math.imul(s, 48271) >>> 0) % 2147483647;
      return s / 2147483647;
    };
    const datasets: Float64Array[] = [
      Float64Array.from({ length: 50_000 }, () => (rnd() - 0.5) * 1e6),
      Float64Array.from({ length: 50_000 }, () => Math.floor(rnd() * 20) - 10),
      Float64Array.from({ length: 50_000 }, () => 1 + rnd() * 1e-9), // equal high words: long runs
      Float64Array.from({ length: 50_000 }, () => (rnd() < 0.1 ? NaN : rnd() < 0.01 ? -Infinity : (rnd() - 0.5) * 1e-310)),
      Float64Array.from({ length: 50_000 }, (_, i) => (i % 3 === 0 ? -0 : i % 3 === 1 ? 0 : -rnd())),
      constant(10_000, 42),
      Float64Array.from([3, NaN, 1, 2]),
    ];
    for (const v of datasets) {
      const want = v.filter((x) => Number.isFinite(x)).sort();
      const got = sortedFinite(v);
      expect(got.length).toBe(want.length);
      let same = true;
      for (let i = 0; i < want.length; i++) if (!(got[i] === want[i])) same = false;
      expect(same).toBe(true);
      expect(got.buffer.byteLength).toBe(got.length * 8); // owns its buffer: the next sort cannot overwrite it
    }
    // Results of successive calls do not share memory.
    const x = sortedFinite(datasets[0]!);
    const before = x.slice();
    sortedFinite(datasets[1]!);
    sortedFinite(datasets[2]!);
    expect(x).toEqual(before);
  });

  it("numericDrift's window counts equal numericCounts (binary searches on the sorted window vs one bin lookup per value)", () => {
    const ref: NumericProfile = numericProfile(
      "r",
      Float64Array.from({ length: 5000 }, (_, i) => Math.sin(i) * 10),
    );
    const cur = Float64Array.from({ length: 7000 }, (_, i) => Math.round(Math.cos(i) * 12));
    expect(numericDrift(ref, cur).counts).toEqual(numericCounts(cur, ref.deciles).counts);
  });
});
