/**
 * The model endpoints: metadata and readiness of a model, OIP v2 `infer` and
 * `/v1/predict`, around the registry's onnxruntime sessions
 * (model-registry.ts) and the protocol's parsing and encoding (protocol.ts).
 * `{name}` is a deployment; without a version it is the deployment's alias
 * target. A warm infer is a Map lookup and the session run: no other await.
 */
import crypto from "node:crypto";
import type http from "node:http";
import { requestIdOf, requestIdTime, type Logger } from "../../infra/log";
import { RequestError } from "./errors";
import { BinaryInputs, binaryInferResponse, HEADER_LENGTH, splitInferBody } from "./binary";
import { readRequestBody, REQUEST_ID, type Reply, type TaggedResponse } from "./http-io";
import type { LoadedDeployment, LoadedModel, LoadedRoute, ModelRegistry } from "./model-registry";
import type { PredictionLog } from "./prediction-log";
import { inferResponse, parseInferRequest, parseJsonBody, parsePredictRequest, predictions, quote, type InputFeed, type OutputTensor } from "./protocol";
import type { RequestLabel } from "./request-handler";
import type { Route } from "./routes";
import { pickRoute, stickyKeyOf } from "./routing";
import { runShadows } from "./shadow";
import type { RouteStats } from "./stats";

export type ModelRoute = Extract<Route, { name: string }>;

/** Answers one model route; fills in `label` once the model is known (metrics, access log, span). */
export type ModelRouteHandler = (route: ModelRoute, req: http.IncomingMessage, res: http.ServerResponse, label: RequestLabel) => Promise<void>;

function notFound(name: string, version?: number): RequestError {
  const what = version === undefined ? `model ${quote(name)} is not deployed` : `model ${quote(name)} has no version ${version}`;
  return new RequestError(what, "model", 404);
}

/** The route's model, or its load error (a 503 counted against its version). */
function modelOf(route: LoadedRoute): LoadedModel {
  if (!route.model) throw route.error ?? new RequestError(`version ${route.served.version} is not loaded`, "model", 503);
  return route.model;
}

/** The live route with the most traffic: what metadata describes. */
function primary(dep: LoadedDeployment | { live: LoadedRoute[] }): LoadedRoute {
  return dep.live.reduce((a, b) => (b.weight > a.weight ? b : a));
}

export function modelRouteHandler({
  registry,
  maxBodyBytes,
  reply,
  stats,
  predictionLog,
  log,
}: {
  registry: ModelRegistry;
  maxBodyBytes: number;
  reply: Reply;
  stats: RouteStats;
  /** Where answered rows are logged (deployments whose monitoring is on); none: nothing is logged. */
  predictionLog?: PredictionLog;
  log: Logger;
}): ModelRouteHandler {
  /** Queues an answer's rows for the prediction log (references only: the rows are built when flushed). */
  function logAnswer(
    d: LoadedDeployment,
    m: LoadedModel,
    mode: "live" | "shadow",
    requestId: string,
    /** The caller chose the request id (else serving made it, and its time is in it). */
    callersId: boolean,
    input: { rows: number; feeds: InputFeed[] },
    results: Record<string, OutputTensor>,
    ms: number,
  ): void {
    if (!predictionLog || !d.logTo) return;
    predictionLog.record({
      deploymentId: d.logTo,
      deployment: d.name,
      requestId,
      requestAt: callersId ? null : requestIdTime(requestId),
      version: m.version,
      mode,
      rows: input.rows,
      feeds: input.feeds,
      results,
      classes: m.schema.classes,
      latencyMs: Math.round(ms * 1000) / 1000,
      at: Date.now(),
    });
  }

  async function deployment(name: string, version?: number): Promise<LoadedDeployment> {
    const d = registry.peek(name, version) ?? (await registry.get(name, version));
    if (!d) throw notFound(name, version);
    return d;
  }

  return async function handleModelRoute(route, req, res, label) {
    const { name, version } = route;
    switch (route.kind) {
      case "model-metadata": {
        const dep = await registry.resolve(name, version);
        if (!dep) throw notFound(name, version);
        const live = dep.routes.filter((r) => r.mode === "live" && r.weight > 0);
        const served = primary({ live: live as unknown as LoadedRoute[] }).served;
        label.model = name;
        label.modelName = served.modelName;
        label.version = served.version;
        const m = served.manifest;
        reply(res, 200, {
          name,
          versions: dep.routes.map((r) => String(r.served.version)),
          platform: "onnxruntime",
          inputs: m.inputs,
          outputs: m.outputs,
          parameters: {
            model: served.modelName,
            version: served.version,
            sha256: served.sha256,
            task: m.task,
            ...(m.classes ? { classes: m.classes } : {}),
            routes: dep.routes.map((r) => ({ version: r.served.version, weight: r.weight, mode: r.mode })),
          },
        });
        return;
      }
      case "model-ready": {
        const served = await registry.resolve(name, version);
        if (!served) throw notFound(name, version);
        label.model = name;
        try {
          const d = await deployment(name, version);
          const m = modelOf(primary(d));
          reply(res, 200, { name, version: String(m.version), ready: true });
        } catch (e) {
          reply(res, 503, { name, ready: false, error: e instanceof Error ? e.message : String(e) });
        }
        return;
      }
      case "infer":
      case "predict": {
        const body = await readRequestBody(req, maxBodyBytes);
        // Warm path: a Map lookup, no await.
        const d = registry.peek(name, version) ?? (await registry.get(name, version));
        if (!d) throw notFound(name, version);
        if (route.kind === "predict" && req.headers[HEADER_LENGTH] !== undefined) {
          throw new RequestError(
            "binary tensor data (Inference-Header-Content-Length) is for OIP infer only; send /v1/predict JSON",
            "Inference-Header-Content-Length",
          );
        }
        // An infer body may carry binary tensor data after its JSON (binary.ts).
        const { json, binary } = route.kind === "infer" ? splitInferBody(body, req.headers[HEADER_LENGTH]) : { json: parseJsonBody(body), binary: undefined };
        // An explicit version is called directly; a deployment's traffic is routed (and counted per version).
        const chosen = version === undefined ? pickRoute(d, stickyKeyOf(json, d.config.sticky, route.kind, binary?.bytes)) : d.live[0]!;
        label.model = name;
        label.modelName = chosen.served.modelName;
        label.version = chosen.served.version;
        if (version === undefined) label.routed = true;
        const m = modelOf(chosen);
        // What feedback is keyed by (request-handler.ts: the client's x-request-id or a new one, echoed in the answer).
        const requestId = (res as TaggedResponse)[REQUEST_ID] ?? requestIdOf(undefined);
        // An id this server made carries its time (feedback finds it by that); one the caller chose does not.
        const callersId = req.headers["x-request-id"] === requestId;
        // Shadows' answers are logged under the same request id and rows (built only when there are shadows).
        const shadowLog = () =>
          predictionLog && d.logTo
            ? (s: LoadedModel, input: { rows: number; feeds: InputFeed[] }, results: Record<string, OutputTensor>, ms: number) =>
                logAnswer(d, s, "shadow", requestId, callersId, input, results, ms)
            : undefined;
        if (route.kind === "infer") {
          const parsed = parseInferRequest(json, m.schema, binary);
          const names = parsed.outputs ?? m.schema.outputs;
          // Batched with concurrent requests for the same version (batcher.ts), as the deployment's config says.
          const t0 = performance.now();
          const results = await registry.run(m, parsed.rows, parsed.feeds, names, d.config.batching);
          const ms = performance.now() - t0;
          const id = parsed.id ?? crypto.randomUUID();
          reply(
            res,
            200,
            parsed.binaryOutputs ? binaryInferResponse(m, id, names, results, m.schema, parsed.binaryOutputs) : inferResponse(m, id, names, results, m.schema),
          );
          logAnswer(d, m, "live", requestId, callersId, parsed, results, ms);
          if (label.routed && d.shadows.length) {
            // A shadow with other inputs parses the request again, binary data from its start.
            const reparse = (s: LoadedModel) => parseInferRequest(json, s.schema, binary && new BinaryInputs(binary.bytes));
            setImmediate(() => void runShadows(d, m, parsed, results, reparse, { registry, stats, log, logAnswer: shadowLog() }));
          }
        } else {
          const parsed = parsePredictRequest(json, m.schema);
          const t0 = performance.now();
          const results = await registry.run(m, parsed.rows, parsed.feeds, m.schema.outputs, d.config.batching);
          const ms = performance.now() - t0;
          reply(res, 200, {
            model_name: name,
            model_version: m.version,
            // Feedback on these predictions names this id (POST /api/v1/deployments/{name}/feedback).
            request_id: requestId,
            predictions: predictions(parsed.rows, m.schema.outputs, results, m.schema),
          });
          logAnswer(d, m, "live", requestId, callersId, parsed, results, ms);
          if (label.routed && d.shadows.length) {
            setImmediate(
              () => void runShadows(d, m, parsed, results, (s) => parsePredictRequest(json, s.schema), { registry, stats, log, logAnswer: shadowLog() }),
            );
          }
        }
        return;
      }
    }
  };
}
