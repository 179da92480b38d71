// Any other /api/v1 path: a 404 in the API's one error shape (not Next's HTML page).
import { errorResponse } from "../../../../server/rest/handler";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const notFound = (req: Request) => errorResponse("not_found", `no such endpoint: ${req.method} ${new URL(req.url).pathname} (see /api/v1/openapi.json)`);
export { notFound as GET, notFound as POST, notFound as PUT, notFound as DELETE, notFound as PATCH };
