import { defineConfig } from "vitest/config";

// Two tiers: `unit` (pure logic, no services) and `integration` (real
// PostgreSQL + a real Temporal dev server, started by the global setup).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["**/*.test.ts", "**/*.test.tsx"],
          exclude: ["**/node_modules/**", "**/*.int.test.ts", "e2e/**", ".data/**"],
          environment: "node",
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "integration",
          include: ["**/*.int.test.ts"],
          exclude: ["**/node_modules/**", ".data/**"],
          environment: "node",
          globalSetup: ["./testing/services.ts"],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
