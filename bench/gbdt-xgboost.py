"""XGBoost reference for bench/gbdt.ts (issue 4).

Usage: python3 bench/gbdt-xgboost.py DIR
DIR holds meta.json and little-endian float32 files written by bench/gbdt.ts:
train_x.f32 (rows x features, row-major), train_y.f32, test_x.f32, test_y.f32.
Prints one JSON line: {"version", "seconds", "cpuSeconds", "mae", "trees"}. The
time covers DMatrix construction (quantile sketch) and training, one thread,
not loading; cpuSeconds is the process CPU time over the same span.
"""
import json
import os
import sys
import time

import numpy as np
import xgboost as xgb


def load(d, name, cols):
    a = np.fromfile(os.path.join(d, name), dtype="<f4")
    return a.reshape(-1, cols) if cols > 1 else a


def main():
    d = sys.argv[1]
    with open(os.path.join(d, "meta.json")) as f:
        meta = json.load(f)
    p = meta["params"]
    nf = len(meta["features"])
    xtr, ytr = load(d, "train_x.f32", nf), load(d, "train_y.f32", 1)
    xte, yte = load(d, "test_x.f32", nf), load(d, "test_y.f32", 1)
    params = {
        "objective": "reg:squarederror",
        "tree_method": "hist",
        "nthread": 1,
        "max_depth": p["maxDepth"],
        "eta": p["learningRate"],
        "lambda": p["l2"],
        "min_child_weight": p["minChildWeight"],
        "max_bin": p["maxBins"],
        "subsample": 1.0,
        "colsample_bytree": 1.0,
        "seed": 42,
        "verbosity": 0,
    }
    t0 = time.perf_counter()
    c0 = time.process_time()
    dtrain = xgb.DMatrix(xtr, label=ytr, nthread=1)
    booster = xgb.train(params, dtrain, num_boost_round=p["nTrees"])
    seconds = time.perf_counter() - t0
    cpu_seconds = time.process_time() - c0
    pred = booster.predict(xgb.DMatrix(xte, nthread=1))
    mae = float(np.mean(np.abs(pred.astype(np.float64) - yte.astype(np.float64))))
    print(json.dumps({"version": xgb.__version__, "seconds": seconds, "cpuSeconds": cpu_seconds, "mae": mae, "trees": p["nTrees"]}))


if __name__ == "__main__":
    main()
