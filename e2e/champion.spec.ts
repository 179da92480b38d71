/**
 * Champion and challenger in the UI: a person approves a challenger from the
 * approvals inbox (after comparing its metrics with the champion's and
 * previewing it on a held-out CSV in the browser) and sees the endpoint serve
 * it; a person rolls a model back from its page and sees the endpoint serve
 * the previous version, with the move and its reason in the timelines.
 * Pipelines are created through the REST API (Boston housing: seconds a run).
 */
import fs from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { championSpec as bostonSpec } from "../testing/specs";

const SERVING_URL = (process.env.SERVING_URL ?? "http://127.0.0.1:8080").replace(/\/$/, "");

const anyGate = { id: "gate", type: "gate.threshold", config: { conditions: [{ metric: "r2", op: ">=", value: -100 }] } };

const uid = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;

async function json<T>(res: Awaited<ReturnType<APIRequestContext["get"]>>): Promise<T> {
  expect(res.ok(), `${res.url()}: ${res.status()} ${await res.text()}`).toBeTruthy();
  return (await res.json()) as T;
}

async function createPipeline(request: APIRequestContext, spec: object): Promise<string> {
  return (await json<{ id: string }>(await request.post("/api/v1/pipelines", { data: spec }))).id;
}

async function saveVersion(request: APIRequestContext, id: string, spec: object): Promise<void> {
  await json(await request.put(`/api/v1/pipelines/${id}`, { data: spec }));
}

async function startRun(request: APIRequestContext, id: string): Promise<string> {
  return (await json<{ runId: string }>(await request.post(`/api/v1/pipelines/${id}/runs`, { data: {} }))).runId;
}

async function runStatus(request: APIRequestContext, runId: string): Promise<string> {
  return (await json<{ status: string }>(await request.get(`/api/v1/runs/${runId}`))).status;
}

async function runToSuccess(request: APIRequestContext, id: string): Promise<string> {
  const runId = await startRun(request, id);
  await expect.poll(() => runStatus(request, runId), { timeout: 90_000, intervals: [500] }).toBe("succeeded");
  return runId;
}

/** What the endpoint serves: the version in its metadata, and the version that answers an OIP v2 infer. */
async function served(request: APIRequestContext, model: string): Promise<string> {
  const meta = await request.get(`${SERVING_URL}/v2/models/${model}`);
  if (!meta.ok()) return `HTTP ${meta.status()}`;
  const m = (await meta.json()) as { inputs: { name: string }[]; parameters: { version: number } };
  const res = await request.post(`${SERVING_URL}/v2/models/${model}/infer`, {
    data: { inputs: m.inputs.map((i) => ({ name: i.name, shape: [1, 1], datatype: "FP32", data: [i.name === "rm" ? 6.5 : 5] })) },
  });
  if (!res.ok()) return `infer HTTP ${res.status()}`;
  const body = (await res.json()) as { model_version?: string };
  return `metadata v${m.parameters.version}, answered by v${body.model_version}`;
}

/** The last 100 rows of the Boston data set, header first: a held-out sample for the preview. */
function holdoutCsv(): string {
  const file = path.join(process.cwd(), "node_modules", "@stdlib", "datasets-harrison-boston-house-prices", "data", "data.csv");
  const lines = fs.readFileSync(file, "utf8").trim().split("\n");
  return [lines[0], ...lines.slice(-100)].join("\n") + "\n";
}

test.beforeEach(async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
});

test("approve a challenger from the inbox and see it serve", async ({ page, request }, testInfo) => {
  test.setTimeout(4 * 60_000);
  const model = `appr-ui-${uid()}`;
  const name = `${model}-retrain`;
  // A penalty of its own: no other pipeline's cached training is reused, so the champion's lineage is this pipeline's v1.
  const l2 = 1 + Math.random();
  // A champion first (v1, replace), then a challenger that waits for a person.
  const id = await createPipeline(request, bostonSpec(name, { gate: anyGate, features: ["rm", "lstat"], l2, deploy: { model } }));
  await runToSuccess(request, id);
  await expect.poll(() => served(request, model), { timeout: 30_000 }).toBe("metadata v1, answered by v1");
  const approvalGate = { id: "gate", type: "gate.approval", config: { timeout: "1h", instructions: "Check r2 against the champion before it ships." } };
  await saveVersion(request, id, bostonSpec(name, { gate: approvalGate, features: ["rm", "lstat", "ptratio"], l2, deploy: { model } }));
  const runId = await startRun(request, id);

  // The run says what it waits for, and where.
  await page.goto(`/runs/${runId}`);
  await expect(page.getByTestId("waiting-for")).toContainText(`Step gate waits for a person to approve ${model}`, { timeout: 60_000 });
  await expect(page.getByTestId("waiting-for").getByRole("link", { name: "Open the approval →" })).toHaveAttribute("href", /^\/approvals\/[0-9a-f-]{36}$/);

  // The inbox lists it as waiting, with its pipeline (linked) and run; the nav counts it.
  await page.goto("/approvals");
  const row = page.getByTestId("approval-row").filter({ hasText: model });
  await expect(row).toHaveAttribute("data-status", "pending", { timeout: 60_000 });
  await expect(row.getByRole("link", { name: `${name} v2` })).toBeVisible();
  await expect(row.getByRole("link", { name: runId.slice(0, 8) })).toHaveAttribute("href", `/runs/${runId}`);
  await expect(row).toContainText("champion v1");
  await expect(row).toContainText(/in (59|60) min/);
  await expect(page.getByTestId("pending-approvals")).toHaveText(/^[1-9]\d*$/);
  await row.getByRole("link", { name: model, exact: true }).click();
  await expect(page).toHaveURL(/\/approvals\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("instructions")).toHaveText("Check r2 against the champion before it ships.");

  // Both sides' metrics, the better one marked, measured on the same rows.
  const r2 = page.getByTestId("metric-r2");
  await expect(r2.getByTestId("challenger-value")).toHaveText(/^0\.\d+$/);
  await expect(r2.getByTestId("champion-value")).toHaveText(/^0\.\d+$/);
  const challenger = Number(await r2.getByTestId("challenger-value").textContent());
  const champion = Number(await r2.getByTestId("champion-value").textContent());
  await expect(r2).toHaveAttribute("data-better", challenger > champion ? "challenger" : challenger < champion ? "champion" : "tie");
  await expect(page.getByTestId("metrics-note")).toContainText("same");
  // What changed since the champion's pipeline version, with the canvas diff a click away.
  await expect(page.getByTestId("diff-node-train")).toContainText("config.features");
  await expect(page.getByTestId("diff-node-gate")).toContainText("gate.approval");
  await expect(page.getByRole("link", { name: "Compare v1 → v2 on the canvas" })).toHaveAttribute("href", `/pipelines/${id}/compare?from=1&to=2`);

  // The preview: a CSV without a model column is refused by name; a held-out sample is scored in the browser.
  await page.getByLabel("Sample CSV").setInputFiles({ name: "partial.csv", mimeType: "text/csv", buffer: Buffer.from("rm,lstat,medv\n6.5,5,24\n") });
  await expect(page.getByTestId("sample-error")).toContainText('the CSV has no column "ptratio"');
  await page.getByLabel("Sample CSV").setInputFiles({ name: "holdout.csv", mimeType: "text/csv", buffer: Buffer.from(holdoutCsv()) });
  await expect(page.getByTestId("sample-result")).toContainText("holdout.csv · 100 rows", { timeout: 60_000 });
  await expect(page.getByTestId("sample-predictions").getByTestId("sample-prediction")).toHaveCount(10);
  const mae = Number(await page.getByTestId("sample-metric").locator('[data-metric="mae"] [data-value]').getAttribute("data-value"));
  expect(mae).toBeGreaterThan(0.5);
  expect(mae).toBeLessThan(10);
  const shot = testInfo.outputPath("approval.png");
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach("approval", { path: shot, contentType: "image/png" });

  // Approve with a comment: who and when replace the buttons.
  const decision = page.getByTestId("decision");
  await decision.getByLabel("Comment").fill("r2 is up and the sample looks sane");
  await decision.getByRole("button", { name: "Approve" }).click();
  await expect(decision).toContainText("Approved by");
  await expect(decision.getByTestId("actor-user")).toBeVisible();
  await expect(page.getByTestId("decision-comment")).toHaveText("r2 is up and the sample looks sane");
  await expect(decision.getByRole("button")).toHaveCount(0);

  // The run carries on and the endpoint serves the challenger.
  await expect.poll(() => runStatus(request, runId), { timeout: 90_000, intervals: [500] }).toBe("succeeded");
  await expect.poll(() => served(request, model), { timeout: 30_000 }).toBe("metadata v2, answered by v2");
  await page.goto("/approvals");
  await expect(page.getByTestId("approval-row").filter({ hasText: model })).toHaveAttribute("data-status", "approved");
});

test("roll back from the model page", async ({ page, request }) => {
  test.setTimeout(4 * 60_000);
  const model = `rollback-ui-${uid()}`;
  const name = `${model}-nightly`;
  const l2 = 1 + Math.random();
  const id = await createPipeline(request, bostonSpec(name, { gate: anyGate, features: ["rm", "lstat"], l2, deploy: { model } }));
  await runToSuccess(request, id);
  await saveVersion(request, id, bostonSpec(name, { gate: anyGate, features: ["rm", "lstat"], l2: l2 + 20, deploy: { model } }));
  const second = await runToSuccess(request, id);
  await expect.poll(() => served(request, model), { timeout: 30_000 }).toBe("metadata v2, answered by v2");

  await page.goto(`/models/${model}`);
  await expect(page.getByTestId("alias-champion")).toHaveText("champion → v2");
  // The timeline names the pipeline that moved champion and links its run.
  const moved = page.getByTestId("alias-event").first();
  await expect(moved.getByTestId("actor-pipeline")).toContainText(name);
  await expect(moved.getByTestId("actor-pipeline")).toHaveAttribute("href", `/runs/${second}`);
  // The endpoint that follows champion links to its page.
  await expect(page.getByTestId(`serving-${model}`).getByRole("link", { name: model })).toHaveAttribute("href", `/deployments/${model}`);

  await page.getByRole("button", { name: "Roll back", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Roll back champion" });
  await expect(dialog).toContainText("Moves champion from v2 back to v1");
  const confirm = dialog.getByRole("button", { name: "Roll back to v1" });
  await expect(confirm).toBeDisabled(); // a reason is required
  await dialog.getByLabel("Reason").fill("v2 prices the harbour tracts too high");
  await confirm.click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("alias-champion")).toHaveText("champion → v1");
  const event = page.getByTestId("alias-event").first();
  await expect(event).toContainText("v2 → v1");
  await expect(event.getByTestId("alias-event-reason")).toHaveText("v2 prices the harbour tracts too high");
  await expect(event.getByTestId("actor-user")).toBeVisible();

  // The endpoint answers with v1 again; its page shows the move, who and why.
  await expect.poll(() => served(request, model), { timeout: 30_000 }).toBe("metadata v1, answered by v1");
  await page.goto(`/deployments/${model}`);
  const latest = page.getByTestId("history-entry").first();
  await expect(latest).toHaveAttribute("data-kind", "alias-moved");
  await expect(latest).toContainText("champion: v2 → v1");
  await expect(latest).toContainText("v2 prices the harbour tracts too high");
  await expect(page.getByTestId("route").first()).toContainText("v1");
});

test("a canary on the deployment pages: a stale promote is refused by field, then a version promoted by hand", async ({ page, request }) => {
  test.setTimeout(4 * 60_000);
  const model = `canary-ui-${uid()}`;
  const name = `${model}-nightly`;
  const l2 = 1 + Math.random();
  const id = await createPipeline(request, bostonSpec(name, { gate: anyGate, features: ["rm", "lstat"], l2, deploy: { model } }));
  await runToSuccess(request, id);
  const canary = { model, strategy: "canary", canary: { steps: [10, 50, 100], interval: "30m", rollback: { maxErrorRate: 0.2, minRequests: 5 } } };
  await saveVersion(request, id, bostonSpec(name, { gate: anyGate, features: ["rm", "lstat"], l2: l2 + 20, deploy: canary }));
  const runId = await startRun(request, id);
  const rollout = async () =>
    (await json<{ rollout: { strategy: string } | null }>(await request.get(`/api/v1/deployments/${model}`))).rollout?.strategy ?? "none";
  await expect.poll(rollout, { timeout: 90_000, intervals: [500] }).toBe("canary");

  // The list: routes by weight and the rollout's step.
  await page.goto("/deployments");
  const row = page.getByTestId(`deployment-${model}`);
  await expect(row).toContainText("canary · step 1 of 3 (10%)");
  await expect(row.locator('[data-route="v1"][data-mode="live"]')).toHaveAttribute("data-weight", "90");
  await expect(row.locator('[data-route="v2"][data-mode="live"]')).toHaveAttribute("data-weight", "10");
  await row.getByRole("link", { name: model, exact: true }).first().click();
  await expect(page).toHaveURL(new RegExp(`/deployments/${model}$`));
  await expect(page.getByTestId("canary-step")).toContainText("Step 1 of 3");
  await expect(page.getByRole("link", { name: `run ${runId.slice(0, 8)}`, exact: true })).toHaveAttribute("href", `/runs/${runId}`);
  await page.goto(`/runs/${runId}`);
  await page.getByTestId("waiting-for").getByRole("link", { name: "See the deployment →" }).click();
  await expect(page).toHaveURL(new RegExp(`/deployments/${model}$`));
  await expect(page.getByTestId("history-entry").first()).toHaveAttribute("data-kind", "canary-step");
  await expect(page.getByTestId("history-entry").first()).toContainText("v1 90% · v2 10%");

  // Someone else ends the rollout while the promote dialog is open: the stale promote is refused, naming the field.
  await page.getByRole("button", { name: "Promote v2" }).click();
  const dialog = page.getByRole("dialog", { name: "Promote v2 now" });
  await dialog.getByLabel("Reason").fill("the canary looks healthy");
  await json(await request.post(`/api/v1/deployments/${model}/rollback`, { data: { reason: "rolled back from the API" } }));
  await dialog.getByRole("button", { name: "Promote v2" }).click();
  const refused = dialog.getByTestId("action-error");
  await expect(refused).toContainText("Refused (422)");
  await expect(refused).toContainText("has no rollout in progress");
  await expect(refused).toContainText("version: which version to promote");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect.poll(() => runStatus(request, runId), { timeout: 60_000, intervals: [500] }).not.toBe("running");

  // Stable again: promote v2 by hand, with a reason; the endpoint serves it and the history says who and why.
  await expect(page.getByRole("button", { name: "Promote…" })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId("history-entry").first()).toHaveAttribute("data-kind", "rolled-back");
  await page.getByRole("button", { name: "Promote…" }).click();
  const promote = page.getByRole("dialog", { name: `Promote a version of ${model}` });
  await promote.getByLabel("Version").selectOption("2");
  await promote.getByLabel("Reason").fill("v2 holds up on the weekend traffic");
  await promote.getByRole("button", { name: "Promote v2" }).click();
  await expect(promote).toBeHidden();
  await expect(page.getByTestId("move-outcome")).toHaveText("champion: v1 → v2");
  await expect.poll(() => served(request, model), { timeout: 30_000 }).toBe("metadata v2, answered by v2");
  const latest = page.getByTestId("history-entry").first();
  await expect(latest).toHaveAttribute("data-kind", "alias-moved");
  await expect(latest).toContainText("v2 holds up on the weekend traffic");
  await expect(latest.getByTestId("actor-user")).toBeVisible();
});
