import { defineConfig } from "vitest/config";
// TEMPORARY (serving helper): integration tests without the shared global setup. Delete after use.
export default defineConfig({ test: { include: ["server/serving/*.int.test.ts"], environment: "node", testTimeout: 180_000, hookTimeout: 180_000 } });
