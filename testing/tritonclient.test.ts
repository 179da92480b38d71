/**
 * testing/tritonclient.ts and server/serving/tritonclient.requirements.txt:
 * the pin is the version the venv checks for, every package is hash-pinned,
 * the check script imports only what is pinned (or the standard library),
 * and a machine without Python 3 is told apart from a failed install (the
 * one reason the integration test may skip).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { pinnedVersions } from "./python-venv";
import { ensureTritonclient, TRITONCLIENT_REQUIREMENTS, TRITONCLIENT_VERSION, tritonclientVenv } from "./tritonclient";

const text = fs.readFileSync(TRITONCLIENT_REQUIREMENTS, "utf8");

describe("the tritonclient venv", () => {
  it("pins tritonclient at the checked version, its HTTP client's dependencies, all with sha256 hashes", () => {
    const pins = pinnedVersions(text);
    expect(pins.get("tritonclient")).toBe(TRITONCLIENT_VERSION);
    for (const dep of ["numpy", "geventhttpclient", "python-rapidjson", "urllib3"]) expect(pins.has(dep), dep).toBe(true);
    const blocks = text.split(/\n(?=[a-z])/).filter((b) => /^[a-z0-9-]+==/.test(b));
    for (const b of blocks) expect(b, b.split("\n")[0]).toMatch(/--hash=sha256:[0-9a-f]{64}/);
    expect(tritonclientVenv()).toMatchObject({ name: `tritonclient-${TRITONCLIENT_VERSION}`, minPython: [3, 11] });
  });

  it("the check script imports only pinned packages and the standard library", () => {
    const source = fs.readFileSync(path.join(path.dirname(TRITONCLIENT_REQUIREMENTS), "tritonclient_check.py"), "utf8");
    const modules = [...source.matchAll(/^\s*(?:import|from) ([A-Za-z_][\w]*)/gm)].map((m) => m[1]!);
    const pins = pinnedVersions(text);
    for (const m of modules.filter((m) => !["json", "sys"].includes(m))) expect(pins.has(m), m).toBe(true);
  });

  it("says 'no Python' only when there is no Python 3 on PATH", async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "tritonclient-"));
    try {
      expect(await ensureTritonclient({ env: { PATH: path.join(home, "none") }, home })).toEqual({ noPython: "no python3 or python on PATH" });
      expect(fs.readdirSync(home)).toEqual([]);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
