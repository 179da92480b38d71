import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { configFile, DEFAULT_URL, loadConfig, normalizeUrl } from "./config";
import { UsageError } from "./errors";
import { bytes, colors, duration, fields, latency, metrics, num, percent, relativeTime, table } from "./format";

describe("human output", () => {
  const now = new Date("2026-03-01T12:00:00Z");
  const ago = (s: number) => new Date(now.getTime() - s * 1000);

  it("relative times", () => {
    expect(relativeTime(ago(3), now)).toBe("just now");
    expect(relativeTime(ago(42), now)).toBe("42 seconds ago");
    expect(relativeTime(ago(150), now)).toBe("3 minutes ago");
    expect(relativeTime(ago(3600 * 5), now)).toBe("5 hours ago");
    expect(relativeTime(ago(3600 * 24), now)).toBe("yesterday");
    expect(relativeTime(ago(3600 * 24 * 40), now)).toBe("last month");
    expect(relativeTime(new Date(now.getTime() + 7200_000), now)).toBe("in 2 hours");
    expect(relativeTime(null, now)).toBe("-");
  });

  it("durations, sizes, metrics", () => {
    expect([duration(850), duration(12_345), duration(245_000), duration(7_380_000)]).toEqual(["850ms", "12.3s", "4m 05s", "2h 03m"]);
    expect([bytes(512), bytes(2048), bytes(200 * 1024 * 1024)]).toEqual(["512 B", "2.0 KB", "200 MB"]);
    expect(metrics({ rmse: 4.952882954978067, r2: 0.735906025583016, n: 3 })).toBe("n=3 r2=0.7359 rmse=4.953");
    expect(metrics({})).toBe("-");
  });

  it("tables align by printed width (colour codes take no room); right-aligned columns; no trailing spaces", () => {
    const c = colors(true);
    const lines = table(
      ["NAME", "ROWS", "STATUS"],
      [
        ["a", "5", c.green("ok")],
        ["long-name", "1234", "failed"],
      ],
      { right: [1] },
    );
    expect(lines.map((l) => l.replace(/\u001b\[[0-9;]*m/g, ""))).toEqual(["NAME       ROWS  STATUS", "a             5  ok", "long-name  1234  failed"]);
    expect(table(["A", "B"], [["x", ""]])).toEqual(["A  B", "x"]);
  });

  it("numbers, shares, latencies and labelled lines", () => {
    expect([num(3), num(0.02200000000000002), num(4.952882954978067)]).toEqual(["3", "0.022", "4.953"]);
    expect([percent(0), percent(0.25), percent(3 / 9012), percent(0.97123)]).toEqual(["0%", "25%", "0.03%", "97.12%"]);
    expect([latency(null), latency(0.4213), latency(8.51), latency(12.4), latency(1500)]).toEqual(["-", "0.42ms", "8.5ms", "12ms", "1.5s"]);
    expect(
      fields([
        ["run", "r1"],
        ["training data", "tracts v1"],
        ["seed", ""],
      ]),
    ).toEqual(["run            r1", "training data  tracts v1", "seed"]);
  });

  it("colours can be off", () => {
    expect(colors(false).red("x")).toBe("x");
    expect(colors(true).red("x")).not.toBe("x");
  });
});

describe("config", () => {
  it("normalizes URLs and refuses what is not one", () => {
    expect(normalizeUrl("localhost:3000")).toBe("http://localhost:3000");
    expect(normalizeUrl("https://x.example/conveyor/")).toBe("https://x.example/conveyor");
    expect(() => normalizeUrl("ftp://x")).toThrow(UsageError);
    expect(() => normalizeUrl("http://x/?a=1")).toThrow("must not have a query");
    expect(() => normalizeUrl("http://")).toThrow("is not a URL");
  });

  it("the environment over the file over the default; a broken file is a usage error naming it", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "conveyor-config-"));
    expect(configFile({ XDG_CONFIG_HOME: home })).toBe(path.join(home, "conveyor", "config.json"));
    expect(loadConfig({ XDG_CONFIG_HOME: home })).toMatchObject({ url: DEFAULT_URL, source: { url: "default", token: "none" } });
    fs.mkdirSync(path.join(home, "conveyor"));
    fs.writeFileSync(configFile({ XDG_CONFIG_HOME: home }), JSON.stringify({ url: "http://file:1", token: "ft" }));
    expect(loadConfig({ XDG_CONFIG_HOME: home })).toMatchObject({ url: "http://file:1", token: "ft", source: { url: "file", token: "file" } });
    expect(loadConfig({ XDG_CONFIG_HOME: home, CONVEYOR_URL: "env:2", CONVEYOR_TOKEN: "et" })).toMatchObject({
      url: "http://env:2",
      token: "et",
      source: { url: "env", token: "env" },
    });
    fs.writeFileSync(configFile({ XDG_CONFIG_HOME: home }), "{ nope");
    expect(() => loadConfig({ XDG_CONFIG_HOME: home })).toThrow(/config\.json is not valid JSON/);
    fs.writeFileSync(configFile({ XDG_CONFIG_HOME: home }), JSON.stringify({ url: 3 }));
    expect(() => loadConfig({ XDG_CONFIG_HOME: home })).toThrow(/is not a conveyor config \(url:/);
  });
});
