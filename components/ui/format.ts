/** Display helpers shared by every page (pure). */

export function toDate(v: string | Date | null | undefined): Date | null {
  if (v === null || v === undefined) return null;
  const d = v instanceof Date ? v : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "850 ms", "4.2 s", "3 m 05 s", "1 h 02 m". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${String(Math.round(s % 60)).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} m`;
}

/** Duration between two timestamps; an open interval runs until `now`. */
export function durationBetween(start: string | Date | null | undefined, end: string | Date | null | undefined, now = Date.now()): number | null {
  const a = toDate(start);
  if (!a) return null;
  const b = toDate(end);
  return (b ? b.getTime() : now) - a.getTime();
}

/** "just now", "5 min ago", "3 h ago", then a date. */
export function formatRelative(v: string | Date | null | undefined, now = Date.now()): string {
  const d = toDate(v);
  if (!d) return "—";
  const s = Math.round((now - d.getTime()) / 1000);
  if (s < 45) return "just now";
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  if (s < 7 * 86400) return `${Math.round(s / 86400)} d ago`;
  return d.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
}

export function formatDateTime(v: string | Date | null | undefined): string {
  const d = toDate(v);
  if (!d) return "—";
  return d.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** Metric-friendly number: 4 significant digits, no exponent for ordinary magnitudes. */
export function formatNumber(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined) return "—";
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return v.toLocaleString("en-US");
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e9)) return v.toExponential(digits - 1);
  return String(+v.toPrecision(digits));
}

export function shortSha(sha: string | null | undefined, n = 12): string {
  return sha ? sha.slice(0, n) : "—";
}

export function shortId(id: string | null | undefined): string {
  return id ? id.slice(0, 8) : "—";
}

/** What started a run, in a few words: "schedule · 7 Dec, 02:00", "dataset flights v3", "webhook", "API". */
export function formatTrigger(t: { type: string; detail: Record<string, unknown> } | null | undefined): string {
  if (!t) return "—";
  const d = t.detail;
  switch (t.type) {
    case "manual":
      return typeof d.resumeOf === "string" ? "manual, resuming" : "manual";
    case "retry":
      return "retry";
    case "api":
      return "API";
    case "schedule":
      return typeof d.scheduledAt === "string" ? `schedule · ${formatDateTime(d.scheduledAt)}` : "schedule";
    case "dataset":
      return typeof d.dataset === "string" ? `dataset ${d.dataset}${typeof d.version === "number" ? ` v${d.version}` : ""}` : "dataset";
    case "drift": {
      const what = typeof d.metric === "string" ? `${d.metric}${typeof d.feature === "string" ? ` of ${d.feature}` : ""}` : "";
      const value = typeof d.value === "number" ? ` ${Number(d.value.toPrecision(3))}` : "";
      return typeof d.deployment === "string" ? `drift · ${d.deployment}${what ? ` ${what}${value}` : ""}` : "drift";
    }
    default:
      return t.type;
  }
}

/** A moment as the clock shows it in `timeZone`: "Tue 8 Dec, 02:00". */
export function formatInZone(v: string | Date, timeZone: string): string {
  const d = toDate(v);
  if (!d) return "—";
  try {
    return d.toLocaleString("en-GB", { timeZone, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  } catch {
    return d.toISOString();
  }
}

/** How long until a moment: "in 45 s", "in 12 min", "in 3 h", "in 2 d"; "—" when it has passed or is unknown. */
export function formatUntil(v: string | Date | null | undefined, now = Date.now()): string {
  const d = toDate(v);
  if (!d) return "—";
  const s = Math.round((d.getTime() - now) / 1000);
  if (s <= 0) return "—";
  if (s < 60) return `in ${s} s`;
  if (s < 3600) return `in ${Math.round(s / 60)} min`;
  if (s < 86400) return `in ${Math.round(s / 3600)} h`;
  return `in ${Math.round(s / 86400)} d`;
}

/** A share as a percent: 0.0123 → "1.2%", 1 → "100%". */
export function formatPercent(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  const p = v * 100;
  return `${p === 0 || p === 100 || p >= 10 ? Math.round(p) : p.toFixed(1)}%`;
}
