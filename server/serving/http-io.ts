/**
 * Reading request bodies and writing JSON answers on node:http. Hot path: no
 * named closures per request (tsx's keepNames would wrap each one) and no
 * Error objects unless something actually went wrong.
 */
import type http from "node:http";
import { RequestError } from "./errors";
import type { ServerState } from "./lifecycle";

/** Where a response keeps its request's id (request-handler.ts sets it first): answered as `x-request-id`. */
export const REQUEST_ID = Symbol("requestId");
export type TaggedResponse = http.ServerResponse & { [REQUEST_ID]?: string };

export function send(res: TaggedResponse, status: number, body: unknown, headers?: http.OutgoingHttpHeaders): void {
  const text = JSON.stringify(body);
  const head: http.OutgoingHttpHeaders = { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) };
  // In writeHead's one object: res.setHeader beforehand would send every header through a slower path.
  const id = res[REQUEST_ID];
  if (id) head["x-request-id"] = id;
  if (headers) Object.assign(head, headers);
  res.writeHead(status, head);
  res.end(text);
}

/** Answers a request with JSON. */
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
