/** Shared by every deploy.endpoint version: wait until the serving process answers with a version. */
import type { StepContext } from "../step-context";
import { SpanKind, traceHeaders, withSpan } from "../../../infra/telemetry";

/** Polls the serving process until it serves `version` (or gives up after `timeoutMs`). */
export async function confirmServing(ctx: StepContext<unknown>, name: string, version: number, timeoutMs = 15_000): Promise<number | null> {
  const started = Date.now();
  const url = `${ctx.deps.servingUrl}/v2/models/${encodeURIComponent(name)}`;
  let lastError = "";
  while (Date.now() - started < timeoutMs) {
    try {
      // A client span per request; `traceparent` lets serving continue the run's trace.
      const res = await withSpan(
        "GET /v2/models/{name}",
        { kind: SpanKind.CLIENT, attributes: { "http.request.method": "GET", "url.full": url, "conveyor.deployment": name } },
        async (span) => {
          const r = await fetch(url, { signal: AbortSignal.timeout(2000), headers: traceHeaders() });
          span.setAttribute("http.response.status_code", r.status);
          return r;
        },
      );
      if (res.ok) {
        const meta = (await res.json()) as { versions?: string[] };
        if (meta.versions?.includes(String(version))) return Date.now() - started;
        lastError = `serving reports versions ${meta.versions?.join(", ")}`;
      } else {
        lastError = `HTTP ${res.status}`;
      }
    } catch (e) {
      lastError = e instanceof Error ? e.message : String(e);
    }
    ctx.heartbeat();
    await new Promise((r) => setTimeout(r, 100));
  }
  ctx.log(`serving at ${ctx.deps.servingUrl} did not confirm version ${version} within ${timeoutMs / 1000} s (${lastError})`, "warn");
  return null;
}
