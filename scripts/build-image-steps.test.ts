/**
 * The container image is installed and built by scripts/build-image-steps.sh,
 * the same script CI runs: the Dockerfile's RUN lines call it (and run no
 * npm install or build of their own), .ci/run calls its deps and build steps,
 * and its dry run prints the commands both get. It refuses an npm that would
 * run the install scripts package.json's allowScripts denies.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..");
const script = path.join(root, "scripts", "build-image-steps.sh");
const read = (f: string) => fs.readFileSync(path.join(root, f), "utf8");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "image-steps-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function instructions(text: string): Array<{ op: string; args: string }> {
  return text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => ({ op: l.split(/\s+/)[0]!.toUpperCase(), args: l.slice(l.split(/\s+/)[0]!.length).trim() }));
}

describe("the container image's install and build steps", () => {
  const docker = instructions(read("Dockerfile"));

  it("are the script's, in the Dockerfile: deps, build, prune, and no npm ci or next build of its own", () => {
    const runs = docker.filter((i) => i.op === "RUN").map((i) => i.args);
    expect(runs.filter((r) => r.includes("build-image-steps.sh"))).toEqual([
      "bash scripts/build-image-steps.sh deps",
      "bash scripts/build-image-steps.sh build",
      "bash scripts/build-image-steps.sh prune",
    ]);
    for (const r of runs) expect(r, r).not.toMatch(/npm (ci|install(?! --global)|prune)|next build/);
  });

  it("run the processes through the repository's bin, as a user who is not root, from a slim multi-stage image", () => {
    const stages = docker.filter((i) => i.op === "FROM").map((i) => i.args);
    expect(stages).toEqual(["${NODE_IMAGE} AS deps", "deps AS build", "${NODE_IMAGE} AS runtime"]);
    expect(docker.find((i) => i.op === "ARG" && i.args.startsWith("NODE_IMAGE="))?.args).toMatch(/^NODE_IMAGE=node:20-[a-z]+-slim$/);
    const runtime = docker.slice(docker.findIndex((i) => i.op === "FROM" && i.args.endsWith("AS runtime")));
    expect(runtime.find((i) => i.op === "ENTRYPOINT")?.args).toBe('["node", "cli/bin/conveyor.mjs"]');
    expect(runtime.find((i) => i.op === "CMD")?.args).toBe('["web"]');
    expect(runtime.find((i) => i.op === "USER")?.args).toBe("node");
    expect(fs.existsSync(path.join(root, "cli/bin/conveyor.mjs"))).toBe(true);
    expect(JSON.parse(read("package.json")).bin.conveyor).toBe("cli/bin/conveyor.mjs");
  });

  it("are CI's: .ci/run installs with the script, and `npm start` (the e2e suite's stack) builds with it", () => {
    const ci = read(".ci/run");
    expect(ci).toContain("bash scripts/build-image-steps.sh deps\n");
    expect(ci).not.toMatch(/^\s*npm (ci|install)\b/m);
    expect(read("scripts/stack.ts")).toContain('spawnGroup("bash", [path.join(cfg.root, "scripts", "build-image-steps.sh"), "build"]');
    expect(read("playwright.config.ts")).toContain("scripts/stack.ts start");
  });

  it("print, in a dry run, the commands they run", () => {
    const out = execFileSync("bash", [script, "--dry-run", "deps", "build", "prune"], { encoding: "utf8" });
    expect(out.trim().split("\n")).toEqual([
      "+ env ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund",
      "+ env NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 node_modules/.bin/next build",
      "+ npm prune --omit=dev --no-audit --no-fund",
      "+ rm -rf .next/cache",
    ]);
    // package.json still denies the install scripts the deps step relies on skipping.
    expect(JSON.parse(read("package.json")).allowScripts).toMatchObject({ "onnxruntime-node": false });
  });

  it("refuse an npm older than 11.19 (it would run denied install scripts) and an unknown step, saying why", () => {
    const bin = path.join(tmp, "bin");
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, "npm"), '#!/bin/sh\n[ "$1" = "--version" ] && echo 10.9.2\n', { mode: 0o755 });
    const old = spawnSync("bash", [script, "--dry-run", "deps"], {
      encoding: "utf8",
      env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}` },
    });
    expect(old.status).toBe(1);
    expect(old.stderr).toContain("npm 10.9.2 would run the install scripts that package.json's allowScripts denies; npm 11.19.0 or newer is needed");
    expect(old.stdout).toBe("");

    fs.writeFileSync(path.join(bin, "npm"), '#!/bin/sh\n[ "$1" = "--version" ] && echo 11.19.1\n', { mode: 0o755 });
    const ok = spawnSync("bash", [script, "--dry-run", "deps"], {
      encoding: "utf8",
      env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}` },
    });
    expect(ok.status).toBe(0);

    const unknown = spawnSync("bash", [script, "install"], { encoding: "utf8" });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("build-image-steps: unknown step 'install'; usage: bash scripts/build-image-steps.sh [--dry-run] deps|build|prune...");
  });

  it("get a build context without what a checkout makes or keeps (.dockerignore)", () => {
    const ignored = read(".dockerignore")
      .split("\n")
      .filter((l) => l && !l.startsWith("#"));
    for (const p of [".git", "node_modules", ".next", ".data", "test-results"]) expect(ignored, p).toContain(p);
  });
});
