/**
 * The one way a named dataset gets a new version, whoever makes it (an upload,
 * a deploy.batch step that registers its predictions): the next version of
 * the name, then a run of every pipeline of the team subscribed to the name
 * (a `dataset` trigger in its latest version). How a run is started is the
 * caller's (the web app through its Temporal client, a worker through its
 * own). A pipeline that cannot start is reported, and the others still start.
 *
 * Idempotent for a version a step writes: a retried step finds the version
 * its earlier attempt inserted, and starts only the subscribed runs that
 * were not started for it yet.
 */
import type { Db } from "../../db/client";
import { insertDatasetVersion } from "../../db/queries/datasets";
import { pipelinesSubscribedTo } from "../../db/queries/triggers";
import { runsStartedByDataset } from "../../db/queries/runs";
import type { datasets } from "../../db/schema";

/** What a `dataset` trigger's run records as its trigger detail. */
export interface DatasetTriggerDetail {
  dataset: string;
  version: number;
  datasetId: string;
}

/** Starts a run of the team's pipeline for a `dataset` trigger: its run id, or why it could not start. */
export type StartTriggeredRun = (pipelineId: string, detail: DatasetTriggerDetail) => Promise<{ runId: string } | { error: string }>;

export interface TriggeredRun {
  pipelineId: string;
  runId: string | null;
  error: string | null;
}

export async function addDatasetVersion(
  db: Db,
  input: Omit<typeof datasets.$inferInsert, "version">,
  startRun: StartTriggeredRun,
): Promise<{ row: typeof datasets.$inferSelect; created: boolean; runs: TriggeredRun[] }> {
  const { row, created } = await insertDatasetVersion(db, input);
  const started = created ? new Map<string, string>() : new Map((await runsStartedByDataset(db, row.teamId, row.id)).map((r) => [r.pipelineId, r.runId]));
  const runs: TriggeredRun[] = [];
  for (const pipelineId of await pipelinesSubscribedTo(db, row.teamId, row.name)) {
    const earlier = started.get(pipelineId);
    if (earlier) {
      runs.push({ pipelineId, runId: earlier, error: null });
      continue;
    }
    const r = await startRun(pipelineId, { dataset: row.name, version: row.version, datasetId: row.id });
    runs.push("runId" in r ? { pipelineId, runId: r.runId, error: null } : { pipelineId, runId: null, error: r.error });
  }
  return { row, created, runs };
}
