/**
 * testing/python-venv.ts with fake Pythons (shell scripts on PATH): where a
 * venv goes, that a venv is made with the pinned install command and marked
 * finished only after the spec's check, what it says when a Python cannot
 * make it, and how pins are read. The real installs from PyPI are what the
 * Schemathesis fuzz and the benchmarks do first.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ensureVenv, pinnedVersions, venvExecutable, venvPath, type VenvSpec } from "./python-venv";

let tmp: string;
let logs: string[];
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "py-venv-"));
  logs = [];
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * A fake `python3` answering the version probe, whose `-m venv DIR` makes a
 * venv whose python records its arguments to DIR/args and runs `pip`.
 */
function fakePython(opts: { version: string; pip: string }): Record<string, string> {
  const bin = path.join(tmp, "bin");
  fs.mkdirSync(bin, { recursive: true });
  const venvPython = ["#!/bin/sh", 'echo "$@" >> "${0%/bin/python}/args"', opts.pip, ""].join("\n");
  fs.writeFileSync(
    path.join(bin, "python3"),
    [
      "#!/bin/sh",
      `if [ "$1" = "-c" ]; then printf "${opts.version}\\n\\n"; exit 0; fi`,
      'if [ "$1 $2" = "-m venv" ]; then',
      '  mkdir -p "$3/bin"',
      `  cat > "$3/bin/python" <<'PY'\n${venvPython}PY`,
      '  chmod +x "$3/bin/python"; exit 0',
      "fi",
      "exit 2",
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
  return { PATH: bin, XDG_CACHE_HOME: path.join(tmp, "cache") };
}

function spec(over: Partial<VenvSpec> = {}): VenvSpec {
  const requirementsFile = path.join(tmp, "tool.requirements.txt");
  if (!fs.existsSync(requirementsFile)) fs.writeFileSync(requirementsFile, "tool==1.0 \\\n    --hash=sha256:" + "a".repeat(64) + "\n");
  return { name: "tool-1.0", label: "Tool", requirementsFile, minPython: [3, 10], ...over };
}

describe("a pinned Python venv", () => {
  it("lives under <cache>/conveyor/venvs, beside the cached binaries", () => {
    expect(venvPath("tool-1.0", {}, "/home/ada")).toBe("/home/ada/.cache/conveyor/venvs/tool-1.0");
    expect(venvPath("tool-1.0", { XDG_CACHE_HOME: "/xdg" }, "/home/ada")).toBe("/xdg/conveyor/venvs/tool-1.0");
    expect(venvPath("tool-1.0", { XDG_CACHE_HOME: "relative" }, "/home/ada")).toBe("/home/ada/.cache/conveyor/venvs/tool-1.0");
    expect(venvExecutable("/v", "python")).toBe(process.platform === "win32" ? path.join("/v", "Scripts", "python.exe") : "/v/bin/python");
  });

  it("is made with pip's hash-checked, binary-only install of the requirements file, checked, then used as it is", async () => {
    const env = fakePython({ version: "3.12.3", pip: "exit 0" });
    let verified = 0;
    const s = spec({ verify: async () => (verified++, undefined) });
    const got = await ensureVenv(s, { env, home: tmp, log: (m) => logs.push(m) });
    const dir = venvPath("tool-1.0", env, tmp);
    expect(got).toEqual({ python: path.join(dir, "bin", "python"), dir });
    expect(fs.readFileSync(path.join(dir, "args"), "utf8").trim()).toBe(
      `-m pip install --require-hashes --only-binary :all: --no-deps --disable-pip-version-check --no-input --quiet -r ${s.requirementsFile}`,
    );
    expect(verified).toBe(1);
    expect(logs[0]).toBe(`tool: making ${dir} with ${path.join(tmp, "bin", "python3")} from tool.requirements.txt (once per machine)…`);
    expect(logs[1]).toMatch(/^tool: ready in \d+\.\d s$/);

    // The second time nothing runs: no Python on PATH, no check.
    const again = await ensureVenv(s, { env: { ...env, PATH: path.join(tmp, "empty") }, home: tmp, log: (m) => logs.push(m) });
    expect(again).toEqual(got);
    expect(verified).toBe(1);

    // Changed pins make it again.
    fs.appendFileSync(s.requirementsFile, "other==2.0 \\\n    --hash=sha256:" + "b".repeat(64) + "\n");
    expect(await ensureVenv(s, { env, home: tmp, log: (m) => logs.push(m) })).toEqual(got);
    expect(verified).toBe(2);
    expect(fs.readFileSync(path.join(dir, "args"), "utf8").trim().split("\n")).toHaveLength(1); // a new venv, not the old one reused
  });

  it("says why there is none: no Python, one too old, pip failing, the check failing; and leaves no half-made venv", async () => {
    const opts = (env: Record<string, string>) => ({ env, home: tmp, log: (m: string) => logs.push(m) });
    expect(await ensureVenv(spec(), opts({ PATH: path.join(tmp, "empty"), XDG_CACHE_HOME: path.join(tmp, "cache") }))).toEqual({
      missing: "no Python to make the Tool venv with: no python3 or python on PATH",
    });

    const old = await ensureVenv(spec({ needer: "tool 1.0" }), opts(fakePython({ version: "3.9.18", pip: "exit 0" })));
    expect(old).toEqual({
      missing: `no Python to make the Tool venv with: ${path.join(tmp, "bin", "python3")} is Python 3.9.18; tool 1.0 needs 3.10 or newer`,
    });

    const env = fakePython({ version: "3.10.0", pip: 'echo "ERROR: No matching distribution found for tool==1.0" >&2; exit 1' });
    expect(await ensureVenv(spec(), opts(env))).toEqual({
      missing: "pip install -r tool.requirements.txt failed: ERROR: No matching distribution found for tool==1.0",
    });
    expect(fs.existsSync(venvPath("tool-1.0", env, tmp))).toBe(false);
    expect(fs.existsSync(`${venvPath("tool-1.0", env, tmp)}.lock`)).toBe(false);

    const checked = await ensureVenv(spec({ verify: async () => "tool reports 0.9, not 1.0" }), opts(fakePython({ version: "3.13.1", pip: "exit 0" })));
    expect(checked).toEqual({ missing: "tool reports 0.9, not 1.0" });
    expect(fs.existsSync(venvPath("tool-1.0", env, tmp))).toBe(false);
  });

  it("takes over the lock of a dead process that was making the same venv", async () => {
    const env = fakePython({ version: "3.12.3", pip: "exit 0" });
    const lockDir = `${venvPath("tool-1.0", env, tmp)}.lock`;
    fs.mkdirSync(lockDir, { recursive: true });
    fs.writeFileSync(path.join(lockDir, "pid"), "999999999"); // no such process
    expect("python" in (await ensureVenv(spec(), { env, home: tmp, log: (m) => logs.push(m) }))).toBe(true);
    expect(fs.existsSync(lockDir)).toBe(false);
  });
});

describe("pinned versions of a requirements file", () => {
  it("reads name==version lines, first pin of a name (markers ignored), names in lower case", () => {
    const text = [
      "# numpy==0.0 in a comment",
      "Numpy==2.4.6 ; python_full_version < '3.12' \\",
      "    --hash=sha256:" + "c".repeat(64),
      "numpy==2.5.5 ; python_full_version >= '3.12' \\",
      "xgboost-cpu==3.2.0 \\",
      "    # via the pin",
    ].join("\n");
    expect([...pinnedVersions(text)]).toEqual([
      ["numpy", "2.4.6"],
      ["xgboost-cpu", "3.2.0"],
    ]);
  });
});
