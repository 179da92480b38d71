/**
 * Serves onnxruntime-web's wasm runtime from the installed package, so the
 * browser preview needs no copy step and always matches the installed
 * version. `ort.env.wasm.wasmPaths = "/ort/"` points the runtime here.
 */
import fs from "node:fs/promises";
import path from "node:path";

export const runtime = "nodejs";

/** Only the files the wasm backend (single-threaded, no JSEP) can ask for. */
const FILES: Record<string, string> = {
  "ort-wasm-simd-threaded.wasm": "application/wasm",
  "ort-wasm-simd-threaded.mjs": "text/javascript; charset=utf-8",
};

export async function GET(_req: Request, { params }: { params: Promise<{ file: string }> }) {
  const { file } = await params;
  const type = FILES[file];
  if (!type) return new Response("not found", { status: 404 });
  const full = path.join(process.cwd(), "node_modules", "onnxruntime-web", "dist", file);
  try {
    const bytes = await fs.readFile(full);
    return new Response(new Uint8Array(bytes), {
      headers: { "content-type": type, "cache-control": "public, max-age=86400", "cross-origin-resource-policy": "same-origin" },
    });
  } catch {
    return new Response(`onnxruntime-web is not installed (${file} missing); run npm install`, { status: 500 });
  }
}
