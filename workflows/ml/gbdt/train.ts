/**
 * `trainGbdt`: histogram gradient boosting (regression, binary logistic,
 * multiclass softmax) on a Frame, exported to ONNX.
 *
 * Per iteration: gradients of the loss at the current scores (O(rows), which
 * also yields the training loss), then one tree per score column grown on
 * them (tree.ts: histogram building dominates), then the scores move by the
 * tree's leaf values — O(rows) via the leaf row ranges the grower leaves
 * behind, or a binned traversal when rows were subsampled. Validation scores
 * (early stopping) are updated by binned traversal.
 *
 * Deterministic: all randomness (row and column sampling, the validation
 * split) comes from `Rng(seed)`, and every loop runs in a fixed order, so the
 * same data, options and seed give the same trees and the same ONNX bytes.
 */
import { DataError, type Frame, type TrainedModel } from "../types";
import { prepareData, type PreparedData } from "./dataset";
import { logisticGradients, meanLoss, softmaxGradients, softmaxProbabilities, squaredErrorGradients } from "./losses";
import { featureImportance, predictEnsemble, toEnsembleTree, type EnsembleTree, type GbdtEnsemble } from "./model";
import { exportOnnx, modelInputs, modelOutputs } from "./onnx-export";
import { resolveOptions, type GbdtOptions, type ResolvedGbdtOptions } from "./options";
import { Rng, sampleIndices } from "./rng";
import { addTreeBinned, packBins, TreeGrower, type BinLayout, type Tree } from "./tree";

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
  let total = 0;
  data.features.forEach((f, i) => {
    nBins[i] = f.nBins;
    binOffset[i] = total;
    total += f.nBins;
    categorical[i] = f.kind === "string" ? 1 : 0;
  });
  const { packed, W } = packBins(data.bins, data.n, F);
  return { n: data.n, F, bins: data.bins, nBins, binOffset, totalBins: total, categorical, packed, W };
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

export function trainGbdt(frame: Frame, options: GbdtOptions): GbdtTrainedModel {
  const opts = resolveOptions(options);
  const data = prepareData(frame, opts);
  const { n, K, y, objective } = data;
  const notes = [...data.notes];
  const layout = layoutOf(data);
  const grower = new TreeGrower(layout, { maxDepth: opts.maxDepth, l2: opts.l2, minChildWeight: opts.minChildWeight, learningRate: opts.learningRate });
  const rng = new Rng(opts.seed);

  // Buffers for the whole run: nothing below allocates per row per iteration.
  const base = baseScores(data);
  const score = new Float64Array(n * K);
  for (let r = 0; r < n; r++) for (let k = 0; k < K; k++) score[r * K + k] = base[k]!;
  const validScore = new Float64Array(data.nValid * K);
  for (let r = 0; r < data.nValid; r++) for (let k = 0; k < K; k++) validScore[r * K + k] = base[k]!;
  const gh = new Float64Array(2 * n);
  const prob = objective === "softmax" ? new Float64Array(n * K) : null;
  const sampled = opts.subsample < 1 ? new Int32Array(n) : null;
  const nFeat = Math.max(1, Math.round(opts.colsampleByTree * layout.F));
  const allFeats = Int32Array.from({ length: layout.F }, (_, i) => i);
  const identity = sampled ? null : Int32Array.from({ length: n }, (_, i) => i);

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
    let loss: number;
    if (objective === "squared_error") loss = squaredErrorGradients(score, y, gh);
    else if (objective === "logistic") loss = logisticGradients(score, y, gh);
    else loss = softmaxProbabilities(score, y, K, prob!);
    if (it > 0) trainLoss.push(loss);
    if (!Number.isFinite(loss)) throw new DataError("The training loss is not finite (it overflowed or diverged): check the scale of the target, or lower learningRate.");

    // Row sample for this iteration (shared by the K trees of a multiclass iteration).
    let nRows = n;
    if (sampled) {
      nRows = 0;
      for (let r = 0; r < n; r++) if (rng.next() < opts.subsample) sampled[nRows++] = r;
    }
    for (let k = 0; k < K; k++) {
      if (prob) softmaxGradients(prob, y, K, k, gh);
      if (sampled) grower.rows.set(sampled.subarray(0, nRows));
      else grower.rows.set(identity!);
      const feats = nFeat < layout.F ? sampleIndices(rng, layout.F, nFeat) : allFeats;
      // Without subsampling the grower updates the scores as it goes; otherwise every row is re-scored by traversal.
      const tree = grower.grow(gh, nRows, feats, sampled ? null : { score, K, k }, objective === "squared_error" && !sampled);
      if (sampled) addTreeBinned(tree, layout, data.bins, n, score, K, k);
      if (data.nValid > 0) addTreeBinned(tree, layout, data.validBins, data.nValid, validScore, K, k);
      trees.push(tree);
      treeTarget.push(k);
    }
    iterations = it + 1;
    if (data.nValid > 0) {
      const vl = meanLoss(objective, validScore, data.yValid, K);
      validLoss.push(vl);
      if (vl < bestValid) {
        bestValid = vl;
        bestIteration = it;
      } else if (early && it - bestIteration >= opts.earlyStoppingRounds!) {
        break;
      }
    }
  }
  trainLoss.push(meanLoss(objective, score, y, K));

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
