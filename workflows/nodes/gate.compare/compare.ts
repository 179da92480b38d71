import type { MetricsRef, DecisionRef } from "../../spec/refs";
import { METRIC_INFO, type MetricName } from "../../spec/metrics";

export interface CompareConfig {
  metric: MetricName;
  margin: number;
  direction?: "higher" | "lower";
}

function fmt(v: number): string {
  return String(+v.toPrecision(4));
}

/**
 * Pure: the challenger (this run's model) against the champion scored on the
 * same rows. It must be better by at least `margin` (in the metric's unit)
 * in the metric's better direction. No champion yet: passes, and says so.
 */
export function compareWithChampion(config: CompareConfig, metrics: MetricsRef): DecisionRef {
  const better = config.direction ?? METRIC_INFO[config.metric].better;
  const challenger = metrics.values[config.metric];
  const decision = (passed: boolean, reason: string): DecisionRef => ({ kind: "decision", passed, reasons: [reason], metrics: metrics.values });
  if (challenger === undefined || Number.isNaN(challenger)) {
    return decision(false, `${config.metric} is not among the challenger's metrics (${Object.keys(metrics.values).join(", ") || "none"}) ✗`);
  }
  if (!metrics.champion) return decision(true, `no champion yet to compare with: the challenger (${config.metric} ${fmt(challenger)}) passes ✓`);
  const champion = metrics.champion.values[config.metric];
  if (champion === undefined || Number.isNaN(champion)) {
    return decision(false, `the champion (v${metrics.champion.version}) has no ${config.metric} on these rows ✗`);
  }
  const gain = better === "higher" ? challenger - champion : champion - challenger;
  const ok = gain >= config.margin;
  const sign = better === "higher" ? "+" : "−";
  return decision(
    ok,
    `${config.metric} ${fmt(challenger)} vs champion v${metrics.champion.version} ${fmt(champion)}: ${gain >= 0 ? "better" : "worse"} by ${fmt(Math.abs(gain))} (${better} is better; needs ${sign}${fmt(config.margin)}) ${ok ? "✓" : "✗"}`,
  );
}
