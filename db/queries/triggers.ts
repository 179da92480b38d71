import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../client";
import { pipelines, pipelineVersions, webhookTokens } from "../schema";

/** Creates the pipeline's webhook token, or replaces it (the old one stops working at once). */
export async function putWebhookToken(db: Db, input: { teamId: string; pipelineId: string; tokenSha256: string; hint: string; createdBy: string | null }) {
  await db
    .insert(webhookTokens)
    .values(input)
    .onConflictDoUpdate({
      target: webhookTokens.pipelineId,
      set: { tokenSha256: input.tokenSha256, hint: input.hint, createdAt: sql`now()`, createdBy: input.createdBy },
    });
}

export async function getWebhookToken(db: Db, teamId: string, pipelineId: string) {
  const [row] = await db
    .select()
    .from(webhookTokens)
    .where(and(eq(webhookTokens.teamId, teamId), eq(webhookTokens.pipelineId, pipelineId)));
  return row ?? null;
}

export async function deleteWebhookToken(db: Db, teamId: string, pipelineId: string) {
  await db.delete(webhookTokens).where(and(eq(webhookTokens.teamId, teamId), eq(webhookTokens.pipelineId, pipelineId)));
}

/** The pipeline (and its latest spec) a webhook token belongs to. */
export async function findWebhook(db: Db, tokenSha256: string) {
  const [row] = await db
    .select({
      teamId: webhookTokens.teamId,
      pipelineId: webhookTokens.pipelineId,
      hint: webhookTokens.hint,
      createdBy: webhookTokens.createdBy,
      spec: pipelineVersions.spec,
    })
    .from(webhookTokens)
    .innerJoin(pipelines, and(eq(pipelines.id, webhookTokens.pipelineId), isNull(pipelines.deletedAt)))
    .innerJoin(pipelineVersions, and(eq(pipelineVersions.pipelineId, pipelines.id), eq(pipelineVersions.version, pipelines.latestVersion)))
    .where(eq(webhookTokens.tokenSha256, tokenSha256));
  return row ?? null;
}

/** Pipelines of the team whose latest version has a `dataset` trigger on `dataset`. */
export async function pipelinesSubscribedTo(db: Db, teamId: string, dataset: string): Promise<string[]> {
  const rows = await db
    .select({ id: pipelines.id })
    .from(pipelines)
    .innerJoin(pipelineVersions, and(eq(pipelineVersions.pipelineId, pipelines.id), eq(pipelineVersions.version, pipelines.latestVersion)))
    .where(
      and(
        eq(pipelines.teamId, teamId),
        isNull(pipelines.deletedAt),
        sql`${pipelineVersions.spec}->'triggers' @> ${JSON.stringify([{ type: "dataset", dataset }])}::jsonb`,
      ),
    );
  return rows.map((r) => r.id);
}

/** Every pipeline of the team with its latest spec (for the schedules page). */
export async function latestSpecs(db: Db, teamId: string) {
  return db
    .select({ id: pipelines.id, name: pipelines.name, version: pipelines.latestVersion, spec: pipelineVersions.spec })
    .from(pipelines)
    .innerJoin(pipelineVersions, and(eq(pipelineVersions.pipelineId, pipelines.id), eq(pipelineVersions.version, pipelines.latestVersion)))
    .where(and(eq(pipelines.teamId, teamId), isNull(pipelines.deletedAt)));
}
