import { describe, expect, it } from "vitest";
import type { Frame } from "../types";
import { logisticGradients, meanLoss, softmaxGradients, softmaxProbabilities, squaredErrorGradients } from "./losses";
import { rawScores } from "./model";
import { Rng } from "./rng";
import { leafWeight, splitGain } from "./tree";
import { trainGbdt } from "./train";

const num = (name: string, values: number[]) => ({ name, kind: "number" as const, values: Float64Array.from(values) });
const frameOf = (...columns: Frame["columns"]): Frame => ({ rows: columns[0]!.values.length, columns });

/** One tree, no shrinkage: the tree's leaves are the raw second-order leaf weights. */
const oneTree = { nTrees: 1, learningRate: 1 } as const;

describe("split gain and leaf weight", () => {
  it("follow ½[G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)] and −G/(H+λ)", () => {
    expect(splitGain(10, 2, -10, 2, 1)).toBeCloseTo(100 / 3, 12);
    expect(splitGain(5, 1, -5, 3, 1)).toBeCloseTo(0.5 * (25 / 2 + 25 / 4), 12);
    expect(leafWeight(-10, 2, 1)).toBeCloseTo(10 / 3, 12);
  });
});

describe("one split on separable data", () => {
  // y = 0, 0, 10, 10 → base 5, g = 5, 5, −5, −5, h = 1. With λ = 1 the best split is
  // between 2 and 3: gain ½(10²/3 + 10²/3 − 0) = 100/3; leaves −(±10)/(2 + 1).
  const frame = frameOf(num("x", [1, 2, 3, 4]), num("y", [0, 0, 10, 10]));
  const m = trainGbdt(frame, { task: "regression", target: "y", ...oneTree, maxDepth: 1 });
  const t = m.ensemble.trees[0]!;

  it("finds the threshold at the midpoint with the exact gain", () => {
    expect(m.ensemble.base[0]).toBe(5);
    expect(t.feature[0]).toBe(0);
    expect(t.threshold[0]).toBe(2.5);
    expect(t.gain[0]).toBeCloseTo(100 / 3, 10);
    expect(t.value[t.left[0]!]).toBeCloseTo(-10 / 3, 12);
    expect(t.value[t.right[0]!]).toBeCloseTo(10 / 3, 12);
  });

  it("predicts the leaf values and records the gain as importance", () => {
    const p = m.predict(frame);
    if (p.task !== "regression") throw new Error("regression expected");
    expect(Array.from(p.prediction)).toEqual([5 - 10 / 3, 5 - 10 / 3, 5 + 10 / 3, 5 + 10 / 3].map(Math.fround));
    expect(m.featureImportance).toEqual([{ name: "x", gain: t.gain[0]!, share: 1, splits: 1 }]);
    // The training MSE after the tree: residuals ±5/3.
    expect(m.series.train_loss).toEqual([expect.closeTo((5 / 3) ** 2, 10)]);
  });
});

describe("a depth-2 tree checked by hand", () => {
  // y = 0, 4, 6, 10 on a 2×2 grid (a, b) → base 5, g = 5, 1, −1, −5, h = 1, λ = 1.
  // Root: a gives ½(6²/3 + 6²/3) = 12, b gives ½(4²/3 + 4²/3) = 16/3 → split on a.
  // Left (G = 6, H = 2): b gives ½(5²/2 + 1²/2 − 6²/3) = 0.5; right likewise 0.5.
  // Leaves −g/2: −2.5, −0.5, 0.5, 2.5.
  const frame = frameOf(num("a", [0, 0, 1, 1]), num("b", [0, 1, 0, 1]), num("y", [0, 4, 6, 10]));
  const m = trainGbdt(frame, { task: "regression", target: "y", ...oneTree, maxDepth: 2 });
  const t = m.ensemble.trees[0]!;

  it("splits on a at the root and on b below, with the hand-computed gains", () => {
    expect(t.feature[0]).toBe(0);
    expect(t.threshold[0]).toBe(0.5);
    expect(t.gain[0]).toBeCloseTo(12, 10);
    const l = t.left[0]!;
    const r = t.right[0]!;
    expect([t.feature[l], t.feature[r]]).toEqual([1, 1]);
    expect(t.gain[l]).toBeCloseTo(0.5, 10);
    expect(t.gain[r]).toBeCloseTo(0.5, 10);
    const leaves = [t.left[l]!, t.right[l]!, t.left[r]!, t.right[r]!].map((id) => t.value[id]!);
    expect(leaves[0]).toBeCloseTo(-2.5, 12);
    expect(leaves[1]).toBeCloseTo(-0.5, 12);
    expect(leaves[2]).toBeCloseTo(0.5, 12);
    expect(leaves[3]).toBeCloseTo(2.5, 12);
    const p = m.predict(frame);
    if (p.task !== "regression") throw new Error("regression expected");
    expect(Array.from(p.prediction)).toEqual([2.5, 4.5, 5.5, 7.5]);
    expect(m.featureImportance.map((f) => [f.name, f.gain])).toEqual([
      ["a", expect.closeTo(12, 10)],
      ["b", expect.closeTo(1, 10)],
    ]);
  });

  it("minChildWeight blocks splits whose children weigh less", () => {
    const blocked = trainGbdt(frame, { task: "regression", target: "y", ...oneTree, maxDepth: 2, minChildWeight: 1.5 });
    const bt = blocked.ensemble.trees[0]!;
    // The root split (2 + 2) is allowed, the second level (1 + 1) is not.
    expect(bt.feature[0]).toBe(0);
    expect(bt.left[bt.left[0]!]).toBe(-1);
    expect(bt.left[bt.right[0]!]).toBe(-1);
  });
});

describe("missing values", () => {
  it("learn the default direction: NaN rows go where their gradients fit best", () => {
    // NaN rows look like the high group → missing goes right.
    const high = frameOf(num("x", [1, 2, 3, 4, NaN, NaN]), num("y", [0, 0, 10, 10, 10, 10]));
    const mh = trainGbdt(high, { task: "regression", target: "y", ...oneTree, maxDepth: 1 });
    const th = mh.ensemble.trees[0]!;
    expect(th.threshold[0]).toBe(2.5);
    expect(th.missingLeft[0]).toBe(0);
    // …and like the low group → missing goes left.
    const low = frameOf(num("x", [1, 2, 3, 4, NaN, NaN]), num("y", [0, 0, 10, 10, 0, 0]));
    const tl = trainGbdt(low, { task: "regression", target: "y", ...oneTree, maxDepth: 1 }).ensemble.trees[0]!;
    expect(tl.missingLeft[0]).toBe(1);

    const p = mh.predict(frameOf(num("x", [NaN, 1, 4])));
    if (p.task !== "regression") throw new Error("regression expected");
    expect(p.prediction[0]).toBe(p.prediction[2]);
    expect(p.prediction[0]).not.toBe(p.prediction[1]);
  });

  it("without NaN in training, NaN follows the heavier child", () => {
    const f = frameOf(num("x", [1, 2, 3, 4, 5, 6]), num("y", [0, 10, 10, 10, 10, 10]));
    const m = trainGbdt(f, { task: "regression", target: "y", ...oneTree, maxDepth: 1, minChildWeight: 0 });
    const t = m.ensemble.trees[0]!;
    expect(t.threshold[0]).toBe(1.5);
    expect(t.missingLeft[0]).toBe(0); // right holds 5 of 6 rows
  });
});

describe("histogram method against a direct reference", () => {
  /**
   * A deliberately naive depth-wise grower on the same bins: node sums by
   * scanning rows, every split evaluated from scratch, no histograms, no
   * subtraction. The histogram trainer must grow the same first tree.
   */
  function referenceTree(x: number[][], g: number[], l2: number, maxDepth: number, minH: number) {
    const F = x.length;
    const n = g.length;
    type Node = { rows: number[]; depth: number };
    const splits: { depth: number; feature: number; threshold: number; gain: number }[] = [];
    let level: Node[] = [{ rows: Array.from({ length: n }, (_, i) => i), depth: 0 }];
    while (level.length) {
      const next: Node[] = [];
      for (const node of level) {
        if (node.depth >= maxDepth) continue;
        const G = node.rows.reduce((s, r) => s + g[r]!, 0);
        const H = node.rows.length;
        let best = { gain: 0, feature: -1, threshold: 0 };
        for (let f = 0; f < F; f++) {
          // Candidate thresholds: midpoints of the column's distinct values over all rows (the bins).
          const values = [...new Set(x[f])].sort((a, b) => a - b);
          for (let i = 0; i + 1 < values.length; i++) {
            const t = (values[i]! + values[i + 1]!) / 2;
            const left = node.rows.filter((r) => x[f]![r]! <= t);
            const GL = left.reduce((s, r) => s + g[r]!, 0);
            const HL = left.length;
            if (HL < minH || H - HL < minH) continue;
            const gain = splitGain(GL, HL, G - GL, H - HL, l2);
            if (gain > best.gain + 1e-9) best = { gain, feature: f, threshold: t };
          }
        }
        if (best.feature < 0) continue;
        splits.push({ depth: node.depth, ...best });
        next.push(
          { rows: node.rows.filter((r) => x[best.feature]![r]! <= best.threshold), depth: node.depth + 1 },
          { rows: node.rows.filter((r) => x[best.feature]![r]! > best.threshold), depth: node.depth + 1 },
        );
      }
      level = next;
    }
    return splits;
  }

  for (const seed of [1, 2, 3]) {
    it(`grows the reference's splits (seed ${seed})`, () => {
      const rng = new Rng(seed);
      const n = 300;
      // Integer features with ≤ 20 values (one bin each), a noisy target.
      const x = [0, 1, 2].map(() => Array.from({ length: n }, () => rng.int(20)));
      const y = Array.from({ length: n }, (_, i) => Math.sin(x[0]![i]!) * 3 + x[1]![i]! * 0.2 + (x[2]![i]! > 10 ? 2 : 0) + rng.next());
      const frame = frameOf(num("x0", x[0]!), num("x1", x[1]!), num("x2", x[2]!), num("y", y));
      const m = trainGbdt(frame, { task: "regression", target: "y", ...oneTree, maxDepth: 4 });
      const base = y.reduce((a, b) => a + b, 0) / n;
      const ref = referenceTree(
        x,
        y.map((v) => base - v),
        1,
        4,
        1,
      );
      const t = m.ensemble.trees[0]!;
      const ours: typeof ref = [];
      const depth = new Int32Array(t.feature.length);
      for (let id = 0; id < t.feature.length; id++) {
        if (t.left[id]! < 0) continue;
        depth[t.left[id]!] = depth[id]! + 1;
        depth[t.right[id]!] = depth[id]! + 1;
        ours.push({ depth: depth[id]!, feature: t.feature[id]!, threshold: t.threshold[id]!, gain: t.gain[id]! });
      }
      const key = (s: (typeof ref)[number]) => `${s.depth}:${s.feature}:${s.threshold}`;
      expect(ours.map(key).sort()).toEqual(ref.map(key).sort());
      const withGain = (list: typeof ref) => list.map((s) => `${key(s)}:${s.gain.toFixed(6)}`).sort();
      expect(withGain(ours)).toEqual(withGain(ref));
    });
  }
});

describe("rows kept in node order", () => {
  /**
   * The grower moves every row's data (bins, gradients, carried scores) along
   * with its partitions and keeps the order from tree to tree; the trainer
   * reports the training loss from that data. If a row's data ever got out of
   * step, that loss would stop matching the loss of the model's own
   * predictions, recomputed from scratch here. 5, 8 and 14 features give one,
   * two and three bin words — every fused partition kernel and the general
   * path; missing values, a categorical feature and minChildWeight (leaves
   * above the last level) exercise the other split rules and leaf paths.
   */
  function frame(nFeatures: number, n: number, seed: number): Frame {
    const rng = new Rng(seed);
    const cols: Frame["columns"] = [];
    const x: number[][] = [];
    for (let f = 0; f < nFeatures - 1; f++) {
      const v = Array.from({ length: n }, () => (f % 3 === 1 && rng.next() < 0.1 ? NaN : Math.round(rng.next() * (f % 2 ? 300 : 20))));
      x.push(v);
      cols.push(num(`x${f}`, v));
    }
    const cat = Array.from({ length: n }, () => ["a", "b", "c", null][rng.int(4)]!);
    cols.push({ name: "cat", kind: "string", values: cat });
    const y = Array.from(
      { length: n },
      (_, i) => (Number.isNaN(x[1]![i]!) ? 3 : x[0]![i]! / 5) + Math.sin(x[2]![i]! / 40) + (cat[i] === "b" ? 2 : 0) + rng.next(),
    );
    cols.push(num("y", y));
    cols.push({ name: "cls", kind: "string", values: y.map((v) => (v < 2 ? "lo" : v < 4 ? "mid" : "hi")) });
    cols.push({ name: "bin", kind: "string", values: y.map((v) => (v < 3 ? "no" : "yes")) });
    return { rows: n, columns: cols };
  }

  const cases = [
    { name: "squared error", task: "regression", target: "y" },
    { name: "logistic", task: "classification", target: "bin" },
    { name: "softmax", task: "classification", target: "cls" },
    { name: "squared error, subsampled", task: "regression", target: "y", subsample: 0.7 },
    { name: "squared error, a third of the columns per tree", task: "regression", target: "y", colsampleByTree: 0.34 },
    { name: "logistic, a third of the columns per tree", task: "classification", target: "bin", colsampleByTree: 0.34 },
  ] as const;
  for (const nFeatures of [5, 8, 14]) {
    for (const c of cases) {
      it(`${c.name}, ${nFeatures} features: the reported training loss is the loss of the model's predictions`, () => {
        const f = frame(nFeatures, 700, nFeatures);
        const features = f.columns.map((col) => col.name).filter((name) => !["y", "cls", "bin"].includes(name));
        const { name: _, ...opts } = c;
        const m = trainGbdt(f, { ...opts, features, nTrees: 12, maxDepth: 5, minChildWeight: 6 });
        const e = m.ensemble;
        const score = rawScores(e, f);
        const target = f.columns.find((col) => col.name === c.target)!;
        const y = Float64Array.from(target.values as ArrayLike<number | string>, (v) => (typeof v === "number" ? v : e.classes!.indexOf(v)));
        const expected = meanLoss(e.objective, score, y, e.K);
        expect(m.series.train_loss!.at(-1)!).toBeCloseTo(expected, 9);
        if ("subsample" in c) return;
        // Every leaf of every tree: its value and cover are those of the rows that reach it, with the gradients of its iteration.
        const n = f.rows;
        const g = new Float64Array(n);
        const h = new Float64Array(n);
        const prob = new Float64Array(n * e.K);
        e.trees.forEach((t, i) => {
          const k = t.target;
          const before = rawScores({ ...e, trees: e.trees.slice(0, i - k) }, f);
          if (e.objective === "squared_error") squaredErrorGradients(before, y, g, h);
          else if (e.objective === "logistic") logisticGradients(before, y, g, h);
          else {
            softmaxProbabilities(before, y, e.K, prob);
            softmaxGradients(prob, y, e.K, k, g, h);
          }
          // The leaf of each row: the tree with leaf values replaced by node ids.
          const ids = Float64Array.from(t.value, (_, id) => id);
          const leafOf = rawScores({ ...e, K: 1, base: Float64Array.of(0), trees: [{ ...t, target: 0, value: ids }] }, f);
          const G = new Float64Array(t.value.length);
          const H = new Float64Array(t.value.length);
          for (let r = 0; r < n; r++) {
            G[leafOf[r]!]! += g[r]!;
            H[leafOf[r]!]! += h[r]!;
          }
          for (let id = 0; id < t.value.length; id++) {
            if (t.left[id]! >= 0) continue;
            expect(t.cover[id]).toBeCloseTo(H[id]!, 8);
            expect(t.value[id]).toBeCloseTo(leafWeight(G[id]!, H[id]!, 1) * 0.1, 9);
          }
        });
        expect(m.params.leaves).toBeGreaterThan(12 * e.K * 8);
      });
    }
  }
});
