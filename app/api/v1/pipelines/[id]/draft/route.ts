import { json, readJson, rest } from "../../../../../../server/rest/handler";
import { ServiceError } from "../../../../../../server/errors";
import { discardDraft, getDraft, saveDraft } from "../../../../../../server/services/pipelines/drafts";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET → { spec, baseVersion, updatedAt, updatedBy: { id, name } | null }; 404 when there is no draft. */
export const GET = rest<{ id: string }>(async (ctx, _req, { id }) => {
  const draft = await getDraft(ctx, { id });
  if (!draft) throw new ServiceError("not_found", `pipeline ${id} has no draft`);
  return json(draft);
});

/** PUT { spec, baseVersion } → 200 { baseVersion, updatedAt }. The spec is kept verbatim, valid or not (a JSON object ≤ 5 MB). */
export const PUT = rest<{ id: string }>(async (ctx, req, { id }) => {
  const body = await readJson(req);
  const { spec, baseVersion } = (typeof body === "object" && body !== null ? body : {}) as { spec?: unknown; baseVersion?: unknown };
  return json(await saveDraft(ctx, { id, spec, baseVersion }));
});

/** DELETE → 204 (also when there was no draft). */
export const DELETE = rest<{ id: string }>(async (ctx, _req, { id }) => {
  await discardDraft(ctx, { id });
  return new Response(null, { status: 204 });
});
