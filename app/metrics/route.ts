// GET /metrics: the web app's Prometheus metrics (server/rest/metrics.ts): REST API requests by route and status, and the process's.
import { PROMETHEUS_CONTENT_TYPE, renderWebMetrics } from "../../server/rest/metrics";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  return new Response(await renderWebMetrics(), { headers: { "content-type": PROMETHEUS_CONTENT_TYPE, "cache-control": "no-store" } });
}
