/**
 * Reading request bodies and writing JSON answers on node:http. Hot path: no
 * named closures per request (tsx's keepNames would wrap each one) and no
 * Error objects unless something actually went wrong.
 */
import type http from "node:http";
import zlib from "node:zlib";
import { RequestError } from "./errors";
import type { ServerState } from "./lifecycle";

/** Where a response keeps its request's id (request-handler.ts sets it first): answered as `x-request-id`. */
export const REQUEST_ID = Symbol("requestId");
export type TaggedResponse = http.ServerResponse & { [REQUEST_ID]?: string };

/** A body `send` writes as it is (binary tensor data), with its content type and headers of its own. */
export class RawBody {
  constructor(
    readonly bytes: Buffer,
    readonly contentType: string,
    readonly headers: http.OutgoingHttpHeaders = {},
  ) {}
}

export function send(res: TaggedResponse, status: number, body: unknown, headers?: http.OutgoingHttpHeaders): void {
  if (body instanceof RawBody) {
    sendRaw(res, status, body, headers);
    return;
  }
  const text = JSON.stringify(body);
  const head: http.OutgoingHttpHeaders = { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) };
  // In writeHead's one object: res.setHeader beforehand would send every header through a slower path.
  const id = res[REQUEST_ID];
  if (id) head["x-request-id"] = id;
  if (headers) Object.assign(head, headers);
  res.writeHead(status, head);
  res.end(text);
}

function sendRaw(res: TaggedResponse, status: number, body: RawBody, headers?: http.OutgoingHttpHeaders): void {
  const head: http.OutgoingHttpHeaders = { ...body.headers, "content-type": body.contentType, "content-length": body.bytes.length };
  const id = res[REQUEST_ID];
  if (id) head["x-request-id"] = id;
  if (headers) Object.assign(head, headers);
  res.writeHead(status, head);
  res.end(body.bytes);
}

/** Answers a request with JSON (or a RawBody as it is). */
export type Reply = (res: http.ServerResponse, status: number, payload: unknown, headers?: http.OutgoingHttpHeaders) => void;

/** `send`, plus `Connection: close` once the server is shutting down (keep-alive sockets then drain). */
export function replier(state: Readonly<ServerState>): Reply {
  return function reply(res, status, payload, headers) {
    send(res, status, payload, state.closing ? { ...headers, connection: "close" } : headers);
  };
}

/** Collects the body up to `limit` bytes. */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(new RequestError(`the request body is larger than the limit of ${limit} bytes`, "body", 413));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      if (size < 0) return; // already refused; the socket closes after the 413
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else {
        size = -1;
        chunks.length = 0;
        reject(new RequestError(`the request body is larger than the limit of ${limit} bytes`, "body", 413));
      }
    });
    req.on("end", () => {
      if (size >= 0) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
    // A client that goes away mid-body is a client problem, not a server error.
    req.on("error", () => reject(new RequestError("the request was aborted while its body was being read", "body")));
    req.on("close", () => {
      if (!req.complete) reject(new RequestError("the client closed the connection before sending the whole body", "body"));
    });
  });
}

const DECODERS: Record<string, (body: Buffer, limit: number) => Promise<Buffer>> = {
  gzip: (body, limit) => inflate(zlib.gunzip, body, limit, "gzip"),
  "x-gzip": (body, limit) => inflate(zlib.gunzip, body, limit, "gzip"),
  // HTTP's "deflate" is zlib-wrapped (RFC 9110); some clients send raw deflate, which is accepted too.
  deflate: (body, limit) => inflate(zlibHeader(body) ? zlib.inflate : zlib.inflateRaw, body, limit, "deflate"),
};

/** A zlib stream header (RFC 1950): method 8, and the two bytes a multiple of 31. */
function zlibHeader(b: Buffer): boolean {
  return b.length >= 2 && (b[0]! & 0x0f) === 8 && ((b[0]! << 8) | b[1]!) % 31 === 0;
}

function inflate(fn: typeof zlib.gunzip, body: Buffer, limit: number, name: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    fn(body, { maxOutputLength: limit }, (err, out) => {
      if (!err) return resolve(out);
      if ((err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" || err instanceof RangeError) {
        return reject(new RequestError(`the request body is larger than the limit of ${limit} bytes once decompressed (${name})`, "body", 413));
      }
      reject(new RequestError(`the request body is not valid ${name} data (Content-Encoding: ${name}): ${err.message}`, "body"));
    });
  });
}

/**
 * The body as sent (readBody), then decompressed as its `Content-Encoding`
 * says: gzip or deflate (or identity), the decompressed size within `limit`
 * too (a small compressed body cannot become a large one); another encoding
 * is a 415.
 */
export async function readRequestBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = req.headers["content-encoding"];
  let body = await readBody(req, limit);
  if (encoding === undefined) return body;
  // Applied in the order listed, so undone from the last.
  const codings = encoding
    .split(",")
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== "" && c !== "identity");
  for (const c of codings) {
    if (!Object.hasOwn(DECODERS, c)) {
      throw new RequestError(`Content-Encoding ${JSON.stringify(c.slice(0, 40))} is not supported; send gzip, deflate or identity`, "content-encoding", 415);
    }
  }
  for (const c of codings.reverse()) body = await DECODERS[c]!(body, limit);
  return body;
}
