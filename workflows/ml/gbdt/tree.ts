/**
 * One regression tree on gradient/hessian pairs, grown depth-wise with the
 * histogram method. This file is where training time goes (flights
 * benchmark, 508k rows × 5 features).
 *
 * Node order. Everything a tree reads per row — bin words, gradient,
 * hessian, and whatever columns the caller asks to carry along (scores,
 * targets, row ids) — sits in node order: the rows of a node occupy one
 * range of positions [start, end) in every per-row array, and splitting a
 * node moves its rows' data (not a list of row ids) into the same range of a
 * second set of arrays, left rows first. So every pass over a node reads
 * memory sequentially. With row-id lists, a node at depth 5 picks one row in
 * ~32 and each read is a cache miss: sequential passes measured 2–5× faster
 * per row at those depths, which make up most of a tree. The order carries
 * over from tree to tree (a histogram does not care), and leaf values are
 * added in place to a column in node order (the gradients for squared
 * error, the scores for a logistic loss), so nothing is gathered per tree
 * (softmax and row subsampling start each tree from row order: train.ts).
 *
 * Per tree:
 * 1. Histograms (kernels.ts `histL*`, `histU*` for unit hessians, `gradL*`
 *    for the root of a squared-error tree): for each position of a node, add
 *    (g, h) to the bin of every feature. Only the smaller child of each split
 *    is built; its sibling is the parent minus it (in place), so a tree reads
 *    ~2.2 × rows, not 6 ×.
 * 2. `partition` (kernels.ts `partition*`): a branch-free split of a node's
 *    range into the other set of arrays. Every level but the last pays one
 *    pass over all rows; it is the largest cost.
 * 3. The last level adds leaf values straight from the bins
 *    (`routeToLeaves`) instead of partitioning once more.
 * 4. Split search — O(bins) per feature and node, independent of rows.
 *
 * Why the loops look the way they do: per-row data and histograms are plain
 * arrays of doubles, not typed arrays (arrays.ts says why); bins are packed
 * six to a double (`packBins`) because each array a row's data is spread
 * over costs a checked load or store per row per pass; the side of a split
 * is arithmetic on the bin (`SideRule`), not a branch or a table lookup; and
 * the hot loops are written out per feature and column count, several rows
 * per iteration (kernels.gen.ts), because V8 neither unrolls loops nor
 * hoists their checks.
 *
 * Buffers are allocated once per trainer and reused by every tree: nothing
 * here allocates per row or per iteration.
 */
import { newDoubles, type Doubles } from "./arrays";
import * as K from "./kernels";

/** Histogram layout of the binned matrix. */
export interface BinLayout {
  /** Training rows. */
  n: number;
  /** Features. */
  F: number;
  /** Feature-major bins: bins[f·n + r]. */
  bins: Uint8Array;
  /** Bins of each feature (numeric: value bins + the missing bin). */
  nBins: Int32Array;
  /** Start of each feature's bins in a histogram (in bins, not numbers). */
  binOffset: Int32Array;
  /** Total bins over all features. */
  totalBins: number;
  /** 1 for a categorical (one-vs-rest) feature. */
  categorical: Uint8Array;
  /**
   * 1 when rows can be in the feature's missing bin (a numeric feature with a
   * NaN among its training values). Without, a split's missing direction
   * moves no training row, and the partition can test "bin ≤ splitBin" alone.
   */
  hasMissing: Uint8Array;
  /**
   * The same bins packed six features to a number (`packBins`), row order:
   * the bin of feature f of row r is byte f % 6 of words[⌊f / 6⌋][r].
   */
  words: Doubles[];
}

/** Features per bin word. */
export const PER_WORD = 6;

/**
 * Packs feature-major bins six to a number: bytes 0–3 (features 6j … 6j+3)
 * are the low 32 bits, bytes 4–5 the next 16 — an integer below 2^48, exact
 * in a double. A double because a plain array's integers are only 32 bits
 * wide (arrays.ts), and six features in one array instead of two saves a
 * load and a store per row in every partition. See `WordLane` for reading.
 */
export function packBins(bins: Uint8Array, n: number, F: number): Doubles[] {
  const words: Doubles[] = [];
  for (let j = 0; PER_WORD * j < F; j++) {
    const word = newDoubles(n);
    const f0 = PER_WORD * j;
    const fEnd = Math.min(F, f0 + PER_WORD);
    for (let r = 0; r < n; r++) {
      let lo = 0;
      let hi = 0;
      for (let f = f0; f < fEnd; f++) {
        const k = f - f0;
        if (k < 4) lo |= bins[f * n + r]! << (8 * k);
        else hi |= bins[f * n + r]! << (8 * (k - 4));
      }
      word[r] = (lo >>> 0) + hi * 4294967296;
    }
    words.push(word);
  }
  return words;
}

/**
 * Where a feature's bin is in the words: bin = (((w · scale) | 0) >>> shift) & 255
 * for w = words[col][i], with scale 1 for bytes 0–3 and 2^−32 for bytes 4–5
 * (multiplying by a power of two is exact; `| 0` truncates to the low 32
 * bits).
 */
export interface WordLane {
  col: number;
  scale: number;
  shift: number;
}

export function wordLane(f: number): WordLane {
  const k = f % PER_WORD;
  return { col: (f - k) / PER_WORD, scale: k < 4 ? 1 : 2 ** -32, shift: 8 * (k & 3) };
}

/** The bin of feature f at position i of `words` (tests, and the slow paths). */
export function binAt(words: Doubles[], f: number, i: number): number {
  const { col, scale, shift } = wordLane(f);
  return (((words[col]![i]! * scale) | 0) >>> shift) & 255;
}

/**
 * A histogram: hist[2·(binOffset[f] + b)] = Σ g and hist[… + 1] = Σ h over
 * a node's rows in bin b of feature f.
 */
export type Hist = Doubles;

export interface TreeParams {
  maxDepth: number;
  l2: number;
  minChildWeight: number;
  learningRate: number;
}

/**
 * A grown tree. Node 0 is the root; nodes are numbered breadth-first; a leaf
 * has left = -1. Split semantics on bins:
 * - numeric: bin ≤ splitBin → left; the missing bin → left iff missingLeft.
 * - categorical: bin = splitBin (category splitBin − 1) → right, else left.
 */
export interface Tree {
  nNodes: number;
  feature: Int32Array;
  splitBin: Int32Array;
  missingLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaf value, learning rate applied (0 for inner nodes). */
  value: Float64Array;
  /** Split gain (loss reduction) of inner nodes. */
  gain: Float64Array;
  /** Sum of hessians in the node. */
  cover: Float64Array;
}

/**
 * Where a tree's leaf values go as it is grown:
 * - { column }: added in place to a per-row array in node order — the
 *   gradients ("g": squared error, where g = score − y moves exactly by the
 *   leaf value) or carried column `column` (a score);
 * - { score, K, k, ord }: added to score[row·K + k], the row id of each
 *   position being carried column `ord`;
 * - null: nowhere (the caller scores the rows itself).
 */
export type LeafUpdate = { column: "g" | number } | { score: Doubles; K: number; k: number; ord: number } | null;

/** The best split of one node, kept in a reused object. */
interface Split {
  gain: number;
  feature: number;
  bin: number;
  missingLeft: boolean;
  GL: number;
  HL: number;
}

interface GrowNode {
  id: number;
  start: number;
  end: number;
  G: number;
  H: number;
  hist: Hist | null;
}

/**
 * A split as four integers for branch-free arithmetic on a bin b:
 * side(b) = (((b − th) >> 31) | ((((b ^ eq) − 1) >> 31) & eqMask)) ^ flip,
 * which is −1 (all bits set) for left and 0 for right. `(x − 1) >> 31` is −1
 * exactly when x = 0, so the middle term tests b = eq.
 * - numeric: th = splitBin + 1 (b ≤ splitBin), eq = the missing bin,
 *   eqMask = −1 when missing values go left, flip = 0;
 * - categorical: th = 0 (never), eq = splitBin, eqMask = −1, flip = −1
 *   (left unless b is the category).
 * Branch-free because the side of a row is data: a mispredicted branch per
 * row costs more than these few integer operations, and a lookup table
 * would be one more checked array access per row. The common split —
 * numeric, no missing value moving left — is side = (b − th) >> 31 alone,
 * and the loops have a fast path for it (`isBelow`).
 */
export interface SideRule {
  th: number;
  eq: number;
  eqMask: number;
  flip: number;
}

/** The side rule of a split (see `SideRule`). */
export function sideRule(categorical: boolean, splitBin: number, missingLeft: boolean, nBins: number): SideRule {
  return categorical ? { th: 0, eq: splitBin, eqMask: -1, flip: -1 } : { th: splitBin + 1, eq: nBins - 1, eqMask: missingLeft ? -1 : 0, flip: 0 };
}

const isBelow = (rule: SideRule) => rule.eqMask === 0 && rule.flip === 0;

/** ½ · (loss reduction) threshold relative to the children's score, against rounding noise. */
const REL_GAIN_EPS = 1e-10;
/** Minimum hessian of a child whatever minChildWeight says (guards histogram-subtraction residue). */
const MIN_CHILD_HESS = 1e-8;

/** The leaf weight −G / (H + λ) of the second-order objective. */
export function leafWeight(G: number, H: number, l2: number): number {
  return -G / (H + l2);
}

/**
 * Split gain: the reduction of the regularised second-order objective
 * Σ g·w + ½(H + λ)w², i.e. ½ [G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)].
 */
export function splitGain(GL: number, HL: number, GR: number, HR: number, l2: number): number {
  const G = GL + GR;
  const H = HL + HR;
  return 0.5 * ((GL * GL) / (HL + l2) + (GR * GR) / (HR + l2) - (G * G) / (H + l2));
}

/** Per-row data in node order. */
export interface RowData {
  /** Bin words (see `BinLayout.words`). */
  words: Doubles[];
  g: Doubles;
  /** Hessians; null when they are all 1 (`unitHessian`). */
  h: Doubles | null;
  /** The caller's columns (`carry`). */
  carry: Doubles[];
}

export interface GrowerOptions {
  /** Every hessian is 1 (squared error): none are stored, histograms count rows instead. */
  unitHessian?: boolean;
  /**
   * Per-row columns the grower keeps in node order for the caller (scores,
   * targets, row ids). They start in row order, like everything else.
   */
  carry?: number;
}

export class TreeGrower {
  /** The per-row data of the current order, and a second set the next level's order is written into (then the two swap). */
  private cur: RowData;
  private alt: RowData;
  /** Scratch: each position's destination, for partitions of more columns than the fused kernels take (made on first use). */
  private pos: Doubles | null = null;
  private readonly pool: Hist[] = [];
  private readonly histSize: number;
  private readonly split: Split = { gain: 0, feature: -1, bin: 0, missingLeft: false, GL: 0, HL: 0 };
  private readonly allFeats: Int32Array;
  private readonly nodes: Omit<Tree, "nNodes">;
  readonly unitHessian: boolean;

  constructor(
    readonly layout: BinLayout,
    readonly params: TreeParams,
    options: GrowerOptions = {},
  ) {
    const { n, words } = layout;
    this.unitHessian = options.unitHessian ?? false;
    const rowData = (): RowData => ({
      words: words.map(() => newDoubles(n)),
      g: newDoubles(n),
      h: this.unitHessian ? null : newDoubles(n),
      carry: Array.from({ length: options.carry ?? 0 }, () => newDoubles(n)),
    });
    this.cur = rowData();
    this.alt = rowData();
    words.forEach((w, j) => {
      const dst = this.cur.words[j]!;
      for (let i = 0; i < n; i++) dst[i] = w[i]!;
    });
    this.histSize = 2 * layout.totalBins;
    this.allFeats = Int32Array.from({ length: layout.F }, (_, i) => i);
    // A depth-d tree has at most 2^(d+1) − 1 nodes, and never more than 2·rows − 1.
    const maxNodes = Math.min(2 ** (params.maxDepth + 1) - 1, 2 * Math.max(1, n) - 1);
    this.nodes = {
      feature: new Int32Array(maxNodes),
      splitBin: new Int32Array(maxNodes),
      missingLeft: new Uint8Array(maxNodes),
      left: new Int32Array(maxNodes),
      right: new Int32Array(maxNodes),
      value: new Float64Array(maxNodes),
      gain: new Float64Array(maxNodes),
      cover: new Float64Array(maxNodes),
    };
  }

  /**
   * The per-row arrays in the current order: positions [0, n) — or [0, nRows)
   * after `loadSample` — hold the rows. The caller reads and writes g, h and
   * its carried columns here between trees; the arrays change identity as
   * trees are grown, so fetch them again after every `grow`.
   */
  rows(): Readonly<RowData> {
    return this.cur;
  }

  /**
   * Makes positions [0, nRows) the ascending rows `sample[0, nRows)` — or all
   * rows in order when `sample` is null — with their bins and gradients taken
   * from row order: every tree starts afresh (row subsampling; softmax).
   * Carried columns are not filled.
   */
  loadSample(sample: Int32Array | null, nRows: number, g: Doubles, h: Doubles | null): void {
    const cur = this.cur;
    const cols: [Doubles, Doubles][] = this.layout.words.map((w, j) => [w, cur.words[j]!]);
    cols.push([g, cur.g]);
    if (cur.h && h) cols.push([h, cur.h]);
    for (const [src, dst] of cols) {
      if (sample) for (let i = 0; i < nRows; i++) dst[i] = src[sample[i]!]!;
      else for (let i = 0; i < nRows; i++) dst[i] = src[i]!;
    }
  }

  private counts: Hist | null = null;

  /** Bin counts of all rows in histogram layout (odd slots), computed once. */
  private rootCounts(): Hist {
    if (this.counts) return this.counts;
    const { bins, n, F, binOffset } = this.layout;
    const c = newDoubles(this.histSize);
    for (let f = 0; f < F; f++) {
      const off = 2 * binOffset[f]! + 1;
      const base = f * n;
      for (let r = 0; r < n; r++) {
        const b = off + 2 * bins[base + r]!;
        c[b] = c[b]! + 1;
      }
    }
    this.counts = c;
    return c;
  }

  private takeHist(): Hist {
    return this.pool.pop() ?? newDoubles(this.histSize);
  }

  private releaseHist(h: Hist | null): void {
    if (h) this.pool.push(h);
  }

  /**
   * The hot loop: adds (g, h) of positions [start, end) of `data` into
   * `hist`. Normally every feature is accumulated, one pass per bin word
   * (`histL*`, or `histU*` counting rows for unit hessians): a position's g,
   * h and word are loaded once for up to six independent read-modify-writes.
   * When column sampling keeps fewer than half of the features, only those
   * are built, one at a time (`histFeature`). With `gradOnly` (the root of a
   * unit-hessian tree over all n rows) only gradients are accumulated
   * (`gradL*`) and the hessians are the precomputed bin counts. Returns the
   * features whose ranges are now valid (and zeroes them first).
   */
  buildHistogram(hist: Hist, data: RowData, start: number, end: number, feats: Int32Array, gradOnly = false): Int32Array {
    const { binOffset, nBins, F } = this.layout;
    const { words, g, h } = data;
    const o = (f: number) => (f < F ? 2 * binOffset[f]! : 0);
    if (!gradOnly && 2 * feats.length < F) {
      for (let j = 0; j < feats.length; j++) {
        const f = feats[j]!;
        const off = o(f);
        hist.fill(0, off, off + 2 * nBins[f]!);
        const { col, scale, shift } = wordLane(f);
        histFeature(hist, g, h, words[col]!, scale, shift, start, end, off);
      }
      return feats;
    }
    hist.fill(0);
    for (let j = 0; j < words.length; j++) {
      // One pass per word: up to six features.
      const w = words[j]!;
      const f0 = PER_WORD * j;
      const o0 = o(f0);
      const o1 = o(f0 + 1);
      const o2 = o(f0 + 2);
      const o3 = o(f0 + 3);
      const o4 = o(f0 + 4);
      const o5 = o(f0 + 5);
      const L = Math.min(PER_WORD, F - f0);
      if (gradOnly) {
        if (L === 1) K.gradL1(hist, g, w, start, end, o0);
        else if (L === 2) K.gradL2(hist, g, w, start, end, o0, o1);
        else if (L === 3) K.gradL3(hist, g, w, start, end, o0, o1, o2);
        else if (L === 4) K.gradL4(hist, g, w, start, end, o0, o1, o2, o3);
        else if (L === 5) K.gradL5(hist, g, w, start, end, o0, o1, o2, o3, o4);
        else K.gradL6(hist, g, w, start, end, o0, o1, o2, o3, o4, o5);
      } else if (h) {
        if (L === 1) K.histL1(hist, g, h, w, start, end, o0);
        else if (L === 2) K.histL2(hist, g, h, w, start, end, o0, o1);
        else if (L === 3) K.histL3(hist, g, h, w, start, end, o0, o1, o2);
        else if (L === 4) K.histL4(hist, g, h, w, start, end, o0, o1, o2, o3);
        else if (L === 5) K.histL5(hist, g, h, w, start, end, o0, o1, o2, o3, o4);
        else K.histL6(hist, g, h, w, start, end, o0, o1, o2, o3, o4, o5);
      } else {
        if (L === 1) K.histU1(hist, g, w, start, end, o0);
        else if (L === 2) K.histU2(hist, g, w, start, end, o0, o1);
        else if (L === 3) K.histU3(hist, g, w, start, end, o0, o1, o2);
        else if (L === 4) K.histU4(hist, g, w, start, end, o0, o1, o2, o3);
        else if (L === 5) K.histU5(hist, g, w, start, end, o0, o1, o2, o3, o4);
        else K.histU6(hist, g, w, start, end, o0, o1, o2, o3, o4, o5);
      }
    }
    if (gradOnly) {
      // Hessians = bin counts of all rows.
      const counts = this.rootCounts();
      for (let i = 1; i < hist.length; i += 2) hist[i] = counts[i]!;
    }
    return this.allFeats;
  }

  /** parent ← parent − child over the features' ranges: the sibling's histogram. */
  private subtract(parent: Hist, child: Hist, feats: Int32Array): void {
    const { binOffset, nBins } = this.layout;
    for (let j = 0; j < feats.length; j++) {
      const f = feats[j]!;
      const from = 2 * binOffset[f]!;
      const to = from + 2 * nBins[f]!;
      for (let i = from; i < to; i++) parent[i] = parent[i]! - child[i]!;
    }
  }

  /** Best split of a node over `feats`; false when no split improves the objective. */
  private findSplit(hist: Hist, G: number, H: number, feats: Int32Array): boolean {
    const { binOffset, nBins, categorical } = this.layout;
    const l2 = this.params.l2;
    const minH = Math.max(this.params.minChildWeight, MIN_CHILD_HESS);
    const parentScore = (G * G) / (H + l2);
    const s = this.split;
    let best = -Infinity;
    let bestSum = 0;
    s.feature = -1;
    for (let j = 0; j < feats.length; j++) {
      const f = feats[j]!;
      const off = 2 * binOffset[f]!;
      const nb = nBins[f]!;
      if (categorical[f]) {
        // One-vs-rest: category bin c → right, everything else (incl. bin 0) → left.
        for (let c = 1; c < nb; c++) {
          const GR = hist[off + 2 * c]!;
          const HR = hist[off + 2 * c + 1]!;
          const GL = G - GR;
          const HL = H - HR;
          if (HL < minH || HR < minH) continue;
          const sum = (GL * GL) / (HL + l2) + (GR * GR) / (HR + l2);
          if (sum > best) {
            best = sum;
            bestSum = sum;
            s.feature = f;
            s.bin = c;
            s.missingLeft = true;
            s.GL = GL;
            s.HL = HL;
          }
        }
        continue;
      }
      // Numeric: thresholds after value bins 0 … nb−3; the last bin (nb−1) is the missing bin.
      const mo = off + 2 * (nb - 1);
      const GM = hist[mo]!;
      const HM = hist[mo + 1]!;
      const hasMissing = HM > 0;
      let gl = 0;
      let hl = 0;
      for (let b = 0; b < nb - 2; b++) {
        gl += hist[off + 2 * b]!;
        hl += hist[off + 2 * b + 1]!;
        // Missing values go right.
        let GL = gl;
        let HL = hl;
        let GR = G - GL;
        let HR = H - HL;
        if (HL >= minH && HR >= minH) {
          const sum = (GL * GL) / (HL + l2) + (GR * GR) / (HR + l2);
          if (sum > best) {
            best = sum;
            bestSum = sum;
            s.feature = f;
            s.bin = b;
            // Without missing values in this node, NaN follows the heavier side.
            s.missingLeft = hasMissing ? false : HL > HR;
            s.GL = GL;
            s.HL = HL;
          }
        }
        if (!hasMissing) continue;
        // Missing values go left.
        GL = gl + GM;
        HL = hl + HM;
        GR = G - GL;
        HR = H - HL;
        if (HL >= minH && HR >= minH) {
          const sum = (GL * GL) / (HL + l2) + (GR * GR) / (HR + l2);
          if (sum > best) {
            best = sum;
            bestSum = sum;
            s.feature = f;
            s.bin = b;
            s.missingLeft = true;
            s.GL = GL;
            s.HL = HL;
          }
        }
      }
    }
    if (s.feature < 0) return false;
    const reduction = bestSum - parentScore;
    if (!(reduction > REL_GAIN_EPS * bestSum)) return false;
    s.gain = 0.5 * reduction;
    return true;
  }

  /**
   * Splits positions [start, end) of the current order by `rule` into the
   * same range of the other arrays: left rows first, in their order, then
   * right rows in reverse order (filled from the back). Returns the first
   * right position. Up to five arrays besides the split
   * feature's word move in one fused pass (kernels.ts `partition*`); with
   * more, one pass finds each position's destination (`sides`) and the
   * arrays follow it one by one (`moveTo`).
   */
  private partition(start: number, end: number, f: number, rule: SideRule): number {
    const src = this.cur;
    const dst = this.alt;
    const { col, scale, shift } = wordLane(f);
    const a = src.words[col]!;
    const aD = dst.words[col]!;
    const cols: Doubles[] = [src.g];
    const colsD: Doubles[] = [dst.g];
    if (src.h) {
      cols.push(src.h);
      colsD.push(dst.h!);
    }
    src.words.forEach((w, j) => {
      if (j === col) return;
      cols.push(w);
      colsD.push(dst.words[j]!);
    });
    cols.push(...src.carry);
    colsD.push(...dst.carry);
    const { th, eq, eqMask, flip } = rule;
    const below = isBelow(rule);
    const [c0, c1, c2, c3, c4] = cols as [Doubles, Doubles, Doubles, Doubles, Doubles];
    const [d0, d1, d2, d3, d4] = colsD as [Doubles, Doubles, Doubles, Doubles, Doubles];
    switch (cols.length) {
      case 1:
        return below
          ? K.partitionBelow1(scale, shift, th, start, end, a, aD, c0, d0)
          : K.partitionRule1(scale, shift, th, eq, eqMask, flip, start, end, a, aD, c0, d0);
      case 2:
        return below
          ? K.partitionBelow2(scale, shift, th, start, end, a, aD, c0, d0, c1, d1)
          : K.partitionRule2(scale, shift, th, eq, eqMask, flip, start, end, a, aD, c0, d0, c1, d1);
      case 3:
        return below
          ? K.partitionBelow3(scale, shift, th, start, end, a, aD, c0, d0, c1, d1, c2, d2)
          : K.partitionRule3(scale, shift, th, eq, eqMask, flip, start, end, a, aD, c0, d0, c1, d1, c2, d2);
      case 4:
        return below
          ? K.partitionBelow4(scale, shift, th, start, end, a, aD, c0, d0, c1, d1, c2, d2, c3, d3)
          : K.partitionRule4(scale, shift, th, eq, eqMask, flip, start, end, a, aD, c0, d0, c1, d1, c2, d2, c3, d3);
      case 5:
        return below
          ? K.partitionBelow5(scale, shift, th, start, end, a, aD, c0, d0, c1, d1, c2, d2, c3, d3, c4, d4)
          : K.partitionRule5(scale, shift, th, eq, eqMask, flip, start, end, a, aD, c0, d0, c1, d1, c2, d2, c3, d3, c4, d4);
      default: {
        const pos = (this.pos ??= newDoubles(this.layout.n));
        const mid = sides(a, scale, shift, rule, pos, start, end);
        moveTo(a, aD, pos, start, end);
        for (let j = 0; j < cols.length; j++) moveTo(cols[j]!, colsD[j]!, pos, start, end);
        return mid;
      }
    }
  }

  /** Adds v to the leaf target of positions [start, end) of the current order. */
  private addLeaf(update: NonNullable<LeafUpdate>, start: number, end: number, v: number): void {
    const cur = this.cur;
    if ("column" in update) addRange(update.column === "g" ? cur.g : cur.carry[update.column]!, start, end, v);
    else addScores(update.score, update.K, update.k, cur.carry[update.ord]!, start, end, v);
  }

  /**
   * Grows one tree over positions [0, nRows) of the current order — all n
   * rows, or the sample of `loadSample` — with the gradients there,
   * splitting on the features `feats`. With `update`, also adds the tree's
   * leaf values to each row's score or gradient: a leaf made early adds over
   * its range; the last level skips its partition and routes each row
   * straight to its leaf value (one pass instead of two).
   */
  grow(nRows: number, feats: Int32Array, update: LeafUpdate): Tree {
    const { maxDepth, l2, learningRate } = this.params;
    const { n, F, nBins, categorical, hasMissing, binOffset } = this.layout;
    const minH = Math.max(this.params.minChildWeight, MIN_CHILD_HESS);
    // Node arrays are the grower's, reused by every tree; the tree gets copies of the used prefix.
    const { feature, splitBin, missingLeft, left, right, value, gain, cover } = this.nodes;
    feature.fill(-1);
    splitBin.fill(0);
    missingLeft.fill(0);
    cover.fill(0);
    left.fill(-1);
    right.fill(-1);
    value.fill(0);
    gain.fill(0);

    // Leaves made before the last level, and the arrays their rows are in.
    const early: { node: GrowNode; data: RowData }[] = [];
    const makeLeaf = (node: GrowNode) => {
      const v = leafWeight(node.G, node.H, l2) * learningRate;
      value[node.id] = v;
      if (update) {
        this.addLeaf(update, node.start, node.end, v);
        early.push({ node, data: this.cur });
      }
    };
    const root: GrowNode = { id: 0, start: 0, end: nRows, G: 0, H: 0, hist: null };
    if (maxDepth > 0 && nRows >= 2) {
      // The root's sums come from its histogram (any one feature's bins add up to them): no extra pass over the rows.
      root.hist = this.takeHist();
      const gradOnly = this.unitHessian && nRows === n && 2 * feats.length >= F;
      const built = this.buildHistogram(root.hist, this.cur, 0, nRows, feats, gradOnly);
      const f0 = built[0]!;
      const from = 2 * binOffset[f0]!;
      const to = from + 2 * nBins[f0]!;
      for (let i = from; i < to; i += 2) {
        root.G += root.hist[i]!;
        root.H += root.hist[i + 1]!;
      }
      if (!(root.H >= 2 * minH)) {
        this.releaseHist(root.hist);
        root.hist = null;
      }
    } else {
      const { g, h } = this.cur;
      for (let i = 0; i < nRows; i++) {
        root.G += g[i]!;
        root.H += h ? h[i]! : 1;
      }
    }
    cover[0] = root.H;
    let nNodes = 1;
    let level: GrowNode[] = [root];
    for (let depth = 0; depth < maxDepth && level.length > 0; depth++) {
      const next: GrowNode[] = [];
      const lastLevel = depth + 1 === maxDepth;
      for (const node of level) {
        if (!node.hist || !this.findSplit(node.hist, node.G, node.H, feats)) {
          this.releaseHist(node.hist);
          node.hist = null;
          makeLeaf(node);
          continue;
        }
        const s = this.split;
        const id = node.id;
        const f = s.feature;
        feature[id] = f;
        splitBin[id] = s.bin;
        missingLeft[id] = s.missingLeft ? 1 : 0;
        gain[id] = s.gain;
        // How the split moves training rows (the model's missing direction matters only if a row is missing).
        const rule = sideRule(categorical[f] === 1, s.bin, s.missingLeft && hasMissing[f] === 1, nBins[f]!);
        const lId = nNodes;
        const rId = nNodes + 1;
        nNodes += 2;
        left[id] = lId;
        right[id] = rId;
        const GR = node.G - s.GL;
        const HR = node.H - s.HL;
        cover[lId] = s.HL;
        cover[rId] = HR;
        if (lastLevel) {
          // Both children are leaves.
          const vl = leafWeight(s.GL, s.HL, l2) * learningRate;
          const vr = leafWeight(GR, HR, l2) * learningRate;
          value[lId] = vl;
          value[rId] = vr;
          if (update) {
            const cur = this.cur;
            const { col, scale, shift } = wordLane(f);
            const sw = cur.words[col]!;
            if ("column" in update)
              routeToLeaves(update.column === "g" ? cur.g : cur.carry[update.column]!, sw, scale, shift, rule, node.start, node.end, vl, vr);
            else routeToScores(update.score, update.K, update.k, cur.carry[update.ord]!, sw, scale, shift, rule, node.start, node.end, vl, vr);
          }
          this.releaseHist(node.hist);
          node.hist = null;
          continue;
        }
        const mid = this.partition(node.start, node.end, f, rule);
        const l: GrowNode = { id: lId, start: node.start, end: mid, G: s.GL, H: s.HL, hist: null };
        const r: GrowNode = { id: rId, start: mid, end: node.end, G: GR, H: HR, hist: null };
        const lCan = l.H >= 2 * minH && l.end - l.start >= 2;
        const rCan = r.H >= 2 * minH && r.end - r.start >= 2;
        if (lCan || rCan) {
          // Build the smaller child (from the new order); the larger one is parent − smaller (in place).
          const lSmall = l.end - l.start <= r.end - r.start;
          const small = lSmall ? l : r;
          const large = lSmall ? r : l;
          const sh = this.takeHist();
          const built = this.buildHistogram(sh, this.alt, small.start, small.end, feats);
          this.subtract(node.hist, sh, built);
          small.hist = sh;
          large.hist = node.hist;
          if (!(lSmall ? lCan : rCan)) {
            this.releaseHist(small.hist);
            small.hist = null;
          }
          if (!(lSmall ? rCan : lCan)) {
            this.releaseHist(large.hist);
            large.hist = null;
          }
        } else {
          this.releaseHist(node.hist);
        }
        node.hist = null;
        next.push(l, r);
      }
      level = next;
      if (next.length > 0) {
        // The next level's rows are in the other arrays.
        const t = this.cur;
        this.cur = this.alt;
        this.alt = t;
      }
    }
    for (const node of level) {
      // Only reached when maxDepth levels were not all used (leaves above the last level).
      this.releaseHist(node.hist);
      node.hist = null;
      makeLeaf(node);
    }
    // The order carries over to the next tree: bring the rows of leaves made in the other arrays over.
    for (const { node, data } of early) if (data !== this.cur) copyRange(data, this.cur, node.start, node.end);
    return {
      nNodes,
      feature: feature.slice(0, nNodes),
      splitBin: splitBin.slice(0, nNodes),
      missingLeft: missingLeft.slice(0, nNodes),
      left: left.slice(0, nNodes),
      right: right.slice(0, nNodes),
      value: value.slice(0, nNodes),
      gain: gain.slice(0, nNodes),
      cover: cover.slice(0, nNodes),
    };
  }
}

/** Copies positions [start, end) of every per-row array. */
function copyRange(src: RowData, dst: RowData, start: number, end: number): void {
  const from = [...src.words, src.g, ...(src.h ? [src.h] : []), ...src.carry];
  const to = [...dst.words, dst.g, ...(dst.h ? [dst.h] : []), ...dst.carry];
  from.forEach((a, j) => {
    const d = to[j]!;
    for (let i = start; i < end; i++) d[i] = a[i]!;
  });
}

/** The side of the bin at (scale, shift) of a word: −1 left, 0 right (see `SideRule`). */
function sideOf(w: number, scale: number, shift: number, th: number, eq: number, eqMask: number, flip: number): number {
  const b = (((w * scale) | 0) >>> shift) & 255;
  return (((b - th) >> 31) | ((((b ^ eq) - 1) >> 31) & eqMask)) ^ flip;
}

/** The general partition's first pass: each position's destination into pos (see kernels.ts `partition*`). */
function sides(a: Doubles, scale: number, shift: number, rule: SideRule, pos: Doubles, start: number, end: number): number {
  const { th, eq, eqMask, flip } = rule;
  let l = start;
  let t = end - 1;
  for (let i = start; i < end; i++) {
    const m = sideOf(a[i]!, scale, shift, th, eq, eqMask, flip);
    pos[i] = t + ((l - t) & m);
    l -= m;
    t -= 1 + m;
  }
  return l;
}

/** dst[pos[i]] = src[i] over [start, end). */
function moveTo(src: Doubles, dst: Doubles, pos: Doubles, start: number, end: number): void {
  for (let i = start; i < end; i++) dst[pos[i]!] = src[i]!;
}

/** a[i] += v for i in [start, end). */
function addRange(a: Doubles, start: number, end: number, v: number): void {
  for (let i = start; i < end; i++) a[i] = a[i]! + v;
}

/** score[ord[i]·K + k] += v for i in [start, end). */
function addScores(score: Doubles, K: number, k: number, ord: Doubles, start: number, end: number, v: number): void {
  for (let i = start; i < end; i++) {
    const o = ord[i]! * K + k;
    score[o] = score[o]! + v;
  }
}

// The last level: each position of a split node gets vl or vr by the side of
// its bin, without partitioning. Indexing [vr, vl] by side & 1 keeps the
// unpredictable choice out of the branch predictor.

/** Leaf values added in place to a node-order column (positions [start, end)). */
function routeToLeaves(target: Doubles, sw: Doubles, scale: number, shift: number, rule: SideRule, start: number, end: number, vl: number, vr: number): void {
  const v = LEAF_PAIR;
  v[0] = vr;
  v[1] = vl;
  const { th, eq, eqMask, flip } = rule;
  if (isBelow(rule)) {
    for (let i = start; i < end; i++) target[i] = target[i]! + v[((((((sw[i]! * scale) | 0) >>> shift) & 255) - th) >> 31) & 1]!;
    return;
  }
  for (let i = start; i < end; i++) target[i] = target[i]! + v[sideOf(sw[i]!, scale, shift, th, eq, eqMask, flip) & 1]!;
}

/** Leaf values added to score[ord[i]·K + k] (positions [start, end)). */
function routeToScores(
  score: Doubles,
  K: number,
  k: number,
  ord: Doubles,
  sw: Doubles,
  scale: number,
  shift: number,
  rule: SideRule,
  start: number,
  end: number,
  vl: number,
  vr: number,
): void {
  const v = LEAF_PAIR;
  v[0] = vr;
  v[1] = vl;
  const { th, eq, eqMask, flip } = rule;
  for (let i = start; i < end; i++) {
    const o = ord[i]! * K + k;
    score[o] = score[o]! + v[sideOf(sw[i]!, scale, shift, th, eq, eqMask, flip) & 1]!;
  }
}
const LEAF_PAIR: Doubles = [0.5, 0.5];

/** score[r·K + k] += tree(bins of row r) for all n rows of a feature-major bin matrix (validation, subsampled trees). */
export function addTreeBinned(
  tree: Tree,
  layout: Pick<BinLayout, "nBins" | "categorical">,
  bins: Uint8Array,
  n: number,
  score: Doubles,
  K: number,
  k: number,
): void {
  const { left, right, feature, value, splitBin, missingLeft } = tree;
  const { nBins, categorical } = layout;
  for (let r = 0; r < n; r++) {
    let id = 0;
    while (left[id]! >= 0) {
      const f = feature[id]!;
      const b = bins[f * n + r]!;
      const sb = splitBin[id]!;
      const goLeft = categorical[f] ? b !== sb : b <= sb || (b === nBins[f]! - 1 && missingLeft[id] === 1);
      id = goLeft ? left[id]! : right[id]!;
    }
    const o = r * K + k;
    score[o] = score[o]! + value[id]!;
  }
}

/** One feature of a word column (column-sampled trees; see `WordLane`); unit hessians when h is null. */
function histFeature(hist: Hist, g: Doubles, h: Doubles | null, w: Doubles, scale: number, shift: number, start: number, end: number, o0: number): void {
  for (let i = start; i < end; i++) {
    const b = o0 + 2 * ((((w[i]! * scale) | 0) >>> shift) & 255);
    hist[b] = hist[b]! + g[i]!;
    hist[b + 1] = hist[b + 1]! + (h ? h[i]! : 1);
  }
}
