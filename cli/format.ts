/**
 * Human output: aligned tables, relative times, durations and status
 * colours. Colour is decided once per process (a TTY and no NO_COLOR) and
 * passed in, so everything here is pure.
 */
import pc from "picocolors";

export type Colors = ReturnType<typeof pc.createColors>;
export const colors = (enabled: boolean): Colors => pc.createColors(enabled);

const ANSI = /\u001b\[[0-9;]*m/g;
/** Printed width of a cell (colour codes take no room). */
export const visibleLength = (s: string) => [...s.replace(ANSI, "")].length;

/**
 * Rows as aligned columns: a header row (dimmed by the caller if wanted),
 * two spaces between columns, the last column not padded. Columns listed in
 * `right` are right-aligned (numbers).
 */
export function table(header: string[], rows: string[][], opts: { right?: number[]; c?: Colors } = {}): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => visibleLength(r[i] ?? ""))));
  const line = (r: string[]) =>
    r
      .map((cell, i) => {
        const pad = " ".repeat(Math.max(0, widths[i]! - visibleLength(cell)));
        if (opts.right?.includes(i)) return pad + cell;
        return i === r.length - 1 ? cell : cell + pad;
      })
      .join("  ")
      .trimEnd();
  const head = line(header);
  return [opts.c ? opts.c.bold(head) : head, ...rows.map(line)];
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];
const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** `3 minutes ago`, `yesterday`, `in 2 hours`; `just now` within 10 seconds; `-` for none. */
export function relativeTime(when: Date | null | undefined, now: Date): string {
  if (!when) return "-";
  const seconds = (when.getTime() - now.getTime()) / 1000;
  if (Math.abs(seconds) < 10) return "just now";
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === "second") return rtf.format(Math.sign(seconds) * Math.round(Math.abs(seconds) / size), unit);
  }
  return "-";
}

/** `850ms`, `12.3s`, `4m 05s`, `2h 03m`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.floor(s % 60)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}

/** A status word coloured by what it means. */
export function status(s: string, c: Colors): string {
  switch (s) {
    case "succeeded":
      return c.green(s);
    case "failed":
      return c.red(s);
    case "running":
      return c.cyan(s);
    case "queued":
    case "skipped":
      return c.dim(s);
    default:
      return c.yellow(s);
  }
}

/** A measured number: an integer as it is, anything else to 4 significant digits (`0.7123`, `4.953`). */
export const num = (v: number): string => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4))));

/** Metrics as `r2=0.7123 rmse=4.91` (4 significant digits), sorted by name. */
export function metrics(values: Record<string, number>): string {
  const entries = Object.entries(values).sort(([a], [b]) => a.localeCompare(b));
  return entries.length ? entries.map(([k, v]) => `${k}=${num(v)}`).join(" ") : "-";
}

/** A share as a percentage with at most 2 decimals: `0.25` → `25%`, `0.012345` → `1.23%`. */
export const percent = (share: number): string => `${Number((share * 100).toFixed(2))}%`;

/** A latency: `0.42ms`, `8.5ms`, `120ms`, `1.2s`; `-` for none. */
export function latency(ms: number | null): string {
  if (ms === null) return "-";
  if (ms >= 1000) return duration(ms);
  return `${ms < 10 ? Number(ms.toPrecision(2)) : Math.round(ms)}ms`;
}

/** Labelled lines with the values aligned (`run       1d84…`, `pipeline  boston v3`); labels dimmed by `c`. */
export function fields(rows: [string, string][], c?: Colors): string[] {
  const width = Math.max(0, ...rows.map(([k]) => visibleLength(k)));
  return rows.map(([k, v]) => `${c ? c.dim(k.padEnd(width)) : k.padEnd(width)}  ${v}`.trimEnd());
}

/** `14.2 MB`. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
