/**
 * Monitoring in the UI on the real loop: the seattle replay (summer model,
 * winter traffic with ground truth, through the public API and the serving
 * endpoint) fires the drift trigger and the retrained model becomes the
 * champion; the deployment page shows each version's live quality; its monitoring page shows temp_max as the drifted
 * feature and links the alert to the retraining run it started, whose page
 * says what started it.
 */
import { expect, test } from "@playwright/test";
import { Client } from "../cli/client";
import { seattle } from "../scripts/replay/scenarios";

const SERVING_URL = (process.env.SERVING_URL ?? "http://127.0.0.1:8080").replace(/\/$/, "");
const BASE_URL = (process.env.E2E_BASE_URL ?? "http://localhost:3100").replace(/\/$/, "");

test("seattle: the monitoring page shows the drifted feature and the retraining run it started", async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  const lines: string[] = [];
  const out = await seattle({
    client: new Client(BASE_URL, undefined),
    servingUrl: SERVING_URL,
    rate: 100,
    feedbackLagMs: 1000,
    log: (l) => lines.push(l),
  });
  expect(out.periods.find((p) => p.period === "December")!.psi.temp_max, lines.join("\n")).toBeGreaterThan(0.2);
  expect(out.championAfter, lines.join("\n")).toBeGreaterThan(out.championBefore);
  const runId = out.retrainRun?.id;
  expect(runId, lines.join("\n")).toBeTruthy();

  // The deployment page: each version's live quality in the newest monitor window.
  await page.goto(`/deployments/${out.deployment}`);
  await page.setViewportSize({ width: 1440, height: 900 });
  const quality = page.locator('[data-testid^="quality-v"]').first();
  await expect(quality).toBeVisible();
  await quality.scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath("deployment-quality-1440.png") });

  await page.goto(`/deployments/${out.deployment}/monitoring`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(out.deployment);
  const row = page.locator('[data-testid="drift-row"][data-feature="temp_max"]');
  await expect(row).toBeVisible();
  const event = page.locator('[data-testid="monitor-event"][data-kind="retrain.started"]');
  await expect(event).toContainText("temp_max");
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.screenshot({ path: testInfo.outputPath("monitoring-seattle-1440.png") });
  await event.scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath("monitoring-seattle-events-1440.png") });
  const link = event.getByRole("link", { name: `retraining run ${runId}` });
  await expect(link).toBeVisible();
  await link.click();
  await expect(page).toHaveURL(new RegExp(`/runs/${runId}`));
  await expect(page.getByTestId("run-trigger")).toContainText("drift · seattle-weather psi of temp_max");
});
