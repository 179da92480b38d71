/**
 * Prometheus metrics of the serving process (prom-client, infra/metrics.ts),
 * one registry per server:
 *
 *   conveyor_serving_requests_total{endpoint, model, version, code}
 *   conveyor_serving_request_duration_seconds{endpoint, model, version}  (histogram)
 *   conveyor_serving_models_loaded
 *   conveyor_serving_batch_requests     (histogram: requests served by one session run)
 *   conveyor_serving_batch_rows_total   (rows run through sessions)
 *   conveyor_prediction_log_written_total{deployment}  (rows written to the prediction log)
 *   conveyor_prediction_log_dropped_total{deployment}  (rows not logged: the queue was full)
 *   conveyor_prediction_log_queue_rows  (rows waiting to be written)
 *
 * plus the process metrics (`process_*`, `nodejs_*`). `model` (the
 * deployment) is set only for requests that reached a known model, so random
 * URLs cannot grow the label set without bound; `version` only where a model
 * version answered.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { LATENCY_BUCKETS } from "../../contract/serving";
import { PROMETHEUS_CONTENT_TYPE, renderMetrics } from "../../infra/metrics";

export { LATENCY_BUCKETS };

type RequestLabels = "endpoint" | "model" | "version" | "code";

export class ServingMetrics {
  readonly registry = new Registry();
  readonly contentType = PROMETHEUS_CONTENT_TYPE;
  private readonly requests: Counter<RequestLabels>;
  private readonly duration: Histogram<Exclude<RequestLabels, "code">>;
  private readonly batchRequests: Histogram;
  private readonly batchRows: Counter;
  private readonly logWritten: Counter<"deployment">;
  private readonly logDropped: Counter<"deployment">;

  constructor(opts: { loadedSessions?: () => number; predictionLogDepth?: () => number } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: "conveyor_serving_requests_total",
      help: "Requests handled, by endpoint, deployment (model), the model version that answered and HTTP status code.",
      labelNames: ["endpoint", "model", "version", "code"],
      registers,
    });
    this.duration = new Histogram({
      name: "conveyor_serving_request_duration_seconds",
      help: "Request latency from first byte read to response written.",
      labelNames: ["endpoint", "model", "version"],
      buckets: [...LATENCY_BUCKETS],
      registers,
    });
    const loaded = opts.loadedSessions;
    new Gauge({
      name: "conveyor_serving_models_loaded",
      help: "ONNX sessions currently loaded.",
      registers,
      collect() {
        this.set(loaded ? loaded() : 0);
      },
    });
    this.batchRequests = new Histogram({
      name: "conveyor_serving_batch_requests",
      help: "Requests answered by one session run (dynamic batching; 1 = the request ran alone).",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    });
    this.batchRows = new Counter({ name: "conveyor_serving_batch_rows_total", help: "Rows run through model sessions.", registers });
    this.logWritten = new Counter({
      name: "conveyor_prediction_log_written_total",
      help: "Predicted rows written to the prediction log, by deployment.",
      labelNames: ["deployment"],
      registers,
    });
    this.logDropped = new Counter({
      name: "conveyor_prediction_log_dropped_total",
      help: "Predicted rows not logged because the prediction log's queue was full (the store slow or unreachable), by deployment.",
      labelNames: ["deployment"],
      registers,
    });
    const depth = opts.predictionLogDepth;
    new Gauge({
      name: "conveyor_prediction_log_queue_rows",
      help: "Predicted rows waiting to be written to the prediction log.",
      registers,
      collect() {
        this.set(depth ? depth() : 0);
      },
    });
  }

  /** Rows of a deployment written to the prediction log. */
  predictionsLogged(deployment: string, rows: number): void {
    this.logWritten.inc({ deployment }, rows);
  }

  /** Rows of a deployment the prediction log dropped. */
  predictionsDropped(deployment: string, rows: number): void {
    this.logDropped.inc({ deployment }, rows);
  }

  /** Records one finished request; `version` is the model version that answered, if one did. */
  observe(endpoint: string, model: string, code: number, seconds: number, version?: number): void {
    if (version === undefined) {
      this.requests.inc({ endpoint, model, code });
      this.duration.observe({ endpoint, model }, seconds);
    } else {
      this.requests.inc({ endpoint, model, version, code });
      this.duration.observe({ endpoint, model, version }, seconds);
    }
  }

  /** Records one session run (batcher.ts): how many requests and rows it answered. */
  observeRun(requests: number, rows: number): void {
    this.batchRequests.observe(requests);
    this.batchRows.inc(rows);
  }

  /** The Prometheus text format (version 0.0.4): this server's metrics and the process's. */
  render(): Promise<string> {
    return renderMetrics(this.registry);
  }
}
