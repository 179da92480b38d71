/**
 * Calls the REST API through its real Next.js route modules (app/api/**) and
 * checks every answer against the OpenAPI document: the status must be one
 * the operation documents, and a JSON body must match that status's schema.
 * Integration tests that touch REST go through `api()`, so the whole suite is
 * the contract test; `calls()` tells which operations were exercised.
 */
import fs from "node:fs";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { endpoints, matchEndpoint, type Endpoint } from "../contract/api/endpoints";
import { openApiDocument } from "../server/openapi";

const root = path.resolve(__dirname, "..");
const BASE = "http://localhost";

type Handler = (req: Request, ctx: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>;

/** The route module folder of an API path: literal segments, or the folder's one `[param]` folder. */
function routeFile(pathname: string): string | null {
  let dir = path.join(root, "app");
  for (const segment of pathname.split("/").filter(Boolean)) {
    const literal = path.join(dir, segment);
    if (fs.existsSync(literal) && fs.statSync(literal).isDirectory()) {
      dir = literal;
      continue;
    }
    const dynamic = fs.readdirSync(dir).find((d) => /^\[[^.].*\]$/.test(d));
    const catchAll = fs.readdirSync(dir).find((d) => /^\[\.\.\..*\]$/.test(d));
    if (dynamic) dir = path.join(dir, dynamic);
    else if (catchAll) return path.join(dir, catchAll, "route.ts");
    else return null;
  }
  const file = path.join(dir, "route.ts");
  return fs.existsSync(file) ? file : null;
}

let ajv: Ajv2020 | undefined;
function validator() {
  if (!ajv) {
    ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    addFormats(ajv);
    ajv.addSchema(openApiDocument(), "openapi");
  }
  return ajv;
}

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");

export interface Call {
  operationId: string | null;
  method: string;
  path: string;
  status: number;
}
const seen: Call[] = [];
export const calls = (): readonly Call[] => seen;

/** Checks one answer against the OpenAPI document; throws with the reason. */
export async function checkAgainstOpenApi(e: Endpoint, res: Response): Promise<void> {
  const doc = openApiDocument() as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> };
  const op = doc.paths[e.path]?.[e.method.toLowerCase()];
  const documented = op?.responses[String(res.status)];
  if (!documented)
    throw new Error(`${e.method} ${e.path} answered ${res.status}, which the OpenAPI document does not list (${Object.keys(op?.responses ?? {}).join(", ")})`);
  const type = res.headers.get("content-type") ?? "";
  if (!documented.content?.["application/json"]) return;
  if (!type.includes("application/json")) throw new Error(`${e.method} ${e.path} ${res.status}: content-type ${type}, documented application/json`);
  const body = await res.clone().json();
  const ref = `openapi#/${pointer("paths", e.path, e.method.toLowerCase(), "responses", String(res.status), "content", "application/json", "schema")}`;
  const validate = validator().getSchema(ref);
  if (!validate) throw new Error(`no schema at ${ref}`);
  if (!validate(body)) {
    throw new Error(
      `${e.method} ${e.path} ${res.status} does not match the OpenAPI document: ${validator().errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`,
    );
  }
}

/**
 * One REST call through the route module that serves `url` (a path such as
 * `/api/v1/pipelines?x=1`). Throws when the answer breaks the contract.
 */
export async function api(
  method: string,
  url: string,
  init: { body?: BodyInit | object; type?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  const full = new URL(url, BASE);
  const file = routeFile(full.pathname);
  if (!file) throw new Error(`no route module serves ${full.pathname}`);
  const mod = (await import(file)) as Record<string, Handler | undefined>;
  const handler = mod[method];
  if (!handler) throw new Error(`${path.relative(root, file)} has no ${method} handler`);
  const raw = init.body;
  const body =
    raw === undefined
      ? undefined
      : typeof raw === "string" || raw instanceof Uint8Array || raw instanceof ReadableStream || raw instanceof Blob
        ? raw
        : JSON.stringify(raw);
  const headers: Record<string, string> = { ...(body !== undefined ? { "content-type": init.type ?? "application/json" } : {}), ...init.headers };
  const req = new Request(full, { method, body: body as BodyInit | undefined, headers, ...(body instanceof ReadableStream ? { duplex: "half" } : {}) });
  const res = await handler(req, { params: Promise.resolve({}) });
  const e = matchEndpoint(method, full.pathname);
  seen.push({ operationId: e?.operationId ?? null, method, path: full.pathname, status: res.status });
  if (e) await checkAgainstOpenApi(e, res);
  else if (res.status !== 404) throw new Error(`${method} ${full.pathname} is no documented endpoint but answered ${res.status}`);
  return res;
}

/** `api()` then the JSON body, asserting the status. */
export async function apiJson<T = any>(method: string, url: string, status: number, init: Parameters<typeof api>[2] = {}): Promise<T> {
  const res = await api(method, url, init);
  const text = await res.text();
  if (res.status !== status) throw new Error(`${method} ${url}: expected ${status}, got ${res.status}: ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export { endpoints };
