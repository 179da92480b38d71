/**
 * What alert rules and drift triggers read from a monitor window: a metric
 * by name (of one feature, or the worst feature), and when it is "bad".
 * Pure; docs/monitoring.md lists the names.
 */
import type { MonitorFigures } from "../../contract/monitoring";

import { ALERT_OPS, DRIFT_STATISTICS, triggerOp, type AlertOp, type DriftStatistic } from "../../contract/monitoring";

export { ALERT_OPS, triggerOp, type AlertOp };

const isDrift = (m: string): m is DriftStatistic => (DRIFT_STATISTICS as readonly string[]).includes(m);

/**
 * A metric of a window: a drift statistic of `feature`, or of the most
 * drifted feature when `features` is absent (restricted to `features` when
 * given). `null` when the window has no such figure (no data, no ground
 * truth yet, a feature with no values): never fires anything.
 */
export function metricOf(
  figures: MonitorFigures | null,
  metric: string,
  features?: readonly string[] | null,
): { value: number; feature: string | null } | null {
  if (!figures) return null;
  if (isDrift(metric)) {
    const pool = features?.length ? figures.features.filter((f) => features.includes(f.name)) : figures.features;
    let best: { value: number; feature: string | null } | null = null;
    for (const f of pool) {
      const v = f[metric];
      if (v !== null && Number.isFinite(v) && (best === null || v > best.value)) best = { value: v, feature: f.name };
    }
    return best;
  }
  if (metric.startsWith("prediction_") && isDrift(metric.slice("prediction_".length))) {
    const v = figures.prediction?.[metric.slice("prediction_".length) as DriftStatistic];
    return v === null || v === undefined ? null : { value: v, feature: null };
  }
  const plain = (value: number | null | undefined) => (value === null || value === undefined || !Number.isFinite(value) ? null : { value, feature: null });
  const s = figures.system;
  const q = figures.dataQuality;
  switch (metric) {
    case "missing_rate":
      return plain(q.missingRate);
    case "out_of_range":
      return plain(q.outOfRange);
    case "unseen_categories":
      return plain(q.unseenCategories);
    case "schema_mismatches":
      return plain(q.schemaMismatches.length);
    case "error_rate":
      return plain(s.errorRate);
    case "p50_ms":
      return plain(s.p50Ms);
    case "p99_ms":
      return plain(s.p99Ms);
    case "request_rate":
      return plain(s.ratePerSecond);
    case "requests":
      return plain(s.requests);
  }
  if (metric.endsWith("_change")) return plain(figures.quality?.change[metric.slice(0, -"_change".length)]);
  return plain(figures.quality?.metrics[metric]);
}

export function compare(value: number, op: AlertOp, threshold: number): boolean {
  switch (op) {
    case ">":
      return value > threshold;
    case ">=":
      return value >= threshold;
    case "<":
      return value < threshold;
    case "<=":
      return value <= threshold;
  }
}

/**
 * An alert rule over the newest windows (newest first): firing when each of
 * the newest `forWindows` windows has the figure and it meets the condition.
 */
export function ruleHolds(
  rule: { metric: string; feature: string | null; op: AlertOp; value: number; forWindows: number },
  newestFirst: readonly (MonitorFigures | null)[],
): { holds: boolean; observed: number | null; feature: string | null } {
  const recent = newestFirst.slice(0, rule.forWindows);
  const latest = metricOf(recent[0] ?? null, rule.metric, rule.feature ? [rule.feature] : null);
  if (recent.length < rule.forWindows) return { holds: false, observed: latest?.value ?? null, feature: latest?.feature ?? null };
  const holds = recent.every((f) => {
    const m = metricOf(f, rule.metric, rule.feature ? [rule.feature] : null);
    return m !== null && compare(m.value, rule.op, rule.value);
  });
  return { holds, observed: latest?.value ?? null, feature: latest?.feature ?? null };
}
