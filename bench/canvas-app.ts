/**
 * The canvas benchmark's app: a production build (`next build`, then
 * `next start` on a free port of 127.0.0.1) of a snapshot of the source tree.
 *
 * Why a snapshot: `next build` with a private distDir rewrites the checkout's
 * tsconfig.json (it adds `<distDir>/types/**` to `include`) and next-env.d.ts,
 * and others edit the tree while the build runs. So the tracked and
 * untracked (not ignored) files are copied to a temporary folder,
 * node_modules is hard-linked next to them (same filesystem: instant, no
 * space; a symlink would point out of Turbopack's root), and the build and the
 * server run there. The checkout is only read.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort, spawnGroup, stopGroup, type GroupChild } from "../scripts/process-utils";

export interface AppTree {
  dir: string;
  remove(): Promise<void>;
}

/** Copies `srcRoot`'s files (git's view: tracked + untracked, not ignored) and hard-links node_modules. */
export async function snapshotTree(srcRoot: string, nodeModulesFrom: string): Promise<AppTree> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "conveyor-canvas-app-"));
  const list = execFileSync("git", ["-C", srcRoot, "ls-files", "-z", "--cached", "--others", "--exclude-standard"], { maxBuffer: 64 << 20 })
    .toString("utf8")
    .split("\0")
    .filter(Boolean);
  for (const rel of list) {
    const from = path.join(srcRoot, rel);
    // Deleted-but-tracked files (an edit in progress) are simply absent.
    if (!fs.existsSync(from) || fs.statSync(from).isDirectory()) continue;
    const to = path.join(dir, rel);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(from, to);
  }
  execFileSync("cp", ["-al", fs.realpathSync(nodeModulesFrom), path.join(dir, "node_modules")]);
  return { dir, remove: () => fsp.rm(dir, { recursive: true, force: true }) };
}

function nextBin(dir: string): string {
  return path.join(dir, "node_modules", "next", "dist", "bin", "next");
}

/** `next build` (production) in `dir`; returns the build's wall time. */
export async function buildApp(dir: string, log: (line: string) => void = () => {}): Promise<number> {
  const t0 = performance.now();
  const p = spawnGroup(process.execPath, [nextBin(dir), "build"], {
    cwd: dir,
    env: { ...process.env, NODE_ENV: "production", NEXT_DIST_DIR: ".next", NEXT_TELEMETRY_DISABLED: "1" },
  });
  const out: string[] = [];
  const keep = (b: Buffer) => {
    for (const line of b.toString("utf8").split("\n")) {
      if (!line.trim()) continue;
      out.push(line);
      if (out.length > 60) out.shift();
      log(line);
    }
  };
  p.child.stdout?.on("data", keep);
  p.child.stderr?.on("data", keep);
  const exit = await p.exited;
  if (exit.code !== 0) throw new Error(`next build failed (${exit.code ?? exit.signal}):\n${out.join("\n")}`);
  return performance.now() - t0;
}

export interface RunningApp {
  /** http://localhost:PORT (the browser's origin). */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** `next start` on a free port of 127.0.0.1; resolves once it answers. */
export async function startApp(dir: string, env: Record<string, string>): Promise<RunningApp> {
  const port = await freePort();
  const proc: GroupChild = spawnGroup(process.execPath, [nextBin(dir), "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: dir,
    env: { ...process.env, NODE_ENV: "production", NEXT_DIST_DIR: ".next", NEXT_TELEMETRY_DISABLED: "1", ...env },
  });
  const out: string[] = [];
  const keep = (b: Buffer) => {
    out.push(b.toString("utf8"));
    if (out.length > 40) out.shift();
  };
  proc.child.stdout?.on("data", keep);
  proc.child.stderr?.on("data", keep);
  let exited = false;
  void proc.exited.then(() => (exited = true));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`next start exited:\n${out.join("")}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/icon.svg`);
      if (r.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopGroup(proc.pid);
      throw new Error(`next start did not answer within 60 s:\n${out.join("")}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url: `http://localhost:${port}`,
    pid: proc.pid,
    stop: async () => {
      await stopGroup(proc.pid, { timeoutMs: 5_000 });
    },
  };
}
