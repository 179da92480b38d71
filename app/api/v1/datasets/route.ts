import { json, rest } from "../../../../server/rest/handler";
import { listDatasets, uploadDataset } from "../../../../server/services/datasets/upload-dataset";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** POST /api/v1/datasets?name=N, body text/csv → 201 { id, name, rows, columns }. */
export const POST = rest(async (ctx, req) => {
  const name = new URL(req.url).searchParams.get("name") ?? "";
  const csv = new Uint8Array(await req.arrayBuffer());
  return json(await uploadDataset(ctx, { name, csv }), 201);
});

export const GET = rest(async (ctx) => json(await listDatasets(ctx)));
