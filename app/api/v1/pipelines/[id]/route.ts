// GET → getPipeline, PUT → savePipeline, DELETE → deletePipeline (contract/api/endpoints.ts)
import { rest } from "../../../../../server/rest/handler";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = rest("getPipeline");
export const PUT = rest("savePipeline");
export const DELETE = rest("deletePipeline");
