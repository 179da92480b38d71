/**
 * e2e in Debian's Chromium (nothing downloads a browser). The web server is
 * the whole production stack — scripts/stack.ts start (`npm start`) — on its own data dir and ports, so it can
 * run next to a developer's `npm run dev`; Playwright waits until
 * GET /api/health reports every process ok.
 *
 * Ports can be moved with E2E_WEB_PORT, E2E_SERVING_PORT, E2E_POSTGRES_PORT,
 * E2E_TEMPORAL_PORT (UI = +1000). Tests get the serving endpoint as
 * process.env.SERVING_URL (also E2E_SERVING_URL) and the app as baseURL.
 *
 * Two projects share the one stack: `ui` (every browser spec) and `api-fuzz`
 * (e2e/api-fuzz.spec.ts), which depends on `ui` so it runs after it.
 */
import { defineConfig, devices } from "@playwright/test";

const port = (name: string, fallback: number) => Number(process.env[name] || fallback);
const webPort = port("E2E_WEB_PORT", 3100);
const servingPort = port("E2E_SERVING_PORT", 8180);
const postgresPort = port("E2E_POSTGRES_PORT", 5533);
const temporalPort = port("E2E_TEMPORAL_PORT", 7333);

// localhost, not 127.0.0.1: next dev's dev-origin checks expect the host it printed.
const baseURL = `http://localhost:${webPort}`;
const servingUrl = `http://127.0.0.1:${servingPort}`;

// The config is evaluated in the runner and in every worker, so tests see these.
process.env.SERVING_URL = servingUrl;
process.env.E2E_SERVING_URL = servingUrl;
process.env.E2E_BASE_URL = baseURL;

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  outputDir: "test-results/playwright",
  timeout: 120_000,
  expect: { timeout: 15_000 },
  // One shared stack on a 2-core machine: one test at a time.
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: [["list"], ["json", { outputFile: "test-results/reports/e2e.json" }]],
  use: {
    ...devices["Desktop Chrome"],
    baseURL,
    browserName: "chromium",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    video: "off",
  },
  // The browser specs first; then the API fuzz, which fills the database with
  // random pipelines, datasets, runs and aliases (e2e/api-fuzz.spec.ts).
  projects: [
    { name: "ui", testIgnore: "**/api-fuzz.spec.ts" },
    { name: "api-fuzz", testMatch: "**/api-fuzz.spec.ts", dependencies: ["ui"] },
  ],
  webServer: {
    // Plain node with tsx's loader (not the tsx CLI, whose signal relay would
    // double Playwright's SIGTERM); `exec` so the process Playwright waits for is the launcher.
    // The production stack users run (`npm start`): `next build` once per change of the sources, reused after.
    command: "exec node --import tsx scripts/stack.ts start",
    url: `${baseURL}/api/health`,
    env: {
      CONVEYOR_DATA_DIR: ".data/e2e",
      CONVEYOR_RESET_DATA: "1",
      WEB_PORT: String(webPort),
      SERVING_PORT: String(servingPort),
      SERVING_URL: servingUrl,
      POSTGRES_PORT: String(postgresPort),
      TEMPORAL_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(temporalPort + 1000),
      // Its own build dir (next.config.js reads it): a developer's `npm run dev` / `npm start` keeps theirs.
      NEXT_DIST_DIR: ".next/e2e",
    },
    // First start builds the app (about 2 minutes on 2 cores) and the worker's workflow bundle.
    timeout: 420_000,
    reuseExistingServer: !process.env.CI,
    // SIGTERM lets scripts/stack.ts stop its children in order; never SIGKILL it first.
    gracefulShutdown: { signal: "SIGTERM", timeout: 30_000 },
    stdout: "pipe",
    stderr: "pipe",
  },
});
