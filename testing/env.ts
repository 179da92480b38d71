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
}

declare module "vitest" {
  export interface ProvidedContext {
    conveyorServices: TestServices;
  }
}

export function testEnv(): TestServices {
  const provided = inject("conveyorServices");
  if (provided) return provided;
  const { DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, ARTIFACT_DIR } = process.env;
  if (!DATABASE_URL || !TEMPORAL_ADDRESS || !ARTIFACT_DIR) {
    throw new Error("test services are not running: integration tests need the `integration` vitest project (globalSetup scripts/test-services.ts)");
  }
  return { DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE: TEMPORAL_NAMESPACE || "default", ARTIFACT_DIR };
}
