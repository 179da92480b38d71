/**
 * The monitoring page's data, shaped for its charts: the time range of the
 * query, the drift heatmap (features × windows), a feature's reference and
 * current histograms as shares of their rows, the series over windows with
 * gaps where a window had no traffic, and the runs of such windows. Pure:
 * the page memoises these and hands them to ECharts.
 */
import type { z } from "zod";
import type { ColumnDrift, DriftStatistic, MonitorFigures, ZReferenceSummary } from "../../contract/monitoring";

export type ReferenceSummary = z.infer<typeof ZReferenceSummary>;
export type ReferenceColumn = ReferenceSummary["features"][number];

/** A monitor window as the API sends it (timestamps as ISO strings over JSON, Dates in tests). */
export interface WindowView {
  start: string | Date;
  end: string | Date;
  rows: number;
  status: "ok" | "no_data";
  figures: MonitorFigures | null;
}

export const RANGES = [
  { id: "24h", label: "24 h", ms: 24 * 3_600_000 },
  { id: "7d", label: "7 d", ms: 7 * 86_400_000 },
  { id: "30d", label: "30 d", ms: 30 * 86_400_000 },
] as const;
export type RangeId = (typeof RANGES)[number]["id"];

/**
 * `from` of the range's query, ending now. It slides in steps of a 96th of
 * the range (15 min of 24 h, 7.5 h of 30 d), so the query's key (and the
 * whole range's download) changes that rarely; new windows come from the
 * tail query (mergeTail). `to` is left to the server (now).
 */
export function rangeFrom(range: RangeId, now: number): string {
  const ms = RANGES.find((r) => r.id === range)!.ms;
  const step = Math.max(60_000, ms / 96);
  return new Date(Math.floor((now - ms) / step) * step).toISOString();
}

/** Where the 10-second poll starts: the newest window of the range's answer (recomputed windows are replaced), or the range's start. */
export function tailFrom(windows: readonly { start: string | Date }[], from: string): string {
  const last = windows[windows.length - 1];
  return last ? new Date(last.start).toISOString() : from;
}

interface MonitoringLike<W extends { start: string | Date }, E extends { id: string; createdAt: string | Date }, R extends { version: number }> {
  windows: W[];
  events: E[];
  references: R[];
}

/**
 * The range's answer with the poll's newer one: windows before the poll's
 * start from the range, the rest from the poll; references by version;
 * events by id, newest first; settings and rules from the poll (fresher).
 * Unchanged parts keep their identity, so the charts redraw only when a
 * window arrives or changes.
 */
export function mergeTail<
  W extends { start: string | Date },
  E extends { id: string; createdAt: string | Date },
  R extends { version: number },
  M extends MonitoringLike<W, E, R>,
>(range: M, tail: M | undefined, from: string): M {
  if (!tail || tail === range) return range;
  const cut = Date.parse(from);
  const windows = [...range.windows.filter((w) => new Date(w.start).getTime() < cut), ...tail.windows];
  const references = [...range.references.filter((r) => !tail.references.some((t) => t.version === r.version)), ...tail.references];
  const seen = new Set(tail.events.map((e) => e.id));
  const events = [...tail.events, ...range.events.filter((e) => !seen.has(e.id))].sort(
    (a, b) => new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime(),
  );
  return { ...tail, windows, references, events };
}

const time = (v: string | Date) => (v instanceof Date ? v.getTime() : Date.parse(v));

/** Drift colour bands of the heatmap: below `moderate` stable, from `significant` on drifted (PSI's usual reading). */
export const DRIFT_BANDS: Record<Exclude<DriftStatistic, "wasserstein">, { moderate: number; significant: number }> = {
  psi: { moderate: 0.1, significant: 0.2 },
  js: { moderate: 0.1, significant: 0.2 },
  ks: { moderate: 0.1, significant: 0.2 },
};
export const BAND_COLOURS = { stable: "#22c55e", moderate: "#f59e0b", significant: "#dc2626", noTraffic: "#e2e8f0", noValue: "#f8fafc" } as const;

export type DriftBand = "stable" | "moderate" | "significant";
export function driftBand(metric: Exclude<DriftStatistic, "wasserstein">, v: number): DriftBand {
  const b = DRIFT_BANDS[metric];
  return v >= b.significant ? "significant" : v >= b.moderate ? "moderate" : "stable";
}

export interface Heatmap {
  /** Feature names, the y axis (first at the bottom in ECharts: the page reverses nothing, it lists them in model input order top-down). */
  features: string[];
  /** Window starts (ms), the x axis. */
  times: number[];
  /** [window index, feature index, value] for every cell with a value. */
  cells: [number, number, number][];
  /** [window index, feature index] of the cells of windows without traffic. */
  noTraffic: [number, number][];
  /** [window index, feature index] of cells where the window had traffic but no value of the feature (all missing, or no reference profile). */
  noValue: [number, number][];
  /** Largest value (the colour scale's top for unbounded statistics). */
  max: number;
}

/**
 * The features × windows matrix of one drift statistic. Features: the
 * reference profiles' inputs (model input order), then any a window has that
 * no reference lists. Windows without traffic are kept as grey columns, never
 * zeros.
 */
export function driftHeatmap(windows: readonly WindowView[], references: readonly ReferenceSummary[], metric: DriftStatistic): Heatmap {
  const features: string[] = [];
  const index = new Map<string, number>();
  const add = (name: string) => {
    if (!index.has(name)) {
      index.set(name, features.length);
      features.push(name);
    }
  };
  for (const r of references) for (const f of r.features) add(f.name);
  for (const w of windows) for (const f of w.figures?.features ?? []) add(f.name);
  const cells: [number, number, number][] = [];
  const noTraffic: [number, number][] = [];
  const noValue: [number, number][] = [];
  let max = 0;
  windows.forEach((w, x) => {
    if (w.status === "no_data" || !w.figures) {
      for (let y = 0; y < features.length; y++) noTraffic.push([x, y]);
      return;
    }
    const seen = new Uint8Array(features.length);
    for (const f of w.figures.features) {
      const v = f[metric];
      const y = index.get(f.name)!;
      if (v === null || !Number.isFinite(v)) continue;
      seen[y] = 1;
      cells.push([x, y, v]);
      if (v > max) max = v;
    }
    for (let y = 0; y < features.length; y++) if (!seen[y]) noValue.push([x, y]);
  });
  return { features, times: windows.map((w) => time(w.start)), cells, noTraffic, noValue, max };
}

/** The newest window with traffic (index), or null when none has any. */
export function newestWithData(windows: readonly WindowView[]): number | null {
  for (let i = windows.length - 1; i >= 0; i--) if (windows[i]!.status === "ok" && windows[i]!.figures) return i;
  return null;
}

/** The feature that drifted most in a window by a statistic (the page's default choice). */
export function mostDrifted(w: WindowView | undefined, metric: DriftStatistic): string | null {
  let best: ColumnDrift | null = null;
  for (const f of w?.figures?.features ?? []) {
    const v = f[metric];
    if (v === null) continue;
    if (!best || v > (best[metric] ?? -Infinity)) best = f;
  }
  return best?.name ?? null;
}

export interface Histogram {
  kind: "numeric" | "categorical";
  /** Bin labels: the deciles' ranges (numeric) or categories, the last "(unseen)". */
  labels: string[];
  /** Share of the reference's rows per bin (sums to 1). */
  reference: number[];
  /** Share of the window's rows per bin, or null when the window has no value of the feature. */
  current: number[] | null;
  referenceRows: number;
  currentRows: number;
}

const shares = (counts: readonly number[]) => {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (total ? c / total : 0));
};

/** A compact number for an axis label: 3 significant digits, thousands as "k". */
export function shortNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a !== 0 && a < 1e-3) return v.toExponential(1);
  return String(+v.toPrecision(3));
}

/** Bin labels of the 10 decile bins: "< d1", "d1–d2", …, "≥ d9". */
export function decileLabels(deciles: readonly number[]): string[] {
  if (deciles.length === 0) return ["all"];
  const d = deciles.map(shortNumber);
  return [`< ${d[0]}`, ...d.slice(1).map((v, i) => `${d[i]}–${v}`), `≥ ${d[d.length - 1]}`];
}

/**
 * The reference and current histograms of a feature in a window, as shares.
 * Numeric: the reference's decile bins. Categorical: the window's labels (the
 * reference categories it reports, then "(unseen)"); the reference share of a
 * category is its frequency over the reference's rows, of "(unseen)" zero.
 */
export function histogram(ref: ReferenceColumn, drift: ColumnDrift | null): Histogram {
  if (ref.kind === "numeric") {
    const current = drift && drift.counts.length === ref.counts.length ? shares(drift.counts) : null;
    return {
      kind: "numeric",
      labels: decileLabels(ref.deciles),
      reference: shares(ref.counts),
      current,
      referenceRows: ref.count,
      currentRows: drift?.rows ?? 0,
    };
  }
  const refTotal = ref.count || Object.values(ref.frequencies).reduce((a, b) => a + b, 0) + ref.other;
  const refShare = (label: string) => {
    if (label === "(unseen)") return 0;
    if (label in ref.frequencies) return refTotal ? ref.frequencies[label]! / refTotal : 0;
    if (label === "other") return refTotal ? ref.other / refTotal : 0;
    return 0;
  };
  const labels =
    drift?.labels && drift.labels.length === drift.counts.length
      ? drift.labels
      : [...Object.keys(ref.frequencies), ...(ref.other ? ["other"] : []), "(unseen)"];
  return {
    kind: "categorical",
    labels,
    reference: labels.map(refShare),
    current: drift && drift.labels && drift.labels.length === drift.counts.length ? shares(drift.counts) : null,
    referenceRows: ref.count,
    currentRows: drift?.rows ?? 0,
  };
}

/** The reference profile a window compares with (its `referenceVersion`). */
export function referenceOf(w: WindowView | undefined, references: readonly ReferenceSummary[]): ReferenceSummary | null {
  const v = w?.figures?.referenceVersion;
  if (v === null || v === undefined) return null;
  return references.find((r) => r.version === v) ?? null;
}

/** A value per window as [time, value] points; windows without traffic (or without the value) give null, a gap in the line. */
export function seriesOver(windows: readonly WindowView[], pick: (f: MonitorFigures) => number | null | undefined): [number, number | null][] {
  return windows.map((w) => {
    const v = w.figures ? pick(w.figures) : null;
    return [time(w.start), v === undefined || v === null || !Number.isFinite(v) ? null : v];
  });
}

/** Runs of consecutive windows without traffic, as [start, end] (ms): the grey bands of the time charts. */
export function noTrafficRanges(windows: readonly WindowView[]): [number, number][] {
  const out: [number, number][] = [];
  for (const w of windows) {
    if (w.status !== "no_data") continue;
    const s = time(w.start);
    const e = time(w.end);
    const last = out[out.length - 1];
    if (last && last[1] >= s) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** The live quality metrics any window reports, in a stable order. */
export function qualityMetrics(windows: readonly WindowView[]): string[] {
  const names = new Set<string>();
  for (const w of windows) for (const k of Object.keys(w.figures?.quality?.metrics ?? {})) names.add(k);
  return [...names].sort();
}

/** The training value of a metric (the newest window that reports one). */
export function trainingValue(windows: readonly WindowView[], metric: string): number | null {
  for (let i = windows.length - 1; i >= 0; i--) {
    const v = windows[i]!.figures?.quality?.training[metric];
    if (v !== undefined) return v;
  }
  return null;
}

/** Data quality summed over the windows with traffic. */
export function dataQualityTotals(windows: readonly WindowView[]) {
  let rows = 0;
  let missing = 0;
  let outOfRange = 0;
  let unseen = 0;
  let withMismatch = 0;
  for (const w of windows) {
    const f = w.figures;
    if (!f) continue;
    rows += w.rows;
    missing += f.dataQuality.missingRate * w.rows;
    outOfRange += f.dataQuality.outOfRange;
    unseen += f.dataQuality.unseenCategories;
    if (f.dataQuality.schemaMismatches.length) withMismatch++;
  }
  return { rows, missingRate: rows ? missing / rows : null, outOfRange, unseenCategories: unseen, windowsWithSchemaMismatches: withMismatch };
}

/** "every hour", "every 5 min", "every 90 s". */
export function describeInterval(seconds: number): string {
  if (seconds % 86400 === 0) return seconds === 86400 ? "every day" : `every ${seconds / 86400} days`;
  if (seconds % 3600 === 0) return seconds === 3600 ? "every hour" : `every ${seconds / 3600} h`;
  if (seconds % 60 === 0) return seconds === 60 ? "every minute" : `every ${seconds / 60} min`;
  return `every ${seconds} s`;
}
