/**
 * The `conveyor` CLI against the real stack: no browser, the CLI spawned
 * with CONVEYOR_URL set to the stack Playwright started. Push a pipeline
 * file, follow its run to the end, promote the model, predict with it (the
 * same answer as the API's), and see failures exit non-zero. The commands
 * run the bundle built from the current sources (cli/dist/conveyor.mjs, no
 * tsx start-up per command); the repository's bin (cli/bin/conveyor.mjs,
 * what `npx conveyor` runs) is checked once.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "@playwright/test";
import { exportSpec } from "../workflows/compiler/spec-file";
import type { PipelineSpecInput } from "../workflows/spec/spec";
import { buildCli } from "../cli/build";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const REPO_BIN = path.join(root, "cli", "bin", "conveyor.mjs");
let bundle = "";
const BASE_URL = process.env.E2E_BASE_URL ?? "http://localhost:3100";
const boston = JSON.parse(fs.readFileSync(path.join(root, "contract", "templates", "boston-housing.pipeline.json"), "utf8")) as PipelineSpecInput;

/** The first row of the Boston data, target dropped. */
const ROW = {
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

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

const configHome = fs.mkdtempSync(path.join(os.tmpdir(), "conveyor-e2e-cli-"));

function conveyor(args: string[], env: Record<string, string> = {}, bin = bundle): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: root, timeout: 90_000, env: { ...process.env, CONVEYOR_URL: BASE_URL, XDG_CONFIG_HOME: configHome, NO_COLOR: "1", ...env } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const suffix = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
const NAME = `e2e-cli-${suffix}`;

function pipelineFile(dir: string, name: string, edit: (spec: PipelineSpecInput) => void = () => {}): string {
  const spec = structuredClone(boston);
  spec.name = name;
  for (const n of spec.nodes) if (n.type === "deploy.endpoint") n.config = { ...n.config, model: name };
  edit(spec);
  const file = path.join(dir, `${name}.pipeline.json`);
  fs.writeFileSync(file, JSON.stringify(spec, null, 4));
  return file;
}

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ request }) => {
  // next dev compiles each route on its first request (seconds each on two cores): ask every route the
  // CLI uses once, together, while the bundle builds, so the commands below time the CLI, not the compiler.
  const nobody = "00000000-0000-4000-8000-000000000000";
  const routes = [
    `pipelines/${nobody}`,
    `pipelines/${nobody}/runs`,
    `runs/${nobody}`,
    "models/nobody",
    "models/nobody/versions/1",
    "models/nobody/aliases/champion",
    "models/nobody/predict",
  ];
  [bundle] = await Promise.all([buildCli(), ...routes.map((r) => request.get(`/api/v1/${r}`))]);
});

test("push a file, follow its run, promote and predict", async ({ request }, testInfo) => {
  test.setTimeout(120_000);
  const dir = testInfo.outputPath("files");
  fs.mkdirSync(dir, { recursive: true });
  const file = pipelineFile(dir, NAME);

  const valid = await conveyor(["pipelines", "validate", file], {}, REPO_BIN);
  expect(valid, valid.stderr).toMatchObject({ code: 0 });
  const pushed = await conveyor(["pipelines", "push", file, "-m", "from the cli"]);
  expect(pushed.code, pushed.stderr).toBe(0);
  expect(pushed.stdout).toMatch(new RegExp(`^created pipeline ${NAME} version 1 \\(`));

  // Pulled back: the canonical file; pushing that changes nothing.
  const pulled = await conveyor(["pipelines", "pull", NAME, "-o", path.join(dir, "pulled.pipeline.json")]);
  expect(pulled.code, pulled.stderr).toBe(0);
  expect(fs.readFileSync(path.join(dir, "pulled.pipeline.json"), "utf8")).toBe(exportSpec(JSON.parse(fs.readFileSync(file, "utf8")) as PipelineSpecInput));
  const again = await conveyor(["pipelines", "push", path.join(dir, "pulled.pipeline.json")]);
  expect(again.stdout).toContain(`${NAME} is unchanged at version 1`);

  // Follow the run: every step's status and its log lines, each once.
  const followed = await conveyor(["run", NAME, "--follow"]);
  expect(followed.code, followed.stderr + followed.stdout).toBe(0);
  const runId = /started run ([0-9a-f-]{36})/.exec(followed.stdout)?.[1];
  expect(runId).toBeTruthy();
  const lines = followed.stdout.split("\n");
  for (const id of boston.nodes.map((n) => n.id)) {
    expect(
      lines.some((l) => new RegExp(`^${id}\\s+✓ succeeded`).test(l)),
      `a succeeded line for ${id}`,
    ).toBe(true);
    expect(
      lines.some((l) => new RegExp(`^${id}\\s+│ \\S`).test(l)),
      `log lines of ${id}`,
    ).toBe(true);
  }
  expect(followed.stdout).toContain(`│ registered ${NAME} version 1`);
  expect(followed.stdout).toMatch(new RegExp(`\\nrun ${runId} succeeded in \\S+\\n$`));
  const logs = await conveyor(["runs", "logs", runId!]);
  expect(logs.code).toBe(0);
  const logLines = (text: string) =>
    text
      .split("\n")
      .filter((l) => l.includes(" │ "))
      .sort();
  expect(logLines(followed.stdout)).toEqual(logLines(logs.stdout));

  // Promote by hand; the audit trail shows it.
  const promoted = await conveyor(["models", "promote", NAME, "1", "--alias", "challenger", "--reason", "test"]);
  expect(promoted.code, promoted.stderr).toBe(0);
  expect(promoted.stdout).toBe(`challenger of ${NAME}: - → v1\n`);
  const shown = await conveyor(["models", "show", NAME]);
  expect(shown.code).toBe(0);
  expect(shown.stdout).toMatch(/just now\s+challenger\s+- → v1\s+user:\S+\s+test/);
  const model = JSON.parse((await conveyor(["models", "show", NAME, "--json"])).stdout) as { events: { alias: string; reason: string; toVersion: number }[] };
  expect(model.events[0]).toMatchObject({ alias: "challenger", reason: "test", toVersion: 1 });

  // Predict: the same answer as POST /api/v1/models/{name}/predict.
  const api = await request.post(`/api/v1/models/${NAME}/predict`, { data: { instances: [ROW] } });
  expect(api.status()).toBe(200);
  const expected = (await api.json()) as { request_id: string; predictions: { prediction: number }[] };
  const predicted = await conveyor(["predict", NAME, "--row", JSON.stringify(ROW), "--json"]);
  expect(predicted.code, predicted.stderr).toBe(0);
  // Each answer names its own request (what feedback is keyed by).
  expect(JSON.parse(predicted.stdout)).toEqual({ ...expected, request_id: expect.any(String) });
  const human = await conveyor(["predict", NAME, "--row", JSON.stringify(ROW)]);
  expect(human.stdout).toBe(`prediction: ${expected.predictions[0]!.prediction}  ${NAME} v1\n`);
});

test("failures exit non-zero: an invalid file (1, by node and field), a target the data lacks refused at push (1), no server (3)", async ({}, testInfo) => {
  test.setTimeout(90_000);
  const invalid = await conveyor(["pipelines", "validate", path.join(root, "workflows", "compiler", "fixtures", "invalid-config.pipeline.json")]);
  expect(invalid.code).toBe(1);
  expect(invalid.stderr).toContain("node train: config.target: target is required\n");

  const dir = testInfo.outputPath("files");
  fs.mkdirSync(dir, { recursive: true });
  const failing = pipelineFile(dir, `${NAME}-fails`, (spec) => {
    for (const n of spec.nodes) if (n.id === "train") n.config = { ...n.config, target: "no_such_column" };
  });
  // A target the data does not have is refused when the file is pushed (compile checks columns), naming node and field.
  const refused = await conveyor(["pipelines", "push", failing]);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain("train");
  expect(refused.stderr).toContain("no_such_column");

  const away = await conveyor(["pipelines", "list"], { CONVEYOR_URL: "http://127.0.0.1:9" });
  expect(away.code).toBe(3);
  expect(away.stderr).toContain("cannot reach http://127.0.0.1:9");
});
