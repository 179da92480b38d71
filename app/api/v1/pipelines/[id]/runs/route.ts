import { z } from "zod";
import { json, readJson, rest } from "../../../../../../server/rest/handler";
import { ServiceError } from "../../../../../../server/errors";
import { startRun } from "../../../../../../server/services/runs/start-run";
import { listRuns } from "../../../../../../server/services/runs/get-run";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const Body = z.object({ params: z.record(z.string(), z.unknown()).default({}), version: z.number().int().positive().optional() });

/** POST { params } → 202 { runId, workflowId }. */
export const POST = rest<{ id: string }>(async (ctx, req, { id }) => {
  const text = await req.clone().text();
  const parsed = Body.safeParse(text.trim() ? await readJson(req) : {});
  if (!parsed.success) throw new ServiceError("bad_request", parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
  return json(await startRun(ctx, { pipelineId: id, ...parsed.data, trigger: "api" }), 202);
});

export const GET = rest<{ id: string }>(async (ctx, _req, { id }) => json(await listRuns(ctx, { pipelineId: id })));
