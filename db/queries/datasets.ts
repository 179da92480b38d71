import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../client";
import { datasets } from "../schema";

export async function insertDataset(db: Db, row: typeof datasets.$inferInsert) {
  const [r] = await db.insert(datasets).values(row).returning();
  return r!;
}

export async function getDataset(db: Db, teamId: string, id: string) {
  const [r] = await db.select().from(datasets).where(and(eq(datasets.teamId, teamId), eq(datasets.id, id))).limit(1);
  return r ?? null;
}

export async function listDatasets(db: Db, teamId: string) {
  return db.select().from(datasets).where(eq(datasets.teamId, teamId)).orderBy(desc(datasets.createdAt));
}
