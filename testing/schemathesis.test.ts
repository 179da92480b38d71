/**
 * testing/schemathesis.ts: where the venv goes, what it says when a Python
 * cannot make it (none, too old, no venv module, `-m venv` or pip failing,
 * with their last lines), and that a finished venv is used as it is. The
 * real install from PyPI is what e2e/api-fuzz.spec.ts does first.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensureSchemathesis, errorsOf, failuresOf, SCHEMATHESIS_REQUIREMENTS, SCHEMATHESIS_VERSION, venvDir } from "./schemathesis";

let tmp: string;
let logs: string[];
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "st-venv-"));
  logs = [];
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A fake `python3` in its own PATH directory: a shell script answering the version probe, `-m venv` and pip. */
function fakePython(script: { probe: string; venv?: string }): Record<string, string> {
  const bin = path.join(tmp, "bin");
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(
    path.join(bin, "python3"),
    ["#!/bin/sh", 'if [ "$1" = "-c" ]; then', script.probe, "fi", 'if [ "$1 $2" = "-m venv" ]; then', script.venv ?? "exit 1", "fi", "exit 2", ""].join("\n"),
    { mode: 0o755 },
  );
  return { PATH: bin, XDG_CACHE_HOME: path.join(tmp, "cache") };
}

const ensure = (env: Record<string, string>) => ensureSchemathesis({ env, home: tmp, log: (m) => logs.push(m) });

describe("the Schemathesis venv", () => {
  it("lives in the conveyor cache, one per pinned version, and the requirements pin that version with hashes", () => {
    expect(venvDir({}, "/home/ada")).toBe(`/home/ada/.cache/conveyor/venvs/schemathesis-${SCHEMATHESIS_VERSION}`);
    expect(venvDir({ XDG_CACHE_HOME: "/xdg" }, "/home/ada")).toBe(`/xdg/conveyor/venvs/schemathesis-${SCHEMATHESIS_VERSION}`);
    const text = fs.readFileSync(SCHEMATHESIS_REQUIREMENTS, "utf8");
    expect(text).toMatch(new RegExp(`^schemathesis==${SCHEMATHESIS_VERSION.replace(/\./g, "\\.")} \\\\$`, "m"));
    // Every pinned package carries at least one sha256 (pip --require-hashes refuses the file otherwise).
    const blocks = text.split(/\n(?=[a-z])/).filter((b) => /^[a-z0-9-]+==/.test(b));
    expect(blocks.length).toBeGreaterThan(20);
    for (const b of blocks) expect(b, b.split("\n")[0]).toMatch(/--hash=sha256:[0-9a-f]{64}/);
  });

  it("says there is no Python on PATH", async () => {
    expect(await ensure({ PATH: path.join(tmp, "empty"), XDG_CACHE_HOME: path.join(tmp, "cache") })).toEqual({
      missing: "no Python to make the Schemathesis venv with: no python3 or python on PATH",
    });
  });

  it("says a Python is too old or has no venv module", async () => {
    const old = await ensure(fakePython({ probe: 'printf "3.9.18\\n\\n"; exit 0' }));
    expect("missing" in old && old.missing).toMatch(/python3 is Python 3\.9\.18; schemathesis 4\.\d+\.\d+ needs 3\.11 or newer$/);
    const noVenv = await ensure(fakePython({ probe: 'printf "3.12.1\\nvenv,ensurepip\\n"; exit 0' }));
    expect("missing" in noVenv && noVenv.missing).toMatch(
      /python3 \(Python 3\.12\.1\) has no venv or ensurepip module \(on Debian: apt-get install python3-venv\)$/,
    );
  });

  it("says what `-m venv` and pip printed last when they fail, and leaves no half-made venv", async () => {
    const venvFails = await ensure(
      fakePython({ probe: 'printf "3.11.7\\n\\n"; exit 0', venv: 'echo "Error: [Errno 28] No space left on device" >&2; exit 1' }),
    );
    expect("missing" in venvFails && venvFails.missing).toMatch(/-m venv .*schemathesis-[\d.]+ failed: Error: \[Errno 28\] No space left on device$/);

    // `-m venv` makes a venv whose python (pip) fails as pip does on a hash mismatch.
    const pipFails = [
      'mkdir -p "$3/bin"',
      `printf '#!/bin/sh\\necho "Collecting anyio==4.16.0"\\necho "ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE." >&2\\nexit 1\\n' > "$3/bin/python"`,
      'chmod +x "$3/bin/python"',
      "exit 0",
    ].join("\n");
    const env = fakePython({ probe: 'printf "3.11.7\\n\\n"; exit 0', venv: pipFails });
    const got = await ensure(env);
    expect(got).toEqual({
      missing:
        "pip install -r schemathesis.requirements.txt failed: Collecting anyio==4.16.0 / ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE.",
    });
    expect(fs.existsSync(venvDir(env, tmp))).toBe(false);
    expect(fs.existsSync(`${venvDir(env, tmp)}.lock`)).toBe(false);
  });

  it("uses a finished venv without asking Python, and remakes one whose requirements changed", async () => {
    const env = fakePython({ probe: 'printf "3.11.7\\n\\n"; exit 0', venv: 'echo "venv: should not run" >&2; exit 1' });
    const dir = venvDir(env, tmp);
    fs.mkdirSync(path.join(dir, "bin"), { recursive: true });
    fs.writeFileSync(path.join(dir, "bin", "st"), "#!/bin/sh\n", { mode: 0o755 });
    fs.writeFileSync(path.join(dir, ".conveyor-complete"), createHash("sha256").update(fs.readFileSync(SCHEMATHESIS_REQUIREMENTS)).digest("hex"));
    expect(await ensure(env)).toEqual({ st: path.join(dir, "bin", "st") });

    fs.writeFileSync(path.join(dir, ".conveyor-complete"), "the hash of older pins");
    const again = await ensure(env);
    expect("missing" in again && again.missing).toContain("failed: venv: should not run");
    expect(logs.join("\n")).toContain(`schemathesis: making ${dir}`);
  });
});

describe("reading st run's output", () => {
  it("lists every failing operation with its checks, answers and curl reproductions, and nothing when all passed", () => {
    const output = [
      " ✅  Stateful (in 17.34s)",
      "",
      "=================================== FAILURES ===================================",
      "______________________________ TRACE /api/health _______________________________",
      "1. Test Case ID: UuCi9E",
      "",
      "- ST101 Server error",
      "",
      "[500] Internal Server Error:",
      "",
      "    `<!DOCTYPE html><html>…`",
      "",
      "Reproduce with:",
      "",
      "    curl -X TRACE http://localhost:23417/api/health",
      "",
      "    st replay UuCi9E",
      "",
      "_____________________ PUT /api/v1/models/{name}/aliases/{alias} _____________________",
      "1. Test Case ID: AwnCfp",
      "",
      "- ST101 Server error",
      "",
      "[500] Internal Server Error:",
      "",
      "Reproduce with:",
      "",
      '    curl -X PUT -H \'Content-Type: application/json\' -d \'{"version": 1, "reason": "0"}\' http://localhost:23417/api/v1/models/0/aliases/a',
      "",
      "2. Test Case ID: Zz9Pq1",
      "",
      "- ST101 Server error",
      "- ST201 Undocumented HTTP status code",
      "",
      "[502] Bad Gateway:",
      "",
      "Reproduce with:",
      "",
      "    curl -X PUT http://localhost:23417/api/v1/models/x/aliases/b",
      "",
      "=================================== WARNINGS ===================================",
      "Missing test data: 9 operations repeatedly returned 404 Not Found",
      "- GET /api/v1/models/{name}",
    ].join("\n");
    expect(failuresOf(output)).toEqual([
      {
        operation: "TRACE /api/health",
        problems: ["- ST101 Server error", "[500] Internal Server Error:"],
        curl: ["curl -X TRACE http://localhost:23417/api/health"],
      },
      {
        operation: "PUT /api/v1/models/{name}/aliases/{alias}",
        problems: ["- ST101 Server error", "[500] Internal Server Error:", "- ST201 Undocumented HTTP status code", "[502] Bad Gateway:"],
        curl: [
          `curl -X PUT -H 'Content-Type: application/json' -d '{"version": 1, "reason": "0"}' http://localhost:23417/api/v1/models/0/aliases/a`,
          "curl -X PUT http://localhost:23417/api/v1/models/x/aliases/b",
        ],
      },
    ]);
    expect(errorsOf(output)).toEqual([]);
    const errored = [
      "=================================== ERRORS ===================================",
      "__________________________ GET /api/v1/runs/{runId} ___________________________",
      "Runtime Error",
      "",
      "AST constructor recursion depth mismatch (before=66, after=118)",
      "",
      "    Traceback (most recent call last):",
      "=================================== SUMMARY ===================================",
    ].join("\n");
    expect(errorsOf(errored)).toEqual(["GET /api/v1/runs/{runId}\n  Runtime Error\n  AST constructor recursion depth mismatch (before=66, after=118)"]);
    expect(failuresOf(errored)).toEqual([]);
    expect(failuresOf("=== SUMMARY ===\nTest cases:\n  2227 generated, 2227 passed\n")).toEqual([]);
  });
});
