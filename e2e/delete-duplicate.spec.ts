/**
 * Tidying up (issue 17): a dataset a pipeline reads cannot be deleted and the
 * page says which pipeline reads it; on the home page a pipeline is found by
 * name, duplicated, deleted and brought back with Undo. Screenshots of the
 * home page at 1440×900 and 1024 px wide.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "@playwright/test";

type Spec = { name: string; nodes: { id: string; config: Record<string, unknown> }[] };
const readSpec = (): Spec =>
  JSON.parse(
    fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "contract", "templates", "boston-housing.pipeline.json"), "utf8"),
  ) as Spec;

const suffix = Math.random().toString(36).slice(2, 7);

test("delete refused while in use; duplicate, search, delete and undo on the home page", async ({ page, request }, testInfo) => {
  // Seed through the REST API: a dataset and a pipeline that reads it.
  const dataset = `rooms-${suffix}`;
  const csv = ["crim,rm,medv", ...Array.from({ length: 20 }, (_, i) => `${(i * 0.37).toFixed(2)},${4 + (i % 5)},${10 + i}`)].join("\n") + "\n";
  const up = await request.post(`/api/v1/datasets?name=${dataset}`, { data: csv, headers: { "content-type": "text/csv" } });
  expect(up.status()).toBe(201);
  const name = `tidy-${suffix}`;
  const spec = readSpec();
  spec.name = name;
  spec.nodes.find((n) => n.id === "ingest")!.config = { source: `dataset:${dataset}` };
  spec.nodes.find((n) => n.id === "deploy")!.config = { model: name };
  const saved = await request.post("/api/v1/pipelines", { data: spec });
  expect(saved.status()).toBe(201);

  // The dataset is in use: the refusal names the pipeline and its node.
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto("/datasets");
  await page.getByRole("button", { name: `Delete ${dataset} v1` }).click();
  const refusal = page.getByTestId("dataset-delete-error");
  await expect(refusal).toContainText("Conflict (409)");
  await expect(refusal).toContainText(`pipeline "${name}" version 1 reads it (source "dataset:${dataset}")`);
  await expect(page.getByTestId("dataset-row").filter({ hasText: dataset })).toHaveCount(1);

  // Home: search finds it; duplicate it.
  await page.goto("/");
  await page.getByLabel("Search pipelines").fill(name);
  const rows = page.locator("li[data-testid^='pipeline-']");
  await expect(rows).toHaveCount(1);
  await expect(rows.first().getByTestId("last-run")).toHaveText("never run");
  await page.getByRole("button", { name: `Duplicate ${name}` }).click();
  await expect(page.getByTestId("pipeline-notice")).toContainText(`Created “${name} copy” from “${name}” v1.`);
  await expect(rows).toHaveCount(2);
  await page.getByLabel("Sort pipelines").selectOption("name");
  await expect(rows.nth(0)).toContainText(name);
  await expect(rows.nth(1)).toContainText(`${name} copy`);

  await page.getByLabel("Search pipelines").fill(`${name} copy`);
  await expect(rows).toHaveCount(1);
  const shot = async (label: string, width: number, height: number) => {
    await page.setViewportSize({ width, height });
    const file = testInfo.outputPath(`home-${label}.png`);
    await page.screenshot({ path: file, fullPage: true });
    await testInfo.attach(label, { path: file, contentType: "image/png" });
  };
  await page.getByLabel("Search pipelines").fill(suffix);
  await expect(rows).toHaveCount(2);
  await shot("1440x900", 1440, 900);
  await shot("1024", 1024, 768);
  await page.setViewportSize({ width: 1440, height: 900 });

  // Delete the copy, then undo.
  await page.getByRole("button", { name: `Delete ${name} copy` }).click();
  await expect(page.getByTestId("pipeline-notice")).toContainText(`Deleted “${name} copy”.`);
  await expect(rows).toHaveCount(1);
  await page.getByRole("button", { name: "Show deleted" }).click();
  await expect(page.getByRole("heading", { name: "Deleted pipelines" })).toBeVisible();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(`${name} copy`);
  await page.getByRole("button", { name: "Back to pipelines" }).click();
  await page.getByRole("button", { name: "Undo" }).click();
  await expect(page.getByTestId("pipeline-notice")).toContainText(`Restored “${name} copy”.`);
  await expect(rows).toHaveCount(2);
});
