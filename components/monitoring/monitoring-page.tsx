"use client";
/**
 * /deployments/{name}/monitoring: a deployment's monitor windows over the
 * last 24 h, 7 d or 30 d (refreshed every 10 s): traffic, errors and
 * latency; drift of every feature per window (a heatmap) and, for a chosen
 * feature and window, its training and live histograms; prediction drift;
 * live quality against training; data quality; alerts and the retraining
 * runs they started; the alert rules and settings; and Compute now.
 */
import Link from "next/link";
import dynamic from "next/dynamic";
import { useCallback, useEffect, useMemo, useState } from "react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC, type RouterOutputs } from "../trpc/trpc";
import { ActionError } from "../ui/action-error";
import { Button } from "../ui/button";
import { formatDateTime, formatNumber, formatPercent, formatRelative } from "../ui/format";
import { Card, ErrorNote, Loading, PageContainer, PageHeader, Table } from "../ui/page";
import { Tag } from "../ui/status-badge";
import { DRIFT_STATISTICS, type DriftStatistic } from "../../contract/monitoring";
import type { ChartClick, ChartSize } from "./echart";
import {
  BAND_COLOURS,
  DRIFT_BANDS,
  RANGES,
  dataQualityTotals,
  describeInterval,
  driftBand,
  driftHeatmap,
  histogram,
  mostDrifted,
  newestWithData,
  noTrafficRanges,
  qualityMetrics,
  mergeTail,
  rangeFrom,
  referenceOf,
  seriesOver,
  shortNumber,
  tailFrom,
  trainingValue,
  type RangeId,
  type WindowView,
} from "./model";
import { heatmapOption, histogramOption, latencyOption, predictionDriftOption, qualityOption, trafficOption, windowLabel } from "./options";
import { MonitoringSettingsCard } from "./settings";

/** ECharts is loaded with this page only, in the browser. */
const EChart = dynamic(() => import("./echart").then((m) => m.EChart), {
  ssr: false,
  loading: () => <div className="h-full min-h-[120px] animate-pulse rounded bg-slate-50" />,
});

type Monitoring = RouterOutputs["monitoring"]["get"];
type MonitorEvent = Monitoring["events"][number];

const REFRESH_MS = 10_000;

function useNow(everyMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

export function MonitoringPage({ name }: { name: string }) {
  const trpc = useTRPC();
  const [range, setRange] = useState<RangeId>("7d");
  const now = useNow(REFRESH_MS);
  const from = rangeFrom(range, now);
  // The whole range once (again when `from` slides a step), and every 10 s only
  // what is new since its newest window: 30 days × 50 features is megabytes.
  const q = useQuery({ ...trpc.monitoring.get.queryOptions({ name, from }), placeholderData: keepPreviousData, staleTime: Infinity });
  const pollFrom = q.data ? tailFrom(q.data.windows, from) : from;
  const tail = useQuery({
    ...trpc.monitoring.get.queryOptions({ name, from: pollFrom }),
    enabled: !!q.data && !q.isPlaceholderData,
    refetchInterval: REFRESH_MS,
  });
  const merged = useMemo(
    () => (q.data ? mergeTail(q.data, pollFrom === from ? undefined : tail.data, pollFrom) : undefined),
    [q.data, tail.data, pollFrom, from],
  );
  const dep = useQuery({ ...trpc.deployments.get.queryOptions({ name }), refetchInterval: 30_000 });

  if (q.isError && !q.data)
    return (
      <PageContainer>
        <ErrorNote error={q.error} title={`Could not load the monitoring of ${name}`} />
      </PageContainer>
    );
  if (!merged) return <Loading />;
  const m = merged;
  const error = tail.error ?? q.error;
  return (
    <PageContainer>
      <PageHeader
        eyebrow={
          <span className="flex items-center gap-1.5">
            <Link href="/deployments" className="hover:text-slate-800">
              Deployments
            </Link>
            <span className="text-slate-300">/</span>
            <Link href={`/deployments/${encodeURIComponent(name)}`} className="hover:text-slate-800">
              {name}
            </Link>
          </span>
        }
        title={`Monitoring: ${name}`}
        subtitle={
          <span>
            {dep.data ? (
              <>
                model{" "}
                <Link href={`/models/${encodeURIComponent(dep.data.model)}`} className="font-medium text-indigo-600 hover:underline">
                  {dep.data.model}
                </Link>{" "}
                ·{" "}
              </>
            ) : null}
            {m.settings.enabled ? <>a window {describeInterval(m.settings.intervalSeconds)}</> : <span className="text-amber-700">monitoring is off</span>} ·
            refreshed every 10 s
          </span>
        }
        actions={<RangePicker range={range} onChange={setRange} />}
      />
      {error ? <ErrorNote error={error} title="Could not refresh (showing the last answer)" /> : null}
      <ComputeNow name={name} />
      <MonitoringBody m={m} />
    </PageContainer>
  );
}

function RangePicker({ range, onChange }: { range: RangeId; onChange: (r: RangeId) => void }) {
  return (
    <div role="group" aria-label="Time range" className="inline-flex rounded-md shadow-sm ring-1 ring-slate-300 ring-inset">
      {RANGES.map((r, i) => (
        <button
          key={r.id}
          type="button"
          aria-pressed={range === r.id}
          onClick={() => onChange(r.id)}
          className={`h-8 px-3 text-sm font-medium ${i === 0 ? "rounded-l-md" : ""} ${i === RANGES.length - 1 ? "rounded-r-md" : "border-r border-slate-300"} ${
            range === r.id ? "bg-indigo-600 text-white" : "bg-white text-slate-700 hover:bg-slate-50"
          }`}
        >
          Last {r.label}
        </button>
      ))}
    </div>
  );
}

function ComputeNow({ name }: { name: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const run = useMutation(
    trpc.monitoring.run.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.monitoring.get.pathKey() }),
    }),
  );
  const r = run.data;
  return (
    <div className="mb-5 flex flex-wrap items-start gap-3">
      <Button variant="primary" onClick={() => run.mutate({ name })} disabled={run.isPending}>
        {run.isPending ? "Computing…" : "Compute now"}
      </Button>
      <div className="min-w-0 flex-1 text-[12.5px]">
        {run.isError ? (
          <ActionError error={run.error} />
        ) : r ? (
          <div role="status" data-testid="compute-result" className="rounded-md border border-slate-200 bg-white px-3 py-2 text-slate-700">
            Window {formatDateTime(r.window.start)} – {formatDateTime(r.window.end)}:{" "}
            {r.window.status === "no_data" ? (
              <span className="font-medium">no traffic in this window</span>
            ) : (
              <>
                <span className="font-medium">{formatNumber(r.window.rows)} predictions</span>
                {r.window.figures ? <WindowSummary f={r.window.figures} /> : null}
              </>
            )}
            {r.events.length ? (
              <ul className="mt-1 space-y-0.5">
                {r.events.map((e) => (
                  <li key={e.id}>
                    <EventTag kind={e.kind} /> {e.message}
                    {e.runId ? (
                      <>
                        {" "}
                        <Link href={`/runs/${e.runId}`} className="text-indigo-600 hover:underline">
                          retraining run {e.runId.slice(0, 8)}
                        </Link>
                      </>
                    ) : null}
                  </li>
                ))}
              </ul>
            ) : (
              <span className="text-slate-500"> · no alert fired</span>
            )}
          </div>
        ) : (
          <span className="text-slate-500">Computes the last interval’s window now and acts on it (alert rules, drift triggers).</span>
        )}
      </div>
    </div>
  );
}

function WindowSummary({ f }: { f: NonNullable<WindowView["figures"]> }) {
  const top = [...f.features].sort((a, b) => b.psi - a.psi)[0];
  return (
    <>
      {top ? (
        <>
          {" "}
          · most drifted <span className="font-mono">{top.name}</span> (PSI {shortNumber(top.psi)})
        </>
      ) : null}
      {f.prediction ? <> · prediction PSI {shortNumber(f.prediction.psi)}</> : null}
      {f.system.errorRate !== null ? <> · error rate {formatPercent(f.system.errorRate)}</> : null}
    </>
  );
}

function MonitoringBody({ m }: { m: Monitoring }) {
  const windows = m.windows as WindowView[];
  const [metric, setMetric] = useState<DriftStatistic>("psi");
  const [chosenFeature, setFeature] = useState<string | null>(null);
  const [chosenStart, setStart] = useState<string | null>(null);

  const heat = useMemo(() => driftHeatmap(windows, m.references, metric), [windows, m.references, metric]);
  const newest = useMemo(() => newestWithData(windows), [windows]);
  const chosenIndex = useMemo(() => {
    if (chosenStart !== null) {
      const i = windows.findIndex((w) => String(w.start) === chosenStart);
      if (i >= 0) return i;
    }
    return newest;
  }, [windows, chosenStart, newest]);
  const win = chosenIndex === null ? undefined : windows[chosenIndex];
  const feature =
    chosenFeature && heat.features.includes(chosenFeature) ? chosenFeature : (mostDrifted(windows[newest ?? -1], metric) ?? heat.features[0] ?? null);
  const featureIndex = feature === null ? -1 : heat.features.indexOf(feature);

  const noTraffic = useMemo(() => noTrafficRanges(windows), [windows]);
  const heatOption = useMemo(
    () => (size: ChartSize) => heatmapOption(heat, metric, chosenIndex !== null && featureIndex >= 0 ? { x: chosenIndex, y: featureIndex } : null, size),
    [heat, metric, chosenIndex, featureIndex],
  );
  const onCell = useCallback(
    (e: ChartClick) => {
      const [x, y] = e.value as [number, number, number];
      setFeature(heat.features[y] ?? null);
      const w = windows[x];
      if (w && w.status === "ok") setStart(String(w.start));
    },
    [heat.features, windows],
  );

  if (windows.length === 0)
    return (
      <>
        <div
          className="mb-5 flex flex-col items-center justify-center rounded-lg border border-dashed border-slate-300 bg-white px-6 py-12 text-center"
          data-testid="monitoring-empty"
        >
          <div className="text-sm font-medium text-slate-800">No monitor windows yet</div>
          <div className="mt-1 max-w-md text-sm text-slate-500">
            The monitor computes a window {describeInterval(m.settings.intervalSeconds)} from the logged predictions
            {m.settings.enabled ? "" : " (it is off for this deployment)"}; Compute now computes the last one.
          </div>
        </div>
        <EventsCard m={m} />
        <MonitoringSettingsCard name={m.deployment} settings={m.settings} rules={m.rules} features={heat.features} />
      </>
    );

  const withData = windows.filter((w) => w.status === "ok").length;
  return (
    <>
      <p className="mb-3 text-[12.5px] text-slate-500" data-testid="window-count">
        {windows.length} {windows.length === 1 ? "window" : "windows"}, {withData} with traffic
        {windows.length > withData ? <>, {windows.length - withData} without (grey)</> : null}.
      </p>
      <Traffic windows={windows} noTraffic={noTraffic} />
      <Card
        title="Feature drift"
        className="mb-5"
        actions={
          <div className="flex items-center gap-3">
            <MetricSwitch metric={metric} onChange={setMetric} />
            <label className="flex items-center gap-1.5 text-[12px] text-slate-600">
              Feature
              <select
                aria-label="Feature"
                value={feature ?? ""}
                onChange={(e) => setFeature(e.target.value)}
                className="h-7 max-w-[180px] rounded-md border border-slate-300 bg-white px-1.5 text-[12px]"
              >
                {heat.features.map((f) => (
                  <option key={f} value={f}>
                    {f}
                  </option>
                ))}
              </select>
            </label>
          </div>
        }
      >
        <div className="px-2 pt-2">
          {heat.features.length === 0 ? (
            <div className="px-2 py-6 text-sm text-slate-500">
              No feature has a reference profile: the model versions of these windows were trained without one.
            </div>
          ) : (
            <EChart
              option={heatOption}
              height={Math.max(140, heat.features.length * (heat.features.length > 20 ? 13 : 22) + 36)}
              label={`Drift heatmap: ${heat.features.length} features × ${windows.length} windows, coloured by ${metric}`}
              onClick={onCell}
              testId="drift-heatmap"
            />
          )}
        </div>
        <HeatLegend metric={metric} max={heat.max} />
      </Card>
      <div className="mb-5 grid gap-5 xl:grid-cols-[3fr_2fr]">
        <FeatureCard m={m} windows={windows} win={win} feature={feature} metric={metric} newest={chosenIndex === newest} />
        <DriftTable win={win} metric={metric} chosen={feature} onChoose={setFeature} />
      </div>
      <div className="mb-5 grid gap-5 lg:grid-cols-2">
        <PredictionDrift windows={windows} win={win} metric={metric} noTraffic={noTraffic} />
        <Quality windows={windows} noTraffic={noTraffic} />
      </div>
      <DataQuality windows={windows} win={win} />
      <EventsCard m={m} />
      <MonitoringSettingsCard name={m.deployment} settings={m.settings} rules={m.rules} features={heat.features} />
    </>
  );
}

function MetricSwitch({ metric, onChange }: { metric: DriftStatistic; onChange: (m: DriftStatistic) => void }) {
  return (
    <div role="group" aria-label="Drift statistic" className="inline-flex overflow-hidden rounded-md ring-1 ring-slate-300 ring-inset">
      {DRIFT_STATISTICS.map((s) => (
        <button
          key={s}
          type="button"
          aria-pressed={metric === s}
          onClick={() => onChange(s)}
          className={`h-7 px-2 font-mono text-[11.5px] ${metric === s ? "bg-slate-800 text-white" : "bg-white text-slate-600 hover:bg-slate-50"}`}
        >
          {s}
        </button>
      ))}
    </div>
  );
}

function Swatch({ colour, border = false }: { colour: string; border?: boolean }) {
  return <span className={`inline-block h-2.5 w-3.5 rounded-sm ${border ? "ring-1 ring-slate-300" : ""}`} style={{ background: colour }} />;
}

function HeatLegend({ metric, max }: { metric: DriftStatistic; max: number }) {
  const b = metric === "wasserstein" ? null : DRIFT_BANDS[metric];
  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-1 border-t border-slate-100 px-4 py-2 text-[11.5px] text-slate-600" aria-label="Heatmap legend">
      {b ? (
        <>
          <span className="flex items-center gap-1.5">
            <Swatch colour={BAND_COLOURS.stable} /> {metric} &lt; {b.moderate}: stable
          </span>
          <span className="flex items-center gap-1.5">
            <Swatch colour={BAND_COLOURS.moderate} /> {b.moderate}–{b.significant}: moderate
          </span>
          <span className="flex items-center gap-1.5">
            <Swatch colour={BAND_COLOURS.significant} /> ≥ {b.significant}: drifted
          </span>
        </>
      ) : (
        <span className="flex items-center gap-1.5">
          <span className="inline-block h-2.5 w-16 rounded-sm" style={{ background: "linear-gradient(90deg,#dcfce7,#f59e0b,#dc2626)" }} />
          Wasserstein distance in each feature’s own units, 0 to {shortNumber(max)} (not comparable across features)
        </span>
      )}
      <span className="flex items-center gap-1.5">
        <Swatch colour={BAND_COLOURS.noTraffic} /> no traffic in the window
      </span>
      <span className="flex items-center gap-1.5">
        <Swatch colour={BAND_COLOURS.noValue} border /> no value (all missing, or no reference)
      </span>
      <span className="text-slate-400">Click a cell to see its histograms.</span>
    </div>
  );
}

function Traffic({ windows, noTraffic }: { windows: WindowView[]; noTraffic: [number, number][] }) {
  const traffic = useMemo(
    () =>
      trafficOption(
        seriesOver(windows, (f) => f.system.ratePerSecond),
        seriesOver(windows, (f) => f.system.errorRate),
        noTraffic,
      ),
    [windows, noTraffic],
  );
  const latency = useMemo(
    () =>
      latencyOption(
        seriesOver(windows, (f) => f.system.p50Ms),
        seriesOver(windows, (f) => f.system.p99Ms),
        noTraffic,
      ),
    [windows, noTraffic],
  );
  return (
    <div className="mb-5 grid gap-5 lg:grid-cols-2">
      <Card title="Traffic and errors">
        <div className="px-2 pt-2 pb-1">
          <EChart option={traffic} height={190} label="Requests per second and error rate per window" testId="traffic-chart" />
        </div>
      </Card>
      <Card title="Latency">
        <div className="px-2 pt-2 pb-1">
          <EChart option={latency} height={190} label="p50 and p99 latency per window" testId="latency-chart" />
        </div>
      </Card>
    </div>
  );
}

/** "7 Dec 18:00–19:00". */
function windowName(w: WindowView | undefined) {
  return w ? `${windowLabel(new Date(w.start).getTime(), true)}–${windowLabel(new Date(w.end).getTime(), false)}` : "—";
}

function FeatureCard({
  m,
  windows,
  win,
  feature,
  metric,
  newest,
}: {
  m: Monitoring;
  windows: WindowView[];
  win: WindowView | undefined;
  feature: string | null;
  metric: DriftStatistic;
  newest: boolean;
}) {
  const ref = referenceOf(win, m.references);
  const refColumn = ref?.features.find((f) => f.name === feature) ?? null;
  const drift = win?.figures?.features.find((f) => f.name === feature) ?? null;
  const hist = useMemo(() => (refColumn ? histogram(refColumn, drift) : null), [refColumn, drift]);
  const option = useMemo(() => (hist ? histogramOption(hist) : null), [hist]);
  const v = drift ? drift[metric] : null;
  return (
    <Card
      title={
        <span>
          Distribution of <span className="font-mono">{feature ?? "—"}</span>
        </span>
      }
      actions={
        <span className="text-[11.5px] text-slate-500" data-testid="chosen-window">
          {newest ? "newest window with traffic: " : "window "}
          {windowName(win)}
        </span>
      }
    >
      <div className="px-4 pt-3 text-[12.5px] text-slate-600" data-testid="feature-drift">
        {win === undefined ? (
          "No window with traffic in this range."
        ) : !drift ? (
          "No value of this feature in the window."
        ) : (
          <span className="flex flex-wrap gap-x-3 gap-y-1">
            {v !== null && metric !== "wasserstein" ? <DriftTag metric={metric} value={v} /> : null}
            {DRIFT_STATISTICS.map((s) => (
              <span key={s} className={s === metric ? "font-semibold text-slate-800" : ""}>
                {s} {drift[s] === null ? "—" : shortNumber(drift[s])}
              </span>
            ))}
            <span>
              {formatNumber(drift.rows)} rows · missing {formatPercent(drift.missingRate)}
            </span>
            {drift.outOfRange ? <span className="text-amber-700">{formatNumber(drift.outOfRange)} out of range</span> : null}
            {drift.unseen ? <span className="text-amber-700">{formatNumber(drift.unseen)} unseen</span> : null}
          </span>
        )}
      </div>
      <div className="px-2 pt-1 pb-1">
        {option && hist ? (
          <EChart option={option} height={230} label={`Training and window histograms of ${feature}`} testId="feature-histogram" />
        ) : win ? (
          <div className="px-2 py-8 text-sm text-slate-500">
            No training profile of {feature} for v{win.figures?.referenceVersion ?? "?"}: the version was trained before profiles existed.
          </div>
        ) : null}
      </div>
      {windows.length && hist?.kind === "numeric" ? (
        <div className="px-4 pb-2.5 text-[11px] text-slate-400">Bins at the training data’s deciles: each holds a tenth of the training rows.</div>
      ) : null}
    </Card>
  );
}

function DriftTag({ metric, value }: { metric: Exclude<DriftStatistic, "wasserstein">; value: number }) {
  const band = driftBand(metric, value);
  return <Tag tone={band === "significant" ? "rose" : band === "moderate" ? "amber" : "emerald"}>{band === "significant" ? "drifted" : band}</Tag>;
}

function DriftTable({
  win,
  metric,
  chosen,
  onChoose,
}: {
  win: WindowView | undefined;
  metric: DriftStatistic;
  chosen: string | null;
  onChoose: (f: string) => void;
}) {
  const [all, setAll] = useState(false);
  const rows = useMemo(() => [...(win?.figures?.features ?? [])].sort((a, b) => (b[metric] ?? -1) - (a[metric] ?? -1)), [win, metric]);
  const shown = all ? rows : rows.slice(0, 8);
  return (
    <Card
      title="Drift by feature"
      actions={
        rows.length > 8 ? (
          <button type="button" className="text-[11.5px] text-indigo-600 hover:underline" onClick={() => setAll(!all)}>
            {all ? "Top 8" : `All ${rows.length}`}
          </button>
        ) : null
      }
    >
      {rows.length === 0 ? (
        <div className="px-4 py-6 text-sm text-slate-500">{win ? "No feature had a value in this window." : "No window with traffic in this range."}</div>
      ) : (
        <Table>
          <caption className="sr-only">Drift by feature in the chosen window, most drifted first</caption>
          <thead>
            <tr>
              <th>Feature</th>
              <th className="text-right">{metric}</th>
              <th className="text-right">Missing</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((f) => {
              const v = f[metric];
              return (
                <tr key={f.name} data-testid="drift-row" data-feature={f.name} className={f.name === chosen ? "bg-indigo-50/60" : "hover:bg-slate-50/60"}>
                  <td className="max-w-[160px]">
                    <button
                      type="button"
                      onClick={() => onChoose(f.name)}
                      className="block truncate font-mono text-[12px] text-slate-800 hover:text-indigo-700"
                      title={f.name}
                    >
                      {f.name}
                    </button>
                  </td>
                  <td className="text-right font-mono text-xs whitespace-nowrap">
                    {v === null ? "—" : shortNumber(v)}
                    {v !== null && metric !== "wasserstein" ? (
                      <span className="ml-2">
                        <DriftTag metric={metric} value={v} />
                      </span>
                    ) : null}
                  </td>
                  <td className="text-right font-mono text-xs">{formatPercent(f.missingRate)}</td>
                </tr>
              );
            })}
          </tbody>
        </Table>
      )}
    </Card>
  );
}

function PredictionDrift({
  windows,
  win,
  metric,
  noTraffic,
}: {
  windows: WindowView[];
  win: WindowView | undefined;
  metric: DriftStatistic;
  noTraffic: [number, number][];
}) {
  const points = useMemo(() => seriesOver(windows, (f) => f.prediction?.[metric]), [windows, metric]);
  const option = useMemo(() => predictionDriftOption(metric, points, noTraffic), [metric, points, noTraffic]);
  const p = win?.figures?.prediction ?? null;
  const any = points.some(([, v]) => v !== null);
  return (
    <Card title="Prediction drift">
      <div className="px-4 pt-3 text-[12.5px] text-slate-600" data-testid="prediction-drift">
        {p ? (
          <span className="flex flex-wrap gap-x-3">
            <span className="font-mono">{p.name}</span>
            {metric !== "wasserstein" && p[metric] !== null ? <DriftTag metric={metric} value={p[metric]} /> : null}
            {DRIFT_STATISTICS.map((s) => (
              <span key={s} className={s === metric ? "font-semibold text-slate-800" : ""}>
                {s} {p[s] === null ? "—" : shortNumber(p[s])}
              </span>
            ))}
          </span>
        ) : (
          "The chosen window has no prediction drift (no traffic, or no training profile)."
        )}
      </div>
      <div className="px-2 pt-1 pb-1">
        {any ? <EChart option={option} height={180} label={`Prediction ${metric} per window`} testId="prediction-chart" /> : null}
      </div>
    </Card>
  );
}

function Quality({ windows, noTraffic }: { windows: WindowView[]; noTraffic: [number, number][] }) {
  const metrics = useMemo(() => qualityMetrics(windows), [windows]);
  const [chosen, setChosen] = useState<string | null>(null);
  const metric = chosen && metrics.includes(chosen) ? chosen : (metrics[0] ?? null);
  const option = useMemo(
    () =>
      metric
        ? qualityOption(
            metric,
            seriesOver(windows, (f) => f.quality?.metrics[metric]),
            trainingValue(windows, metric),
            noTraffic,
          )
        : null,
    [windows, metric, noTraffic],
  );
  const latest = [...windows].reverse().find((w) => w.figures?.quality);
  return (
    <Card
      title="Live quality vs training"
      actions={
        metrics.length > 1 ? (
          <select
            aria-label="Quality metric"
            value={metric ?? ""}
            onChange={(e) => setChosen(e.target.value)}
            className="h-7 rounded-md border border-slate-300 bg-white px-1.5 text-[12px]"
          >
            {metrics.map((x) => (
              <option key={x} value={x}>
                {x}
              </option>
            ))}
          </select>
        ) : null
      }
    >
      {!metric || !option || !latest?.figures?.quality ? (
        <div className="px-4 py-8 text-sm text-slate-500" data-testid="quality-empty">
          No ground truth yet: live quality appears when feedback (the true answers) arrives for logged predictions.
        </div>
      ) : (
        <>
          <Table>
            <caption className="sr-only">Live quality of the newest window with ground truth against training</caption>
            <thead>
              <tr>
                <th>Metric</th>
                <th className="text-right">Live</th>
                <th className="text-right">Training</th>
                <th className="text-right">Change</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(latest.figures.quality.metrics).map(([k, v]) => {
                const c = latest.figures!.quality!.change[k];
                return (
                  <tr key={k}>
                    <td className="font-mono text-[12px]">{k}</td>
                    <td className="text-right font-mono text-xs">{shortNumber(v)}</td>
                    <td className="text-right font-mono text-xs">
                      {latest.figures!.quality!.training[k] === undefined ? "—" : shortNumber(latest.figures!.quality!.training[k])}
                    </td>
                    <td className="text-right font-mono text-xs">{c === undefined ? "—" : `${c > 0 ? "+" : ""}${shortNumber(c)}`}</td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
          <div className="px-4 text-[11px] text-slate-400">
            {formatNumber(latest.figures.quality.labelled)} labelled rows in the newest window with ground truth ({windowName(latest)})
          </div>
          <div className="px-2 pb-1">
            <EChart option={option} height={160} label={`Live ${metric} per window against its training value`} testId="quality-chart" />
          </div>
        </>
      )}
    </Card>
  );
}

function DataQuality({ windows, win }: { windows: WindowView[]; win: WindowView | undefined }) {
  const totals = useMemo(() => dataQualityTotals(windows), [windows]);
  const dq = win?.figures?.dataQuality;
  return (
    <Card title="Data quality" className="mb-5">
      <Table>
        <caption className="sr-only">Data quality of the chosen window and of the whole range</caption>
        <thead>
          <tr>
            <th></th>
            <th className="text-right">Missing values</th>
            <th className="text-right">Out of training range</th>
            <th className="text-right">Unseen categories</th>
            <th>Schema mismatches</th>
          </tr>
        </thead>
        <tbody>
          <tr data-testid="data-quality-window">
            <td className="whitespace-nowrap text-slate-600">Window {windowName(win)}</td>
            <td className="text-right font-mono text-xs">{dq ? formatPercent(dq.missingRate) : "—"}</td>
            <td className="text-right font-mono text-xs">{dq ? formatNumber(dq.outOfRange) : "—"}</td>
            <td className="text-right font-mono text-xs">{dq ? formatNumber(dq.unseenCategories) : "—"}</td>
            <td className="text-[12px]">
              {!dq ? (
                "—"
              ) : dq.schemaMismatches.length === 0 ? (
                <span className="text-slate-400">none</span>
              ) : (
                <ul className="list-disc pl-4 text-rose-700">
                  {dq.schemaMismatches.map((s) => (
                    <li key={s}>{s}</li>
                  ))}
                </ul>
              )}
            </td>
          </tr>
          <tr>
            <td className="whitespace-nowrap text-slate-600">All {formatNumber(totals.rows)} rows of the range</td>
            <td className="text-right font-mono text-xs">{formatPercent(totals.missingRate)}</td>
            <td className="text-right font-mono text-xs">{formatNumber(totals.outOfRange)}</td>
            <td className="text-right font-mono text-xs">{formatNumber(totals.unseenCategories)}</td>
            <td className="text-[12px] text-slate-600">
              {totals.windowsWithSchemaMismatches ? `in ${totals.windowsWithSchemaMismatches} windows` : <span className="text-slate-400">none</span>}
            </td>
          </tr>
        </tbody>
      </Table>
    </Card>
  );
}

const EVENT_LABELS: Record<MonitorEvent["kind"], { label: string; tone: "rose" | "emerald" | "indigo" | "amber" | "slate" }> = {
  "alert.firing": { label: "alert firing", tone: "rose" },
  "alert.resolved": { label: "resolved", tone: "emerald" },
  "retrain.started": { label: "retraining", tone: "indigo" },
  "retrain.cooldown": { label: "cooldown", tone: "amber" },
  "retrain.failed": { label: "retraining failed", tone: "rose" },
};

function EventTag({ kind }: { kind: MonitorEvent["kind"] }) {
  const l = EVENT_LABELS[kind];
  return <Tag tone={l.tone}>{l.label}</Tag>;
}

function EventsCard({ m }: { m: Monitoring }) {
  return (
    <Card title="Alerts and retraining" className="mb-5">
      {m.events.length === 0 ? (
        <div className="px-4 py-6 text-sm text-slate-500">No alert has fired in this range.</div>
      ) : (
        <Table>
          <caption className="sr-only">Alerts and retraining events, newest first</caption>
          <thead>
            <tr>
              <th>When</th>
              <th>Event</th>
              <th>What</th>
              <th>Follow-up</th>
            </tr>
          </thead>
          <tbody>
            {m.events.map((e) => (
              <tr key={e.id} className="align-top" data-testid="monitor-event" data-kind={e.kind}>
                <td className="whitespace-nowrap text-slate-600" title={formatDateTime(e.createdAt)}>
                  {formatRelative(e.createdAt)}
                  <div className="text-[11px] text-slate-400">window {windowLabel(new Date(e.windowStart).getTime(), true)}</div>
                </td>
                <td className="whitespace-nowrap">
                  <EventTag kind={e.kind} />
                </td>
                <td className="min-w-[220px] text-[12.5px] text-slate-700 [overflow-wrap:anywhere]">
                  {e.message}
                  {e.observed !== null ? (
                    <div className="mt-0.5 font-mono text-[11px] text-slate-500">
                      {e.metric}
                      {e.feature ? `(${e.feature})` : ""} = {shortNumber(e.observed)}
                      {e.threshold !== null ? `, threshold ${shortNumber(e.threshold)}` : ""}
                    </div>
                  ) : null}
                </td>
                <td className="text-[12.5px] whitespace-nowrap">
                  {e.runId ? (
                    <div className="flex flex-col gap-0.5">
                      <Link href={`/runs/${e.runId}`} className="text-indigo-600 hover:underline" aria-label={`retraining run ${e.runId}`}>
                        retraining run {e.runId.slice(0, 8)}
                      </Link>
                      {e.pipeline ? (
                        <span className="text-[11px] text-slate-500">
                          of{" "}
                          <Link href={`/pipelines/${e.pipeline.id}`} className="hover:text-indigo-700 hover:underline">
                            {e.pipeline.name}
                          </Link>
                        </span>
                      ) : null}
                      <Link href={`/deployments/${encodeURIComponent(m.deployment)}`} className="text-[11.5px] text-indigo-600 hover:underline">
                        rollout on {m.deployment}
                      </Link>
                    </div>
                  ) : e.pipeline ? (
                    <span className="text-[11.5px] text-slate-500">
                      pipeline{" "}
                      <Link href={`/pipelines/${e.pipeline.id}`} className="hover:text-indigo-700 hover:underline">
                        {e.pipeline.name}
                      </Link>
                    </span>
                  ) : (
                    <span className="text-slate-300">—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}
