import type { SpecError } from "../workflows/spec/spec";

/** A use-case failure the caller can act on; REST and tRPC map `code` to a status. */
export class ServiceError extends Error {
  constructor(
    readonly code: "invalid" | "not_found" | "bad_request" | "unavailable",
    message: string,
    readonly errors: SpecError[] = [],
  ) {
    super(message);
    this.name = "ServiceError";
  }
}

export const HTTP_STATUS: Record<ServiceError["code"], number> = { invalid: 422, not_found: 404, bad_request: 400, unavailable: 503 };
