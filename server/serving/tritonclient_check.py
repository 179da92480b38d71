"""
Drives Conveyor's serving process with tritonclient[http], a real OIP v2
client, for server/serving/tritonclient.int.test.ts: binary inputs (FP32 and
BYTES), binary and JSON outputs, compressed requests, an explicit version and
a refused request. Prints one JSON object with what the client decoded; the
test compares it with the JSON API's answers.

Usage: python tritonclient_check.py <host:port> <regression deployment> <classifier deployment>
"""

import json
import sys

import numpy as np
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException

url, linear, classifier = sys.argv[1:4]
client = httpclient.InferenceServerClient(url=url)

X = np.array([[1.0], [-2.5], [np.nan], [0.1]], dtype=np.float32)
S = np.array([[b"a"], [b"b"], ["\u00fcn\u00ef".encode("utf-8")], [b""]], dtype=np.object_)


def inputs(names, binary=True):
    out = []
    for name in names:
        array = X if name == "x" else S
        i = httpclient.InferInput(name, list(array.shape), "FP32" if name == "x" else "BYTES")
        i.set_data_from_numpy(array, binary_data=binary)
        out.append(i)
    return out


def decoded(result, names):
    out = {}
    for name in names:
        array = result.as_numpy(name)
        if array is None:
            continue
        values = [v.decode("utf-8") if isinstance(v, bytes) else v for v in array.flatten().tolist()]
        out[name] = {"dtype": str(array.dtype), "shape": list(array.shape), "data": values}
    response = result.get_response()
    return {
        "model_name": response["model_name"],
        "model_version": response["model_version"],
        "id": response.get("id"),
        "outputs": out,
        "binary": [o["name"] for o in response["outputs"] if "binary_data_size" in (o.get("parameters") or {})],
    }


report = {
    "live": client.is_server_live(),
    "ready": client.is_server_ready(),
    "model_ready": client.is_model_ready(linear),
    "extensions": client.get_server_metadata()["extensions"],
    "metadata_inputs": [i["name"] for i in client.get_model_metadata(linear)["inputs"]],
}

# tritonclient's defaults: binary inputs, and without outputs named, every output in binary.
report["binary_in_default_out"] = decoded(client.infer(linear, inputs(["x", "s"]), request_id="t1"), ["prediction"])
report["binary_in_json_out"] = decoded(
    client.infer(linear, inputs(["x", "s"]), outputs=[httpclient.InferRequestedOutput("prediction", binary_data=False)]), ["prediction"]
)
report["json_in_binary_out"] = decoded(
    client.infer(linear, inputs(["x", "s"], binary=False), outputs=[httpclient.InferRequestedOutput("prediction", binary_data=True)]), ["prediction"]
)
report["classifier_default"] = decoded(client.infer(classifier, inputs(["x"])), ["label", "probabilities"])
report["classifier_mixed"] = decoded(
    client.infer(
        classifier,
        inputs(["x"]),
        outputs=[httpclient.InferRequestedOutput("label", binary_data=True), httpclient.InferRequestedOutput("probabilities", binary_data=False)],
    ),
    ["label", "probabilities"],
)
report["gzip"] = decoded(client.infer(linear, inputs(["x", "s"]), request_compression_algorithm="gzip"), ["prediction"])
report["deflate"] = decoded(client.infer(linear, inputs(["x", "s"]), request_compression_algorithm="deflate"), ["prediction"])
report["version_1"] = decoded(client.infer(linear, inputs(["x", "s"]), model_version="1"), ["prediction"])

try:
    client.infer(linear, inputs(["x"]))
    report["refused"] = None
except InferenceServerException as e:
    report["refused"] = {"status": e.status(), "message": e.message()}

print(json.dumps(report, allow_nan=False))
