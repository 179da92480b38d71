import { describe, expect, it } from "vitest";
import { argmaxLabels, classificationMetrics, confusionMatrix, macroF1, regressionMetrics, rocAuc } from "./metrics";
import { DataError } from "./types";

const f64 = (...v: number[]) => Float64Array.from(v);

describe("regressionMetrics", () => {
  it("matches hand-computed values", () => {
    // errors 0.5, −0.5, 0, −1 → MAE 0.5, MSE 1.5/4; ȳ = 2.875, SS_tot = 29.1875.
    const m = regressionMetrics(f64(3, -0.5, 2, 7), f64(2.5, 0, 2, 8));
    expect(m.mae).toBeCloseTo(0.5, 15);
    expect(m.rmse).toBeCloseTo(Math.sqrt(0.375), 15);
    expect(m.r2).toBeCloseTo(1 - 1.5 / 29.1875, 15);
  });
  it("r2 for a constant truth: 1 when exact, else 0", () => {
    expect(regressionMetrics(f64(2, 2), f64(2, 2)).r2).toBe(1);
    expect(regressionMetrics(f64(2, 2), f64(2, 3)).r2).toBe(0);
  });
  it("predicting the mean gives r2 = 0, worse gives negative", () => {
    expect(regressionMetrics(f64(1, 2, 3), f64(2, 2, 2)).r2).toBeCloseTo(0, 15);
    expect(regressionMetrics(f64(1, 2, 3), f64(3, 2, 1)).r2).toBeCloseTo(-3, 15);
  });
  it("no rows or a missing truth is a DataError", () => {
    expect(() => regressionMetrics(f64(), f64())).toThrow(DataError);
    expect(() => regressionMetrics(f64(1, NaN), f64(1, 2))).toThrow(/1 missing value/);
    expect(() => regressionMetrics(f64(1), f64(1, 2))).toThrow(/1 true values but 2 predictions/);
  });
});

describe("confusionMatrix and macroF1", () => {
  it("counts true × predicted over the sorted union of labels", () => {
    const cm = confusionMatrix(["a", "b", "c", "a", "b", "c"], ["a", "c", "c", "b", "b", "a"]);
    expect(cm.labels).toEqual(["a", "b", "c"]);
    expect(cm.matrix).toEqual([
      [1, 1, 0],
      [0, 1, 1],
      [1, 0, 1],
    ]);
    // Each class: TP 1, 2 predicted, 2 actual → F1 = 2/4.
    expect(macroF1(cm)).toBeCloseTo(0.5, 15);
  });
  it("uses given labels and ignores others", () => {
    expect(confusionMatrix(["a", "z"], ["b", "a"], ["b", "a"]).matrix).toEqual([
      [0, 0],
      [1, 0],
    ]);
  });
});

describe("rocAuc", () => {
  it("counts positive-above-negative pairs, ties as one half", () => {
    // Positives 0.8, 0.4, 0.35; negatives 0.1, 0.4, 0.9: pairs won 2 + (1 + 0.5) + 1 = 4.5 of 9.
    const auc = rocAuc([true, false, true, false, true, false], [0.8, 0.1, 0.4, 0.4, 0.35, 0.9]);
    expect(auc).toBeCloseTo(4.5 / 9, 15);
    expect(rocAuc([true, false], [0.9, 0.1])).toBe(1);
    expect(rocAuc([true, true], [0.9, 0.1])).toBeNaN();
  });
});

describe("classificationMetrics", () => {
  it("binary: accuracy, macro F1, AUC and log loss by hand", () => {
    const yTrue = ["no", "yes", "yes", "no", "yes"];
    const pYes = f64(0.2, 0.7, 0.4, 0.6, 0.9);
    const m = classificationMetrics(yTrue, ["no", "yes"], [f64(...Array.from(pYes, (p) => 1 - p)), pYes]);
    // Predicted: no, yes, no, yes, yes → 3 of 5 right.
    expect(m.accuracy).toBeCloseTo(0.6, 15);
    // "no": TP 1, predicted 2, actual 2 → 0.5; "yes": TP 2, predicted 3, actual 3 → 2/3.
    expect(m.f1).toBeCloseTo((0.5 + 2 / 3) / 2, 15);
    // Positives 0.7, 0.4, 0.9 vs negatives 0.2, 0.6: 2 + 1 + 2 = 5 of 6 pairs.
    expect(m.auc).toBeCloseTo(5 / 6, 15);
    expect(m.logloss).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7) + Math.log(0.4) + Math.log(0.4) + Math.log(0.9)) / 5, 14);
  });

  it("multiclass: no AUC; an unknown true label counts as wrong with clipped probability", () => {
    const classes = ["a", "b", "c"];
    const p = [f64(0.7, 0.1, 0.2, 0.3), f64(0.2, 0.8, 0.3, 0.3), f64(0.1, 0.1, 0.5, 0.4)];
    const m = classificationMetrics(["a", "b", "b", "d"], classes, p);
    expect(m.auc).toBeUndefined();
    expect(m.accuracy).toBeCloseTo(0.5, 15);
    // Labels a, b, c, d: F1 a = 1, b = 2·1/(1 + 2) = 2/3, c = 0 (predicted twice, never true), d = 0.
    expect(m.f1).toBeCloseTo((1 + 2 / 3) / 4, 15);
    expect(m.logloss).toBeCloseTo(-(Math.log(0.7) + Math.log(0.8) + Math.log(0.3) + Math.log(1e-15)) / 4, 12);
  });

  it("omits AUC when the binary truth has a single class", () => {
    const m = classificationMetrics(["1", "1"], ["0", "1"], [f64(0.2, 0.6), f64(0.8, 0.4)]);
    expect(m.auc).toBeUndefined();
    expect(m.accuracy).toBe(0.5);
  });

  it("argmaxLabels takes the first class on ties", () => {
    expect(argmaxLabels(["x", "y"], [f64(0.5, 0.2), f64(0.5, 0.8)])).toEqual(["x", "y"]);
  });

  it("no rows is a DataError", () => {
    expect(() => classificationMetrics([], ["a", "b"], [f64(), f64()])).toThrow(DataError);
  });
});
