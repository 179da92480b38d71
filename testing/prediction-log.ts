/**
 * Test and benchmark helpers around the prediction log: a deployment's id
 * and monitoring switch, counts of logged rows and feedback, and a lock that
 * stalls every write to prediction_log_batches (a slow store, for real).
 */
import { setMonitoring as setDeploymentMonitoring } from "../db/queries/monitoring";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { deployments, predictionFeedback, type DeploymentMonitoring } from "../db/schema";

export async function deploymentIdOf(db: Db, name: string): Promise<string> {
  const [d] = await db.select({ id: deployments.id }).from(deployments).where(eq(deployments.name, name));
  if (!d) throw new Error(`no deployment ${name}`);
  return d.id;
}

/** Sets a deployment's monitoring and tells the serving processes (NOTIFY), as a change of its routes does. */
export async function setMonitoring(db: Db, name: string, monitoring: DeploymentMonitoring): Promise<void> {
  await setDeploymentMonitoring(db, await deploymentIdOf(db, name), monitoring);
}

/** Logged rows of a deployment (of one mode). */
export async function countLogged(db: Db, deploymentId: string, mode?: "live" | "shadow"): Promise<number> {
  const [r] = await db.execute<{ n: string }>(
    mode
      ? sql`select coalesce(sum(row_count), 0) as n from prediction_log_batches where deployment_id = ${deploymentId} and mode = ${mode}`
      : sql`select coalesce(sum(row_count), 0) as n from prediction_log_batches where deployment_id = ${deploymentId}`,
  );
  return Number(r!.n);
}

/** Bytes prediction_log_batches takes on disk: table, TOAST and indexes (after a checkpoint-free flush of what is written). */
export async function predictionLogBytes(db: Db): Promise<number> {
  const [r] = await db.execute<{ n: string }>(sql`select pg_total_relation_size('prediction_log_batches') as n`);
  return Number(r!.n);
}

/** The request ids of a deployment's logged batches that feedback finds through the index (not by their time). */
export async function indexedRequestIds(db: Db, deploymentId: string): Promise<string[]> {
  const rows = await db.execute<{ id: string }>(
    sql`select unnest(indexed_request_ids) as id from prediction_log_batches where deployment_id = ${deploymentId} order by id`,
  );
  return rows.map((r) => r.id);
}

/** The stored feedback of a (request, row) of a deployment, if any. */
export async function feedbackOf(db: Db, deploymentId: string, requestId: string, row = 0) {
  const [f] = await db
    .select()
    .from(predictionFeedback)
    .where(and(eq(predictionFeedback.deploymentId, deploymentId), eq(predictionFeedback.requestId, requestId), eq(predictionFeedback.row, row)));
  return f;
}

/** Holds an exclusive lock on prediction_log_batches in a transaction of its own (on `url`) until release(): every write waits. */
export async function lockPredictionLog(db: Db): Promise<{ release(): Promise<void> }> {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const tx = db.transaction(async (t) => {
    await t.execute(sql`lock table prediction_log_batches in access exclusive mode`);
    locked();
    await held;
  });
  await Promise.race([isLocked, tx]);
  return {
    async release() {
      release();
      await tx;
    },
  };
}
