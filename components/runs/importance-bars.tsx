/** Gain-based feature importance (metrics `importance.<feature>`) as horizontal bars, largest first. */
import type { RunMetric } from "../trpc/trpc";

export const IMPORTANCE_PREFIX = "importance.";

export function importanceOf(metrics: readonly { key: string; step: number; value: number }[]): { name: string; share: number }[] {
  const rows = metrics.filter((m) => m.step === 0 && m.key.startsWith(IMPORTANCE_PREFIX) && m.value >= 0);
  const total = rows.reduce((s, m) => s + m.value, 0);
  if (total <= 0) return [];
  return rows.map((m) => ({ name: m.key.slice(IMPORTANCE_PREFIX.length), share: m.value / total })).sort((a, b) => b.share - a.share);
}

export function ImportanceBars({ metrics }: { metrics: readonly RunMetric[] }) {
  const rows = importanceOf(metrics);
  if (!rows.length) return null;
  const max = rows[0]!.share;
  return (
    <figure className="rounded-md border border-slate-200 bg-white px-3 py-2" data-testid="feature-importance">
      <figcaption className="mb-1.5 text-[12px] font-medium text-slate-600">Feature importance (share of total gain)</figcaption>
      <div className="space-y-1">
        {rows.map((r) => (
          <div key={r.name} className="flex items-center gap-2 text-[11.5px]">
            <span className="w-36 shrink-0 truncate font-mono text-slate-600" title={r.name}>
              {r.name}
            </span>
            <span className="h-2.5 flex-1 rounded-sm bg-slate-100">
              <span className="block h-2.5 rounded-sm bg-violet-500" style={{ width: `${((r.share / max) * 100).toFixed(1)}%` }} />
            </span>
            <span className="w-12 shrink-0 text-right font-mono text-slate-500">{(r.share * 100).toFixed(1)}%</span>
          </div>
        ))}
      </div>
    </figure>
  );
}
