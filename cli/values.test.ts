import { describe, expect, it } from "vitest";
import type { ModelInput } from "../contract/model";
import { UsageError } from "./errors";
import { typeCsvRows, typeJsonRow, typeParams } from "./values";

const declared = [
  { name: "month", type: "number" as const },
  { name: "retrain", type: "boolean" as const },
  { name: "region", type: "string" as const },
];

const inputs: ModelInput[] = [
  { name: "rm", datatype: "FP32", shape: [-1, 1] },
  { name: "lstat", datatype: "FP32", shape: [-1, 1] },
  { name: "town", datatype: "BYTES", shape: [-1, 1] },
];

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as UsageError).message;
  }
  throw new Error("expected a usage error");
}

describe("param typing (by the spec's declared params)", () => {
  it("types numbers, booleans and strings; a value may contain '='", () => {
    expect(typeParams(["month=3", "retrain=false", "region=a=b"], declared)).toEqual({ month: 3, retrain: false, region: "a=b" });
    expect(typeParams(["month=-1.5e2", "retrain=true", "region="], declared)).toEqual({ month: -150, retrain: true, region: "" });
    expect(typeParams(["region=042"], declared)).toEqual({ region: "042" });
  });

  it("refuses unknown params (listing the declared ones), bad values, duplicates and a missing '='", () => {
    expect(usage(() => typeParams(["moth=3"], declared))).toBe('--param moth: the pipeline has no param "moth"; declared: month, retrain, region');
    expect(usage(() => typeParams(["x=1"], []))).toContain("declared: none");
    expect(usage(() => typeParams(["month=three"], declared))).toBe('--param month: "three" is not a number');
    expect(usage(() => typeParams(["month="], declared))).toBe('--param month: "" is not a number');
    expect(usage(() => typeParams(["month=Infinity"], declared))).toContain("is not a number");
    expect(usage(() => typeParams(["retrain=yes"], declared))).toBe('--param retrain: "yes" is not a boolean (true or false)');
    expect(usage(() => typeParams(["month=1", "month=2"], declared))).toBe("--param month is given twice");
    expect(usage(() => typeParams(["month"], declared))).toBe('--param "month": write it as name=value');
    expect(usage(() => typeParams(["=3"], declared))).toContain("name=value");
  });

  it("a param declared without a type is a string", () => {
    expect(typeParams(["tag=1"], [{ name: "tag" } as never])).toEqual({ tag: "1" });
  });
});

describe("prediction rows (typed by the manifest's inputs: FP32 → number, BYTES → string)", () => {
  it("--row: numeric text becomes a number, a number for a BYTES input a string, null stays missing", () => {
    expect(typeJsonRow('{"rm": "6.5", "lstat": 4, "town": 12}', inputs)).toEqual({ rm: 6.5, lstat: 4, town: "12" });
    expect(typeJsonRow('{"rm": null, "lstat": "", "town": null}', inputs)).toEqual({ rm: null, lstat: null, town: null });
  });

  it("--row: names unknown and missing columns, and values of the wrong type", () => {
    expect(usage(() => typeJsonRow('{"rm": 1, "lstat": 2, "town": "a", "medv": 3}', inputs))).toBe(
      "--row: unknown column medv; the model's inputs are: rm, lstat, town",
    );
    expect(usage(() => typeJsonRow('{"rm": 1}', inputs))).toBe("--row: missing columns lstat, town; the model's inputs are: rm, lstat, town");
    expect(usage(() => typeJsonRow('{"rm": "six", "lstat": 2, "town": "a"}', inputs))).toBe('--row: column rm takes a number, not "six"');
    expect(usage(() => typeJsonRow('{"rm": 1, "lstat": 2, "town": {"a": 1}}', inputs))).toContain("column town takes a string");
    expect(usage(() => typeJsonRow("[1, 2]", inputs))).toContain("must be a JSON object");
    expect(usage(() => typeJsonRow("{rm: 1}", inputs))).toContain("--row is not JSON");
  });

  it("CSV: a real parser (quotes, commas and newlines in cells, BOM, CRLF); extra columns ignored and named", () => {
    const csv = '\uFEFFtown,rm,lstat,medv\r\n"Boston, MA",6.575,4.98,24\r\n"Line\nbreak",,5,21.6\r\n"say ""hi""",7,3,30\r\n';
    const { rows, ignored } = typeCsvRows(csv, inputs, "tracts.csv");
    expect(rows).toEqual([
      { rm: 6.575, lstat: 4.98, town: "Boston, MA" },
      { rm: null, lstat: 5, town: "Line\nbreak" },
      { rm: 7, lstat: 3, town: 'say "hi"' },
    ]);
    expect(ignored).toEqual(["medv"]);
  });

  it("CSV: names the row and column of a bad value, missing columns, empty files and broken quoting", () => {
    expect(usage(() => typeCsvRows("rm,lstat,town\n1,2,a\n3,x,b\n", inputs, "t.csv"))).toBe('t.csv row 2: column lstat takes a number, not "x"');
    expect(usage(() => typeCsvRows("rm,town\n1,a\n", inputs, "t.csv"))).toBe("t.csv lacks the column lstat; the model's inputs are: rm, lstat, town");
    expect(usage(() => typeCsvRows("", inputs, "t.csv"))).toContain("t.csv is empty");
    expect(usage(() => typeCsvRows("rm,lstat,town\n", inputs, "t.csv"))).toBe("t.csv has a header row but no rows");
    expect(usage(() => typeCsvRows('rm,lstat,town\n1,2,"open\n', inputs, "t.csv"))).toContain("t.csv is not valid CSV");
    expect(usage(() => typeCsvRows("rm,lstat,town\n1,2\n", inputs, "t.csv"))).toContain("t.csv is not valid CSV");
  });
});
