/**
 * Schemathesis (`st`), the property-based fuzzer e2e/api-fuzz.spec.ts runs
 * against the OpenAPI document, in a Python venv made once per machine by
 * testing/python-venv.ts: ~/.cache/conveyor/venvs/schemathesis-<version>,
 * installed from PyPI with every package pinned by sha256
 * (testing/schemathesis.requirements.txt).
 *
 * `ensureSchemathesis()` answers `{ st }` or `{ missing }` saying exactly
 * why there is none: no Python, a Python too old or without the venv module,
 * or pip's last lines.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { lastLines, run } from "../scripts/temporal-cli";
import { ensureVenv, venvExecutable, venvPath, type VenvOptions, type VenvSpec } from "./python-venv";

export const SCHEMATHESIS_VERSION = "4.32.5";
export const SCHEMATHESIS_REQUIREMENTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "schemathesis.requirements.txt");

export interface SchemathesisOptions extends VenvOptions {
  requirementsFile?: string;
}

const NAME = `schemathesis-${SCHEMATHESIS_VERSION}`;

/** The venv directory for the pinned version: `<cache>/conveyor/venvs/schemathesis-<version>`. */
export function venvDir(env: Record<string, string | undefined>, home: string): string {
  return venvPath(NAME, env, home);
}

/** The venv's spec: schemathesis 4.32 needs Python 3.11 or newer, and its `st` must report the pinned version. */
export function schemathesisVenv(requirementsFile = SCHEMATHESIS_REQUIREMENTS): VenvSpec {
  return {
    name: NAME,
    label: "Schemathesis",
    needer: `schemathesis ${SCHEMATHESIS_VERSION}`,
    requirementsFile,
    minPython: [3, 11],
    executable: "st",
    verify: async (dir) => {
      const version = await run(venvExecutable(dir, "st"), ["--version"], { timeoutMs: 60_000 });
      if (version.code === 0 && version.out.includes(SCHEMATHESIS_VERSION)) return undefined;
      return `the installed st does not report version ${SCHEMATHESIS_VERSION}: ${lastLines(version.out)}`;
    },
  };
}

/** The `st` executable of the cached venv, making the venv first if needed; or why it cannot be had. */
export async function ensureSchemathesis(opts: SchemathesisOptions = {}): Promise<{ st: string } | { missing: string }> {
  const got = await ensureVenv(schemathesisVenv(opts.requirementsFile), opts);
  return "missing" in got ? got : { st: venvExecutable(got.dir, "st") };
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
