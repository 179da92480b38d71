// PUT → setAlias, DELETE → deleteAlias (contract/api/endpoints.ts)
import { rest } from "../../../../../../../server/rest/handler";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const PUT = rest("setAlias");
export const DELETE = rest("deleteAlias");
