/** Swagger UI's two files from the installed swagger-ui-dist package (for /api/docs). */
import fs from "node:fs/promises";
import path from "node:path";

export const runtime = "nodejs";

const FILES: Record<string, string> = {
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui.css": "text/css; charset=utf-8",
};

export async function GET(_req: Request, { params }: { params: Promise<{ file: string }> }) {
  const { file } = await params;
  const type = FILES[file];
  if (!type) return new Response("not found", { status: 404 });
  const bytes = await fs.readFile(path.join(process.cwd(), "node_modules", "swagger-ui-dist", file));
  return new Response(new Uint8Array(bytes), { headers: { "content-type": type, "cache-control": "public, max-age=86400" } });
}
