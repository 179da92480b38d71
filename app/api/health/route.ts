import { checkHealth, isHealthy } from "../../../server/services/health/check-health";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

/** GET → { db, temporal, worker, serving }, each "ok" or the reason; 200 if all ok, else 503. */
export async function GET(): Promise<Response> {
  const report = await checkHealth();
  return Response.json(report, { status: isHealthy(report) ? 200 : 503, headers: { "cache-control": "no-store" } });
}
