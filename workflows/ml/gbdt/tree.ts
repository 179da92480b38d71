/**
 * One regression tree on gradient/hessian pairs, grown depth-wise with the
 * histogram method. This file is where training time goes (flights
 * benchmark, 508k rows × 5 features, perf profile of a whole training run):
 *
 * 1. Histograms, ~35%: for each row of a node, add (g, h) to the bin of every
 *    feature (`histL*` for children, `gradL*` for the root of a squared-error
 *    tree). Only the smaller child of each split is built; its sibling is the
 *    parent minus it (in place), so a tree touches ~2.2 × rows, not 6 ×.
 * 2. `partition`, ~25%: a stable, branch-free split of a node's row range
 *    (rows stay ascending, so the next level reads its byte streams in
 *    order). Every level but the last pays one pass over all rows.
 * 3. `routeToLeaves`, ~7%: the last level adds leaf values to the scores
 *    straight from the bins instead of partitioning once more.
 * 4. Split search — O(bins) per feature and node, independent of rows.
 *
 * Buffers (row index lists, histograms) are allocated once per trainer and
 * reused by every tree: nothing here allocates per row or per iteration.
 * The loops are written out by hand (two or four rows per iteration in the
 * partition, up to eight features per histogram pass) because V8 neither
 * unrolls nor hoists typed-array checks out of them.
 */
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
   * The same bins row-major, four features per 32-bit word: feature f of row
   * r is byte f & 3 of packed[r·W + (f >> 2)]. The histogram kernels read a
   * row's bins with one or two loads instead of one cache line per feature.
   */
  packed: Int32Array;
  /** Words per row in `packed`: ceil(F / 4). */
  W: number;
}

/** Packs feature-major bins into the row-major words of `BinLayout.packed`. */
export function packBins(bins: Uint8Array, n: number, F: number): { packed: Int32Array; W: number } {
  const W = Math.ceil(F / 4);
  const packed = new Int32Array(n * W);
  for (let f = 0; f < F; f++) {
    const base = f * n;
    const w = f >> 2;
    const shift = 8 * (f & 3);
    for (let r = 0; r < n; r++) packed[r * W + w] = packed[r * W + w]! | (bins[base + r]! << shift);
  }
  return { packed, W };
}

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
  hist: Float64Array | null;
}

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

export class TreeGrower {
  /** Row indices; a node owns rows[start, end). */
  readonly rows: Int32Array;
  private readonly scratch: Int32Array;
  private readonly scratch2: Int32Array;
  private readonly pool: Float64Array[] = [];
  private readonly histSize: number;
  private readonly split: Split = { gain: 0, feature: -1, bin: 0, missingLeft: false, GL: 0, HL: 0 };
  private readonly allFeats: Int32Array;
  private readonly nodes: Omit<Tree, "nNodes">;
  /** Bin → side (1 = left) of the split being applied. */
  private readonly mask = new Uint8Array(256);

  constructor(
    readonly layout: BinLayout,
    readonly params: TreeParams,
  ) {
    this.rows = new Int32Array(layout.n);
    this.scratch = new Int32Array(layout.n);
    this.scratch2 = new Int32Array(layout.n);
    this.histSize = 2 * layout.totalBins;
    this.allFeats = Int32Array.from({ length: layout.F }, (_, i) => i);
    // A depth-d tree has at most 2^(d+1) − 1 nodes, and never more than 2·rows − 1.
    const maxNodes = Math.min(2 ** (params.maxDepth + 1) - 1, 2 * Math.max(1, layout.n) - 1);
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

  private counts: Float64Array | null = null;

  /** Bin counts of all rows in histogram layout (odd slots), computed once. */
  private rootCounts(): Float64Array {
    if (this.counts) return this.counts;
    const { bins, n, F, binOffset } = this.layout;
    const c = new Float64Array(this.histSize);
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

  private takeHist(): Float64Array {
    return this.pool.pop() ?? new Float64Array(this.histSize);
  }

  private releaseHist(h: Float64Array | null): void {
    if (h) this.pool.push(h);
  }

  /**
   * The hot loop: adds gh of rows[start, end) into `hist`. Normally every
   * feature is accumulated, up to eight per pass over the rows, from the
   * packed row-major bins (`histL1` … `histL8`): a row's g, h and bins are
   * loaded once for up to eight independent read-modify-writes. When column
   * sampling keeps fewer than half of the features, only those are built,
   * one feature-major byte stream at a time (`histFeature`). Returns the
   * features whose ranges are now valid (and zeroes them first).
   */
  buildHistogram(hist: Float64Array, gh: Float64Array, start: number, end: number, feats: Int32Array, gradOnly = false): Int32Array {
    const { bins, n, binOffset, nBins, F, packed, W } = this.layout;
    const rows = this.rows;
    if (gradOnly) {
      hist.fill(0);
      const o = (f: number) => 2 * binOffset[f]!;
      for (let f0 = 0; f0 < F; f0 += 8) {
        const wa = f0 >> 2;
        switch (Math.min(8, F - f0)) {
          case 1: gradL1(hist, gh, packed, W, wa, rows, start, end, o(f0)); break;
          case 2: gradL2(hist, gh, packed, W, wa, rows, start, end, o(f0), o(f0 + 1)); break;
          case 3: gradL3(hist, gh, packed, W, wa, rows, start, end, o(f0), o(f0 + 1), o(f0 + 2)); break;
          case 4: gradL4(hist, gh, packed, W, wa, rows, start, end, o(f0), o(f0 + 1), o(f0 + 2), o(f0 + 3)); break;
          case 5: gradL5(hist, gh, packed, W, wa, rows, start, end, o(f0), o(f0 + 1), o(f0 + 2), o(f0 + 3), o(f0 + 4)); break;
          case 6: gradL6(hist, gh, packed, W, wa, rows, start, end, o(f0), o(f0 + 1), o(f0 + 2), o(f0 + 3), o(f0 + 4), o(f0 + 5)); break;
          case 7: gradL7(hist, gh, packed, W, wa, rows, start, end, o(f0), o(f0 + 1), o(f0 + 2), o(f0 + 3), o(f0 + 4), o(f0 + 5), o(f0 + 6)); break;
          default: gradL8(hist, gh, packed, W, wa, rows, start, end, o(f0), o(f0 + 1), o(f0 + 2), o(f0 + 3), o(f0 + 4), o(f0 + 5), o(f0 + 6), o(f0 + 7)); break;
        }
      }
      // Hessians = bin counts of all rows.
      const counts = this.rootCounts();
      for (let i = 1; i < hist.length; i += 2) hist[i] = counts[i]!;
      return this.allFeats;
    }
    if (2 * feats.length < F) {
      for (let j = 0; j < feats.length; j++) {
        const f = feats[j]!;
        const off = 2 * binOffset[f]!;
        hist.fill(0, off, off + 2 * nBins[f]!);
        histFeature(hist, gh, bins, rows, start, end, off, f * n);
      }
      return feats;
    }
    hist.fill(0);
    const o = (f: number) => 2 * binOffset[f]!;
    for (let f0 = 0; f0 < F; f0 += 8) {
      const wa = f0 >> 2;
      const L = Math.min(8, F - f0);
      switch (L) {
        case 1: histL1(hist, gh, packed, W, wa, rows, start, end, o(f0)); break;
        case 2: histL2(hist, gh, packed, W, wa, rows, start, end, o(f0), o(f0 + 1)); break;
        case 3: histL3(hist, gh, packed, W, wa, rows, start, end, o(f0), o(f0 + 1), o(f0 + 2)); break;
        case 4: histL4(hist, gh, packed, W, wa, rows, start, end, o(f0), o(f0 + 1), o(f0 + 2), o(f0 + 3)); break;
        case 5: histL5(hist, gh, packed, W, wa, rows, start, end, o(f0), o(f0 + 1), o(f0 + 2), o(f0 + 3), o(f0 + 4)); break;
        case 6: histL6(hist, gh, packed, W, wa, rows, start, end, o(f0), o(f0 + 1), o(f0 + 2), o(f0 + 3), o(f0 + 4), o(f0 + 5)); break;
        case 7: histL7(hist, gh, packed, W, wa, rows, start, end, o(f0), o(f0 + 1), o(f0 + 2), o(f0 + 3), o(f0 + 4), o(f0 + 5), o(f0 + 6)); break;
        default: histL8(hist, gh, packed, W, wa, rows, start, end, o(f0), o(f0 + 1), o(f0 + 2), o(f0 + 3), o(f0 + 4), o(f0 + 5), o(f0 + 6), o(f0 + 7)); break;
      }
    }
    return this.allFeats;
  }

  /** parent ← parent − child over the features' ranges: the sibling's histogram. */
  private subtract(parent: Float64Array, child: Float64Array, feats: Int32Array): void {
    const { binOffset, nBins } = this.layout;
    for (let j = 0; j < feats.length; j++) {
      const f = feats[j]!;
      const from = 2 * binOffset[f]!;
      const to = from + 2 * nBins[f]!;
      for (let i = from; i < to; i++) parent[i] = parent[i]! - child[i]!;
    }
  }

  /** Best split of a node over `feats`; false when no split improves the objective. */
  private findSplit(hist: Float64Array, G: number, H: number, feats: Int32Array): boolean {
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
   * Stable partition of rows[start, end) by `mask`; returns the first right
   * row. Branch-free (the side of a row is data: an unpredictable branch
   * costs more than two stores), writing into two scratch buffers that are
   * copied back, so no store aliases the rows still being read.
   */
  private partition(start: number, end: number, f: number, mask: Uint8Array, maskOff: number): number {
    const { bins, n } = this.layout;
    const rows = this.rows;
    const L = this.scratch;
    const R = this.scratch2;
    const base = f * n;
    let l = 0;
    let t = 0;
    let k = start;
    // Two rows per iteration: V8 does not unroll, and the loop overhead is a good part of the cost.
    for (; k + 3 < end; k += 4) {
      const r0 = rows[k]!;
      const r1 = rows[k + 1]!;
      const r2 = rows[k + 2]!;
      const r3 = rows[k + 3]!;
      const m0 = mask[maskOff + bins[base + r0]!]!;
      const m1 = mask[maskOff + bins[base + r1]!]!;
      const m2 = mask[maskOff + bins[base + r2]!]!;
      const m3 = mask[maskOff + bins[base + r3]!]!;
      L[l] = r0;
      R[t] = r0;
      l += m0;
      t += 1 - m0;
      L[l] = r1;
      R[t] = r1;
      l += m1;
      t += 1 - m1;
      L[l] = r2;
      R[t] = r2;
      l += m2;
      t += 1 - m2;
      L[l] = r3;
      R[t] = r3;
      l += m3;
      t += 1 - m3;
    }
    for (; k + 1 < end; k += 2) {
      const r = rows[k]!;
      const s = rows[k + 1]!;
      const m = mask[maskOff + bins[base + r]!]!;
      const q = mask[maskOff + bins[base + s]!]!;
      L[l] = r;
      R[t] = r;
      l += m;
      t += 1 - m;
      L[l] = s;
      R[t] = s;
      l += q;
      t += 1 - q;
    }
    if (k < end) {
      const r = rows[k]!;
      const m = mask[maskOff + bins[base + r]!]!;
      L[l] = r;
      R[t] = r;
      l += m;
      t += 1 - m;
    }
    rows.set(L.subarray(0, l), start);
    rows.set(R.subarray(0, t), start + l);
    return start + l;
  }

  /**
   * Grows one tree on `gh` (interleaved gradient/hessian per training row)
   * over rows[0, nRows) — the caller fills `rows`, ascending — using the
   * features `feats`. With `update`, also adds the tree's leaf values to
   * update.score[r·K + k] for those rows: a leaf made early adds over its
   * row range; the last level skips its partition and routes each row
   * straight to its leaf value (one pass instead of two). Without `update`
   * (subsampled rows: the caller scores every row itself) the last level
   * needs no partition at all. `unitHessian` promises every hessian is 1 and
   * rows are all n training rows (squared error, no subsampling): the root
   * histogram then accumulates gradients only (`gradL*`).
   */
  grow(gh: Float64Array, nRows: number, feats: Int32Array, update: { score: Float64Array; K: number; k: number } | null, unitHessian = false): Tree {
    const { maxDepth, l2, learningRate } = this.params;
    const { bins, n, nBins, categorical } = this.layout;
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
    const leftMask = this.mask;
    const mo = 0;
    const rows = this.rows;

    let G = 0;
    let H = 0;
    for (let k = 0; k < nRows; k++) {
      const r = rows[k]!;
      G += gh[2 * r]!;
      H += gh[2 * r + 1]!;
    }
    let nNodes = 1;
    const makeLeaf = (node: GrowNode) => {
      const v = leafWeight(node.G, node.H, l2) * learningRate;
      value[node.id] = v;
      if (update) addToRows(update.score, update.K, update.k, rows, node.start, node.end, v);
    };
    cover[0] = H;
    const root: GrowNode = { id: 0, start: 0, end: nRows, G, H, hist: null };
    let level: GrowNode[] = [root];
    if (maxDepth > 0 && H >= 2 * minH && nRows >= 2) {
      root.hist = this.takeHist();
      this.buildHistogram(root.hist, gh, 0, nRows, feats, unitHessian && nRows === this.layout.n && 2 * feats.length >= this.layout.F);
    }
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
        // The split as a bin → side table (valid until the next split).
        leftMask.fill(0);
        if (categorical[f]) {
          leftMask.fill(1, mo, mo + 256);
          leftMask[mo + s.bin] = 0;
        } else {
          leftMask.fill(1, mo, mo + s.bin + 1);
          leftMask[mo + nBins[f]! - 1] = s.missingLeft ? 1 : 0;
        }
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
          if (update) routeToLeaves(update.score, update.K, update.k, rows, node.start, node.end, bins, f * n, leftMask, mo, vl, vr);
          this.releaseHist(node.hist);
          node.hist = null;
          continue;
        }
        const mid = this.partition(node.start, node.end, f, leftMask, mo);
        const l: GrowNode = { id: lId, start: node.start, end: mid, G: s.GL, H: s.HL, hist: null };
        const r: GrowNode = { id: rId, start: mid, end: node.end, G: GR, H: HR, hist: null };
        const lCan = l.H >= 2 * minH && l.end - l.start >= 2;
        const rCan = r.H >= 2 * minH && r.end - r.start >= 2;
        if (lCan || rCan) {
          // Build the smaller child; the larger one is parent − smaller (in place).
          const lSmall = l.end - l.start <= r.end - r.start;
          const small = lSmall ? l : r;
          const large = lSmall ? r : l;
          const sh = this.takeHist();
          const built = this.buildHistogram(sh, gh, small.start, small.end, feats);
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
    }
    for (const node of level) {
      // Only reached when maxDepth levels were not all used (leaves above the last level).
      this.releaseHist(node.hist);
      node.hist = null;
      makeLeaf(node);
    }
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

/** score[rows[i]·K + k] += v for i in [start, end). */
function addToRows(score: Float64Array, K: number, k: number, rows: Int32Array, start: number, end: number, v: number): void {
  for (let i = start; i < end; i++) {
    const o = rows[i]! * K + k;
    score[o] = score[o]! + v;
  }
}

/** The last level: each row of the node gets vl or vr by its bin, without partitioning. */
function routeToLeaves(
  score: Float64Array, K: number, k: number, rows: Int32Array, start: number, end: number,
  bins: Uint8Array, base: number, mask: Uint8Array, maskOff: number, vl: number, vr: number,
): void {
  // Indexing [vr, vl] by the side keeps the unpredictable choice out of the branch predictor.
  const v = LEAF_PAIR;
  v[0] = vr;
  v[1] = vl;
  let i = start;
  for (; i + 1 < end; i += 2) {
    const r = rows[i]!;
    const s = rows[i + 1]!;
    const o = r * K + k;
    const p = s * K + k;
    const a = v[mask[maskOff + bins[base + r]!]!]!;
    const b = v[mask[maskOff + bins[base + s]!]!]!;
    score[o] = score[o]! + a;
    score[p] = score[p]! + b;
  }
  if (i < end) {
    const r = rows[i]!;
    const o = r * K + k;
    score[o] = score[o]! + v[mask[maskOff + bins[base + r]!]!]!;
  }
}
const LEAF_PAIR = new Float64Array(2);

/** score[r·K + k] += tree(bins of row r) for all n rows of a feature-major bin matrix (validation, subsampled trees). */
export function addTreeBinned(tree: Tree, layout: Pick<BinLayout, "nBins" | "categorical">, bins: Uint8Array, n: number, score: Float64Array, K: number, k: number): void {
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

/** One feature from the feature-major bins (column-sampled trees). */
function histFeature(hist: Float64Array, gh: Float64Array, bins: Uint8Array, rows: Int32Array, start: number, end: number, o0: number, b0: number): void {
  for (let k = start; k < end; k++) {
    const r = rows[k]!;
    const b = o0 + 2 * bins[b0 + r]!;
    hist[b] = hist[b]! + gh[2 * r]!;
    hist[b + 1] = hist[b + 1]! + gh[2 * r + 1]!;
  }
}

// Packed-row histogram kernels, one per lane count L (1…8 features in one pass
// over the rows). Row r's bins for this pass are the bytes of packed[r·W + wa]
// (lanes 0–3) and packed[r·W + wa + 1] (lanes 4–7); o_i = 2 × the first bin of
// lane i's feature in `hist`. One load of g, h and the packed words serves up
// to eight independent read-modify-writes; written out per L because V8 does
// not unroll loops. (Generated; keep them identical but for the lane count.)

function histL1(hist: Float64Array, gh: Float64Array, packed: Int32Array, W: number, wa: number, rows: Int32Array, start: number, end: number, o0: number): void {
  for (let k = start; k < end; k++) {
    const r = rows[k]!;
    const g = gh[2 * r]!;
    const h = gh[2 * r + 1]!;
    const p = r * W + wa;
    const a = packed[p]!;
    let b: number;
    b = o0 + 2 * (a & 255);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
  }
}

function histL2(hist: Float64Array, gh: Float64Array, packed: Int32Array, W: number, wa: number, rows: Int32Array, start: number, end: number, o0: number, o1: number): void {
  for (let k = start; k < end; k++) {
    const r = rows[k]!;
    const g = gh[2 * r]!;
    const h = gh[2 * r + 1]!;
    const p = r * W + wa;
    const a = packed[p]!;
    let b: number;
    b = o0 + 2 * (a & 255);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o1 + ((a >>> 7) & 510);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
  }
}

function histL3(hist: Float64Array, gh: Float64Array, packed: Int32Array, W: number, wa: number, rows: Int32Array, start: number, end: number, o0: number, o1: number, o2: number): void {
  for (let k = start; k < end; k++) {
    const r = rows[k]!;
    const g = gh[2 * r]!;
    const h = gh[2 * r + 1]!;
    const p = r * W + wa;
    const a = packed[p]!;
    let b: number;
    b = o0 + 2 * (a & 255);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o1 + ((a >>> 7) & 510);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o2 + ((a >>> 15) & 510);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
  }
}

function histL4(hist: Float64Array, gh: Float64Array, packed: Int32Array, W: number, wa: number, rows: Int32Array, start: number, end: number, o0: number, o1: number, o2: number, o3: number): void {
  for (let k = start; k < end; k++) {
    const r = rows[k]!;
    const g = gh[2 * r]!;
    const h = gh[2 * r + 1]!;
    const p = r * W + wa;
    const a = packed[p]!;
    let b: number;
    b = o0 + 2 * (a & 255);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o1 + ((a >>> 7) & 510);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o2 + ((a >>> 15) & 510);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o3 + 2 * (a >>> 24);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
  }
}

function histL5(hist: Float64Array, gh: Float64Array, packed: Int32Array, W: number, wa: number, rows: Int32Array, start: number, end: number, o0: number, o1: number, o2: number, o3: number, o4: number): void {
  for (let k = start; k < end; k++) {
    const r = rows[k]!;
    const g = gh[2 * r]!;
    const h = gh[2 * r + 1]!;
    const p = r * W + wa;
    const a = packed[p]!;
    const c = packed[p + 1]!;
    let b: number;
    b = o0 + 2 * (a & 255);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o1 + ((a >>> 7) & 510);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o2 + ((a >>> 15) & 510);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o3 + 2 * (a >>> 24);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o4 + 2 * (c & 255);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
  }
}

function histL6(hist: Float64Array, gh: Float64Array, packed: Int32Array, W: number, wa: number, rows: Int32Array, start: number, end: number, o0: number, o1: number, o2: number, o3: number, o4: number, o5: number): void {
  for (let k = start; k < end; k++) {
    const r = rows[k]!;
    const g = gh[2 * r]!;
    const h = gh[2 * r + 1]!;
    const p = r * W + wa;
    const a = packed[p]!;
    const c = packed[p + 1]!;
    let b: number;
    b = o0 + 2 * (a & 255);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o1 + ((a >>> 7) & 510);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o2 + ((a >>> 15) & 510);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o3 + 2 * (a >>> 24);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o4 + 2 * (c & 255);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o5 + ((c >>> 7) & 510);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
  }
}

function histL7(hist: Float64Array, gh: Float64Array, packed: Int32Array, W: number, wa: number, rows: Int32Array, start: number, end: number, o0: number, o1: number, o2: number, o3: number, o4: number, o5: number, o6: number): void {
  for (let k = start; k < end; k++) {
    const r = rows[k]!;
    const g = gh[2 * r]!;
    const h = gh[2 * r + 1]!;
    const p = r * W + wa;
    const a = packed[p]!;
    const c = packed[p + 1]!;
    let b: number;
    b = o0 + 2 * (a & 255);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o1 + ((a >>> 7) & 510);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o2 + ((a >>> 15) & 510);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o3 + 2 * (a >>> 24);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o4 + 2 * (c & 255);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o5 + ((c >>> 7) & 510);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o6 + ((c >>> 15) & 510);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
  }
}

function histL8(hist: Float64Array, gh: Float64Array, packed: Int32Array, W: number, wa: number, rows: Int32Array, start: number, end: number, o0: number, o1: number, o2: number, o3: number, o4: number, o5: number, o6: number, o7: number): void {
  for (let k = start; k < end; k++) {
    const r = rows[k]!;
    const g = gh[2 * r]!;
    const h = gh[2 * r + 1]!;
    const p = r * W + wa;
    const a = packed[p]!;
    const c = packed[p + 1]!;
    let b: number;
    b = o0 + 2 * (a & 255);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o1 + ((a >>> 7) & 510);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o2 + ((a >>> 15) & 510);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o3 + 2 * (a >>> 24);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o4 + 2 * (c & 255);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o5 + ((c >>> 7) & 510);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o6 + ((c >>> 15) & 510);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
    b = o7 + 2 * (c >>> 24);
    hist[b] = hist[b]! + g;
    hist[b + 1] = hist[b + 1]! + h;
  }
}

// Gradient-only variants for the root of a constant-hessian objective (squared
// error without row subsampling): the root's hessian histogram is the bin
// count, the same for every tree, so only g is accumulated — half the
// read-modify-writes of the full kernels.

function gradL1(hist: Float64Array, gh: Float64Array, packed: Int32Array, W: number, wa: number, rows: Int32Array, start: number, end: number, o0: number): void {
  for (let k = start; k < end; k++) {
    const r = rows[k]!;
    const g = gh[2 * r]!;
    const p = r * W + wa;
    const a = packed[p]!;
    let b: number;
    b = o0 + 2 * (a & 255);
    hist[b] = hist[b]! + g;
  }
}

function gradL2(hist: Float64Array, gh: Float64Array, packed: Int32Array, W: number, wa: number, rows: Int32Array, start: number, end: number, o0: number, o1: number): void {
  for (let k = start; k < end; k++) {
    const r = rows[k]!;
    const g = gh[2 * r]!;
    const p = r * W + wa;
    const a = packed[p]!;
    let b: number;
    b = o0 + 2 * (a & 255);
    hist[b] = hist[b]! + g;
    b = o1 + ((a >>> 7) & 510);
    hist[b] = hist[b]! + g;
  }
}

function gradL3(hist: Float64Array, gh: Float64Array, packed: Int32Array, W: number, wa: number, rows: Int32Array, start: number, end: number, o0: number, o1: number, o2: number): void {
  for (let k = start; k < end; k++) {
    const r = rows[k]!;
    const g = gh[2 * r]!;
    const p = r * W + wa;
    const a = packed[p]!;
    let b: number;
    b = o0 + 2 * (a & 255);
    hist[b] = hist[b]! + g;
    b = o1 + ((a >>> 7) & 510);
    hist[b] = hist[b]! + g;
    b = o2 + ((a >>> 15) & 510);
    hist[b] = hist[b]! + g;
  }
}

function gradL4(hist: Float64Array, gh: Float64Array, packed: Int32Array, W: number, wa: number, rows: Int32Array, start: number, end: number, o0: number, o1: number, o2: number, o3: number): void {
  for (let k = start; k < end; k++) {
    const r = rows[k]!;
    const g = gh[2 * r]!;
    const p = r * W + wa;
    const a = packed[p]!;
    let b: number;
    b = o0 + 2 * (a & 255);
    hist[b] = hist[b]! + g;
    b = o1 + ((a >>> 7) & 510);
    hist[b] = hist[b]! + g;
    b = o2 + ((a >>> 15) & 510);
    hist[b] = hist[b]! + g;
    b = o3 + 2 * (a >>> 24);
    hist[b] = hist[b]! + g;
  }
}

function gradL5(hist: Float64Array, gh: Float64Array, packed: Int32Array, W: number, wa: number, rows: Int32Array, start: number, end: number, o0: number, o1: number, o2: number, o3: number, o4: number): void {
  for (let k = start; k < end; k++) {
    const r = rows[k]!;
    const g = gh[2 * r]!;
    const p = r * W + wa;
    const a = packed[p]!;
    const c = packed[p + 1]!;
    let b: number;
    b = o0 + 2 * (a & 255);
    hist[b] = hist[b]! + g;
    b = o1 + ((a >>> 7) & 510);
    hist[b] = hist[b]! + g;
    b = o2 + ((a >>> 15) & 510);
    hist[b] = hist[b]! + g;
    b = o3 + 2 * (a >>> 24);
    hist[b] = hist[b]! + g;
    b = o4 + 2 * (c & 255);
    hist[b] = hist[b]! + g;
  }
}

function gradL6(hist: Float64Array, gh: Float64Array, packed: Int32Array, W: number, wa: number, rows: Int32Array, start: number, end: number, o0: number, o1: number, o2: number, o3: number, o4: number, o5: number): void {
  for (let k = start; k < end; k++) {
    const r = rows[k]!;
    const g = gh[2 * r]!;
    const p = r * W + wa;
    const a = packed[p]!;
    const c = packed[p + 1]!;
    let b: number;
    b = o0 + 2 * (a & 255);
    hist[b] = hist[b]! + g;
    b = o1 + ((a >>> 7) & 510);
    hist[b] = hist[b]! + g;
    b = o2 + ((a >>> 15) & 510);
    hist[b] = hist[b]! + g;
    b = o3 + 2 * (a >>> 24);
    hist[b] = hist[b]! + g;
    b = o4 + 2 * (c & 255);
    hist[b] = hist[b]! + g;
    b = o5 + ((c >>> 7) & 510);
    hist[b] = hist[b]! + g;
  }
}

function gradL7(hist: Float64Array, gh: Float64Array, packed: Int32Array, W: number, wa: number, rows: Int32Array, start: number, end: number, o0: number, o1: number, o2: number, o3: number, o4: number, o5: number, o6: number): void {
  for (let k = start; k < end; k++) {
    const r = rows[k]!;
    const g = gh[2 * r]!;
    const p = r * W + wa;
    const a = packed[p]!;
    const c = packed[p + 1]!;
    let b: number;
    b = o0 + 2 * (a & 255);
    hist[b] = hist[b]! + g;
    b = o1 + ((a >>> 7) & 510);
    hist[b] = hist[b]! + g;
    b = o2 + ((a >>> 15) & 510);
    hist[b] = hist[b]! + g;
    b = o3 + 2 * (a >>> 24);
    hist[b] = hist[b]! + g;
    b = o4 + 2 * (c & 255);
    hist[b] = hist[b]! + g;
    b = o5 + ((c >>> 7) & 510);
    hist[b] = hist[b]! + g;
    b = o6 + ((c >>> 15) & 510);
    hist[b] = hist[b]! + g;
  }
}

function gradL8(hist: Float64Array, gh: Float64Array, packed: Int32Array, W: number, wa: number, rows: Int32Array, start: number, end: number, o0: number, o1: number, o2: number, o3: number, o4: number, o5: number, o6: number, o7: number): void {
  for (let k = start; k < end; k++) {
    const r = rows[k]!;
    const g = gh[2 * r]!;
    const p = r * W + wa;
    const a = packed[p]!;
    const c = packed[p + 1]!;
    let b: number;
    b = o0 + 2 * (a & 255);
    hist[b] = hist[b]! + g;
    b = o1 + ((a >>> 7) & 510);
    hist[b] = hist[b]! + g;
    b = o2 + ((a >>> 15) & 510);
    hist[b] = hist[b]! + g;
    b = o3 + 2 * (a >>> 24);
    hist[b] = hist[b]! + g;
    b = o4 + 2 * (c & 255);
    hist[b] = hist[b]! + g;
    b = o5 + ((c >>> 7) & 510);
    hist[b] = hist[b]! + g;
    b = o6 + ((c >>> 15) & 510);
    hist[b] = hist[b]! + g;
    b = o7 + 2 * (c >>> 24);
    hist[b] = hist[b]! + g;
  }
}
