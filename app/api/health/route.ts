// GET → getHealth (contract/api/endpoints.ts): 200 when every part is ok, else 503 with the same body.
import { rest } from "../../../server/rest/handler";
import { isHealthy } from "../../../server/services/health/check-health";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = rest("health", { statusOf: (report) => (isHealthy(report) ? 200 : 503) });
