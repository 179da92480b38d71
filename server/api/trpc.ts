import { initTRPC, TRPCError } from "@trpc/server";
import { requestContext, type RequestContext } from "../context";
import { ServiceError } from "../errors";

export const createContext = async (): Promise<RequestContext> => requestContext();

const t = initTRPC.context<RequestContext>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    return { ...shape, data: { ...shape.data, errors: cause instanceof ServiceError ? cause.errors : undefined } };
  },
});

const CODES = { invalid: "UNPROCESSABLE_CONTENT", not_found: "NOT_FOUND", bad_request: "BAD_REQUEST", unavailable: "SERVICE_UNAVAILABLE" } as const;

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
