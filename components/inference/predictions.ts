/**
 * Prediction shapes shared by the browser preview and the parity check. They
 * match the serving process's `/v1/predict` answer: regression
 * `{ prediction }`, classification `{ label, probabilities: { class: p } }`.
 * Pure.
 */
export type Instance = Record<string, number | string | null>;

export type Prediction = { prediction: number } | { label: string; probabilities: Record<string, number> } | Record<string, unknown>;

const toNumber = (v: unknown) => (typeof v === "bigint" ? Number(v) : (v as number));

/** Output tensors (row-major) → one prediction object per row. */
export function toPredictions(rows: number, outputs: Record<string, { data: ArrayLike<unknown>; dims: readonly number[] }>, classes?: string[]): Prediction[] {
  const out: Record<string, unknown>[] = Array.from({ length: rows }, () => ({}));
  for (const [name, t] of Object.entries(outputs)) {
    const width = rows > 0 ? Math.floor(t.data.length / rows) : 0;
    if (width === 0) continue;
    for (let r = 0; r < rows; r++) {
      let value: unknown;
      if (width === 1) {
        value = t.data[r];
        if (typeof value === "bigint") value = Number(value);
        if (name === "label" && typeof value === "number" && classes?.[value] !== undefined) value = classes[value];
      } else if (name === "probabilities" && classes && classes.length === width) {
        const probs: Record<string, number> = {};
        for (let c = 0; c < width; c++) probs[classes[c]!] = toNumber(t.data[r * width + c]);
        value = probs;
      } else {
        value = Array.from({ length: width }, (_, c) => toNumber(t.data[r * width + c]));
      }
      out[r]![name] = value;
    }
  }
  return out;
}

export interface ParityRow {
  /** What is compared: "prediction", "label", "probabilities.yes", ... */
  field: string;
  browser: number | string | undefined;
  server: number | string | undefined;
  /** Absolute difference for numbers; 0/1 for labels (equal / different). */
  diff: number;
  ok: boolean;
}

export const PARITY_TOLERANCE = 1e-5;

/** Compares one browser prediction with the server's, field by field. */
export function compareParity(browser: Prediction, server: Prediction, tolerance = PARITY_TOLERANCE): { ok: boolean; maxDiff: number; rows: ParityRow[] } {
  const rows: ParityRow[] = [];
  const flat = (p: Prediction) => {
    const m = new Map<string, number | string>();
    for (const [k, v] of Object.entries(p)) {
      if (typeof v === "number" || typeof v === "string") m.set(k, v);
      else if (Array.isArray(v)) v.forEach((x, i) => typeof x === "number" && m.set(`${k}[${i}]`, x));
      else if (v && typeof v === "object") for (const [c, x] of Object.entries(v)) if (typeof x === "number") m.set(`${k}.${c}`, x);
    }
    return m;
  };
  const b = flat(browser);
  const s = flat(server);
  for (const field of new Set([...b.keys(), ...s.keys()])) {
    const bv = b.get(field);
    const sv = s.get(field);
    let diff: number;
    if (typeof bv === "number" && typeof sv === "number") diff = Math.abs(bv - sv);
    else diff = bv === sv ? 0 : Number.POSITIVE_INFINITY;
    rows.push({ field, browser: bv, server: sv, diff, ok: diff <= tolerance });
  }
  const maxDiff = rows.reduce((m, r) => Math.max(m, r.diff), 0);
  return { ok: rows.length > 0 && rows.every((r) => r.ok), maxDiff, rows };
}
