/**
 * SeaweedFS (`weed`), the S3 server of the integration tests and of local
 * development: finding or building the pinned binary, starting `weed mini` on
 * free ports, and waiting until it takes writes.
 *
 * The binary, pinned to SEAWEEDFS_VERSION, in this order, printing each step
 * and how long it took:
 *
 *   1. SEAWEEDFS_PATH, then `weed` on PATH, when it reports the pinned version;
 *   2. the cached build, ~/.cache/conveyor/bin/weed-<version> ($XDG_CACHE_HOME
 *      honoured);
 *   3. a build from source with Go: `go mod download` of the pinned module
 *      version (SeaweedFS has no semver tags that `go install` accepts, and its
 *      go.mod has replace directives), then `go build ./weed` in a copy of it,
 *      into the cache. About 10 minutes and 2 GB of memory on 2 cores, once.
 *
 * When none works it throws a SeaweedFsNotFoundError naming every option and
 * what was missing.
 */
import type { ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { DeleteObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { createS3Client, ensureBucket, s3Reason, type S3Credentials } from "../infra/s3";
import { freePort, spawnServer, type ExitInfo } from "./process-utils";
import {
  binaryVersion,
  cacheBinDir,
  findGo,
  findOnPath,
  firstLine,
  lastLines,
  run,
  runGo,
  realToolDeps,
  stripUndefined,
  timedStep,
  type ToolDeps,
} from "./temporal-cli";

export const SEAWEEDFS_VERSION = "4.53";
export const SEAWEEDFS_MODULE = "github.com/seaweedfs/seaweedfs";
/** SeaweedFS 4.53 as a Go module: the pseudo-version of its commit (the repository's tags are not semver). */
export const SEAWEEDFS_MODULE_VERSION = "v0.0.0-20261109003541-7506e5f91cd6";

const EXE = process.platform === "win32" ? ".exe" : "";

export class SeaweedFsNotFoundError extends Error {
  override name = "SeaweedFsNotFoundError";
}

// ---------------------------------------------------------------------------
// Pure helpers

/** `version 30GB 4.53 7506e5f linux amd64` → "4.53". */
export function parseWeedVersion(output: string): string | undefined {
  return /^version \S+ (\d+\.\d+)\b/m.exec(output)?.[1];
}

export function weedCachePath(env: Record<string, string | undefined>, home: string): string {
  return path.join(cacheBinDir(env, home), `weed-${SEAWEEDFS_VERSION}${EXE}`);
}

// ---------------------------------------------------------------------------
// Finding or building the binary, every outside effect injectable for tests

export type ModuleDownload = { ok: true; dir: string } | { ok: false; error: string };

export interface WeedDeps extends ToolDeps {
  /** The version a binary reports (`weed version`), or undefined when it does not run. */
  weedVersion: (file: string) => Promise<string | undefined>;
  findGo: () => string | undefined;
  /** `go mod download` of the pinned module: the folder of its source. */
  moduleDownload: (go: string, log: (m: string) => void) => Promise<ModuleDownload>;
  /** `go build ./weed` in `srcDir` (a writable copy of the module), writing `out`. */
  goBuild: (go: string, srcDir: string, out: string, log: (m: string) => void) => Promise<boolean>;
}

/** Returns the path of a usable `weed` binary, building it into the cache if needed. */
export async function ensureSeaweedFs(opts: Partial<WeedDeps> = {}): Promise<string> {
  const d: WeedDeps = { ...realDeps(opts.env ?? process.env), ...stripUndefined(opts) };
  const pinned = SEAWEEDFS_VERSION;
  const cachePath = weedCachePath(d.env, d.home);
  const step = timedStep(d.log);
  const missing: string[] = [];
  const versionOf = (file: string, source: string) =>
    step(
      () => d.weedVersion(file),
      (v) => `${source}: ${file} is ${v ? `version ${v}` : "not a working weed binary"}`,
    );

  // 1. SEAWEEDFS_PATH, then PATH
  const candidates: [string, string][] = [];
  const explicit = d.env.SEAWEEDFS_PATH?.trim();
  if (explicit) {
    const file = path.resolve(explicit);
    if (!d.isExecutable(file)) throw new SeaweedFsNotFoundError(`SEAWEEDFS_PATH is set to ${explicit}, which is not an executable file.`);
    candidates.push(["SEAWEEDFS_PATH", file]);
  } else missing.push("SEAWEEDFS_PATH is not set");
  const onPath = findOnPath("weed", d.env.PATH, d.isExecutable);
  if (onPath) candidates.push(["PATH", onPath]);
  else missing.push("no `weed` on PATH");
  // 2. The cache
  if (d.isExecutable(cachePath)) candidates.push(["cache", cachePath]);
  else {
    missing.push(`nothing cached at ${cachePath}`);
    d.log(`cache: nothing at ${cachePath}`);
  }
  for (const [source, file] of candidates) {
    const v = await versionOf(file, source);
    if (v === pinned) return file;
    missing.push(`${source} ${file} is ${v ? `version ${v}` : "not a working weed binary"}, not ${pinned}`);
  }

  // 3. The Go build
  const go = d.findGo();
  if (!go) missing.push("Go: no `go` on PATH");
  else {
    d.log(`Go: building SeaweedFS ${pinned} (${SEAWEEDFS_MODULE}@${SEAWEEDFS_MODULE_VERSION}) into ${cachePath}; this takes about 10 minutes, once…`);
    const built = await buildWithGo(d, go, cachePath, step);
    if (built.ok) return cachePath;
    missing.push(`Go: ${built.error}`);
  }
  throw new SeaweedFsNotFoundError(
    [
      `No SeaweedFS ${pinned} (\`weed\`) could be found or built:`,
      ...missing.map((m) => `  - ${m}`),
      `Install Go 1.26 or newer (the build takes about 10 minutes, once), or set SEAWEEDFS_PATH to a weed ${pinned} binary, or set ARTIFACT_URI and S3_ENDPOINT to use an existing S3 server.`,
    ].join("\n"),
  );
}

async function buildWithGo(
  d: WeedDeps,
  go: string,
  cachePath: string,
  step: ReturnType<typeof timedStep>,
): Promise<{ ok: true } | { ok: false; error: string }> {
  const binDir = path.dirname(cachePath);
  fs.mkdirSync(binDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(path.dirname(binDir), "weed-build-"));
  try {
    const mod = await step(
      () => d.moduleDownload(go, d.log),
      (r) => `Go: go mod download ${r.ok ? `→ ${r.dir}` : "failed"}`,
    );
    if (!mod.ok) return { ok: false, error: `go mod download failed: ${mod.error}` };
    // The module cache is read-only, and Go builds no main module inside it: build in a copy.
    const src = path.join(work, "src");
    await step(
      async () => copyWritable(mod.dir, src),
      () => `Go: copied the source to ${src}`,
    );
    const out = path.join(work, `weed${EXE}`);
    const ok = await step(
      () => d.goBuild(go, src, out, d.log),
      (ok) => `Go: go build ./weed ${ok ? "finished" : "failed"}`,
    );
    if (!ok || !d.isExecutable(out)) return { ok: false, error: "`go build ./weed` failed (see above)" };
    const v = await d.weedVersion(out);
    if (v !== SEAWEEDFS_VERSION) return { ok: false, error: `the build reports ${v ? `version ${v}` : "no version"}, not ${SEAWEEDFS_VERSION}` };
    fs.renameSync(out, cachePath);
    d.log(`SeaweedFS ${SEAWEEDFS_VERSION}: ${cachePath}`);
    return { ok: true };
  } catch (e) {
    return { ok: false, error: firstLine(e) };
  } finally {
    makeWritable(work);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function copyWritable(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
  makeWritable(to);
}

/** u+w on a tree (the module cache's copies are read-only, which would stop their removal). */
function makeWritable(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(entry.parentPath, entry.name);
    if (!entry.isSymbolicLink()) fs.chmodSync(p, fs.statSync(p).mode | 0o200);
  }
  fs.chmodSync(dir, fs.statSync(dir).mode | 0o200);
}

function realDeps(env: Record<string, string | undefined>): WeedDeps {
  const goEnv = { ...process.env, ...env, GOFLAGS: "-buildvcs=false" };
  return {
    ...realToolDeps(env),
    weedVersion: (file) => binaryVersion(file, ["version"], parseWeedVersion),
    findGo: () => findGo(env),
    moduleDownload: async (go) => {
      const r = await run(go, ["mod", "download", "-json", `${SEAWEEDFS_MODULE}@${SEAWEEDFS_MODULE_VERSION}`], { env: goEnv, timeoutMs: 900_000 });
      const dir = /"Dir":\s*"([^"]+)"/.exec(r.out)?.[1];
      if (r.code !== 0 || !dir) return { ok: false, error: lastLines(r.out) || `go exited with code ${r.code}` };
      return { ok: true, dir };
    },
    goBuild: async (go, srcDir, out, log) => {
      // Niced: the build keeps both cores busy for minutes.
      return runGo(go, ["build", "-ldflags=-s -w", "-o", out, "./weed"], { env: goEnv, cwd: srcDir, nice: 10 }, log);
    },
  };
}

// ---------------------------------------------------------------------------
// Running `weed mini`

/** The ports `weed mini` listens on: all chosen here, so none collides with another instance. */
export interface WeedPorts {
  s3: number;
  s3Grpc: number;
  master: number;
  masterGrpc: number;
  volume: number;
  volumeGrpc: number;
  filer: number;
  filerGrpc: number;
  admin: number;
  adminGrpc: number;
}

export async function freeWeedPorts(s3Port?: number, ip = "127.0.0.1"): Promise<WeedPorts> {
  const taken = new Set<number>(s3Port ? [s3Port] : []);
  const next = async (): Promise<number> => {
    for (;;) {
      const p = await freePort(ip);
      if (!taken.has(p)) {
        taken.add(p);
        return p;
      }
    }
  };
  const s3 = s3Port ?? (await next());
  return {
    s3,
    s3Grpc: await next(),
    master: await next(),
    masterGrpc: await next(),
    volume: await next(),
    volumeGrpc: await next(),
    filer: await next(),
    filerGrpc: await next(),
    admin: await next(),
    adminGrpc: await next(),
  };
}

export interface SeaweedFsOptions {
  weed: string;
  /** Its data (volumes, metadata) and its log files. */
  dir: string;
  /** The S3 port; default: a free one. */
  port?: number;
  ip?: string;
  /** The one identity S3 accepts (admin rights): what clients sign with. */
  credentials: S3Credentials;
  /** Own process group (default true), like spawnTemporalDevServer. */
  detached?: boolean;
}

export interface SeaweedFs {
  /** http://ip:port of its S3 API. */
  endpoint: string;
  ports: WeedPorts;
  pid: number;
  child: ChildProcess;
  exited: Promise<ExitInfo>;
  stop(): Promise<void>;
}

/**
 * `weed mini` arguments: S3 on 127.0.0.1 with every other port given, the
 * services Conveyor does not use (WebDAV, Iceberg, Lance, the admin's legacy
 * port, telemetry) off, 64 MB volumes (so a small disk holds several), and
 * the INFO log in files under `dir` (errors still go to stderr).
 */
export function weedMiniArgs(o: { dir: string; ip: string; ports: WeedPorts }): string[] {
  const p = o.ports;
  return [
    `-logdir=${path.join(o.dir, "log")}`,
    "-alsologtostderr=false",
    "mini",
    `-dir=${path.join(o.dir, "data")}`,
    `-ip=${o.ip}`,
    `-ip.bind=${o.ip}`,
    `-s3.port=${p.s3}`,
    `-s3.port.grpc=${p.s3Grpc}`,
    `-master.port=${p.master}`,
    `-master.port.grpc=${p.masterGrpc}`,
    `-volume.port=${p.volume}`,
    `-volume.port.grpc=${p.volumeGrpc}`,
    `-filer.port=${p.filer}`,
    `-filer.port.grpc=${p.filerGrpc}`,
    `-admin.port=${p.admin}`,
    `-admin.port.grpc=${p.adminGrpc}`,
    "-admin.port.legacy=0",
    "-admin.ui=false",
    "-webdav=false",
    "-s3.port.iceberg=0",
    "-s3.port.lance=0",
    "-master.telemetry=false",
    "-master.volumeSizeLimitMB=64",
    `-filer.localSocket=${path.join(o.dir, "filer.sock")}`,
    `-s3.localSocket=${path.join(o.dir, "s3.sock")}`,
  ];
}

/** Spawns `weed mini` (returns once it is started; use waitForS3 for readiness). */
export async function spawnSeaweedFs(o: SeaweedFsOptions): Promise<SeaweedFs> {
  const ip = o.ip ?? "127.0.0.1";
  const ports = await freeWeedPorts(o.port, ip);
  fs.mkdirSync(path.join(o.dir, "data"), { recursive: true });
  fs.mkdirSync(path.join(o.dir, "log"), { recursive: true });
  // The identity: weed takes it from these variables (and then requires signed requests).
  const env = { ...process.env, AWS_ACCESS_KEY_ID: o.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: o.credentials.secretAccessKey };
  const server = spawnServer(o.weed, weedMiniArgs({ dir: o.dir, ip, ports }), { env, cwd: o.dir, detached: o.detached });
  return { ...server, endpoint: `http://${ip}:${ports.s3}`, ports };
}

/** Random credentials for a private SeaweedFS (tests, dev). */
export function randomCredentials(): S3Credentials {
  return { accessKeyId: `conveyor${crypto.randomBytes(6).toString("hex")}`, secretAccessKey: crypto.randomBytes(24).toString("base64url") };
}

/**
 * Resolves once the S3 server at `endpoint` takes a real write: `bucket` is
 * created when missing and an object is put and deleted (SeaweedFS answers
 * requests seconds before it can store anything). Retries until `timeoutMs`;
 * `abort` (the server process exiting) rejects early with its reason.
 */
export async function waitForS3(
  endpoint: string,
  opts: { credentials: S3Credentials; bucket: string; timeoutMs?: number; abort?: Promise<string> },
): Promise<void> {
  const settings = { endpoint, region: "us-east-1", forcePathStyle: true };
  const client = createS3Client(settings, opts.credentials);
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let aborted: string | undefined;
  void opts.abort?.then((reason) => (aborted = reason));
  let lastError = "";
  const key = `.conveyor-ready-${crypto.randomUUID()}`;
  try {
    while (Date.now() < deadline) {
      if (aborted) throw new Error(aborted);
      try {
        await ensureBucket(client, opts.bucket, `s3://${opts.bucket}`, settings);
        await client.send(new PutObjectCommand({ Bucket: opts.bucket, Key: key, Body: "ok" }));
        await client.send(new DeleteObjectCommand({ Bucket: opts.bucket, Key: key }));
        return;
      } catch (e) {
        lastError = e instanceof Error && e.message.startsWith("ARTIFACT_URI=") ? e.message : s3Reason(e);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    client.destroy();
  }
  throw new Error(`S3 at ${endpoint} took no write within ${Math.round((opts.timeoutMs ?? 60_000) / 1000)} s (${lastError})`);
}
