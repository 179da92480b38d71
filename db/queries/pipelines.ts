import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { pipelineDrafts, pipelines, pipelineVersions, users } from "../schema";

export async function insertPipeline(
  db: Db,
  input: { teamId: string; name: string; description: string; spec: unknown; message: string; createdBy?: string; isTemplate?: boolean },
) {
  return db.transaction(async (tx) => {
    const [p] = await tx
      .insert(pipelines)
      .values({ teamId: input.teamId, name: input.name, description: input.description, latestVersion: 1, isTemplate: input.isTemplate ?? false })
      .returning();
    await tx.insert(pipelineVersions).values({ pipelineId: p!.id, version: 1, spec: input.spec, message: input.message, createdBy: input.createdBy ?? null });
    return { id: p!.id, version: 1 };
  });
}

/** Appends an immutable version and drops the draft (it is now a version); the row lock serializes concurrent saves. */
export async function insertPipelineVersion(
  db: Db,
  input: { teamId: string; pipelineId: string; name: string; description: string; spec: unknown; message: string; createdBy?: string },
) {
  return db.transaction(async (tx) => {
    const [p] = await tx
      .select({ latest: pipelines.latestVersion })
      .from(pipelines)
      .where(and(eq(pipelines.id, input.pipelineId), eq(pipelines.teamId, input.teamId)))
      .for("update");
    if (!p) return null;
    const version = p.latest + 1;
    await tx
      .insert(pipelineVersions)
      .values({ pipelineId: input.pipelineId, version, spec: input.spec, message: input.message, createdBy: input.createdBy ?? null });
    await tx
      .update(pipelines)
      .set({ latestVersion: version, name: input.name, description: input.description, updatedAt: sql`now()` })
      .where(eq(pipelines.id, input.pipelineId));
    await tx.delete(pipelineDrafts).where(and(eq(pipelineDrafts.pipelineId, input.pipelineId), eq(pipelineDrafts.teamId, input.teamId)));
    return { id: input.pipelineId, version };
  });
}

export async function getPipeline(db: Db, teamId: string, id: string, version?: number) {
  const [p] = await db
    .select()
    .from(pipelines)
    .where(and(eq(pipelines.teamId, teamId), eq(pipelines.id, id)))
    .limit(1);
  if (!p) return null;
  const v = version ?? p.latestVersion;
  const [pv] = await db
    .select()
    .from(pipelineVersions)
    .where(and(eq(pipelineVersions.pipelineId, id), eq(pipelineVersions.version, v)))
    .limit(1);
  if (!pv) return null;
  const [versions, [draft]] = await Promise.all([
    listPipelineVersions(db, teamId, id),
    db
      .select({ baseVersion: pipelineDrafts.baseVersion, updatedAt: pipelineDrafts.updatedAt })
      .from(pipelineDrafts)
      .where(and(eq(pipelineDrafts.pipelineId, id), eq(pipelineDrafts.teamId, teamId))),
  ]);
  return { pipeline: p, version: pv, versions, draft: draft ?? null };
}

/** Newest first, with the author (null for versions saved by no user). */
export async function listPipelineVersions(db: Db, teamId: string, id: string) {
  const rows = await db
    .select({
      version: pipelineVersions.version,
      message: pipelineVersions.message,
      createdAt: pipelineVersions.createdAt,
      authorId: users.id,
      authorName: users.name,
    })
    .from(pipelineVersions)
    .innerJoin(pipelines, and(eq(pipelines.id, pipelineVersions.pipelineId), eq(pipelines.teamId, teamId)))
    .leftJoin(users, eq(users.id, pipelineVersions.createdBy))
    .where(eq(pipelineVersions.pipelineId, id))
    .orderBy(desc(pipelineVersions.version));
  return rows.map(({ authorId, authorName, ...v }) => ({ ...v, createdBy: authorId ? { id: authorId, name: authorName! } : null }));
}

export async function findPipelineLatestVersion(db: Db, teamId: string, id: string): Promise<number | null> {
  const [p] = await db
    .select({ latest: pipelines.latestVersion })
    .from(pipelines)
    .where(and(eq(pipelines.teamId, teamId), eq(pipelines.id, id)));
  return p?.latest ?? null;
}

export async function findPipelineDraft(db: Db, teamId: string, pipelineId: string) {
  const [d] = await db
    .select({ spec: pipelineDrafts.spec, baseVersion: pipelineDrafts.baseVersion, updatedAt: pipelineDrafts.updatedAt, userId: users.id, userName: users.name })
    .from(pipelineDrafts)
    .leftJoin(users, eq(users.id, pipelineDrafts.updatedBy))
    .where(and(eq(pipelineDrafts.pipelineId, pipelineId), eq(pipelineDrafts.teamId, teamId)));
  if (!d) return null;
  const { userId, userName, ...draft } = d;
  return { ...draft, updatedBy: userId ? { id: userId, name: userName! } : null };
}

/**
 * Creates or replaces the draft of a pipeline of `teamId`; null when the team
 * has no such pipeline (the insert selects from pipelines, so it cannot
 * attach a draft to another team's pipeline).
 */
export async function upsertPipelineDraft(db: Db, input: { teamId: string; pipelineId: string; spec: unknown; baseVersion: number; updatedBy: string | null }) {
  const [d] = await db
    .insert(pipelineDrafts)
    .select(
      db
        .select({
          pipelineId: pipelines.id,
          teamId: pipelines.teamId,
          spec: sql`${JSON.stringify(input.spec)}::jsonb`.as("spec"),
          baseVersion: sql`${input.baseVersion}::integer`.as("base_version"),
          updatedAt: sql`now()`.as("updated_at"),
          updatedBy: sql`${input.updatedBy}::uuid`.as("updated_by"),
        })
        .from(pipelines)
        .where(and(eq(pipelines.id, input.pipelineId), eq(pipelines.teamId, input.teamId))),
    )
    .onConflictDoUpdate({
      target: pipelineDrafts.pipelineId,
      set: { spec: sql`excluded.spec`, baseVersion: sql`excluded.base_version`, updatedAt: sql`excluded.updated_at`, updatedBy: sql`excluded.updated_by` },
      setWhere: eq(pipelineDrafts.teamId, input.teamId),
    })
    .returning({ baseVersion: pipelineDrafts.baseVersion, updatedAt: pipelineDrafts.updatedAt });
  return d ?? null;
}

/** True when a draft was deleted. */
export async function deletePipelineDraft(db: Db, teamId: string, pipelineId: string): Promise<boolean> {
  const gone = await db
    .delete(pipelineDrafts)
    .where(and(eq(pipelineDrafts.pipelineId, pipelineId), eq(pipelineDrafts.teamId, teamId)))
    .returning({ pipelineId: pipelineDrafts.pipelineId });
  return gone.length > 0;
}

export async function listPipelines(db: Db, teamId: string) {
  return db
    .select({
      id: pipelines.id,
      name: pipelines.name,
      description: pipelines.description,
      latestVersion: pipelines.latestVersion,
      updatedAt: pipelines.updatedAt,
      isTemplate: pipelines.isTemplate,
    })
    .from(pipelines)
    .where(eq(pipelines.teamId, teamId))
    .orderBy(desc(pipelines.updatedAt));
}

export async function findPipelineByName(db: Db, teamId: string, name: string) {
  const [p] = await db
    .select()
    .from(pipelines)
    .where(and(eq(pipelines.teamId, teamId), eq(pipelines.name, name)))
    .limit(1);
  return p ?? null;
}

/** Pipelines of the team whose latest saved version has a `drift` trigger on `deployment`, with that version's spec. */
export async function pipelinesWatching(db: Db, teamId: string, deployment: string) {
  return db
    .select({ id: pipelines.id, name: pipelines.name, version: pipelineVersions.version, spec: pipelineVersions.spec })
    .from(pipelines)
    .innerJoin(pipelineVersions, and(eq(pipelineVersions.pipelineId, pipelines.id), eq(pipelineVersions.version, pipelines.latestVersion)))
    .where(and(eq(pipelines.teamId, teamId), sql`${pipelineVersions.spec} -> 'triggers' @> ${JSON.stringify([{ type: "drift", deployment }])}::jsonb`));
}
