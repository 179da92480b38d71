/**
 * Content-addressed artifact store. Activities, the web app and the serving
 * process exchange artifacts only by URI, never by local paths or inside
 * Temporal payloads: `file:///…/sha256/ab/abcd…/name` on a local disk, or
 * `s3://bucket/prefix/sha256/ab/abcd…/name` in S3 (or any S3-compatible
 * server), so workers and serving replicas can run on different machines.
 * Writing the same bytes twice yields the same URI and rewrites nothing
 * (idempotent retries: S3 objects get a HEAD first). Readers that need a
 * local file (DuckDB, onnxruntime) call `localFile(uri)`: the file itself for
 * file:, a bounded local cache by sha256 for s3: (infra/artifact-cache.ts),
 * so each artifact is downloaded once per machine.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath, pathToFileURL } from "node:url";
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { env, type Env, type S3Settings } from "./env";
import { ArtifactCache } from "./artifact-cache";
import { createS3Client, ensureBucket, isNotFound, s3Reason, s3Status, whereText } from "./s3";

export interface ArtifactRef {
  uri: string;
  sha256: string;
  sizeBytes: number;
}

/** Where a store writes: a local directory or a bucket and key prefix. */
export type StoreLocation = { kind: "file"; dir: string } | { kind: "s3"; bucket: string; prefix: string };

/** Where one artifact is. */
export type ArtifactLocation = { kind: "file"; path: string } | { kind: "s3"; bucket: string; key: string };

/** Multipart uploads for files larger than one part; at most PART_SIZE × QUEUE_SIZE bytes are in memory. */
export const UPLOAD_PART_SIZE = 8 * 1024 * 1024;
const UPLOAD_QUEUE_SIZE = 2;

// ---------------------------------------------------------------------------
// URIs (pure)

/** S3's bucket naming rules (3–63 characters: lowercase letters, digits, dots and hyphens). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * ARTIFACT_URI (or a directory) → where the store writes. `s3://bucket` and
 * `s3://bucket/some/prefix` (slashes around the prefix dropped); `file:///dir`;
 * anything else is taken as a local directory.
 */
export function parseStoreLocation(where: string, cwd = process.cwd()): StoreLocation {
  if (where.startsWith("s3://")) {
    const [bucket = "", ...rest] = where.slice("s3://".length).split("/");
    if (!BUCKET.test(bucket))
      throw new Error(`ARTIFACT_URI=${where}: "${bucket}" is not a valid S3 bucket name (3–63 lowercase letters, digits, dots or hyphens)`);
    const parts = rest.filter(Boolean);
    if (parts.some((p) => p === "." || p === "..")) throw new Error(`ARTIFACT_URI=${where}: the key prefix must not contain "." or ".." segments`);
    return { kind: "s3", bucket, prefix: parts.join("/") };
  }
  if (where.startsWith("file:")) return { kind: "file", dir: fileURLToPath(where) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(where)) throw new Error(`ARTIFACT_URI=${where}: unsupported scheme; use s3://bucket/prefix or file:///dir`);
  return { kind: "file", dir: path.resolve(cwd, where) };
}

export function storeUri(loc: StoreLocation): string {
  return loc.kind === "file" ? pathToFileURL(loc.dir).href : `s3://${loc.bucket}${loc.prefix ? `/${loc.prefix}` : ""}`;
}

/** An artifact URI → its location; throws for any other scheme. */
export function parseArtifactUri(uri: string): ArtifactLocation {
  if (uri.startsWith("file:")) return { kind: "file", path: fileURLToPath(uri) };
  if (uri.startsWith("s3://")) {
    const rest = uri.slice("s3://".length);
    const slash = rest.indexOf("/");
    if (slash <= 0 || slash === rest.length - 1) throw new Error(`artifact URI ${uri} names no object (s3://bucket/key)`);
    return { kind: "s3", bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
  }
  throw new Error(`unsupported artifact URI scheme: ${uri} (file: or s3:)`);
}

/** The key (or path) of an artifact: `<prefix>/sha256/ab/<sha256>/<name>`. */
export function contentKey(prefix: string, sha256: string, name: string): string {
  return [prefix, "sha256", sha256.slice(0, 2), sha256, name].filter(Boolean).join("/");
}

/** The sha256 and file name a content-addressed key or path names, or undefined. */
export function contentAddress(keyOrPath: string): { sha256: string; name: string } | undefined {
  const m = /(?:^|\/)sha256\/([0-9a-f]{2})\/([0-9a-f]{64})\/([^/]+)$/.exec(keyOrPath.split(path.sep).join("/"));
  if (!m || m[2]!.slice(0, 2) !== m[1]) return undefined;
  return { sha256: m[2]!, name: m[3]! };
}

function checkName(name: string): void {
  if (!name || name.includes("/") || name.includes("\\") || name === "." || name === "..")
    throw new Error(`artifact file name ${JSON.stringify(name)} must be a plain file name`);
}

// ---------------------------------------------------------------------------
// The store

export interface ArtifactStoreOptions {
  /** ARTIFACT_URI: s3://bucket/prefix, file:///dir or a local directory (default: env). */
  uri?: string;
  /** ARTIFACT_CACHE_DIR (default: env). */
  cacheDir?: string;
  /** ARTIFACT_CACHE_MAX_BYTES (default: env). */
  cacheMaxBytes?: number;
  /** The S3 client settings (default: env). */
  s3?: S3Settings;
}

/** An artifact's bytes as a stream, for downloads that must not be held in memory. */
export interface ArtifactStream {
  body: Readable;
  sizeBytes: number;
}

/** How the web app answers a download: the bytes as a stream, or a redirect to a presigned URL. */
export type ArtifactDownload = ({ kind: "stream" } & ArtifactStream) | { kind: "redirect"; url: string };

export class ArtifactStore {
  readonly location: StoreLocation;
  /** Where this store writes (ARTIFACT_URI). */
  readonly uri: string;
  /** The local cache of s3: artifacts. */
  readonly cache: ArtifactCache;
  private readonly s3Settings: S3Settings;
  private client?: S3Client;
  private readonly buckets = new Map<string, Promise<void>>();

  /** `where`: ARTIFACT_URI or a local directory; default: the environment's (ARTIFACT_URI, else ARTIFACT_DIR). */
  constructor(where: string | ArtifactStoreOptions = {}) {
    const o = typeof where === "string" ? { uri: where } : where;
    const e = env();
    this.location = parseStoreLocation(o.uri ?? e.artifactUri);
    this.uri = storeUri(this.location);
    this.cache = new ArtifactCache(o.cacheDir ?? e.artifactCacheDir, o.cacheMaxBytes ?? e.ARTIFACT_CACHE_MAX_BYTES);
    this.s3Settings = o.s3 ?? e.s3;
  }

  private s3(): S3Client {
    return (this.client ??= createS3Client(this.s3Settings));
  }

  /** The bucket is checked (and created when missing) once per store; a failure is retried on the next write. */
  private bucketReady(bucket: string): Promise<void> {
    let ready = this.buckets.get(bucket);
    if (!ready) {
      ready = ensureBucket(this.s3(), bucket, this.uri, this.s3Settings);
      ready.catch(() => this.buckets.delete(bucket));
      this.buckets.set(bucket, ready);
    }
    return ready;
  }

  /** True when the object is there with this size (an idempotent write then skips the upload). */
  private async objectExists(bucket: string, key: string, size: number): Promise<boolean> {
    try {
      const head = await this.s3().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return head.ContentLength === size;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw this.s3Error(e, `s3://${bucket}/${key}`);
    }
  }

  private s3Error(e: unknown, uri: string): Error {
    if (s3Status(e) === undefined)
      return new Error(`${whereText(this.uri, this.s3Settings)}: the S3 server cannot be reached for ${uri}: ${s3Reason(e)}`, { cause: e });
    if (isNotFound(e)) return new Error(`artifact ${uri} does not exist (${s3Reason(e)}; store ${whereText(this.uri, this.s3Settings)})`, { cause: e });
    return new Error(`artifact ${uri}: ${s3Reason(e)} (store ${whereText(this.uri, this.s3Settings)})`, { cause: e });
  }

  private localTarget(dir: string, sha256: string, filename: string): string {
    return path.join(dir, ...contentKey("", sha256, filename).split("/"));
  }

  async putBytes(bytes: Uint8Array, filename: string): Promise<ArtifactRef> {
    checkName(filename);
    const sha256 = crypto.createHash("sha256").update(bytes).digest("hex");
    const ref = (uri: string): ArtifactRef => ({ uri, sha256, sizeBytes: bytes.byteLength });
    const loc = this.location;
    if (loc.kind === "file") {
      const dest = this.localTarget(loc.dir, sha256, filename);
      if (!fs.existsSync(dest)) {
        await fsp.mkdir(path.dirname(dest), { recursive: true });
        const tmp = `${dest}.${process.pid}.${crypto.randomUUID()}.tmp`;
        await fsp.writeFile(tmp, bytes);
        await fsp.rename(tmp, dest);
      }
      return ref(pathToFileURL(dest).href);
    }
    const key = contentKey(loc.prefix, sha256, filename);
    const uri = `s3://${loc.bucket}/${key}`;
    await this.bucketReady(loc.bucket);
    if (!(await this.objectExists(loc.bucket, key, bytes.byteLength))) {
      await this.s3()
        .send(new PutObjectCommand({ Bucket: loc.bucket, Key: key, Body: bytes, ContentLength: bytes.byteLength }))
        .catch((e: unknown) => {
          throw this.s3Error(e, uri);
        });
    }
    await this.cache.adoptBytes(bytes, sha256, filename);
    return ref(uri);
  }

  /**
   * Moves a finished local file (e.g. a Parquet file DuckDB wrote) into the
   * store: renamed into the directory (file:), or streamed to S3 (multipart
   * past UPLOAD_PART_SIZE, never read into memory whole) and kept in the local
   * cache, since the writer's next step often reads it (s3:).
   */
  async putFile(file: string, filename: string): Promise<ArtifactRef> {
    checkName(filename);
    const sha256 = await sha256File(file);
    const { size } = await fsp.stat(file);
    const ref = (uri: string): ArtifactRef => ({ uri, sha256, sizeBytes: size });
    const loc = this.location;
    if (loc.kind === "file") {
      const dest = this.localTarget(loc.dir, sha256, filename);
      if (!fs.existsSync(dest)) {
        await fsp.mkdir(path.dirname(dest), { recursive: true });
        await fsp.rename(file, dest).catch(async () => {
          await fsp.copyFile(file, `${dest}.tmp`);
          await fsp.rename(`${dest}.tmp`, dest);
        });
      } else {
        await fsp.rm(file, { force: true });
      }
      return ref(pathToFileURL(dest).href);
    }
    const key = contentKey(loc.prefix, sha256, filename);
    const uri = `s3://${loc.bucket}/${key}`;
    await this.bucketReady(loc.bucket);
    if (!(await this.objectExists(loc.bucket, key, size))) {
      const upload = new Upload({
        client: this.s3(),
        params: { Bucket: loc.bucket, Key: key, Body: fs.createReadStream(file) },
        partSize: UPLOAD_PART_SIZE,
        queueSize: UPLOAD_QUEUE_SIZE,
        leavePartsOnError: false,
      });
      await upload.done().catch((e: unknown) => {
        throw this.s3Error(e, uri);
      });
    }
    await this.cache.adoptFile(file, sha256, filename);
    return ref(uri);
  }

  /**
   * A local path of the artifact, for readers that need one (DuckDB,
   * onnxruntime): the file itself for file: URIs (also those of an earlier
   * local store, while the file is on this machine), the cached copy for s3:
   * ones (downloaded once, checked against its sha256).
   */
  async localFile(uri: string): Promise<string> {
    const loc = parseArtifactUri(uri);
    if (loc.kind === "file") {
      if (fs.existsSync(loc.path)) return loc.path;
      throw new Error(
        this.location.kind === "s3"
          ? `artifact ${uri} is a local file that is not on this machine; this store keeps artifacts in ${this.uri} (ARTIFACT_URI), and the file: URIs of an earlier local store are readable only where their files are`
          : `artifact ${uri} does not exist`,
      );
    }
    const address = contentAddress(loc.key);
    if (!address) throw new Error(`artifact URI ${uri} is not content-addressed (…/sha256/ab/<sha256>/<name>)`);
    return this.cache.get(address.sha256, address.name, async () => (await this.getObject(loc.bucket, loc.key, uri)).body, `artifact ${uri}`);
  }

  async read(uri: string): Promise<Buffer> {
    return fsp.readFile(await this.localFile(uri));
  }

  /** The artifact's bytes as a stream with its size (downloads): the file, or the S3 object without a local copy. */
  async openRead(uri: string): Promise<ArtifactStream> {
    const loc = parseArtifactUri(uri);
    if (loc.kind === "file") {
      const file = await this.localFile(uri);
      return { body: fs.createReadStream(file), sizeBytes: (await fsp.stat(file)).size };
    }
    return this.getObject(loc.bucket, loc.key, uri);
  }

  /** A presigned GET URL of an s3: artifact, valid for `expiresInSeconds`; undefined for file: ones. */
  async presignedUrl(uri: string, expiresInSeconds = 300): Promise<string | undefined> {
    const loc = parseArtifactUri(uri);
    if (loc.kind === "file") return undefined;
    return getSignedUrl(this.s3(), new GetObjectCommand({ Bucket: loc.bucket, Key: loc.key }), { expiresIn: expiresInSeconds });
  }

  /**
   * A download of the artifact: with "redirect", a presigned URL for s3:
   * artifacts (the client fetches from S3); otherwise, and for file: ones,
   * a stream.
   */
  async download(uri: string, mode: "stream" | "redirect"): Promise<ArtifactDownload> {
    const url = mode === "redirect" ? await this.presignedUrl(uri) : undefined;
    return url ? { kind: "redirect", url } : { kind: "stream", ...(await this.openRead(uri)) };
  }

  private async getObject(bucket: string, key: string, uri: string): Promise<ArtifactStream> {
    try {
      const out = await this.s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return { body: out.Body as Readable, sizeBytes: out.ContentLength ?? 0 };
    } catch (e) {
      throw this.s3Error(e, uri);
    }
  }

  /** A local scratch directory for an activity (on the store's disk, or beside the cache); callers remove it when done. */
  async scratch(prefix: string): Promise<string> {
    const dir = this.location.kind === "file" ? path.join(this.location.dir, "tmp") : this.cache.tmpDir();
    await fsp.mkdir(dir, { recursive: true });
    return fsp.mkdtemp(path.join(dir, `${prefix}-`));
  }
}

let shared: { env: Env; store: ArtifactStore } | undefined;

/**
 * The process's store as the environment configures it, made once (one S3
 * client, one bucket check, one set of in-flight downloads); a new one when a
 * variable changes (test harnesses).
 */
export function artifactStore(): ArtifactStore {
  const e = env();
  if (shared?.env !== e) shared = { env: e, store: new ArtifactStore() };
  return shared.store;
}

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash("sha256");
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
