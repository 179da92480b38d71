/** Canvas actions shared by the e2e specs, done with the mouse as a person would. */
import { expect, type Page } from "@playwright/test";

/** Opens an editor page and waits until it is interactive (hydrated). */
export async function openEditor(page: Page, path = "/pipelines/new") {
  await page.goto(path);
  await expect(page.getByTestId("canvas")).toHaveAttribute("data-ready", "true");
}

export async function dropNode(page: Page, type: string, x: number, y: number) {
  await page.getByTestId(`palette-${type}`).dragTo(page.getByTestId("canvas"), { targetPosition: { x, y } });
}

/** Drags from one handle to another. */
export async function connect(page: Page, from: string, to: string) {
  const a = await page.getByTestId(from).boundingBox();
  const b = await page.getByTestId(to).boundingBox();
  if (!a || !b) throw new Error(`handle not found: ${!a ? from : to}`);
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

/** Clicks the node's title area (not a handle): selects it and opens its settings. */
export async function selectNode(page: Page, id: string) {
  await page.getByTestId(`node-${id}`).click({ position: { x: 100, y: 18 } });
  await expect(page.getByTestId("selected-node-id")).toHaveText(id);
}

/** Saves a new version with a message through the Save dialog. */
export async function saveVersion(page: Page, message: string, version: number) {
  await page.getByRole("button", { name: "Save", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: `Save version ${version}` });
  await dialog.getByLabel("Message").fill(message);
  await dialog.getByRole("button", { name: "Save version" }).click();
  await expect(page.getByTestId("save-status")).toHaveText(`Saved · v${version}`);
  await expect(dialog).toBeHidden();
}

/** Clicks empty canvas: deselects and moves focus out of any form control. */
export async function clickPane(page: Page) {
  await page.getByTestId("canvas").click({ position: { x: 900, y: 650 } });
}

/**
 * Share of pixels that differ clearly (summed RGB distance over 96) between
 * two screenshots of the same size, decoded in the page.
 */
export async function pictureDiff(page: Page, a: Buffer, b: Buffer): Promise<number> {
  return page.evaluate(
    async ([a, b]) => {
      const pixels = async (png: string) => {
        const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${png}`)).blob());
        const ctx = new OffscreenCanvas(bitmap.width, bitmap.height).getContext("2d")!;
        ctx.drawImage(bitmap, 0, 0);
        return ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
      };
      const [p, q] = [await pixels(a), await pixels(b)];
      if (p.length !== q.length) return 1;
      let differ = 0;
      for (let i = 0; i < p.length; i += 4) if (Math.abs(p[i]! - q[i]!) + Math.abs(p[i + 1]! - q[i + 1]!) + Math.abs(p[i + 2]! - q[i + 2]!) > 96) differ++;
      return differ / (p.length / 4);
    },
    [a.toString("base64"), b.toString("base64")] as const,
  );
}
