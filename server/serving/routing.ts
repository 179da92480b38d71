/**
 * Which route of a deployment answers a request. Pure. Without a sticky key
 * a live route is drawn at random by weight (canary); with one, the key's
 * hash decides, so one key always reaches one version on every replica (A/B).
 */
import type { StickyKey } from "../../db/queries/deployments";
import type { LoadedDeployment, LoadedRoute } from "./model-registry";

/** FNV-1a, 32 bits: stable across processes and machines. */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A point in [0, total) for the key (or at random without one). */
export function routePoint(total: number, key: string | undefined, random: () => number = Math.random): number {
  if (key === undefined) return random() * total;
  // 10,000 buckets: weights are whole percents (0.01% resolution).
  return ((hashKey(key) % 10_000) / 10_000) * total;
}

/** The live route for a request; `key` makes the choice sticky. */
export function pickRoute(dep: Pick<LoadedDeployment, "live" | "cumulative">, key?: string, random?: () => number): LoadedRoute {
  const { live, cumulative } = dep;
  if (live.length === 1) return live[0]!;
  const point = routePoint(cumulative[cumulative.length - 1]!, key, random);
  for (let i = 0; i < live.length; i++) if (point < cumulative[i]!) return live[i]!;
  return live[live.length - 1]!;
}

function keyText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

/**
 * The sticky key of a request, from its parsed JSON body: an OIP request
 * parameter (`parameters[name]`), or the first row's value of an input
 * column (OIP `inputs[].data[0]`, `/v1/predict` `instances[0][column]`).
 * Undefined when the deployment has none or the request does not carry it
 * (the route is then drawn at random).
 */
export function stickyKeyOf(body: unknown, sticky: StickyKey | undefined, kind: "infer" | "predict"): string | undefined {
  if (!sticky || typeof body !== "object" || body === null) return undefined;
  const b = body as Record<string, unknown>;
  if (sticky.parameter) {
    const p = b.parameters;
    if (typeof p === "object" && p !== null) return keyText((p as Record<string, unknown>)[sticky.parameter]);
    return undefined;
  }
  if (!sticky.column) return undefined;
  if (kind === "predict") {
    const first = Array.isArray(b.instances) ? (b.instances[0] as unknown) : undefined;
    return typeof first === "object" && first !== null ? keyText((first as Record<string, unknown>)[sticky.column]) : undefined;
  }
  if (!Array.isArray(b.inputs)) return undefined;
  for (const t of b.inputs as unknown[]) {
    if (typeof t === "object" && t !== null && (t as Record<string, unknown>).name === sticky.column) {
      let d: unknown = (t as Record<string, unknown>).data;
      while (Array.isArray(d)) d = d[0];
      return keyText(d);
    }
  }
  return undefined;
}
