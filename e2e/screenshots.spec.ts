/**
 * The editor at the two sizes people use (1280×800 laptop, 1920×1080 desktop):
 * screenshots to look at, plus the checks a glance would make — the toolbar
 * fits, the side panel does not shift the canvas when a node is selected.
 */
import { expect, test } from "@playwright/test";
import { openEditor, selectNode } from "./canvas-actions";

for (const size of [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
]) {
  test(`editor at ${size.width}×${size.height}`, async ({ page }, testInfo) => {
    await page.setViewportSize(size);
    await openEditor(page);
    await page.getByRole("button", { name: "boston-house-prices" }).click();
    await page.getByRole("button", { name: "Note", exact: true }).click();
    await page.keyboard.type("Ridge on Boston housing; gate on R² ≥ 0.6 before deploying.");
    const canvas = page.getByTestId("canvas");
    const before = (await canvas.boundingBox())!;
    await selectNode(page, "train");
    expect((await canvas.boundingBox())!.width).toBe(before.width); // no layout jump

    // Nothing in the toolbar is cut off or wraps.
    const toolbar = page.locator("div.h-12").first();
    const overflow = await toolbar.evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);

    const shot = testInfo.outputPath(`editor-${size.width}x${size.height}.png`);
    await page.screenshot({ path: shot });
    await testInfo.attach(`editor ${size.width}×${size.height}`, { path: shot, contentType: "image/png" });
  });
}
