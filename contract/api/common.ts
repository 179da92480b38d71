/**
 * Shapes every API resource shares: the one error shape, timestamps, the
 * request limits, and the small value types of path and query parameters.
 */
import { z } from "zod";

/** Error codes and their HTTP status; every error response is `{ error: { code, message, details? } }`. */
export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  invalid: 422,
  internal: 500,
  unavailable: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;
export const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

/** One problem with the request: the node (specs) and the field path it concerns. */
export const ZProblem = z
  .object({
    nodeId: z.string().nullable().describe("the pipeline node the problem is on, for specs"),
    field: z.string().nullable().describe("dotted path of the field, e.g. `config.target`, `params.month`, `name`"),
    message: z.string(),
  })
  .meta({ id: "Problem" });
export type Problem = z.infer<typeof ZProblem>;

export const ZApiError = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string().describe("one sentence a person understands"),
      details: z.array(ZProblem).optional().describe("field paths, on 400 and 422"),
    }),
  })
  .meta({ id: "Error" });
export type ApiError = z.infer<typeof ZApiError>;

/** Request limits: bodies beyond them are refused before they are read into anything else. */
export const LIMITS = {
  /** JSON request bodies (specs, drafts). */
  jsonBytes: 5 * 1024 * 1024,
  /** Nesting of arrays and objects in a JSON body. */
  jsonDepth: 64,
  /** CSV uploads. */
  csvBytes: 200 * 1024 * 1024,
  /** Any single path or query parameter. */
  paramChars: 512,
} as const;

/** A timestamp: an ISO 8601 string on the wire, a Date once parsed. */
export const ZTimestamp = z.coerce.date().meta({ description: "ISO 8601 date-time" });

/** Largest value of a PostgreSQL integer: a larger version or count cannot exist, so it is "not found", never a 500. */
export const MAX_INT32 = 2_147_483_647;

/** A version number in a path (`/versions/{version}`) or query (`?version=`). */
export const ZVersionNumber = z.coerce
  .number<number | string>({ error: "must be a positive integer" })
  .int("must be a positive integer")
  .min(1, "must be a positive integer")
  .meta({ description: "version number, from 1" });

export const ZUser = z.object({ id: z.string(), name: z.string() }).nullable().meta({ id: "UserRef" });

/** Free text that names something (model, dataset, alias): no control characters beyond what a name needs. */
export const ZName = z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters");

/** Commit-style message of a version or an alias move. */
export const ZMessage = z.string().trim().max(500, "must be at most 500 characters");

/** A spec document as sent and stored (validated by the compiler, whose JSON Schema is at /api/v1/schema/pipeline.json). */
export const ZSpecDocument = z.record(z.string(), z.unknown()).meta({ id: "PipelineSpec", description: "a conveyor/v1 pipeline spec (see docs/spec.md)" });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids are UUIDs: anything else names nothing (a 404, never a database error). */
export const isUuid = (id: string) => UUID.test(id);
