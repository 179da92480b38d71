"""Evidently reference for bench/drift.ts (issue 13).

Usage: python3 bench/drift-evidently.py DIR
DIR holds meta.json ({"rows", "features": [names]}) and two files of
little-endian float64 values written by bench/drift.ts, ref.f64 and cur.f64
(rows x features, row-major). Runs Evidently's data drift preset
(Report([DataDriftPreset()]).run(current, reference)) over all features and
prints one JSON line: {"version", "seconds", "cpuSeconds", "driftedColumns",
"columns": {name: {"method", "score"}}}. The time covers the report's
computation only (not reading the files or building the DataFrames).
"""
import json
import os
import sys
import time

import numpy as np
import pandas as pd
import evidently
from evidently import Report
from evidently.presets import DataDriftPreset


def load(d, name, rows, cols):
    return np.fromfile(os.path.join(d, name), dtype="<f8").reshape(rows, cols)


def main():
    d = sys.argv[1]
    with open(os.path.join(d, "meta.json")) as f:
        meta = json.load(f)
    names = meta["features"]
    ref = pd.DataFrame(load(d, "ref.f64", meta["rows"], len(names)), columns=names)
    cur = pd.DataFrame(load(d, "cur.f64", meta["rows"], len(names)), columns=names)
    report = Report([DataDriftPreset()])
    t0 = time.perf_counter()
    c0 = time.process_time()
    snapshot = report.run(current_data=cur, reference_data=ref)
    result = snapshot.dict()
    seconds = time.perf_counter() - t0
    cpu_seconds = time.process_time() - c0
    columns = {}
    drifted = None
    for m in result.get("metrics", []):
        name = str(m.get("metric_name", ""))
        config = m.get("config", {}) or {}
        value = m.get("value")
        if name.startswith("DriftedColumnsCount"):
            drifted = value.get("count") if isinstance(value, dict) else value
        elif name.startswith("ValueDrift("):
            columns[config.get("column")] = {"method": config.get("method"), "score": value}
    print(json.dumps({"version": evidently.__version__, "seconds": seconds, "cpuSeconds": cpu_seconds, "driftedColumns": drifted, "columns": columns}, default=str))


if __name__ == "__main__":
    main()
