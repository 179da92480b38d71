/**
 * The local cache of remote (s3://) artifacts, by sha256: one file per
 * `sha256/ab/<sha>/<name>` under its directory, so a model or dataset is
 * downloaded once per machine and the readers that need a path (DuckDB,
 * onnxruntime) get one. Bounded: past `maxBytes` the least recently used files
 * are deleted (the file just asked for never is). Safe for several processes
 * sharing the directory: a download goes to a temp file, is checked against
 * its sha256 and renamed into place; "last used" is the file's mtime, which
 * every hit refreshes, so eviction is least-recently-used across processes.
 * Concurrent requests for one file in a process share one download.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

export interface CacheEntry {
  key: string;
  size: number;
  /** ms since the epoch */
  lastUsed: number;
}

/**
 * Which entries to delete so the total is at most `maxBytes`: the least
 * recently used first, never one in `keep` (the entries in use).
 */
export function planEviction(entries: readonly CacheEntry[], maxBytes: number, keep: ReadonlySet<string> = new Set()): CacheEntry[] {
  let total = entries.reduce((n, e) => n + e.size, 0);
  const out: CacheEntry[] = [];
  for (const e of [...entries].sort((a, b) => a.lastUsed - b.lastUsed || a.key.localeCompare(b.key))) {
    if (total <= maxBytes) break;
    if (keep.has(e.key)) continue;
    out.push(e);
    total -= e.size;
  }
  return out;
}

export class Sha256MismatchError extends Error {
  override name = "Sha256MismatchError";
}

export interface CacheStats {
  hits: number;
  downloads: number;
  evicted: number;
}

export class ArtifactCache {
  readonly stats: CacheStats = { hits: 0, downloads: 0, evicted: 0 };
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {}

  /** Where `sha256`/`name` lives in the cache (whether or not it is there). */
  pathOf(sha256: string, name: string): string {
    return path.join(this.dir, "sha256", sha256.slice(0, 2), sha256, name);
  }

  /** Temp files (downloads in progress, scratch directories) live here: same file system as the cache, so moves are renames. */
  tmpDir(): string {
    return path.join(this.dir, "tmp");
  }

  /**
   * The cached file, fetched with `open` (a stream of the object's bytes) when
   * it is not there yet; refused when the bytes do not hash to `sha256`.
   */
  async get(sha256: string, name: string, open: () => Promise<Readable>, describe: string): Promise<string> {
    const file = this.pathOf(sha256, name);
    if (await touch(file)) {
      this.stats.hits++;
      return file;
    }
    const key = `${sha256}/${name}`;
    const running = this.inflight.get(key);
    if (running) return running;
    const job = this.download(sha256, name, open, describe).finally(() => this.inflight.delete(key));
    this.inflight.set(key, job);
    return job;
  }

  private async download(sha256: string, name: string, open: () => Promise<Readable>, describe: string): Promise<string> {
    const tmp = await this.tmpFile(sha256);
    try {
      const hash = crypto.createHash("sha256");
      await pipeline(
        await open(),
        async function* (chunks: AsyncIterable<Buffer>) {
          for await (const chunk of chunks) {
            hash.update(chunk);
            yield chunk;
          }
        },
        fs.createWriteStream(tmp),
      );
      const got = hash.digest("hex");
      if (got !== sha256)
        throw new Sha256MismatchError(`${describe} has sha256 ${got}, not the ${sha256} its URI names: refused (the object was changed or corrupted)`);
      this.stats.downloads++;
      return await this.install(tmp, sha256, name);
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  /** Moves a local file whose sha256 is known (one just uploaded) into the cache. */
  async adoptFile(file: string, sha256: string, name: string): Promise<string> {
    const dest = this.pathOf(sha256, name);
    if (await touch(dest)) {
      await fsp.rm(file, { force: true });
      return dest;
    }
    const tmp = await this.tmpFile(sha256);
    try {
      await fsp.rename(file, tmp).catch(async () => {
        await fsp.copyFile(file, tmp);
        await fsp.rm(file, { force: true });
      });
      return await this.install(tmp, sha256, name);
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  /** Writes bytes whose sha256 is known (ones just uploaded) into the cache. */
  async adoptBytes(bytes: Uint8Array, sha256: string, name: string): Promise<string> {
    const dest = this.pathOf(sha256, name);
    if (await touch(dest)) return dest;
    const tmp = await this.tmpFile(sha256);
    try {
      await fsp.writeFile(tmp, bytes);
      return await this.install(tmp, sha256, name);
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  private swept = false;

  private async tmpFile(sha256: string): Promise<string> {
    await fsp.mkdir(this.tmpDir(), { recursive: true });
    if (!this.swept) {
      // Downloads a crashed process left behind: any that has not been written to for an hour.
      this.swept = true;
      for (const f of await readdirOrEmpty(this.tmpDir())) {
        const st = f.endsWith(".part") ? await fsp.stat(path.join(this.tmpDir(), f)).catch(() => null) : null;
        if (st && Date.now() - st.mtimeMs > 3_600_000) await fsp.rm(path.join(this.tmpDir(), f), { force: true });
      }
    }
    return path.join(this.tmpDir(), `${sha256.slice(0, 16)}.${process.pid}.${crypto.randomUUID()}.part`);
  }

  private async install(tmp: string, sha256: string, name: string): Promise<string> {
    const dest = this.pathOf(sha256, name);
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    await fsp.rename(tmp, dest);
    await this.evict(new Set([`${sha256}/${name}`]));
    return dest;
  }

  /** The files in the cache (all processes' downloads), with their size and last use. */
  async entries(): Promise<CacheEntry[]> {
    const root = path.join(this.dir, "sha256");
    const out: CacheEntry[] = [];
    for (const ab of await readdirOrEmpty(root)) {
      for (const sha of await readdirOrEmpty(path.join(root, ab))) {
        for (const name of await readdirOrEmpty(path.join(root, ab, sha))) {
          const st = await fsp.stat(path.join(root, ab, sha, name)).catch(() => null);
          if (st?.isFile()) out.push({ key: `${sha}/${name}`, size: st.size, lastUsed: st.mtimeMs });
        }
      }
    }
    return out;
  }

  /** Deletes least recently used files until the cache is within its bound. */
  async evict(keep: ReadonlySet<string> = new Set()): Promise<void> {
    for (const e of planEviction(await this.entries(), this.maxBytes, keep)) {
      const [sha, name] = e.key.split("/") as [string, string];
      const file = this.pathOf(sha, name);
      await fsp.rm(file, { force: true });
      await fsp.rmdir(path.dirname(file)).catch(() => {}); // only when empty
      this.stats.evicted++;
    }
  }
}

/** Marks a cached file as just used; false when it is not there. */
async function touch(file: string): Promise<boolean> {
  const now = new Date();
  try {
    await fsp.utimes(file, now, now);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw e;
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await fsp.readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
}
