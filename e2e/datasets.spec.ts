/**
 * Data in, clearly: on the Datasets page a CSV with a broken quote is refused
 * with the line it is on, and a good one opens its page with the column
 * statistics and the first rows, before any pipeline reads it. Screenshots
 * at 1440×900 and 1024 px wide to look at.
 */
import { expect, test } from "@playwright/test";

const suffix = Math.random().toString(36).slice(2, 7);
const csvFile = (name: string, text: string) => ({ name, mimeType: "text/csv", buffer: Buffer.from(text) });

test("a broken CSV is refused naming its line; a good one shows its columns and first rows", async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto("/datasets");
  await expect(page.getByRole("heading", { name: "Datasets" })).toBeVisible();
  const input = page.getByTestId("dataset-upload-input");

  await input.setInputFiles(csvFile(`broken-${suffix}.csv`, 'size,rooms,city\n50,2,Oslo\n60,"3,Bergen\n70,4,Oslo\n'));
  const alert = page.getByRole("alert").filter({ hasText: "was not uploaded" });
  await expect(alert).toContainText(`broken-${suffix}.csv was not uploaded`);
  await expect(alert).toContainText("line 3: a quoted field opens here and is never closed");
  await expect(page.getByTestId("dataset-row").filter({ hasText: `broken-${suffix}` })).toHaveCount(0);
  const refusedShot = testInfo.outputPath("datasets-refused-1440x900.png");
  await page.screenshot({ path: refusedShot });
  await testInfo.attach("refused 1440×900", { path: refusedShot, contentType: "image/png" });

  const rows = [
    "size,rooms,city,sold,note",
    "50.5,2,Oslo,2024-01-02,",
    "60,3,Bergen,2024-02-03,corner flat",
    '70,,Oslo,2024-03-04,"quoted, with a comma"',
    "80,4,Oslo,2024-04-05,",
    "95,5,Trondheim,2024-05-06,top floor",
  ];
  await input.setInputFiles(csvFile(`houses-${suffix}.csv`, rows.join("\n") + "\n"));
  await expect(page).toHaveURL(/\/datasets\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name: `houses-${suffix} v1` })).toBeVisible();
  await expect(page.getByTestId("dataset-summary")).toContainText("5 rows · 5 columns · 2 with missing values");

  const stats = page.getByTestId("column-stats");
  await expect(stats).toHaveCount(5);
  // size: a number column with min, max and mean; rooms: one missing; city: its most frequent values.
  await expect(stats.nth(0)).toContainText("size");
  await expect(stats.nth(0)).toContainText("number");
  await expect(stats.nth(0).locator("td").nth(4)).toHaveText("50.5");
  await expect(stats.nth(0).locator("td").nth(5)).toHaveText("95");
  await expect(stats.nth(0).locator("td").nth(6)).toHaveText("71.1");
  await expect(stats.nth(1).locator("td").nth(2)).toContainText("20.0%");
  await expect(stats.nth(2)).toContainText("text");
  await expect(stats.nth(2).locator("td").nth(3)).toHaveText("3");
  await expect(stats.nth(2).locator("td").nth(7)).toContainText("Oslo ×3");
  await expect(stats.nth(3).locator("td").nth(4)).toHaveText("2024-01-02");

  const preview = page.getByTestId("dataset-preview");
  await expect(preview.locator("tbody tr")).toHaveCount(5);
  await expect(preview.locator("tbody tr").nth(2)).toContainText("quoted, with a comma");

  const shot = testInfo.outputPath("dataset-1440x900.png");
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach("dataset 1440×900", { path: shot, contentType: "image/png" });
  await page.setViewportSize({ width: 1024, height: 768 });
  // At 1024 px the page still fits: only the tables scroll sideways, never the page.
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
  const narrow = testInfo.outputPath("dataset-1024.png");
  await page.screenshot({ path: narrow, fullPage: true });
  await testInfo.attach("dataset 1024", { path: narrow, contentType: "image/png" });

  // Back on the list, the new dataset is there.
  await page.getByRole("link", { name: "Datasets" }).first().click();
  await expect(page.getByTestId("dataset-row").filter({ hasText: `houses-${suffix}` })).toContainText("5");
});
