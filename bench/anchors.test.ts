/**
 * bench/anchors.ts, bench/anchors.requirements.txt and
 * bench/mlflow.requirements.txt: the pins are the XGBoost and MLflow the
 * benchmarks name, every package is hash-pinned, the anchor
 * scripts import only what is pinned (or the standard library), and a
 * benchmark's own Python override is used as it is. The real install is
 * what `npm run bench -- gbdt` does first.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { pinnedVersions } from "../testing/python-venv";
import {
  anchorPython,
  anchorsVenv,
  ANCHORS_REQUIREMENTS,
  EVIDENTLY_REQUIREMENTS,
  EVIDENTLY_VERSION,
  evidentlyVenv,
  MLFLOW_REQUIREMENTS,
  MLFLOW_VERSION,
  mlflowVenv,
  ONNXRUNTIME_VERSION,
  XGBOOST_VERSION,
} from "./anchors";

const text = fs.readFileSync(ANCHORS_REQUIREMENTS, "utf8");

describe("the benchmarks' Python anchors", () => {
  it("pin XGBoost's CPU wheel at the measured version, numpy, and every dependency with sha256 hashes", () => {
    const pins = pinnedVersions(text);
    expect(pins.get("xgboost-cpu")).toBe(XGBOOST_VERSION);
    expect(pins.has("xgboost")).toBe(false); // the CPU-only wheel, not the one that pulls NVIDIA NCCL
    expect(pins.has("numpy")).toBe(true);
    expect(pins.has("scipy")).toBe(true); // xgboost's own dependency: --no-deps installs only what is listed
    // Batch scoring is compared with the onnxruntime that onnxruntime-node is.
    expect(pins.get("onnxruntime")).toBe(ONNXRUNTIME_VERSION);
    const nodeOrt = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "node_modules", "onnxruntime-node", "package.json"), "utf8")) as { version: string };
    expect(nodeOrt.version).toBe(ONNXRUNTIME_VERSION);
    expect(pins.has("pyarrow")).toBe(true);
    const blocks = text.split(/\n(?=[a-z])/).filter((b) => /^[a-z0-9-]+==/.test(b));
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const b of blocks) expect(b, b.split("\n")[0]).toMatch(/--hash=sha256:[0-9a-f]{64}/);
  });

  it("cover every module the anchor scripts import that is not in the standard library, each from its requirements file", () => {
    const provides: Record<string, string> = { numpy: "numpy", xgboost: "xgboost-cpu" };
    const requirementsOf: Record<string, string> = {
      "gbdt-xgboost.py": ANCHORS_REQUIREMENTS,
      "batch-onnxruntime.py": ANCHORS_REQUIREMENTS,
      "serving-mlflow.py": MLFLOW_REQUIREMENTS,
      "drift-evidently.py": EVIDENTLY_REQUIREMENTS,
    };
    const scripts = fs.readdirSync(path.dirname(ANCHORS_REQUIREMENTS)).filter((f) => f.endsWith(".py"));
    expect(scripts.sort()).toEqual(Object.keys(requirementsOf).sort());
    const stdlib = new Set(["json", "os", "sys", "time", "math", "statistics"]);
    for (const s of scripts) {
      const pins = pinnedVersions(fs.readFileSync(requirementsOf[s]!, "utf8"));
      const source = fs.readFileSync(path.join(path.dirname(ANCHORS_REQUIREMENTS), s), "utf8");
      const modules = [...source.matchAll(/^\s*(?:import|from) ([A-Za-z_][\w]*)/gm)].map((m) => m[1]!);
      for (const m of modules.filter((m) => !stdlib.has(m))) expect(pins.has(provides[m] ?? m), `${s} imports ${m}`).toBe(true);
    }
  });

  it("pin MLflow (the serving benchmark's anchor) at the measured version, onnxruntime and every dependency with sha256 hashes", () => {
    const ml = fs.readFileSync(MLFLOW_REQUIREMENTS, "utf8");
    const pins = pinnedVersions(ml);
    expect(pins.get("mlflow")).toBe(MLFLOW_VERSION);
    expect(pins.get("mlflow-skinny")).toBe(MLFLOW_VERSION);
    expect(pins.has("onnxruntime")).toBe(true);
    expect(pins.has("uvicorn")).toBe(true); // what `mlflow models serve` runs
    expect(pins.has("pandas")).toBe(true);
    const blocks = ml.split(/\n(?=[a-z])/).filter((b) => /^[a-z0-9-]+==/.test(b));
    expect(blocks.length).toBeGreaterThan(50);
    for (const b of blocks) expect(b, b.split("\n")[0]).toMatch(/--hash=sha256:[0-9a-f]{64}/);
    const spec = mlflowVenv();
    expect([spec.name, spec.minPython, spec.executable]).toEqual(["bench-mlflow", [3, 11], "mlflow"]);
  });

  it("pin Evidently (the drift benchmark's anchor) at the measured version, pandas below 3, and every dependency with sha256 hashes", () => {
    const ev = fs.readFileSync(EVIDENTLY_REQUIREMENTS, "utf8");
    const pins = pinnedVersions(ev);
    expect(pins.get("evidently")).toBe(EVIDENTLY_VERSION);
    expect(Number(pins.get("pandas")!.split(".")[0])).toBeLessThan(3); // evidently 0.7 imports pandas internals that pandas 3 removed
    expect(pins.has("numpy")).toBe(true);
    const blocks = ev.split(/\n(?=[a-z])/).filter((b) => /^[a-z0-9-]+==/.test(b));
    expect(blocks.length).toBeGreaterThan(50);
    for (const b of blocks) expect(b, b.split("\n")[0]).toMatch(/--hash=sha256:[0-9a-f]{64}/);
    const spec = evidentlyVenv();
    expect([spec.name, spec.minPython]).toEqual(["bench-evidently", [3, 11]]);
  });

  it("live in their own venv for Python 3.11+ (numpy 2.4), and a benchmark's Python override is used as it is", async () => {
    const spec = anchorsVenv();
    expect(spec.name).toBe("bench-anchors");
    expect(spec.minPython).toEqual([3, 11]);
    expect(spec.needer).toBe(`numpy ${pinnedVersions(text).get("numpy")} (anchors.requirements.txt)`);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "anchors-"));
    try {
      // An override needs no venv: nothing is made in the empty home.
      expect(await anchorPython(" /opt/py/bin/python3 ", { env: { PATH: "" }, home })).toEqual({ python: "/opt/py/bin/python3" });
      expect(fs.readdirSync(home)).toEqual([]);
      // Without one, and without a Python to make the venv, it says so.
      expect(await anchorPython(undefined, { env: { PATH: path.join(home, "none") }, home })).toEqual({
        missing: "no Python to make the benchmark anchors venv with: no python3 or python on PATH",
      });
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
