/**
 * Facts of the serving process that other processes read: the latency
 * buckets its histograms use (Prometheus /metrics and the serving_stats rows
 * the deployments page and canary rules read), and quantiles from them.
 */

/** Upper bounds of the latency buckets, in seconds; a last bucket (+Inf) follows. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;

/**
 * The q-quantile (0 < q ≤ 1) of a histogram in milliseconds, interpolated
 * linearly inside its bucket as Prometheus' histogram_quantile does; `counts`
 * has one entry per bucket plus +Inf. Null when there are no observations.
 * A quantile in the +Inf bucket is reported as the largest finite bound.
 */
export function latencyQuantileMs(counts: readonly number[], q: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (seen + c >= rank && c > 0) {
      if (i >= LATENCY_BUCKETS.length) return LATENCY_BUCKETS[LATENCY_BUCKETS.length - 1]! * 1000;
      const lower = i === 0 ? 0 : LATENCY_BUCKETS[i - 1]!;
      const upper = LATENCY_BUCKETS[i]!;
      return (lower + ((upper - lower) * (rank - seen)) / c) * 1000;
    }
    seen += c;
  }
  return LATENCY_BUCKETS[LATENCY_BUCKETS.length - 1]! * 1000;
}
