/**
 * Python venvs that tests and benchmarks need (Schemathesis, the benchmarks'
 * Python anchors), each made once per machine in
 * ~/.cache/conveyor/venvs/<name> ($XDG_CACHE_HOME honoured) from a
 * requirements file that pins every package by version and sha256, installed
 * from PyPI with `pip --require-hashes --only-binary :all: --no-deps`. A venv
 * is used only when its marker names the same requirements file hash, so
 * changing the pins makes a new one. Python is found the way
 * scripts/temporal-cli.ts finds it.
 *
 * `ensureVenv(spec)` answers `{ python, dir }` or `{ missing }` saying exactly
 * why there is none: no Python, a Python too old or without the venv module,
 * `-m venv`'s or pip's last lines, or the spec's own check of the result.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { cacheBinDir, findPython, lastLines, run, type PythonCheck } from "../scripts/temporal-cli";

const WINDOWS = process.platform === "win32";
const MARKER = ".conveyor-complete";

export interface VenvSpec {
  /** The venv's directory name under `<cache>/conveyor/venvs/`, e.g. `schemathesis-4.32.5`. */
  name: string;
  /** What the venv is for, as messages name it ("Schemathesis", "benchmark anchors"); its log lines start with it in lower case. */
  label: string;
  /** The pinned, hashed requirements file. */
  requirementsFile: string;
  /** The oldest Python the pins install on (the `--python-version` they were compiled for). */
  minPython: [number, number];
  /** What needs `minPython`, as the too-old message says it (default: the label). */
  needer?: string;
  /** The venv's executable whose presence (with the marker) means the venv is finished; default `python`. */
  executable?: string;
  /** Checks the finished venv (e.g. a tool's `--version`): undefined when good, else what is wrong. */
  verify?: (dir: string) => Promise<string | undefined>;
}

export interface VenvOptions {
  env?: Record<string, string | undefined>;
  home?: string;
  log?: (message: string) => void;
}

/** `<cache>/conveyor/venvs/<name>`, beside the cached binaries of scripts/temporal-cli.ts. */
export function venvPath(name: string, env: Record<string, string | undefined>, home: string): string {
  return path.join(path.dirname(cacheBinDir(env, home)), "venvs", name);
}

/** An executable of a venv: `<dir>/bin/<name>` (`Scripts\<name>.exe` on Windows). */
export function venvExecutable(dir: string, name: string): string {
  return path.join(dir, WINDOWS ? "Scripts" : "bin", WINDOWS ? `${name}.exe` : name);
}

/** A Python that can make the venv: at least `min`, with the venv module and ensurepip (which gives the venv its pip). */
export function canMakeVenv(min: [number, number], needer: string): PythonCheck {
  return async (python) => {
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
    if (major < min[0] || (major === min[0] && minor < min[1])) return `is Python ${version}; ${needer} needs ${min.join(".")} or newer`;
    if (absent.trim()) return `(Python ${version}) has no ${absent.trim().replace(",", " or ")} module (on Debian: apt-get install python3-venv)`;
    return undefined;
  };
}

const sha256 = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

/** The `python` of the cached venv `spec.name`, making the venv first if needed; or why it cannot be had. */
export async function ensureVenv(spec: VenvSpec, opts: VenvOptions = {}): Promise<{ python: string; dir: string } | { missing: string }> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((m: string) => console.log(m));
  const dir = venvPath(spec.name, env, opts.home ?? os.homedir());
  const python = venvExecutable(dir, "python");
  const requirements = path.basename(spec.requirementsFile);
  const want = sha256(spec.requirementsFile);
  const ready = () => fs.existsSync(venvExecutable(dir, spec.executable ?? "python")) && readText(path.join(dir, MARKER)) === want;
  if (ready()) return { python, dir };

  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const say = (m: string) => log(`${spec.label.toLowerCase()}: ${m}`);
  const release = await lock(`${dir}.lock`, say);
  const fail = (missing: string) => {
    fs.rmSync(dir, { recursive: true, force: true });
    return { missing };
  };
  try {
    if (ready()) return { python, dir }; // another process made it while we waited
    const t0 = Date.now();
    const py = await findPython(env, canMakeVenv(spec.minPython, spec.needer ?? spec.label));
    if ("missing" in py) return { missing: `no Python to make the ${spec.label} venv with: ${py.missing}` };
    say(`making ${dir} with ${py.python} from ${requirements} (once per machine)…`);
    fs.rmSync(dir, { recursive: true, force: true });
    const venv = await run(py.python, ["-m", "venv", dir], { timeoutMs: 300_000 });
    if (venv.code !== 0) return fail(`${py.python} -m venv ${dir} failed: ${lastLines(venv.out) || `exit code ${venv.code}`}`);
    const pip = await run(
      python,
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
        spec.requirementsFile,
      ],
      { env: { ...process.env, ...env }, timeoutMs: 600_000 },
    );
    if (pip.code !== 0) return fail(`pip install -r ${requirements} failed: ${lastLines(pip.out) || `exit code ${pip.code}`}`);
    const wrong = await spec.verify?.(dir);
    if (wrong) return fail(wrong);
    fs.writeFileSync(path.join(dir, MARKER), want);
    say(`ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return { python, dir };
  } finally {
    release();
  }
}

/** The distributions a requirements file pins, `name → version` (environment markers ignored; the first pin of a name wins). */
export function pinnedVersions(requirements: string): Map<string, string> {
  const pins = new Map<string, string>();
  for (const m of requirements.matchAll(/^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)/gm))
    if (!pins.has(m[1]!.toLowerCase())) pins.set(m[1]!.toLowerCase(), m[2]!);
  return pins;
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

/** One maker of a venv at a time on a machine: a lock directory holding the owner's pid (a dead owner's lock is taken over). */
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
    if (!said) log(`waiting for process ${owner || "?"} that is making the venv…`);
    said = true;
    await new Promise((r) => setTimeout(r, 1000));
  }
}
