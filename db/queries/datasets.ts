import { and, desc, eq, isNotNull, isNull, max, or, sql } from "drizzle-orm";
import type { Db } from "../client";
import { datasets, pipelines, pipelineVersions } from "../schema";

/** A dataset version that is not (soft-)deleted: sources, lists and lookups see only these. */
const live = isNull(datasets.deletedAt);

/**
 * Inserts the next version of the team's dataset `name` (1 for a new name);
 * concurrent uploads get distinct versions. A version a pipeline step writes
 * (`runId` and `nodeId` set) is inserted once: a retried step gets the row
 * its earlier attempt inserted (`created` false).
 */
export async function insertDatasetVersion(db: Db, row: Omit<typeof datasets.$inferInsert, "version">) {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`dataset:${row.teamId}:${row.name}`}))`);
    if (row.runId && row.nodeId) {
      const [existing] = await tx
        .select()
        .from(datasets)
        .where(and(eq(datasets.teamId, row.teamId), eq(datasets.name, row.name), eq(datasets.runId, row.runId), eq(datasets.nodeId, row.nodeId)))
        .limit(1);
      if (existing) return { row: existing, created: false };
    }
    const [last] = await tx
      .select({ v: max(datasets.version) })
      .from(datasets)
      .where(and(eq(datasets.teamId, row.teamId), eq(datasets.name, row.name)));
    const [r] = await tx
      .insert(datasets)
      .values({ ...row, version: (last?.v ?? 0) + 1 })
      .returning();
    return { row: r!, created: true };
  });
}

export async function getDataset(db: Db, teamId: string, id: string) {
  const [r] = await db
    .select()
    .from(datasets)
    .where(and(eq(datasets.teamId, teamId), eq(datasets.id, id), live))
    .limit(1);
  return r ?? null;
}

/** The team's live datasets, newest first (`deleted`: the soft-deleted ones instead, most recently deleted first). */
export async function listDatasets(db: Db, teamId: string, opts: { deleted?: boolean } = {}) {
  return db
    .select()
    .from(datasets)
    .where(and(eq(datasets.teamId, teamId), opts.deleted ? isNotNull(datasets.deletedAt) : live))
    .orderBy(opts.deleted ? desc(datasets.deletedAt) : desc(datasets.createdAt));
}

/** Marks a live dataset version deleted; null when the team has no such live version. */
export async function softDeleteDataset(db: Db, teamId: string, id: string) {
  const [r] = await db
    .update(datasets)
    .set({ deletedAt: sql`now()` })
    .where(and(eq(datasets.teamId, teamId), eq(datasets.id, id), live))
    .returning();
  return r ?? null;
}

/** Brings a soft-deleted dataset version back; null when the team has no such deleted version. */
export async function restoreDeletedDataset(db: Db, teamId: string, id: string) {
  const [r] = await db
    .update(datasets)
    .set({ deletedAt: null })
    .where(and(eq(datasets.teamId, teamId), eq(datasets.id, id), isNotNull(datasets.deletedAt)))
    .returning();
  return r ?? null;
}

/**
 * Versions of the team's live pipelines whose spec mentions any of `needles`
 * (as JSON text: candidates for the caller to read), oldest pipeline first.
 */
export async function pipelineVersionsMentioning(db: Db, teamId: string, needles: string[]) {
  const conditions = needles.map((n) => sql`strpos(${pipelineVersions.spec}::text, ${JSON.stringify(n).slice(1, -1)}) > 0`);
  return db
    .select({ pipelineId: pipelines.id, pipelineName: pipelines.name, version: pipelineVersions.version, spec: pipelineVersions.spec })
    .from(pipelineVersions)
    .innerJoin(pipelines, and(eq(pipelines.id, pipelineVersions.pipelineId), eq(pipelines.teamId, teamId), isNull(pipelines.deletedAt)))
    .where(or(...conditions))
    .orderBy(pipelines.createdAt, pipelineVersions.version);
}

export async function latestDatasetVersion(db: Db, teamId: string, name: string): Promise<number | null> {
  const [r] = await db
    .select({ v: max(datasets.version) })
    .from(datasets)
    .where(and(eq(datasets.teamId, teamId), eq(datasets.name, name), live));
  return r?.v ?? null;
}

/** Dataset `name` of the team at `version`, or its latest version. */
export async function findDatasetVersion(db: Db, teamId: string, name: string, version?: number) {
  const [r] = await db
    .select()
    .from(datasets)
    .where(and(eq(datasets.teamId, teamId), eq(datasets.name, name), live, version === undefined ? undefined : eq(datasets.version, version)))
    .orderBy(desc(datasets.version))
    .limit(1);
  return r ?? null;
}
