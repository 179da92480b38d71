import { rest } from "../../../../../../../../server/rest/handler";
import { ServiceError } from "../../../../../../../../server/errors";
import { readModelFile } from "../../../../../../../../server/services/models/get-model";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET → the version's ONNX bytes (immutable, so cacheable forever). */
export const GET = rest<{ name: string; version: string }>(async (ctx, _req, { name, version }) => {
  const v = Number(version);
  if (!Number.isInteger(v) || v < 1) throw new ServiceError("bad_request", `version must be a positive integer, got "${version}"`);
  const bytes = await readModelFile(ctx, { name, version: v });
  return new Response(new Uint8Array(bytes), {
    headers: { "content-type": "application/octet-stream", "cache-control": "private, max-age=31536000, immutable" },
  });
});
