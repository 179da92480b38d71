/**
 * GET /api/v1/openapi.json: the OpenAPI 3.1 description of every endpoint of
 * contract/api/endpoints.ts, generated from the same zod schemas the routes
 * validate with (zod-openapi). The pipeline spec component is the compiler's
 * JSON Schema (node configs included).
 */
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from "zod-openapi";
import { z } from "zod";
import { ERROR_STATUS, ZApiError, ZSpecDocument } from "../contract/api/common";
import { endpoints, errorsOf, inputPlaces, type Endpoint } from "../contract/api/endpoints";
import { SEED_TEMPLATES } from "../contract/templates";
import { pipelineJsonSchema } from "../workflows/compiler/json-schema";

const ERROR_TEXT: Record<number, string> = {
  400: "Bad request: a malformed parameter or body (details name the fields)",
  401: "Not signed in",
  403: "Role too low",
  404: "Not found (also another team's object)",
  405: "Method not allowed",
  409: "Conflict with the object's state",
  413: "Body too large",
  415: "Unsupported media type",
  422: "Invalid: every problem with its node and field",
  500: "Internal error (a reference to the server log)",
  503: "A backing service is unavailable",
};

function operation(e: Endpoint): ZodOpenApiOperationObject {
  const places = inputPlaces(e);
  const pick = (keys: string[]) => (keys.length ? e.input.pick(Object.fromEntries(keys.map((k) => [k, true])) as never) : undefined);
  const requestBody = !e.body
    ? undefined
    : typeof e.body === "object" && "raw" in e.body
      ? // An empty body is refused (400), so the document says so: minLength 1.
        { required: true, content: { [e.body.raw]: { schema: { type: "string" as const, format: "binary", minLength: 1 } } } }
      : {
          required: e.body !== "fields" || Object.values(pick(places.body)!.shape).some((s) => !(s as z.ZodType).safeParse(undefined).success),
          content: { "application/json": { schema: e.body === "fields" ? pick(places.body)! : (e.input.shape[e.body.json] as z.ZodType) } },
        };
  const success =
    e.output === null
      ? { description: "OK", content: { [e.produces ?? "application/octet-stream"]: { schema: { type: "string" as const, format: "binary" } } } }
      : { description: e.summary, content: { "application/json": { schema: e.nullIsNotFound ? (e.output as z.ZodNullable).unwrap() : e.output } } };
  const errors = errorsOf(e);
  return {
    operationId: e.operationId,
    summary: e.summary,
    ...(e.description ? { description: e.description } : {}),
    tags: [e.tag],
    requestParams: { ...(places.path.length ? { path: pick(places.path) } : {}), ...(places.query.length ? { query: pick(places.query) } : {}) },
    ...(requestBody ? { requestBody } : {}),
    responses: {
      [String(e.status)]: success,
      // A file in S3 may be answered by a redirect to a presigned URL (server/rest/handler.ts).
      ...(e.output === null
        ? {
            "302": {
              description: "Found: with ARTIFACT_DOWNLOAD=redirect and an s3:// artifact store, Location is a presigned URL of the file (valid 5 minutes)",
              headers: { Location: { description: "the presigned URL", schema: { type: "string" as const, format: "uri" } } },
            },
          }
        : {}),
      ...Object.fromEntries(
        errors.map((code) => [
          String(ERROR_STATUS[code]),
          { description: ERROR_TEXT[ERROR_STATUS[code]]!, content: { "application/json": { schema: ZApiError } } },
        ]),
      ),
    },
  };
}

let cached: Record<string, unknown> | undefined;

export function openApiDocument(): Record<string, unknown> {
  if (cached) return cached;
  const paths: ZodOpenApiPathsObject = {};
  for (const e of Object.values(endpoints) as Endpoint[]) {
    (paths[e.path] ??= {})[e.method.toLowerCase() as "get"] = operation(e);
  }
  const specSchema = pipelineJsonSchema();
  cached = createDocument(
    {
      openapi: "3.1.0",
      info: {
        title: "Conveyor API",
        version: "1",
        description:
          "Pipelines (conveyor/v1 specs, see docs/spec.md), runs, the model registry and datasets. Every error is `{ error: { code, message, details } }`. The same operations back the web UI (tRPC) and the `conveyor` CLI.",
      },
      servers: [{ url: "/" }],
      tags: [
        { name: "pipelines", description: "Specs as immutable versions, with drafts" },
        { name: "runs", description: "Pipeline runs on Temporal" },
        { name: "triggers", description: "Schedules, webhooks and dataset subscriptions" },
        { name: "models", description: "The registry: versions, aliases, predictions" },
        { name: "datasets", description: "Uploaded data" },
        { name: "meta", description: "Health and descriptions" },
      ],
      paths,
    },
    {
      override: ({ jsonSchema, zodSchema, io }) => {
        const def = zodSchema._zod.def;
        if (def.type === "date") {
          jsonSchema.type = "string";
          jsonSchema.format = "date-time";
        }
        if (zodSchema === ZSpecDocument) {
          const { $schema: _schema, $id: _id, ...rest } = specSchema;
          Object.assign(jsonSchema, rest);
          delete jsonSchema.additionalProperties;
          delete jsonSchema.propertyNames;
          // The sample pipeline: a valid spec for the reference's "try it out", and the base the fuzz mutates field by field.
          jsonSchema.examples = SEED_TEMPLATES.map((t) => t.spec);
        }
        void io;
      },
      allowEmptySchema: { custom: true },
    },
  ) as unknown as Record<string, unknown>;
  return cached;
}
