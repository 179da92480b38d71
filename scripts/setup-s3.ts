/**
 * `npm run setup:s3`: find or build the pinned SeaweedFS (`weed`), the S3
 * server of the integration tests and of local development, ahead of time (CI,
 * a container build), printing each step; see scripts/seaweedfs.ts.
 */
import { ensureSeaweedFs, SeaweedFsNotFoundError } from "./seaweedfs";

const t0 = Date.now();
try {
  const weed = await ensureSeaweedFs({ log: (m) => console.log(`[s3] ${m}`) });
  console.log(`[s3] SeaweedFS ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${weed}`);
} catch (e) {
  console.error(e instanceof SeaweedFsNotFoundError ? e.message : `SeaweedFS setup failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
