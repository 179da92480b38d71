/**
 * The model endpoints: metadata and readiness of a model, OIP v2 `infer` and
 * `/v1/predict`, around the registry's onnxruntime sessions
 * (model-registry.ts) and the protocol's parsing and encoding (protocol.ts).
 * `{name}` is a deployment; without a version it is the deployment's alias
 * target. A warm infer is a Map lookup and the session run: no other await.
 */
import crypto from "node:crypto";
import type http from "node:http";
import { RequestError } from "./errors";
import { binaryInferResponse, HEADER_LENGTH, splitInferBody } from "./binary";
import { readRequestBody, type Reply } from "./http-io";
import type { LoadedModel, ModelRegistry } from "./model-registry";
import { inferResponse, parseInferRequest, parseJsonBody, parsePredictRequest, predictions, quote } from "./protocol";
import type { RequestLabel } from "./request-handler";
import type { Route } from "./routes";

export type ModelRoute = Extract<Route, { name: string }>;

/** Answers one model route; fills in `label` once the model is known (metrics, access log, span). */
export type ModelRouteHandler = (route: ModelRoute, req: http.IncomingMessage, res: http.ServerResponse, label: RequestLabel) => Promise<void>;

function notFound(name: string, version?: number): RequestError {
  const what = version === undefined ? `model ${quote(name)} is not deployed` : `model ${quote(name)} has no version ${version}`;
  return new RequestError(what, "model", 404);
}

export function modelRouteHandler({ registry, maxBodyBytes, reply }: { registry: ModelRegistry; maxBodyBytes: number; reply: Reply }): ModelRouteHandler {
  async function model(name: string, version?: number): Promise<LoadedModel> {
    const m = registry.peek(name, version) ?? (await registry.get(name, version));
    if (!m) throw notFound(name, version);
    return m;
  }

  return async function handleModelRoute(route, req, res, label) {
    const { name, version } = route;
    switch (route.kind) {
      case "model-metadata": {
        const served = await registry.resolve(name, version);
        if (!served) throw notFound(name, version);
        label.model = name;
        label.modelName = served.modelName;
        label.version = served.version;
        const m = served.manifest;
        reply(res, 200, {
          name,
          versions: [String(served.version)],
          platform: "onnxruntime",
          inputs: m.inputs,
          outputs: m.outputs,
          parameters: { model: served.modelName, version: served.version, sha256: served.sha256, task: m.task, ...(m.classes ? { classes: m.classes } : {}) },
        });
        return;
      }
      case "model-ready": {
        const served = await registry.resolve(name, version);
        if (!served) throw notFound(name, version);
        label.model = name;
        try {
          const m = await model(name, version);
          reply(res, 200, { name, version: String(m.version), ready: true });
        } catch (e) {
          reply(res, 503, { name, version: String(served.version), ready: false, error: e instanceof Error ? e.message : String(e) });
        }
        return;
      }
      case "infer":
      case "predict": {
        const body = await readRequestBody(req, maxBodyBytes);
        // Warm path: a Map lookup, no await.
        const m = registry.peek(name, version) ?? (await registry.get(name, version));
        if (!m) throw notFound(name, version);
        label.model = name;
        label.modelName = m.modelName;
        label.version = m.version;
        if (route.kind === "infer") {
          const { json, binary } = splitInferBody(body, req.headers[HEADER_LENGTH]);
          const parsed = parseInferRequest(json, m.schema, binary);
          const names = parsed.outputs ?? m.schema.outputs;
          const results = await registry.run(m, parsed.rows, parsed.feeds, names);
          const id = parsed.id ?? crypto.randomUUID();
          reply(
            res,
            200,
            parsed.binaryOutputs ? binaryInferResponse(m, id, names, results, m.schema, parsed.binaryOutputs) : inferResponse(m, id, names, results, m.schema),
          );
        } else {
          if (req.headers[HEADER_LENGTH] !== undefined) {
            throw new RequestError(
              "binary tensor data (Inference-Header-Content-Length) is for OIP infer only; send /v1/predict JSON",
              "Inference-Header-Content-Length",
            );
          }
          const parsed = parsePredictRequest(parseJsonBody(body), m.schema);
          const results = await registry.run(m, parsed.rows, parsed.feeds, m.schema.outputs);
          reply(res, 200, {
            model_name: name,
            model_version: m.version,
            predictions: predictions(parsed.rows, m.schema.outputs, results, m.schema),
          });
        }
        return;
      }
    }
  };
}
