/**
 * The CLI's API client (cli/client.ts) over the real Next.js route modules
 * in-process (testing/api.ts): code written against the public API (the
 * replay scenarios) runs in integration tests without a web server.
 */
import { Client, type HttpResponse, type Transport } from "../cli/client";
import { api } from "./api";

const transport: Transport = async (req) => {
  const body = req.body === undefined ? undefined : typeof req.body === "string" || req.body instanceof Uint8Array ? req.body : undefined;
  if (req.body !== undefined && body === undefined) throw new Error("streamed uploads are not supported in-process");
  const res = await api(req.method, req.url, { body: body as BodyInit | undefined, headers: req.headers });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const out: HttpResponse = {
    status: res.status,
    contentType: res.headers.get("content-type") ?? "",
    text: async () => new TextDecoder().decode(bytes),
    bytes: async () => bytes,
  };
  return out;
};

export const inProcessClient = () => new Client("http://localhost", undefined, transport);
