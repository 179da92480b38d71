/**
 * A model version's reference profile: profile.json in the artifact store,
 * beside model.onnx, named by the manifest's `profile`. Models trained
 * before profiles existed have none (null).
 */
import type { ArtifactStore } from "../../infra/artifacts";
import type { ModelManifest } from "../../contract/model";
import { ZReferenceProfile, type ReferenceProfile } from "../../contract/monitoring";

const cache = new Map<string, ReferenceProfile>();

export async function readProfile(store: ArtifactStore, manifest: ModelManifest): Promise<ReferenceProfile | null> {
  const ref = (manifest as ModelManifest & { profile?: { uri: string; sha256: string } }).profile;
  if (!ref) return null;
  const hit = cache.get(ref.uri);
  if (hit) return hit;
  const parsed = ZReferenceProfile.parse(JSON.parse((await store.read(ref.uri)).toString("utf8")));
  if (cache.size > 100) cache.clear();
  cache.set(ref.uri, parsed);
  return parsed;
}
