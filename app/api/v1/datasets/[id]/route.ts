// GET → getDataset, DELETE → deleteDataset (contract/api/endpoints.ts)
import { rest } from "../../../../../server/rest/handler";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = rest("getDataset");
export const DELETE = rest("deleteDataset");
