/**
 * Prometheus metrics, with prom-client: the process metrics every process
 * exposes (CPU, memory, heap, event loop lag, GC, handles, open files: the
 * client's standard `process_*` and `nodejs_*` families), made once per
 * process, and the text exposition the `/metrics` endpoints answer (serving's
 * and the web app's) with the process's own registries after them.
 */
import { collectDefaultMetrics, Registry } from "prom-client";

/** The Prometheus text format's content type (version 0.0.4). */
export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

// On globalThis: Next.js may load this module more than once (one copy per route bundle), the process has one set.
const KEY = Symbol.for("conveyor.processMetrics");
const slot = globalThis as { [KEY]?: Registry };

/** The process metrics' registry (created, and its collectors started, on first use). */
export function processMetrics(): Registry {
  let r = slot[KEY];
  if (!r) {
    r = new Registry();
    collectDefaultMetrics({ register: r });
    slot[KEY] = r;
  }
  return r;
}

/** The process metrics and then `registries`, in the Prometheus text format. */
export async function renderMetrics(...registries: Registry[]): Promise<string> {
  const parts = await Promise.all([processMetrics(), ...registries].map((r) => r.metrics()));
  return parts.map((p) => (p.endsWith("\n") ? p : `${p}\n`)).join("");
}
