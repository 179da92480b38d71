/**
 * `trainGbdt`: histogram gradient boosting (regression, binary logistic,
 * multiclass softmax) on a Frame, exported to ONNX.
 *
 * Per iteration: gradients of the loss at the current scores (O(rows), which
 * also yields the training loss), then one tree per score column grown on
 * them (tree.ts: partitions and histograms dominate), then the scores move by
 * the tree's leaf values — as the grower routes its rows to the leaves, or
 * by a binned traversal when rows were subsampled. Validation scores (early
 * stopping) are updated by binned traversal.
 *
 * Deterministic: all randomness (row and column sampling, the validation
 * split) comes from `Rng(seed)`, and every loop runs in a fixed order, so the
 * same data, options and seed give the same trees and the same ONNX bytes.
 */
import { DataError, type Frame, type TrainedModel, type TrainHooks } from "../types";
import { MAX_ELEMENTS, newDoubles, toDoubles } from "./arrays";
import { prepareData, type PreparedData } from "./dataset";
import { logisticGradients, meanLoss, meanSquare, softmaxGradients, softmaxProbabilities, squaredErrorGradients } from "./losses";
import { featureImportance, predictEnsemble, toEnsembleTree, type EnsembleTree, type GbdtEnsemble } from "./model";
import { exportOnnx, modelInputs, modelOutputs } from "./onnx-export";
import { resolveOptions, type GbdtOptions, type ResolvedGbdtOptions } from "./options";
import { Rng, sampleIndices } from "./rng";
import { addTreeBinned, packBins, TreeGrower, type BinLayout, type LeafUpdate, type Tree } from "./tree";

export interface FeatureImportance {
  /** Model input column (one-hot columns are summed into their string column). */
  name: string;
  /** Total split gain (loss reduction) of the splits on this column. */
  gain: number;
  /** gain / total gain. */
  share: number;
  /** Number of splits on this column. */
  splits: number;
}

/** TrainedModel plus what GBDT knows beyond the common shape. */
export interface GbdtTrainedModel extends TrainedModel {
  /** Gain-based importance, largest first (also in params.featureImportance as JSON). */
  featureImportance: FeatureImportance[];
  /** The ensemble itself (for inspection and tests). */
  ensemble: GbdtEnsemble;
}

function layoutOf(data: PreparedData): BinLayout {
  const F = data.features.length;
  const nBins = new Int32Array(F);
  const binOffset = new Int32Array(F);
  const categorical = new Uint8Array(F);
  const hasMissing = new Uint8Array(F);
  let total = 0;
  data.features.forEach((f, i) => {
    nBins[i] = f.nBins;
    binOffset[i] = total;
    total += f.nBins;
    categorical[i] = f.kind === "string" ? 1 : 0;
    hasMissing[i] = f.kind === "number" && f.hasMissing ? 1 : 0;
  });
  return { n: data.n, F, bins: data.bins, nBins, binOffset, totalBins: total, categorical, hasMissing, words: packBins(data.bins, data.n, F) };
}

function baseScores(data: PreparedData): Float64Array {
  const { y, n, K } = data;
  const base = new Float64Array(K);
  if (data.objective === "squared_error") {
    let s = 0;
    for (let r = 0; r < n; r++) s += y[r]!;
    base[0] = s / n;
  } else if (data.objective === "logistic") {
    let s = 0;
    for (let r = 0; r < n; r++) s += y[r]!;
    const p = Math.min(Math.max(s / n, 1e-6), 1 - 1e-6);
    base[0] = Math.log(p / (1 - p));
  } else {
    const counts = new Float64Array(K);
    for (let r = 0; r < n; r++) counts[y[r]!]!++;
    for (let k = 0; k < K; k++) base[k] = Math.log(Math.max(counts[k]! / n, 1e-6));
  }
  return base;
}

export function trainGbdt(frame: Frame, options: GbdtOptions, hooks: TrainHooks = {}): GbdtTrainedModel {
  const onProgress = hooks.onProgress ?? (() => {});
  onProgress({ phase: "preparing" });
  const opts = resolveOptions(options);
  const data = prepareData(frame, opts);
  const { n, K, objective } = data;
  if (n * K > MAX_ELEMENTS) {
    throw new DataError(
      `Too much data for the GBDT trainer: ${n} rows × ${K} score columns is more than ${MAX_ELEMENTS} values per array; sample the rows first.`,
    );
  }
  const notes = [...data.notes];
  const layout = layoutOf(data);
  const treeParams = { maxDepth: opts.maxDepth, l2: opts.l2, minChildWeight: opts.minChildWeight, learningRate: opts.learningRate };
  const rng = new Rng(opts.seed);

  // Buffers for the whole run: nothing below allocates per row per iteration.
  const base = baseScores(data);
  // Per-row arrays are plain arrays of doubles, not typed arrays (arrays.ts).
  const y = toDoubles(data.y);
  const yValid = toDoubles(data.yValid);
  const score = newDoubles(n * K);
  for (let r = 0; r < n; r++) for (let k = 0; k < K; k++) score[r * K + k] = base[k]!;
  const validScore = newDoubles(data.nValid * K);
  for (let r = 0; r < data.nValid; r++) for (let k = 0; k < K; k++) validScore[r * K + k] = base[k]!;
  const prob = objective === "softmax" ? newDoubles(n * K) : null;
  const sampled = opts.subsample < 1 ? new Int32Array(n) : null;
  const nFeat = Math.max(1, Math.round(opts.colsampleByTree * layout.F));
  const allFeats = Int32Array.from({ length: layout.F }, (_, i) => i);

  // Where the per-row state lives. The grower keeps its rows in node order
  // (tree.ts), so the state it touches every tree should be there too:
  // - "gradients" (squared error, all rows): g = score − y moves exactly by
  //   the leaf value a row receives, so the grower's gradients are the state
  //   — the trees add their leaf values to them, and the gradient pass over
  //   score and y runs once. `score` is not kept current.
  // - "scores" (logistic, all rows): the grower carries each row's score and
  //   label; gradients are computed there and the trees add to the scores.
  // - "ids" (softmax, all rows): K scores per row stay in row order, and every
  //   tree starts from row order (a sequential copy, like a sample of all
  //   rows); the grower carries row ids to scatter leaf values through —
  //   ascending or descending within a node, so memory is still read in
  //   order. (Carried over from tree to tree, the order would make every
  //   gather and scatter a cache miss.)
  // - "sampled" (row subsampling): every tree loads its sample from row
  //   order, and the scores are updated by traversal.
  const mode = sampled ? "sampled" : objective === "squared_error" ? "gradients" : objective === "logistic" ? "scores" : "ids";
  const grower = new TreeGrower(layout, treeParams, { unitHessian: objective === "squared_error", carry: mode === "scores" ? 2 : mode === "ids" ? 1 : 0 });
  if (mode === "scores") {
    // The grower's positions start in row order.
    const { carry } = grower.rows();
    for (let r = 0; r < n; r++) carry[0]![r] = score[r]!;
    for (let r = 0; r < n; r++) carry[1]![r] = y[r]!;
  }
  // Gradients in row order ("ids", "sampled").
  const gRow = mode === "ids" || mode === "sampled" ? newDoubles(n) : null;
  const hRow = gRow && objective !== "squared_error" ? newDoubles(n) : null;

  const trees: Tree[] = [];
  const treeTarget: number[] = [];
  const trainLoss: number[] = [];
  const validLoss: number[] = [];
  const early = opts.earlyStoppingRounds !== null && data.nValid > 0;
  let bestIteration = -1;
  let bestValid = Infinity;
  let iterations = 0;

  for (let it = 0; it < opts.nTrees; it++) {
    // Gradients at the current scores; the loss they return is that of the model after `it` iterations.
    const rows = grower.rows();
    let loss: number;
    if (mode === "gradients") loss = it === 0 ? squaredErrorGradients(score, y, rows.g, null) : meanSquare(rows.g);
    else if (mode === "scores") loss = logisticGradients(rows.carry[0]!, rows.carry[1]!, rows.g, rows.h!);
    else if (objective === "squared_error") loss = squaredErrorGradients(score, y, gRow!, hRow);
    else if (objective === "logistic") loss = logisticGradients(score, y, gRow!, hRow!);
    else loss = softmaxProbabilities(score, y, K, prob!);
    if (it > 0) trainLoss.push(loss);
    if (!Number.isFinite(loss))
      throw new DataError("The training loss is not finite (it overflowed or diverged): check the scale of the target, or lower learningRate.");

    // Row sample for this iteration (shared by the K trees of a multiclass iteration).
    let nRows = n;
    if (sampled) {
      nRows = 0;
      for (let r = 0; r < n; r++) if (rng.next() < opts.subsample) sampled[nRows++] = r;
    }
    for (let k = 0; k < K; k++) {
      if (prob) softmaxGradients(prob, y, K, k, gRow!, hRow!);
      const feats = nFeat < layout.F ? sampleIndices(rng, layout.F, nFeat) : allFeats;
      let update: LeafUpdate = null;
      if (mode === "gradients") update = { column: "g" };
      else if (mode === "scores") update = { column: 0 };
      else if (mode === "ids") {
        grower.loadSample(null, n, gRow!, hRow);
        const ids = grower.rows().carry[0]!;
        for (let r = 0; r < n; r++) ids[r] = r;
        update = { score, K, k, ord: 0 };
      } else grower.loadSample(sampled, nRows, gRow!, hRow);
      const tree = grower.grow(nRows, feats, update);
      // Subsampled: every row is re-scored by traversal.
      if (sampled) addTreeBinned(tree, layout, data.bins, n, score, K, k);
      if (data.nValid > 0) addTreeBinned(tree, layout, data.validBins, data.nValid, validScore, K, k);
      trees.push(tree);
      treeTarget.push(k);
    }
    iterations = it + 1;
    onProgress({ phase: "training", iteration: iterations, total: opts.nTrees, unit: "tree" });
    if (data.nValid > 0) {
      const vl = meanLoss(objective, validScore, yValid, K);
      validLoss.push(vl);
      if (vl < bestValid) {
        bestValid = vl;
        bestIteration = it;
      } else if (early && it - bestIteration >= opts.earlyStoppingRounds!) {
        break;
      }
    }
  }
  const last = grower.rows();
  if (mode === "gradients") trainLoss.push(meanSquare(last.g));
  else if (mode === "scores") trainLoss.push(meanLoss(objective, last.carry[0]!, last.carry[1]!, 1));
  else trainLoss.push(meanLoss(objective, score, y, K));

  let kept = iterations;
  if (early && bestIteration >= 0 && bestIteration + 1 < iterations) {
    kept = bestIteration + 1;
    notes.push(`Early stopping: the validation loss last improved at iteration ${kept} of ${iterations}; the model keeps ${kept} iterations.`);
  }
  const ensembleTrees: EnsembleTree[] = [];
  for (let i = 0; i < kept * K; i++) ensembleTrees.push(toEnsembleTree(trees[i]!, data.features, treeTarget[i]!));

  const ensemble: GbdtEnsemble = {
    task: opts.task,
    objective,
    target: opts.target,
    K,
    classes: data.classes,
    inputs: data.inputs,
    features: data.features,
    base,
    trees: ensembleTrees,
  };
  const importance = featureImportance(ensemble);
  let leaves = 0;
  for (const t of ensembleTrees) for (let id = 0; id < t.left.length; id++) if (t.left[id]! < 0) leaves++;

  const params: TrainedModel["params"] = {
    objective,
    lossName: objective === "squared_error" ? "mse" : "logloss",
    nTrees: opts.nTrees,
    maxDepth: opts.maxDepth,
    learningRate: opts.learningRate,
    l2: opts.l2,
    minChildWeight: opts.minChildWeight,
    subsample: opts.subsample,
    colsampleByTree: opts.colsampleByTree,
    maxBins: opts.maxBins,
    seed: opts.seed,
    iterations,
    keptIterations: kept,
    trees: ensembleTrees.length,
    leaves,
    trainRows: n,
    validRows: data.nValid,
    features: data.features.map((f) => f.name),
    finalTrainLoss: trainLoss[trainLoss.length - 1]!,
    featureImportance: JSON.stringify(Object.fromEntries(importance.map((f) => [f.name, f.gain]))),
  };
  if (opts.earlyStoppingRounds !== null) params.earlyStoppingRounds = opts.earlyStoppingRounds;
  if (data.nValid > 0) {
    params.bestIteration = bestIteration + 1;
    params.bestValidLoss = bestValid;
  }
  const series: Record<string, number[]> = { train_loss: trainLoss };
  if (data.nValid > 0) series.valid_loss = validLoss;

  onProgress({ phase: "exporting" });
  return {
    task: opts.task,
    target: opts.target,
    onnx: exportOnnx(ensemble),
    inputs: modelInputs(ensemble),
    outputs: modelOutputs(ensemble),
    classes: data.classes,
    params,
    series,
    notes,
    predict: (f: Frame) => predictEnsemble(ensemble, f),
    featureImportance: importance,
    ensemble,
  };
}

export type { GbdtOptions, ResolvedGbdtOptions };
