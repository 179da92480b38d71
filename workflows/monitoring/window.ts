/**
 * The figures of one monitor window (contract/monitoring.ts MonitorFigures)
 * from its logged live predictions: drift of every model input and of the
 * prediction against the reference profile of the version that answered
 * most of the window, data quality, live quality over the rows whose ground
 * truth arrived, and the serving figures. Pure: the activity reads the rows.
 */
import type { ModelManifest } from "../../contract/model";
import type { ColumnDrift, MonitorFigures, ReferenceProfile } from "../../contract/monitoring";
import { classificationMetrics, regressionMetrics } from "../ml/metrics";
import { categoricalDrift, numericDrift } from "../ml/drift/drift";

export interface WindowRow {
  version: number;
  inputs: Record<string, number | string | null>;
  outputs: Record<string, unknown>;
  label: string | null;
  value: number | null;
}

export interface WindowReference {
  version: number;
  manifest: ModelManifest;
  /** The version's evaluation metrics at training time. */
  metrics: Record<string, number>;
  /** Null for models trained before profiles existed: no drift, the rest still computed. */
  profile: ReferenceProfile | null;
}

export type SystemFiguresInput = MonitorFigures["system"];

/** The version that answered most rows (ties: the newer), or null for an empty window. */
export function dominantVersion(rows: readonly { version: number }[]): number | null {
  const n = new Map<number, number>();
  for (const r of rows) n.set(r.version, (n.get(r.version) ?? 0) + 1);
  let best: number | null = null;
  for (const [v, c] of n) if (best === null || c > n.get(best)! || (c === n.get(best)! && v > best)) best = v;
  return best;
}

export function versionCounts(rows: readonly { version: number }[]): { version: number; rows: number }[] {
  const n = new Map<number, number>();
  for (const r of rows) n.set(r.version, (n.get(r.version) ?? 0) + 1);
  return [...n].map(([version, c]) => ({ version, rows: c })).sort((a, b) => a.version - b.version);
}

const toNumber = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : Number.NaN);
const toText = (v: unknown): string | null =>
  v === null || v === undefined ? null : typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v);

/** A column's drift, or null when the window has no value of it (all missing: counted as data quality, not drift). */
function columnDrift(profile: ReferenceProfile["features"][number], values: unknown[]): ColumnDrift | null {
  if (profile.kind === "numeric") {
    const col = Float64Array.from(values, toNumber);
    return col.some((x) => !Number.isNaN(x)) ? numericDrift(profile, col) : null;
  }
  const col = values.map(toText);
  return col.some((x) => x !== null) ? categoricalDrift(profile, col) : null;
}

export function windowFigures(rows: readonly WindowRow[], ref: WindowReference, system: SystemFiguresInput): MonitorFigures {
  const manifest = ref.manifest;
  const features: ColumnDrift[] = [];
  const schemaMismatches: string[] = [];
  let missing = 0;
  let cells = 0;
  let outOfRange = 0;
  let unseen = 0;

  for (const input of manifest.inputs) {
    const values = rows.map((r) => r.inputs[input.name]);
    const absent = values.filter((v) => v === undefined).length;
    if (absent === rows.length) schemaMismatches.push(`"${input.name}" was in no request`);
    else if (absent > 0) schemaMismatches.push(`"${input.name}" was missing from ${absent} of ${rows.length} rows`);
    if (input.datatype === "FP32") {
      const wrong = values.filter((v) => typeof v === "string").length;
      if (wrong) schemaMismatches.push(`"${input.name}" is numeric but ${wrong} rows sent text`);
    }
    for (const v of values) if (v === null || v === undefined || (typeof v === "number" && !Number.isFinite(v))) missing++;
    cells += values.length;
    const profile = ref.profile?.features.find((f) => f.name === input.name);
    if (!profile) continue;
    const drift = columnDrift(profile, values);
    if (!drift) continue;
    features.push(drift);
    outOfRange += drift.outOfRange;
    unseen += drift.unseen;
  }

  let prediction: ColumnDrift | null = null;
  if (ref.profile) {
    const key = manifest.task === "regression" ? "prediction" : "label";
    prediction = columnDrift(
      ref.profile.prediction,
      rows.map((r) => r.outputs[key] ?? null),
    );
  }

  return {
    versions: versionCounts(rows),
    referenceVersion: ref.version,
    features,
    prediction,
    dataQuality: { missingRate: cells ? missing / cells : 0, outOfRange, unseenCategories: unseen, schemaMismatches },
    quality: liveQuality(rows, ref),
    system,
  };
}

/**
 * Each version's live quality, live and shadow routes apart: its rows, how
 * many have ground truth, and the task's metrics over those (a shadow shares
 * the live answer's request id and row, so its feedback: both are scored on
 * the same labelled requests). Versions without a reference are left out.
 */
export function qualityByVersion(
  rows: readonly (WindowRow & { mode: string })[],
  refs: ReadonlyMap<number, WindowReference>,
): NonNullable<MonitorFigures["versionQuality"]> {
  const groups = new Map<string, (WindowRow & { mode: string })[]>();
  for (const r of rows) {
    const key = `${r.mode}:${r.version}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(r);
  }
  const out: NonNullable<MonitorFigures["versionQuality"]> = [];
  for (const g of groups.values()) {
    const { version, mode } = g[0]!;
    const ref = refs.get(version);
    if (!ref) continue;
    const q = liveQuality(g, ref);
    out.push({ version, mode: mode === "shadow" ? "shadow" : "live", rows: g.length, labelled: q?.labelled ?? 0, metrics: q?.metrics ?? {} });
  }
  return out.sort((a, b) => a.version - b.version || a.mode.localeCompare(b.mode));
}

/** The task's metrics over the rows with ground truth, and their change against the evaluation at training time. */
export function liveQuality(rows: readonly WindowRow[], ref: WindowReference): MonitorFigures["quality"] {
  const m = ref.manifest;
  let metrics: Record<string, number>;
  if (m.task === "regression") {
    const labelled = rows.filter((r) => r.value !== null && typeof r.outputs.prediction === "number");
    if (labelled.length === 0) return null;
    metrics = {
      ...regressionMetrics(
        Float64Array.from(labelled, (r) => r.value!),
        Float64Array.from(labelled, (r) => r.outputs.prediction as number),
      ),
    };
    return withChange(labelled.length, metrics, ref.metrics);
  }
  const classes = m.classes ?? [];
  const labelled = rows.filter(
    (r) => r.label !== null && Array.isArray(r.outputs.probabilities) && (r.outputs.probabilities as unknown[]).length === classes.length,
  );
  if (labelled.length === 0 || classes.length === 0) return null;
  const probabilities = classes.map((_, c) => Float64Array.from(labelled, (r) => (r.outputs.probabilities as number[])[c]!));
  const { auc, ...rest } = classificationMetrics(
    labelled.map((r) => r.label!),
    classes,
    probabilities,
  );
  metrics = { ...rest, ...(auc !== undefined ? { auc } : {}) };
  return withChange(labelled.length, metrics, ref.metrics);
}

function withChange(labelled: number, metrics: Record<string, number>, training: Record<string, number>): NonNullable<MonitorFigures["quality"]> {
  const shared = Object.fromEntries(Object.entries(training).filter(([k, v]) => k in metrics && Number.isFinite(v)));
  return {
    labelled,
    metrics,
    training: shared,
    change: Object.fromEntries(Object.entries(shared).map(([k, v]) => [k, metrics[k]! - v])),
  };
}
