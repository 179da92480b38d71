/**
 * Evaluation metrics (docs/spec.md metric names): regression `mae`, `rmse`,
 * `r2`; classification `accuracy`, `f1` (macro), `auc` (binary only) and
 * `logloss`; plus a confusion matrix.
 */
import { compareCodeUnits } from "./preprocess";
import { DataError } from "./types";

export type RegressionMetrics = {
  mae: number;
  rmse: number;
  /** 1 − SS_res/SS_tot; for a constant yTrue: 1 if every prediction is exact, else 0 (as scikit-learn). */
  r2: number;
};

export type ClassificationMetrics = {
  accuracy: number;
  /** Macro F1 over the labels that occur in yTrue or the predictions (as scikit-learn). */
  f1: number;
  /** Binary only (classes[1] is the positive class); absent for multiclass or when yTrue has a single class. */
  auc?: number;
  /** Mean −log p(true class), with p clipped to [1e-15, 1 − 1e-15]. */
  logloss: number;
};

export interface ConfusionMatrix {
  labels: string[];
  /** matrix[t][p] = rows with true label labels[t] predicted as labels[p]. */
  matrix: number[][];
}

function checkLengths(a: number, b: number, what: string): void {
  if (a !== b) throw new Error(`${what}: ${a} true values but ${b} predictions`);
  if (a === 0) throw new DataError("There are no rows to evaluate.");
}

export function regressionMetrics(yTrue: Float64Array, yPred: Float64Array): RegressionMetrics {
  const n = yTrue.length;
  checkLengths(n, yPred.length, "regressionMetrics");
  let missing = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const t = yTrue[i]!;
    if (Number.isNaN(t)) missing++;
    sum += t;
  }
  if (missing > 0) throw new DataError(`The target has ${missing} missing value${missing === 1 ? "" : "s"} in the evaluation data.`);
  const mean = sum / n;
  let abs = 0;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    const t = yTrue[i]!;
    const e = t - yPred[i]!;
    abs += Math.abs(e);
    ssRes += e * e;
    ssTot += (t - mean) * (t - mean);
  }
  const r2 = ssTot > 0 ? 1 - ssRes / ssTot : ssRes === 0 ? 1 : 0;
  return { mae: abs / n, rmse: Math.sqrt(ssRes / n), r2 };
}

/** Index of the largest value per row across per-class columns (first on ties). */
export function argmaxLabels(classes: string[], probabilities: Float64Array[]): string[] {
  const n = probabilities[0]?.length ?? 0;
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestP = -Infinity;
    for (let c = 0; c < classes.length; c++) {
      const p = probabilities[c]![i]!;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    out[i] = classes[best]!;
  }
  return out;
}

/**
 * Rows are true labels, columns predicted labels. `labels` defaults to the
 * sorted union of both; a value outside a given `labels` list is not counted.
 */
export function confusionMatrix(yTrue: string[], yPred: string[], labels?: string[]): ConfusionMatrix {
  if (yTrue.length !== yPred.length) throw new Error(`confusionMatrix: ${yTrue.length} true values but ${yPred.length} predictions`);
  const ls = labels ?? [...new Set([...yTrue, ...yPred])].sort(compareCodeUnits);
  const index = new Map(ls.map((l, i) => [l, i] as const));
  const matrix = ls.map(() => new Array<number>(ls.length).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = index.get(yTrue[i]!);
    const p = index.get(yPred[i]!);
    if (t !== undefined && p !== undefined) matrix[t]![p]! += 1;
  }
  return { labels: ls, matrix };
}

/** Macro F1 from a confusion matrix over all its labels (0 where undefined). */
export function macroF1(cm: ConfusionMatrix): number {
  const k = cm.labels.length;
  if (k === 0) return 0;
  let total = 0;
  for (let c = 0; c < k; c++) {
    const tp = cm.matrix[c]![c]!;
    let predicted = 0;
    let actual = 0;
    for (let o = 0; o < k; o++) {
      predicted += cm.matrix[o]![c]!;
      actual += cm.matrix[c]![o]!;
    }
    // F1 = 2TP / (2TP + FP + FN) = 2TP / (predicted + actual).
    total += predicted + actual > 0 ? (2 * tp) / (predicted + actual) : 0;
  }
  return total / k;
}

/**
 * Binary ROC AUC: the probability that a random positive scores above a
 * random negative, ties counting one half (Mann–Whitney with mid-ranks).
 * NaN if either class is absent.
 */
export function rocAuc(positive: ArrayLike<boolean>, score: ArrayLike<number>): number {
  const n = positive.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a]! - score[b]! || a - b);
  let rankSumPos = 0;
  let nPos = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && score[order[j + 1]!]! === score[order[i]!]!) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (positive[order[k]!]) {
        rankSumPos += midRank;
        nPos++;
      }
    }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * `probabilities` has one array per class, in `classes` order (as
 * Prediction). The predicted label is the most probable class. A true label
 * that is not in `classes` counts as wrong, with probability 0 for logloss.
 */
export function classificationMetrics(yTrue: string[], classes: string[], probabilities: Float64Array[]): ClassificationMetrics {
  const n = yTrue.length;
  if (probabilities.length !== classes.length)
    throw new Error(`classificationMetrics: ${classes.length} classes but ${probabilities.length} probability columns`);
  for (const p of probabilities) checkLengths(n, p.length, "classificationMetrics");
  if (n === 0) throw new DataError("There are no rows to evaluate.");
  const yPred = argmaxLabels(classes, probabilities);
  const index = new Map(classes.map((c, i) => [c, i] as const));
  const eps = 1e-15;
  let correct = 0;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    if (yPred[i] === yTrue[i]) correct++;
    const c = index.get(yTrue[i]!);
    const p = c === undefined ? 0 : probabilities[c]![i]!;
    loss -= Math.log(Math.min(Math.max(p, eps), 1 - eps));
  }
  const metrics: ClassificationMetrics = {
    accuracy: correct / n,
    f1: macroF1(confusionMatrix(yTrue, yPred)),
    logloss: loss / n,
  };
  if (classes.length === 2) {
    const positive = yTrue.map((t) => t === classes[1]);
    const auc = rocAuc(positive, probabilities[1]!);
    if (!Number.isNaN(auc)) metrics.auc = auc;
  }
  return metrics;
}
