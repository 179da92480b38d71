/**
 * Versions (issue 3): save with a message, draft autosave that survives a
 * reload, version history, the visual diff of two versions, and import /
 * export of the spec as JSON (file and clipboard).
 */
import fs from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { clickPane, saveVersion, selectNode, openEditor } from "./canvas-actions";

test.beforeEach(async ({ page }) => {
  await page.setViewportSize({ width: 1600, height: 900 });
});

test("save with a message, autosaved draft, history and the diff of two versions", async ({ page }, testInfo) => {
  await openEditor(page);
  await page.getByRole("button", { name: "boston-house-prices" }).click();
  await expect(page.locator(".react-flow__node")).toHaveCount(6);
  await page.getByLabel("Pipeline name").fill("boston-versions");
  await saveVersion(page, "Start from the Boston template", 1);

  // An edit is autosaved as a draft and survives a reload.
  await selectNode(page, "train");
  await page.getByLabel("l2", { exact: true }).fill("3");
  await expect(page.getByTestId("save-status")).toContainText("Draft autosaved");
  await page.reload();
  await expect(page.getByTestId("save-status")).toContainText("Draft autosaved");
  await selectNode(page, "train");
  await expect(page.getByLabel("l2", { exact: true })).toHaveValue("3");

  // An invalid pipeline is not saved as a version: the dialog says why and stays open.
  await clickPane(page);
  await page.getByTestId("palette-evaluate").click();
  await expect(page.getByTestId("node-evaluate-1")).toBeVisible();
  await page.keyboard.press("Control+s");
  const refused = page.getByRole("dialog", { name: "Save version 2" });
  await refused.getByLabel("Message").fill("Half done");
  await page.keyboard.press("Enter");
  await expect(refused.getByRole("alert")).toContainText("2 problems");
  await refused.getByRole("button", { name: "Cancel" }).click();
  await page.keyboard.press("Delete");
  await expect(page.getByTestId("node-evaluate-1")).toHaveCount(0);

  // Version 2: the changed config plus a new node.
  await page.getByTestId("palette-ingest.csv").click();
  await page.getByLabel("source", { exact: true }).selectOption("sample:penguins");
  await page.keyboard.press("Control+s");
  const dialog = page.getByRole("dialog", { name: "Save version 2" });
  await dialog.getByLabel("Message").fill("Stronger ridge penalty");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("save-status")).toHaveText("Saved · v2");

  // History lists both, newest first, with author, time and message.
  await page.getByRole("button", { name: "Versions" }).click();
  const history = page.getByRole("complementary", { name: "Version history" });
  await expect(history.getByTestId("version-2")).toContainText("Stronger ridge penalty");
  await expect(history.getByTestId("version-1")).toContainText("Start from the Boston template");
  await expect(history.getByTestId("version-1")).toContainText("Local developer");
  await expect(history.locator("li").first()).toHaveAttribute("data-testid", "version-2");

  // Compare v1 → v2: the new node is marked added, the changed one changed, fields listed before/after.
  await history.getByLabel("Select version 1").check();
  await history.getByLabel("Select version 2").check();
  await history.getByRole("link", { name: "Compare v1 → v2" }).click();
  await expect(page).toHaveURL(/\/compare\?from=1&to=2$/);
  await expect(page.getByTestId("node-ingest-csv-1")).toHaveAttribute("data-diff", "added");
  await expect(page.getByTestId("node-train")).toHaveAttribute("data-diff", "changed");
  await expect(page.getByTestId("node-split")).not.toHaveAttribute("data-diff", /.+/);
  const changes = page.getByRole("complementary", { name: "Changes" });
  await expect(changes.getByTestId("diff-node-train")).toContainText("config.l2");
  await expect(changes.getByTestId("diff-node-train").locator("tbody tr").first()).toContainText(/1\s*3/);
  const shot = testInfo.outputPath("diff.png");
  await page.screenshot({ path: shot });
  await testInfo.attach("diff", { path: shot, contentType: "image/png" });

  // Swapped, the same node reads as removed.
  await page.getByRole("button", { name: "Swap versions" }).click();
  await expect(page).toHaveURL(/\/compare\?from=2&to=1$/);
  await expect(page.getByTestId("node-ingest-csv-1")).toHaveAttribute("data-diff", "removed");
});

test("export to a file and the clipboard, import back: the spec round-trips; bad JSON is refused with line and column", async ({ page, context, baseURL }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
  await openEditor(page);
  await page.getByRole("button", { name: "boston-house-prices" }).click();
  await expect(page.locator(".react-flow__node")).toHaveCount(6);

  await page.getByRole("button", { name: "File" }).click();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("menuitem", { name: "Export JSON file" }).click()]);
  expect(download.suggestedFilename()).toBe("boston-house-prices.pipeline.json");
  const exported = await fs.readFile(await download.path(), "utf8");
  expect(JSON.parse(exported)).toMatchObject({ apiVersion: "conveyor/v1", name: "boston-house-prices" });
  await page.getByRole("button", { name: "File" }).click();
  await page.getByRole("menuitem", { name: "Copy spec JSON" }).click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(exported);

  // Into a fresh editor from the file: the same spec comes back out.
  await openEditor(page);
  await page.getByRole("button", { name: "File" }).click();
  await page.getByRole("menuitem", { name: "Import JSON…" }).click();
  const dialog = page.getByRole("dialog", { name: "Import a pipeline spec" });
  await dialog.getByLabel("Spec file").setInputFiles({ name: "p.json", mimeType: "application/json", buffer: Buffer.from(exported) });
  await expect(dialog).toBeHidden();
  await expect(page.locator(".react-flow__node")).toHaveCount(6);
  await page.getByRole("button", { name: "File" }).click();
  const [again] = await Promise.all([page.waitForEvent("download"), page.getByRole("menuitem", { name: "Export JSON file" }).click()]);
  expect(await fs.readFile(await again.path(), "utf8")).toBe(exported);

  // Broken JSON: refused, with where; the canvas is untouched.
  await page.getByRole("button", { name: "File" }).click();
  await page.getByRole("menuitem", { name: "Import JSON…" }).click();
  await dialog.getByLabel("Spec JSON").fill('{\n  "apiVersion": "conveyor/v1",\n  "name": oops\n}');
  await dialog.getByRole("button", { name: "Import" }).click();
  await expect(dialog.getByRole("alert")).toContainText("line 3");
  // A well-formed spec with a bad node config names the node and field.
  await dialog.getByLabel("Spec JSON").fill(exported.replace('"testFraction": 0.2', '"testFraction": 7'));
  await dialog.getByRole("button", { name: "Import" }).click();
  await expect(page.getByTestId("node-problems-split")).toBeVisible();
  await expect(page.getByTestId("problems")).toContainText("testFraction");
});

test("a never-saved pipeline keeps its draft in the browser and offers it back", async ({ page }) => {
  await openEditor(page);
  await page.getByRole("button", { name: "boston-house-prices" }).click();
  await expect(page.locator(".react-flow__node")).toHaveCount(6);
  await expect(page.getByTestId("save-status")).toContainText("draft kept in this browser");

  // Reopened (a reload, or a new tab): offered, not forced.
  await page.reload();
  await expect(page.getByTestId("canvas")).toHaveAttribute("data-ready", "true");
  const offer = page.getByRole("region", { name: "Unsaved pipeline" });
  await expect(offer).toContainText("(6 nodes)");
  await expect(page.locator(".react-flow__node")).toHaveCount(0);
  await offer.getByRole("button", { name: "Restore" }).click();
  await expect(page.locator(".react-flow__node")).toHaveCount(6);
  await expect(offer).toBeHidden();

  // Saving hands the draft over to the server; a new editor offers nothing.
  await saveVersion(page, "First", 1);
  await openEditor(page);
  await page.waitForTimeout(300);
  await expect(page.getByRole("region", { name: "Unsaved pipeline" })).toHaveCount(0);
});
