/**
 * Content-addressed artifact store. Activities, the web app and the serving
 * process exchange artifacts only by URI (`file:///…/sha256/ab/abcd…/name`),
 * never by local paths or inside Temporal payloads. Writing the same bytes
 * twice yields the same URI and overwrites nothing (idempotent retries).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { env } from "./env";

export interface ArtifactRef {
  uri: string;
  sha256: string;
  sizeBytes: number;
}

export class ArtifactStore {
  constructor(readonly root: string = env().artifactDir) {}

  private target(sha256: string, filename: string): string {
    return path.join(this.root, "sha256", sha256.slice(0, 2), sha256, filename);
  }

  async putBytes(bytes: Uint8Array, filename: string): Promise<ArtifactRef> {
    const sha256 = crypto.createHash("sha256").update(bytes).digest("hex");
    const dest = this.target(sha256, filename);
    if (!fs.existsSync(dest)) {
      await fsp.mkdir(path.dirname(dest), { recursive: true });
      const tmp = `${dest}.${process.pid}.${crypto.randomUUID()}.tmp`;
      await fsp.writeFile(tmp, bytes);
      await fsp.rename(tmp, dest);
    }
    return { uri: pathToFileURL(dest).href, sha256, sizeBytes: bytes.byteLength };
  }

  /** Moves a finished local file (e.g. a Parquet file DuckDB wrote) into the store. */
  async putFile(file: string, filename: string): Promise<ArtifactRef> {
    const sha256 = await sha256File(file);
    const dest = this.target(sha256, filename);
    const { size } = await fsp.stat(file);
    if (!fs.existsSync(dest)) {
      await fsp.mkdir(path.dirname(dest), { recursive: true });
      await fsp.rename(file, dest).catch(async () => {
        await fsp.copyFile(file, `${dest}.tmp`);
        await fsp.rename(`${dest}.tmp`, dest);
      });
    } else {
      await fsp.rm(file, { force: true });
    }
    return { uri: pathToFileURL(dest).href, sha256, sizeBytes: size };
  }

  /** A local path for readers that need one (DuckDB). Only file: URIs exist so far. */
  localPath(uri: string): string {
    if (!uri.startsWith("file:")) throw new Error(`unsupported artifact URI scheme: ${uri}`);
    return fileURLToPath(uri);
  }

  async read(uri: string): Promise<Buffer> {
    return fsp.readFile(this.localPath(uri));
  }

  /** A scratch directory for an activity; callers remove it when done. */
  async scratch(prefix: string): Promise<string> {
    const dir = path.join(this.root, "tmp");
    await fsp.mkdir(dir, { recursive: true });
    return fsp.mkdtemp(path.join(dir, `${prefix}-`));
  }
}

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash("sha256");
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
