/**
 * The editor says what it knows before anything runs (issue 17): a target the
 * upstream data no longer has is a problem that blocks Run, picking a text
 * target makes the trainer a classifier, and the gate offers that task's
 * metrics and refuses a threshold no metric can reach.
 */
import { expect, test } from "@playwright/test";
import { openEditor, selectNode } from "./canvas-actions";

test("a stale target blocks Run, the task follows the target, the gate knows the task", async ({ page }, testInfo) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await openEditor(page);
  await page.getByRole("button", { name: "boston-house-prices" }).click();
  const run = page.getByRole("button", { name: "Run", exact: true });
  const problems = page.getByTestId("problems");
  await expect(problems).toContainText("No problems");
  await expect(run).toBeEnabled();

  // Switch the data: the trainer's target (medv) is not in it. Listed under the trainer's label, flagged on the node, Run blocked.
  await selectNode(page, "ingest");
  await page.getByLabel("source", { exact: true }).selectOption("sample:penguins");
  await expect(problems).toContainText("1 problem");
  await expect(problems.getByRole("listitem")).toHaveText(/Linear model\s*target: "medv" is not a column of the input data; its columns: species, island/);
  await expect(page.getByTestId("node-problems-train")).toBeVisible();
  await expect(run).toBeDisabled();
  await page.screenshot({ path: testInfo.outputPath("stale-target.png") });

  // A text target: the task becomes classification, and the form says so.
  await selectNode(page, "train");
  await page.getByLabel("target", { exact: true }).selectOption("species");
  await expect(page.getByLabel("task", { exact: true })).toHaveValue("classification");
  await expect(page.getByTestId("field-note-task")).toHaveText("Task set to classification: species is a text column.");
  await page.screenshot({ path: testInfo.outputPath("task-note.png") });

  // The gate's r2 is no metric of a classifier: it offers the classifier's, and refuses accuracy 1.5, naming the field.
  await expect(problems.getByRole("listitem")).toHaveText([
    /Threshold gate\s*conditions\[0\]\.metric: evaluate scores a classification model, which has no r2/,
  ]);
  await selectNode(page, "gate");
  const metric = page.getByLabel("conditions[0].metric");
  await expect(metric.locator("option")).toHaveText(["r2", "accuracy", "f1", "auc", "logloss"]); // r2 stays shown (flagged) while it is set
  await metric.selectOption("accuracy");
  await page.getByLabel("conditions[0].value").fill("1.5");
  await expect(page.getByRole("group", { name: "conditions" }).getByRole("alert")).toHaveText("value: accuracy lies between 0 and 1, so 1.5 is out of range");
  await expect(run).toBeDisabled();
  await page.getByRole("button", { name: "Add condition" }).click();
  await expect(page.getByLabel("conditions[1].metric")).toHaveValue("accuracy");
  await expect(page.getByLabel("conditions[1].value")).toHaveValue("0.8");
  await expect(page.getByLabel("conditions[1].metric").locator("option")).toHaveText(["accuracy", "f1", "auc", "logloss"]);
  for (const [width, height] of [
    [1440, 900],
    [1024, 768],
  ] as const) {
    await page.setViewportSize({ width, height });
    const shot = testInfo.outputPath(`gate-${width}.png`);
    await page.screenshot({ path: shot });
    await testInfo.attach(`gate form at ${width}px`, { path: shot, contentType: "image/png" });
  }
  await page.getByLabel("conditions[0].value").fill("0.9");
  await expect(problems).toContainText("No problems");
  await expect(run).toBeEnabled();

  // Deploy's name field is the registry name; left empty, the pipeline's name is used.
  await selectNode(page, "deploy");
  const name = page.getByLabel("Registry name", { exact: true });
  await name.fill("");
  await expect(name).toHaveAttribute("placeholder", "boston-house-prices");
  await expect(problems).toContainText("No problems");
});
