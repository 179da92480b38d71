// GET → getModel, DELETE → deleteModel (contract/api/endpoints.ts)
import { rest } from "../../../../../server/rest/handler";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = rest("getModel");
export const DELETE = rest("deleteModel");
