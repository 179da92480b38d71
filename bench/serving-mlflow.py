"""
The MLflow anchor of bench/serving.ts: an MLflow pyfunc model that runs the
benchmark's ONNX file with Python onnxruntime (one intra-op and one inter-op
thread, as Conveyor's sessions), saved with mlflow.pyfunc.save_model so that
`mlflow models serve -m <dir> --env-manager local` serves it.

Usage: python serving-mlflow.py <model.onnx> <output dir>
"""

import sys

import mlflow.pyfunc
import numpy as np


class OnnxModel(mlflow.pyfunc.PythonModel):
    """Every model input is a column of the request's DataFrame: tensor(float) as float32, tensor(string) as str; [rows, 1] each."""

    def load_context(self, context):
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        self.session = onnxruntime.InferenceSession(context.artifacts["onnx"], options, providers=["CPUExecutionProvider"])
        self.inputs = [(i.name, i.type) for i in self.session.get_inputs()]
        self.output = self.session.get_outputs()[0].name

    def predict(self, context, model_input, params=None):
        feeds = {}
        for name, kind in self.inputs:
            column = model_input[name]
            if kind == "tensor(string)":
                feeds[name] = column.astype(str).to_numpy(dtype=object).reshape(-1, 1)
            else:
                feeds[name] = column.to_numpy(dtype=np.float32).reshape(-1, 1)
        return self.session.run([self.output], feeds)[0].reshape(-1)


if __name__ == "__main__":
    onnx_path, out_dir = sys.argv[1:3]
    mlflow.pyfunc.save_model(path=out_dir, python_model=OnnxModel(), artifacts={"onnx": onnx_path})
