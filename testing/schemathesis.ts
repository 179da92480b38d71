/**
 * Schemathesis (`st`), the property-based fuzzer e2e/api-fuzz.spec.ts runs
 * against the OpenAPI document, in a Python venv made once per machine:
 * ~/.cache/conveyor/venvs/schemathesis-<version> ($XDG_CACHE_HOME honoured),
 * installed from PyPI with every package pinned by sha256
 * (testing/schemathesis.requirements.txt). A venv is used only when its
 * marker names the same requirements file hash, so changing the pins makes a
 * new one. Python is found the way scripts/temporal-cli.ts finds it.
 *
 * `ensureSchemathesis()` answers `{ st }` or `{ missing }` saying exactly
 * why there is none: no Python, a Python too old or without the venv module,
 * or pip's last lines.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cacheBinDir, findPython, lastLines, run, type PythonCheck } from "../scripts/temporal-cli";

export const SCHEMATHESIS_VERSION = "4.32.5";
export const SCHEMATHESIS_REQUIREMENTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "schemathesis.requirements.txt");
/** schemathesis 4.32 needs Python 3.11 or newer. */
const MIN_PYTHON: [number, number] = [3, 11];

const WINDOWS = process.platform === "win32";
const MARKER = ".conveyor-complete";

export interface SchemathesisOptions {
  env?: Record<string, string | undefined>;
  home?: string;
  log?: (message: string) => void;
  requirementsFile?: string;
}

/** The venv directory for the pinned version: `<cache>/conveyor/venvs/schemathesis-<version>`. */
export function venvDir(env: Record<string, string | undefined>, home: string): string {
  return path.join(path.dirname(cacheBinDir(env, home)), "venvs", `schemathesis-${SCHEMATHESIS_VERSION}`);
}

/** A Python that can make the venv: new enough, with the venv module and ensurepip (which gives the venv its pip). */
export const canMakeVenv: PythonCheck = async (python) => {
  const probe = [
    "import sys",
    "print('%d.%d.%d' % sys.version_info[:3])",
    "import importlib.util as u",
    "print(','.join(m for m in ('venv', 'ensurepip') if u.find_spec(m) is None))",
  ].join("\n");
  const r = await run(python, ["-c", probe], { timeoutMs: 30_000 });
  if (r.code !== 0) return `does not run (${lastLines(r.out) || `exit code ${r.code}`})`;
  const [version = "", absent = ""] = r.out.trim().split("\n");
  const [major = 0, minor = 0] = version.split(".").map(Number);
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    return `is Python ${version}; schemathesis ${SCHEMATHESIS_VERSION} needs ${MIN_PYTHON.join(".")} or newer`;
  }
  if (absent.trim()) return `(Python ${version}) has no ${absent.trim().replace(",", " or ")} module (on Debian: apt-get install python3-venv)`;
  return undefined;
};

const sha256 = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
const stPath = (dir: string) => path.join(dir, WINDOWS ? "Scripts" : "bin", WINDOWS ? "st.exe" : "st");
const venvPython = (dir: string) => path.join(dir, WINDOWS ? "Scripts" : "bin", WINDOWS ? "python.exe" : "python");

/** The `st` executable of the cached venv, making the venv first if needed; or why it cannot be had. */
export async function ensureSchemathesis(opts: SchemathesisOptions = {}): Promise<{ st: string } | { missing: string }> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((m: string) => console.log(m));
  const requirements = opts.requirementsFile ?? SCHEMATHESIS_REQUIREMENTS;
  const dir = venvDir(env, opts.home ?? os.homedir());
  const want = sha256(requirements);
  const ready = () => fs.existsSync(stPath(dir)) && readText(path.join(dir, MARKER)) === want;
  if (ready()) return { st: stPath(dir) };

  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const release = await lock(`${dir}.lock`, log);
  try {
    if (ready()) return { st: stPath(dir) }; // another process made it while we waited
    const t0 = Date.now();
    const py = await findPython(env, canMakeVenv);
    if ("missing" in py) return { missing: `no Python to make the Schemathesis venv with: ${py.missing}` };
    log(`schemathesis: making ${dir} with ${py.python} (once per machine)…`);
    fs.rmSync(dir, { recursive: true, force: true });
    const venv = await run(py.python, ["-m", "venv", dir], { timeoutMs: 300_000 });
    if (venv.code !== 0) {
      fs.rmSync(dir, { recursive: true, force: true });
      return { missing: `${py.python} -m venv ${dir} failed: ${lastLines(venv.out) || `exit code ${venv.code}`}` };
    }
    const pip = await run(
      venvPython(dir),
      [
        "-m",
        "pip",
        "install",
        "--require-hashes",
        "--only-binary",
        ":all:",
        "--no-deps",
        "--disable-pip-version-check",
        "--no-input",
        "--quiet",
        "-r",
        requirements,
      ],
      { env: { ...process.env, ...env }, timeoutMs: 600_000 },
    );
    if (pip.code !== 0) {
      fs.rmSync(dir, { recursive: true, force: true });
      return { missing: `pip install -r ${path.basename(requirements)} failed: ${lastLines(pip.out) || `exit code ${pip.code}`}` };
    }
    const version = await run(stPath(dir), ["--version"], { timeoutMs: 60_000 });
    if (version.code !== 0 || !version.out.includes(SCHEMATHESIS_VERSION)) {
      fs.rmSync(dir, { recursive: true, force: true });
      return { missing: `the installed st does not report version ${SCHEMATHESIS_VERSION}: ${lastLines(version.out)}` };
    }
    fs.writeFileSync(path.join(dir, MARKER), want);
    log(`schemathesis: ${SCHEMATHESIS_VERSION} ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return { st: stPath(dir) };
  } finally {
    release();
  }
}

export interface FuzzFailure {
  /** As Schemathesis names it, e.g. `POST /api/v1/pipelines`. */
  operation: string;
  /** The failed checks (`- ST101 Server error`) and the answers (`[500] Internal Server Error:`). */
  problems: string[];
  /** Schemathesis's curl reproductions, one per failing test case. */
  curl: string[];
}

/** The blocks of one section (`FAILURES`, `ERRORS`) of `st run`'s console output: each operation with its trimmed lines. */
function sectionBlocks(output: string, title: string): Array<{ operation: string; lines: string[] }> {
  const section = new RegExp(`^=+ ${title} =+$([\\s\\S]*?)(?=^=+ [A-Z ]+ =+$)`, "m").exec(output)?.[1] ?? "";
  const parts = section.split(/^_{3,} (.+?) _{3,}$/m); // [before, operation, body, operation, body, …]
  const out: Array<{ operation: string; lines: string[] }> = [];
  for (let i = 1; i < parts.length; i += 2) out.push({ operation: parts[i]!, lines: (parts[i + 1] ?? "").split("\n").map((l) => l.trim()) });
  return out;
}

/** The FAILURES section of `st run`'s console output, by operation. */
export function failuresOf(output: string): FuzzFailure[] {
  return sectionBlocks(output, "FAILURES").map(({ operation, lines }) => ({
    operation,
    problems: [...new Set(lines.filter((l) => /^- [A-Z]+\d+ /.test(l) || /^\[\d{3}\] /.test(l)))],
    curl: lines.filter((l) => l.startsWith("curl ")),
  }));
}

/** The ERRORS section (Schemathesis could not test an operation): each operation with the error's first lines. */
export function errorsOf(output: string): string[] {
  return sectionBlocks(output, "ERRORS").map(({ operation, lines }) =>
    [
      operation,
      ...lines
        .filter(Boolean)
        .slice(0, 2)
        .map((l) => `  ${l}`),
    ].join("\n"),
  );
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** One maker of the venv at a time on a machine: a lock directory holding the owner's pid (a dead owner's lock is taken over). */
async function lock(lockDir: string, log: (m: string) => void): Promise<() => void> {
  const deadline = Date.now() + 15 * 60_000;
  let said = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, "pid"), String(process.pid));
      return () => fs.rmSync(lockDir, { recursive: true, force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const owner = Number(readText(path.join(lockDir, "pid")));
    const orphan = !owner && Date.now() - (fs.statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? 0) > 30_000;
    if ((owner && !alive(owner)) || orphan) {
      fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`${lockDir} is held by process ${owner || "?"} for more than 15 minutes`);
    if (!said) log(`schemathesis: waiting for process ${owner || "?"} that is making the venv…`);
    said = true;
    await new Promise((r) => setTimeout(r, 1000));
  }
}
