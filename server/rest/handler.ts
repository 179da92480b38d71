/**
 * REST plumbing: one function turns an endpoint of contract/api/endpoints.ts
 * and its operation into a Next.js route handler. It parses the request one
 * way for every route (path parameters from the URL against the endpoint's
 * path template, the query string, the body within its limits), validates it
 * with the endpoint's input schema, runs the operation and answers with the
 * output schema's shape. Every error has one shape:
 * `{ error: { code, message, details } }`; nothing else reaches the client
 * (no SQL, stack trace or server path: unexpected errors answer a reference,
 * the request id, under which the server log has them).
 *
 * Every request has a request id (the caller's `x-request-id` when it is a
 * sane one, else a new UUID), echoed in the answer's `x-request-id`, and one
 * access log line; when tracing, it runs in a span of its own (a child of
 * Next's request span, or of the caller's `traceparent` outside Next), so
 * the run it starts continues the trace.
 */
import { Readable } from "node:stream";
import type { z } from "zod";
import { LIMITS, type ApiError, type ErrorCode, type Problem } from "../../contract/api/common";
import { endpoints, inputPlaces, matchPath, type Endpoint, type EndpointName, type Endpoints } from "../../contract/api/endpoints";
import { noCallerContext, requestContext } from "../context";
import { fieldError, HTTP_STATUS, ServiceError } from "../errors";
import { operations, type Operation } from "../api/operations";
import { findNul, jsonDepthExceeds, zodProblems } from "./validate";
import { toText } from "../../contract/text";
import { logger, requestIdOf, type Logger } from "../../infra/log";
import { incomingContext, otelContext, otelTrace, SpanKind, SpanStatusCode, tracer, tracing } from "../../infra/telemetry";
import type { ArtifactDownload } from "../../infra/artifacts";
import { observeApiRequest } from "./metrics";

let webLog: Logger | undefined;
const log = () => (webLog ??= logger("web"));

export function errorResponse(code: ErrorCode, message: string, details?: Problem[], headers?: HeadersInit): Response {
  const body: ApiError = { error: { code, message, ...(details?.length ? { details } : {}) } };
  return Response.json(body, { status: HTTP_STATUS[code], headers });
}

const JSON_TYPES = /^(application\/(json|[\w.+-]+\+json|x-www-form-urlencoded)|text\/plain)\b/i;

const tooLarge = (limit: number) => new ServiceError("payload_too_large", `the request body is larger than ${(limit / 1024 / 1024).toFixed(0)} MB`);

/** Reads at most `limit` bytes of the body, refusing larger ones as soon as the limit is passed. */
async function readLimited(req: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > limit) throw tooLarge(limit);
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** The JSON body: within the size and depth limits and syntactically valid (NUL characters are refused in the fields the endpoint reads). */
async function readJsonBody(req: Request, opts: { empty?: unknown } = {}): Promise<unknown> {
  const text = new TextDecoder().decode(await readLimited(req, LIMITS.jsonBytes));
  if (!text.trim()) {
    if ("empty" in opts) return opts.empty;
    throw new ServiceError("bad_request", "the request body is empty; send JSON");
  }
  const type = req.headers.get("content-type");
  if (type && !JSON_TYPES.test(type)) throw new ServiceError("unsupported_media_type", `send the body as application/json, not ${type.split(";")[0]}`);
  if (jsonDepthExceeds(text, LIMITS.jsonDepth)) throw new ServiceError("bad_request", `the JSON body is nested deeper than ${LIMITS.jsonDepth} levels`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ServiceError("bad_request", `the request body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return value;
}

/** Refuses a NUL character anywhere in a value that goes on to the operation (PostgreSQL text and jsonb cannot hold one). */
function refuseNul(value: unknown, field: string): void {
  const nul = findNul(value, field);
  if (nul !== null) throw fieldError("invalid", nul || "body", "must not contain NUL characters (\\u0000)");
}

function checkParam(field: string, value: string): void {
  if (value.includes("\u0000")) throw fieldError("invalid", field, "must not contain NUL characters (\\u0000)");
  if (value.length > LIMITS.paramChars) throw fieldError("bad_request", field, `must be at most ${LIMITS.paramChars} characters`);
}

/** Parses a request into the endpoint's input object, or throws a ServiceError naming the fields. */
export async function parseRequest<E extends Endpoint>(e: E, req: Request): Promise<z.output<E["input"]>> {
  const url = new URL(req.url);
  const places = inputPlaces(e);
  const raw: Record<string, unknown> = {};
  let path: Record<string, string> | undefined;
  try {
    path = matchPath(e.path, url.pathname);
  } catch {
    throw new ServiceError("bad_request", "the URL is not correctly encoded");
  }
  for (const name of places.path) {
    const v = path?.[name] ?? "";
    checkParam(name, v);
    raw[name] = v;
  }
  for (const [k, v] of url.searchParams) {
    if (!places.query.includes(k)) continue; // unknown query parameters are ignored, as HTTP APIs do
    checkParam(k, v);
    raw[k] = v;
  }
  if (e.body) {
    if (typeof e.body === "object" && "raw" in e.body) {
      const type = req.headers.get("content-type");
      if (type && !/^(text\/(csv|plain)|application\/octet-stream)\b/i.test(type))
        throw new ServiceError("unsupported_media_type", `send the body as ${e.body.raw}, not ${type.split(";")[0]}`);
      // The body goes to the operation as a stream: it reads (and stores) it as it arrives, and stops at the limit.
      if (Number(req.headers.get("content-length") ?? NaN) > LIMITS.csvBytes) throw tooLarge(LIMITS.csvBytes);
      raw[e.body.field] = req.body ?? new Uint8Array();
    } else if (e.body === "fields") {
      const body = await readJsonBody(req, { empty: {} });
      if (typeof body !== "object" || body === null || Array.isArray(body)) throw new ServiceError("bad_request", "the request body must be a JSON object");
      // Only the endpoint's fields are read (and checked): other keys are ignored, like unknown query parameters.
      for (const k of places.body) {
        if (!Object.hasOwn(body, k)) continue;
        raw[k] = (body as Record<string, unknown>)[k];
        refuseNul(raw[k], k);
      }
    } else {
      // A body field with a default (a webhook's params) may be sent as an empty body.
      const optional = (e.input.shape[e.body.json] as z.ZodType).safeParse(undefined).success;
      const value = await readJsonBody(req, optional ? { empty: undefined } : {});
      if (value !== undefined) {
        raw[e.body.json] = value;
        refuseNul(value, "");
      }
    }
  }
  const parsed = e.input.safeParse(raw);
  if (!parsed.success) {
    const details = zodProblems(parsed.error);
    const inBody = details.some((d) => d.field !== null && places.body.includes(d.field.split(/[.[]/)[0]!));
    throw new ServiceError(inBody ? "invalid" : "bad_request", details.map((d) => `${d.field ?? "request"}: ${d.message}`).join("; "), details);
  }
  return parsed.data as z.output<E["input"]>;
}

/** Answers an unexpected error without its details, which go to the server log under the request id (the reference the client sees). */
export function internalError(e: unknown, where: string, requestId: string): Response {
  log().error({ err: e, requestId, operation: where }, `${where} failed`);
  return errorResponse("internal", `internal error (reference ${requestId}); the server log has the details`);
}

export interface RestOptions<E extends Endpoint> {
  /** The status for a given output (default the endpoint's). */
  statusOf?: (output: z.output<NonNullable<E["output"]>>) => number;
  headers?: HeadersInit;
}

/** A file download: streamed with its length (never buffered whole), or a redirect to a presigned URL. */
function downloadResponse(e: Endpoint, d: ArtifactDownload): Response {
  if (d.kind === "redirect") return new Response(null, { status: 302, headers: { location: d.url, "cache-control": "no-store" } });
  return new Response(Readable.toWeb(d.body) as ReadableStream<Uint8Array>, {
    status: e.status,
    headers: {
      "content-type": e.produces ?? "application/octet-stream",
      "content-length": String(d.sizeBytes),
      "cache-control": "private, max-age=31536000, immutable",
    },
  });
}

/** The Next.js route handler of endpoint `name`. */
export function rest<N extends EndpointName>(name: N, opts: RestOptions<Endpoints[N]> = {}) {
  const e = endpoints[name] as Endpoint;
  const answer = answerer(e, operations[name], opts);
  return async (req: Request): Promise<Response> => {
    const started = performance.now();
    const requestId = requestIdOf(req.headers.get("x-request-id"));
    const res = tracing() ? await inSpan(e, req, requestId, () => answer(req, requestId)) : await answer(req, requestId);
    res.headers.set("x-request-id", requestId);
    observeApiRequest(e.method, e.path, res.status, (performance.now() - started) / 1000);
    log().info(
      {
        requestId,
        method: e.method,
        path: new URL(req.url).pathname.slice(0, 200),
        operation: e.operationId,
        status: res.status,
        ms: Math.round((performance.now() - started) * 100) / 100,
      },
      "request",
    );
    return res;
  };
}

/**
 * Runs `answer` in a span of the request. Under Next its request span is
 * active and ours is its child; called directly (tests), the caller's
 * `traceparent` is the parent.
 */
function inSpan(e: Endpoint, req: Request, requestId: string, answer: () => Promise<Response>): Promise<Response> {
  const inNext = otelTrace.getSpan(otelContext.active()) !== undefined;
  const parent = inNext ? otelContext.active() : incomingContext(Object.fromEntries(req.headers));
  const attributes = { "http.request.method": e.method, "http.route": e.path, "conveyor.operation": e.operationId, "conveyor.request_id": requestId };
  return tracer().startActiveSpan(`${e.method} ${e.path}`, { kind: inNext ? SpanKind.INTERNAL : SpanKind.SERVER, attributes }, parent, async (span) => {
    try {
      const res = await answer();
      span.setAttribute("http.response.status_code", res.status);
      if (res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      return res;
    } finally {
      span.end();
    }
  });
}

/** Parses, runs and answers one request of endpoint `e`. */
function answerer(e: Endpoint, run: Operation<Endpoint>, opts: RestOptions<Endpoint>) {
  return async (req: Request, requestId: string): Promise<Response> => {
    try {
      const input = await parseRequest(e, req);
      const result = await run(e.noCaller ? noCallerContext("rest") : await requestContext("rest"), input);
      if (e.output === null) return downloadResponse(e, result as ArtifactDownload);
      if (result === null && e.nullIsNotFound) {
        return errorResponse(
          "not_found",
          e.nullIsNotFound.replace(/\{(\w+)\}/g, (_, k: string) => toText(input[k] ?? k)),
        );
      }
      const out = e.output.safeParse(result);
      if (!out.success) return internalError(new Error(`output of ${e.operationId} does not match its schema: ${out.error.message}`), e.operationId, requestId);
      const status = opts.statusOf ? opts.statusOf(out.data) : e.status;
      return Response.json(out.data, { status, headers: { "cache-control": "no-store", ...opts.headers } });
    } catch (err) {
      if (err instanceof ServiceError) return errorResponse(err.code, err.message, err.errors);
      return internalError(err, e.operationId, requestId);
    }
  };
}
