import { and, desc, gte, isNull, sql } from "drizzle-orm";
import type { Db } from "../client";
import { workers } from "../schema";

export interface WorkerBeat {
  identity: string;
  host: string;
  pid: number;
  taskQueues: string[];
}

/** A worker says it is alive (first beat registers it). */
export async function beatWorker(db: Db, w: WorkerBeat): Promise<void> {
  await db
    .insert(workers)
    .values(w)
    .onConflictDoUpdate({ target: workers.identity, set: { lastSeenAt: sql`now()`, taskQueues: w.taskQueues, stoppedAt: null } });
}

/** A worker shut down cleanly: it stops counting at once. */
export async function workerStopped(db: Db, identity: string): Promise<void> {
  await db
    .update(workers)
    .set({ stoppedAt: sql`now()` })
    .where(sql`${workers.identity} = ${identity}`);
}

/** Workers that beat within the last `withinMs` and have not stopped, newest first (times from the database's clock). */
export async function liveWorkers(db: Db, withinMs: number) {
  return db
    .select()
    .from(workers)
    .where(and(isNull(workers.stoppedAt), gte(workers.lastSeenAt, sql`now() - make_interval(secs => ${withinMs / 1000})`)))
    .orderBy(desc(workers.lastSeenAt));
}

/** Forget workers silent for longer than `olderThanMs` (they keep their rows a while, for the operator). */
export async function pruneWorkers(db: Db, olderThanMs: number): Promise<void> {
  await db.delete(workers).where(sql`${workers.lastSeenAt} < now() - make_interval(secs => ${olderThanMs / 1000})`);
}
