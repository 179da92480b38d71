import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fakeBinaries } from "../testing/fake-binaries";
import {
  ensureSeaweedFs,
  parseWeedVersion,
  SEAWEEDFS_MODULE_VERSION,
  SEAWEEDFS_VERSION,
  SeaweedFsNotFoundError,
  weedCachePath,
  weedMiniArgs,
  type WeedDeps,
  type WeedPorts,
} from "./seaweedfs";

describe("weed version", () => {
  it("reads `weed version` (with or without a commit)", () => {
    expect(parseWeedVersion("version 30GB 4.53  linux amd64\n\nFor enterprise users…")).toBe("4.53");
    expect(parseWeedVersion("version 8000GB 4.53 7506e5f91cd6 linux arm64")).toBe("4.53");
    expect(parseWeedVersion("weed: command not found")).toBeUndefined();
  });

  it("caches one binary per version under ~/.cache/conveyor/bin, honouring XDG_CACHE_HOME", () => {
    expect(weedCachePath({}, "/home/ada")).toBe(`/home/ada/.cache/conveyor/bin/weed-${SEAWEEDFS_VERSION}`);
    expect(weedCachePath({ XDG_CACHE_HOME: "/xdg" }, "/home/ada")).toBe(`/xdg/conveyor/bin/weed-${SEAWEEDFS_VERSION}`);
  });
});

describe("finding or building weed (fakes of each source)", () => {
  const f = fakeBinaries("seaweedfs-test");
  const { fakeBinary } = f;
  const cachePath = () => weedCachePath({}, f.home);

  const deps = (over: Partial<WeedDeps> = {}): Partial<WeedDeps> => ({
    env: { PATH: path.join(f.home, "usr-bin") },
    home: f.home,
    log: f.log,
    weedVersion: f.version,
    findGo: () => undefined,
    moduleDownload: async () => {
      f.calls.push("download");
      const dir = path.join(f.home, "modcache", `seaweedfs@${SEAWEEDFS_MODULE_VERSION}`);
      fs.mkdirSync(path.join(dir, "weed"), { recursive: true });
      fs.writeFileSync(path.join(dir, "go.mod"), "module github.com/seaweedfs/seaweedfs\n", { mode: 0o444 });
      fs.chmodSync(path.join(dir, "weed"), 0o555); // the module cache is read-only
      return { ok: true, dir };
    },
    goBuild: async (_go, src, out) => {
      f.calls.push(`build in ${path.basename(src)}`);
      expect(fs.existsSync(path.join(src, "go.mod"))).toBe(true);
      fakeBinary(out, SEAWEEDFS_VERSION);
      return true;
    },
    ...over,
  });

  it("uses SEAWEEDFS_PATH when it is the pinned version, before PATH and the cache", async () => {
    const bin = path.join(f.home, "opt", "weed");
    fakeBinary(bin, SEAWEEDFS_VERSION);
    fakeBinary(path.join(f.home, "usr-bin", "weed"), SEAWEEDFS_VERSION);
    fakeBinary(cachePath(), SEAWEEDFS_VERSION);
    expect(await ensureSeaweedFs(deps({ env: { SEAWEEDFS_PATH: bin, PATH: path.join(f.home, "usr-bin") } }))).toBe(bin);
    expect(f.logs[0]).toMatch(/^SEAWEEDFS_PATH: .* is version 4\.53 \(\d+ ms\)$/);
  });

  it("refuses a SEAWEEDFS_PATH that is not executable, without falling through", async () => {
    await expect(ensureSeaweedFs(deps({ env: { SEAWEEDFS_PATH: "/nope/weed" } }))).rejects.toThrow(
      "SEAWEEDFS_PATH is set to /nope/weed, which is not an executable file.",
    );
  });

  it("skips a weed of another version on PATH and takes the cached build", async () => {
    fakeBinary(path.join(f.home, "usr-bin", "weed"), "3.80");
    fakeBinary(cachePath(), SEAWEEDFS_VERSION);
    expect(await ensureSeaweedFs(deps())).toBe(cachePath());
    expect(f.calls).toEqual([]);
  });

  it("builds with Go in a writable copy of the module when nothing else is there, once", async () => {
    const got = await ensureSeaweedFs(deps({ findGo: () => "/usr/local/go/bin/go" }));
    expect(got).toBe(cachePath());
    expect(f.calls).toEqual(["download", "build in src"]);
    expect(f.versions.get(cachePath())).toBeUndefined(); // renamed from the build dir: the fake knows it by its old name
    f.versions.set(cachePath(), SEAWEEDFS_VERSION);
    // The build dir is gone, read-only copies included.
    expect(fs.readdirSync(path.dirname(path.dirname(cachePath()))).filter((f) => f.startsWith("weed-build-"))).toEqual([]);
    f.calls = [];
    expect(await ensureSeaweedFs(deps({ findGo: () => "/usr/local/go/bin/go" }))).toBe(cachePath());
    expect(f.calls).toEqual([]);
  });

  it("names every option and what was missing when none works", async () => {
    fakeBinary(path.join(f.home, "usr-bin", "weed"), "3.80");
    const err = await ensureSeaweedFs(deps()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SeaweedFsNotFoundError);
    const message = (err as Error).message;
    expect(message).toContain("SEAWEEDFS_PATH is not set");
    expect(message).toContain("weed is version 3.80, not 4.53");
    expect(message).toContain("nothing cached at");
    expect(message).toContain("Go: no `go` on PATH");
    expect(message).toContain("ARTIFACT_URI and S3_ENDPOINT");
  });

  it("reports a failed build", async () => {
    const err = await ensureSeaweedFs(deps({ findGo: () => "/go", goBuild: async () => false })).catch((e: unknown) => e);
    expect((err as Error).message).toContain("Go: `go build ./weed` failed (see above)");
    expect(fs.existsSync(cachePath())).toBe(false);
  });
});

describe("weed mini arguments", () => {
  it("binds every port it opens to the given address, turns off what Conveyor does not use, logs to files", () => {
    const ports: WeedPorts = {
      s3: 1,
      s3Grpc: 2,
      master: 3,
      masterGrpc: 4,
      volume: 5,
      volumeGrpc: 6,
      filer: 7,
      filerGrpc: 8,
      admin: 9,
      adminGrpc: 10,
    };
    const args = weedMiniArgs({ dir: "/d", ip: "127.0.0.1", ports });
    expect(args.slice(0, 3)).toEqual(["-logdir=/d/log", "-alsologtostderr=false", "mini"]);
    expect(args).toEqual(
      expect.arrayContaining([
        "-dir=/d/data",
        "-ip.bind=127.0.0.1",
        "-s3.port=1",
        "-s3.port.grpc=2",
        "-master.port=3",
        "-master.port.grpc=4",
        "-volume.port=5",
        "-volume.port.grpc=6",
        "-filer.port=7",
        "-filer.port.grpc=8",
        "-admin.port=9",
        "-admin.port.grpc=10",
        "-admin.port.legacy=0",
        "-webdav=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-master.telemetry=false",
        "-master.volumeSizeLimitMB=64",
      ]),
    );
  });
});
