/**
 * tritonclient[http], a real OIP v2 client (Triton's Python client), in a
 * Python venv made once per machine by testing/python-venv.ts:
 * ~/.cache/conveyor/venvs/tritonclient-<version>, from
 * server/serving/tritonclient.requirements.txt (every package pinned by
 * sha256). server/serving/tritonclient.int.test.ts drives it.
 *
 * `ensureTritonclient()` answers `{ python }` or `{ missing }` saying exactly
 * why there is none; `{ noPython }` when the machine has no Python 3 at all.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { findPython, lastLines, run } from "../scripts/temporal-cli";
import { ensureVenv, venvExecutable, type VenvOptions, type VenvSpec } from "./python-venv";

export const TRITONCLIENT_VERSION = "2.73.0";
export const TRITONCLIENT_REQUIREMENTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "server", "serving", "tritonclient.requirements.txt");

/** The venv's spec: tritonclient's HTTP client must import and be the pinned version. */
export function tritonclientVenv(requirementsFile = TRITONCLIENT_REQUIREMENTS): VenvSpec {
  return {
    name: `tritonclient-${TRITONCLIENT_VERSION}`,
    label: "tritonclient",
    needer: `tritonclient ${TRITONCLIENT_VERSION} (numpy 2.4, ${path.basename(requirementsFile)})`,
    requirementsFile,
    minPython: [3, 11],
    verify: async (dir) => {
      const probe = "import importlib.metadata as m, tritonclient.http; print(m.version('tritonclient'))";
      const r = await run(venvExecutable(dir, "python"), ["-c", probe], { timeoutMs: 120_000 });
      if (r.code !== 0) return `the tritonclient venv cannot import tritonclient.http: ${lastLines(r.out)}`;
      const version = r.out.trim().split("\n").at(-1);
      return version === TRITONCLIENT_VERSION ? undefined : `the tritonclient venv has tritonclient ${version}, not ${TRITONCLIENT_VERSION}`;
    },
  };
}

/** The venv's python, making the venv first if needed; `noPython` when there is no Python 3 on PATH at all. */
export async function ensureTritonclient(opts: VenvOptions = {}): Promise<{ python: string } | { missing: string } | { noPython: string }> {
  const env = opts.env ?? process.env;
  const any = await findPython(env, async (py) => {
    const r = await run(py, ["-c", "import sys; print(sys.version_info[0])"], { timeoutMs: 30_000 });
    return r.code === 0 && r.out.trim() === "3" ? undefined : "is not Python 3";
  });
  if ("missing" in any) return { noPython: any.missing };
  if (!fs.existsSync(TRITONCLIENT_REQUIREMENTS)) return { missing: `${TRITONCLIENT_REQUIREMENTS} is missing` };
  const got = await ensureVenv(tritonclientVenv(), opts);
  return "missing" in got ? got : { python: got.python };
}
