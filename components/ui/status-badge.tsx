/** Run and step statuses, one look everywhere (list, run header, step list, nodes). */
export type Status = "queued" | "running" | "succeeded" | "failed" | "skipped" | "cancelled" | "blocked" | "pending";

export const STATUS_STYLE: Record<Status, { badge: string; dot: string; ring: string; label: string }> = {
  pending: { badge: "bg-slate-100 text-slate-500 ring-slate-200", dot: "bg-slate-300", ring: "#cbd5e1", label: "pending" },
  queued: { badge: "bg-slate-100 text-slate-600 ring-slate-200", dot: "bg-slate-400", ring: "#94a3b8", label: "queued" },
  running: { badge: "bg-sky-50 text-sky-700 ring-sky-200", dot: "bg-sky-500 animate-pulse", ring: "#0ea5e9", label: "running" },
  succeeded: { badge: "bg-emerald-50 text-emerald-700 ring-emerald-200", dot: "bg-emerald-500", ring: "#10b981", label: "succeeded" },
  failed: { badge: "bg-rose-50 text-rose-700 ring-rose-200", dot: "bg-rose-500", ring: "#f43f5e", label: "failed" },
  skipped: { badge: "bg-amber-50 text-amber-700 ring-amber-200", dot: "bg-amber-400", ring: "#f59e0b", label: "skipped" },
  cancelled: { badge: "bg-slate-100 text-slate-500 ring-slate-200", dot: "bg-slate-400", ring: "#94a3b8", label: "cancelled" },
  blocked: { badge: "bg-amber-50 text-amber-800 ring-amber-300", dot: "bg-amber-500", ring: "#d97706", label: "blocked" },
};

export function toStatus(s: string | null | undefined): Status {
  return s && s in STATUS_STYLE ? (s as Status) : "pending";
}

export function isFinished(s: string | null | undefined): boolean {
  return s === "succeeded" || s === "failed" || s === "cancelled" || s === "blocked";
}

export function StatusBadge({ status, className = "" }: { status: string; className?: string }) {
  const st = STATUS_STYLE[toStatus(status)];
  return (
    <span
      data-status={status}
      className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${st.badge} ${className}`}
    >
      <span className={`h-1.5 w-1.5 rounded-full ${st.dot}`} />
      {st.label}
    </span>
  );
}

export function Tag({
  children,
  tone = "slate",
  title,
}: {
  children: React.ReactNode;
  tone?: "slate" | "indigo" | "violet" | "emerald" | "amber" | "rose";
  title?: string;
}) {
  const tones = {
    slate: "bg-slate-100 text-slate-600 ring-slate-200",
    indigo: "bg-indigo-50 text-indigo-700 ring-indigo-200",
    violet: "bg-violet-50 text-violet-700 ring-violet-200",
    emerald: "bg-emerald-50 text-emerald-700 ring-emerald-200",
    amber: "bg-amber-50 text-amber-700 ring-amber-200",
    rose: "bg-rose-50 text-rose-700 ring-rose-200",
  } as const;
  return (
    <span title={title} className={`inline-flex items-center rounded px-1.5 py-0.5 text-[11px] font-medium ring-1 ring-inset ${tones[tone]}`}>
      {children}
    </span>
  );
}
