/** Where the model server gets everything from outside: models, artifacts, readiness and registry changes. */
import type { Db } from "../../db/client";
import { resolveServedVersion } from "../../db/queries/models";
import { listActiveDeploymentNames, resolveDeployment } from "../../db/queries/deployments";
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
    resolve: async (name, version) => {
      if (version !== undefined) return resolveServedVersion(db, name, version);
      const dep = await resolveDeployment(db, name);
      // The live route with the most traffic (routing by weight comes next).
      return dep?.routes.filter((r) => r.mode === "live").sort((a, b) => b.weight - a.weight)[0]?.served ?? null;
    },
    readArtifact: (uri) => store.read(uri),
    ping: () => pingDatabase(db),
    listDeployments: () => listActiveDeploymentNames(db),
    subscribe: (onChange, onReset) => listenModelChanges(db, onChange, onReset),
  };
}
