import { json, rest } from "../../../../../server/rest/handler";
import { getModel } from "../../../../../server/services/models/get-model";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET → { name, versions: [{ version, metrics, runId, createdAt }], aliases: { champion: 3 } }. */
export const GET = rest<{ name: string }>(async (ctx, _req, { name }) => {
  const m = await getModel(ctx, { name });
  return json({
    name: m.name,
    versions: m.versions.map(({ version, metrics, runId, createdAt }) => ({ version, metrics, runId, createdAt })),
    aliases: m.aliases,
    events: m.events,
  });
});
