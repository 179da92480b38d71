import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { contentAddress, contentKey, parseArtifactUri, parseStoreLocation, storeUri } from "./artifacts";
import { planEviction, type CacheEntry } from "./artifact-cache";
import { parseEnv } from "./env";

const SHA = "ab".padEnd(64, "0");

describe("store locations (ARTIFACT_URI)", () => {
  it("reads s3://bucket and s3://bucket/prefix, dropping stray slashes", () => {
    expect(parseStoreLocation("s3://conveyor")).toEqual({ kind: "s3", bucket: "conveyor", prefix: "" });
    expect(parseStoreLocation("s3://conveyor/")).toEqual({ kind: "s3", bucket: "conveyor", prefix: "" });
    expect(parseStoreLocation("s3://my.bucket-1/team/a//artifacts/")).toEqual({ kind: "s3", bucket: "my.bucket-1", prefix: "team/a/artifacts" });
    expect(storeUri(parseStoreLocation("s3://conveyor/team/a/"))).toBe("s3://conveyor/team/a");
    expect(storeUri(parseStoreLocation("s3://conveyor"))).toBe("s3://conveyor");
  });

  it("reads file: URIs and plain directories (relative to the working directory)", () => {
    expect(parseStoreLocation("file:///var/lib/conveyor")).toEqual({ kind: "file", dir: "/var/lib/conveyor" });
    expect(parseStoreLocation("data/artifacts", "/srv")).toEqual({ kind: "file", dir: "/srv/data/artifacts" });
    expect(storeUri({ kind: "file", dir: "/var/lib/conveyor" })).toBe("file:///var/lib/conveyor");
  });

  it("refuses what is not a bucket, a dot segment or another scheme, naming ARTIFACT_URI", () => {
    expect(() => parseStoreLocation("s3://")).toThrow('ARTIFACT_URI=s3://: "" is not a valid S3 bucket name');
    expect(() => parseStoreLocation("s3://UPPER/x")).toThrow('ARTIFACT_URI=s3://UPPER/x: "UPPER" is not a valid S3 bucket name');
    expect(() => parseStoreLocation("s3://ab")).toThrow(/not a valid S3 bucket name/);
    expect(() => parseStoreLocation("s3://conveyor/a/../b")).toThrow('ARTIFACT_URI=s3://conveyor/a/../b: the key prefix must not contain "." or ".." segments');
    expect(() => parseStoreLocation("gs://conveyor/x")).toThrow("ARTIFACT_URI=gs://conveyor/x: unsupported scheme; use s3://bucket/prefix or file:///dir");
  });
});

describe("artifact URIs", () => {
  it("content-addressed keys: <prefix>/sha256/ab/<sha>/<name>, and back", () => {
    expect(contentKey("team/a", SHA, "model.onnx")).toBe(`team/a/sha256/ab/${SHA}/model.onnx`);
    expect(contentKey("", SHA, "model.onnx")).toBe(`sha256/ab/${SHA}/model.onnx`);
    expect(contentAddress(`s3://b/team/a/sha256/ab/${SHA}/model.onnx`)).toEqual({ sha256: SHA, name: "model.onnx" });
    expect(contentAddress(path.join("/data", "sha256", "ab", SHA, "data.parquet"))).toEqual({ sha256: SHA, name: "data.parquet" });
    expect(contentAddress(`sha256/cd/${SHA}/model.onnx`)).toBeUndefined(); // the fan-out folder must match
    expect(contentAddress(`sha256/ab/${SHA.slice(1)}/model.onnx`)).toBeUndefined();
    expect(contentAddress(`sha256/ab/${SHA}`)).toBeUndefined();
  });

  it("parses s3: and file: URIs and refuses the rest", () => {
    expect(parseArtifactUri(`s3://conveyor/a/sha256/ab/${SHA}/m.onnx`)).toEqual({ kind: "s3", bucket: "conveyor", key: `a/sha256/ab/${SHA}/m.onnx` });
    expect(parseArtifactUri(pathToFileURL("/d/x y.onnx").href)).toEqual({ kind: "file", path: "/d/x y.onnx" });
    expect(() => parseArtifactUri("s3://conveyor")).toThrow("artifact URI s3://conveyor names no object (s3://bucket/key)");
    expect(() => parseArtifactUri("s3://conveyor/")).toThrow(/names no object/);
    expect(() => parseArtifactUri("https://x/y")).toThrow("unsupported artifact URI scheme: https://x/y (file: or s3:)");
  });
});

describe("configuration", () => {
  it("defaults to the local ARTIFACT_DIR; S3 settings from S3_* (AWS_REGION as the fallback region), path style with an endpoint", () => {
    const local = parseEnv({}, "/srv");
    expect(local.artifactUri).toBe("file:///srv/.data/artifacts");
    expect(local.artifactCacheDir).toBe("/srv/.data/artifact-cache");
    expect(local.ARTIFACT_CACHE_MAX_BYTES).toBe(10 * 1024 ** 3);
    expect(local.ARTIFACT_DOWNLOAD).toBe("stream");
    expect(local.s3).toEqual({ endpoint: undefined, region: "us-east-1", forcePathStyle: false });
    expect(parseEnv({ ARTIFACT_DIR: "/a" }).artifactUri).toBe("file:///a");

    const s3 = parseEnv({ ARTIFACT_URI: "s3://conveyor/p", S3_ENDPOINT: "http://127.0.0.1:8333", AWS_REGION: "eu-north-1", ARTIFACT_CACHE_MAX_BYTES: "1000" });
    expect(s3.artifactUri).toBe("s3://conveyor/p");
    expect(s3.ARTIFACT_CACHE_MAX_BYTES).toBe(1000);
    expect(s3.s3).toEqual({ endpoint: "http://127.0.0.1:8333", region: "eu-north-1", forcePathStyle: true });
    expect(parseEnv({ S3_REGION: "us-west-2", AWS_REGION: "eu-north-1", S3_ENDPOINT: "http://x:1", S3_FORCE_PATH_STYLE: "0" }).s3).toEqual({
      endpoint: "http://x:1",
      region: "us-west-2",
      forcePathStyle: false,
    });
  });

  it("names the variable of a bad value", () => {
    expect(() => parseEnv({ ARTIFACT_URI: "gs://x" })).toThrow(/ARTIFACT_URI="gs:\/\/x": must be s3:\/\/bucket\[\/prefix\] or a file:\/\/ URI/);
    expect(() => parseEnv({ S3_ENDPOINT: "not a url" })).toThrow(/S3_ENDPOINT="not a url"/);
    expect(() => parseEnv({ ARTIFACT_CACHE_MAX_BYTES: "-1" })).toThrow(/ARTIFACT_CACHE_MAX_BYTES="-1"/);
    expect(() => parseEnv({ ARTIFACT_DOWNLOAD: "proxy" })).toThrow(/ARTIFACT_DOWNLOAD="proxy"/);
  });
});

describe("cache eviction", () => {
  const e = (key: string, size: number, lastUsed: number): CacheEntry => ({ key, size, lastUsed });

  it("deletes the least recently used first, only until the total is within the bound", () => {
    const entries = [e("c", 40, 3), e("a", 40, 1), e("b", 40, 2), e("d", 40, 4)];
    expect(planEviction(entries, 160)).toEqual([]);
    expect(planEviction(entries, 120).map((x) => x.key)).toEqual(["a"]);
    expect(planEviction(entries, 79).map((x) => x.key)).toEqual(["a", "b", "c"]);
    expect(planEviction(entries, 0).map((x) => x.key)).toEqual(["a", "b", "c", "d"]);
  });

  it("never deletes an entry in use, even when it alone is over the bound", () => {
    const entries = [e("old", 10, 1), e("big", 500, 5)];
    expect(planEviction(entries, 100, new Set(["big"])).map((x) => x.key)).toEqual(["old"]);
    expect(planEviction([e("a", 60, 1), e("b", 60, 2)], 100, new Set(["a"])).map((x) => x.key)).toEqual(["b"]);
  });

  it("breaks ties of the same last use by key (a stable order)", () => {
    expect(planEviction([e("y", 10, 1), e("x", 10, 1)], 10).map((x) => x.key)).toEqual(["x"]);
  });
});
