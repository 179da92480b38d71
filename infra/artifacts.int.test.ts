/**
 * The artifact store's contract over both backends: a local directory and S3
 * (the SeaweedFS the integration setup started, with its real credentials and
 * signatures), plus the local cache of S3 artifacts, presigned downloads and
 * the errors for a store that cannot be used.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { HeadObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArtifactStore, contentKey, parseArtifactUri, UPLOAD_PART_SIZE } from "./artifacts";
import { createS3Client } from "./s3";
import { env } from "./env";
import { freePort } from "../scripts/process-utils";
import { testEnv } from "../testing/env";

let tmp: string;
let s3: S3Client;
/** A fresh prefix per run and test: nothing is shared with other test files. */
const uid = () => crypto.randomBytes(4).toString("hex");
const s3Uri = () => `${testEnv().ARTIFACT_URI}/contract-${uid()}`;
const sha = (b: Uint8Array) => crypto.createHash("sha256").update(b).digest("hex");

beforeAll(async () => {
  expect(testEnv().ARTIFACT_URI).toMatch(/^s3:\/\//);
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), "conveyor-artifacts-contract-"));
  s3 = createS3Client(env().s3);
});
afterAll(async () => {
  s3?.destroy();
  await fsp.rm(tmp, { recursive: true, force: true });
});

/** A store on `uri` with a cache directory of its own (a process of its own, as far as the cache goes). */
function storeOn(uri: string, opts: { cacheMaxBytes?: number } = {}): ArtifactStore {
  return new ArtifactStore({ uri, cacheDir: fs.mkdtempSync(path.join(tmp, "cache-")), ...opts });
}

/** Writes `mb` MB of random bytes to a file in 1 MB chunks, never holding it whole; returns its sha256. */
async function bigFile(file: string, mb: number): Promise<string> {
  const hash = crypto.createHash("sha256");
  const out = fs.createWriteStream(file);
  for (let i = 0; i < mb; i++) {
    const chunk = crypto.randomBytes(1024 * 1024);
    hash.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return hash.digest("hex");
}

/** When the artifact was last written: the object's LastModified, or the file's mtime. */
async function writtenAt(uri: string): Promise<number> {
  const loc = parseArtifactUri(uri);
  if (loc.kind === "file") return (await fsp.stat(loc.path)).mtimeMs;
  const head = await s3.send(new HeadObjectCommand({ Bucket: loc.bucket, Key: loc.key }));
  return head.LastModified!.getTime();
}

const backends = [
  {
    name: "file",
    uri: () => pathToFileURL(fs.mkdtempSync(path.join(tmp, "store-"))).href,
    pattern: /^file:\/\/\/.+\/sha256\/[0-9a-f]{2}\/[0-9a-f]{64}\/[^/]+$/,
  },
  { name: "s3", uri: s3Uri, pattern: /^s3:\/\/conveyor\/artifacts\/contract-[0-9a-f]{8}\/sha256\/[0-9a-f]{2}\/[0-9a-f]{64}\/[^/]+$/ },
];

describe.each(backends)("the $name store", ({ uri, pattern }) => {
  it("puts and reads bytes by a content-addressed URI, idempotently: same bytes, same URI, nothing rewritten", async () => {
    const store = storeOn(uri());
    const bytes = new TextEncoder().encode(`hello ${uid()}`);
    const ref = await store.putBytes(bytes, "hello.txt");
    expect(ref).toEqual({ uri: expect.stringMatching(pattern), sha256: sha(bytes), sizeBytes: bytes.byteLength });
    expect(ref.uri.endsWith(contentKey("", sha(bytes), "hello.txt"))).toBe(true);
    expect(Buffer.from(await store.read(ref.uri)).equals(Buffer.from(bytes))).toBe(true);
    // Another process (an empty cache) reads the same bytes.
    const other = storeOn(store.uri);
    expect(Buffer.from(await fsp.readFile(await other.localFile(ref.uri))).equals(Buffer.from(bytes))).toBe(true);

    const first = await writtenAt(ref.uri);
    await new Promise((r) => setTimeout(r, 1100)); // S3's LastModified has whole seconds
    expect(await storeOn(store.uri).putBytes(bytes, "hello.txt")).toEqual(ref);
    expect(await writtenAt(ref.uri)).toBe(first);
  });

  it("streams a 21 MB file in (multipart for S3) and moves it out of the scratch directory; writing it again rewrites nothing", async () => {
    const store = storeOn(uri());
    const dir = await store.scratch("contract");
    const file = path.join(dir, "big.parquet");
    const sum = await bigFile(file, 21);
    const t0 = Date.now();
    const ref = await store.putFile(file, "big.parquet");
    const upMs = Date.now() - t0;
    expect(ref).toEqual({ uri: expect.stringMatching(pattern), sha256: sum, sizeBytes: 21 * 1024 * 1024 });
    expect(fs.existsSync(file)).toBe(false);
    const loc = parseArtifactUri(ref.uri);
    if (loc.kind === "s3") {
      const head = await s3.send(new HeadObjectCommand({ Bucket: loc.bucket, Key: loc.key }));
      expect(head.ContentLength).toBe(21 * 1024 * 1024);
      // A multipart upload's ETag is "<md5 of the parts' md5s>-<parts>".
      expect(head.ETag).toMatch(new RegExp(`-${Math.ceil((21 * 1024 * 1024) / UPLOAD_PART_SIZE)}"$`));
    }
    const reader = storeOn(store.uri);
    const t1 = Date.now();
    const local = await reader.localFile(ref.uri);
    const downMs = Date.now() - t1;
    expect(await sha256Of(local)).toBe(sum);
    if (loc.kind === "s3")
      console.log(
        `[artifacts] 21 MB to S3: putFile ${upMs} ms (${(21_000 / Math.max(upMs, 1)).toFixed(0)} MB/s), a first localFile (download) ${downMs} ms (${(21_000 / Math.max(downMs, 1)).toFixed(0)} MB/s)`,
      );

    const first = await writtenAt(ref.uri);
    await new Promise((r) => setTimeout(r, 1100));
    const again = path.join(dir, "again.parquet");
    await fsp.copyFile(local, again);
    expect(await storeOn(store.uri).putFile(again, "big.parquet")).toEqual(ref);
    expect(await writtenAt(ref.uri)).toBe(first);
    expect(fs.existsSync(again)).toBe(false);
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it("refuses an artifact URI of another scheme", async () => {
    await expect(storeOn(uri()).localFile("http://example.invalid/a")).rejects.toThrow(/unsupported artifact URI scheme/);
  });
});

async function sha256Of(file: string): Promise<string> {
  const hash = crypto.createHash("sha256");
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

describe("the local cache of S3 artifacts", () => {
  const kb = (n: number, fill: number) => new Uint8Array(n * 1024).fill(fill);

  it("downloads an artifact once: later reads are cache hits, concurrent first reads share one download", async () => {
    const writer = storeOn(s3Uri());
    const ref = await writer.putBytes(kb(64, 1), "model.onnx");
    const reader = storeOn(writer.uri);
    const paths = await Promise.all(Array.from({ length: 5 }, () => reader.localFile(ref.uri)));
    expect(new Set(paths).size).toBe(1);
    expect(reader.cache.stats.downloads).toBe(1);
    await reader.read(ref.uri);
    await reader.localFile(ref.uri);
    expect(reader.cache.stats).toMatchObject({ downloads: 1, hits: 2 });
    // The writer kept what it uploaded: no download at all.
    await writer.read(ref.uri);
    expect(writer.cache.stats).toMatchObject({ downloads: 0, hits: 1 });
  });

  it("evicts the least recently used files past its bound, and downloads an evicted one again", async () => {
    const writer = storeOn(s3Uri());
    const [a, b, c] = await Promise.all([writer.putBytes(kb(100, 2), "a.bin"), writer.putBytes(kb(100, 3), "b.bin"), writer.putBytes(kb(100, 4), "c.bin")]);
    const reader = storeOn(writer.uri, { cacheMaxBytes: 250 * 1024 });
    const pause = () => new Promise((r) => setTimeout(r, 30));
    const fa = await reader.localFile(a.uri);
    await pause();
    const fb = await reader.localFile(b.uri);
    await pause();
    await reader.localFile(a.uri); // a is now more recent than b
    await pause();
    const fc = await reader.localFile(c.uri); // 300 KB > 250 KB: b goes
    expect([fs.existsSync(fa), fs.existsSync(fb), fs.existsSync(fc)]).toEqual([true, false, true]);
    expect(reader.cache.stats).toMatchObject({ downloads: 3, hits: 1, evicted: 1 });
    await pause();
    expect(await reader.localFile(b.uri)).toBe(fb); // downloaded again; a is now the oldest
    expect(reader.cache.stats).toMatchObject({ downloads: 4, evicted: 2 });
    expect([fs.existsSync(fa), fs.existsSync(fb), fs.existsSync(fc)]).toEqual([false, true, true]);
    expect((await reader.cache.entries()).reduce((n, e) => n + e.size, 0)).toBeLessThanOrEqual(250 * 1024);
  });

  it("refuses an object whose bytes do not hash to the sha256 its URI names, and caches nothing", async () => {
    const store = storeOn(s3Uri());
    const loc = store.location;
    if (loc.kind !== "s3") throw new Error("expected an s3 store");
    const claimed = sha(new TextEncoder().encode("the real bytes"));
    const key = contentKey(loc.prefix, claimed, "model.onnx");
    await s3.send(new PutObjectCommand({ Bucket: loc.bucket, Key: key, Body: "tampered bytes" }));
    const uri = `s3://${loc.bucket}/${key}`;
    await expect(store.localFile(uri)).rejects.toThrow(
      new RegExp(`${uri.replaceAll("/", "\\/")} has sha256 [0-9a-f]{64}, not the ${claimed} its URI names: refused`),
    );
    expect(fs.existsSync(store.cache.pathOf(claimed, "model.onnx"))).toBe(false);
    expect(await store.cache.entries()).toEqual([]);
  });

  it("reads the file: URIs of an earlier local store while the file is on this machine, and says why not otherwise", async () => {
    const local = storeOn(pathToFileURL(fs.mkdtempSync(path.join(tmp, "old-"))).href);
    const ref = await local.putBytes(new TextEncoder().encode("old run"), "model.onnx");
    const store = storeOn(s3Uri());
    expect(new TextDecoder().decode(await store.read(ref.uri))).toBe("old run");
    await fsp.rm(fileURLToPath(ref.uri));
    await expect(store.localFile(ref.uri)).rejects.toThrow(
      /is a local file that is not on this machine; this store keeps artifacts in s3:\/\/conveyor\/.+ \(ARTIFACT_URI\)/,
    );
  });
});

describe("downloads", () => {
  it("a presigned URL serves the object over plain HTTP; a tampered one is refused", async () => {
    const store = storeOn(s3Uri());
    const bytes = crypto.randomBytes(200_000);
    const ref = await store.putBytes(bytes, "model.onnx");
    const url = await store.presignedUrl(ref.uri, 60);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/conveyor\/.+X-Amz-Signature=/);
    const res = await fetch(url!);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    const tampered = await fetch(url!.replace(/(X-Amz-Signature=[0-9a-f]*)([0-9a-f])/, (_, head: string, last: string) => head + (last === "0" ? "1" : "0")));
    expect(tampered.status).toBe(403);
    // A file: artifact has no presigned URL: the web app streams it.
    const local = storeOn(pathToFileURL(fs.mkdtempSync(path.join(tmp, "dl-"))).href);
    const lref = await local.putBytes(bytes, "model.onnx");
    expect(await local.presignedUrl(lref.uri)).toBeUndefined();
    expect(await local.download(lref.uri, "redirect")).toMatchObject({ kind: "stream", sizeBytes: 200_000 });
    expect(await store.download(ref.uri, "stream")).toMatchObject({ kind: "stream", sizeBytes: 200_000 });
  });
});

describe("a store that cannot be used", () => {
  it("a bucket that does not exist is created at first use", async () => {
    const bucket = `conveyor-new-${uid()}`;
    const store = storeOn(`s3://${bucket}/p`);
    const ref = await store.putBytes(new TextEncoder().encode("x"), "x.txt");
    expect(ref.uri).toMatch(new RegExp(`^s3://${bucket}/p/sha256/`));
  });

  it("names ARTIFACT_URI and S3_ENDPOINT when the server cannot be reached", async () => {
    const port = await freePort();
    const store = new ArtifactStore({
      uri: "s3://conveyor/nowhere",
      cacheDir: path.join(tmp, "unreachable"),
      s3: { endpoint: `http://127.0.0.1:${port}`, region: "us-east-1", forcePathStyle: true },
    });
    await expect(store.putBytes(new TextEncoder().encode("x"), "x.txt")).rejects.toThrow(
      new RegExp(`^ARTIFACT_URI=s3://conveyor/nowhere \\(S3_ENDPOINT=http://127\\.0\\.0\\.1:${port}\\): the S3 server cannot be reached: .*ECONNREFUSED`),
    );
  });

  it("names ARTIFACT_URI when the bucket cannot be used or created (credentials the server does not know)", async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = "unknown-key";
    process.env.AWS_SECRET_ACCESS_KEY = "unknown-secret";
    try {
      const store = storeOn(`s3://conveyor-denied-${uid()}/p`);
      await expect(store.putBytes(new TextEncoder().encode("x"), "x.txt")).rejects.toThrow(
        /^ARTIFACT_URI=s3:\/\/conveyor-denied-[0-9a-f]{8}\/p \(S3_ENDPOINT=http:\/\/127\.0\.0\.1:\d+\): the bucket "conveyor-denied-[0-9a-f]{8}" cannot be used: HTTP 403/,
      );
    } finally {
      process.env.AWS_ACCESS_KEY_ID = saved.id;
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });

  it("refuses an ARTIFACT_URI that is not a bucket name", () => {
    expect(() => new ArtifactStore({ uri: "s3://Bad_Bucket/x", cacheDir: tmp })).toThrow(
      'ARTIFACT_URI=s3://Bad_Bucket/x: "Bad_Bucket" is not a valid S3 bucket name',
    );
  });
});
