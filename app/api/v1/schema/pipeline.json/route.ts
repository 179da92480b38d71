import { pipelineJsonSchema } from "../../../../../workflows/compiler/json-schema";

/** GET /api/v1/schema/pipeline.json → the JSON Schema of conveyor/v1 specs (generated from the zod schemas). */
export const dynamic = "force-static";

export function GET(): Response {
  return Response.json(pipelineJsonSchema());
}
