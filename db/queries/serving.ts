/**
 * Queries of the serving process (server/serving) beyond the registry
 * lookups in ./models: readiness ping, the model-change subscription, and a
 * lineage fixture for the serving tests and benchmark.
 */
import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import type { Db } from "../client";
import { pipelines, pipelineVersions, runs } from "../schema";
import { MODEL_CHANGES_CHANNEL } from "./models";

/** Resolves when the database answers a trivial query within `timeoutMs`. */
export async function pingDatabase(db: Db, timeoutMs = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      db.execute(sql`select 1`),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`database did not answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * LISTENs on MODEL_CHANGES_CHANNEL. `onChange(name)` gets each NOTIFY
 * payload (a deployment or model name). `onListen` runs when the LISTEN is
 * (re-)established: after a reconnect notifications may have been missed,
 * so callers drop everything they cached.
 */
export async function listenModelChanges(db: Db, onChange: (name: string) => void, onListen: () => void): Promise<{ unlisten(): Promise<void> }> {
  const meta = await db.$client.listen(MODEL_CHANGES_CHANNEL, onChange, onListen);
  return { unlisten: () => meta.unlisten() };
}

/**
 * Test and benchmark fixture: a pipeline, its version 1 and a succeeded run,
 * so a model version can be registered with real lineage.
 */
export async function createFixtureRun(db: Db, input: { teamId: string; name: string }): Promise<{ pipelineId: string; runId: string }> {
  return db.transaction(async (tx) => {
    const [p] = await tx.insert(pipelines).values({ teamId: input.teamId, name: input.name }).returning({ id: pipelines.id });
    const pipelineId = p!.id;
    await tx.insert(pipelineVersions).values({ pipelineId, version: 1, spec: { apiVersion: "conveyor/v1", name: input.name, nodes: [], edges: [] } });
    const now = new Date();
    const [r] = await tx
      .insert(runs)
      .values({
        teamId: input.teamId,
        pipelineId,
        pipelineVersion: 1,
        workflowId: `fixture-${crypto.randomUUID()}`,
        status: "succeeded",
        trigger: "fixture",
        startedAt: now,
        finishedAt: now,
      })
      .returning({ id: runs.id });
    return { pipelineId, runId: r!.id };
  });
}
