"""onnxruntime reference for bench/batch.ts: batch scoring in one Python process.

Usage: python3 bench/batch-onnxruntime.py MODEL.onnx INPUT.parquet OUTPUT.parquet CHUNK_ROWS
Does what deploy.batch does, the plain Python way: reads the Parquet file in
batches of CHUNK_ROWS rows (pyarrow), feeds each batch's model columns to one
onnxruntime session (one thread: intra_op_num_threads=1, the same as
deploy.batch's; FP32 inputs as float32, BYTES inputs as strings with nulls as
""), and writes the input columns plus `prediction` (regression) to
OUTPUT.parquet (zstd). Prints one JSON line: {"version", "rows", "seconds",
"cpuSeconds", "scoreSeconds"}; seconds span reading, scoring and writing (not
loading the model), scoreSeconds only session.run.
"""
import json
import sys
import time

import numpy as np
import onnxruntime as ort
import pyarrow as pa
import pyarrow.parquet as pq


def main():
    model, source, target, chunk = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    inputs = [(i.name, i.type) for i in session.get_inputs()]
    t0, c0 = time.perf_counter(), time.process_time()
    scoring = 0.0
    rows = 0
    reader = pq.ParquetFile(source)
    writer = None
    for batch in reader.iter_batches(batch_size=chunk):
        feeds = {}
        for name, kind in inputs:
            column = batch.column(name)
            if kind == "tensor(string)":
                feeds[name] = np.array(column.cast(pa.string()).fill_null("").to_pylist(), dtype=object).reshape(-1, 1)
            else:
                feeds[name] = column.cast(pa.float64()).to_numpy(zero_copy_only=False).astype(np.float32).reshape(-1, 1)
        s = time.perf_counter()
        prediction = session.run(["prediction"], feeds)[0].reshape(-1)
        scoring += time.perf_counter() - s
        out = pa.Table.from_batches([batch]).append_column("prediction", pa.array(prediction.astype(np.float64)))
        if writer is None:
            writer = pq.ParquetWriter(target, out.schema, compression="zstd")
        writer.write_table(out)
        rows += batch.num_rows
    if writer is not None:
        writer.close()
    print(
        json.dumps(
            {
                "version": ort.__version__,
                "rows": rows,
                "seconds": time.perf_counter() - t0,
                "cpuSeconds": time.process_time() - c0,
                "scoreSeconds": scoring,
            }
        )
    )


if __name__ == "__main__":
    main()
