import path from "node:path";
import { describe, expect, it } from "vitest";
import { cacheBinDir, findOnPath, lookupTemporalCli } from "./temporal-cli";
import { temporalDevServerArgs } from "./temporal-dev-server";

const home = "/home/ada";
const cache = path.join(home, ".cache", "conveyor", "bin", "temporal");
const lookup = (env: Record<string, string | undefined>, executables: string[]) =>
  lookupTemporalCli({ env, home, isExecutable: (f) => executables.includes(f) });

describe("Temporal CLI lookup order", () => {
  it("prefers TEMPORAL_CLI_PATH over PATH and the cache", () => {
    expect(lookup({ TEMPORAL_CLI_PATH: "/opt/t/temporal", PATH: "/usr/bin" }, ["/opt/t/temporal", "/usr/bin/temporal", cache])).toEqual({
      found: true,
      path: "/opt/t/temporal",
      source: "TEMPORAL_CLI_PATH",
    });
  });

  it("reports a TEMPORAL_CLI_PATH that is not executable instead of falling through", () => {
    const r = lookup({ TEMPORAL_CLI_PATH: "/nope/temporal", PATH: "/usr/bin" }, ["/usr/bin/temporal"]);
    expect(r.found).toBe(false);
    expect(r.found === false && r.error).toContain("TEMPORAL_CLI_PATH");
  });

  it("then takes the first `temporal` on PATH", () => {
    expect(lookup({ PATH: ["/a", "/b", "/c"].join(path.delimiter) }, ["/b/temporal", "/c/temporal", cache])).toMatchObject({
      found: true,
      path: "/b/temporal",
      source: "PATH",
    });
  });

  it("then the per-user cache", () => {
    expect(lookup({ PATH: "/a" }, [cache])).toEqual({ found: true, path: cache, source: "cache" });
  });

  it("honours XDG_CACHE_HOME for the cache", () => {
    const xdg = path.join("/xdg", "conveyor", "bin", "temporal");
    expect(lookup({ PATH: "", XDG_CACHE_HOME: "/xdg" }, [xdg])).toEqual({ found: true, path: xdg, source: "cache" });
    expect(cacheBinDir({ XDG_CACHE_HOME: "relative/ignored" }, home)).toBe(path.dirname(cache));
  });

  it("otherwise says where it would install", () => {
    expect(lookup({ PATH: "/a:/b" }, [])).toEqual({ found: false, cachePath: cache });
  });

  it("skips empty PATH entries", () => {
    expect(findOnPath("temporal", `${path.delimiter}/x`, (f) => f === "/x/temporal")).toBe("/x/temporal");
    expect(findOnPath("temporal", undefined, () => true)).toBeUndefined();
  });
});

describe("start-dev arguments", () => {
  it("persists to SQLite in dev and runs headless in-memory for tests", () => {
    expect(temporalDevServerArgs({ cli: "t", port: 7233, dbFilename: "/d/temporal.sqlite" })).toEqual([
      "server", "start-dev", "--ip", "127.0.0.1", "--port", "7233", "--log-level", "warn", "--dynamic-config-value", "system.enableActivityEagerExecution=true", "--db-filename", "/d/temporal.sqlite",
      "--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal", "--ui-port", "8233",
    ]);
    expect(temporalDevServerArgs({ cli: "t", port: 40000, uiPort: false })).toEqual([
      "server", "start-dev", "--ip", "127.0.0.1", "--port", "40000", "--log-level", "warn", "--dynamic-config-value", "system.enableActivityEagerExecution=true", "--headless",
    ]);
  });
});
