// GET → getDraft, PUT → saveDraft, DELETE → discardDraft (contract/api/endpoints.ts)
import { rest } from "../../../../../../server/rest/handler";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = rest("getDraft");
export const PUT = rest("saveDraft");
export const DELETE = rest("discardDraft");
