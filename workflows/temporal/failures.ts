/**
 * What kind of failure an error is, and what a person is shown of it. One
 * place decides retries (activities.ts turns the kind into a retryable or
 * non-retryable ApplicationFailure):
 *
 *   - `data`: bad input (DataError) — never retried;
 *   - `transient`: the infrastructure, not the step — PostgreSQL or Temporal
 *     unreachable, a connection reset or terminated, a server restarting, a
 *     timeout — retried with backoff for minutes (contracts.ts TRANSIENT_RETRY);
 *   - `other`: anything else (a bug, a failing library) — retried up to the
 *     node's retry.maximumAttempts, then final.
 */
import { isQueryError } from "../../db/errors";
import { DataError } from "../ml/types";

export type FailureKind = "data" | "transient" | "other";

/** Socket, DNS and client-library connection codes (node, postgres.js, undici). */
const TRANSIENT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "EAI_AGAIN",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_HEADERS_TIMEOUT",
  // PostgreSQL SQLSTATEs: admin/crash shutdown, cannot connect now (starting up),
  // too many connections, serialization failure, deadlock (class 08 below).
  "57P01",
  "57P02",
  "57P03",
  "53300",
  "40001",
  "40P01",
]);

const TRANSIENT_MESSAGE =
  /connection terminated|terminating connection due to administrator command|the database system is (starting up|shutting down|in recovery mode)|server closed the connection unexpectedly|write (EPIPE|ECONNRESET)|connect (ECONNREFUSED|ETIMEDOUT)/i;

/** gRPC status codes of an unreachable or overloaded Temporal frontend: DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNAVAILABLE. */
const GRPC_TRANSIENT = new Set([4, 8, 14]);

/** The error and its causes (cause chains, AggregateError members), nearest first. */
function chain(err: unknown): unknown[] {
  const out: unknown[] = [];
  const queue = [err];
  while (queue.length && out.length < 20) {
    const e = queue.shift();
    if (e == null || out.includes(e)) continue;
    out.push(e);
    if (typeof e === "object") {
      const o = e as { cause?: unknown; errors?: unknown };
      if (o.cause !== undefined) queue.push(o.cause);
      if (Array.isArray(o.errors)) queue.push(...(o.errors as unknown[]));
    }
  }
  return out;
}

function isTransientOne(e: unknown): boolean {
  if (typeof e !== "object" || e === null) return false;
  const o = e as { code?: unknown; name?: unknown; message?: unknown; metadata?: unknown };
  if (typeof o.code === "string" && (TRANSIENT_CODES.has(o.code) || /^08[0-9A-Z]{3}$/.test(o.code))) return true;
  if (typeof o.code === "number" && GRPC_TRANSIENT.has(o.code) && o.metadata !== undefined) return true;
  if (o.name === "TimeoutError" || o.name === "ConnectTimeoutError") return true;
  return typeof o.message === "string" && TRANSIENT_MESSAGE.test(o.message);
}

export function classifyFailure(err: unknown): FailureKind {
  if (err instanceof DataError || (err instanceof Error && err.name === "DataError")) return "data";
  return chain(err).some(isTransientOne) ? "transient" : "other";
}

/**
 * The message a person sees: never SQL. A failed drizzle query says
 * "Failed query: <sql> params: …"; what went wrong is its cause's message.
 */
export function userMessage(err: unknown): string {
  let e: unknown = err;
  for (let i = 0; i < 10; i++) {
    if (!isQueryError(e)) break;
    const cause = e.cause;
    if (cause === undefined) return "a database query failed";
    e = cause;
  }
  if (e instanceof Error) return e.message || e.name;
  if (typeof e === "object" && e !== null && typeof (e as { message?: unknown }).message === "string") return (e as { message: string }).message;
  return String(e);
}
