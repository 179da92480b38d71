/** An approval's state, one look in the inbox and on its page. */
const STYLE: Record<string, { badge: string; dot: string; label: string }> = {
  pending: { badge: "bg-amber-50 text-amber-800 ring-amber-300", dot: "bg-amber-500 animate-pulse", label: "waiting" },
  approved: { badge: "bg-emerald-50 text-emerald-700 ring-emerald-200", dot: "bg-emerald-500", label: "approved" },
  rejected: { badge: "bg-rose-50 text-rose-700 ring-rose-200", dot: "bg-rose-500", label: "rejected" },
  expired: { badge: "bg-slate-100 text-slate-500 ring-slate-200", dot: "bg-slate-400", label: "expired" },
};

export function ApprovalStatus({ status }: { status: string }) {
  const st = STYLE[status] ?? STYLE.expired!;
  return (
    <span data-status={status} className={`inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${st.badge}`}>
      <span className={`h-1.5 w-1.5 rounded-full ${st.dot}`} />
      {st.label}
    </span>
  );
}
