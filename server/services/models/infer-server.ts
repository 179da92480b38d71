import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { env } from "../../../infra/env";
import { getModelVersion } from "./get-model";

/** The serving process's `/v1/predict` answer. */
export interface ServerPredictions {
  model_name: string;
  model_version: number;
  predictions: Array<{ prediction: number } | { label: string; probabilities: Record<string, number> }>;
}

/**
 * Asks the serving process for predictions from one exact model version
 * (`/v1/predict/{name}/versions/{v}`), for the browser's parity check.
 */
export async function inferServer(
  ctx: RequestContext,
  opts: { name: string; version: number; instances: Record<string, unknown>[] },
): Promise<ServerPredictions> {
  await getModelVersion(ctx, opts); // team check + existence
  const url = `${env().servingUrl}/v1/predict/${encodeURIComponent(opts.name)}/versions/${opts.version}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ instances: opts.instances }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (e) {
    throw new ServiceError("unavailable", `the serving process at ${env().servingUrl} is not reachable: ${e instanceof Error ? e.message : e}`);
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) throw new ServiceError(res.status === 404 ? "not_found" : "bad_request", String(body.error ?? `serving answered HTTP ${res.status}`));
  return body as unknown as ServerPredictions;
}
