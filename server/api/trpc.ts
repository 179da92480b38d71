import { initTRPC, TRPCError } from "@trpc/server";
import { requestContext, type RequestContext } from "../context";
import { ServiceError } from "../errors";
import { redactPaths } from "../services/redact";
import { logger } from "../../infra/log";

export const createContext = async (): Promise<RequestContext> => requestContext("trpc");

/** An unexpected error goes to the server log (the client is told only that it is there). */
export function onTrpcError({ error, path, type }: { error: TRPCError; path?: string; type: string }): void {
  if (error.code === "INTERNAL_SERVER_ERROR" && !(error.cause instanceof ServiceError)) {
    logger("web").error({ err: error.cause ?? error, procedure: path, type }, `tRPC ${path ?? "?"} failed`);
  }
}

const t = initTRPC.context<RequestContext>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const internal = error.code === "INTERNAL_SERVER_ERROR" && !(cause instanceof ServiceError);
    return {
      ...shape,
      // An unexpected error's text stays in the server log (it can quote SQL or a path).
      message: internal ? "internal error; the server log has the details" : redactPaths(shape.message),
      data: { ...shape.data, stack: undefined, details: cause instanceof ServiceError ? cause.errors : undefined },
    };
  },
});

const CODES = {
  invalid: "UNPROCESSABLE_CONTENT",
  not_found: "NOT_FOUND",
  bad_request: "BAD_REQUEST",
  unavailable: "SERVICE_UNAVAILABLE",
  conflict: "CONFLICT",
  unauthorized: "UNAUTHORIZED",
  forbidden: "FORBIDDEN",
  method_not_allowed: "METHOD_NOT_SUPPORTED",
  payload_too_large: "PAYLOAD_TOO_LARGE",
  unsupported_media_type: "UNSUPPORTED_MEDIA_TYPE",
} as const satisfies Record<ServiceError["code"], TRPCError["code"]>;

/** Maps service errors to tRPC codes; everything else stays a 500. */
const serviceErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof ServiceError) {
    const cause = result.error.cause;
    throw new TRPCError({ code: CODES[cause.code], message: cause.message, cause });
  }
  return result;
});

export const router = t.router;
export const procedure = t.procedure.use(serviceErrors);
