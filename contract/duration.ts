/** Durations in node configs: "30s", "10m", "2h", "7d" (one number and one unit). */
import { z } from "zod";

const UNITS = { s: 1, m: 60, h: 3600, d: 86400 } as const;
const DURATION = /^([1-9][0-9]{0,6})(s|m|h|d)$/;

/** Seconds of a duration string, or null when it is not one. */
export function durationSeconds(text: string): number | null {
  const m = DURATION.exec(text);
  return m ? Number(m[1]) * UNITS[m[2] as keyof typeof UNITS] : null;
}

/** A duration config field between `min` and `max` seconds. */
export function duration(field: string, opts: { minSeconds?: number; maxSeconds?: number } = {}) {
  const min = opts.minSeconds ?? 1;
  const max = opts.maxSeconds ?? 366 * 86400;
  return z.string({ error: `${field} must be a duration like "30s", "10m", "2h" or "7d"` }).superRefine((v, ctx) => {
    const s = durationSeconds(v);
    if (s === null) ctx.addIssue({ code: "custom", message: `${field} must be a duration like "30s", "10m", "2h" or "7d", got "${v.slice(0, 40)}"` });
    else if (s < min || s > max) ctx.addIssue({ code: "custom", message: `${field} must be between ${min} s and ${max / 86400} days, got ${v}` });
  });
}
