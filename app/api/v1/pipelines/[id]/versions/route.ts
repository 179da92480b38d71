import { json, rest } from "../../../../../../server/rest/handler";
import { listVersions } from "../../../../../../server/services/pipelines/get-pipeline";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET → [{ version, message, createdAt, createdBy: { id, name } | null }], newest first. */
export const GET = rest<{ id: string }>(async (ctx, _req, { id }) => json(await listVersions(ctx, { id })));
