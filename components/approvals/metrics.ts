/**
 * The challenger's metrics beside the champion's, with which is better per
 * metric (the metric's direction from workflows/spec/metrics). Pure.
 */
import { METRIC_INFO, type MetricName } from "../../workflows/spec/metrics";

export interface MetricRow {
  key: string;
  challenger: number | null;
  champion: number | null;
  /** Which side is better; null when one side is missing or the metric has no known direction. */
  better: "challenger" | "champion" | "tie" | null;
  direction: "higher" | "lower" | null;
}

export function directionOf(metric: string): "higher" | "lower" | null {
  return (METRIC_INFO as Record<string, { better: "higher" | "lower" } | undefined>)[metric as MetricName]?.better ?? null;
}

export function compareMetrics(challenger: Record<string, number>, champion: Record<string, number> | null): MetricRow[] {
  const keys = [...new Set([...Object.keys(challenger), ...Object.keys(champion ?? {})])];
  return keys.map((key) => {
    const a = typeof challenger[key] === "number" ? challenger[key] : null;
    const b = champion && typeof champion[key] === "number" ? champion[key] : null;
    const direction = directionOf(key);
    let better: MetricRow["better"] = null;
    if (a !== null && b !== null && direction) {
      better = a === b ? "tie" : (direction === "higher" ? a > b : a < b) ? "challenger" : "champion";
    }
    return { key, challenger: a, champion: b, better, direction };
  });
}
