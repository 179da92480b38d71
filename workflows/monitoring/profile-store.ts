/**
 * A model version's reference profile, read back from the artifact store:
 * profile.json beside model.onnx, named in the manifest's `profile`
 * (workflows/nodes/_shared/train-model.ts writes it).
 */
import crypto from "node:crypto";
import { ZReferenceProfile, type ReferenceProfile } from "../../contract/monitoring";
import type { ModelManifest } from "../../contract/model";
import type { ArtifactStore } from "../../infra/artifacts";

/**
 * The profile of the version whose manifest this is; null for models trained
 * before profiles existed (no `profile` in the manifest). Throws when the
 * file is missing, does not match the manifest's sha256, or is not a profile.
 */
export async function readProfile(store: Pick<ArtifactStore, "read">, manifest: Pick<ModelManifest, "profile">): Promise<ReferenceProfile | null> {
  const ref = manifest.profile;
  if (!ref) return null;
  const bytes = await store.read(ref.uri);
  const sha256 = crypto.createHash("sha256").update(bytes).digest("hex");
  if (sha256 !== ref.sha256) throw new Error(`reference profile ${ref.uri} has sha256 ${sha256}, but the manifest says ${ref.sha256}`);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch (e) {
    throw new Error(`reference profile ${ref.uri} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = ZReferenceProfile.safeParse(json);
  if (!parsed.success)
    throw new Error(
      `reference profile ${ref.uri} is not a conveyor-profile/v1: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  return parsed.data;
}
