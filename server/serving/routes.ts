/**
 * URL → endpoint for the serving process. Pure: no I/O, so every path shape
 * is unit-tested. Model names are single, percent-decoded path segments.
 */
import { RequestError } from "./errors";

export type ModelRouteKind = "model-metadata" | "model-ready" | "infer" | "predict";

export type Route = { kind: "live" | "ready" | "server-metadata" | "metrics" } | { kind: ModelRouteKind; name: string; version?: number };

export type RouteMatch = { ok: true; route: Route } | { ok: false; status: 404 | 405; error: string; allow?: string };

const GET = ["GET", "HEAD"];
const POST = ["POST"];

function decode(segment: string): string {
  if (!segment.includes("%")) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new RequestError("the URL has malformed percent-encoding", "url");
  }
}

function parseVersion(raw: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(raw)) throw new RequestError(`model version must be a positive integer, got "${raw.slice(0, 40)}"`, "version");
  return Number(raw);
}

function allow(methods: string[], method: string, route: Route): RouteMatch {
  if (methods.includes(method)) return { ok: true, route };
  return { ok: false, status: 405, error: `method ${method} is not allowed here; use ${methods[0]}`, allow: methods.join(", ") };
}

/**
 * Matches a request. Throws RequestError (400) for a malformed URL or
 * version; returns 404/405 results for unknown paths or wrong methods.
 */
export function matchRoute(method: string, url: string): RouteMatch {
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  const parts = path.split("/");
  // "/a/b/" → ["", "a", "b", ""]: drop the leading and one trailing empty segment.
  if (parts[0] === "") parts.shift();
  if (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  const n = parts.length;
  const [p0, p1, p2, p3, p4] = parts;

  if (n === 1 && p0 === "metrics") return allow(GET, method, { kind: "metrics" });
  if (p0 === "v2") {
    if (n === 1) return allow(GET, method, { kind: "server-metadata" });
    if (n === 3 && p1 === "health" && (p2 === "live" || p2 === "ready")) return allow(GET, method, { kind: p2 });
    if (p1 === "models" && n >= 3 && p2 !== undefined && p2 !== "") {
      const name = decode(p2);
      let i = 3;
      let version: number | undefined;
      if (p3 === "versions" && n >= 5 && p4 !== undefined && p4 !== "") {
        version = parseVersion(decode(p4));
        i = 5;
      }
      const rest = n - i;
      const last = parts[i];
      const kind: ModelRouteKind | undefined =
        rest === 0 ? "model-metadata" : rest === 1 && last === "ready" ? "model-ready" : rest === 1 && last === "infer" ? "infer" : undefined;
      if (kind) return allow(kind === "infer" ? POST : GET, method, version === undefined ? { kind, name } : { kind, name, version });
    }
  }
  if (p0 === "v1" && p1 === "predict" && p2 !== undefined && p2 !== "") {
    const name = decode(p2);
    if (n === 3) return allow(POST, method, { kind: "predict", name });
    if (n === 5 && p3 === "versions" && p4 !== undefined && p4 !== "") {
      return allow(POST, method, { kind: "predict", name, version: parseVersion(decode(p4)) });
    }
  }
  return { ok: false, status: 404, error: `no such endpoint: ${path.slice(0, 200)}` };
}
