/**
 * Each version's live quality over a time range: its logged predictions
 * (live and shadow) joined with the ground truth sent as feedback, scored
 * with the task's metrics (liveQuality). What a rollout's quality rules read
 * (canary `minLiveMetric`, shadow `minImprovement`): a shadow answers the
 * same requests as the champion, so both are scored on the same labelled rows.
 */
import type { Db } from "../../db/client";
import { getMonitoredDeployment, loggedPredictions, versionManifests } from "../../db/queries/monitoring";
import { liveQuality } from "./window";

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
  const groups = new Map<string, typeof rows>();
  for (const r of rows) {
    const key = `${r.mode}:${r.version}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(r);
  }
  const manifests = new Map((await versionManifests(db, d.modelId, [...new Set(rows.map((r) => r.version))])).map((m) => [m.version, m]));
  for (const [key, g] of groups) {
    const m = manifests.get(g[0]!.version);
    if (!m) continue;
    const q = liveQuality(g, { version: m.version, manifest: m.manifest, metrics: m.metrics, profile: null });
    if (q) out.set(key, { labelled: q.labelled, metrics: q.metrics });
  }
  return out;
}
