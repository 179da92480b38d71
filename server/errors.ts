import { ERROR_STATUS, type ErrorCode, type Problem } from "../contract/api/common";

/**
 * A use-case failure the caller can act on. REST answers it as
 * `{ error: { code, message, details } }` with the code's status; tRPC maps
 * the code to its own. `details` name the node and field of each problem.
 */
export class ServiceError extends Error {
  constructor(
    readonly code: Exclude<ErrorCode, "internal">,
    message: string,
    readonly errors: Problem[] = [],
  ) {
    super(message);
    this.name = "ServiceError";
  }
}

export const HTTP_STATUS: Record<ErrorCode, number> = ERROR_STATUS;

/** A problem with one request field (query, path or body). */
export function fieldError(code: "bad_request" | "invalid", field: string, message: string): ServiceError {
  return new ServiceError(code, `${field}: ${message}`, [{ nodeId: null, field, message }]);
}
