/**
 * Reference profiles: deciles and the quantile sketch as numpy gives them
 * (fixtures/scipy-drift.json), the sketch's size and its documented error
 * bounds, categorical top-N, and a model's whole profile.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_PROFILE_CATEGORIES, ZReferenceProfile } from "../../../contract/monitoring";
import { ksStatistic, numericDrift, sortedFinite, wasserstein1 } from "./drift";
import { categoricalProfile, numericProfile, profileColumn, referenceProfile, SAMPLE_MAX, SKETCH_POINTS } from "./profile";
import { Rng } from "../gbdt/rng";

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "scipy-drift.json"), "utf8")) as {
  cases: { name: string; kind: string; ref: (number | null)[]; deciles: number[]; sample: number[] }[];
};

/** Uniform draws in [0, 1) from the trainer's seeded generator. */
const mulberry32 = (seed: number): (() => number) => {
  const r = new Rng(seed);
  return () => r.next();
};

describe("numeric profiles", () => {
  it("keep numpy.quantile's deciles and, past 2,000 values, its 2,001-point sketch", () => {
    const cases = fixture.cases.filter((c) => c.kind === "numeric");
    expect(cases.some((c) => c.sample.length === SKETCH_POINTS)).toBe(true);
    for (const c of cases) {
      const p = numericProfile(
        c.name,
        Float64Array.from(c.ref, (x) => (x === null ? NaN : x)),
      );
      expect(p.deciles, c.name).toEqual(c.deciles);
      expect(p.sample.length, c.name).toBe(c.sample.length);
      p.sample.forEach((v, i) => expect(Math.abs(v - c.sample[i]!), `${c.name} sample[${i}]`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(v))));
    }
  });

  it("keep every value up to 2,000 of them, sorted, and a sketch of 2,001 mid-quantiles past that", () => {
    const small = numericProfile(
      "s",
      Float64Array.from({ length: SAMPLE_MAX }, (_, i) => SAMPLE_MAX - i),
    );
    expect(small.sample).toEqual(Array.from({ length: SAMPLE_MAX }, (_, i) => i + 1));
    const big = numericProfile(
      "b",
      Float64Array.from({ length: 10_001 }, (_, i) => 10_000 - i),
    );
    expect(big.sample.length).toBe(SKETCH_POINTS);
    // (k + ½)/2001 of 0 … 10,000: the extremes stand for their share of the mass, not the minimum and maximum themselves.
    expect(big.sample[0]).toBeCloseTo((0.5 / 2001) * 10_000, 9);
    expect(big.sample[1]).toBeCloseTo((1.5 / 2001) * 10_000, 9);
    expect(big.sample.at(-1)).toBeCloseTo(10_000 - (0.5 / 2001) * 10_000, 9);
    expect(big.counts.reduce((a, b) => a + b, 0)).toBe(10_001);
    expect(big.counts).toEqual([1001, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000]);
  });

  it("against the sketch, KS is within 1/1000 and Wasserstein within (max − min)/1000 of the exact figures", () => {
    const rnd = mulberry32(11);
    const normal = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
    const shapes: [string, () => number, () => number][] = [
      ["normal", () => normal(), () => normal() * 1.1 + 0.05],
      ["heavy tail", () => Math.exp(2 * normal()), () => Math.exp(2 * normal() + 0.1)],
      ["integers", () => Math.floor(rnd() * 30), () => Math.floor(rnd() * 32)],
      ["bimodal", () => (rnd() < 0.5 ? normal() : 100 + normal()), () => (rnd() < 0.3 ? normal() : 100 + normal())],
    ];
    for (const [name, ref, cur] of shapes) {
      const r = Float64Array.from({ length: 100_000 }, ref);
      const c = Float64Array.from({ length: 30_000 }, cur);
      const p = numericProfile(name, r);
      expect(p.sample.length).toBe(SKETCH_POINTS);
      const d = numericDrift(p, c);
      const rs = sortedFinite(r);
      const cs = sortedFinite(c);
      const range = p.max! - p.min!;
      expect(Math.abs(d.ks! - ksStatistic(rs, cs)), name).toBeLessThanOrEqual(1 / 1000);
      expect(Math.abs(d.wasserstein! - wasserstein1(rs, cs)), name).toBeLessThanOrEqual(range / 1000);
      // The sketch itself is that close to the reference.
      expect(wasserstein1(Float64Array.from(p.sample), rs), name).toBeLessThanOrEqual(range / 1000);
      expect(ksStatistic(Float64Array.from(p.sample), rs), name).toBeLessThanOrEqual(1 / 2000 + 1 / rs.length + 1e-12);
    }
  });

  it("summarise count, missing values, min, max, mean and population std", () => {
    const p = numericProfile("x", Float64Array.from([2, 4, 4, 4, 5, 5, 7, 9, NaN]));
    expect(p).toMatchObject({ kind: "numeric", name: "x", count: 8, missing: 1, min: 2, max: 9, mean: 5, std: 2 });
  });
});

describe("categorical profiles", () => {
  it("keep the 100 most frequent categories, most frequent first (ties by name), and count the rest as other", () => {
    const values: (string | null)[] = [];
    for (let k = 0; k < 150; k++) for (let r = 0; r < 200 - k; r++) values.push(`k${String(k).padStart(3, "0")}`);
    values.push("a-tie", null, null);
    // "k149" has 51 rows; add a tie with the 100th ("k099": 101 rows) that sorts before it.
    for (let r = 0; r < 101; r++) values.push("k0990");
    const p = categoricalProfile("c", values);
    const keys = Object.keys(p.frequencies);
    expect(keys.length).toBe(MAX_PROFILE_CATEGORIES);
    expect(keys.slice(0, 3)).toEqual(["k000", "k001", "k002"]);
    expect(keys.at(-1)).toBe("k099"); // ties with "k0990" (101 rows each): by name
    expect(p.frequencies.k0990).toBeUndefined();
    const kept = Object.values(p.frequencies).reduce((a, b) => a + b, 0);
    expect([p.count, p.missing, kept + p.other]).toEqual([values.length - 2, 2, values.length - 2]);
    expect(p.other).toBe(101 + 1 + Array.from({ length: 50 }, (_, i) => 200 - 100 - i).reduce((a, b) => a + b, 0));
  });
});

describe("referenceProfile", () => {
  const frame = {
    rows: 4,
    columns: [
      { name: "size", kind: "number" as const, values: Float64Array.from([1, 2, 3, NaN]) },
      { name: "color", kind: "string" as const, values: ["red", "blue", null, "red"] },
      { name: "unused", kind: "number" as const, values: Float64Array.from([0, 0, 0, 0]) },
    ],
  };
  const inputs = [
    { name: "color", datatype: "BYTES" as const, shape: [-1, 1] as [-1, 1] },
    { name: "size", datatype: "FP32" as const, shape: [-1, 1] as [-1, 1] },
  ];

  it("profiles every model input in input order and the predictions (regression: numeric `prediction`)", () => {
    const p = referenceProfile(frame, inputs, { task: "regression", prediction: Float64Array.from([10, 20, 30, 40]) });
    expect(ZReferenceProfile.parse(p)).toEqual(p);
    expect(p.rows).toBe(4);
    expect(p.features.map((f) => [f.name, f.kind])).toEqual([
      ["color", "categorical"],
      ["size", "numeric"],
    ]);
    expect(p.features[0]).toEqual(profileColumn("color", frame.columns[1]!));
    expect(p.prediction).toMatchObject({ kind: "numeric", name: "prediction", count: 4, min: 10, max: 40, mean: 25 });
    // JSON round trip: what profile.json holds.
    expect(ZReferenceProfile.parse(JSON.parse(JSON.stringify(p)))).toEqual(p);
  });

  it("profiles a classifier's labels as the categorical `label`", () => {
    const p = referenceProfile(frame, inputs, { task: "classification", label: ["y", "n", "y", "y"] });
    expect(p.prediction).toEqual({ kind: "categorical", name: "label", count: 4, missing: 0, frequencies: { y: 3, n: 1 }, other: 0 });
  });

  it("names the input that does not fit", () => {
    expect(() =>
      referenceProfile(frame, [{ name: "weight", datatype: "FP32", shape: [-1, 1] }], { task: "regression", prediction: new Float64Array(4) }),
    ).toThrow(/model input "weight" is not a column of the frame \(size, color, unused\)/);
    expect(() =>
      referenceProfile(frame, [{ name: "color", datatype: "FP32", shape: [-1, 1] }], { task: "regression", prediction: new Float64Array(4) }),
    ).toThrow(/"color" is FP32 but its column holds strings/);
    expect(() => referenceProfile(frame, inputs, { task: "regression", prediction: new Float64Array(3) })).toThrow(/3 predictions for 4 rows/);
  });
});
