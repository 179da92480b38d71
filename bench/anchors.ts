/**
 * The Python the benchmarks run their anchors with (bench/gbdt-xgboost.py,
 * XGBoost; bench/batch-onnxruntime.py, onnxruntime; bench/serving-mlflow.py
 * and bench/drift-evidently.py in venvs of their own): a venv made once per
 * machine by testing/python-venv.ts, ~/.cache/conveyor/venvs/bench-anchors,
 * from bench/anchors.requirements.txt (xgboost-cpu, onnxruntime, pyarrow and
 * numpy pinned by sha256). A benchmark's own variable (e.g.
 * GBDT_BENCH_PYTHON) names another Python instead, used as it is.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { lastLines, run } from "../scripts/temporal-cli";
import { ensureVenv, pinnedVersions, venvExecutable, type VenvOptions, type VenvSpec } from "../testing/python-venv";

export const ANCHORS_REQUIREMENTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "anchors.requirements.txt");
/** The XGBoost the GBDT benchmark is measured against; the requirements file pins xgboost-cpu at this version. */
export const XGBOOST_VERSION = "3.2.0";
/** The onnxruntime the batch-scoring benchmark is measured against: onnxruntime-node's version, pinned in the requirements file. */
export const ONNXRUNTIME_VERSION = "1.30.0";

/** The anchors' venv: the modules the anchor scripts import must load, and XGBoost must be the pinned version. */
export function anchorsVenv(requirementsFile = ANCHORS_REQUIREMENTS): VenvSpec {
  return {
    name: "bench-anchors",
    label: "benchmark anchors",
    needer: `numpy ${pinnedVersions(fs.readFileSync(requirementsFile, "utf8")).get("numpy") ?? ""} (${path.basename(requirementsFile)})`,
    requirementsFile,
    minPython: [3, 11],
    verify: async (dir) => {
      const probe = "import numpy, xgboost, onnxruntime, pyarrow; print(xgboost.__version__, onnxruntime.__version__)";
      const r = await run(venvExecutable(dir, "python"), ["-c", probe], { timeoutMs: 120_000 });
      if (r.code !== 0) return `the anchors' venv cannot import numpy, xgboost, onnxruntime and pyarrow: ${lastLines(r.out)}`;
      const [xgb, ort] = (r.out.trim().split("\n").at(-1) ?? "").split(" ");
      if (xgb !== XGBOOST_VERSION) return `the anchors' venv has XGBoost ${xgb}, not ${XGBOOST_VERSION}`;
      return ort === ONNXRUNTIME_VERSION ? undefined : `the anchors' venv has onnxruntime ${ort}, not ${ONNXRUNTIME_VERSION}`;
    },
  };
}

/**
 * The Python to run an anchor script with: `override` (a benchmark's
 * `…_PYTHON` variable) when set, else the anchors' venv, made if needed.
 */
export async function anchorPython(override: string | undefined, opts: VenvOptions = {}): Promise<{ python: string } | { missing: string }> {
  if (override?.trim()) return { python: override.trim() };
  const got = await ensureVenv(anchorsVenv(), opts);
  return "missing" in got ? got : { python: got.python };
}

export const MLFLOW_REQUIREMENTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "mlflow.requirements.txt");
/** The MLflow bench/serving.ts serves its anchor model with; the requirements file pins mlflow at this version. */
export const MLFLOW_VERSION = "3.17.2";

/** MLflow's venv (bench/mlflow.requirements.txt): mlflow, its scoring server's uvicorn, and onnxruntime must load, mlflow at the pinned version. */
export function mlflowVenv(requirementsFile = MLFLOW_REQUIREMENTS): VenvSpec {
  return {
    name: "bench-mlflow",
    label: "MLflow anchor",
    needer: `mlflow ${MLFLOW_VERSION} (${path.basename(requirementsFile)})`,
    requirementsFile,
    minPython: [3, 11],
    executable: "mlflow",
    verify: async (dir) => {
      const r = await run(venvExecutable(dir, "python"), ["-c", "import mlflow, onnxruntime, uvicorn; print(mlflow.__version__)"], { timeoutMs: 300_000 });
      if (r.code !== 0) return `the MLflow venv cannot import mlflow, onnxruntime and uvicorn: ${lastLines(r.out)}`;
      const version = r.out.trim().split("\n").at(-1);
      return version === MLFLOW_VERSION ? undefined : `the MLflow venv has mlflow ${version}, not ${MLFLOW_VERSION}`;
    },
  };
}

/** The MLflow venv's directory (its bin/ holds `mlflow` and `uvicorn`), made if needed; or why it cannot be had. */
export async function mlflowAnchor(opts: VenvOptions = {}): Promise<{ dir: string; python: string } | { missing: string }> {
  return ensureVenv(mlflowVenv(), opts);
}

export const EVIDENTLY_REQUIREMENTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "evidently.requirements.txt");
/** The Evidently bench/drift.ts compares its drift statistics with; the requirements file pins evidently at this version. */
export const EVIDENTLY_VERSION = "0.7.23";

/** Evidently's venv (bench/evidently.requirements.txt): evidently, pandas and numpy must load, evidently at the pinned version. */
export function evidentlyVenv(requirementsFile = EVIDENTLY_REQUIREMENTS): VenvSpec {
  return {
    name: "bench-evidently",
    label: "Evidently anchor",
    needer: `evidently ${EVIDENTLY_VERSION} (${path.basename(requirementsFile)})`,
    requirementsFile,
    minPython: [3, 11],
    verify: async (dir) => {
      const probe = "import numpy, pandas, evidently; from evidently.presets import DataDriftPreset; print(evidently.__version__)";
      const r = await run(venvExecutable(dir, "python"), ["-c", probe], { timeoutMs: 300_000 });
      if (r.code !== 0) return `the Evidently venv cannot import numpy, pandas and evidently: ${lastLines(r.out)}`;
      const version = r.out.trim().split("\n").at(-1);
      return version === EVIDENTLY_VERSION ? undefined : `the Evidently venv has evidently ${version}, not ${EVIDENTLY_VERSION}`;
    },
  };
}

/** The Python to run bench/drift-evidently.py with: `override` (DRIFT_BENCH_PYTHON) when set, else Evidently's venv, made if needed. */
export async function evidentlyPython(override: string | undefined, opts: VenvOptions = {}): Promise<{ python: string } | { missing: string }> {
  if (override?.trim()) return { python: override.trim() };
  const got = await ensureVenv(evidentlyVenv(), opts);
  return "missing" in got ? got : { python: got.python };
}
