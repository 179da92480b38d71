// POST → restoreDataset (contract/api/endpoints.ts)
import { rest } from "../../../../../../server/rest/handler";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const POST = rest("restoreDataset");
