/** Where the model server gets everything from outside: models, artifacts, readiness and registry changes. */
import type { Db } from "../../db/client";
import { listActiveDeploymentNames, resolveServedModel } from "../../db/queries/models";
import { listenModelChanges, pingDatabase } from "../../db/queries/serving";
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
}

/** The production source: PostgreSQL (registry + LISTEN) and the artifact store. */
export function databaseSource(db: Db, store: ArtifactStore): ServingSource {
  return {
    resolve: (name, version) => resolveServedModel(db, name, version),
    readArtifact: (uri) => store.read(uri),
    ping: () => pingDatabase(db),
    listDeployments: () => listActiveDeploymentNames(db),
    subscribe: (onChange, onReset) => listenModelChanges(db, onChange, onReset),
  };
}
