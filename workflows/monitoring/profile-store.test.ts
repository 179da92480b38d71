/**
 * readProfile against a real local artifact store: the profile a train step
 * stored comes back; a manifest without one (older models) gives null; a
 * changed or foreign file is refused, naming it.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ArtifactStore } from "../../infra/artifacts";
import { referenceProfile } from "../ml/drift/profile";
import { readProfile } from "./profile-store";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "profile-store-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("readProfile", () => {
  const store = new ArtifactStore({ uri: dir, cacheDir: path.join(dir, "cache") });
  const profile = referenceProfile(
    { rows: 3, columns: [{ name: "x", kind: "number", values: Float64Array.from([1, 2, 3]) }] },
    [{ name: "x", datatype: "FP32", shape: [-1, 1] }],
    { task: "regression", prediction: Float64Array.from([0.5, 0.6, 0.7]) },
  );

  it("reads the stored profile, and null for a manifest without one", async () => {
    const ref = await store.putBytes(new TextEncoder().encode(JSON.stringify(profile)), "profile.json");
    expect(await readProfile(store, { profile: { uri: ref.uri, sha256: ref.sha256 } })).toEqual(profile);
    expect(await readProfile(store, {})).toBeNull();
  });

  it("refuses a file whose sha256 is not the manifest's, or that is not a profile", async () => {
    const ref = await store.putBytes(new TextEncoder().encode(JSON.stringify(profile)), "profile.json");
    await expect(readProfile(store, { profile: { uri: ref.uri, sha256: "0".repeat(64) } })).rejects.toThrow(/has sha256 .* but the manifest says 0000/);
    const other = await store.putBytes(new TextEncoder().encode(JSON.stringify({ ...profile, format: "v0" })), "profile.json");
    await expect(readProfile(store, { profile: { uri: other.uri, sha256: other.sha256 } })).rejects.toThrow(/is not a conveyor-profile\/v1: format/);
    const text = await store.putBytes(new TextEncoder().encode("{"), "profile.json");
    await expect(readProfile(store, { profile: { uri: text.uri, sha256: text.sha256 } })).rejects.toThrow(/is not JSON/);
  });
});
