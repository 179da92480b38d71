/**
 * The ECharts options of the monitoring page's charts, from the shapes of
 * model.ts. Pure (plain objects): the page memoises them. Windows without
 * traffic are gaps in the lines and grey bands / grey cells, never zeros.
 */
import type { DriftStatistic } from "../../contract/monitoring";
import { BAND_COLOURS, DRIFT_BANDS, shortNumber, type Heatmap, type Histogram } from "./model";

const AXIS = { color: "#64748b", fontSize: 10 };
const SPLIT = { lineStyle: { color: "#f1f5f9" } };
const TOOLTIP = { confine: true, textStyle: { fontSize: 12 }, borderColor: "#e2e8f0" };
const NO_TRAFFIC_BAND = "rgba(148,163,184,0.16)";
const NO_TRAFFIC = -1;
const NO_VALUE = -2;

/** "7 Dec 14:00" (or "14:00" when every window is on one day); with seconds ("14:00:27") for windows that do not start on a minute (computed on demand, replays). */
export function windowLabel(ms: number, withDate: boolean, seconds = ms % 60_000 !== 0): string {
  const d = new Date(ms);
  const hm = d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", ...(seconds ? { second: "2-digit" } : {}) });
  return withDate ? `${d.toLocaleDateString("en-GB", { day: "numeric", month: "short" })} ${hm}` : hm;
}

const pct = (v: number) => `${+(v * 100).toPrecision(3)}%`;

function bands(ranges: [number, number][]) {
  return ranges.length
    ? { silent: true, itemStyle: { color: NO_TRAFFIC_BAND }, label: { show: false }, data: ranges.map(([s, e]) => [{ xAxis: s }, { xAxis: e }]) }
    : undefined;
}

type Points = [number, number | null][];

function timeChart(opts: {
  series: { name: string; data: Points; colour: string; axis?: 0 | 1; dashed?: boolean }[];
  /** The value axes (the second on the right); the legend names the series and their units. */
  axes: { format?: (v: number) => string }[];
  noTraffic: [number, number][];
  markLine?: { value: number; label: string };
}) {
  const dense = (opts.series[0]?.data.length ?? 0) > 120;
  return {
    animation: false,
    grid: { left: 48, right: opts.axes.length > 1 ? 52 : 16, top: 30, bottom: 24 },
    legend: { top: 0, left: 0, itemWidth: 14, itemHeight: 8, textStyle: { fontSize: 11, color: "#475569" } },
    tooltip: {
      ...TOOLTIP,
      trigger: "axis",
      valueFormatter: undefined,
    },
    xAxis: { type: "time", axisLabel: { ...AXIS, hideOverlap: true }, axisLine: { lineStyle: { color: "#cbd5e1" } }, splitLine: { show: false } },
    yAxis: opts.axes.map((a, i) => ({
      type: "value",
      axisLabel: { ...AXIS, formatter: a.format ?? shortNumber },
      splitLine: i === 0 ? SPLIT : { show: false },
      min: 0,
      // A reference line stays in view even above every value.
      max: i === 0 && opts.markLine ? (e: { max: number }) => (opts.markLine!.value * 1.1 > e.max ? opts.markLine!.value * 1.1 : null) : undefined,
    })),
    series: opts.series.map((s, i) => ({
      type: "line",
      name: s.name,
      data: s.data,
      yAxisIndex: s.axis ?? 0,
      connectNulls: false,
      showSymbol: !dense,
      symbolSize: 4,
      sampling: dense ? "lttb" : undefined,
      lineStyle: { width: 1.6, color: s.colour, type: s.dashed ? "dashed" : "solid" },
      itemStyle: { color: s.colour },
      tooltip: { valueFormatter: (v: number | null) => (v === null || v === undefined ? "no traffic" : (opts.axes[s.axis ?? 0]!.format ?? shortNumber)(v)) },
      markArea: i === 0 ? bands(opts.noTraffic) : undefined,
      markLine:
        i === 0 && opts.markLine
          ? {
              silent: true,
              symbol: "none",
              lineStyle: { color: "#64748b", type: "dashed" },
              label: { formatter: opts.markLine.label, position: "insideEndTop", fontSize: 10, color: "#475569" },
              data: [{ yAxis: opts.markLine.value }],
            }
          : undefined,
    })),
  };
}

export function trafficOption(reqs: Points, errorRate: Points, noTraffic: [number, number][]) {
  return timeChart({
    series: [
      { name: "requests/s", data: reqs, colour: "#4f46e5" },
      { name: "error rate (right)", data: errorRate, colour: "#e11d48", axis: 1 },
    ],
    axes: [{}, { format: pct }],
    noTraffic,
  });
}

export function latencyOption(p50: Points, p99: Points, noTraffic: [number, number][]) {
  const ms = (v: number) => `${shortNumber(v)} ms`;
  return timeChart({
    series: [
      { name: "p50", data: p50, colour: "#0ea5e9" },
      { name: "p99", data: p99, colour: "#7c3aed" },
    ],
    axes: [{ format: ms }],
    noTraffic,
  });
}

export function qualityOption(metric: string, live: Points, training: number | null, noTraffic: [number, number][]) {
  return timeChart({
    series: [{ name: `live ${metric}`, data: live, colour: "#059669" }],
    axes: [{}],
    noTraffic,
    markLine: training === null ? undefined : { value: training, label: `training ${shortNumber(training)}` },
  });
}

export function predictionDriftOption(metric: DriftStatistic, points: Points, noTraffic: [number, number][]) {
  const b = metric === "wasserstein" ? null : DRIFT_BANDS[metric];
  return timeChart({
    series: [{ name: `prediction ${metric}`, data: points, colour: "#7c3aed" }],
    axes: [{}],
    noTraffic,
    markLine: b ? { value: b.significant, label: `drifted ≥ ${b.significant}` } : undefined,
  });
}

/** Steps of the continuous (Wasserstein) scale: each a layer of its own colour. */
const STEPS = 8;
function mix(a: string, b: string, t: number): string {
  const p = (c: string, i: number) => parseInt(c.slice(1 + 2 * i, 3 + 2 * i), 16);
  return `rgb(${[0, 1, 2].map((i) => Math.round(p(a, i) + (p(b, i) - p(a, i)) * t)).join(",")})`;
}
export function scaleColour(t: number): string {
  return t < 0.5 ? mix("#dcfce7", "#f59e0b", t * 2) : mix("#f59e0b", "#dc2626", (t - 0.5) * 2);
}

export const HEATMAP_GRID = { top: 6, bottom: 26, right: 12 };

/**
 * Features × windows, coloured by the statistic: PSI, JS and KS in three
 * bands (stable / moderate / drifted), Wasserstein (in the feature's own
 * units) on a stepped continuous scale; windows without traffic grey, cells
 * without a value near-white; `selected` outlined.
 *
 * Drawn as one large-mode scatter layer of rectangles per colour (a few
 * canvas fills for 36,000 cells, no element per cell, no hover repaint),
 * sized to the cells from the chart's pixel size.
 */
export function heatmapOption(h: Heatmap, metric: DriftStatistic, selected: { x: number; y: number } | null, size: { width: number; height: number }) {
  const withDate = h.times.length > 1 && new Date(h.times[0]!).toDateString() !== new Date(h.times[h.times.length - 1]!).toDateString();
  const seconds = h.times.some((t) => t % 60_000 !== 0);
  const labels = h.times.map((t) => windowLabel(t, withDate, seconds));
  const b = metric === "wasserstein" ? null : DRIFT_BANDS[metric];
  const longest = h.features.reduce((m, f) => Math.max(m, f.length), 0);
  const left = Math.min(150, 14 + longest * 6.2);
  const cellW = Math.max(1, (size.width - left - HEATMAP_GRID.right) / Math.max(1, h.times.length));
  const cellH = Math.max(1, (size.height - HEATMAP_GRID.top - HEATMAP_GRID.bottom) / Math.max(1, h.features.length));
  // A hairline between cells while they are wide enough to spare it.
  const symbolSize = [cellW > 6 ? cellW - 1 : cellW + 0.3, cellH > 6 ? cellH - 1 : cellH + 0.3];

  const layers: { name: string; colour: string; data: [number, number, number][] }[] = b
    ? [
        { name: "stable", colour: BAND_COLOURS.stable, data: [] },
        { name: "moderate", colour: BAND_COLOURS.moderate, data: [] },
        { name: "drifted", colour: BAND_COLOURS.significant, data: [] },
      ]
    : Array.from({ length: STEPS }, (_, i) => ({ name: `step ${i + 1}`, colour: scaleColour(i / (STEPS - 1)), data: [] }));
  for (const c of h.cells) {
    const v = c[2];
    const i = b ? (v >= b.significant ? 2 : v >= b.moderate ? 1 : 0) : Math.min(STEPS - 1, Math.floor((v / (h.max || 1)) * STEPS));
    layers[i]!.data.push(c);
  }
  const layer = (name: string, colour: string, data: [number, number, number][]) => ({
    type: "scatter",
    name,
    data,
    symbol: "rect",
    symbolSize,
    large: true,
    largeThreshold: 500,
    progressive: 0,
    itemStyle: { color: colour, opacity: 1 },
    emphasis: { disabled: true },
    animation: false,
  });
  return {
    animation: false,
    grid: { left, ...HEATMAP_GRID },
    tooltip: {
      ...TOOLTIP,
      trigger: "item",
      showDelay: 0,
      transitionDuration: 0,
      formatter: (p: { value: [number, number, number] }) => {
        const [x, y, v] = p.value;
        const head = `<b>${escapeHtml(h.features[y] ?? "")}</b><br/>${labels[x]}`;
        if (v === NO_TRAFFIC) return `${head}<br/>No traffic in this window`;
        if (v === NO_VALUE) return `${head}<br/>No value of this feature in this window`;
        return `${head}<br/>${metric} ${shortNumber(v)}`;
      },
    },
    xAxis: {
      type: "category",
      data: labels,
      axisLabel: { ...AXIS, hideOverlap: true },
      axisTick: { show: false },
      axisLine: { show: false },
      splitLine: { show: false },
    },
    yAxis: {
      type: "category",
      data: h.features,
      inverse: true,
      axisLabel: { ...AXIS, width: 140, overflow: "truncate" },
      axisTick: { show: false },
      axisLine: { show: false },
      splitLine: { show: false },
    },
    series: [
      ...layers.map((l) => layer(l.name, l.colour, l.data)),
      layer(
        "no traffic",
        BAND_COLOURS.noTraffic,
        h.noTraffic.map(([x, y]) => [x, y, NO_TRAFFIC]),
      ),
      layer(
        "no value",
        BAND_COLOURS.noValue,
        h.noValue.map(([x, y]) => [x, y, NO_VALUE]),
      ),
      {
        type: "scatter",
        name: "selected",
        data: selected ? [[selected.x, selected.y, 0]] : [],
        symbol: "rect",
        symbolSize: [Math.max(cellW, 4) + 2, Math.max(cellH, 4) + 2],
        itemStyle: { color: "rgba(0,0,0,0)", borderColor: "#0f172a", borderWidth: 2 },
        silent: true,
        z: 5,
        animation: false,
      },
    ],
  };
}

export function histogramOption(hist: Histogram) {
  return {
    animation: false,
    grid: { left: 44, right: 12, top: 30, bottom: hist.kind === "numeric" ? 44 : 36 },
    legend: { top: 0, left: 0, itemWidth: 14, itemHeight: 8, textStyle: { fontSize: 11, color: "#475569" } },
    tooltip: { ...TOOLTIP, trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: (v: number) => pct(v) },
    xAxis: {
      type: "category",
      data: hist.labels,
      axisLabel: { ...AXIS, interval: 0, rotate: hist.labels.length > 6 ? 30 : 0, width: 80, overflow: "truncate" },
      axisTick: { alignWithLabel: true },
    },
    yAxis: { type: "value", axisLabel: { ...AXIS, formatter: pct }, splitLine: SPLIT },
    series: [
      {
        type: "bar",
        name: `training (${hist.referenceRows.toLocaleString("en-US")} rows)`,
        data: hist.reference,
        barWidth: "62%",
        barGap: "-100%",
        z: 3,
        itemStyle: { color: "rgba(100,116,139,0.10)", borderColor: "#475569", borderWidth: 1.5, borderType: "dashed" },
      },
      {
        type: "bar",
        name: `window (${hist.currentRows.toLocaleString("en-US")} rows)`,
        data: hist.current ?? [],
        barWidth: "62%",
        z: 2,
        itemStyle: { color: "rgba(79,70,229,0.6)" },
      },
    ],
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
