import { describe, expect, it } from "vitest";
import { parseSample, sampleMetric, toInstances } from "./sample";

const inputs = [
  { name: "rm", datatype: "FP32" as const, shape: [-1, 1] as [-1, 1] },
  { name: "town", datatype: "BYTES" as const, shape: [-1, 1] as [-1, 1] },
];

describe("parseSample", () => {
  it("reads a header and rows, quoted fields and a BOM included", () => {
    const s = parseSample('\uFEFFrm,town,medv\n6.5,"Nahant, MA",24\n7,,30\n');
    expect(s.columns).toEqual(["rm", "town", "medv"]);
    expect(s.rows).toEqual([
      { rm: "6.5", town: "Nahant, MA", medv: "24" },
      { rm: "7", town: "", medv: "30" },
    ]);
  });
  it("refuses an empty file, a header without rows, duplicate columns and ragged rows", () => {
    expect(() => parseSample("")).toThrow("the file is empty");
    expect(() => parseSample("rm,medv\n")).toThrow("no data rows");
    expect(() => parseSample("rm,rm\n1,2\n")).toThrow('column "rm" twice');
    expect(() => parseSample("rm,medv\n1,2,3\n")).toThrow("not a readable CSV");
  });
});

describe("toInstances", () => {
  it("keeps the model's columns: numbers for FP32, text for BYTES, blanks missing", () => {
    const s = parseSample("medv,town,rm,extra\n24,Boston,6.5,x\n30,,NA,y\n");
    expect(toInstances({ inputs }, s)).toEqual([
      { rm: 6.5, town: "Boston" },
      { rm: null, town: null },
    ]);
  });
  it("names the columns the file lacks", () => {
    expect(() => toInstances({ inputs }, parseSample("medv,crim\n1,2\n"))).toThrow('the CSV has no columns "rm", "town"; the model reads rm, town');
  });
  it("names the row and column of text in a numeric input", () => {
    expect(() => toInstances({ inputs }, parseSample("rm,town\nsix,a\n"))).toThrow('row 2, column "rm": "six" is not a number');
  });
});

describe("sampleMetric", () => {
  const s = parseSample("rm,town,medv\n1,a,10\n2,b,20\n3,c,\n");
  it("regression: MAE and RMSE over the rows with a target", () => {
    const m = sampleMetric({ task: "regression", target: "medv" }, s, [{ prediction: 12 }, { prediction: 16 }, { prediction: 99 }]);
    expect(m).toEqual({ kind: "regression", rows: 2, mae: 3, rmse: Math.sqrt((4 + 16) / 2) });
  });
  it("classification: accuracy", () => {
    const c = parseSample("rm,town,species\n1,a,x\n2,b,y\n3,c,y\n4,d,x\n");
    const p = ["x", "y", "x", "x"].map((label) => ({ label, probabilities: {} }));
    expect(sampleMetric({ task: "classification", target: "species" }, c, p)).toEqual({ kind: "classification", rows: 4, accuracy: 0.75 });
  });
  it("is null without the target column", () => {
    expect(sampleMetric({ task: "regression", target: "price" }, s, [])).toBeNull();
  });
});
