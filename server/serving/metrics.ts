/**
 * Prometheus metrics of the serving process, in the text exposition format
 * (hand-rolled: two families and a gauge do not need a client library).
 *
 *   conveyor_serving_requests_total{endpoint, model, code}
 *   conveyor_serving_request_duration_seconds{endpoint, model}  (histogram)
 *   conveyor_serving_models_loaded
 *
 * `model` is set only for requests that reached a known model, so random
 * URLs cannot grow the label set without bound.
 */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;

interface Histogram {
  endpoint: string;
  model: string;
  counts: Float64Array;
  sum: number;
  count: number;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function fmt(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}

export class ServingMetrics {
  private readonly counters = new Map<string, { endpoint: string; model: string; code: number; value: number }>();
  private readonly histograms = new Map<string, Histogram>();

  constructor(private readonly gauges: () => Record<string, { help: string; value: number }> = () => ({})) {}

  /** Records one finished request. */
  observe(endpoint: string, model: string, code: number, seconds: number): void {
    const ck = `${endpoint}\u0000${model}\u0000${code}`;
    const c = this.counters.get(ck);
    if (c) c.value++;
    else this.counters.set(ck, { endpoint, model, code, value: 1 });

    const hk = `${endpoint}\u0000${model}`;
    let h = this.histograms.get(hk);
    if (!h) {
      h = { endpoint, model, counts: new Float64Array(LATENCY_BUCKETS.length), sum: 0, count: 0 };
      this.histograms.set(hk, h);
    }
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      if (seconds <= LATENCY_BUCKETS[i]!) {
        h.counts[i]!++;
        break;
      }
    }
    h.sum += seconds;
    h.count++;
  }

  /** The Prometheus text format (version 0.0.4). */
  render(): string {
    const lines: string[] = [];
    lines.push("# HELP conveyor_serving_requests_total Requests handled, by endpoint, model and HTTP status code.");
    lines.push("# TYPE conveyor_serving_requests_total counter");
    for (const c of this.counters.values()) {
      lines.push(`conveyor_serving_requests_total{endpoint="${escapeLabel(c.endpoint)}",model="${escapeLabel(c.model)}",code="${c.code}"} ${c.value}`);
    }
    lines.push("# HELP conveyor_serving_request_duration_seconds Request latency from first byte read to response written.");
    lines.push("# TYPE conveyor_serving_request_duration_seconds histogram");
    for (const h of this.histograms.values()) {
      const labels = `endpoint="${escapeLabel(h.endpoint)}",model="${escapeLabel(h.model)}"`;
      let cumulative = 0;
      for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
        cumulative += h.counts[i]!;
        lines.push(`conveyor_serving_request_duration_seconds_bucket{${labels},le="${LATENCY_BUCKETS[i]}"} ${cumulative}`);
      }
      lines.push(`conveyor_serving_request_duration_seconds_bucket{${labels},le="+Inf"} ${h.count}`);
      lines.push(`conveyor_serving_request_duration_seconds_sum{${labels}} ${fmt(h.sum)}`);
      lines.push(`conveyor_serving_request_duration_seconds_count{${labels}} ${h.count}`);
    }
    for (const [name, g] of Object.entries(this.gauges())) {
      lines.push(`# HELP ${name} ${g.help}`);
      lines.push(`# TYPE ${name} gauge`);
      lines.push(`${name} ${fmt(g.value)}`);
    }
    return `${lines.join("\n")}\n`;
  }
}
