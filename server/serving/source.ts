/** Where the model server gets everything from outside: models, artifacts, readiness and registry changes. */
import type { Db } from "../../db/client";
import { resolveServedVersion, type ServedModel } from "../../db/queries/models";
import os from "node:os";
import {
  listActiveDeploymentNames,
  pruneServingStats,
  recordServingStats,
  resolveDeployment,
  type ServedDeployment,
  type ServingStatsRow,
} from "../../db/queries/deployments";
import { listenModelChanges, pingDatabase } from "../../db/queries/serving";
import { copyPredictionLog } from "../../db/queries/prediction-log";
import type { ArtifactStore } from "../../infra/artifacts";
import type { ModelSource } from "./model-registry";

/** Everything the server needs from the outside world. */
export interface ServingSource extends ModelSource {
  /** Resolves when the backing store is reachable (readiness). */
  ping(): Promise<void>;
  /** Names to warm up at start. */
  listDeployments?(): Promise<string[]>;
  /**
   * Subscribes to registry changes: `onChange(name)` per changed deployment
   * or model, `onReset()` when the subscription is (re-)established.
   */
  subscribe?(onChange: (name: string) => void, onReset: () => void): Promise<{ unlisten(): Promise<void> }>;
  /** Adds this replica's live figures per version (stats.ts). */
  recordStats?(rows: ServingStatsRow[]): Promise<void>;
  /** Deletes live figures past their retention (every replica calls it now and then; it is idempotent). */
  pruneStats?(): Promise<number>;
  /** Writes prediction-log rows as COPY text (prediction-log.ts); all or nothing. */
  writePredictionLog?(chunks: Iterable<string>): Promise<void>;
}

/** A deployment of one live route: an explicit version called directly. */
export function singleRoute(found: (ServedModel & { logTo?: string }) | null): ServedDeployment | null {
  if (!found) return null;
  const { logTo, ...served } = found;
  return { name: served.name, modelName: served.modelName, routes: [{ served, weight: 100, mode: "live" }], config: {}, ...(logTo ? { logTo } : {}) };
}

/** The production source: PostgreSQL (registry + LISTEN) and the artifact store. */
export function databaseSource(db: Db, store: ArtifactStore, replica = `${os.hostname()}:${process.pid}`): ServingSource {
  return {
    resolve: async (name, version) => (version === undefined ? resolveDeployment(db, name) : singleRoute(await resolveServedVersion(db, name, version))),
    readArtifact: (uri) => store.read(uri),
    ping: () => pingDatabase(db),
    listDeployments: () => listActiveDeploymentNames(db),
    subscribe: (onChange, onReset) => listenModelChanges(db, onChange, onReset),
    recordStats: (rows) => recordServingStats(db, replica, rows),
    pruneStats: () => pruneServingStats(db),
    writePredictionLog: (chunks) => copyPredictionLog(db, chunks),
  };
}
