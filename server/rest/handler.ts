/**
 * REST /api/v1 plumbing: route handlers stay thin (parse, call one service,
 * shape the answer); errors become JSON with the right status.
 */
import { requestContext, type RequestContext } from "../context";
import { HTTP_STATUS, ServiceError } from "../errors";

export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status });
}

export async function readJson(req: Request): Promise<unknown> {
  const text = await req.text();
  if (!text.trim()) throw new ServiceError("bad_request", "the request body is empty; send JSON");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ServiceError("bad_request", `the request body is not valid JSON: ${e instanceof Error ? e.message : e}`);
  }
}

export function rest<P>(fn: (ctx: RequestContext, req: Request, params: P) => Promise<Response>) {
  return async (req: Request, route: { params: Promise<P> }): Promise<Response> => {
    try {
      return await fn(await requestContext(), req, await route.params);
    } catch (e) {
      if (e instanceof ServiceError) {
        return json(e.code === "invalid" ? { error: e.message, errors: e.errors } : { error: e.message }, HTTP_STATUS[e.code]);
      }
      console.error(e);
      return json({ error: e instanceof Error ? e.message : "internal error" }, 500);
    }
  };
}
