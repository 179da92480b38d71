/**
 * Node type versions in the editor: a pipeline saved with evaluate pinned to
 * version 1 shows a "v1" badge on the card; the node's settings offer
 * "Upgrade to v2", which shows the config change before applying it as one
 * undoable edit, and the next saved version has evaluate at version 2.
 * Screenshots of the upgrade dialog at 1440×900 and 1024×768.
 */
import fs from "node:fs";
import { expect, test } from "@playwright/test";
import { openEditor, saveVersion, selectNode } from "./canvas-actions";

type SpecNode = { id: string; type: string; version?: number; config: Record<string, unknown> };
const boston = JSON.parse(fs.readFileSync(new URL("../contract/templates/boston-housing.pipeline.json", import.meta.url), "utf8")) as { nodes: SpecNode[] };

async function savedWithEvaluateV1(request: import("@playwright/test").APIRequestContext, name: string): Promise<string> {
  const spec = { ...structuredClone(boston), name, nodes: boston.nodes.map((n) => (n.id === "evaluate" ? { ...n, version: 1 } : n)) };
  const res = await request.post("/api/v1/pipelines?message=Pinned%20to%20evaluate%20v1", { data: spec });
  expect(res.status()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

test("upgrade a node pinned to evaluate v1: badge, diff, apply (undoable), save as version 2", async ({ page, request }, testInfo) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const id = await savedWithEvaluateV1(request, `upgrade-${Date.now()}`);
  await openEditor(page, `/pipelines/${id}`);
  await expect(page.locator(".react-flow__node")).toHaveCount(6);
  await expect(page.getByTestId("save-status")).toHaveText("Saved · v1");

  // Only the pinned, older node carries a version badge.
  await expect(page.getByTestId("node-version-evaluate")).toHaveText("v1");
  await expect(page.locator("[data-testid^=node-version-]")).toHaveCount(1);

  await selectNode(page, "evaluate");
  const notice = page.getByTestId("upgrade-notice");
  await expect(notice).toContainText("This node uses evaluate v1; v2 is the newest.");
  await notice.getByRole("button", { name: "Upgrade to v2" }).click();

  const dialog = page.getByRole("dialog", { name: "Upgrade evaluate to evaluate v2" });
  const diff = dialog.getByTestId("upgrade-diff");
  await expect(diff.locator('tr[data-field="version"] td')).toHaveText(["version", "1", "2"]);
  await expect(diff.locator('tr[data-field="config.compareWithChampion"] td')).toHaveText(["config.compareWithChampion", "—", "false"]);
  await expect(dialog).toContainText("registryName");
  await page.screenshot({ path: testInfo.outputPath("upgrade-dialog-1440x900.png") });
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.screenshot({ path: testInfo.outputPath("upgrade-dialog-1024x768.png") });
  await page.setViewportSize({ width: 1440, height: 900 });

  // Cancel changes nothing.
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("node-version-evaluate")).toHaveText("v1");

  await notice.getByRole("button", { name: "Upgrade to v2" }).click();
  await dialog.getByRole("button", { name: "Apply upgrade" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("node-version-evaluate")).toHaveCount(0);
  await expect(page.getByTestId("upgrade-notice")).toHaveCount(0);
  await expect(page.getByLabel("compareWithChampion")).toBeVisible(); // the v2 form

  // One undo step takes the whole upgrade back; redo applies it again.
  await page.getByTestId("canvas").click({ position: { x: 300, y: 760 } }); // empty canvas: deselect, focus out of the form
  await page.keyboard.press("Control+z");
  await expect(page.getByTestId("node-version-evaluate")).toHaveText("v1");
  await page.keyboard.press("Control+Shift+z");
  await expect(page.getByTestId("node-version-evaluate")).toHaveCount(0);

  await selectNode(page, "evaluate");
  await page.screenshot({ path: testInfo.outputPath("upgraded-1440x900.png") });
  await saveVersion(page, "Upgrade evaluate to v2", 2);
  const saved = await page.evaluate(
    async (pid) => (await (await fetch(`/api/v1/pipelines/${pid}`)).json()) as { version: number; spec: { nodes: SpecNode[] } },
    id,
  );
  expect(saved.version).toBe(2);
  expect(saved.spec.nodes.find((n) => n.id === "evaluate")).toMatchObject({ type: "evaluate", version: 2, config: { compareWithChampion: false } });
  // The other nodes were saved without a version (as they were), so they stay "the newest".
  expect(saved.spec.nodes.filter((n) => n.id !== "evaluate" && n.version !== undefined)).toEqual([]);
});
