/**
 * The web app's Prometheus metrics (`GET /metrics`, app/metrics/route.ts):
 * the REST API's requests, counted and timed by `rest()` (handler.ts), and
 * the process metrics (infra/metrics.ts).
 *
 *   conveyor_api_requests_total{method, route, code}
 *   conveyor_api_request_duration_seconds{method, route, code}  (histogram)
 *
 * `route` is the endpoint's path template (`/api/v1/runs/{runId}`), so ids
 * never become label values.
 */
import { Counter, Histogram, Registry } from "prom-client";
import { LATENCY_BUCKETS } from "../../contract/serving";
import { processMetrics, renderMetrics } from "../../infra/metrics";

export { PROMETHEUS_CONTENT_TYPE } from "../../infra/metrics";

interface ApiMetrics {
  registry: Registry;
  requests: Counter<"method" | "route" | "code">;
  duration: Histogram<"method" | "route" | "code">;
}

// On globalThis: Next.js may load this module once per route bundle; the process counts in one place.
const KEY = Symbol.for("conveyor.apiMetrics");
const slot = globalThis as { [KEY]?: ApiMetrics };

function apiMetrics(): ApiMetrics {
  let m = slot[KEY];
  if (!m) {
    processMetrics(); // the process collectors start with the first request, not the first scrape
    const registry = new Registry();
    m = {
      registry,
      requests: new Counter({
        name: "conveyor_api_requests_total",
        help: "REST API requests answered, by method, route (the endpoint's path template) and HTTP status code.",
        labelNames: ["method", "route", "code"],
        registers: [registry],
      }),
      duration: new Histogram({
        name: "conveyor_api_request_duration_seconds",
        help: "REST API request latency, from the handler's start to the response, by method, route and HTTP status code.",
        labelNames: ["method", "route", "code"],
        buckets: [...LATENCY_BUCKETS],
        registers: [registry],
      }),
    };
    slot[KEY] = m;
  }
  return m;
}

/** Records one answered REST request. */
export function observeApiRequest(method: string, route: string, code: number, seconds: number): void {
  const m = apiMetrics();
  const labels = { method, route, code };
  m.requests.inc(labels);
  m.duration.observe(labels, seconds);
}

/** The web app's metrics in the Prometheus text format: the process's, then the API's. */
export function renderWebMetrics(): Promise<string> {
  return renderMetrics(apiMetrics().registry);
}
