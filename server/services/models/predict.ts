import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { env } from "../../../infra/env";
import { getModel, getModelVersion } from "./get-model";

/** The serving process's `/v1/predict` answer. */
export interface ServerPredictions {
  model_name: string;
  model_version: number;
  /** What feedback on these predictions names (POST /api/v1/deployments/{name}/feedback). */
  request_id?: string;
  predictions: Array<{ prediction: number } | { label: string; probabilities: Record<string, number> }>;
}

/**
 * Asks the serving process for predictions: from one exact model version
 * (`/v1/predict/{name}/versions/{v}`, the browser's parity check) or from
 * what the deployment called `name` serves (`/v1/predict/{name}`).
 */
export async function predict(ctx: RequestContext, opts: { name: string; version?: number; instances: Record<string, unknown>[] }): Promise<ServerPredictions> {
  // Team check and existence first: the serving process knows no teams.
  if (opts.version === undefined) await getModel(ctx, opts);
  else await getModelVersion(ctx, { name: opts.name, version: opts.version });
  const base = env().servingUrl;
  const url = `${base}/v1/predict/${encodeURIComponent(opts.name)}${opts.version === undefined ? "" : `/versions/${opts.version}`}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ instances: opts.instances }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    throw new ServiceError("unavailable", "the serving process is not reachable");
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const message = typeof body.error === "string" ? body.error : `serving answered HTTP ${res.status}`;
    if (res.status === 404)
      throw new ServiceError("not_found", opts.version === undefined ? `model ${opts.name} is not deployed (no deployment serves it)` : message);
    if (res.status >= 500) throw new ServiceError("unavailable", `the serving process failed: ${message}`);
    throw new ServiceError("invalid", message, [{ nodeId: null, field: "instances", message }]);
  }
  return body as unknown as ServerPredictions;
}
