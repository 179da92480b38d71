/**
 * A held-out sample for the approval preview, all in the browser: a CSV file
 * (header row first) parsed with csv-parse's browser build, turned into the
 * model's instances (its input columns, numbers for FP32 inputs, blanks as
 * missing values), and — when the file has the model's target column — the
 * metric of the predictions on it: accuracy for classification, MAE and RMSE
 * for regression. Pure.
 */
import { parse } from "csv-parse/browser/esm/sync";
import type { ModelManifest } from "../../contract/model";
import type { Instance, Prediction } from "../inference/predictions";

export interface Sample {
  columns: string[];
  rows: Array<Record<string, string>>;
}

/** Largest file the preview reads (the whole file is parsed in the tab). */
export const MAX_SAMPLE_BYTES = 20 * 1024 * 1024;

export function parseSample(text: string): Sample {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: false });
  } catch (e) {
    throw new Error(`not a readable CSV: ${e instanceof Error ? e.message : String(e)}`);
  }
  const [header, ...body] = records;
  if (!header || header.length === 0) throw new Error("the file is empty: expected a header row, then one row per example");
  const columns = header.map((c) => c.trim());
  const dup = columns.find((c, i) => columns.indexOf(c) !== i);
  if (dup !== undefined) throw new Error(`the header names column "${dup}" twice`);
  if (body.length === 0) throw new Error("the file has a header row but no data rows");
  return { columns, rows: body.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i] ?? ""]))) };
}

const MISSING = new Set(["", "na", "nan", "null", "none"]);

/**
 * The model's instances from the sample. Throws naming the model's columns
 * the file lacks, or the first cells of a numeric input that are not numbers.
 */
export function toInstances(manifest: Pick<ModelManifest, "inputs">, sample: Sample): Instance[] {
  const have = new Set(sample.columns);
  const missing = manifest.inputs.map((i) => i.name).filter((n) => !have.has(n));
  if (missing.length) {
    throw new Error(
      `the CSV has no column${missing.length === 1 ? "" : "s"} ${missing.map((m) => `"${m}"`).join(", ")}; the model reads ${manifest.inputs.map((i) => i.name).join(", ")}`,
    );
  }
  const bad: string[] = [];
  const instances = sample.rows.map((row, r) => {
    const inst: Instance = {};
    for (const input of manifest.inputs) {
      const raw = (row[input.name] ?? "").trim();
      if (MISSING.has(raw.toLowerCase())) inst[input.name] = null;
      else if (input.datatype === "FP32") {
        const n = Number(raw);
        if (Number.isFinite(n)) inst[input.name] = n;
        else {
          inst[input.name] = null;
          if (bad.length < 3) bad.push(`row ${r + 2}, column "${input.name}": "${raw}" is not a number`);
        }
      } else inst[input.name] = raw;
    }
    return inst;
  });
  if (bad.length) throw new Error(`numeric columns hold text: ${bad.join("; ")}`);
  return instances;
}

export type SampleMetric = { kind: "classification"; rows: number; accuracy: number } | { kind: "regression"; rows: number; mae: number; rmse: number };

/** The metric on the rows whose target is known; null when the file has no target column or no such row. */
export function sampleMetric(manifest: Pick<ModelManifest, "task" | "target">, sample: Sample, predictions: Prediction[]): SampleMetric | null {
  if (!sample.columns.includes(manifest.target)) return null;
  let n = 0;
  if (manifest.task === "classification") {
    let right = 0;
    sample.rows.forEach((row, i) => {
      const actual = (row[manifest.target] ?? "").trim();
      const label = (predictions[i] as { label?: unknown } | undefined)?.label;
      if (MISSING.has(actual.toLowerCase()) || (typeof label !== "string" && typeof label !== "number")) return;
      n++;
      if (String(label) === actual) right++;
    });
    return n ? { kind: "classification", rows: n, accuracy: right / n } : null;
  }
  let abs = 0;
  let sq = 0;
  sample.rows.forEach((row, i) => {
    const actual = Number((row[manifest.target] ?? "").trim());
    const p = (predictions[i] as { prediction?: unknown } | undefined)?.prediction;
    if ((row[manifest.target] ?? "").trim() === "" || !Number.isFinite(actual) || typeof p !== "number") return;
    n++;
    abs += Math.abs(p - actual);
    sq += (p - actual) ** 2;
  });
  return n ? { kind: "regression", rows: n, mae: abs / n, rmse: Math.sqrt(sq / n) } : null;
}
