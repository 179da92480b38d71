/**
 * What the integration global setup (scripts/test-services.ts) started, as
 * seen from a test file. The setup also copies these into process.env of the
 * test workers, so code that reads env() works unchanged; `testEnv()` is the
 * explicit, typed way to get them.
 */
import { inject } from "vitest";

export interface TestServices {
  DATABASE_URL: string;
  TEMPORAL_ADDRESS: string;
  TEMPORAL_NAMESPACE: string;
  ARTIFACT_DIR: string;
  /** The store the tests use: s3://… on the SeaweedFS the setup started (or the ARTIFACT_URI given). */
  ARTIFACT_URI: string;
  ARTIFACT_CACHE_DIR: string;
  /** Empty when an ARTIFACT_URI given from outside needs none. */
  S3_ENDPOINT: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    conveyorServices: TestServices;
  }
}

export function testEnv(): TestServices {
  const provided = inject("conveyorServices");
  if (provided) return provided;
  const e = process.env;
  const { DATABASE_URL, TEMPORAL_ADDRESS, ARTIFACT_DIR, ARTIFACT_URI, ARTIFACT_CACHE_DIR } = e;
  if (!DATABASE_URL || !TEMPORAL_ADDRESS || !ARTIFACT_DIR || !ARTIFACT_URI || !ARTIFACT_CACHE_DIR) {
    throw new Error("test services are not running: integration tests need the `integration` vitest project (globalSetup testing/services.ts)");
  }
  return {
    DATABASE_URL,
    TEMPORAL_ADDRESS,
    TEMPORAL_NAMESPACE: e.TEMPORAL_NAMESPACE || "default",
    ARTIFACT_DIR,
    ARTIFACT_URI,
    ARTIFACT_CACHE_DIR,
    S3_ENDPOINT: e.S3_ENDPOINT ?? "",
    AWS_ACCESS_KEY_ID: e.AWS_ACCESS_KEY_ID ?? "",
    AWS_SECRET_ACCESS_KEY: e.AWS_SECRET_ACCESS_KEY ?? "",
  };
}
