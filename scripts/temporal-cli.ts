/**
 * Finds the Temporal CLI (`temporal`, which runs `temporal server start-dev`):
 *
 *   1. TEMPORAL_CLI_PATH
 *   2. `temporal` on PATH
 *   3. the per-user cache, ~/.cache/conveyor/bin/temporal ($XDG_CACHE_HOME honoured)
 *
 * and otherwise installs it into that cache once:
 *
 *   4. with Go: `go install github.com/temporalio/cli/cmd/temporal@v1.5.1`
 *      (newer tags carry a `replace` directive that `go install` refuses);
 *   5. through @temporalio/testing's download (needs temporal.download reachable).
 *
 * If nothing works it throws a TemporalCliNotFoundError whose message is one
 * sentence telling the user how to provide the binary.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const TEMPORAL_CLI_MODULE = "github.com/temporalio/cli/cmd/temporal";
export const TEMPORAL_CLI_VERSION = "v1.5.1";

const EXE = process.platform === "win32" ? ".exe" : "";

export type CliSource = "TEMPORAL_CLI_PATH" | "PATH" | "cache";

export interface LookupDeps {
  env: Record<string, string | undefined>;
  home: string;
  isExecutable: (file: string) => boolean;
}

export type LookupResult =
  | { found: true; path: string; source: CliSource }
  | { found: false; error?: string; cachePath: string };

export function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function cacheBinDir(env: Record<string, string | undefined>, home: string): string {
  const cacheRoot = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(home, ".cache");
  return path.join(cacheRoot, "conveyor", "bin");
}

/** Looks for an executable `name` in the directories of a PATH string. */
export function findOnPath(name: string, pathValue: string | undefined, isExecutable: (file: string) => boolean): string | undefined {
  for (const dir of (pathValue ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name + EXE);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The pure part: where is an existing binary? An explicit TEMPORAL_CLI_PATH
 * that does not point at an executable is an error (never silently ignored).
 */
export function lookupTemporalCli(deps: LookupDeps): LookupResult {
  const cachePath = path.join(cacheBinDir(deps.env, deps.home), "temporal" + EXE);
  const explicit = deps.env.TEMPORAL_CLI_PATH?.trim();
  if (explicit) {
    const resolved = path.resolve(explicit);
    if (deps.isExecutable(resolved)) return { found: true, path: resolved, source: "TEMPORAL_CLI_PATH" };
    return { found: false, cachePath, error: `TEMPORAL_CLI_PATH is set to ${explicit}, which is not an executable file.` };
  }
  const onPath = findOnPath("temporal", deps.env.PATH, deps.isExecutable);
  if (onPath) return { found: true, path: onPath, source: "PATH" };
  if (deps.isExecutable(cachePath)) return { found: true, path: cachePath, source: "cache" };
  return { found: false, cachePath };
}

export class TemporalCliNotFoundError extends Error {
  override name = "TemporalCliNotFoundError";
}

export const HOW_TO_PROVIDE =
  "The Temporal CLI was not found and could not be installed: download a `temporal` binary from https://github.com/temporalio/cli/releases and set TEMPORAL_CLI_PATH to it (or put it on PATH, or install Go and run `npm run setup:temporal`).";

export interface EnsureOptions {
  log?: (message: string) => void;
  env?: NodeJS.ProcessEnv;
  home?: string;
  /** Try `go install` when Go is present (default true). */
  build?: boolean;
  /** Try the @temporalio/testing download (default true). */
  download?: boolean;
}

/** Returns the path of a usable `temporal` binary, installing it into the cache if needed. */
export async function ensureTemporalCli(opts: EnsureOptions = {}): Promise<string> {
  const env = opts.env ?? process.env;
  const home = opts.home ?? os.homedir();
  const log = opts.log ?? ((m: string) => console.log(m));
  const found = lookupTemporalCli({ env, home, isExecutable: isExecutableFile });
  if (found.found) return found.path;
  if (found.error) throw new TemporalCliNotFoundError(found.error);
  const binDir = path.dirname(found.cachePath);

  if (opts.build !== false) {
    const go = findGo(env);
    if (go) {
      log(`Temporal CLI not found; building ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} with Go into ${binDir} — this happens once and the first build takes a few minutes…`);
      const started = Date.now();
      const ok = await goInstall(go, binDir, env, log);
      if (ok && isExecutableFile(found.cachePath)) {
        log(`Temporal CLI built in ${((Date.now() - started) / 1000).toFixed(0)} s: ${found.cachePath}`);
        return found.cachePath;
      }
      log("Building the Temporal CLI with Go failed (see above); trying the SDK download next.");
    }
  }

  if (opts.download !== false) {
    log("Downloading the Temporal CLI through @temporalio/testing (needs https://temporal.download)…");
    const downloaded = await sdkDownload(binDir, log);
    if (downloaded) {
      log(`Temporal CLI downloaded: ${downloaded}`);
      return downloaded;
    }
  }

  throw new TemporalCliNotFoundError(HOW_TO_PROVIDE);
}

function findGo(env: Record<string, string | undefined>): string | undefined {
  return (
    findOnPath("go", env.PATH, isExecutableFile) ??
    [env.GOROOT && path.join(env.GOROOT, "bin", "go" + EXE), "/usr/local/go/bin/go" + EXE].find(
      (p): p is string => Boolean(p) && isExecutableFile(p as string),
    )
  );
}

function goInstall(go: string, binDir: string, env: NodeJS.ProcessEnv, log: (m: string) => void): Promise<boolean> {
  fs.mkdirSync(binDir, { recursive: true });
  return new Promise((resolve) => {
    const child = spawn(go, ["install", `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
      env: { ...env, GOBIN: binDir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) if (line.trim()) log(line.startsWith("go: ") ? line : `go: ${line}`);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("error", (e) => {
      log(`go install could not start: ${e.message}`);
      resolve(false);
    });
    child.once("exit", (code) => resolve(code === 0));
  });
}

/**
 * Lets the Temporal SDK download its dev-server build of the CLI (it starts and
 * stops a dev server to do so), then copies the binary into the cache.
 */
async function sdkDownload(binDir: string, log: (m: string) => void): Promise<string | undefined> {
  const downloadDir = path.join(path.dirname(binDir), "sdk-download");
  fs.mkdirSync(downloadDir, { recursive: true });
  let testing: typeof import("@temporalio/testing");
  try {
    testing = await import("@temporalio/testing");
  } catch {
    log("@temporalio/testing is not installed, so the SDK download is unavailable.");
    return undefined;
  }
  try {
    const envt = await testing.TestWorkflowEnvironment.createLocal({
      server: { executable: { type: "cached-download", downloadDir }, ip: "127.0.0.1" },
    });
    await envt.teardown();
  } catch (e) {
    log(`SDK download failed: ${firstLine(e)}`);
    return undefined;
  }
  const file = fs
    .readdirSync(downloadDir)
    .filter((f) => f.startsWith("temporal-cli"))
    .map((f) => path.join(downloadDir, f))
    .find(isExecutableFile);
  if (!file) return undefined;
  const target = path.join(binDir, "temporal" + EXE);
  fs.mkdirSync(binDir, { recursive: true });
  fs.copyFileSync(file, `${target}.tmp`);
  fs.chmodSync(`${target}.tmp`, 0o755);
  fs.renameSync(`${target}.tmp`, target);
  return target;
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split("\n")[0] ?? "";
}
