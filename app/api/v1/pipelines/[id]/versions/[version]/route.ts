import { json, rest } from "../../../../../../../server/rest/handler";
import { ServiceError } from "../../../../../../../server/errors";
import { getPipeline } from "../../../../../../../server/services/pipelines/get-pipeline";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET → { id, name, version, message, createdAt, createdBy, spec } of that (immutable) version. */
export const GET = rest<{ id: string; version: string }>(async (ctx, _req, { id, version }) => {
  const v = Number(version);
  if (!/^\d+$/.test(version) || v < 1) throw new ServiceError("bad_request", `version must be a positive integer, got "${version}"`);
  const p = await getPipeline(ctx, { id, version: v });
  return json({ id: p.id, name: p.name, version: p.version, message: p.message, createdAt: p.createdAt, createdBy: p.createdBy, spec: p.spec });
});
