/**
 * The CLI installs on its own: build the bundle (cli/dist/conveyor.mjs),
 * `npm pack` cli/ as @conveyor/cli, install the tarball offline into an
 * empty project (it has no dependencies) and run the installed `conveyor`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildCli } from "./build";
import pkg from "./package.json";

const cliDir = __dirname;
const fixtures = path.join(cliDir, "..", "workflows", "compiler", "fixtures");
// npm's own variables (set when tests run under `npm test`) must not steer the nested npm.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))) as NodeJS.ProcessEnv;

let bin = "";
let packed: { filename: string; files: { path: string }[] } | undefined;

beforeAll(async () => {
  await buildCli();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "conveyor-pack-"));
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", tmp], { cwd: cliDir, env, encoding: "utf8" });
  packed = (JSON.parse(out) as (typeof packed)[])[0];
  const project = path.join(tmp, "project");
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "empty", version: "1.0.0", private: true }));
  execFileSync("npm", ["install", path.join(tmp, packed!.filename), "--offline", "--no-audit", "--no-fund", "--ignore-scripts"], {
    cwd: project,
    env,
    encoding: "utf8",
  });
  bin = path.join(project, "node_modules", ".bin", "conveyor");
}, 120_000);

const run = (...args: string[]) => spawnSync(bin, args, { encoding: "utf8", env: { ...env, NO_COLOR: "1" }, cwd: os.tmpdir() });

describe("@conveyor/cli, packed and installed on its own", () => {
  it("the tarball holds the manifest and the one bundled file, and declares no dependencies", () => {
    expect(packed!.files.map((f) => f.path).sort()).toEqual(["dist/conveyor.mjs", "package.json"]);
    expect(pkg.name).toBe("@conveyor/cli");
    expect(pkg.bin.conveyor).toBe("dist/conveyor.mjs");
    expect(Object.keys(pkg)).not.toContain("dependencies");
  });

  it("conveyor --version", () => {
    const r = run("--version");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${pkg.version}\n`);
  });

  it("conveyor pipelines validate: the compiler's errors by node and field, exit 1; a valid file exits 0", () => {
    const bad = run("pipelines", "validate", path.join(fixtures, "invalid-config.pipeline.json"));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("node train: config.target: target is required\n");
    const good = run("pipelines", "validate", path.join(fixtures, "valid-boston.pipeline.json"));
    expect(good.stderr).toBe("");
    expect(good.status).toBe(0);
    expect(good.stdout).toContain("valid: valid-boston.pipeline.json");
  });

  it("an unreachable server is exit 3 with what to do", () => {
    const r = spawnSync(bin, ["pipelines", "list"], {
      encoding: "utf8",
      env: { ...env, NO_COLOR: "1", CONVEYOR_URL: "http://127.0.0.1:9", XDG_CONFIG_HOME: os.tmpdir() },
    });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain("cannot reach http://127.0.0.1:9");
  });
});
