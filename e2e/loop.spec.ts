/**
 * The foundation's whole loop through the UI (issue 2 §7): from an empty
 * canvas, drag the six nodes on, connect their ports handle to handle,
 * configure, save, run, wait for success, then check that the deployed
 * model answers on the serving endpoint and that the browser (onnxruntime-web)
 * predicts the same as the server.
 */
import { expect, test } from "@playwright/test";
import { connect, dropNode, saveVersion, selectNode, openEditor } from "./canvas-actions";

const SERVING_URL = (process.env.SERVING_URL ?? "http://127.0.0.1:8080").replace(/\/$/, "");

/** A plausible Boston tract (the first row of the data set, target dropped). */
const BOSTON_ROW: Record<string, number> = {
  crim: 0.00632,
  zn: 18,
  indus: 2.31,
  chas: 0,
  nox: 0.538,
  rm: 6.575,
  age: 65.2,
  dis: 4.09,
  rad: 1,
  tax: 296,
  ptratio: 15.3,
  b: 396.9,
  lstat: 4.98,
};

test("draw, run, serve and preview a model from an empty canvas", async ({ page, request }, testInfo) => {
  test.setTimeout(8 * 60_000);
  await page.setViewportSize({ width: 1600, height: 900 });
  const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const model = `e2e-boston-${suffix}`;

  await openEditor(page);
  await expect(page.getByRole("button", { name: "Add CSV dataset" })).toBeVisible();
  await page.getByLabel("Pipeline name").fill(`e2e loop ${suffix}`);

  // 1. Six nodes, dragged from the palette: two rows of three.
  const drops: [string, number, number][] = [
    ["ingest.csv", 170, 170],
    ["feature.split", 480, 170],
    ["train.linear", 790, 170],
    ["evaluate", 170, 430],
    ["gate.threshold", 480, 430],
    ["deploy.endpoint", 790, 430],
  ];
  for (const [type, x, y] of drops) await dropNode(page, type, x, y);
  await expect(page.locator(".react-flow__node")).toHaveCount(6);
  const id = {
    ingest: "ingest-csv-1",
    split: "feature-split-1",
    train: "train-linear-1",
    evaluate: "evaluate-1",
    gate: "gate-threshold-1",
    deploy: "deploy-endpoint-1",
  };
  for (const nodeId of Object.values(id)) await expect(page.getByTestId(`node-${nodeId}`)).toBeVisible();

  // A refused connection says why and draws nothing.
  await connect(page, `handle-${id.ingest}-dataset`, `handle-${id.gate}-metrics`);
  await expect(page.getByRole("status")).toContainText("dataset cannot feed metrics");
  await expect(page.locator(".react-flow__edge")).toHaveCount(0);

  // 2. Seven typed connections, handle to handle.
  const links: [string, string][] = [
    [`handle-${id.ingest}-dataset`, `handle-${id.split}-dataset`],
    [`handle-${id.split}-train`, `handle-${id.train}-dataset`],
    [`handle-${id.train}-model`, `handle-${id.evaluate}-model`],
    [`handle-${id.split}-test`, `handle-${id.evaluate}-dataset`],
    [`handle-${id.evaluate}-metrics`, `handle-${id.gate}-metrics`],
    [`handle-${id.train}-model`, `handle-${id.deploy}-model`],
    [`handle-${id.gate}-decision`, `handle-${id.deploy}-decision`],
  ];
  for (const [i, [from, to]] of links.entries()) {
    await connect(page, from, to);
    await expect(page.locator(".react-flow__edge")).toHaveCount(i + 1);
  }

  // Unconfigured nodes are flagged while editing.
  await expect(page.getByTestId(`node-problems-${id.train}`)).toBeVisible();

  // 3. Configure through the generated forms.
  await selectNode(page, id.ingest);
  await page.getByLabel("source", { exact: true }).selectOption("sample:boston-housing");
  await selectNode(page, id.train);
  await expect(page.getByTestId("field-error-target")).toContainText("target is required");
  // The input's columns are known (bundled sample upstream): target is a column picker.
  await expect(page.getByLabel("target", { exact: true }).locator("option")).toContainText(["Choose a column…", "crim · number"]);
  await page.getByLabel("target", { exact: true }).selectOption("medv");
  await expect(page.getByRole("group", { name: "features" }).getByRole("checkbox")).toHaveCount(13); // every column but the target
  await expect(page.getByTestId("field-error-target")).toHaveCount(0);
  await selectNode(page, id.gate);
  await page.getByRole("button", { name: "Add condition" }).click();
  await page.getByLabel("conditions[0].metric").selectOption("r2");
  await page.getByLabel("conditions[0].op").selectOption(">=");
  await page.getByLabel("conditions[0].value").fill("0.5");
  await selectNode(page, id.deploy);
  await page.getByLabel("Registry name", { exact: true }).fill(model);

  await expect(page.getByTestId("problems")).toContainText("No problems");
  await page.getByTestId("canvas").click({ position: { x: 1000, y: 700 } }); // deselect
  const canvasShot = testInfo.outputPath("canvas.png");
  await page.screenshot({ path: canvasShot });
  await testInfo.attach("canvas", { path: canvasShot, contentType: "image/png" });

  // 4. Save, then run.
  await saveVersion(page, "First version", 1);
  await expect(page).toHaveURL(/\/pipelines\/[0-9a-f-]{36}$/);
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await page.waitForURL(/\/runs\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("workflow-id")).toHaveText(/\S+/);

  // 5. The run view follows the run live until it succeeds.
  await expect(page.getByTestId("run-status")).toHaveAttribute("data-status", "succeeded", { timeout: 180_000 });
  for (const nodeId of Object.values(id)) await expect(page.getByTestId(`step-${nodeId}`)).toHaveAttribute("data-status", "succeeded");
  await page.getByTestId(`step-${id.evaluate}`).getByRole("button").first().click();
  await expect(page.getByTestId("metric-r2")).toBeVisible();
  const runShot = testInfo.outputPath("run.png");
  await page.screenshot({ path: runShot, fullPage: true });
  await testInfo.attach("run view", { path: runShot, contentType: "image/png" });

  // 6. The deployed version, linked from the deploy step's output.
  await page.getByTestId(`step-${id.deploy}`).getByRole("button").first().click();
  await page.getByRole("link", { name: `${model} v1` }).click();
  await page.waitForURL(new RegExp(`/models/${model}/versions/1$`));

  // 7. Predict in the browser, compare with the server: they agree to 1e-5.
  for (const [name, value] of Object.entries(BOSTON_ROW)) await page.getByLabel(name, { exact: true }).fill(String(value));
  await page.getByRole("button", { name: "Predict in browser" }).click();
  await expect(page.getByTestId("browser-prediction")).toContainText(/\d/, { timeout: 60_000 });
  await page.getByRole("button", { name: "Compare with server" }).click();
  await expect(page.getByTestId("server-prediction")).toContainText(/\d/, { timeout: 30_000 });
  await expect(page.getByTestId("parity")).toHaveAttribute("data-ok", "true");
  await expect(page.getByTestId("parity")).toContainText("✓");
  const browserValue = Number(await page.getByTestId("browser-prediction").locator("[data-value]").getAttribute("data-value"));
  const previewShot = testInfo.outputPath("preview.png");
  await page.screenshot({ path: previewShot, fullPage: true });
  await testInfo.attach("browser preview", { path: previewShot, contentType: "image/png" });

  // 8. The serving endpoint itself (Open Inference Protocol v2) answers a number, the same one.
  const meta = await request.get(`${SERVING_URL}/v2/models/${model}`);
  expect(meta.ok()).toBeTruthy();
  const inputs = ((await meta.json()) as { inputs: { name: string }[] }).inputs;
  const res = await request.post(`${SERVING_URL}/v2/models/${model}/infer`, {
    data: { inputs: inputs.map((i) => ({ name: i.name, shape: [1, 1], datatype: "FP32", data: [BOSTON_ROW[i.name] ?? null] })) },
  });
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { outputs: { name: string; data: unknown[] }[] };
  const prediction = body.outputs.find((o) => o.name === "prediction")?.data[0];
  expect(typeof prediction).toBe("number");
  expect(Math.abs((prediction as number) - browserValue)).toBeLessThanOrEqual(1e-5);
});
