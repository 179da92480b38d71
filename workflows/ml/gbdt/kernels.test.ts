import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { newDoubles, toDoubles, type Doubles } from "./arrays";
import * as K from "./kernels";
import { generateKernels } from "./kernels.gen";
import { Rng } from "./rng";
import { binAt, packBins, sideRule, wordLane, type SideRule } from "./tree";

describe("kernels.ts", () => {
  it("is the output of kernels.gen.ts", () => {
    expect(readFileSync(new URL("./kernels.ts", import.meta.url), "utf8")).toBe(generateKernels());
  });
});

/** n rows × F features of random bins (feature f < nb[f]), packed, and the plain bins. */
function randomBins(rng: Rng, n: number, nb: number[]) {
  const F = nb.length;
  const bins = new Uint8Array(F * n);
  for (let f = 0; f < F; f++) for (let r = 0; r < n; r++) bins[f * n + r] = rng.int(nb[f]!);
  return { bins, words: packBins(bins, n, F), bin: (f: number, r: number) => bins[f * n + r]! };
}

describe("bin words", () => {
  it("hold six bins each, every byte value included, and read back exactly", () => {
    const rng = new Rng(1);
    const n = 300;
    const nb = Array.from({ length: 14 }, () => 256);
    const { bins, words, bin } = randomBins(rng, n, nb);
    // The extremes in every lane: 0 and 255 (the top byte of the low 32 bits ≥ 128 makes it negative as an int32).
    for (let f = 0; f < 14; f++) {
      bins[f * n] = 255;
      bins[f * n + 1] = 0;
    }
    const packed = packBins(bins, n, 14);
    expect(words).toHaveLength(3);
    for (let f = 0; f < 14; f++) for (let r = 0; r < n; r++) expect(binAt(packed, f, r)).toBe(bin(f, r));
    expect(wordLane(0)).toEqual({ col: 0, scale: 1, shift: 0 });
    expect(wordLane(5)).toEqual({ col: 0, scale: 2 ** -32, shift: 8 });
    expect(wordLane(9)).toEqual({ col: 1, scale: 1, shift: 24 });
  });
});

describe("histogram kernels", () => {
  const rng = new Rng(2);
  const n = 101; // odd: the loops' remainder runs too
  const nb = [3, 256, 17, 200, 9, 256];
  const { words, bin } = randomBins(rng, n, nb);
  const g = toDoubles(Array.from({ length: n }, () => rng.next() - 0.5));
  const h = toDoubles(Array.from({ length: n }, () => rng.next()));
  const offsets: number[] = [];
  let total = 0;
  for (const b of nb) {
    offsets.push(2 * total);
    total += b;
  }
  const o = offsets as [number, number, number, number, number, number];
  const start = 7;
  const end = 96;

  /** The plain histogram of rows [start, end): Σ g and Σ h (or the count, or nothing) per bin of the first L features. */
  function reference(L: number, hess: "array" | "unit" | "none"): number[] {
    const ref = new Array<number>(2 * total).fill(0);
    for (let r = start; r < end; r++) {
      for (let f = 0; f < L; f++) {
        const b = o[f]! + 2 * bin(f, r);
        ref[b]! += g[r]!;
        if (hess === "array") ref[b + 1]! += h[r]!;
        if (hess === "unit") ref[b + 1]! += 1;
      }
    }
    return ref;
  }

  for (let L = 1; L <= 6; L++) {
    it(`add g and h of a range to the bins of ${L} feature(s)`, () => {
      const w = words[0]!;
      const run = (fn: (hist: Doubles) => void) => {
        const hist = newDoubles(2 * total);
        fn(hist);
        return hist;
      };
      const args = [start, end, ...o.slice(0, L)] as const;
      const call = (name: string, hist: Doubles, withH: boolean) =>
        (K as unknown as Record<string, (...a: unknown[]) => void>)[`${name}${L}`]!(hist, g, ...(withH ? [h] : []), w, ...args);
      const near = (a: number[], b: number[]) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 12));
      near(
        run((hist) => call("histL", hist, true)),
        reference(L, "array"),
      );
      near(
        run((hist) => call("histU", hist, false)),
        reference(L, "unit"),
      );
      near(
        run((hist) => call("gradL", hist, false)),
        reference(L, "none"),
      );
    });
  }
});

describe("partition kernels", () => {
  const rng = new Rng(3);
  const n = 203;
  const nb = [256, 5, 256, 30, 2, 256];
  const { words, bin } = randomBins(rng, n, nb);
  const side = (rule: SideRule, b: number) => (((b - rule.th) >> 31) | ((((b ^ rule.eq) - 1) >> 31) & rule.eqMask)) ^ rule.flip;

  const rules: [string, number, SideRule][] = [
    ["numeric, bin ≤ 100", 0, sideRule(false, 100, false, 256)],
    ["numeric, missing (bin 255) left", 2, sideRule(false, 40, true, 256)],
    ["numeric, in the high bytes (lane 5)", 5, sideRule(false, 128, false, 256)],
    ["categorical, category 3 right", 3, sideRule(true, 3, false, 30)],
  ];
  for (const [name, f, rule] of rules) {
    for (let k = 1; k <= 5; k++) {
      it(`${name}: moves the split word and ${k} column(s), left rows in order, right rows reversed`, () => {
        const { col, scale, shift } = wordLane(f);
        const a = words[col]!;
        const cols = Array.from({ length: k }, (_, j) => toDoubles(Array.from({ length: n }, (_, r) => 1000 * j + r)));
        const start = 11;
        const end = 190;
        const aD = newDoubles(n);
        const colsD = cols.map(() => newDoubles(n));
        const pairs = [a, aD, ...cols.flatMap((c, j) => [c, colsD[j]!])];
        const below = rule.eqMask === 0 && rule.flip === 0;
        const fn = (K as unknown as Record<string, (...args: unknown[]) => number>)[`partition${below ? "Below" : "Rule"}${k}`]!;
        const mid = below ? fn(scale, shift, rule.th, start, end, ...pairs) : fn(scale, shift, rule.th, rule.eq, rule.eqMask, rule.flip, start, end, ...pairs);

        const rows = Array.from({ length: end - start }, (_, i) => start + i);
        const left = rows.filter((r) => side(rule, bin(f, r)) === -1);
        const right = rows.filter((r) => side(rule, bin(f, r)) === 0).reverse();
        expect(mid).toBe(start + left.length);
        const expected = [...left, ...right];
        // Column j carries 1000·j + row: every column moved with its row.
        for (let j = 0; j < k; j++) expect(colsD[j]!.slice(start, end)).toEqual(expected.map((r) => 1000 * j + r));
        expect(aD.slice(start, end)).toEqual(expected.map((r) => a[r]!));
      });
    }
  }
});
