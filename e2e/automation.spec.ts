/**
 * Automation: a schedule added in the editor shows its cron in words and its
 * next fire times, and appears on the Schedules page, where it is paused with
 * a reason; a webhook's URL is copied from the editor and called.
 */
import { expect, test } from "@playwright/test";
import { clickPane, openEditor, saveVersion } from "./canvas-actions";

test.beforeEach(async ({ page }) => {
  await page.setViewportSize({ width: 1600, height: 900 });
});

test("a schedule and a webhook from the editor; the schedule paused on the Schedules page; the webhook called", async ({ page, context, request }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await openEditor(page);
  await page.getByRole("button", { name: "boston-house-prices" }).click();
  await expect(page.locator(".react-flow__node")).toHaveCount(6);
  const name = `automated-${Date.now().toString(36)}`;
  await page.getByLabel("Pipeline name").fill(name);
  await clickPane(page);

  const triggers = page.getByRole("region", { name: "Triggers" });
  await triggers.getByRole("button", { name: "+ Schedule" }).click();
  await triggers.getByLabel("Cron").fill("0 2 * * *");
  await triggers.getByLabel("Time zone").fill("Europe/Berlin");
  await expect(triggers.getByTestId("trigger-words")).toHaveText("Runs at 02:00, every day (Europe/Berlin)");
  await expect(triggers.getByTestId("next-fire-times").locator("li")).toHaveCount(5);
  await expect(triggers.getByTestId("next-fire-times").locator("li").first()).toContainText("02:00");

  // A bad cron is a problem on the spot, named by the trigger.
  await triggers.getByLabel("Cron").fill("0 25 * * *");
  await expect(triggers.getByTestId("trigger-0-problems")).toContainText('"0 25 * * *" is not a valid cron expression');
  await triggers.getByLabel("Cron").fill("0 2 * * *");
  await expect(triggers.getByTestId("trigger-0-problems")).toHaveCount(0);

  await triggers.getByRole("button", { name: "+ Webhook" }).click();
  await saveVersion(page, "Nightly and on demand", 1);

  // The webhook URL is shown once, with a copy button; calling it starts a run.
  const url = await triggers.getByTestId("webhook-url").inputValue();
  expect(url).toMatch(/\/api\/v1\/hooks\/whk_/);
  await triggers.getByRole("button", { name: "Copy" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
  const called = await request.post(url, { data: {} });
  expect(called.status()).toBe(202);
  const { runId } = (await called.json()) as { runId: string };
  await page.goto(`/runs/${runId}`);
  await expect(page.getByTestId("run-trigger")).toHaveText("webhook");

  // The schedule is live: the Schedules page lists it; pause it with a reason.
  await page.goto("/schedules");
  const row = page.getByTestId("schedule-row").filter({ hasText: name });
  await expect(row).toContainText("at 02:00, every day (Europe/Berlin)");
  await expect(row).toContainText("Active");
  await row.getByLabel("Reason").fill("holiday freeze");
  await row.getByRole("button", { name: "Pause" }).click();
  await expect(row).toContainText("Paused");
  await expect(row).toContainText("holiday freeze");
});

test("a blocked run is amber in the runs list, says why on its page, and can be retried", async ({ page, request }) => {
  const pipelines = (await (await request.get("/api/v1/pipelines")).json()) as Array<{ id: string; name: string }>;
  const boston = pipelines.find((p) => p.name === "boston-house-prices")!;
  const { spec } = (await (await request.get(`/api/v1/pipelines/${boston.id}`)).json()) as {
    spec: { name: string; nodes: Array<{ id: string; config: Record<string, unknown> }> };
  };
  spec.name = `blocked-${Date.now().toString(36)}`;
  spec.nodes.find((n) => n.id === "gate")!.config = { conditions: [{ metric: "r2", op: ">=", value: 0.99 }] };
  const { id } = (await (await request.post("/api/v1/pipelines", { data: spec })).json()) as { id: string };
  const { runId } = (await (await request.post(`/api/v1/pipelines/${id}/runs`, { data: {} })).json()) as { runId: string };

  await page.goto(`/runs/${runId}`);
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "blocked", { timeout: 60_000 });
  await expect(page.getByTestId("blocked-reason")).toContainText('gate "gate" did not pass: r2');
  await expect(page.getByTestId("step-deploy")).toHaveAttribute("data-status", "skipped");

  await page.goto("/runs");
  const row = page.locator("tr", { has: page.getByRole("link", { name: runId.slice(0, 8) }) });
  await expect(row.locator("[data-status]").first()).toHaveAttribute("data-status", "blocked");
  await expect(row.getByText("blocked", { exact: true })).toBeVisible();

  // Retry: a new run of the same version; the steps that succeeded are reused.
  await page.goto(`/runs/${runId}`);
  await page.getByRole("button", { name: "Retry" }).click();
  await expect(page).not.toHaveURL(new RegExp(runId));
  await expect(page.getByTestId("run-trigger")).toHaveText("retry");
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "blocked", { timeout: 60_000 });
  await expect(page.getByTestId("step-train")).toContainText("cached");
});
