/**
 * Editing on the canvas (issue 3): undo/redo of config, connect and delete;
 * select all; copy/paste through the clipboard as spec JSON; duplicate.
 */
import { expect, test } from "@playwright/test";
import { clickPane, connect, dropNode, selectNode, openEditor } from "./canvas-actions";

test("undo/redo, select all, delete, copy/paste and duplicate on the canvas", async ({ page, context, baseURL }, testInfo) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
  await page.setViewportSize({ width: 1600, height: 900 });
  await openEditor(page);
  await expect(page.getByRole("button", { name: "Add CSV dataset" })).toBeVisible();
  const nodes = page.locator(".react-flow__node");
  const edges = page.locator(".react-flow__edge");
  const undo = page.getByRole("button", { name: "Undo" });
  const redo = page.getByRole("button", { name: "Redo" });
  await expect(undo).toBeDisabled();
  await expect(redo).toBeDisabled();

  // Two nodes, one connection, one config change.
  await dropNode(page, "ingest.csv", 200, 200);
  await dropNode(page, "feature.split", 560, 200);
  await expect(nodes).toHaveCount(2);
  await expect(undo).toBeEnabled();
  await connect(page, "handle-ingest-csv-1-dataset", "handle-feature-split-1-dataset");
  await expect(edges).toHaveCount(1);
  await selectNode(page, "feature-split-1");
  await page.getByLabel("strategy", { exact: true }).selectOption("time");
  await expect(page.getByLabel("strategy", { exact: true })).toHaveValue("time");

  // Undo (button) restores the previous config; the panel follows.
  await undo.click();
  await expect(page.getByLabel("strategy", { exact: true })).toHaveValue("random");
  await expect(redo).toBeEnabled();

  // Undo (keyboard) removes the edge, redo re-adds it.
  await clickPane(page);
  await page.keyboard.press("Control+z");
  await expect(edges).toHaveCount(0);
  await expect(nodes).toHaveCount(2);
  await page.keyboard.press("Control+Shift+z");
  await expect(edges).toHaveCount(1);
  await page.keyboard.press("Control+y");
  await selectNode(page, "feature-split-1");
  await expect(page.getByLabel("strategy", { exact: true })).toHaveValue("time");

  // Keys typed into a form field stay there: Ctrl+A selects the field's text, not the nodes.
  await page.getByLabel("seed", { exact: true }).focus();
  await page.keyboard.press("Control+a");
  await expect(page.locator(".react-flow__node.selected")).toHaveCount(1);

  // Select all + Delete empties the canvas; one undo brings everything back.
  await clickPane(page);
  await page.keyboard.press("Control+a");
  await expect(page.locator(".react-flow__node.selected")).toHaveCount(2);
  await page.keyboard.press("Delete");
  await expect(nodes).toHaveCount(0);
  await expect(edges).toHaveCount(0);
  await page.keyboard.press("Control+z");
  await expect(nodes).toHaveCount(2);
  await expect(edges).toHaveCount(1);

  // Copy a node, paste: a new node with a fresh id, selected, carrying the config.
  await selectNode(page, "feature-split-1");
  await page.keyboard.press("Control+c");
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(JSON.parse(copied)).toMatchObject({
    apiVersion: "conveyor/v1",
    nodes: [{ id: "feature-split-1", type: "feature.split", config: { strategy: "time" } }],
    edges: [],
  });
  await page.keyboard.press("Control+v");
  await expect(page.getByTestId("node-feature-split-2")).toBeVisible();
  await expect(nodes).toHaveCount(3);
  await expect(page.getByTestId("selected-node-id")).toHaveText("feature-split-2");
  await expect(page.getByLabel("strategy", { exact: true })).toHaveValue("time");
  // Undo removes the pasted node.
  await page.keyboard.press("Control+z");
  await expect(nodes).toHaveCount(2);

  // Duplicate: a copy of the selection with fresh ids and its inner edges.
  await clickPane(page);
  await page.keyboard.press("Control+a");
  await page.keyboard.press("Control+d");
  await expect(nodes).toHaveCount(4);
  await expect(edges).toHaveCount(2);
  await expect(page.getByTestId("node-ingest-csv-2")).toBeVisible();
  await expect(page.getByTestId("node-feature-split-2")).toBeVisible();
  await expect(page.locator(".react-flow__node.selected")).toHaveCount(2);
  const shot = testInfo.outputPath("editing.png");
  await page.screenshot({ path: shot });
  await testInfo.attach("editing", { path: shot, contentType: "image/png" });

  // Anything else on the clipboard is ignored with a note.
  await page.evaluate(() => navigator.clipboard.writeText("just some text"));
  await clickPane(page);
  await page.keyboard.press("Control+v");
  await expect(page.getByRole("status")).toContainText("Nothing to paste");
  await expect(nodes).toHaveCount(4);

  // Shift-click adds to the selection.
  await selectNode(page, "ingest-csv-1");
  await page.getByTestId("node-feature-split-1").click({ position: { x: 100, y: 18 }, modifiers: ["Shift"] });
  await expect(page.locator(".react-flow__node.selected")).toHaveCount(2);

  // A drag is one undo step, however many pixels it moves.
  await clickPane(page);
  const node = page.getByTestId("node-ingest-csv-1");
  const before = (await node.boundingBox())!;
  await page.mouse.move(before.x + 100, before.y + 18);
  await page.mouse.down();
  await page.mouse.move(before.x + 180, before.y + 90, { steps: 12 });
  await page.mouse.move(before.x + 260, before.y + 160, { steps: 12 });
  await page.mouse.up();
  await expect.poll(async () => (await node.boundingBox())!.x).toBeGreaterThan(before.x + 100);
  await clickPane(page);
  await page.keyboard.press("Control+z");
  await expect.poll(async () => Math.round((await node.boundingBox())!.x)).toBe(Math.round(before.x));
  await expect(nodes).toHaveCount(4);
});

test("paste works across pipelines (clipboard spec JSON)", async ({ page, context, baseURL }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
  await page.setViewportSize({ width: 1600, height: 900 });
  await openEditor(page);
  await expect(page.getByRole("button", { name: "Add CSV dataset" })).toBeVisible();
  await dropNode(page, "ingest.csv", 200, 200);
  await dropNode(page, "feature.split", 560, 200);
  await connect(page, "handle-ingest-csv-1-dataset", "handle-feature-split-1-dataset");
  await clickPane(page);
  await page.keyboard.press("Control+a");
  await page.keyboard.press("Control+x");
  await expect(page.locator(".react-flow__node")).toHaveCount(0);

  // A second editor, in a new tab: the cut nodes arrive with their ids and edge.
  const other = await context.newPage();
  await other.setViewportSize({ width: 1600, height: 900 });
  await openEditor(other);
  await expect(other.getByRole("button", { name: "Add CSV dataset" })).toBeVisible();
  await other.getByTestId("canvas").click({ position: { x: 900, y: 650 } });
  await other.keyboard.press("Control+v");
  await expect(other.getByTestId("node-ingest-csv-1")).toBeVisible();
  await expect(other.getByTestId("node-feature-split-1")).toBeVisible();
  await expect(other.locator(".react-flow__edge")).toHaveCount(1);
});
