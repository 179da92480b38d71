/**
 * What can go wrong, as exit codes and messages a person can act on:
 *   0 ok · 1 the thing asked failed (invalid spec, failed run, not found,
 *   conflict) · 2 usage error (bad arguments, bad file) · 3 server or
 *   network error (unreachable, 5xx, an answer this CLI does not understand).
 */
import { ERROR_STATUS, type ErrorCode, type Problem } from "../contract/api/common";

export const EXIT = { ok: 0, failure: 1, usage: 2, server: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as `error: message` (plus detail lines) and exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Bad arguments or files: exit 2. */
export class UsageError extends CliError {
  constructor(message: string, details: string[] = []) {
    super(message, EXIT.usage, details);
    this.name = "UsageError";
  }
}

/** The thing asked did not succeed (invalid spec, failed run): exit 1. */
export class FailureError extends CliError {
  constructor(message: string, details: string[] = []) {
    super(message, EXIT.failure, details);
    this.name = "FailureError";
  }
}

/** The server could not be reached or answered something unusable: exit 3. */
export class ServerError extends CliError {
  constructor(message: string, details: string[] = []) {
    super(message, EXIT.server, details);
    this.name = "ServerError";
  }
}

/** One problem as the canvas shows it: `node train: config.target: target is required`. */
export function formatProblem(p: Problem): string {
  return [p.nodeId !== null ? `node ${p.nodeId}` : null, p.field, p.message].filter((s) => s !== null && s !== "").join(": ");
}

/** Exit code of an API error code. */
export function exitCodeOf(code: ErrorCode): ExitCode {
  switch (code) {
    case "bad_request":
    case "payload_too_large":
      return EXIT.usage;
    case "not_found":
    case "conflict":
    case "invalid":
      return EXIT.failure;
    default:
      return EXIT.server;
  }
}

/** Which `list` command shows what exists, by endpoint tag. */
const LIST_COMMAND: Record<string, string> = {
  pipelines: "conveyor pipelines list",
  runs: "conveyor runs list",
  models: "conveyor models list",
  datasets: "conveyor datasets list",
  deployments: "conveyor deployments list",
  approvals: "conveyor approvals list --all",
};

/** An error answer of the API (`{ error: { code, message, details } }`), as a CLI error with a hint. */
export class ApiError extends CliError {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    readonly apiMessage: string,
    readonly problems: Problem[],
    readonly request: { method: string; path: string; tag: string; url: string },
  ) {
    const { message, hint } = describeApiError(code, apiMessage, request);
    super(message, exitCodeOf(code), [...problems.map(formatProblem), ...(hint ? [hint] : [])]);
    this.name = "ApiError";
  }
}

function describeApiError(
  code: ErrorCode,
  message: string,
  req: { method: string; path: string; tag: string; url: string },
): { message: string; hint?: string } {
  const status = ERROR_STATUS[code];
  const list = LIST_COMMAND[req.tag];
  switch (code) {
    case "bad_request":
      return { message: `the server refused the request: ${message}` };
    case "unauthorized":
      return { message: `not signed in to ${req.url}: ${message}`, hint: "set a token with `conveyor login <url> --token <token>` (or CONVEYOR_TOKEN)" };
    case "forbidden":
      return { message: `not allowed: ${message}`, hint: "the token in use may not do this; set another with `conveyor login --token <token>`" };
    case "not_found":
      return { message, ...(list ? { hint: `\`${list}\` shows what exists` } : {}) };
    case "method_not_allowed":
    case "unsupported_media_type":
      return {
        message: `${req.method} ${req.path}: ${message} (HTTP ${status})`,
        hint: "this CLI and the server disagree about the API: are they the same version?",
      };
    case "conflict":
      return { message };
    case "payload_too_large":
      return { message: `too large: ${message}` };
    case "invalid":
      return { message };
    case "internal":
      return { message: `the server failed: ${message}` };
    case "unavailable":
      return { message: `the server is not ready: ${message}`, hint: "`conveyor login` checks which part of the stack is down" };
  }
}

/** The error's lines as printed on stderr (without colour). */
export function errorLines(e: CliError): string[] {
  return [`error: ${e.message}`, ...e.details.map((d) => `  ${d}`)];
}
