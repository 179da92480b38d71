/**
 * Which route of a deployment answers a request. Pure. Without a sticky key
 * a live route is drawn at random by weight (canary); with one, the key's
 * hash decides, so one key always reaches one version on every replica (A/B).
 */
import type { StickyKey } from "../../db/queries/deployments";
import { firstBinaryValue } from "./binary";
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
 * A number as the shortest decimal that reads back as the same 32-bit float:
 * a numeric column's value as the model receives it (FP32), whether the
 * request sent it as JSON (6.1) or as binary float32 bytes (6.099999904…).
 */
export function float32Text(x: number): string {
  const f = Math.fround(x);
  if (!Number.isFinite(f)) return String(f);
  for (let p = 1; p < 9; p++) {
    const n = Number(f.toPrecision(p));
    if (Math.fround(n) === f) return String(n);
  }
  return String(Number(f.toPrecision(9)));
}

/** A column's first value as a key: text as it is, a number as its float32 (NaN, a missing value: none). */
function columnKey(v: unknown): string | undefined {
  if (typeof v === "number") return Number.isNaN(v) ? undefined : float32Text(v);
  return keyText(v);
}

/**
 * The sticky key of a request, from its parsed JSON body: an OIP request
 * parameter (`parameters[name]`), or the first row's value of an input
 * column (OIP `inputs[].data[0]`, or the first element of its binary tensor
 * data in `binary`, the bytes after the JSON; `/v1/predict`
 * `instances[0][column]`). A number in a column counts as its float32, so
 * a key reaches one version whichever encoding the client uses.
 * Undefined when the deployment has none or the request does not carry it
 * (the route is then drawn at random).
 */
export function stickyKeyOf(body: unknown, sticky: StickyKey | undefined, kind: "infer" | "predict", binary?: Buffer): string | undefined {
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
    return typeof first === "object" && first !== null ? columnKey((first as Record<string, unknown>)[sticky.column]) : undefined;
  }
  if (!Array.isArray(b.inputs)) return undefined;
  const inputs = b.inputs as unknown[];
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i];
    if (typeof t === "object" && t !== null && (t as Record<string, unknown>).name === sticky.column) {
      let d: unknown = (t as Record<string, unknown>).data;
      if (d === undefined && binary) return columnKey(firstBinaryValue(inputs, i, binary));
      while (Array.isArray(d)) d = d[0];
      return columnKey(d);
    }
  }
  return undefined;
}
