import { json, readJson, rest } from "../../../../../server/rest/handler";
import { getPipeline } from "../../../../../server/services/pipelines/get-pipeline";
import { savePipeline } from "../../../../../server/services/pipelines/save-pipeline";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET → { id, name, version, spec } (the spec exactly as saved); ?version=N for an older one. */
export const GET = rest<{ id: string }>(async (ctx, req, { id }) => {
  const v = new URL(req.url).searchParams.get("version");
  const p = await getPipeline(ctx, { id, version: v ? Number(v) : undefined });
  return json({ id: p.id, name: p.name, version: p.version, spec: p.spec });
});

/** PUT [?message=M] (body: spec) → 201 { id, version }: a new immutable version (the draft, if any, is deleted). */
export const PUT = rest<{ id: string }>(async (ctx, req, { id }) => {
  const message = new URL(req.url).searchParams.get("message") ?? undefined;
  return json(await savePipeline(ctx, { id, spec: await readJson(req), message }), 201);
});
