import { describe, expect, it } from "vitest";
import type { ColumnDrift, MonitorFigures } from "../../contract/monitoring";
import {
  dataQualityTotals,
  decileLabels,
  describeInterval,
  driftBand,
  driftHeatmap,
  histogram,
  mergeTail,
  mostDrifted,
  newestWithData,
  noTrafficRanges,
  qualityMetrics,
  rangeFrom,
  referenceOf,
  seriesOver,
  tailFrom,
  trainingValue,
  type ReferenceSummary,
  type WindowView,
} from "./model";
import { draftsOf, fieldErrors, ruleInputs } from "./rules-form";

const H = 3_600_000;
const T0 = Date.parse("2026-12-07T00:00:00Z");

function col(name: string, psi: number, extra: Partial<ColumnDrift> = {}): ColumnDrift {
  return {
    name,
    kind: "numeric",
    rows: 100,
    psi,
    js: psi / 2,
    ks: psi / 3,
    wasserstein: psi * 10,
    missingRate: 0,
    outOfRange: 0,
    unseen: 0,
    counts: [10, 10, 10, 10, 10, 10, 10, 10, 10, 10],
    ...extra,
  };
}

function figures(features: ColumnDrift[], extra: Partial<MonitorFigures> = {}): MonitorFigures {
  return {
    versions: [{ version: 1, rows: 100 }],
    referenceVersion: 1,
    features,
    prediction: null,
    dataQuality: { missingRate: 0.1, outOfRange: 2, unseenCategories: 1, schemaMismatches: [] },
    quality: null,
    system: { requests: 100, errors: 1, errorRate: 0.01, ratePerSecond: 100 / 3600, p50Ms: 2, p99Ms: 9 },
    ...extra,
  };
}

const ok = (i: number, f: MonitorFigures, rows = 100): WindowView => ({
  start: new Date(T0 + i * H).toISOString(),
  end: new Date(T0 + (i + 1) * H).toISOString(),
  rows,
  status: "ok",
  figures: f,
});
const empty = (i: number): WindowView => ({
  start: new Date(T0 + i * H).toISOString(),
  end: new Date(T0 + (i + 1) * H).toISOString(),
  rows: 0,
  status: "no_data",
  figures: null,
});

const reference: ReferenceSummary = {
  version: 1,
  rows: 1000,
  features: [
    {
      kind: "numeric",
      name: "x",
      count: 1000,
      missing: 0,
      min: 0,
      max: 10,
      mean: 5,
      std: 2,
      deciles: [1, 2, 3, 4, 5, 6, 7, 8, 9],
      counts: [100, 100, 100, 100, 100, 100, 100, 100, 100, 100],
    },
    { kind: "categorical", name: "s", count: 1000, missing: 0, frequencies: { a: 600, b: 300 }, other: 100 },
  ],
  prediction: { kind: "categorical", name: "label", count: 1000, missing: 0, frequencies: { yes: 500, no: 500 }, other: 0 },
};

describe("driftHeatmap", () => {
  it("puts a value per feature and window, grey cells for windows without traffic and marks missing values, never zeros", () => {
    const windows = [ok(0, figures([col("x", 0.05), col("s", 0.3)])), empty(1), ok(2, figures([col("x", 0.25)]))];
    const h = driftHeatmap(windows, [reference], "psi");
    expect(h.features).toEqual(["x", "s"]);
    expect(h.times).toEqual([T0, T0 + H, T0 + 2 * H]);
    expect(h.cells).toEqual([
      [0, 0, 0.05],
      [0, 1, 0.3],
      [2, 0, 0.25],
    ]);
    expect(h.noTraffic).toEqual([
      [1, 0],
      [1, 1],
    ]);
    // Window 2 had traffic but no value of s.
    expect(h.noValue).toEqual([[2, 1]]);
    expect(h.max).toBe(0.3);
  });

  it("draws the chosen statistic and leaves out cells where it does not apply (KS of a categorical feature)", () => {
    const windows = [ok(0, figures([col("x", 0.3, { ks: 0.125 }), col("s", 0.6, { kind: "categorical", ks: null, wasserstein: null })]))];
    const h = driftHeatmap(windows, [reference], "ks");
    expect(h.cells).toEqual([[0, 0, 0.125]]);
    expect(h.noValue).toEqual([[0, 1]]);
  });

  it("adds features a window has that no reference lists, after the reference's", () => {
    const h = driftHeatmap([ok(0, figures([col("z", 0.1)]))], [reference], "psi");
    expect(h.features).toEqual(["x", "s", "z"]);
  });

  it("stays fast for 720 windows × 50 features", () => {
    const feats = Array.from({ length: 50 }, (_, i) => `f${i}`);
    const windows = Array.from({ length: 720 }, (_, i) => (i % 100 === 7 ? empty(i) : ok(i, figures(feats.map((f, k) => col(f, (i * k) / 36000))))));
    const t0 = performance.now();
    const h = driftHeatmap(windows, [], "psi");
    const ms = performance.now() - t0;
    expect(h.cells.length + h.noTraffic.length + h.noValue.length).toBe(720 * 50);
    expect(h.noTraffic.length).toBe(8 * 50);
    expect(ms).toBeLessThan(200);
  });
});

describe("the chosen window and feature", () => {
  it("defaults to the newest window with traffic and its most drifted feature", () => {
    const windows = [ok(0, figures([col("x", 0.4)])), ok(1, figures([col("x", 0.05), col("s", 0.2)])), empty(2)];
    expect(newestWithData(windows)).toBe(1);
    expect(mostDrifted(windows[1], "psi")).toBe("s");
    expect(newestWithData([empty(0)])).toBeNull();
    expect(mostDrifted(undefined, "psi")).toBeNull();
  });

  it("finds the reference profile a window compares with", () => {
    expect(referenceOf(ok(0, figures([])), [reference])?.version).toBe(1);
    expect(referenceOf(ok(0, figures([], { referenceVersion: 2 })), [reference])).toBeNull();
    expect(referenceOf(empty(0), [reference])).toBeNull();
  });
});

describe("histogram", () => {
  it("turns numeric counts into shares over the reference's decile bins", () => {
    const x = reference.features[0]!;
    const h = histogram(x, col("x", 0.3, { rows: 50, counts: [0, 0, 0, 0, 0, 0, 0, 0, 25, 25] }));
    expect(h.labels).toEqual(["< 1", "1–2", "2–3", "3–4", "4–5", "5–6", "6–7", "7–8", "8–9", "≥ 9"]);
    expect(h.reference).toEqual(new Array(10).fill(0.1));
    expect(h.current).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0.5]);
    expect(h.currentRows).toBe(50);
  });

  it("has no current bars when the window has no value of the feature", () => {
    const h = histogram(reference.features[0]!, null);
    expect(h.current).toBeNull();
    expect(h.reference.reduce((a, b) => a + b, 0)).toBeCloseTo(1);
  });

  it("aligns categories by label, with other and (unseen)", () => {
    const s = reference.features[1]!;
    const h = histogram(s, col("s", 0.4, { kind: "categorical", labels: ["a", "b", "other", "(unseen)"], counts: [20, 20, 0, 10] }));
    expect(h.labels).toEqual(["a", "b", "other", "(unseen)"]);
    expect(h.reference).toEqual([0.6, 0.3, 0.1, 0]);
    expect(h.current).toEqual([0.4, 0.4, 0, 0.2]);
    // Without a window: the reference's categories and an empty unseen bucket.
    expect(histogram(s, null).labels).toEqual(["a", "b", "other", "(unseen)"]);
  });

  it("labels decile bins compactly", () => {
    expect(decileLabels([1234.5, 20000, 3e6])).toEqual(["< 1230", "1230–20k", "20k–3M", "≥ 3M"]);
  });
});

describe("series over windows", () => {
  it("gives gaps (null), not zeros, where a window had no traffic or no value", () => {
    const windows = [ok(0, figures([])), empty(1), ok(2, figures([], { system: { ...figures([]).system, errorRate: null } }))];
    expect(seriesOver(windows, (f) => f.system.errorRate)).toEqual([
      [T0, 0.01],
      [T0 + H, null],
      [T0 + 2 * H, null],
    ]);
  });

  it("merges runs of windows without traffic into bands", () => {
    const windows = [ok(0, figures([])), empty(1), empty(2), ok(3, figures([])), empty(4)];
    expect(noTrafficRanges(windows)).toEqual([
      [T0 + H, T0 + 3 * H],
      [T0 + 4 * H, T0 + 5 * H],
    ]);
  });

  it("lists live quality metrics and their training values", () => {
    const q = (r2: number) => ({ labelled: 10, metrics: { r2, rmse: 1 }, training: { r2: 0.9 }, change: { r2: r2 - 0.9 } });
    const windows = [ok(0, figures([])), ok(1, figures([], { quality: q(0.8) })), ok(2, figures([], { quality: q(0.7) }))];
    expect(qualityMetrics(windows)).toEqual(["r2", "rmse"]);
    expect(trainingValue(windows, "r2")).toBe(0.9);
    expect(trainingValue(windows, "rmse")).toBeNull();
    expect(qualityMetrics([ok(0, figures([]))])).toEqual([]);
  });

  it("sums data quality over the windows with traffic, the missing rate weighted by rows", () => {
    const a = figures([], { dataQuality: { missingRate: 0.1, outOfRange: 2, unseenCategories: 1, schemaMismatches: ['"x" was in no request'] } });
    const b = figures([], { dataQuality: { missingRate: 0.4, outOfRange: 3, unseenCategories: 0, schemaMismatches: [] } });
    const t = dataQualityTotals([ok(0, a, 300), empty(1), ok(2, b, 100)]);
    expect(t).toEqual({ rows: 400, missingRate: (0.1 * 300 + 0.4 * 100) / 400, outOfRange: 5, unseenCategories: 1, windowsWithSchemaMismatches: 1 });
    expect(dataQualityTotals([empty(0)]).missingRate).toBeNull();
  });
});

describe("ranges, bands, intervals", () => {
  it("bands PSI at 0.1 and 0.2", () => {
    expect(driftBand("psi", 0.099)).toBe("stable");
    expect(driftBand("psi", 0.1)).toBe("moderate");
    expect(driftBand("psi", 0.2)).toBe("significant");
  });

  it("describes the monitor interval", () => {
    expect(describeInterval(3600)).toBe("every hour");
    expect(describeInterval(300)).toBe("every 5 min");
    expect(describeInterval(90)).toBe("every 90 s");
    expect(describeInterval(2 * 86400)).toBe("every 2 days");
  });
});

describe("the rule editor", () => {
  it("round-trips rules and sends a feature only for per-feature drift statistics", () => {
    const drafts = draftsOf([
      { id: "r1", metric: "psi", feature: "x", op: ">", value: 0.2, forWindows: 2 },
      { id: "r2", metric: "error_rate", feature: null, op: ">=", value: 0.05, forWindows: 1 },
    ]);
    expect(drafts[0]).toEqual({ key: "r1", metric: "psi", feature: "x", op: ">", value: "0.2", forWindows: "2" });
    expect(ruleInputs([...drafts, { ...drafts[0]!, key: "n", metric: "prediction_psi" }, { ...drafts[0]!, key: "m", feature: "" }])).toEqual([
      { metric: "psi", feature: "x", op: ">", value: 0.2, forWindows: 2 },
      { metric: "error_rate", feature: null, op: ">=", value: 0.05, forWindows: 1 },
      { metric: "prediction_psi", feature: null, op: ">", value: 0.2, forWindows: 2 },
      { metric: "psi", feature: null, op: ">", value: 0.2, forWindows: 2 },
    ]);
  });

  it("sends what cannot be a number as NaN for the server to name", () => {
    const [r] = ruleInputs([{ key: "a", metric: "psi", feature: "", op: ">", value: "", forWindows: "two" }]);
    expect(r!.value).toBeNaN();
    expect(r!.forWindows).toBeNaN();
  });

  it("files server errors by field path", () => {
    const m = fieldErrors([
      { field: "rules.1.value", message: "value must be a number" },
      { field: "rules[0].forWindows", message: "forWindows is at least 1" },
      { field: "intervalSeconds", message: "intervalSeconds is at least 60" },
      { field: "intervalSeconds", message: "second message" },
    ]);
    expect(m.get("rules.1.value")).toBe("value must be a number");
    expect(m.get("rules.0.forWindows")).toBe("forWindows is at least 1");
    expect(m.get("intervalSeconds")).toBe("intervalSeconds is at least 60");
  });
});

describe("the range and the 10-second poll", () => {
  const ev = (id: string, minutes: number) => ({ id, createdAt: new Date(T0 + minutes * 60_000).toISOString() });
  const ref = (version: number) => ({ version });

  it("polls from the newest window of the range's answer", () => {
    expect(tailFrom([ok(0, figures([])), empty(1)], "x")).toBe(new Date(T0 + H).toISOString());
    expect(tailFrom([], "2026-12-01T00:00:00.000Z")).toBe("2026-12-01T00:00:00.000Z");
  });

  it("takes windows from the poll's start on from the poll, events by id newest first, settings from the poll", () => {
    const range = { windows: [ok(0, figures([])), ok(1, figures([]), 50)], events: [ev("a", 10), ev("b", 70)], references: [ref(1)], rules: ["old"] };
    const tail = { windows: [ok(1, figures([]), 80), empty(2)], events: [ev("b", 70), ev("c", 130)], references: [ref(1), ref(2)], rules: ["new"] };
    const m = mergeTail(range, tail, tailFrom(range.windows, "x"));
    expect(m.windows.map((w) => [w.start, w.rows])).toEqual([
      [new Date(T0).toISOString(), 100],
      [new Date(T0 + H).toISOString(), 80],
      [new Date(T0 + 2 * H).toISOString(), 0],
    ]);
    // The range's first window keeps its identity (the charts' memos see what changed).
    expect(m.windows[0]).toBe(range.windows[0]);
    expect(m.events.map((e) => e.id)).toEqual(["c", "b", "a"]);
    expect(m.references.map((r) => r.version)).toEqual([1, 2]);
    expect(m.rules).toEqual(["new"]);
    expect(mergeTail(range, undefined, "x")).toBe(range);
  });

  it("slides the range's start in steps of a 96th of it", () => {
    const now = Date.parse("2026-12-07T12:34:56.789Z");
    expect(rangeFrom("24h", now)).toBe("2026-12-06T12:30:00.000Z");
    expect(rangeFrom("24h", now + 60_000)).toBe(rangeFrom("24h", now));
    expect(Date.parse(rangeFrom("30d", now))).toBeLessThanOrEqual(now - 30 * 86_400_000);
    expect(now - 30 * 86_400_000 - Date.parse(rangeFrom("30d", now))).toBeLessThan(7.5 * H);
  });
});
