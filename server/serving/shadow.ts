/**
 * Shadow routes: after the live answer has been sent, each shadow version
 * runs the same request; its answer is compared with the live one and
 * counted (agreement, errors, latency), and never returned.
 *
 * Agreement, row by row: classification models agree when they give the
 * same label; regression models when the predictions are within 5% of each
 * other (relative to the larger magnitude).
 */
import type { Logger } from "../../infra/log";
import type { LoadedDeployment, LoadedModel, ModelRegistry } from "./model-registry";
import type { InputFeed, OutputTensor, ParsedRequest } from "./protocol";
import type { RouteStats } from "./stats";

export const REGRESSION_AGREEMENT = 0.05;

/** How many of `rows` rows two answers agree on (see the module comment); null when they cannot be compared (the live request fetched neither output). */
export function agreement(live: Record<string, OutputTensor>, shadow: Record<string, OutputTensor>, rows: number): number | null {
  const a = live.label ?? live.prediction;
  const b = shadow.label ?? shadow.prediction;
  if (!a) return null;
  if (!b || (live.label ? "label" : "prediction") !== (shadow.label ? "label" : "prediction")) return 0;
  const x = a.data as ArrayLike<unknown>;
  const y = b.data as ArrayLike<unknown>;
  let agreed = 0;
  for (let i = 0; i < rows; i++) {
    const p = x[i];
    const q = y[i];
    if (typeof p === "number" && typeof q === "number") {
      if (Math.abs(p - q) <= REGRESSION_AGREEMENT * Math.max(Math.abs(p), Math.abs(q)) || p === q) agreed++;
    } else if (p === q) agreed++;
  }
  return agreed;
}

function sameInputs(a: LoadedModel, b: LoadedModel): boolean {
  const x = a.schema.inputs;
  const y = b.schema.inputs;
  return x.length === y.length && x.every((input, i) => input.name === y[i]!.name && input.datatype === y[i]!.datatype);
}

/**
 * Runs every shadow of `dep` on a request the live route `live` answered with
 * `liveResults`. `reparse` parses the request for a shadow whose inputs
 * differ from the live model's. Never throws.
 */
export async function runShadows(
  dep: LoadedDeployment,
  live: LoadedModel,
  parsed: ParsedRequest,
  liveResults: Record<string, OutputTensor>,
  reparse: (model: LoadedModel) => { rows: number; feeds: InputFeed[] },
  deps: {
    registry: ModelRegistry;
    stats: RouteStats;
    log: Logger;
    /** Logs a shadow's answer (prediction-log.ts), when the deployment's predictions are logged. */
    logAnswer?: (model: LoadedModel, input: { rows: number; feeds: InputFeed[] }, results: Record<string, OutputTensor>, ms: number) => void;
  },
): Promise<void> {
  for (const route of dep.shadows) {
    const start = performance.now();
    const version = route.served.version;
    try {
      if (route.error || !route.model) throw route.error ?? new Error("not loaded");
      const m = route.model;
      const input = sameInputs(m, live) ? parsed : reparse(m);
      const outputs = m.schema.outputs;
      const t0 = performance.now();
      const results = await deps.registry.run(m, input.rows, input.feeds, outputs, dep.config.batching);
      const ms = performance.now() - t0;
      deps.stats.observe(dep.name, version, "shadow", false, (performance.now() - start) / 1000);
      deps.logAnswer?.(m, input, results, ms);
      const agreed = agreement(liveResults, results, input.rows);
      if (agreed !== null) deps.stats.compare(dep.name, version, input.rows, agreed);
    } catch (e) {
      deps.stats.observe(dep.name, version, "shadow", true, (performance.now() - start) / 1000);
      deps.log.warn({ deployment: dep.name, version, err: e }, `shadow v${version} of "${dep.name}" failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
