/**
 * A pipeline's webhook: `POST /api/v1/hooks/{token}` starts a run of its
 * latest version with the JSON body as params. The token is random (256
 * bits), shown once when it is made, and kept only as its sha256.
 */
import crypto from "node:crypto";
import type { RequestContext } from "../../context";
import { ServiceError } from "../../errors";
import { deleteWebhookToken, findWebhook, getWebhookToken, putWebhookToken } from "../../../db/queries/triggers";
import { ZPipelineSpec } from "../../../workflows/spec/spec";
import { startRun } from "../runs/start-run";

const sha256 = (token: string) => crypto.createHash("sha256").update(token).digest("hex");
export const hookPath = (token: string) => `/api/v1/hooks/${token}`;

/** Makes a new token for the pipeline (replacing any earlier one) and returns it: the only time it is readable. */
export async function newWebhookToken(ctx: RequestContext, pipelineId: string): Promise<{ token: string; hint: string; url: string }> {
  const token = `whk_${crypto.randomBytes(32).toString("base64url")}`;
  const hint = token.slice(-4);
  await putWebhookToken(ctx.db, { teamId: ctx.teamId, pipelineId, tokenSha256: sha256(token), hint, createdBy: ctx.userId });
  return { token, hint, url: hookPath(token) };
}

/** After a save: a pipeline with a webhook trigger has a token (made now if missing); one without has none. */
export async function syncWebhook(ctx: RequestContext, pipelineId: string, wanted: boolean): Promise<{ token: string; hint: string; url: string } | null> {
  const existing = await getWebhookToken(ctx.db, ctx.teamId, pipelineId);
  if (!wanted) {
    if (existing) await deleteWebhookToken(ctx.db, ctx.teamId, pipelineId);
    return null;
  }
  return existing ? null : newWebhookToken(ctx, pipelineId);
}

export async function webhookHint(ctx: RequestContext, pipelineId: string): Promise<string | null> {
  return (await getWebhookToken(ctx.db, ctx.teamId, pipelineId))?.hint ?? null;
}

/**
 * Starts a run for a webhook call. An unknown token, or one whose pipeline no
 * longer has a webhook trigger, is a 404 that says nothing more.
 */
export async function fireWebhook(ctx: Pick<RequestContext, "db">, opts: { token: string; params: Record<string, unknown> }) {
  const hook = opts.token.startsWith("whk_") ? await findWebhook(ctx.db, sha256(opts.token)) : null;
  const spec = hook ? ZPipelineSpec.safeParse(hook.spec) : null;
  if (!hook || !spec?.success || !spec.data.triggers.some((t) => t.type === "webhook")) throw new ServiceError("not_found", "no such webhook");
  return startRun(
    { db: ctx.db, teamId: hook.teamId, userId: hook.createdBy ?? "", via: "rest" },
    { pipelineId: hook.pipelineId, params: opts.params, trigger: { type: "webhook", detail: { hint: hook.hint } }, createdBy: null },
  );
}
