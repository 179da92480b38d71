/**
 * The CLI's one way to call the API: given an endpoint of
 * contract/api/endpoints.ts and its input object, build the request the way
 * server/rest/handler.ts parses it (path parameters encoded into the path
 * template, body fields / the whole-JSON-body field / raw bytes per the
 * endpoint's body mapping, every other field in the query string), send it,
 * and parse the answer with the endpoint's output schema, or the one error
 * shape into an ApiError listing its details.
 */
import type { z } from "zod";
import { ZApiError } from "../contract/api/common";
import { inputPlaces, type Endpoint } from "../contract/api/endpoints";
import type { Bytes } from "../contract/api/resources";
import { ApiError, ServerError, UsageError } from "./errors";
import { toText } from "../contract/text";

/** Bytes to upload without holding them in memory (a file, streamed). */
export interface ByteSource {
  size: number;
  chunks(): AsyncIterable<Uint8Array>;
}

/** A field the input schema declares as bytes may also be a stream. */
type Widen<T> = { [K in keyof T]: T[K] extends Bytes ? Uint8Array | ByteSource : T[K] };
export type InputOf<E extends Endpoint> = Widen<z.input<E["input"]>>;
export type OutputOf<E extends Endpoint> = E["output"] extends z.ZodType ? z.output<E["output"]> : Uint8Array;

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array | ByteSource;
}

export interface HttpResponse {
  status: number;
  contentType: string;
  /** The body as text (JSON answers) or bytes (binary answers). */
  text(): Promise<string>;
  bytes(): Promise<Uint8Array>;
}

/** Sends one request; throws only when the server cannot be reached. */
export type Transport = (req: HttpRequest, opts: { onProgress?: (sent: number, total: number) => void; timeoutMs?: number }) => Promise<HttpResponse>;

export interface CallOptions {
  /** Statuses besides the endpoint's own whose body is the output (health answers 503 with its report). */
  acceptStatus?: number[];
  onProgress?: (sent: number, total: number) => void;
  /** Default 60 s; uploads have none. */
  timeoutMs?: number;
}

const isByteSource = (v: unknown): v is ByteSource => typeof v === "object" && v !== null && "chunks" in v && "size" in v;

/** The input fields present (undefined fields are left out, as if not given). */
function present(input: Record<string, unknown>, keys: string[]): [string, unknown][] {
  return keys.filter((k) => input[k] !== undefined).map((k) => [k, input[k]]);
}

/**
 * The HTTP request of `endpoint` for `input`, checked against the endpoint's
 * input schema first (a usage error naming the field, before anything is sent).
 */
export function buildRequest<E extends Endpoint>(baseUrl: string, e: E, input: InputOf<E>, token?: string): HttpRequest {
  const places = inputPlaces(e);
  const raw = typeof e.body === "object" && "raw" in e.body ? e.body : undefined;
  const fields = input as Record<string, unknown>;
  // Bytes are checked by the server (size, encoding); everything else against the schema here.
  const schema = raw ? e.input.omit({ [raw.field]: true } as never) : e.input;
  const checked = schema.safeParse(fields);
  if (!checked.success) {
    throw new UsageError(
      `invalid ${e.operationId} request`,
      checked.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "input"}: ${i.message}`),
    );
  }
  const path = e.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = fields[name];
    if (v === undefined || v === "") throw new UsageError(`${name} is required`);
    return encodeURIComponent(toText(v));
  });
  const query = new URLSearchParams();
  for (const [k, v] of present(fields, places.query)) query.append(k, toText(v));
  const qs = query.toString();
  const headers: Record<string, string> = { accept: "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const req: HttpRequest = { method: e.method, url: `${baseUrl.replace(/\/+$/, "")}${path}${qs ? `?${qs}` : ""}`, headers };
  if (raw) {
    const bytes = fields[raw.field];
    if (!(bytes instanceof Uint8Array) && !isByteSource(bytes)) throw new UsageError(`${raw.field} must be bytes`);
    headers["content-type"] = raw.raw;
    req.body = bytes;
  } else if (e.body === "fields") {
    headers["content-type"] = "application/json";
    req.body = JSON.stringify(Object.fromEntries(present(fields, places.body)));
  } else if (e.body && "json" in e.body) {
    headers["content-type"] = "application/json";
    req.body = JSON.stringify(fields[e.body.json]);
  }
  return req;
}

/** Turns an answer into the endpoint's output, or throws the error it carries. */
export async function parseResponse<E extends Endpoint>(e: E, req: HttpRequest, res: HttpResponse, opts: CallOptions = {}): Promise<OutputOf<E>> {
  const where = `${req.method} ${new URL(req.url).pathname}`;
  const ok = res.status === e.status || (res.status >= 200 && res.status < 300) || (opts.acceptStatus ?? []).includes(res.status);
  if (ok && e.output === null) return (await res.bytes()) as OutputOf<E>;
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (ok && e.output) {
    const out = e.output.safeParse(body);
    if (out.success) return out.data as OutputOf<E>;
    if (res.status < 300) {
      const first = out.error.issues[0];
      throw new ServerError(
        `the answer to ${where} is not what this CLI expects (${first ? `${first.path.join(".") || "body"}: ${first.message}` : "unreadable"})`,
        ["is this CLI the same version as the server? (`conveyor --version`, GET /api/v1/openapi.json)"],
      );
    }
  }
  const err = ZApiError.safeParse(body);
  if (err.success) {
    const { code, message, details } = err.data.error;
    throw new ApiError(code, res.status, message, details ?? [], {
      method: req.method,
      path: new URL(req.url).pathname,
      tag: e.tag,
      url: new URL(req.url).origin,
    });
  }
  const snippet = text.replace(/\s+/g, " ").trim().slice(0, 200);
  throw new ServerError(`HTTP ${res.status} from ${where}${snippet ? `: ${snippet}` : ""}`, [
    `is ${new URL(req.url).origin} a Conveyor server? set the URL with \`conveyor login <url>\``,
  ]);
}

/** The real transport: fetch, with a streamed body for byte sources and a timeout. */
export const fetchTransport: Transport = async (req, opts) => {
  let body: BodyInit | undefined;
  const headers = { ...req.headers };
  if (isByteSource(req.body)) {
    const source = req.body;
    const iterator = source.chunks()[Symbol.asyncIterator]();
    let sent = 0;
    headers["content-length"] = String(source.size);
    body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await iterator.next();
        if (next.done) {
          controller.close();
          return;
        }
        sent += next.value.byteLength;
        opts.onProgress?.(sent, source.size);
        controller.enqueue(next.value);
      },
      async cancel() {
        await iterator.return?.();
      },
    });
  } else if (req.body !== undefined) {
    body = typeof req.body === "string" ? req.body : new Blob([req.body as Uint8Array<ArrayBuffer>]);
  }
  const res = await fetch(req.url, {
    method: req.method,
    headers,
    body,
    ...(isByteSource(req.body) ? { duplex: "half" } : {}),
    ...(opts.timeoutMs ? { signal: AbortSignal.timeout(opts.timeoutMs) } : {}),
  });
  return {
    status: res.status,
    contentType: res.headers.get("content-type") ?? "",
    text: () => res.text(),
    bytes: async () => new Uint8Array(await res.arrayBuffer()),
  };
};

/** Why a request did not get an answer, in words (ECONNREFUSED, DNS, timeout…). */
function networkReason(e: unknown): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === "TimeoutError" || err?.name === "AbortError") return "no answer in time";
  const code = err?.cause?.code;
  return code ?? err?.cause?.message ?? err?.message ?? String(e);
}

export class Client {
  constructor(
    readonly baseUrl: string,
    readonly token: string | undefined,
    private readonly transport: Transport = fetchTransport,
  ) {}

  /** Calls `endpoint` with `input`; resolves to its output or throws a CliError (ApiError, ServerError, UsageError). */
  async call<E extends Endpoint>(e: E, input: InputOf<E>, opts: CallOptions = {}): Promise<OutputOf<E>> {
    const req = buildRequest(this.baseUrl, e, input, this.token);
    const isUpload = isByteSource(req.body);
    let res: HttpResponse;
    try {
      res = await this.transport(req, { onProgress: opts.onProgress, timeoutMs: opts.timeoutMs ?? (isUpload ? undefined : 60_000) });
    } catch (err) {
      throw unreachable(this.baseUrl, networkReason(err));
    }
    return parseResponse(e, req, res, opts);
  }
}

export function unreachable(url: string, reason: string): ServerError {
  return new ServerError(`cannot reach ${url} (${reason}) — is \`npm run dev\` running? set the URL with \`conveyor login <url>\``);
}
