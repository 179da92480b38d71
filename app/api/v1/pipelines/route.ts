import { json, readJson, rest } from "../../../../server/rest/handler";
import { savePipeline } from "../../../../server/services/pipelines/save-pipeline";
import { listPipelines } from "../../../../server/services/pipelines/get-pipeline";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** POST /api/v1/pipelines[?message=M] (body: spec) → 201 { id, version }; invalid → 422 { errors }. */
export const POST = rest(async (ctx, req) => {
  const message = new URL(req.url).searchParams.get("message") ?? undefined;
  return json(await savePipeline(ctx, { spec: await readJson(req), message }), 201);
});

export const GET = rest(async (ctx) => json(await listPipelines(ctx)));
