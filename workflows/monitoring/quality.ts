/**
 * Each version's live quality over a time range: its logged predictions
 * (live and shadow) joined with the ground truth sent as feedback, scored
 * with the task's metrics (liveQuality). What a rollout's quality rules read
 * (canary `minLiveMetric`, shadow `minImprovement`): a shadow answers the
 * same requests as the champion, so both are scored on the same labelled rows.
 */
import type { Db } from "../../db/client";
import { getMonitoredDeployment, loggedPredictions, versionManifests } from "../../db/queries/monitoring";
import { qualityByVersion, type WindowReference } from "./window";

export interface VersionQuality {
  /** Requests of the version in the range whose ground truth arrived. */
  labelled: number;
  metrics: Record<string, number>;
}

/** Most predictions read per call (the oldest in the range are kept past it). */
const MAX_ROWS = 500_000;

/** `${mode}:${version}` → the version's quality (absent: nothing labelled). */
export async function versionQuality(db: Db, deployment: string, from: Date, to: Date): Promise<Map<string, VersionQuality>> {
  const out = new Map<string, VersionQuality>();
  const d = await getMonitoredDeployment(db, { name: deployment });
  if (!d) return out;
  const rows = (await loggedPredictions(db, d.id, from, to, MAX_ROWS, "all")).filter((r) => r.label !== null || r.value !== null);
  const refs = await versionReferences(db, d.modelId, rows);
  for (const q of qualityByVersion(rows, refs)) if (q.labelled > 0) out.set(`${q.mode}:${q.version}`, { labelled: q.labelled, metrics: q.metrics });
  return out;
}

/** The registry's manifest and evaluation of each version the rows name (no profile: quality needs none). */
export async function versionReferences(db: Db, modelId: string, rows: readonly { version: number }[]): Promise<Map<number, WindowReference>> {
  const found = await versionManifests(db, modelId, [...new Set(rows.map((r) => r.version))]);
  return new Map(found.map((m) => [m.version, { version: m.version, manifest: m.manifest, metrics: m.metrics, profile: null }]));
}
