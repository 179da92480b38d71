import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../client";
import { pipelines, pipelineVersions } from "../schema";

export async function insertPipeline(db: Db, input: { teamId: string; name: string; description: string; spec: unknown; message: string; createdBy?: string; isTemplate?: boolean }) {
  return db.transaction(async (tx) => {
    const [p] = await tx
      .insert(pipelines)
      .values({ teamId: input.teamId, name: input.name, description: input.description, latestVersion: 1, isTemplate: input.isTemplate ?? false })
      .returning();
    await tx.insert(pipelineVersions).values({ pipelineId: p!.id, version: 1, spec: input.spec, message: input.message, createdBy: input.createdBy ?? null });
    return { id: p!.id, version: 1 };
  });
}

/** Appends an immutable version; the row lock serializes concurrent saves. */
export async function insertPipelineVersion(db: Db, input: { teamId: string; pipelineId: string; name: string; description: string; spec: unknown; message: string; createdBy?: string }) {
  return db.transaction(async (tx) => {
    const [p] = await tx
      .select({ latest: pipelines.latestVersion })
      .from(pipelines)
      .where(and(eq(pipelines.id, input.pipelineId), eq(pipelines.teamId, input.teamId)))
      .for("update");
    if (!p) return null;
    const version = p.latest + 1;
    await tx.insert(pipelineVersions).values({ pipelineId: input.pipelineId, version, spec: input.spec, message: input.message, createdBy: input.createdBy ?? null });
    await tx
      .update(pipelines)
      .set({ latestVersion: version, name: input.name, description: input.description, updatedAt: sql`now()` })
      .where(eq(pipelines.id, input.pipelineId));
    return { id: input.pipelineId, version };
  });
}

export async function getPipeline(db: Db, teamId: string, id: string, version?: number) {
  const [p] = await db.select().from(pipelines).where(and(eq(pipelines.teamId, teamId), eq(pipelines.id, id))).limit(1);
  if (!p) return null;
  const v = version ?? p.latestVersion;
  const [pv] = await db
    .select()
    .from(pipelineVersions)
    .where(and(eq(pipelineVersions.pipelineId, id), eq(pipelineVersions.version, v)))
    .limit(1);
  if (!pv) return null;
  const versions = await db
    .select({ version: pipelineVersions.version, message: pipelineVersions.message, createdAt: pipelineVersions.createdAt })
    .from(pipelineVersions)
    .where(eq(pipelineVersions.pipelineId, id))
    .orderBy(desc(pipelineVersions.version));
  return { pipeline: p, version: pv, versions };
}

export async function listPipelines(db: Db, teamId: string) {
  return db
    .select({ id: pipelines.id, name: pipelines.name, description: pipelines.description, latestVersion: pipelines.latestVersion, updatedAt: pipelines.updatedAt, isTemplate: pipelines.isTemplate })
    .from(pipelines)
    .where(eq(pipelines.teamId, teamId))
    .orderBy(desc(pipelines.updatedAt));
}

export async function findPipelineByName(db: Db, teamId: string, name: string) {
  const [p] = await db.select().from(pipelines).where(and(eq(pipelines.teamId, teamId), eq(pipelines.name, name))).limit(1);
  return p ?? null;
}
