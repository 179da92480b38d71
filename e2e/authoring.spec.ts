/**
 * Authoring on the canvas (issue 3): quick-add (Ctrl+K), keyboard navigation
 * between nodes, the Edit menu, auto-layout (undoable), sticky notes (with
 * copy/paste), the zoomed-out level of detail and the picture painted while
 * the view or nodes move.
 */
import { writeFileSync } from "node:fs";
import { expect, test, type TestInfo } from "@playwright/test";
import { clickPane, connect, dropNode, pictureDiff, saveVersion, selectNode, openEditor } from "./canvas-actions";

test.beforeEach(async ({ page }) => {
  await page.setViewportSize({ width: 1600, height: 900 });
});

test("quick-add inserts and connects after the selection; Alt+arrows walk the graph; the Edit menu acts", async ({ page }, testInfo) => {
  await openEditor(page);
  const nodes = page.locator(".react-flow__node");
  const edges = page.locator(".react-flow__edge");
  await dropNode(page, "ingest.csv", 260, 300);
  await expect(page.getByTestId("selected-node-id")).toHaveText("ingest-csv-1");

  // Ctrl+K, type, Enter: the new node lands after the selected one, connected.
  await page.keyboard.press("Control+k");
  const quick = page.getByRole("dialog");
  await expect(quick.getByRole("combobox")).toBeFocused();
  await expect(quick.getByRole("combobox")).toHaveAttribute("placeholder", "Add a node after ingest-csv-1…");
  await page.keyboard.type("split");
  await expect(quick.getByRole("option", { selected: true })).toContainText("Train/test split");
  await page.keyboard.press("Enter");
  await expect(quick).toBeHidden();
  await expect(nodes).toHaveCount(2);
  await expect(edges).toHaveCount(1);
  await expect(page.getByTestId("selected-node-id")).toHaveText("feature-split-1");
  await page.keyboard.press("Control+k");
  await page.keyboard.type("linear");
  await expect(quick.getByRole("option", { selected: true })).toContainText("Linear model");
  await page.keyboard.press("Enter");
  await expect(nodes).toHaveCount(3);
  await expect(edges).toHaveCount(2);
  await expect(page.getByTestId("selected-node-id")).toHaveText("train-linear-1");
  await expect(page.locator('.react-flow__edge[data-id="feature-split-1.train-train-linear-1.dataset"]')).toHaveCount(1);
  // Undo removes the quick-added node and its edge in one step.
  await clickPane(page);
  await page.keyboard.press("Control+z");
  await expect(nodes).toHaveCount(2);
  await expect(edges).toHaveCount(1);
  await page.keyboard.press("Control+Shift+z");
  await expect(nodes).toHaveCount(3);

  // Keyboard navigation: Alt+arrows move selection and focus to the neighbour.
  await page.getByRole("button", { name: "Fit view" }).click();
  await selectNode(page, "ingest-csv-1");
  await page.keyboard.press("Alt+ArrowRight");
  await expect(page.getByTestId("selected-node-id")).toHaveText("feature-split-1");
  await expect(page.locator('.react-flow__node[data-id="feature-split-1"]')).toBeFocused();
  await page.keyboard.press("Alt+ArrowRight");
  await expect(page.getByTestId("selected-node-id")).toHaveText("train-linear-1");
  await page.keyboard.press("Alt+ArrowLeft");
  await expect(page.getByTestId("selected-node-id")).toHaveText("feature-split-1");
  const shot = testInfo.outputPath("keyboard-focus.png");
  await page.screenshot({ path: shot });
  await testInfo.attach("keyboard focus", { path: shot, contentType: "image/png" });
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("selected-node-id")).toHaveCount(0);

  // The Edit menu does what the shortcuts do.
  await selectNode(page, "feature-split-1");
  await page.getByRole("button", { name: "Edit" }).click();
  await page.getByRole("menuitem", { name: /Duplicate/ }).click();
  await expect(nodes).toHaveCount(4);
  await expect(page.getByTestId("selected-node-id")).toHaveText("feature-split-2");
  await page.getByRole("button", { name: "Edit" }).click();
  await page.getByRole("menuitem", { name: /Delete/ }).click();
  await expect(nodes).toHaveCount(3);
  await page.getByRole("button", { name: "Edit" }).click();
  await page.getByRole("menuitem", { name: /^Undo/ }).click();
  await expect(nodes).toHaveCount(4);
});

test("auto-layout arranges left to right in one undoable step", async ({ page }, testInfo) => {
  await openEditor(page);
  // Deliberately backwards: the split sits left of and above its input.
  await dropNode(page, "feature.split", 200, 150);
  await dropNode(page, "ingest.csv", 700, 520);
  await connect(page, "handle-ingest-csv-1-dataset", "handle-feature-split-1-dataset");
  // While the view animates, cards are painted on the motion canvas and their DOM boxes are empty (all zero).
  const box = (id: string) => page.getByTestId(`node-${id}`).evaluate((el) => el.getBoundingClientRect().toJSON() as DOMRect);
  expect((await box("ingest-csv-1")).x).toBeGreaterThan((await box("feature-split-1")).x);

  await page.getByRole("button", { name: "Auto-layout" }).click();
  await expect.poll(async () => (await box("feature-split-1")).x - ((await box("ingest-csv-1")).x + (await box("ingest-csv-1")).width)).toBeGreaterThan(20);
  // The view then fits the new layout with a 300 ms animation: wait until it stands still, and read
  // both cards in the same frame (two separate reads straddled a frame of it once).
  const viewport = page.locator(".react-flow__viewport");
  let last = "";
  await expect
    .poll(
      async () => {
        const now = (await viewport.getAttribute("style")) ?? "";
        const still = now === last;
        last = now;
        return still;
      },
      { intervals: [150] },
    )
    .toBe(true);
  await expect(page.locator(".react-flow")).not.toHaveClass(/conveyor-moving/);
  const [a, b] = await page.evaluate(() =>
    ["ingest-csv-1", "feature-split-1"].map((id) => {
      const r = document.querySelector(`[data-testid="node-${id}"]`)!.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width };
    }),
  );
  expect(b!.x - (a!.x + a!.width)).toBeGreaterThan(20);
  expect(Math.abs(a!.y - b!.y)).toBeLessThan(60); // one row: a chain reads left to right
  const shot = testInfo.outputPath("auto-layout.png");
  await page.screenshot({ path: shot });
  await testInfo.attach("auto-layout", { path: shot, contentType: "image/png" });

  await clickPane(page);
  await page.keyboard.press("Control+z");
  await expect.poll(async () => (await box("ingest-csv-1")).x > (await box("feature-split-1")).x).toBe(true);
});

test("sticky notes: add, write, recolour, delete with undo, and saved with the version", async ({ page }) => {
  await openEditor(page);
  await dropNode(page, "ingest.csv", 260, 300);
  await page.getByRole("button", { name: "Note", exact: true }).click();
  const note = page.getByTestId("note-note-1");
  await expect(note).toBeVisible();
  await expect(note.getByRole("textbox")).toBeFocused();
  await page.keyboard.type("Boston data: medv is the target");
  await note.getByRole("button", { name: "Note colour blue" }).click();
  await expect(note.getByRole("button", { name: "Note colour blue" })).toHaveAttribute("aria-pressed", "true");

  await selectNode(page, "ingest-csv-1");
  await page.getByLabel("source", { exact: true }).selectOption("sample:boston-housing");
  await saveVersion(page, "With a note", 1);
  await page.reload();
  await expect(page.getByTestId("note-note-1").getByRole("textbox")).toHaveValue("Boston data: medv is the target");
  const spec = await page.evaluate(async () => {
    const id = location.pathname.split("/").pop();
    return (await (await fetch(`/api/v1/pipelines/${id}`)).json()) as { spec: { notes: { id: string; text: string; color: string }[] } };
  });
  expect(spec.spec.notes).toEqual([expect.objectContaining({ id: "note-1", text: "Boston data: medv is the target", color: "blue" })]);

  // Select the note (its top strip) and delete it; undo brings it back.
  const strip = (await page.getByTestId("note-note-1").boundingBox())!;
  await page.mouse.click(strip.x + strip.width - 20, strip.y + 8);
  await page.keyboard.press("Delete");
  await expect(page.getByTestId("note-note-1")).toHaveCount(0);
  await page.keyboard.press("Control+z");
  await expect(page.getByTestId("note-note-1")).toBeVisible();

  // Copy and paste a note with a node: both come back as new, selected items.
  await page.mouse.click(strip.x + strip.width - 20, strip.y + 8);
  await page.getByTestId("node-ingest-csv-1").click({ position: { x: 100, y: 18 }, modifiers: ["Shift"] });
  await page.keyboard.press("Control+c");
  await page.keyboard.press("Control+v");
  await expect(page.getByRole("status")).toHaveText("Pasted 1 node and 1 note");
  await expect(page.getByTestId("note-note-2").getByRole("textbox")).toHaveValue("Boston data: medv is the target");
  await expect(page.getByTestId("node-ingest-csv-2")).toBeVisible();
});

test("zoomed out, cards become light blocks with the same ports over painted edges; zoomed in again, full cards", async ({ page }) => {
  await openEditor(page);
  await page.getByRole("button", { name: "boston-house-prices" }).click();
  const edges = page.locator(".react-flow__edge");
  const count = await edges.count();
  expect(count).toBeGreaterThan(4);
  const card = page.getByTestId("node-split");
  await expect(card).not.toHaveAttribute("data-detail", "low");
  // While the view animates (the opening fit, a zoom) the cards are out of the page and the motion canvas paints them.
  let shown: { width: number; height: number } | null = null;
  await expect.poll(async () => (shown = await card.boundingBox()) !== null).toBe(true);
  const before = shown!;
  // Where each port sits in its card, as a fraction of the card's size (zoom-independent).
  const ports = () =>
    card.evaluate((el) => {
      const c = el.getBoundingClientRect();
      return [...el.querySelectorAll(".react-flow__handle")].map((h) => {
        const r = h.getBoundingClientRect();
        return [
          h.getAttribute("data-handleid"),
          ((r.left + r.width / 2 - c.left) / c.width).toFixed(2),
          ((r.top + r.height / 2 - c.top) / c.height).toFixed(2),
        ];
      });
    });
  let portsBefore: string[][] = [];
  await expect.poll(async () => (portsBefore = (await ports()) as string[][]).length > 0 && !JSON.stringify(portsBefore).includes("NaN")).toBe(true);
  const zoomOut = page.getByRole("button", { name: "Zoom Out" });
  // React Flow's zoom-out button divides the zoom by 1.2 per click.
  for (let i = 0; i < 8 && (await card.getAttribute("data-detail")) !== "low"; i++) await zoomOut.click();
  await expect(card).toHaveAttribute("data-detail", "low");
  await expect(card).toHaveText("");
  // Same box (scaled): React Flow's measurements stay valid. The edges are painted under the blocks, not mounted.
  await expect
    .poll(async () => {
      const b = await card.boundingBox();
      return b ? b.height / b.width : NaN;
    })
    .toBeCloseTo(before.height / before.width, 2);
  await expect(edges).toHaveCount(0);
  await expect(page.getByTestId("motion-canvas")).toBeVisible();
  // Ports are where they were, so edges drawn from either form meet them.
  await expect.poll(ports).toEqual(portsBefore);
  await page.getByRole("button", { name: "Zoom In" }).click();
  await page.getByRole("button", { name: "Zoom In" }).click();
  await expect(card).not.toHaveAttribute("data-detail", "low");
  await expect(edges).toHaveCount(count);
  await expect(page.getByTestId("motion-canvas")).toBeHidden();

  // Past ten nodes a minimap appears; clicking in it moves the view there.
  await clickPane(page);
  await page.keyboard.press("Control+a");
  await page.keyboard.press("Control+d");
  await expect(page.locator(".react-flow__node")).toHaveCount(12);
  const minimap = page.getByRole("group", { name: "Minimap" });
  await expect(minimap).toBeVisible();
  const transform = () => page.locator(".react-flow__viewport").evaluate((el) => (el as HTMLElement).style.transform);
  const was = await transform();
  await minimap.click({ position: { x: 10, y: 90 } });
  await expect.poll(transform).not.toBe(was);
});

async function attachShot(testInfo: TestInfo, name: string, body: Buffer) {
  const path = testInfo.outputPath(`${name}.png`);
  writeFileSync(path, body);
  await testInfo.attach(name, { path, contentType: "image/png" });
}

test("while the view pans or a node is dragged, one painted canvas shows the same picture as the cards", async ({ page }, testInfo) => {
  await openEditor(page);
  await page.getByRole("button", { name: "boston-house-prices" }).click();
  await page.getByRole("button", { name: "Note", exact: true }).click();
  await page.keyboard.type("Painted while the view moves");
  // A selected note (colour swatches, resize handles) and a selected card (ring) in the picture.
  const strip = (await page.getByTestId("note-note-1").boundingBox())!;
  await page.mouse.click(strip.x + strip.width - 20, strip.y + 8);
  await page.getByTestId("node-split").click({ position: { x: 100, y: 18 }, modifiers: ["Shift"] });
  await expect(page.getByRole("button", { name: "Note colour yellow" })).toBeVisible();
  const flow = page.locator(".react-flow");
  const clip = (await flow.boundingBox())!;
  const grab = await page.evaluate(({ x, y, width, height }) => {
    for (let gy = y + height - 40; gy > y + 40; gy -= 20)
      for (let gx = x + 80; gx < x + width - 200; gx += 20)
        if (document.elementFromPoint(gx, gy)?.classList.contains("react-flow__pane")) return { x: gx, y: gy };
    return null;
  }, clip);
  expect(grab, "an empty point of the pane").not.toBeNull();
  await expect(page.getByRole("status")).toBeHidden({ timeout: 10_000 }); // the template's toast
  const settled = await page.screenshot({ clip });

  // Pan away and back, holding the button: the view is where it was, drawn by the canvas.
  await page.mouse.move(grab!.x, grab!.y);
  await page.mouse.down();
  await page.mouse.move(grab!.x + 60, grab!.y - 30, { steps: 4 });
  await page.mouse.move(grab!.x, grab!.y, { steps: 4 });
  await expect(flow).toHaveClass(/conveyor-moving/);
  await expect(page.getByTestId("motion-canvas")).toBeVisible();
  await expect(page.getByTestId("node-train")).toBeHidden();
  await expect(page.locator(".react-flow__edges")).toBeHidden();
  const panning = await page.screenshot({ clip });
  await page.mouse.up();
  await expect(flow).not.toHaveClass(/conveyor-moving/);
  await expect(page.getByTestId("node-train")).toBeVisible();
  await expect(page.getByTestId("motion-canvas")).toBeHidden();
  for (const [name, body] of [
    ["settled", settled],
    ["panning", panning],
  ] as const)
    await attachShot(testInfo, name, body);
  const painted = await pictureDiff(page, settled, panning);
  expect(painted, "pixels that differ between the cards and the painted picture").toBeLessThan(0.02);

  // Mid-drag, the dragged card and its edges are painted where the drop leaves them.
  const card = (await page.getByTestId("node-gate").boundingBox())!;
  await page.mouse.move(card.x + 100, card.y + 18);
  await page.mouse.down();
  await page.mouse.move(card.x + 100, card.y + 118, { steps: 6 });
  await expect(flow).toHaveClass(/conveyor-moving/);
  await expect(page.getByTestId("node-gate")).toBeHidden();
  const dragging = await page.screenshot({ clip });
  await page.mouse.up();
  await expect(page.getByTestId("node-gate")).toBeVisible();
  const dropped = await page.screenshot({ clip });
  for (const [name, body] of [
    ["dragging", dragging],
    ["dropped", dropped],
  ] as const)
    await attachShot(testInfo, name, body);
  expect((await page.getByTestId("node-gate").boundingBox())!.y).toBeGreaterThan(card.y + 50);
  expect(await pictureDiff(page, dropped, dragging)).toBeLessThan(0.02);
  // Against the picture before the drag, the difference is the moved card: the comparison sees it.
  expect(await pictureDiff(page, settled, dragging)).toBeGreaterThan(2 * painted + 0.002);

  // Dragged to the canvas's edge, the view pans under the card (React Flow's auto-pan): still one drag, still painted.
  const at = (await page.getByTestId("node-gate").boundingBox())!;
  const transform = () => page.locator(".react-flow__viewport").evaluate((el) => (el as HTMLElement).style.transform);
  const before = await transform();
  // Count the times the DOM comes back: once, at the drop (not between the pan's steps).
  await flow.evaluate((el) => {
    const w = window as unknown as { domShown: number };
    w.domShown = 0;
    new MutationObserver(() => {
      if (!el.classList.contains("conveyor-moving")) w.domShown++;
    }).observe(el, { attributes: true, attributeFilter: ["class"] });
  });
  const domShown = () => page.evaluate(() => (window as unknown as { domShown: number }).domShown);
  await page.mouse.move(at.x + 100, at.y + 18);
  await page.mouse.down();
  await page.mouse.move(clip.x + clip.width - 10, at.y + 18, { steps: 8 });
  await expect.poll(transform).not.toBe(before);
  await expect(flow).toHaveClass(/conveyor-moving/);
  await expect(page.getByTestId("node-gate")).toBeHidden();
  expect(await domShown()).toBe(0);
  await page.mouse.up();
  await expect(flow).not.toHaveClass(/conveyor-moving/);
  await expect(page.getByTestId("node-gate")).toBeVisible();
  expect(await domShown()).toBe(1);
});
