import { and, desc, eq, max, sql } from "drizzle-orm";
import type { Db } from "../client";
import { datasets } from "../schema";

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
    .where(and(eq(datasets.teamId, teamId), eq(datasets.id, id)))
    .limit(1);
  return r ?? null;
}

export async function listDatasets(db: Db, teamId: string) {
  return db.select().from(datasets).where(eq(datasets.teamId, teamId)).orderBy(desc(datasets.createdAt));
}

export async function latestDatasetVersion(db: Db, teamId: string, name: string): Promise<number | null> {
  const [r] = await db
    .select({ v: max(datasets.version) })
    .from(datasets)
    .where(and(eq(datasets.teamId, teamId), eq(datasets.name, name)));
  return r?.v ?? null;
}

/** Dataset `name` of the team at `version`, or its latest version. */
export async function findDatasetVersion(db: Db, teamId: string, name: string, version?: number) {
  const [r] = await db
    .select()
    .from(datasets)
    .where(and(eq(datasets.teamId, teamId), eq(datasets.name, name), version === undefined ? undefined : eq(datasets.version, version)))
    .orderBy(desc(datasets.version))
    .limit(1);
  return r ?? null;
}
